import XCTest
@testable import CairnEngine

/// The per-key access field: Redis's LRU clock and LFU counter rules.
final class AccessClockTests: XCTestCase {
    private let t0: Int64 = 1_764_000_000_000

    func testLRUIdleTimeAndWrapAround() {
        let clock = AccessClock(now: t0)
        let stamp = clock.lruClock
        XCTAssertEqual(clock.fresh, stamp)
        XCTAssertEqual(AccessClock(now: t0 + 61_000).idleMilliseconds(stamp), 61_000)
        // A stamp just before the 24-bit clock wrapped: idle time counts across the wrap, as Redis estimates it.
        let wrapped = AccessClock(now: (Int64(AccessClock.lruClockMax) + 1 + 10) * 1000)
        XCTAssertEqual(wrapped.lruClock, 10)
        XCTAssertEqual(wrapped.idleMilliseconds(AccessClock.lruClockMax - 5), 15_000)
        XCTAssertEqual(clock.touched(0), stamp)
    }

    func testLFUCounterStartsAtFiveDecaysAndSaturates() {
        let clock = AccessClock(now: t0, lfu: true, logFactor: 10, decayTime: 1)
        let fresh = clock.fresh
        XCTAssertEqual(fresh & 0xFF, 5)
        XCTAssertEqual(clock.frequency(fresh), 5)
        // One period of decay per lfu-decay-time minutes, never below zero.
        XCTAssertEqual(AccessClock(now: t0 + 3 * 60_000, lfu: true).frequency(fresh), 2)
        XCTAssertEqual(AccessClock(now: t0 + 9 * 60_000, lfu: true).frequency(fresh), 0)
        XCTAssertEqual(AccessClock(now: t0 + 9 * 60_000, lfu: true, decayTime: 0).frequency(fresh), 5)
        XCTAssertEqual(AccessClock(now: t0 + 9 * 60_000, lfu: true, decayTime: 3).frequency(fresh), 2)
        // With log factor 0 every access counts, up to 255, whatever the draw.
        let eager = AccessClock(now: t0, lfu: true, logFactor: 0, draw: UInt64.max)
        var a = fresh
        for _ in 0..<300 { a = eager.touched(a) }
        XCTAssertEqual(a & 0xFF, 255)
        XCTAssertEqual(a >> 8, fresh >> 8)
        // At the initial value the first access always counts; after that the draw decides.
        XCTAssertEqual(AccessClock(now: t0, lfu: true, draw: UInt64.max).touched(fresh) & 0xFF, 6)
        XCTAssertEqual(AccessClock(now: t0, lfu: true, draw: UInt64.max).touched(fresh + 1) & 0xFF, 6)
        XCTAssertEqual(AccessClock(now: t0, lfu: true, draw: 0).touched(fresh + 1) & 0xFF, 7)
        // With the default factor, a hundred accesses raise a new key's counter only a little.
        var rng = SplitMix64(seed: 42)
        var b = fresh
        for _ in 0..<100 { b = AccessClock(now: t0, lfu: true, draw: rng.next()).touched(b) }
        XCTAssertGreaterThan(b & 0xFF, 5)
        XCTAssertLessThan(b & 0xFF, 20)
    }

    func testLookupTouchesUnlessASnapshotHoldsTheSegment() {
        var ks = Keyspace()
        let k = Bytes("k")
        let old = AccessClock(now: t0)
        k.withUnsafeBytes { kb in ks.withEntry(kb, access: old.fresh) { $0 = Entry(key: kb, value: .int(1)) } }
        XCTAssertEqual(k.withUnsafeBytes { ks.access($0) }, old.lruClock)
        let later = AccessClock(now: t0 + 5000)
        _ = k.withUnsafeBytes { ks.lookup($0, touching: later) }
        XCTAssertEqual(k.withUnsafeBytes { ks.access($0) }, later.lruClock)

        let captured = ks
        _ = k.withUnsafeBytes { ks.lookup($0, touching: AccessClock(now: t0 + 9000)) }
        XCTAssertEqual(k.withUnsafeBytes { ks.access($0) }, later.lruClock, "a shared segment must not be written")
        XCTAssertEqual(k.withUnsafeBytes { captured.access($0) }, later.lruClock)
    }

    func testSampleVisitsDistinctEntries() {
        var rng = SystemRandomNumberGenerator()
        var ks = Keyspace()
        for i in 0..<5000 { ks.set(Entry(key: Bytes(string: "key:\(i)"), value: .int(0))) }
        for n in [1, 5, 16, 64] {
            var keys = Set<Bytes>()
            ks.sample(n, using: &rng) { s, _ in keys.insert(Slot.withKey(at: s) { Bytes($0) }) }
            XCTAssertEqual(keys.count, n)
        }
        var few = Keyspace()
        few.set(Entry(key: Bytes("only"), value: .int(0)))
        var visits = 0
        few.sample(5, using: &rng) { _, _ in visits += 1 }
        XCTAssertEqual(visits, 1)
        var empty = Keyspace()
        empty.sample(5, using: &rng) { _, _ in XCTFail("empty keyspace") }
    }

    /// A sample's place is drawn two samples ahead: when the keyspace shrinks in between, a place past its
    /// segments or entries must be drawn anew, never read.
    func testSampleAfterTheKeyspaceShrinks() {
        var rng = SystemRandomNumberGenerator()
        var ks = Keyspace()
        for i in 0..<5000 { ks.set(Entry(key: Bytes(string: "key:\(i)"), value: .int(0))) }
        for _ in 0..<4 { ks.sample(5, using: &rng) { _, _ in } }
        for i in 0..<4990 { _ = Bytes(string: "key:\(i)").withUnsafeBytes { ks.remove($0) } }
        for _ in 0..<50 {
            var keys = Set<Bytes>()
            ks.sample(5, using: &rng) { s, _ in keys.insert(Slot.withKey(at: s) { Bytes($0) }) }
            XCTAssertEqual(keys.count, 5)
            XCTAssertTrue(keys.allSatisfy { k in k.withUnsafeBytes { ks.lookup($0) != nil } })
        }
        ks.removeAll()
        ks.set(Entry(key: Bytes("only"), value: .int(0)))
        for _ in 0..<4 {
            var visits = 0
            ks.sample(5, using: &rng) { _, _ in visits += 1 }
            XCTAssertEqual(visits, 1)
        }
    }
}
