import XCTest
import RESP
import CairnEngine
@testable import CairnPersistence

/// The validate-only reader behind cairn-check-rdb and the hardening against hostile lengths.
final class RDBCheckTests: XCTestCase {
    func file(_ body: [UInt8], version: String = "REDIS0011") -> [UInt8] {
        var f = Array(version.utf8) + body + [0xFF]
        f += withUnsafeBytes(of: CRC64.checksum(f).littleEndian, Array.init)
        return f
    }

    func str(_ s: String) -> [UInt8] { [UInt8(s.utf8.count)] + Array(s.utf8) }

    func listpack(_ items: [String]) -> [UInt8] {
        let b = ListpackCodec.Builder()
        for i in items { b.append(Array(i.utf8)) }
        let lp = b.withFinished { Array($0) }
        return [0x40 | UInt8(lp.count >> 8), UInt8(lp.count & 0xFF)] + lp
    }

    /// Every record's outcome with values built and validated only: the two must agree.
    func outcomes(_ bytes: [UInt8], validateOnly: Bool) -> [String] {
        var reader = RDBReader(input: RDBInput(bytes: bytes), settings: EngineSettings())
        reader.validateOnly = validateOnly
        var out: [String] = []
        do {
            try reader.readHeader()
            while let r = try reader.next() {
                switch r {
                case .entry(let e): out.append("entry \(String(decoding: e.key, as: UTF8.self))")
                case .emptyKey(_, let k): out.append("empty \(String(decoding: k, as: UTF8.self))")
                default: out.append("other")
                }
            }
            out.append("ok")
        } catch {
            out.append("error \(error.reason)")
        }
        return out
    }

    func assertSameVerdict(_ body: [UInt8], _ expected: String, file f: StaticString = #filePath, line: UInt = #line) {
        let built = outcomes(file(body), validateOnly: false)
        XCTAssertEqual(outcomes(file(body), validateOnly: true), built, file: f, line: line)
        XCTAssertTrue(built.last!.hasPrefix(expected), "\(built)", file: f, line: line)
    }

    /// Listpack hashes and sets are packed in the reader's scratch; one over this server's listpack limits (a
    /// primary configured with larger ones wrote it) is built the general way and converts, as Redis's loader does.
    func testListpackCollectionsOverTheLimitsConvert() throws {
        var settings = EngineSettings()
        settings.hashMaxListpackEntries = 2
        settings.setMaxListpackEntries = 2
        let body = [RDBType.hashListpack] + str("h") + listpack(["a", "1", "b", "2", "c", "3"])
            + [RDBType.hashListpack] + str("small") + listpack(["a", "1", "b", "22"])
            + [RDBType.setListpack] + str("s") + listpack(["x", "y", "z"])
            + [RDBType.setListpack] + str("t") + listpack(["x", "7"])
        var reader = RDBReader(input: RDBInput(bytes: file(body)), settings: settings)
        try reader.readHeader()
        var values: [String: Value] = [:]
        while let r = try reader.next() {
            if case .entry(let e) = r { values[String(decoding: e.key, as: UTF8.self)] = e.value }
        }
        guard case .hash(let h)? = values["h"], case .hash(let small)? = values["small"],
              case .set(let s)? = values["s"], case .set(let t)? = values["t"] else { return XCTFail("\(values)") }
        XCTAssertFalse(h.isCompact)
        XCTAssertEqual(h.count, 3)
        XCTAssertEqual(Array("c".utf8).withUnsafeBytes { h.get($0) }, Array("3".utf8))
        XCTAssertTrue(small.isCompact)
        XCTAssertEqual(Array("b".utf8).withUnsafeBytes { small.get($0) }, Array("22".utf8))
        XCTAssertEqual(s.encodingName.description, "hashtable")
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(t.encodingName.description, "listpack")
        XCTAssertEqual(t.count, 2)
    }

    func testValidationAgreesWithBuilding() {
        let zset2 = [RDBType.zset2] + str("z") + [2] + str("a") + withUnsafeBytes(of: 1.5, Array.init) + str("b") + withUnsafeBytes(of: 2.0, Array.init)
        assertSameVerdict([RDBType.string] + str("k") + str("v"), "ok")
        assertSameVerdict([RDBType.set] + str("s") + [2] + str("a") + str("b"), "ok")
        assertSameVerdict([RDBType.set] + str("s") + [2] + str("a") + str("a"), "error Duplicate set members")
        assertSameVerdict([RDBType.hash] + str("h") + [2] + str("f") + str("1") + str("f") + str("2"), "error Duplicate hash fields")
        assertSameVerdict(zset2, "ok")
        assertSameVerdict([RDBType.zset2] + str("z") + [1] + str("a") + withUnsafeBytes(of: Double.nan, Array.init), "error Zset with NAN")
        assertSameVerdict([RDBType.setListpack] + str("s") + listpack(["1", "x", "2"]), "ok")
        assertSameVerdict([RDBType.setListpack] + str("s") + listpack(["7", "x", "7"]), "error Duplicate set members")
        assertSameVerdict([RDBType.hashListpack] + str("h") + listpack(["f", "v", "f", "w"]), "error Duplicate hash fields")
        assertSameVerdict([RDBType.hashListpack] + str("h") + listpack(["f", "v", "g"]), "error hash blob with an odd")
        // Integer-encoded fields and values go through the loader's in-place listpack path too.
        assertSameVerdict([RDBType.hashListpack] + str("h") + listpack(["1", "7", "2", "x"]), "ok")
        assertSameVerdict([RDBType.hashListpack] + str("h") + listpack(["12", "x", "12", "y"]), "error Duplicate hash fields")
        assertSameVerdict([RDBType.zsetListpack] + str("z") + listpack(["m", "1.5", "n", "2"]), "ok")
        assertSameVerdict([RDBType.zsetListpack] + str("z") + listpack(["m", "nan"]), "error bad sorted set score")
        assertSameVerdict([RDBType.listQuicklist2] + str("l") + [2] + [2] + listpack(["a", "b"]) + [1] + str("plain"), "ok")
        assertSameVerdict([RDBType.listQuicklist2] + str("l") + [1] + [2] + listpack([]), "ok")
        assertSameVerdict([RDBType.set] + str("s") + [0], "ok")
        XCTAssertEqual(outcomes(file([RDBType.set] + str("s") + [0]), validateOnly: true), ["empty s", "ok"])
    }

    /// The loader's in-place listpack paths refuse a repeated field or member wherever it is and keep every
    /// element otherwise: past a few dozen elements most share a filter bit with an earlier one, and past the
    /// listpack limits the collection converts on the way.
    func testListpackLoadsRefuseEveryRepeatAndKeepEveryElement() throws {
        let b = ValueBuilder(settings: EngineSettings())
        func blob(_ items: [String]) -> [UInt8] {
            let lp = ListpackCodec.Builder()
            for i in items { lp.append(Array(i.utf8)) }
            return lp.withFinished { Array($0) }
        }
        let scratch = PackedScratch()
        func set(_ items: [String]) throws -> Built { try blob(items).withUnsafeBytes { try b.set(listpack: $0, scratch: scratch) } }
        func hash(_ items: [String]) throws -> Built { try blob(items).withUnsafeBytes { try b.hash(listpack: $0, scratch: scratch) } }
        for n in [1, 2, 10, 60, 200] {
            // Integers among them: the listpack stores those as integers and the loader writes their digits.
            let names = (0..<n).map { $0 % 3 == 0 ? "\($0 * 7)" : "member-\($0)" }
            guard case .value(.set(let s)?) = try set(names) else { return XCTFail("set of \(n)") }
            XCTAssertEqual(s.count, n)
            for m in names { XCTAssertTrue(s.contains(Array(m.utf8)), m) }
            let pairs = names.flatMap { [$0, "v-\($0)"] }
            guard case .value(.hash(let h)?) = try hash(pairs) else { return XCTFail("hash of \(n)") }
            XCTAssertEqual(h.count, n)
            for m in names { XCTAssertEqual(Array(m.utf8).withUnsafeBytes { h.get($0) }, Array("v-\(m)".utf8)) }
            for j in stride(from: 0, to: n, by: max(1, n / 7)) {
                for at in [j + 1, n] {
                    var repeated = names
                    repeated.insert(names[j], at: at)
                    guard case .corrupt(let why) = try set(repeated) else { return XCTFail("set \(n) repeating \(j) at \(at)") }
                    XCTAssertEqual(why, "Duplicate set members detected")
                    var repeatedPairs = pairs
                    repeatedPairs.insert(contentsOf: [names[j], "x"], at: 2 * at)
                    guard case .corrupt(let hwhy) = try hash(repeatedPairs) else { return XCTFail("hash \(n) repeating \(j) at \(at)") }
                    XCTAssertEqual(hwhy, "Duplicate hash fields detected")
                }
            }
        }
    }

    /// The checker's verdict is the loader's on damaged files too: the same records, then success or an error
    /// (messages may differ).
    func testValidationAgreesWithBuildingOnMutations() throws {
        let names = ["valkey8/sets.rdb", "valkey8/zsets.rdb", "valkey8/hashes.rdb", "valkey8/lists-compressed.rdb",
                     "valkey8/multidb.rdb", "valkey8/streams.rdb", "valkey-assets/encodings.rdb",
                     "valkey-assets/list-quicklist.rdb", "valkey-assets/zset-ziplist.rdb", "valkey-assets/hash-ziplist.rdb"]
        let files = try names.map(readFixture)
        var x: UInt64 = 7
        func random(_ n: Int) -> Int {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((x >> 33) % UInt64(n))
        }
        for i in 0..<1200 {
            var f = files[i % files.count]
            for _ in 0...random(3) { f[9 + random(f.count - 9)] = UInt8(random(256)) }
            // Zero the checksum so the decoders, not the CRC, meet the damage.
            f.replaceSubrange((f.count - 8)..., with: [UInt8](repeating: 0, count: 8))
            let built = outcomes(f, validateOnly: false).map { $0.hasPrefix("error") ? "error" : $0 }
            let checked = outcomes(f, validateOnly: true).map { $0.hasPrefix("error") ? "error" : $0 }
            XCTAssertEqual(checked, built, "mutation \(i) of \(names[i % files.count])")
        }
    }

    func testDuplicateFinderComparesBytesNotJustHashes() {
        var d = DuplicateFinder()
        for round in 0..<2 {
            d.reset()
            for i in 0..<1000 { Array("member-\(i)".utf8).withUnsafeBytes { d.add($0) } }
            XCTAssertFalse(d.hasDuplicate(), "round \(round)")
            d.add(int: 17)
            Array("17".utf8).withUnsafeBytes { d.add($0) }
            XCTAssertTrue(d.hasDuplicate())
        }
    }

    func testAbsurdLengthsFailWithoutReadingOrAllocating() {
        let big: [UInt8] = [0x81] + withUnsafeBytes(of: (UInt64(1) << 60).bigEndian, Array.init)
        for validateOnly in [false, true] {
            let s = outcomes(file([RDBType.string] + str("k") + big + Array("abc".utf8)), validateOnly: validateOnly)
            XCTAssertTrue(s.last!.contains("bytes needed"), "\(s)")
            let l = outcomes(file([RDBType.list] + str("k") + [0x80, 0x7F, 0xFF, 0xFF, 0xFF] + str("a")), validateOnly: validateOnly)
            XCTAssertTrue(l.last!.contains("exceeds the"), "\(l)")
            // LZF: a declared output far beyond what the compressed bytes can expand to.
            let lzf = outcomes(file([RDBType.string] + str("k") + [0xC3, 4, 0x80, 0xFF, 0xFF, 0xFF, 0xFF] + [3] + Array("abcd".utf8)), validateOnly: validateOnly)
            XCTAssertTrue(lzf.last!.contains("LZF string length out of range"), "\(lzf)")
        }
    }

    func testRunawayListpackBackLength() {
        // An entry whose back length has the continuation bit on every byte down to the header.
        let blob: [UInt8] = [15, 0, 0, 0, 1, 0, 0x81, 0x61, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0xFF]
        XCTAssertThrowsError(try blob.withUnsafeBytes { try ListpackCodec.decode($0) })
        XCTAssertEqual(blob.withUnsafeBytes { ListpackCodec.decodeBacklen($0, end: 13) }, -1)
    }

    func testCRCSlicingMatchesBytewise() {
        var x: UInt64 = 42
        let data = (0..<4099).map { _ -> UInt8 in
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: x >> 56)
        }
        var bytewise: UInt64 = 0
        for b in data { bytewise = CRC64.tables[Int(UInt8(truncatingIfNeeded: bytewise) ^ b)] ^ (bytewise >> 8) }
        XCTAssertEqual(CRC64.checksum(data), bytewise)
        for cut in [0, 1, 7, 15, 16, 17, 1000] {
            let split = data[cut...].withUnsafeBytes { CRC64.update(CRC64.checksum(Array(data[..<cut])), $0) }
            XCTAssertEqual(split, bytewise, "cut at \(cut)")
        }
    }

    func testLZFOverlappingPeriods() throws {
        for period in [1, 2, 3, 5, 16, 17, 69] {
            let s = (0..<2000).map { UInt8(truncatingIfNeeded: ($0 % period) &* 37 &+ 1) }
            let packed = try XCTUnwrap(s.withUnsafeBytes { LZF.compress($0, limit: s.count - 4) })
            XCTAssertEqual(try packed.withUnsafeBytes { try LZF.decompress($0, length: s.count) }, s, "period \(period)")
        }
    }

    func testCheckReportCountsPerDatabase() {
        let body: [UInt8] = [0xFA] + str("redis-ver") + str("7.2.0") + [0xFE, 0] + [RDBType.string] + str("a") + str("1")
            + [0xFC] + withUnsafeBytes(of: Int64(1000).littleEndian, Array.init) + [RDBType.string] + str("b") + str("2")
            + [0xFE, 3] + [RDBType.string] + str("c") + str("3")
        var lines: [String] = []
        let report = RDBCheck(input: RDBInput(bytes: file(body)), now: 5000, emit: { lines.append($0) }).run(name: "x")
        XCTAssertNil(report.error)
        XCTAssertEqual(report.keys, 3)
        XCTAssertEqual(report.expires, 1)
        XCTAssertEqual(report.alreadyExpired, 1)
        XCTAssertEqual(report.perDB[0], RDBCheck.DBCounts(keys: 2, expires: 1))
        XCTAssertEqual(report.perDB[3], RDBCheck.DBCounts(keys: 1, expires: 0))
        XCTAssertTrue(lines.contains("[info] RDB version 11 (REDIS dialect)"), "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasSuffix("AUX FIELD redis-ver = '7.2.0'") }, "\(lines)")
        XCTAssertTrue(lines.contains("[info] db 3: 1 keys, 0 expires"))
    }

    func testCheckReportNamesKeyAndType() {
        let body: [UInt8] = [RDBType.setListpack] + str("bad") + listpack(["a", "a"])
        var lines: [String] = []
        let report = RDBCheck(input: RDBInput(bytes: file(body)), now: 0, emit: { lines.append($0) }).run(name: "x")
        XCTAssertEqual(report.error?.key, Array("bad".utf8))
        XCTAssertEqual(report.errorType, RDBType.setListpack)
        XCTAssertTrue(lines.contains("[additional info] Reading key 'bad'"), "\(lines)")
        XCTAssertTrue(lines.contains("[additional info] Reading type 20 (set-listpack)"), "\(lines)")
    }
}
