import XCTest
import CairnEngine
@testable import CairnPersistence

/// The shared fixtures sit beside the clone: ../shared/fixtures.
let fixturesRoot: String = {
    var parts = #filePath.split(separator: "/").map(String.init)
    parts.removeLast(3)
    return "/" + parts.joined(separator: "/") + "/../shared/fixtures"
}()

func readFixture(_ path: String) throws -> [UInt8] {
    let data = try Data(contentsOf: URL(fileURLWithPath: fixturesRoot + "/" + path))
    return [UInt8](data)
}

func hexBytes(_ s: String) -> [UInt8] {
    let digits = s.filter { !$0.isWhitespace }
    var out: [UInt8] = []
    var i = digits.startIndex
    while i < digits.endIndex {
        let j = digits.index(i, offsetBy: 2)
        out.append(UInt8(digits[i..<j], radix: 16)!)
        i = j
    }
    return out
}

final class CRC64Tests: XCTestCase {
    func testCheckValues() {
        XCTAssertEqual(CRC64.checksum(Array("123456789".utf8)), 0xE9C6_D914_C4B8_D9CA)
        let lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum."
        XCTAssertEqual(CRC64.checksum(Array(lorem.utf8) + [0]), 14_373_597_793_578_550_195)
    }

    func testIncremental() {
        let a = Array("hello ".utf8), b = Array("world".utf8)
        let split = b.withUnsafeBytes { CRC64.update(CRC64.checksum(a), $0) }
        XCTAssertEqual(split, CRC64.checksum(a + b))
    }

    func testFixtureTrailers() throws {
        for name in ["strings", "lists", "sets", "hashes", "zsets", "multidb", "streams"] {
            let file = try readFixture("valkey8/\(name).rdb")
            let stored = file.suffix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
            XCTAssertEqual(CRC64.checksum(Array(file.dropLast(8))), stored, name)
        }
    }
}

final class LZFTests: XCTestCase {
    func testSpecExample() throws {
        let packed = hexBytes("01 61 61 e0 25 00 01 61 61")
        let out = try packed.withUnsafeBytes { try LZF.decompress($0, length: 50) }
        XCTAssertEqual(out, [UInt8](repeating: 0x61, count: 50))
    }

    func testRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        let samples: [[UInt8]] = [
            [UInt8](repeating: 7, count: 1000),
            Array(String(repeating: "compress-me-", count: 300).utf8),
            (0..<5000).map { UInt8(truncatingIfNeeded: $0 % 251) },
            (0..<3000).map { _ in UInt8.random(in: 0...3, using: &rng) },
        ]
        for s in samples {
            let packed = try XCTUnwrap(s.withUnsafeBytes { LZF.compress($0, limit: s.count - 4) })
            XCTAssertLessThan(packed.count, s.count)
            XCTAssertEqual(try packed.withUnsafeBytes { try LZF.decompress($0, length: s.count) }, s)
        }
    }

    /// Hand-made tokens: a literal run of every length (1...32) and a back reference of every length up to 40
    /// at distances on both sides of it, each checked against the bytes it must produce.
    func testEveryRunAndReferenceLength() throws {
        let alphabet = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 5) }
        for run in 1...32 {
            let literal = Array(alphabet[..<run])
            let packed = [UInt8(run - 1)] + literal
            XCTAssertEqual(try packed.withUnsafeBytes { try LZF.decompress($0, length: run) }, literal, "run \(run)")
            for back in [1, 2, 7, 8, 16, 17, run] where back <= run {
                for length in 3...40 {
                    let code = length - 2
                    let reference: [UInt8] = code < 7
                        ? [UInt8(code << 5 | (back - 1) >> 8), UInt8((back - 1) & 0xFF)]
                        : [UInt8(7 << 5 | (back - 1) >> 8), UInt8(code - 7), UInt8((back - 1) & 0xFF)]
                    var expected = literal
                    for _ in 0..<length { expected.append(expected[expected.count - back]) }
                    let out = try (packed + reference).withUnsafeBytes { try LZF.decompress($0, length: run + length) }
                    XCTAssertEqual(out, expected, "run \(run), back \(back), length \(length)")
                }
            }
        }
    }

    /// A snapshot reuses one compressor (its table and output buffer) for every string: each result must be
    /// what a fresh one gives, including after a refusal and after a larger input grew the buffer.
    func testReusedCompressorMatchesFresh() throws {
        let shared = LZF.Compressor()
        var rng = SystemRandomNumberGenerator()
        for i in 0..<2000 {
            let s: [UInt8] = i % 7 == 3
                ? (0..<(21 + i % 300)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                : Array("value-\(i)-\(String(repeating: "x", count: i % 400))".utf8)
            let reused = s.withUnsafeBytes { shared.compress($0, limit: $0.count - 4).map { Array($0) } }
            let fresh = s.withUnsafeBytes { LZF.compress($0, limit: $0.count - 4) }
            XCTAssertEqual(reused, fresh, "input \(i)")
            if let reused {
                XCTAssertEqual(try reused.withUnsafeBytes { try LZF.decompress($0, length: s.count) }, s)
            }
        }
    }

    /// Matches are extended eight bytes at a time: a repeat that breaks off at every offset (inside a word, on
    /// its boundary, near the 264-byte cap and the input's end) must come back exact.
    func testMatchesEndingAtEveryOffset() throws {
        let period = Array("abcdefghij0123456789".utf8)
        for matched in 3...300 {
            for tail in [0, 1, 2, 7, 8, 9] {
                var s = period
                while s.count < period.count + matched { s.append(s[s.count - period.count]) }
                s.append(0xFF)
                s += (0..<tail).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 200) }
                let packed = try XCTUnwrap(s.withUnsafeBytes { LZF.compress($0, limit: s.count + 16) }, "match \(matched)")
                XCTAssertEqual(try packed.withUnsafeBytes { try LZF.decompress($0, length: s.count) }, s,
                               "match \(matched), tail \(tail)")
            }
        }
    }

    func testIncompressibleIsRefused() {
        let random = (0..<200).map { _ in UInt8.random(in: 0...255) }
        XCTAssertNil(random.withUnsafeBytes { LZF.compress($0, limit: random.count - 4) })
    }

    func testCorruptInput() {
        let cases: [([UInt8], Int)] = [
            (hexBytes("05 61 61"), 6),             // literal past the input end
            (hexBytes("20 05"), 10),               // back reference before the start
            (hexBytes("01 61 61 e0"), 50),         // input ends inside a back reference
            (hexBytes("01 61 61 e0 25 00"), 10),   // output overflow
            (hexBytes("01 61 61"), 3),             // shorter than declared
        ]
        for (input, len) in cases {
            XCTAssertThrowsError(try input.withUnsafeBytes { try LZF.decompress($0, length: len) })
        }
        for _ in 0..<2000 {
            let junk = (0..<Int.random(in: 0...40)).map { _ in UInt8.random(in: 0...255) }
            _ = try? junk.withUnsafeBytes { try LZF.decompress($0, length: Int.random(in: 0...100)) }
        }
    }
}

final class CompactEncodingTests: XCTestCase {
    let listpackExample = hexBytes("1c 00 00 00 05 00 81 61 02 85 68 65 6c 6c 6f 06 64 01 f1 78 ec 03 f2 40 42 0f 04 ff")

    func testListpackRead() throws {
        let items = try listpackExample.withUnsafeBytes { try ListpackCodec.decode($0) }
        XCTAssertEqual(items, [.string(Array("a".utf8)), .string(Array("hello".utf8)), .int(100), .int(-5000), .int(1_000_000)])
    }

    func testListpackWriteMatchesRedis() {
        let b = ListpackCodec.Builder()
        for s in ["a", "hello", "100", "-5000", "1000000"] { b.append(Array(s.utf8)) }
        XCTAssertEqual(b.withFinished { Array($0) }, listpackExample)
    }

    func testListpackRoundTripAllEncodings() throws {
        let values: [[UInt8]] = ["0", "127", "128", "-1", "4095", "-4096", "32767", "-32768", "8388607", "-8388608",
                                 "2147483647", "-2147483648", "9223372036854775807", "-9223372036854775808", "007",
                                 "", String(repeating: "x", count: 63), String(repeating: "y", count: 64),
                                 String(repeating: "z", count: 4095), String(repeating: "w", count: 4096),
                                 String(repeating: "v", count: 20000)].map { Array($0.utf8) }
        let b = ListpackCodec.Builder()
        for v in values { b.append(v) }
        let items = try b.withFinished { Array($0) }.withUnsafeBytes { try ListpackCodec.decode($0) }
        XCTAssertEqual(items.map(\.bytes), values)
    }

    /// The builder stores an element as an integer exactly when it is a canonical 64-bit integer's text (what
    /// lpAppend does), refusing most strings on their first byte; strings shorter than 64 bytes take the 6-bit
    /// header and a one-byte back length.
    func testListpackBuilderIntegersAndShortStrings() throws {
        let ints = ["0", "-1", "7", "-4096", "9223372036854775807", "-9223372036854775808"]
        let strings = ["", "-", "+5", " 5", "05", "-0", "1a", "a1", "9223372036854775808", "-9223372036854775809",
                       "123456789012345678901", String(repeating: "s", count: 63)]
        let b = ListpackCodec.Builder()
        for e in ints + strings { b.append(Array(e.utf8)) }
        let items = try b.withFinished { Array($0) }.withUnsafeBytes { try ListpackCodec.decode($0) }
        XCTAssertEqual(items, ints.map { .int(Int64($0)!) } + strings.map { .string(Array($0.utf8)) })
        b.reset()
        b.append(Array(String(repeating: "s", count: 63).utf8))
        b.append([])
        let lp = b.withFinished { Array($0) }
        XCTAssertEqual(Array(lp[6..<7]), [0x80 | 63])
        XCTAssertEqual(Array(lp[(6 + 64)..<(6 + 67)]), [64, 0x80, 1])
        XCTAssertEqual(lp.count, 6 + 65 + 2 + 1)
    }

    /// A writer reuses one builder for every value: after `reset` it builds exactly what a fresh one does, and a
    /// value past the buffer's first size grows it without losing what was built.
    func testListpackBuilderReusedAfterReset() {
        let b = ListpackCodec.Builder()
        let items = ["big", String(repeating: "q", count: 300), String(repeating: "r", count: 9000), "7"].map { Array($0.utf8) }
        for e in items { b.append(e) }
        let big = b.withFinished { Array($0) }
        XCTAssertEqual(try big.withUnsafeBytes { try ListpackCodec.decode($0) }.map(\.bytes), items)
        b.reset()
        for s in ["a", "hello", "100", "-5000", "1000000"] { b.append(Array(s.utf8)) }
        XCTAssertEqual(b.withFinished { Array($0) }, listpackExample)
        XCTAssertEqual(b.withFinished { Array($0) }, listpackExample)
    }

    func testListpackCorrupt() {
        var bad = listpackExample
        bad[0] = 0x1d
        XCTAssertThrowsError(try bad.withUnsafeBytes { try ListpackCodec.decode($0) })
        bad = listpackExample
        bad[8] = 0x05  // wrong back-length
        XCTAssertThrowsError(try bad.withUnsafeBytes { try ListpackCodec.decode($0) })
        bad = listpackExample
        bad[4] = 0x04  // wrong count
        XCTAssertThrowsError(try bad.withUnsafeBytes { try ListpackCodec.decode($0) })
        for _ in 0..<3000 {
            var m = listpackExample
            m[Int.random(in: 0..<m.count)] = UInt8.random(in: 0...255)
            _ = try? m.withUnsafeBytes { try ListpackCodec.decode($0) }
        }
    }

    func testZiplist() throws {
        let zl = hexBytes("0f 00 00 00 0c 00 00 00 02 00 00 f3 02 f6 ff")
        XCTAssertEqual(try zl.withUnsafeBytes { try ZiplistCodec.decode($0) }, [.int(2), .int(5)])
        var bad = zl
        bad[4] = 0x0a
        XCTAssertThrowsError(try bad.withUnsafeBytes { try ZiplistCodec.decode($0) })
    }

    /// What the builder writes reads back, across the 1/2/5-byte length and 1/5-byte prevlen encodings.
    func testZiplistBuilderRoundTrip() throws {
        let elements: [[UInt8]] = [[], Array("a".utf8), [UInt8](repeating: 7, count: 63), [UInt8](repeating: 8, count: 64),
                                   [UInt8](repeating: 9, count: 300), [UInt8](repeating: 1, count: 16384), Array("12".utf8)]
        var b = ZiplistBuilder()
        for e in elements { e.withUnsafeBytes { b.append($0) } }
        let zl = b.finish()
        XCTAssertEqual(try zl.withUnsafeBytes { try ZiplistCodec.decode($0) }, elements.map { .string($0) })
        var empty = ZiplistBuilder()
        XCTAssertEqual(try empty.finish().withUnsafeBytes { try ZiplistCodec.decode($0) }, [])
    }

    func testZipmap() throws {
        let zm = hexBytes("02 02 66 31 02 00 76 31 02 66 32 02 00 76 32 ff")
        XCTAssertEqual(try zm.withUnsafeBytes { try ZipmapCodec.decode($0) }, ["f1", "v1", "f2", "v2"].map { Array($0.utf8) })
        XCTAssertThrowsError(try hexBytes("00 ff").withUnsafeBytes { try ZipmapCodec.decode($0) })
    }

    func testIntset() throws {
        let example = hexBytes("04 00 00 00 03 00 00 00 fd ff ff ff 05 00 00 00 70 11 01 00")
        XCTAssertEqual(try example.withUnsafeBytes { try IntsetCodec.decode($0) }, [-3, 5, 70000])
        XCTAssertEqual(IntsetCodec.encode([-3, 5, 70000]), example)
        XCTAssertEqual(IntsetCodec.encode([1, 2]).prefix(4), [2, 0, 0, 0])
        XCTAssertEqual(IntsetCodec.encode([1, Int64.max]).prefix(4), [8, 0, 0, 0])
        var unsorted = example
        unsorted.replaceSubrange(8..<12, with: [6, 0, 0, 0])
        XCTAssertThrowsError(try unsorted.withUnsafeBytes { try IntsetCodec.decode($0) })
        XCTAssertThrowsError(try hexBytes("02 00 00 00 00 00 00 00").withUnsafeBytes { try IntsetCodec.decode($0) })
    }
}
