import XCTest
import RESP
import CairnEngine
@testable import CairnPersistence

/// Bytes of a fixture's latin-1 string: each code point is one byte.
func latin1(_ s: String) -> [UInt8] { s.unicodeScalars.map { UInt8($0.value) } }

func loadEngine(_ bytes: [UInt8], dropExpired: Bool = false) throws -> (Engine, RDBLoadSummary) {
    let engine = Engine()
    let summary = try RDBLoader.load(RDBInput(bytes: bytes), into: engine, dropExpired: dropExpired)
    return (engine, summary)
}

/// Compares every key of an engine with a fixture's expected.json.
func assertMatches(_ engine: Engine, expected path: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixturesRoot + "/" + path))) as! [[String: Any]]
    var total = 0
    for item in json {
        let db = item["db"] as! Int
        let key = latin1(item["key"] as! String)
        let name = "\(path) key \(item["key"] as! String)"
        guard let (value, expireAt) = key.withUnsafeBytes({ engine.dbs[db].keys.lookup($0) }) else {
            XCTFail("\(name) missing", file: file, line: line)
            continue
        }
        total += 1
        XCTAssertEqual(value.typeName.description, item["type"] as? String, name, file: file, line: line)
        XCTAssertEqual(value.encodingName.description, item["encoding"] as? String, name, file: file, line: line)
        XCTAssertEqual(expireAt, (item["expire_at_ms"] as? Int).map(Int64.init) ?? -1, name, file: file, line: line)
        switch value {
        case .int, .short, .bytes, .rawBytes:
            XCTAssertEqual(value.stringBytes, latin1(item["value"] as! String), name, file: file, line: line)
        case .list(let l):
            var got: [[UInt8]] = []
            l.forEach { got.append(Array($0)) }
            XCTAssertEqual(got, (item["value"] as! [String]).map(latin1), name, file: file, line: line)
        case .set(let s):
            XCTAssertEqual(Set(s.members), Set((item["value"] as! [String]).map(latin1)), name, file: file, line: line)
        case .hash(let h):
            var got: [[UInt8]: [UInt8]] = [:]
            h.forEach { got[$0] = $1 }
            var want: [[UInt8]: [UInt8]] = [:]
            for (k, v) in item["value"] as! [String: String] { want[latin1(k)] = latin1(v) }
            XCTAssertEqual(got, want, name, file: file, line: line)
        case .zset(let z):
            var got: [[UInt8]: Double] = [:]
            z.forEach { got[$0.member] = $0.score }
            var want: [[UInt8]: Double] = [:]
            for pair in item["value"] as! [[String]] { want[latin1(pair[0])] = Double(pair[1])! }
            XCTAssertEqual(got, want, name, file: file, line: line)
        case .stream(let st):
            assertStream(st, item, name, file: file, line: line)
        }
    }
    XCTAssertEqual(engine.dbs.reduce(0) { $0 + $1.count }, total, "\(path): key count", file: file, line: line)
}

/// A stream against the expected.json form: entries, metadata, groups with their PEL and consumers.
func assertStream(_ st: StreamValue, _ item: [String: Any], _ name: String, file: StaticString, line: UInt) {
    var got: [[String]] = []
    st.forEach { id, e in
        var row = [id.text]
        e.forEachPair { f, v in row += [String(decoding: f, as: UTF8.self), String(decoding: v, as: UTF8.self)] }
        got.append(row)
        return true
    }
    let want = (item["value"] as! [[Any]]).map { pair -> [String] in
        let fields = (pair[1] as! [String: String]).sorted { $0.key < $1.key }
        return [pair[0] as! String] + fields.flatMap { [$0.key, $0.value] }
    }
    // The expected file keeps fields in a dictionary: compare each entry's pairs in sorted order.
    let sortedGot = got.map { row -> [String] in
        let pairs = stride(from: 1, to: row.count, by: 2).map { (row[$0], row[$0 + 1]) }.sorted { $0.0 < $1.0 }
        return [row[0]] + pairs.flatMap { [$0.0, $0.1] }
    }
    XCTAssertEqual(sortedGot, want, name, file: file, line: line)
    XCTAssertEqual(st.lastID.text, item["last-generated-id"] as? String, name, file: file, line: line)
    XCTAssertEqual(st.entriesAdded, Int64(item["entries-added"] as! Int), name, file: file, line: line)
    XCTAssertEqual(st.maxDeletedID.text, item["max-deleted-entry-id"] as? String, name, file: file, line: line)
    let groups = item["groups"] as! [[String: Any]]
    XCTAssertEqual(st.sortedGroups.map { String(decoding: $0.name, as: UTF8.self) }, groups.map { $0["name"] as! String }, name, file: file, line: line)
    for (g, want) in zip(st.sortedGroups.map(\.group), groups) {
        XCTAssertEqual(g.lastID.text, want["last-delivered-id"] as? String, name, file: file, line: line)
        XCTAssertEqual(g.entriesRead, (want["entries-read"] as? Int).map(Int64.init) ?? StreamGroup.invalidEntriesRead, name, file: file, line: line)
        XCTAssertEqual(g.pending.count, want["pending"] as? Int, name, file: file, line: line)
        let consumers = g.sortedConsumers.map { [String(decoding: $0.name, as: UTF8.self), String($0.pending.count)] }
        let wantConsumers = (want["consumers"] as! [[Any]]).map { [$0[0] as! String, String($0[1] as! Int)] }
        XCTAssertEqual(consumers, wantConsumers, name, file: file, line: line)
    }
}

final class RDBFixtureTests: XCTestCase {
    let valkey8 = ["strings", "strings-nocompress", "strings-nochecksum", "lists", "lists-compressed", "sets",
                   "hashes", "zsets", "multidb", "streams"]

    func testValkey8Fixtures() throws {
        for name in valkey8 {
            let (engine, summary) = try loadEngine(try readFixture("valkey8/\(name).rdb"))
            XCTAssertEqual(summary.version, 11)
            XCTAssertEqual(summary.producer?.name, "valkey")
            try assertMatches(engine, expected: "valkey8/\(name).expected.json")
        }
    }

    func testStreamFixtureKeepsTimesAndTombstones() throws {
        let (engine, _) = try loadEngine(try readFixture("valkey8/streams.rdb"))
        guard case .stream(let st)? = Array("st".utf8).withUnsafeBytes({ engine.dbs[0].keys.lookup($0)?.0 }) else {
            return XCTFail("st is not a stream")
        }
        let g = st.groups[Array("grp".utf8)]!
        g.pending.forEach { _, nack in
            XCTAssertGreaterThan(nack.deliveryTime, 0)
            XCTAssertGreaterThanOrEqual(nack.deliveryCount, 1)
            return true
        }
        for c in g.sortedConsumers { XCTAssertGreaterThan(c.activeTime, 0) }
        XCTAssertGreaterThan(st.nodes.reduce(0) { $0 + $1.deleted }, 0)
    }

    func testCorruptStreamsAreRefused() throws {
        let file = try readFixture("valkey8/streams.rdb")
        for cut in stride(from: 0, to: file.count, by: 13) {
            XCTAssertThrowsError(try loadEngine(Array(file.prefix(cut))))
        }
        for _ in 0..<300 {
            var f = file
            for _ in 0..<Int.random(in: 1...3) { f[Int.random(in: 9..<f.count)] = UInt8.random(in: 0...255) }
            f.replaceSubrange((f.count - 8)..., with: [UInt8](repeating: 0, count: 8))
            _ = try? loadEngine(f)
        }
    }

    func testBitFlipFailsChecksum() throws {
        var file = try readFixture("valkey8/multidb.rdb")
        // A flipped bit inside a string value only the checksum can catch.
        let at = file.count / 2
        file[at] ^= 0x01
        XCTAssertThrowsError(try loadEngine(file))
    }

    func testTruncatedFilesFailCleanly() throws {
        let file = try readFixture("valkey8/lists.rdb")
        for cut in stride(from: 0, to: file.count, by: 97) {
            XCTAssertThrowsError(try loadEngine(Array(file.prefix(cut)))) { error in
                XCTAssertTrue(error is RDBError)
            }
        }
    }

    func testRandomMutationsNeverCrash() throws {
        let files = try ["valkey8/sets.rdb", "valkey8/zsets.rdb", "valkey8/hashes.rdb", "valkey-assets/encodings.rdb"].map(readFixture)
        for _ in 0..<400 {
            var f = files.randomElement()!
            for _ in 0..<Int.random(in: 1...4) { f[Int.random(in: 9..<f.count)] = UInt8.random(in: 0...255) }
            // Zero the checksum so the decoders, not the CRC, meet the damage.
            f.replaceSubrange((f.count - 8)..., with: [UInt8](repeating: 0, count: 8))
            _ = try? loadEngine(f)
        }
    }

    func testLegacyAssets() throws {
        let (zipmap, _) = try loadEngine(try readFixture("valkey-assets/hash-zipmap.rdb"))
        XCTAssertEqual(zipmap.dbs[0].count, 1)
        let (ziplist, _) = try loadEngine(try readFixture("valkey-assets/hash-ziplist.rdb"))
        XCTAssertEqual(ziplist.dbs[0].count, 1)
        let (quicklist, _) = try loadEngine(try readFixture("valkey-assets/list-quicklist.rdb"))
        XCTAssertEqual(quicklist.dbs[0].count, 2)
        let (zset, _) = try loadEngine(try readFixture("valkey-assets/zset-ziplist.rdb"))
        XCTAssertEqual(zset.dbs[0].count, 1)
        let (encodings, _) = try loadEngine(try readFixture("valkey-assets/encodings.rdb"))
        XCTAssertGreaterThan(encodings.dbs[0].count, 10)
        let (scripts, _) = try loadEngine(try readFixture("valkey-assets/scriptbackup.rdb"))
        XCTAssertEqual(scripts.persistedScripts.count, 1)
    }

    func testCorruptAssetsAreRefused() throws {
        for name in ["corrupt_ziplist.rdb", "corrupt_empty_keys.rdb"] {
            do {
                let (engine, summary) = try loadEngine(try readFixture("valkey-assets/\(name)"))
                // Empty keys are skipped rather than loaded, as Valkey does.
                XCTAssertEqual(engine.dbs[0].count, summary.keysLoaded, name)
            } catch {
                XCTAssertTrue(error is RDBError, name)
            }
        }
    }

    func testExpiredKeysAreDroppedAtLoad() throws {
        let (engine, summary) = try loadEngine(try readFixture("valkey8/multidb.rdb"), dropExpired: true)
        XCTAssertEqual(engine.dbs.reduce(0) { $0 + $1.count } + summary.expiredSkipped, 12)
    }
}
