import XCTest
import RESP
import CairnEngine
@testable import CairnPersistence

func record(_ e: Entry, compression: Bool) throws -> [UInt8] {
    let out = RDBOutput()
    try RDBWriter(out: out, options: RDBWriteOptions(compression: compression)).entry(key: e.key, value: e.value, expireAt: e.expireAt)
    return out.buffer
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    let first = needle[0]
    var i = 0
    while i <= haystack.count - needle.count {
        if haystack[i] == first && Array(haystack[i..<(i + needle.count)]) == needle { return true }
        i += 1
    }
    return false
}

final class RDBRoundTripTests: XCTestCase {
    let names = ["strings", "strings-nocompress", "strings-nochecksum", "lists", "lists-compressed", "sets", "hashes",
                 "zsets", "multidb", "streams"]

    /// Calls `body` with each fixture's name and the fixture loaded and saved again, with compression and without.
    func eachResavedFixture(_ body: (_ name: String, _ saved: [UInt8]) throws -> Void) throws {
        for name in names {
            for compression in [true, false] {
                let (engine, _) = try loadEngine(try readFixture("valkey8/\(name).rdb"))
                let out = RDBOutput()
                try Snapshot(of: engine).write(to: out, options: RDBWriteOptions(compression: compression))
                try body(name, out.buffer)
            }
        }
    }

    func testSaveAndReloadEveryFixture() throws {
        try eachResavedFixture { name, saved in
            let (again, summary) = try loadEngine(saved)
            XCTAssertEqual(summary.version, 11)
            try assertMatches(again, expected: "valkey8/\(name).expected.json")
        }
    }

    /// Packed blobs (listpack hashes, sets and sorted sets, quicklist nodes, intsets) are decoded where they lie:
    /// in the input's buffer when they fit it, else copied into the reader's scratch array, and LZF ones in the
    /// inflate buffer. A 64-byte read window sends the larger blobs down the copying path and leaves the small
    /// ones in place, and each must still load as the fixture expects, encodings included.
    func testReloadThroughASmallReadWindow() throws {
        try eachResavedFixture { name, saved in
            let path = NSTemporaryDirectory() + "cairn-window-\(getpid())-\(name).rdb"
            FileManager.default.createFile(atPath: path, contents: Data(saved))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let fd = open(path, O_RDONLY)
            XCTAssertGreaterThanOrEqual(fd, 0)
            defer { close(fd) }
            let again = Engine()
            _ = try RDBLoader.load(RDBInput(fileDescriptor: fd, chunkSize: 64), into: again, dropExpired: false)
            try assertMatches(again, expected: "valkey8/\(name).expected.json")
        }
    }

    /// The image is the keyspace as captured whatever is written afterwards: a write copies any segment the
    /// image still holds, and during an incremental capture first has the capture take the segment it changes.
    /// The image is written on another thread, which waits for the capture that this thread (the event
    /// loop's part) advances one segment at a time between the writes.
    func testSnapshotKeepsTheKeyspaceAsCaptured() throws {
        for incremental in [false, true] {
            let (engine, _) = try loadEngine(try readFixture("valkey8/multidb.rdb"))
            let snapshot = Snapshot(of: engine, incremental: incremental)
            XCTAssertEqual(engine.capturing, incremental)
            let out = RDBOutput()
            let outcome = WriteOutcome()
            let written = expectation(description: "image written")
            Thread {
                do { try snapshot.write(to: out, options: RDBWriteOptions()) } catch { outcome.error = error }
                written.fulfill()
            }.start()
            for db in engine.dbs {
                var keys: [[UInt8]] = []
                db.keys.forEach { keys.append($0.key) }
                for (i, k) in keys.enumerated() {
                    k.withUnsafeBytes { raw in
                        if i % 2 == 0 { db.set(raw, .int(-1)) } else { _ = db.delete(raw) }
                    }
                    engine.advanceCaptures(budget: 1)
                }
                for i in 0..<5_000 { Array("new:\(i)".utf8).withUnsafeBytes { db.set($0, .int(Int64(i))) } }
            }
            engine.dbs[0].swapContents(with: engine.dbs[1])
            while engine.capturing { engine.advanceCaptures(budget: 1) }
            wait(for: [written], timeout: 120)
            XCTAssertNil(outcome.error)
            let (again, _) = try loadEngine(out.buffer)
            try assertMatches(again, expected: "valkey8/multidb.expected.json")
        }
    }

    private final class WriteOutcome: @unchecked Sendable {
        var error: Error?
    }

    /// A stream record cut into its type, key, node keys and listpacks (decompressed) and the rest: Valkey's
    /// LZF output differs from ours, the bytes under it may not.
    func streamParts(_ bytes: ArraySlice<UInt8>) throws -> [[UInt8]] {
        let r = RDBReader(input: RDBInput(bytes: Array(bytes)), settings: Engine().settings, version: 11)
        var parts: [[UInt8]] = [[try r.input.byte()], try r.string()]
        for _ in 0..<(try r.count()) {
            parts.append(try r.string())
            parts.append(try r.string())
        }
        parts.append(Array(bytes.dropFirst(r.input.offset)))
        return parts
    }

    /// Streams go out as Valkey 8 wrote them: node listpacks with their tombstones, metadata, groups, PEL.
    func testStreamRecordsMatchValkeyBytes() throws {
        let file = try readFixture("valkey8/streams.rdb")
        let (engine, _) = try loadEngine(file)
        var compared = 0
        try engine.dbs[0].keys.forEach { e in
            let ours = try streamParts(try record(e, compression: true)[...])
            let at = try XCTUnwrap((0..<file.count).first { file[$0...].starts(with: [RDBType.streamListpacks3, UInt8(e.key.count)] + e.key) })
            var theirs = try streamParts(file[at...])
            theirs[theirs.count - 1] = Array(theirs[theirs.count - 1].prefix(ours[ours.count - 1].count))
            XCTAssertEqual(ours, theirs, e.key.text)
            compared += 1
        }
        XCTAssertGreaterThan(compared, 1)
    }

    /// rdb-version 10 writes Redis 7.0's type 19, which loads back with active time taken from seen time.
    func testStreamsAtVersion10() throws {
        let (engine, _) = try loadEngine(try readFixture("valkey8/streams.rdb"))
        let out = RDBOutput()
        try Snapshot(of: engine).write(to: out, options: RDBWriteOptions(version: 10))
        XCTAssertTrue(contains(out.buffer, [RDBType.streamListpacks2, 2] + Array("st".utf8)))
        let (again, summary) = try loadEngine(out.buffer)
        XCTAssertEqual(summary.version, 10)
        try assertMatches(again, expected: "valkey8/streams.expected.json")
    }

    /// Type 15 (Redis 5–6.2) has no metadata, read counters or active times: loading fills them in as Redis does.
    func testStreamsOfType15GetRedisDefaults() throws {
        let (engine, _) = try loadEngine(try readFixture("valkey8/streams.rdb"))
        let out = RDBOutput()
        try Snapshot(of: engine).write(to: out, options: RDBWriteOptions(version: 9))
        XCTAssertTrue(contains(out.buffer, [RDBType.streamListpacks, 2] + Array("st".utf8)))
        let (again, _) = try loadEngine(out.buffer)
        guard case .stream(let st)? = Array("st".utf8).withUnsafeBytes({ again.dbs[0].keys.lookup($0)?.0 }) else {
            return XCTFail("st is not a stream")
        }
        XCTAssertEqual(st.entriesAdded, Int64(st.count))
        XCTAssertEqual(st.maxDeletedID, .zero)
        var first = StreamID.zero
        st.forEach { id, _ in
            first = id
            return false
        }
        XCTAssertEqual(st.firstID, first)
        for (_, g) in st.sortedGroups {
            XCTAssertEqual(g.entriesRead, st.estimatedEntriesRead(at: g.lastID) ?? StreamGroup.invalidEntriesRead)
            for c in g.sortedConsumers { XCTAssertEqual(c.activeTime, c.seenTime) }
        }
    }

    /// Where Valkey's choices are deterministic (no LZF involved), each key's record is byte-identical.
    func testRecordsMatchValkeyBytes() throws {
        var compared = 0
        for name in names {
            let file = try readFixture("valkey8/\(name).rdb")
            let (engine, _) = try loadEngine(file)
            for db in engine.dbs {
                try db.keys.forEach { e in
                    let plain = try record(e, compression: false)
                    let packed = try record(e, compression: true)
                    // Hash-table encodings go out in table order, which differs from Valkey's.
                    let ordered = plain[0] != RDBType.set && plain[0] != RDBType.hash
                    if ordered && (name == "strings-nocompress" || plain == packed) {
                        XCTAssertTrue(contains(file, plain), "\(name): \(e.key.text) \(plain.prefix(40).map { String($0, radix: 16) })")
                        compared += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(compared, 40)
    }

    func testLoadedSkiplistKeepsOrderAndRefusesRepeatedMembers() {
        let builder = ValueBuilder(settings: EngineSettings())
        // Highest first, as Redis writes a skiplist; ties on the score ordered by member.
        let entries = (0..<5000).reversed().map { ScoredMember(Bytes(string: "m\($0)"), Double($0 / 3)) }
        guard case .value(.zset(let z)?) = builder.zset(entries) else { return XCTFail("not loaded") }
        XCTAssertEqual("\(z.encodingName)", "skiplist")
        XCTAssertEqual(z.count, 5000)
        var previous: ScoredMember? = nil
        z.forEach { e in
            if let p = previous { XCTAssertTrue(p.score < e.score || (p.score == e.score && p.member.lexicographicallyPrecedes(e.member))) }
            previous = e
        }
        XCTAssertEqual(z.rank(Bytes(string: "m4000"))?.rank, 4000)
        XCTAssertEqual(z.score(Bytes(string: "m4000")), 1333)
        for count in [10, 5000] {
            var repeated = Array(entries.prefix(count))
            repeated.append(ScoredMember(Bytes(string: "m4999"), 7))
            guard case .corrupt(let why) = builder.zset(repeated) else { return XCTFail("repeat accepted") }
            XCTAssertEqual(why, "Duplicate zset fields detected")
        }
    }


    /// Listpack scores are stored as Valkey 8's zzlInsertAt stores them: integers within ±2^62, others as
    /// d2string's text (Grisu2 digits, which differ from %.17g's and, rarely, from the shortest ones).
    func testListpackScoresAreStoredAsValkeyStoresThem() throws {
        let b = ListpackCodec.Builder()
        for d: Double in [15.0 / 7, 4611686018427387904, -0.0, 1e20, -.infinity, Double(bitPattern: 0x42e0000000000004)] {
            RDBWriter.appendScore(d, to: b)
        }
        let items = try b.withFinished { Array($0) }.withUnsafeBytes { try ListpackCodec.decode($0) }
        XCTAssertEqual(items, [.string(Array("2.142857142857143".utf8)), .int(4611686018427387904), .int(0),
                               .string(Array("1e+20".utf8)), .string(Array("-inf".utf8)),
                               .string(Array("140737488355328.13".utf8))])
    }

    func testChecksumOffWritesZero() throws {
        let (engine, _) = try loadEngine(try readFixture("valkey8/multidb.rdb"))
        let out = RDBOutput()
        try Snapshot(of: engine).write(to: out, options: RDBWriteOptions(checksum: false))
        XCTAssertEqual(Array(out.buffer.suffix(8)), [UInt8](repeating: 0, count: 8))
        _ = try loadEngine(out.buffer)
    }

    func testFunctionsAndScriptsAreKept() throws {
        let engine = Engine()
        engine.persistedFunctions = [Array("#!lua name=mylib\nredis.register_function('f', function() return 1 end)".utf8)]
        engine.persistedScripts = [Array("return 1".utf8)]
        engine.dbs[0].keys.set(Entry(key: Array("k".utf8), value: .int(5)))
        let out = RDBOutput()
        try Snapshot(of: engine).write(to: out, options: RDBWriteOptions())
        let (again, _) = try loadEngine(out.buffer)
        XCTAssertEqual(again.persistedFunctions, engine.persistedFunctions)
        XCTAssertEqual(again.persistedScripts, engine.persistedScripts)
    }

    /// Every key's name is read into one reused buffer and a header hands it out as is: a caller that keeps the
    /// headers (or the entries `next` makes of them) still sees each key's own name after the later keys are read,
    /// names of differing lengths included, and an error names the key being read.
    func testKeptHeadersKeepTheirNames() throws {
        let engine = Engine()
        let names = ["k1", "k2", "longer-key-3", "k4", "", "12345"]
        for (i, n) in names.enumerated() { engine.dbs[0].keys.set(Entry(key: Array(n.utf8), value: .int(Int64(i)))) }
        let out = RDBOutput()
        try Snapshot(of: engine).write(to: out, options: RDBWriteOptions())
        var reader = RDBReader(input: RDBInput(bytes: out.buffer), settings: engine.settings)
        try reader.readHeader()
        var headers: [RDBKeyHeader] = []
        var record: RDBRecord? = nil
        while true {
            guard let h = try reader.nextKey(orRecord: &record) else {
                if record.take() == nil { break }
                continue
            }
            headers.append(h)
            _ = try reader.value(type: h.type, at: h.offset)
        }
        XCTAssertEqual(Set(headers.map { String(decoding: $0.key, as: UTF8.self) }), Set(names))
        var entries: [[UInt8]] = []
        var again = RDBReader(input: RDBInput(bytes: out.buffer), settings: engine.settings)
        try again.readHeader()
        while let r = try again.next() { if case .entry(let e) = r { entries.append(e.key) } }
        XCTAssertEqual(entries, headers.map(\.key))

        // The first key's value given an unknown string encoding: the error names that key.
        let first = headers[0]
        var bad = out.buffer
        bad[first.offset + 1 + 1 + first.key.count] = 0xC5
        var broken = RDBReader(input: RDBInput(bytes: bad), settings: engine.settings)
        try broken.readHeader()
        XCTAssertThrowsError(try { while try broken.next() != nil {} }()) { error in
            XCTAssertEqual((error as? RDBError)?.key, first.key)
        }
    }
}
