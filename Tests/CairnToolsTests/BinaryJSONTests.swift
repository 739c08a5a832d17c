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

    /// Long strings cross the escaper's stack buffer and its long-run copies; each must read back exactly.
    func testLongMixedStringsRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        let prose = Array("the quick brown fox jumps over the lazy dog; ".utf8)
        for _ in 0..<200 {
            var s: [UInt8] = []
            for _ in 0..<Int.random(in: 1...30, using: &rng) {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: s += prose.prefix(Int.random(in: 0...prose.count, using: &rng))
                case 1: s += (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                case 2: s += Array("é€😀\"\\\n".utf8)
                default: s += [UInt8](repeating: UInt8.random(in: 0...0x1F, using: &rng), count: Int.random(in: 1...80, using: &rng))
                }
            }
            var out: [UInt8] = []
            BinaryJSON.appendString(s, to: &out)
            XCTAssertEqual(try JSONParser.parse(out).bytes, s)
        }
    }

    /// The word-at-a-time escaper must write exactly what one byte at a time writes (a valid sequence as it is,
    /// every other byte by its table entry), at every length and for any piece `from..<stop` of a string.
    func testEscapeMatchesByteAtATime() {
        func reference(_ s: [UInt8], _ from: Int, _ stop: Int) -> (Int, [UInt8]) {
            var out: [UInt8] = []
            var i = from
            s.withUnsafeBytes { p in
                while i < stop {
                    let k = BinaryJSON.validSequenceLength(p.baseAddress!, i, s.count)
                    if k > 0 {
                        out += s[i..<(i + k)]
                        i += k
                    } else {
                        let e = BinaryJSON.escapes[Int(s[i])]
                        out += (0..<Int((e >> 56) & BinaryJSON.countMask)).map { UInt8(truncatingIfNeeded: e >> (8 * UInt64($0))) }
                        i += 1
                    }
                }
            }
            return (i, out)
        }
        // Bytes at the edges of each class: plain, escaped, continuation, every kind of lead byte.
        let edges: [UInt8] = [0x41, 0x20, 0x22, 0x5C, 0x0A, 0x01, 0x1F, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
                              0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF3, 0xF4, 0xF5, 0xFF]
        var rng = SystemRandomNumberGenerator()
        let room = UnsafeMutableRawPointer.allocate(byteCount: BinaryJSON.maxLength(100), alignment: 16)
        defer { room.deallocate() }
        for round in 0..<20_000 {
            let n = Int.random(in: 0...80, using: &rng)
            let s = (0..<n).map { _ in round % 2 == 0 ? UInt8.random(in: 0...255, using: &rng) : edges.randomElement(using: &rng)! }
            let from = round % 4 < 2 ? 0 : Int.random(in: 0...n, using: &rng)
            let stop = round % 4 < 2 ? n : Int.random(in: from...n, using: &rng)
            let (next, used) = s.withUnsafeBytes { BinaryJSON.escape($0, from, stop, room) }
            let (expectedNext, expected) = reference(s, from, stop)
            XCTAssertEqual(next, expectedNext, "\(s) \(from)..<\(stop)")
            XCTAssertEqual(Array(UnsafeRawBufferPointer(start: room, count: used)), expected, "\(s) \(from)..<\(stop)")
        }
    }

    /// The documented format, derived without the escaper's tables: Swift's own UTF-8 parser splits the bytes
    /// into well-formed scalars (kept, with JSON's escapes) and ill-formed bytes (each one `\udcXX`).
    func independentlyEncoded(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [34]
        let digits = Array("0123456789abcdef".utf8)
        func hex(_ v: UInt8) -> [UInt8] { [digits[Int(v >> 4)], digits[Int(v & 15)]] }
        var parser = Unicode.UTF8.ForwardParser()
        var it = s.makeIterator()
        var at = 0
        loop: while true {
            switch parser.parseScalar(from: &it) {
            case .valid(let e):
                let bytes = Array(e)
                if bytes.count == 1 {
                    let b = bytes[0]
                    switch b {
                    case 34, 92: out += [92, b]
                    case 10: out += Array("\\n".utf8)
                    case 13: out += Array("\\r".utf8)
                    case 9: out += Array("\\t".utf8)
                    case 0..<0x20: out += Array("\\u00".utf8) + hex(b)
                    default: out.append(b)
                    }
                } else {
                    out += bytes
                }
                at += bytes.count
            case .error(let length):
                for b in s[at..<(at + length)] { out += Array("\\udc".utf8) + hex(b) }
                at += length
            case .emptyInput: break loop
            }
        }
        return out + [34]
    }

    func assertEncodesIndependently(_ s: [UInt8], _ what: @autoclosure () -> String, line: UInt = #line) {
        var out: [UInt8] = []
        BinaryJSON.appendString(s, to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), String(decoding: independentlyEncoded(s), as: UTF8.self),
                       "\(what()) \(s)", line: line)
    }

    /// Every byte value at every offset of the first three words, among plain text (the word fast path) and among
    /// bytes that need escaping (the table path), so a word-level shortcut that misreads one byte fails here.
    func testEveryByteAtEveryWordPosition() {
        for filler: UInt8 in [0x61, 0x0A, 0xFF, 0x80] {
            for at in 0..<24 {
                for b in 0...255 {
                    var s = [UInt8](repeating: filler, count: 32)
                    s[at] = UInt8(b)
                    assertEncodesIndependently(s, "byte \(b) at \(at) among \(filler)")
                }
            }
        }
    }

    /// Well-formed sequences of every length and ill-formed ones (overlong, surrogate, above U+10FFFF,
    /// truncated, stray continuation), placed so they straddle every word boundary and the string's end.
    func testSequencesAcrossWordBoundaries() {
        let sequences: [[UInt8]] = [
            [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xE1, 0x80, 0x80], [0xED, 0x9F, 0xBF], [0xEF, 0xBF, 0xBF],
            [0xF0, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xF3, 0xBF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF],
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF, 0x80],
            [0xC2], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xF0, 0x9F, 0x98, 0x41], [0xE2, 0x41, 0x82], [0x80, 0xBF],
            [0xF0, 0x9F, 0x98, 0x80, 0xF0, 0x9F, 0x98, 0x80], [0xC2, 0xC2, 0x80], [0xE2, 0xE2, 0x82, 0xAC],
        ]
        for seq in sequences {
            for filler: UInt8 in [0x61, 0x22, 0xFE] {
                for at in 0..<26 {
                    for length in [at + seq.count, at + seq.count + 3, 40] where length >= at + seq.count {
                        var s = [UInt8](repeating: filler, count: length)
                        s.replaceSubrange(at..<(at + seq.count), with: seq)
                        assertEncodesIndependently(s, "\(seq) at \(at) of \(length)")
                    }
                }
            }
        }
    }

    func testRandomBytesMatchIndependentEncoding() {
        var rng = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [Array("é€😀".utf8), [0xED, 0xA0, 0x80], [0xF0, 0x9F], [0x22, 0x5C], Array("plain text ".utf8)]
        for round in 0..<5_000 {
            var s: [UInt8] = []
            while s.count < round % 90 {
                if Bool.random(using: &rng) { s.append(UInt8.random(in: 0...255, using: &rng)) } else { s += pieces.randomElement(using: &rng)! }
            }
            assertEncodesIndependently(s, "random")
        }
    }

    /// Scores written without a String must be the very text Swift's `description` gives.
    func testDoublesMatchDescription() {
        var rng = SystemRandomNumberGenerator()
        var samples: [Double] = [0, -0.0, 1, -1, 0.5, 1.5, 0.1, 0.2, 0.3, 0.001, 0.0015, 1e-4, 123.456, 999_999_999_999.5,
                                 1e12, 1e15, 1e16, 9_007_199_254_740_993, .pi, -.pi, .leastNormalMagnitude, .greatestFiniteMagnitude,
                                 .ulpOfOne, 1 / 3, 2.675, 1.005, 0.7, 4.35, 100, 1e11 + 0.125]
        for _ in 0..<20_000 {
            samples.append(Double(Int.random(in: -1_000_000...1_000_000, using: &rng)) / [1, 2, 4, 8, 10, 100, 1000, 3, 7][Int.random(in: 0..<9, using: &rng)])
            samples.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng)))
            samples.append(Double.random(in: -1e13...1e13, using: &rng))
        }
        for d in samples where d.isFinite {
            var out: [UInt8] = []
            BinaryJSON.appendDouble(d, to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), d.description)
        }
    }

    func testParserRejectsHostileInput() {
        for bad in ["", "{", "[1,", "\"abc", "{\"a\" 1}", "tru", "\"\\ud800\"", "[1] x", String(repeating: "[", count: 10_000)] {
            XCTAssertThrowsError(try JSONParser.parse(Array(bad.utf8)), bad)
        }
        XCTAssertEqual(try JSONParser.parse(Array("\"\\ud83d\\ude00\"".utf8)).bytes, Array("😀".utf8))
    }
}
