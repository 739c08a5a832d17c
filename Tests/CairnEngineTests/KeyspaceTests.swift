import XCTest
@testable import CairnEngine

final class KeyspaceTests: XCTestCase {
    private func key(_ i: Int) -> [UInt8] { Array("key:\(i)".utf8) }

    private func value(_ ks: Keyspace, _ k: [UInt8]) -> Value? {
        k.withUnsafeBytes { ks.lookup($0)?.value }
    }

    func testInsertLookupDeleteAcrossSplits() {
        var ks = Keyspace()
        let n = 200_000
        for i in 0..<n { ks.set(Entry(key: key(i), value: .int(Int64(i)))) }
        XCTAssertEqual(ks.count, n)
        XCTAssertGreaterThan(ks.segmentCount, 100, "segments must split as the keyspace grows")
        for i in stride(from: 0, to: n, by: 7) {
            guard case .int(let v) = value(ks, key(i)) else { return XCTFail("missing \(i)") }
            XCTAssertEqual(v, Int64(i))
        }
        for i in stride(from: 0, to: n, by: 2) { _ = key(i).withUnsafeBytes { ks.remove($0) } }
        XCTAssertEqual(ks.count, n / 2)
        for i in 0..<1000 { XCTAssertEqual(value(ks, key(i)) == nil, i % 2 == 0) }
    }

    /// The directory doubles past `nextDirThreshold` by swapping in the one built ahead a slice per split: every
    /// key stays findable across doublings, and the part built ahead always equals the live directory doubled.
    func testDirectoryBuiltAheadMatchesTheLiveOneAcrossDoublings() {
        var ks = Keyspace()
        var depths: Set<Int> = []
        var checked = 0
        var i = 0
        while ks.dir.count < Keyspace.nextDirThreshold * 4 {
            ks.set(Entry(key: key(i), value: .int(Int64(i))))
            i += 1
            if !ks.nextDir.isEmpty && (i % 5_000 == 0 || !depths.contains(ks.globalDepth)) {
                depths.insert(ks.globalDepth)
                XCTAssertEqual(ks.nextDir.count, ks.dir.count * 2)
                for j in 0..<ks.nextDirFilled where ks.nextDir[2 * j] != ks.dir[j] || ks.nextDir[2 * j + 1] != ks.dir[j] {
                    return XCTFail("next directory entry \(j) differs at depth \(ks.globalDepth)")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(depths.count, 2, "two doublings swapped in a directory built ahead")
        XCTAssertGreaterThan(checked, 2)
        XCTAssertEqual(ks.count, i)
        for j in 0..<i {
            guard case .int(let v) = value(ks, key(j)) else { return XCTFail("missing \(j) of \(i)") }
            XCTAssertEqual(v, Int64(j))
        }
    }

    /// A keyspace laid out for RESIZEDB's count takes that many keys without a split, holds every key, and
    /// still splits and scans as usual when more keys come than were announced.
    func testReservedKeyspaceHoldsKeysAndGrowsPastTheHint() {
        var ks = Keyspace()
        let n = 100_000
        ks.reserveCapacity(n)
        let segments = ks.segmentCount
        XCTAssertGreaterThan(segments, 100)
        XCTAssertEqual(ks.count, 0)
        for i in 0..<n { ks.set(Entry(key: key(i), value: .int(Int64(i)))) }
        // The hash is seeded at random per process, so a segment may now and then draw more than it holds
        // (about one run in thirty at this size, for a uniform hash); what the reservation must avoid is splitting as a rule.
        XCTAssertLessThanOrEqual(ks.segmentCount, segments + segments / 100,
                                 "at most an odd segment splits while loading the announced keys")
        for i in 0..<(3 * n) { ks.set(Entry(key: key(i), value: .int(Int64(i)))) }
        XCTAssertEqual(ks.count, 3 * n)
        XCTAssertGreaterThan(ks.segmentCount, segments)
        for i in stride(from: 0, to: 3 * n, by: 11) {
            guard case .int(let v) = value(ks, key(i)) else { return XCTFail("missing \(i)") }
            XCTAssertEqual(v, Int64(i))
        }
        var seen = 0
        ks.forEach { _ in seen += 1 }
        XCTAssertEqual(seen, 3 * n)

        // Room for the spread of the hash, not several times the keys: a replica keeps what its load reserved.
        for hint in [n, 1_000_000] {
            var sized = Keyspace()
            sized.reserveCapacity(hint)
            XCTAssertLessThan(sized.entrySlots, hint * 3 / 2, "slots reserved for \(hint) keys")
        }

        var small = Keyspace()
        small.reserveCapacity(10)
        XCTAssertEqual(small.segmentCount, 1, "a small hint keeps the one starting segment")
        ks.reserveCapacity(n)
        XCTAssertEqual(ks.count, 3 * n, "a keyspace holding keys is left as it is")
    }

    /// `insert` moves an entry in, or hands it back untouched when the key exists and may not be replaced.
    func testInsertRefusesOrReplacesAnExistingKey() {
        var ks = Keyspace()
        var e = Entry(key: key(1), value: .int(1))
        e.access = 7
        XCTAssertNil(ks.insert(e, replacing: false))
        XCTAssertEqual(key(1).withUnsafeBytes { ks.access($0) }, 7)
        let refused = ks.insert(Entry(key: key(1), value: .int(2)), replacing: false)
        guard case .int(2) = refused?.value else { return XCTFail("the refused entry comes back") }
        guard case .int(1) = value(ks, key(1)) else { return XCTFail("the first entry stays") }
        XCTAssertNil(ks.insert(Entry(key: key(1), value: .int(3)), replacing: true))
        guard case .int(3) = value(ks, key(1)) else { return XCTFail("replaced") }
        XCTAssertEqual(ks.count, 1)
    }

    /// A loader's path: keys hashed beforehand and their segments prefetched some keys ahead, while inserts in
    /// between grow and split those segments, which must change nothing.
    func testInsertWithHashAfterPrefetch() {
        var ks = Keyspace()
        let hashes = (0..<5000).map { key($0).withUnsafeBytes { KeyHash.hash($0) } }
        for i in 0..<5000 {
            for (s, stage) in Keyspace.PrefetchStage.allCases.enumerated() where i + 8 * (4 - s) < 5000 {
                ks.prefetch(hash: hashes[i + 8 * (4 - s)], stage)
            }
            XCTAssertNil(ks.insert(Entry(key: key(i), value: .int(Int64(i))), hash: hashes[i], replacing: false))
        }
        XCTAssertEqual(ks.count, 5000)
        for i in 0..<5000 {
            guard case .int(let v) = value(ks, key(i)) else { return XCTFail("key \(i) missing") }
            XCTAssertEqual(v, Int64(i))
        }
        XCTAssertNotNil(ks.insert(Entry(key: key(7), value: .int(0)), hash: hashes[7], replacing: false))
    }

    func testScanReturnsEveryKeyDespiteGrowth() {
        var ks = Keyspace()
        for i in 0..<5000 { ks.set(Entry(key: key(i), value: .int(0))) }
        var seen = Set<[UInt8]>()
        var cursor: UInt64 = 0
        var calls = 0
        var next = 5000
        repeat {
            cursor = ks.scan(cursor: cursor, count: 10) { seen.insert($0.key) }
            // Keys added while the scan runs force segment splits between calls.
            for _ in 0..<30 { ks.set(Entry(key: key(next), value: .int(0))); next += 1 }
            calls += 1
        } while cursor != 0 && calls < 1_000_000
        XCTAssertEqual(cursor, 0)
        for i in 0..<5000 { XCTAssertTrue(seen.contains(key(i)), "key \(i) missed") }
    }

    func testRemoveExpiredAndVolatileCount() {
        var ks = Keyspace()
        for i in 0..<3000 { ks.set(Entry(key: key(i), value: .int(0), expireAt: i < 1000 ? 100 : (i < 2000 ? 10_000 : -1))) }
        XCTAssertEqual(ks.volatileCount, 2000)
        var removed = 0
        var cursor = 0
        for _ in 0..<ks.segmentCount { cursor = ks.removeExpired(now: 500, from: cursor, budget: 4) { _ in removed += 1 } }
        XCTAssertEqual(removed, 1000)
        XCTAssertEqual(ks.count, 2000)
        XCTAssertEqual(ks.volatileCount, 1000)
    }

    func testLazyExpiryThroughDatabase() {
        let engine = Engine()
        let db = engine.dbs[0]
        let k: [UInt8] = Array("k".utf8)
        k.withUnsafeBytes { db.set($0, .int(1), expireAt: engine.now - 1) }
        XCTAssertEqual(db.count, 1)
        XCTAssertNil(k.withUnsafeBytes { db.lookupRead($0) })
        XCTAssertEqual(db.count, 0)
        XCTAssertEqual(engine.stats.expiredKeys, 1)
    }

    func testRandomEntryCoversKeys() {
        var ks = Keyspace()
        for i in 0..<10 { ks.set(Entry(key: key(i), value: .int(0))) }
        var seen = Set<[UInt8]>()
        for _ in 0..<2000 { if let e = ks.randomEntry() { seen.insert(e.key) } }
        XCTAssertEqual(seen.count, 10)
        XCTAssertNil(Keyspace().randomEntry())
    }

    /// Random inserts, overwrites and deletes against a dictionary model: the dense entries, the 2-byte index
    /// and its backward-shift deletion must agree with it after every kind of change, splits included.
    func testRandomEditsAgreeWithModel() {
        var ks = Keyspace()
        var model: [[UInt8]: Int64] = [:]
        var rng = SystemRandomNumberGenerator()
        for step in 0..<120_000 {
            let k = key(Int.random(in: 0..<30_000, using: &rng))
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<6:
                ks.set(Entry(key: k, value: .int(Int64(step)), expireAt: step % 7 == 0 ? 5 : -1))
                model[k] = Int64(step)
            default:
                let removed = k.withUnsafeBytes { ks.remove($0) }
                XCTAssertEqual(removed, model.removeValue(forKey: k) != nil)
            }
        }
        XCTAssertEqual(ks.count, model.count)
        var seen = 0
        ks.forEach { e in
            seen += 1
            guard case .int(let v) = e.value else { return XCTFail("bad value") }
            XCTAssertEqual(model[e.key], v)
        }
        XCTAssertEqual(seen, model.count)
        for (k, v) in model {
            guard case .int(let got)? = value(ks, k) else { return XCTFail("lost key") }
            XCTAssertEqual(got, v)
        }
    }
}
