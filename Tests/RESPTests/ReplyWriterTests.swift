import XCTest
@testable import RESP

final class ReplyWriterTests: XCTestCase {
    private func text(_ w: ReplyWriter) -> String { String(decoding: w.bytes, as: UTF8.self) }

    func testScalarsInBothProtocols() {
        var w2 = ReplyWriter(resp3: false)
        var w3 = ReplyWriter(resp3: true)
        for i in 0..<2 {
            var w = i == 0 ? w2 : w3
            w.ok(); w.integer(-42); w.bulk(Array("hi".utf8)); w.null(); w.nullArray(); w.bool(true); w.double(1.5); w.double(.infinity)
            w.bulk(integer: Int64.min)
            w.error("ERR bad\r\nthing")
            if i == 0 { w2 = w } else { w3 = w }
        }
        XCTAssertEqual(text(w2), "+OK\r\n:-42\r\n$2\r\nhi\r\n$-1\r\n*-1\r\n:1\r\n$3\r\n1.5\r\n$3\r\ninf\r\n$20\r\n-9223372036854775808\r\n-ERR bad  thing\r\n")
        XCTAssertEqual(text(w3), "+OK\r\n:-42\r\n$2\r\nhi\r\n_\r\n_\r\n#t\r\n,1.5\r\n,inf\r\n$20\r\n-9223372036854775808\r\n-ERR bad  thing\r\n")
    }

    /// Values up to 49 bytes are framed on the stack and longer ones appended piecewise: both frame alike,
    /// whatever the number of length digits.
    func testBulkFramingAtEveryLengthAroundTheShortPath() {
        var w = ReplyWriter()
        var expected: [UInt8] = []
        for n in [0, 1, 9, 10, 11, 48, 49, 50, 51, 99, 100, 1000] {
            let value = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
            w.bulk(value)
            expected += Array("$\(n)\r\n".utf8) + value + [13, 10]
        }
        XCTAssertEqual(w.bytes, expected)
    }

    func testNestedAggregates() {
        for resp3 in [false, true] {
            var w = ReplyWriter(resp3: resp3)
            w.map(2)
            w.bulk("a"); w.array(2); w.integer(1); w.set(1); w.bulk("x")
            w.bulk("b"); w.map(1); w.bulk("c"); w.push(1); w.double(0.1)
            let expected = resp3
                ? "%2\r\n$1\r\na\r\n*2\r\n:1\r\n~1\r\n$1\r\nx\r\n$1\r\nb\r\n%1\r\n$1\r\nc\r\n>1\r\n,0.1\r\n"
                : "*4\r\n$1\r\na\r\n*2\r\n:1\r\n*1\r\n$1\r\nx\r\n$1\r\nb\r\n*2\r\n$1\r\nc\r\n*1\r\n$3\r\n0.1\r\n"
            XCTAssertEqual(text(w), expected)
        }
    }

    func testBigNumberAndAttribute() {
        var w2 = ReplyWriter(resp3: false)
        w2.bigNumber("1234567999999999999999999999999999999")
        XCTAssertEqual(text(w2), "$37\r\n1234567999999999999999999999999999999\r\n")
        var w3 = ReplyWriter(resp3: true)
        w3.bigNumber("-12345678901234567890")
        w3.attribute(1)
        w3.bulk("k"); w3.integer(1)
        w3.bulk("reply")
        XCTAssertEqual(text(w3), "(-12345678901234567890\r\n|1\r\n$1\r\nk\r\n:1\r\n$5\r\nreply\r\n")
    }

    func testDeferredLengthAndVerbatim() {
        var w = ReplyWriter(resp3: true)
        let mark = w.beginDeferred()
        w.bulk("k"); w.bulk("v")
        w.endDeferred(mark, kind: UInt8(ascii: "%"), count: 1)
        w.verbatim("hello")
        XCTAssertEqual(text(w), "%1\r\n$1\r\nk\r\n$1\r\nv\r\n=9\r\ntxt:hello\r\n")
        var w2 = ReplyWriter(resp3: false)
        let m2 = w2.beginDeferred()
        w2.bulk("k"); w2.bulk("v")
        w2.endDeferred(m2, kind: UInt8(ascii: "%"), count: 1)
        w2.verbatim("hello")
        XCTAssertEqual(text(w2), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n$5\r\nhello\r\n")
    }

    /// Doubles are printed as Redis 7.2 and Valkey 8 print them (d2string); %.17g survives only where Valkey
    /// still uses it (a skiplist's scores in ZSCAN).
    func testDoublesInBothFormsRedisUses() {
        var w2 = ReplyWriter(resp3: false)
        var w3 = ReplyWriter(resp3: true)
        for d in [3.0, 15.0 / 7, 1e15, 1e300, -.infinity] {
            w2.double(d)
            w3.double(d)
        }
        XCTAssertEqual(text(w2), "$1\r\n3\r\n$17\r\n2.142857142857143\r\n$16\r\n1000000000000000\r\n$6\r\n1e+300\r\n$4\r\n-inf\r\n")
        XCTAssertEqual(text(w3), ",3\r\n,2.142857142857143\r\n,1000000000000000\r\n,1e+300\r\n,-inf\r\n")
        XCTAssertEqual(DoubleFormat.human(15.0 / 7), "2.1428571428571428")
        XCTAssertEqual(DoubleFormat.human(1e300), "1.0000000000000001e+300")
        XCTAssertEqual(DoubleFormat.human(-.infinity), "-inf")
        let huge = DoubleFormat.cFormat("%f", -1e308)
        XCTAssertEqual(huge.count, 1 + 309 + 7)
        XCTAssertTrue(huge.hasPrefix("-1000000000000000010979063629440455417404923096773118463368106829"))
        XCTAssertTrue(huge.hasSuffix(".000000"))
    }
}
