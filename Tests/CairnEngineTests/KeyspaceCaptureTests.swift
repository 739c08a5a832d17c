import XCTest
@testable import CairnEngine

/// A capture taken over several steps (KeyspaceImage, Engine.advanceCaptures) is the dataset as it was when
/// the capture began, whatever the keyspace goes through meanwhile, and the live keyspace sees its own writes.
final class KeyspaceCaptureTests: TranscriptTestCase {
    private func key(_ i: Int) -> [UInt8] { Array("key:\(i)".utf8) }

    /// An image's entries by key: integer value and deadline. Fails on a key seen twice.
    private func contents(_ image: KeyspaceImage, file: StaticString = #filePath, line: UInt = #line) -> [Bytes: (Int64, Int64)] {
        var out: [Bytes: (Int64, Int64)] = [:]
        image.drain { e in
            guard case .int(let v) = e.value else { return XCTFail("not an integer", file: file, line: line) }
            XCTAssertNil(out.updateValue((v, e.expireAt), forKey: e.key), "key twice in the image", file: file, line: line)
        }
        return out
    }

    private func liveContents(_ ks: Keyspace) -> [Bytes: (Int64, Int64)] {
        var out: [Bytes: (Int64, Int64)] = [:]
        ks.forEach { e in
            if case .int(let v) = e.value { out[e.key] = (v, e.expireAt) }
        }
        return out
    }

    private func assertSame(_ got: [Bytes: (Int64, Int64)], _ want: [Bytes: (Int64, Int64)], _ what: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, "\(what): key count", file: file, line: line)
        for (k, w) in want {
            guard let g = got[k] else {
                XCTFail("\(what): \(String(decoding: k, as: UTF8.self)) missing", file: file, line: line)
                continue
            }
            XCTAssertTrue(g == w, "\(what): \(String(decoding: k, as: UTF8.self)) is \(g), expected \(w)", file: file, line: line)
        }
    }

    /// Overwrites, inserts that split segments, deletes and expiries land both in segments the capture has
    /// taken and in segments it has not reached yet; none reaches the image, every one reaches the live keyspace.
    func testWritesDuringAnIncrementalCaptureStayOutOfTheImage() {
        var ks = Keyspace()
        let n = 40_000
        var model: [Bytes: (Int64, Int64)] = [:]
        for i in 0..<n {
            let deadline: Int64 = i % 4 == 0 ? 1_000 : -1
            ks.set(Entry(key: key(i), value: .int(Int64(i)), expireAt: deadline))
            model[key(i)] = (Int64(i), deadline)
        }
        let atStart = model
        let segments = ks.segmentCount
        let image = ks.beginCapture()
        XCTAssertEqual(ks.continueCapture(budget: segments / 3), segments / 3)

        for i in stride(from: 0, to: n, by: 3) {
            ks.set(Entry(key: key(i), value: .int(-1)))
            model[key(i)] = (-1, -1)
        }
        for i in n..<(3 * n) {
            ks.set(Entry(key: key(i), value: .int(0)))
            model[key(i)] = (0, -1)
        }
        XCTAssertGreaterThan(ks.segmentCount, segments, "the inserts split segments")
        for i in stride(from: 1, to: n, by: 5) {
            XCTAssertTrue(key(i).withUnsafeBytes { ks.remove($0) })
            model[key(i)] = nil
        }
        var expired = 0
        _ = ks.removeExpired(now: 2_000, from: 0, budget: Int.max) { e in
            expired += 1
            model[e.key] = nil
        }
        XCTAssertGreaterThan(expired, 0)

        while ks.continueCapture(budget: 100) > 0 {}
        XCTAssertNil(ks.capture, "a complete capture lets go of the keyspace")
        XCTAssertEqual(image.count, n)
        XCTAssertEqual(image.volatileCount, n / 4)
        assertSame(contents(image), atStart, "image")
        assertSame(liveContents(ks), model, "live keyspace")
        XCTAssertEqual(ks.count, model.count)
    }

    /// A capture that spans a directory doubling (swapping in the directory built ahead) is still the
    /// keyspace at its start: the image holds segments, which a doubling leaves where they are.
    func testCaptureAcrossADirectoryDoublingEqualsTheKeyspaceAtItsStart() {
        var ks = Keyspace()
        var model: [Bytes: (Int64, Int64)] = [:]
        var i = 0
        while ks.dir.count < Keyspace.nextDirThreshold {
            ks.set(Entry(key: key(i), value: .int(Int64(i))))
            model[key(i)] = (Int64(i), -1)
            i += 1
        }
        let atStart = model
        let depth = ks.globalDepth
        XCTAssertFalse(ks.nextDir.isEmpty, "the next doubling swaps in a directory built ahead")
        let image = ks.beginCapture()
        _ = ks.continueCapture(budget: ks.segmentCount / 4)
        var next = i
        while ks.globalDepth < depth + 1 {
            ks.set(Entry(key: key(next), value: .int(0)))
            model[key(next)] = (0, -1)
            next += 1
        }
        for j in stride(from: 0, to: i, by: 3) {
            ks.set(Entry(key: key(j), value: .int(-1)))
            model[key(j)] = (-1, -1)
        }
        while ks.continueCapture(budget: 100) > 0 {}
        assertSame(contents(image), atStart, "image")
        assertSame(liveContents(ks), model, "live keyspace")
    }

    /// The snapshot contract when every segment is captured at once: later writes (overwrite, insert, delete,
    /// splits, a new deadline) leave the captured image exactly as it was.
    func testCapturingAllSegmentsThenWritingLeavesTheImageUnchanged() {
        var ks = Keyspace()
        var atStart: [Bytes: (Int64, Int64)] = [:]
        for i in 0..<50_000 {
            let deadline: Int64 = i % 3 == 0 ? 123 : -1
            ks.set(Entry(key: key(i), value: .int(Int64(i)), expireAt: deadline))
            atStart[key(i)] = (Int64(i), deadline)
        }
        let image = ks.beginCapture()
        XCTAssertEqual(ks.continueCapture(budget: .max), ks.segmentCount)
        for i in 0..<50_000 where i % 2 == 0 { ks.set(Entry(key: key(i), value: .int(-1))) }
        for i in 50_000..<120_000 { ks.set(Entry(key: key(i), value: .int(0))) }
        for i in 0..<50_000 where i % 5 == 0 { _ = key(i).withUnsafeBytes { ks.remove($0) } }
        _ = key(1).withUnsafeBytes { k in ks.withEntry(k, access: 0) { $0!.expireAt = 999 } }
        XCTAssertEqual(image.volatileCount, (0..<50_000).filter { $0 % 3 == 0 }.count)
        assertSame(contents(image), atStart, "image")
        XCTAssertEqual(ks.count, 120_000 - 10_000)
    }

    /// An image drained on a snapshot thread empties the segments the live table has replaced by copies and
    /// hands them back for the event loop to free, every one of them once; those the table still holds are let
    /// go. One drained where it was captured (no `returnsShells`) hands nothing back.
    func testDrainHandsBackTheSegmentsOnlyTheImageHeldEmptied() {
        for returnsShells in [true, false] {
            var ks = Keyspace()
            var atStart: [Bytes: (Int64, Int64)] = [:]
            for i in 0..<20_000 {
                ks.set(Entry(key: key(i), value: .int(Int64(i))))
                atStart[key(i)] = (Int64(i), -1)
            }
            let image = ks.beginCapture(returnsShells: returnsShells)
            XCTAssertEqual(ks.continueCapture(budget: .max), ks.segmentCount)
            let before = Set(ks.segments.map(ObjectIdentifier.init))
            for i in stride(from: 0, to: 20_000, by: 97) { ks.set(Entry(key: key(i), value: .int(-1))) }
            let replaced = before.subtracting(ks.segments.map(ObjectIdentifier.init)).count
            XCTAssertGreaterThan(replaced, 0)
            XCTAssertLessThan(replaced, before.count)
            XCTAssertFalse(image.hasReturned)
            assertSame(contents(image), atStart, "image")
            XCTAssertEqual(image.hasReturned, returnsShells)
            XCTAssertEqual(image.freeReturned(budget: 5), returnsShells ? 5 : 0)
            XCTAssertEqual(image.freeReturned(budget: .max), returnsShells ? replaced - 5 : 0)
            XCTAssertFalse(image.hasReturned)
            XCTAssertEqual(image.freeReturned(budget: .max), 0)
            // The live table's segments were let go: writing to them no longer copies.
            let live = ks.segments.map(ObjectIdentifier.init)
            for i in stride(from: 1, to: 20_000, by: 97) { ks.set(Entry(key: key(i), value: .int(-2))) }
            XCTAssertEqual(ks.segments.map(ObjectIdentifier.init), live)
        }
    }

    /// The engine keeps an incremental capture's images and frees what their thread hands back, a bounded
    /// number a turn, until the snapshot lets go of them.
    func testEngineFreesReturnedSegmentsThenLetsGoOfTheImages() {
        for i in 0..<30_000 {
            Array("k\(i)".utf8).withUnsafeBytes { engine.dbs[0].set($0, .int(Int64(i)), expireAt: -1) }
        }
        var capture: DatasetCapture? = engine.beginCapture(incremental: true)
        while engine.capturing { engine.advanceCaptures() }
        XCTAssertTrue(engine.drainingImages)
        for i in stride(from: 0, to: 30_000, by: 7) {
            Array("k\(i)".utf8).withUnsafeBytes { engine.dbs[0].set($0, .int(-1), expireAt: -1) }
        }
        for (_, image) in capture!.databases { image.drain { _ in } }
        XCTAssertTrue(engine.segmentsReturned)
        var turns = 0
        while engine.segmentsReturned {
            engine.freeReturnedSegments(budget: 100)
            turns += 1
        }
        XCTAssertGreaterThan(turns, 1, "more than a turn's budget came back")
        XCTAssertTrue(engine.drainingImages, "the snapshot still holds its images")
        capture = nil
        engine.freeReturnedSegments()
        XCTAssertFalse(engine.drainingImages)
    }

    /// A lookup updates access fields, except in segments a capture in progress has yet to take.
    func testLookupLeavesAccessFieldsAloneWhileCapturing() {
        var ks = Keyspace()
        for i in 0..<5_000 { ks.set(Entry(key: key(i), value: .int(Int64(i)))) }
        let stamped = key(7).withUnsafeBytes { ks.access($0) }
        let image = ks.beginCapture()
        let later = AccessClock(now: 10_000_000)
        _ = key(7).withUnsafeBytes { ks.lookup($0, touching: later) }
        XCTAssertEqual(key(7).withUnsafeBytes { ks.access($0) }, stamped)
        _ = ks.continueCapture(budget: .max)
        image.drain { _ in }
        _ = key(7).withUnsafeBytes { ks.lookup($0, touching: later) }
        XCTAssertEqual(key(7).withUnsafeBytes { ks.access($0) }, later.lruClock)
    }

    /// MOVE, SWAPDB, FLUSHALL (plain or ASYNC) and ordinary writes while the engine's capture advances a few
    /// segments at a time: the images hold each database as it was, under its number at capture time.
    func testMoveSwapdbAndFlushallDuringACaptureStayOutOfTheImages() {
        for flush in [["flushall"], ["flushall", "async"]] {
            setUp()
            var atStart: [Int: [Bytes: (Int64, Int64)]] = [:]
            for (db, prefix, n) in [(0, "a", 20_000), (1, "b", 5_000), (3, "c", 3)] {
                for i in 0..<n {
                    let k = Array("\(prefix)\(i)".utf8)
                    k.withUnsafeBytes { engine.dbs[db].set($0, .int(Int64(i)), expireAt: i % 7 == 0 ? 4_000_000_000_000 : -1) }
                    atStart[db, default: [:]][k] = (Int64(i), i % 7 == 0 ? 4_000_000_000_000 : -1)
                }
            }
            let capture = engine.beginCapture(incremental: true)
            engine.advanceCaptures(budget: 10)
            XCTAssertTrue(engine.capturing)

            XCTAssertEqual(run(["move", "a1", "1"]), ":1\r\n")
            XCTAssertEqual(run(["set", "a2", "changed"]), "+OK\r\n")
            XCTAssertEqual(run(["del", "a3"]), ":1\r\n")
            engine.advanceCaptures(budget: 10)
            XCTAssertEqual(run(["swapdb", "0", "2"]), "+OK\r\n")
            for i in 20_000..<25_000 { run(["set", "a\(i)", "new"]) }
            engine.advanceCaptures(budget: 10)
            XCTAssertTrue(engine.capturing, "the capture spans the writes")
            XCTAssertEqual(engine.dbs[0].count, 5_000)
            XCTAssertEqual(engine.dbs[2].count, 20_000 - 2)
            XCTAssertEqual(engine.dbs[1].count, 5_000 + 1)
            XCTAssertNotNil(Bytes(string: "a1").withUnsafeBytes { engine.dbs[1].lookupWrite($0) })

            XCTAssertEqual(run(flush), "+OK\r\n")
            XCTAssertEqual(run(["set", "after", "1"]), "+OK\r\n")
            while engine.capturing { engine.advanceCaptures(budget: 10) }
            XCTAssertTrue(capture.waitUntilComplete())
            XCTAssertEqual(capture.databases.map { $0.id }, [0, 1, 3])
            for (id, image) in capture.databases { assertSame(contents(image), atStart[id]!, "db \(id)") }
            XCTAssertEqual(engine.dbs.map(\.count).reduce(0, +), 1)
            XCTAssertEqual(engine.dbs[0].count, 1)
        }
    }
}
