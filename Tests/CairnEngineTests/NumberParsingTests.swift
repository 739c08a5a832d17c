import XCTest
@testable import CairnEngine

/// string2ll's acceptance rules at the lengths where the parse changes method (18 digits unchecked, 19-20
/// checked) and at the edges of Int64.
final class NumberParsingTests: XCTestCase {
    func parse(_ s: String) -> Int64? { NumberParsing.int64(Array(s.utf8)) }

    func testCanonicalIntegersAreAccepted() {
        let accepted: [(String, Int64)] = [
            ("0", 0), ("7", 7), ("-7", -7), ("127", 127), ("-128", -128), ("2147483648", 2_147_483_648),
            ("123456789012345678", 123_456_789_012_345_678), ("-123456789012345678", -123_456_789_012_345_678),
            ("999999999999999999", 999_999_999_999_999_999), ("-999999999999999999", -999_999_999_999_999_999),
            ("1000000000000000000", 1_000_000_000_000_000_000), ("-1000000000000000000", -1_000_000_000_000_000_000),
            ("9223372036854775807", .max), ("-9223372036854775808", .min),
            ("9223372036854775806", .max - 1), ("-9223372036854775807", .min + 1),
        ]
        for (s, v) in accepted { XCTAssertEqual(parse(s), v, s) }
    }

    func testNonCanonicalOrOutOfRangeTextIsRefused() {
        let refused = [
            "", "-", "-0", "+1", " 1", "1 ", "01", "-01", "00", "1a", "1.0", "0x10", "--1", "1-",
            "12345678901234567a", "-12345678901234567a", "1234567890123456789a",
            "9223372036854775808", "-9223372036854775809", "10000000000000000000", "18446744073709551615",
            "18446744073709551616", "99999999999999999999", "-99999999999999999999", "100000000000000000000",
        ]
        for s in refused { XCTAssertNil(parse(s), s) }
    }
}
