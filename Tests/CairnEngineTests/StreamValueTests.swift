@testable import CairnEngine
import XCTest

/// The stream type: ID parsing and order, node layout by Redis's limits, copy-on-write by node, trimming and
/// the group read counters. Command replies are compared with redis-server in Tests/integration/test_streams.py.
final class StreamValueTests: TranscriptTestCase {
    private func parse(_ s: String, missingSeq: UInt64 = 0, strict: Bool = true, autoSeq: Bool = false) -> StreamID? {
        Array(s.utf8).withUnsafeBytes { StreamID.parse($0, missingSeq: missingSeq, strict: strict, allowAutoSeq: autoSeq)?.id }
    }

    private func add(_ s: inout StreamValue, _ id: StreamID, _ fields: [(String, String)], maxBytes: Int = 4096, maxEntries: Int = 100) {
        let raw = fields.map { (Array($0.0.utf8), Array($0.1.utf8)) }
        let buffers = raw.flatMap { [$0.0, $0.1] }
        let pointers = buffers.map { b -> UnsafeRawBufferPointer in
            let p = UnsafeMutableRawBufferPointer.allocate(byteCount: max(b.count, 1), alignment: 1)
            p.copyBytes(from: b)
            return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(p)[0..<b.count])
        }
        defer { for p in pointers { UnsafeMutableRawPointer(mutating: p.baseAddress!).deallocate() } }
        s.append(id, fieldCount: fields.count, maxBytes: maxBytes, maxEntries: maxEntries) { (pointers[2 * $0], pointers[2 * $0 + 1]) }
    }

    private func entries(_ s: StreamValue, from: StreamID = .zero, to: StreamID = .max, reverse: Bool = false) -> [String] {
        var out: [String] = []
        s.forEach(from: from, to: to, reverse: reverse) { id, e in
            var text = id.text
            e.forEachPair { f, v in text += " \(String(decoding: f, as: UTF8.self))=\(String(decoding: v, as: UTF8.self))" }
            out.append(text)
            return true
        }
        return out
    }

    func testIDParsingAndOrder() {
        XCTAssertEqual(parse("5"), StreamID(ms: 5, seq: 0))
        XCTAssertEqual(parse("5", missingSeq: .max), StreamID(ms: 5, seq: .max))
        XCTAssertEqual(parse("18446744073709551615-18446744073709551615"), .max)
        XCTAssertNil(parse("18446744073709551616-0"))
        XCTAssertNil(parse("-"))
        XCTAssertEqual(parse("-", strict: false), .zero)
        XCTAssertEqual(parse("+", strict: false), .max)
        XCTAssertNil(parse("1-*"))
        XCTAssertEqual(parse("1-*", autoSeq: true), StreamID(ms: 1, seq: 0))
        XCTAssertNil(parse("-1"))
        XCTAssertNil(parse("1-2-3"))
        XCTAssertNil(parse(""))
        XCTAssertNil(parse("1-"))
        XCTAssertEqual(parse("+7"), StreamID(ms: 7, seq: 0), "strtoull's form, as string2ull accepts")
        XCTAssertNil(parse(String(repeating: "1", count: 128)))
        XCTAssertLessThan(StreamID(ms: 1, seq: .max), StreamID(ms: 2, seq: 0))
        XCTAssertEqual(StreamID(ms: 1, seq: .max).next, StreamID(ms: 2, seq: 0))
        XCTAssertNil(StreamID.max.next)
        XCTAssertEqual(StreamID(ms: 2, seq: 0).previous, StreamID(ms: 1, seq: .max))
        XCTAssertNil(StreamID.zero.previous)
        XCTAssertEqual(StreamID(ms: 0x0102, seq: 3).encoded, [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 3])
        XCTAssertEqual(StreamID(ms: 0x0102, seq: 3).encoded.withUnsafeBytes { StreamID(encoded: $0) }, StreamID(ms: 0x0102, seq: 3))
    }

    func testNextIDRules() {
        var s = StreamValue()
        XCTAssertEqual(s.nextID(requested: nil, seqGiven: true, now: 1000), StreamID(ms: 1000, seq: 0))
        add(&s, StreamID(ms: 1000, seq: 0), [("f", "v")])
        XCTAssertEqual(s.nextID(requested: nil, seqGiven: true, now: 900), StreamID(ms: 1000, seq: 1), "the clock going back keeps IDs rising")
        XCTAssertEqual(s.nextID(requested: StreamID(ms: 1000, seq: 0), seqGiven: false, now: 0), StreamID(ms: 1000, seq: 1))
        XCTAssertEqual(s.nextID(requested: StreamID(ms: 2000, seq: 0), seqGiven: false, now: 0), StreamID(ms: 2000, seq: 0))
        XCTAssertNil(s.nextID(requested: StreamID(ms: 999, seq: 0), seqGiven: false, now: 0))
        XCTAssertNil(s.nextID(requested: StreamID(ms: 1000, seq: 0), seqGiven: true, now: 0))
    }

    func testNodesSplitByEntriesAndBytesAndShareFieldNames() {
        var s = StreamValue()
        for i in 1...10 { add(&s, StreamID(ms: UInt64(i), seq: 0), [("name", "v\(i)"), ("n", "\(i)")], maxEntries: 4) }
        XCTAssertEqual(s.nodes.map(\.liveCount), [4, 4, 2])
        XCTAssertEqual(s.nodes.map(\.master), [1, 5, 9].map { StreamID(ms: $0, seq: 0) })
        // Entries with the master's field names store only their values.
        add(&s, StreamID(ms: 11, seq: 0), [("other", "x")], maxEntries: 4)
        XCTAssertEqual(entries(s, from: StreamID(ms: 9, seq: 0)), ["9-0 name=v9 n=9", "10-0 name=v10 n=10", "11-0 other=x"])

        var b = StreamValue()
        for i in 1...6 { add(&b, StreamID(ms: UInt64(i), seq: 0), [("f", String(repeating: "x", count: 40))], maxBytes: 120, maxEntries: 0) }
        XCTAssertGreaterThan(b.nodes.count, 1)
        XCTAssertEqual(b.count, 6)
    }

    func testRangesDeletesAndTombstones() {
        var s = StreamValue()
        for i in 1...9 { add(&s, StreamID(ms: UInt64(i), seq: 0), [("f", "\(i)")], maxEntries: 3) }
        XCTAssertEqual(entries(s, from: StreamID(ms: 3, seq: 0), to: StreamID(ms: 5, seq: 0)).count, 3)
        XCTAssertEqual(entries(s, from: StreamID(ms: 2, seq: 1), to: StreamID(ms: 7, seq: 0), reverse: true).first, "7-0 f=7")
        XCTAssertTrue(s.delete(StreamID(ms: 1, seq: 0)))
        XCTAssertFalse(s.delete(StreamID(ms: 1, seq: 0)))
        XCTAssertEqual(s.firstID, StreamID(ms: 2, seq: 0))
        XCTAssertEqual(s.maxDeletedID, StreamID(ms: 1, seq: 0))
        XCTAssertEqual(s.nodes[0].deleted, 1, "a tombstone stays in its node")
        XCTAssertTrue(s.delete(StreamID(ms: 2, seq: 0)))
        XCTAssertTrue(s.delete(StreamID(ms: 3, seq: 0)))
        XCTAssertEqual(s.nodes.count, 2, "a node whose last live entry goes is removed")
        XCTAssertEqual(s.count, 6)
        XCTAssertFalse(s.contains(StreamID(ms: 3, seq: 0)))
        XCTAssertTrue(s.contains(StreamID(ms: 9, seq: 0)))
    }

    func testTrimming() {
        var s = StreamValue()
        for i in 1...10 { add(&s, StreamID(ms: UInt64(i), seq: 0), [("f", "\(i)")], maxEntries: 3) }
        XCTAssertEqual(s.trim(maxLen: 6, minID: nil, approximate: true, limit: 0), 3, "only whole nodes go")
        XCTAssertEqual(s.count, 7)
        XCTAssertEqual(s.trim(maxLen: 5, minID: nil, approximate: false, limit: 0), 2)
        XCTAssertEqual(s.firstID, StreamID(ms: 6, seq: 0))
        XCTAssertEqual(s.trim(maxLen: nil, minID: StreamID(ms: 8, seq: 0), approximate: false, limit: 0), 2)
        XCTAssertEqual(s.firstID, StreamID(ms: 8, seq: 0))
        XCTAssertEqual(s.trim(maxLen: 0, minID: nil, approximate: true, limit: 1), 0, "the limit stops before a node")
        XCTAssertEqual(s.trim(maxLen: 0, minID: nil, approximate: false, limit: 0), 3)
        XCTAssertEqual(s.firstID, .zero)
        XCTAssertEqual(s.lastID, StreamID(ms: 10, seq: 0))
        XCTAssertEqual(s.maxDeletedID, .zero, "trimming is not deletion")
    }

    func testCopySharesAllButTheWrittenNode() {
        var original = StreamValue()
        for i in 1...10_000 { add(&original, StreamID(ms: UInt64(i), seq: 0), [("field", "value-\(i)")]) }
        let identities = { (s: StreamValue) in s.nodes.map { $0.offsets.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } } }
        let copy = original
        let before = identities(original)
        XCTAssertEqual(before.count, 100)
        add(&original, StreamID(ms: 10_001, seq: 0), [("field", "new")])
        XCTAssertEqual(identities(copy), before, "the snapshot is untouched")
        XCTAssertEqual(copy.count, 10_000)
        let after = identities(original)
        XCTAssertEqual(zip(before, after).filter { $0 != $1 }.count, 1, "only the last node is copied")
        _ = original.delete(StreamID(ms: 5000, seq: 0))
        XCTAssertEqual(zip(identities(copy), identities(original)).filter { $0 != $1 }.count, 2)
        XCTAssertTrue(copy.contains(StreamID(ms: 5000, seq: 0)))
    }

    func testPendingListsAndConsumers() {
        var g = StreamGroup(lastID: .zero, entriesRead: 0)
        g.addConsumer(Array("a".utf8), seenTime: 1)
        g.addConsumer(Array("b".utf8), seenTime: 1)
        for i in 1...300 { g.assign(StreamID(ms: UInt64(i), seq: 0), to: Array("a".utf8), now: 5) }
        XCTAssertEqual(g.pending.count, 300)
        g.assign(StreamID(ms: 7, seq: 0), to: Array("b".utf8), now: 6)
        XCTAssertEqual(g.consumers[Array("a".utf8)]!.pending.count, 299)
        XCTAssertEqual(g.pending.find(StreamID(ms: 7, seq: 0))?.consumer, Array("b".utf8))
        XCTAssertTrue(g.acknowledge(StreamID(ms: 100, seq: 0)))
        XCTAssertFalse(g.acknowledge(StreamID(ms: 100, seq: 0)))
        var seen: [UInt64] = []
        g.pending.forEach(from: StreamID(ms: 98, seq: 0)) { id, _ in
            seen.append(id.ms)
            return seen.count < 3
        }
        XCTAssertEqual(seen, [98, 99, 101])
        XCTAssertEqual(g.removeConsumer(Array("a".utf8)), 298)
        XCTAssertEqual(g.pending.count, 1)
        XCTAssertEqual(g.pending.first?.id, StreamID(ms: 7, seq: 0))
    }

    func testLagAndEntriesRead() {
        var s = StreamValue()
        for i in 1...5 { add(&s, StreamID(ms: UInt64(i), seq: 0), [("f", "v")]) }
        var g = StreamGroup(lastID: .zero, entriesRead: StreamGroup.invalidEntriesRead)
        XCTAssertEqual(s.lag(of: g), 5)
        s.advance(&g, to: StreamID(ms: 1, seq: 0))
        XCTAssertEqual(g.entriesRead, 1)
        s.advance(&g, to: StreamID(ms: 2, seq: 0))
        XCTAssertEqual(s.lag(of: g), 3)
        _ = s.delete(StreamID(ms: 4, seq: 0))
        XCTAssertNil(s.lag(of: g), "a tombstone ahead of the group hides the lag")
        s.advance(&g, to: StreamID(ms: 3, seq: 0))
        XCTAssertEqual(g.entriesRead, StreamGroup.invalidEntriesRead)
        s.advance(&g, to: StreamID(ms: 5, seq: 0))
        XCTAssertEqual(g.entriesRead, 5)
        XCTAssertEqual(s.lag(of: g), 0)
    }

    func testBuildingFromLoadedParts() {
        // The path the RDB loader takes: nodes entry by entry, then the stored metadata, groups and PELs.
        var s = StreamValue()
        func add(_ id: StreamID, _ master: StreamID?, _ pairs: [String]) {
            var flat = Bytes()
            var ends: [Int] = []
            for p in pairs {
                flat += Array(p.utf8)
                ends.append(flat.count)
            }
            flat.withUnsafeBytes { d in
                func part(_ i: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: d[(i == 0 ? 0 : ends[i - 1])..<ends[i]]) }
                s.appendLoaded(id, newNodeMaster: master, fieldCount: pairs.count / 2) { k in (part(2 * k), part(2 * k + 1)) }
            }
        }
        add(StreamID(ms: 1, seq: 0), StreamID(ms: 1, seq: 0), ["a", "1", "b", "2"])
        add(StreamID(ms: 2, seq: 0), nil, ["a", "3", "b", "4"])
        add(StreamID(ms: 9, seq: 1), StreamID(ms: 9, seq: 0), ["x", ""])
        s.setMetadata(count: 3, lastID: StreamID(ms: 10, seq: 0), firstID: StreamID(ms: 1, seq: 0),
                      maxDeletedID: StreamID(ms: 9, seq: 0), entriesAdded: 5)
        var g = StreamGroup(lastID: StreamID(ms: 2, seq: 0), entriesRead: 2)
        g.addConsumer(Array("c".utf8), seenTime: 100, activeTime: 90)
        g.addLoadedPending(StreamID(ms: 2, seq: 0), deliveryTime: 80, deliveryCount: 3, consumer: Array("c".utf8))
        XCTAssertTrue(s.addGroup(Array("g".utf8), g))
        XCTAssertFalse(s.addGroup(Array("g".utf8), g))
        XCTAssertEqual(entries(s), ["1-0 a=1 b=2", "2-0 a=3 b=4", "9-1 x="])
        XCTAssertEqual(s.nodes.map(\.master), [StreamID(ms: 1, seq: 0), StreamID(ms: 9, seq: 0)])
        let loaded = s.sortedGroups[0].group
        XCTAssertEqual(loaded.pending.find(StreamID(ms: 2, seq: 0))?.deliveryCount, 3)
        XCTAssertEqual(loaded.sortedConsumers.map(\.pending.count), [1])
        XCTAssertNil(s.lag(of: loaded), "a tombstone after the group's position hides the lag")
    }

    func testDigestAndEncoding() {
        run(["XADD", "s", "1-0", "a", "1", "b", "2"])
        run(["XADD", "s", "2-5", "c", "3"])
        XCTAssertEqual(run(["TYPE", "s"]), "+stream\r\n")
        XCTAssertEqual(run(["OBJECT", "ENCODING", "s"]), "$6\r\nstream\r\n")
        XCTAssertEqual(run(["DEBUG", "DIGEST-VALUE", "s"]), run(["DEBUG", "DIGEST-VALUE", "s"]))
        XCTAssertNotEqual(run(["DEBUG", "DIGEST-VALUE", "s"]), "*1\r\n+0000000000000000000000000000000000000000\r\n")
    }
}
