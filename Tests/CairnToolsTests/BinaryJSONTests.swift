import XCTest
@testable import CairnTools

final class BinaryJSONTests: XCTestCase {
    func encode(_ b: [UInt8]) -> String {
        var out: [UInt8] = []
        BinaryJSON.appendString(b, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func testPlainAndEscapedText() {
        XCTAssertEqual(encode(Array("abc".utf8)), "\"abc\"")
        XCTAssertEqual(encode(Array("a\"b\\c\n\r\t\u{1}".utf8)), "\"a\\\"b\\\\c\\n\\r\\t\\u0001\"")
        XCTAssertEqual(encode(Array("héllo €😀".utf8)), "\"héllo €😀\"")
    }

    func testInvalidUTF8BecomesSurrogateEscapes() {
        XCTAssertEqual(encode([0xFF, 0x41, 0x80]), "\"\\udcffA\\udc80\"")
        // overlong, surrogate code point, truncated sequence, beyond U+10FFFF
        XCTAssertEqual(encode([0xC0, 0xAF]), "\"\\udcc0\\udcaf\"")
        XCTAssertEqual(encode([0xED, 0xA0, 0x80]), "\"\\udced\\udca0\\udc80\"")
        XCTAssertEqual(encode([0xE2, 0x82]), "\"\\udce2\\udc82\"")
        XCTAssertEqual(encode([0xF4, 0x90, 0x80, 0x80]), "\"\\udcf4\\udc90\\udc80\\udc80\"")
    }

    func testEveryByteStringRoundTrips() throws {
        var rng = SystemRandomNumberGenerator()
        var samples: [[UInt8]] = [Array(0...255), [], [0], Array("plain".utf8)]
        for _ in 0..<500 { samples.append((0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        for s in samples {
            var out: [UInt8] = []
            BinaryJSON.appendString(s, to: &out)
            XCTAssertEqual(try JSONParser.parse(out).bytes, s)
        }
    }

    func testParserRejectsHostileInput() {
        for bad in ["", "{", "[1,", "\"abc", "{\"a\" 1}", "tru", "\"\\ud800\"", "[1] x", String(repeating: "[", count: 10_000)] {
            XCTAssertThrowsError(try JSONParser.parse(Array(bad.utf8)), bad)
        }
        XCTAssertEqual(try JSONParser.parse(Array("\"\\ud83d\\ude00\"".utf8)).bytes, Array("😀".utf8))
    }
}
