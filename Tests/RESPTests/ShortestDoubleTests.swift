import XCTest
@testable import RESP

/// The expected texts were printed by Valkey 8's fpconv_dtoa for the same bit patterns (a 3-million-value run
/// of random, subnormal, near-power-of-two and integral doubles matched it everywhere).
final class ShortestDoubleTests: XCTestCase {
    private func plain(_ d: Double) -> String { ShortestDouble.string(d, .plain) }
    private func reply(_ d: Double) -> String { ShortestDouble.string(d, .reply) }

    func testMatchesValkeyWhereShortestDigitsWouldNot() {
        // Grisu2 gives one digit more than necessary, or a neighbouring last digit, for these.
        let cases: [(UInt64, String)] = [
            (0xc35046538c241740, "-18323697099103488"),
            (0x8a70000000000003, "-2.0812474159298987e-258"),
            (0xc379331f2c8921b0, "-113489334431259390"),
            (0xc36c70ebb9d86ace, "-64043656683935344"),
            (0x43ad772a915776e4, "1061606276527256100"),
            (0x42e0000000000004, "140737488355328.13"),
            (0x43660401ca9e956a, "49574841828027216"),
            (0x8877a617991989e6, "-7.162306988646769e-268"),
            (0x411d552f7f06d479, "4.805878740494918e+5"),
            (0x41119c43c19b116f, "2.8852893906810036e+5"),
        ]
        for (bits, text) in cases {
            XCTAssertEqual(plain(Double(bitPattern: bits)), text, String(bits, radix: 16))
        }
    }

    func testSubnormalsPowersOfTwoAndIntegers() {
        let cases: [(UInt64, String)] = [
            (0x000f050c368dcc74, "2.088748813112226e-308"),
            (0x800ea9d349428d8e, "-2.0391940004613023e-308"),
            (0x80065079fc5d43ff, "-8.78120024089338e-309"),
            (0x2ce0000000000004, "1.534091707905541e-92"),
            (0x3530000000000000, "1.6704779438076223e-52"),
            (0x0f10000000000002, "3.9313652158185646e-236"),
            (0xc052c00000000000, "-75"),
            (0xc094640000000000, "-1305"),
            (0x420015c424100000, "8635581570"),
            (0xdc1b77ae0bf34dad, "-4.9911105725155504e+135"),
            (0x0000000000000001, "5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
        ]
        for (bits, text) in cases {
            XCTAssertEqual(plain(Double(bitPattern: bits)), text, String(bits, radix: 16))
        }
    }

    func testLayoutRules() {
        XCTAssertEqual(plain(0.1), "0.1")
        XCTAssertEqual(plain(2.0 / 7), "0.2857142857142857")
        XCTAssertEqual(plain(15.0 / 7), "2.142857142857143")
        XCTAssertEqual(plain(0.00001), "0.00001")
        XCTAssertEqual(plain(1.5e-7), "1.5e-7")
        XCTAssertEqual(plain(1e20), "1e+20")
        XCTAssertEqual(plain(1e15), "1e+15")
        XCTAssertEqual(plain(100), "100")
        XCTAssertEqual(plain(1234567), "1234567")
        XCTAssertEqual(plain(1e300), "1e+300")
        XCTAssertEqual(plain(-2.25), "-2.25")
        XCTAssertEqual(plain(0), "0")
        XCTAssertEqual(plain(-0.0), "-0")
        XCTAssertEqual(plain(.infinity), "inf")
        XCTAssertEqual(plain(-.infinity), "-inf")
        XCTAssertEqual(plain(-.nan), "-nan")
    }

    func testReplyFormPrintsIntegersAsRedisDoes() {
        XCTAssertEqual(reply(1e15), "1000000000000000")
        XCTAssertEqual(reply(-3), "-3")
        XCTAssertEqual(reply(4611686018427387904), "4611686018427387904")
        XCTAssertEqual(reply(4611686018427387904 + 1024), "4611686018427389000")
        XCTAssertEqual(reply(1e20), "1e+20")
        XCTAssertEqual(reply(-0.0), "-0")
        XCTAssertEqual(reply(-.nan), "nan")
        XCTAssertEqual(reply(15.0 / 7), "2.142857142857143")
        XCTAssertEqual(ShortestDouble.integral(-4611686018427387904), Int64.min / 2)
        XCTAssertNil(ShortestDouble.integral(0.5))
        XCTAssertNil(ShortestDouble.integral(.infinity))
    }

    func testEveryTextReadsBackToTheSameDouble() {
        var state: UInt64 = 0x2545F4914F6CDD1D
        for _ in 0..<20000 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let d = Double(bitPattern: state)
            guard d.isFinite else { continue }
            XCTAssertEqual(Double(plain(d)), d, String(state, radix: 16))
        }
    }
}
