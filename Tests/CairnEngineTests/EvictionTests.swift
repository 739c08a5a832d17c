import XCTest
@testable import CairnEngine

/// The eviction pool's ordering, the access hints of loads and restores, and the engine's OOM decision.
final class EvictionTests: XCTestCase {
    func testPoolKeepsTheSixteenHighestScoresInOrder() {
        let pool = EvictionPool()
        for score in [5, 1, 9, 3, 7] as [UInt64] {
            Bytes(string: "k\(score)").withUnsafeBytes { pool.offer(score: score, key: $0, db: 0) }
        }
        XCTAssertEqual(pool.orderedScores, [1, 3, 5, 7, 9])
        for score in 10..<30 as Range<UInt64> {
            Bytes(string: "k\(score)").withUnsafeBytes { pool.offer(score: score, key: $0, db: 1) }
        }
        XCTAssertEqual(pool.orderedScores, Array(14..<30))
        XCTAssertFalse(pool.accepts(14), "no better than the worst pooled candidate")
        XCTAssertTrue(pool.accepts(15))
        let best = pool.popBest { (Bytes($0), $1) }
        XCTAssertEqual(best?.0, Bytes(string: "k29"))
        XCTAssertEqual(best?.1, 1)
        XCTAssertEqual(pool.count, 15)
        // A freed slot is reused; a key longer than the cached buffers round-trips too.
        let long = Bytes(repeating: 120, count: 1000)
        long.withUnsafeBytes { pool.offer(score: 100, key: $0, db: 2) }
        XCTAssertEqual(pool.popBest { (Bytes($0), $1) }?.0, long)
        Bytes().withUnsafeBytes { pool.offer(score: 101, key: $0, db: 3) }
        XCTAssertEqual(pool.popBest { (Bytes($0), $1) }?.0, [])
        XCTAssertEqual(pool.orderedScores, Array(14..<29))
        while pool.popBest({ _, _ in () }) != nil {}
        XCTAssertEqual(pool.count, 0)
    }

    func testRestoredAccessFollowsThePolicy() {
        let now: Int64 = 1_764_000_000_000
        let lru = AccessClock(now: now)
        XCTAssertEqual(lru.idleMilliseconds(lru.restored(idleSeconds: 300, frequency: 9)), 300_000)
        XCTAssertEqual(lru.restored(idleSeconds: nil, frequency: 9), lru.fresh)
        let lfu = AccessClock(now: now, lfu: true)
        XCTAssertEqual(lfu.frequency(lfu.restored(idleSeconds: 300, frequency: 42)), 42)
        XCTAssertEqual(lfu.restored(idleSeconds: 300, frequency: nil), lfu.fresh)
        // An idle time longer than the clock's age wraps as Redis's objectSetLRUOrLFU does.
        let early = AccessClock(now: 10_000)
        XCTAssertEqual(early.idleMilliseconds(early.restored(idleSeconds: 20, frequency: nil)), 20_000)
    }

    func testOverTheLimitEvictsOrRefuses() {
        let engine = Engine()
        let client = engine.makeClient()
        func run(_ args: String...) -> String {
            client.reply.bytes.removeAll(keepingCapacity: true)
            OwnedArgs(args.map { Bytes(string: $0) }).withArgs { engine.execute(client, $0) }
            return String(decoding: client.reply.bytes, as: UTF8.self)
        }
        for i in 0..<100 { _ = run("SET", "key:\(i)", "value") }
        _ = run("SET", "ttl", "v", "EX", "100")
        engine.settings.maxmemory = 1
        XCTAssertEqual(run("SET", "x", "1"), "-OOM command not allowed when used memory > 'maxmemory'.\r\n")
        XCTAssertEqual(run("GET", "key:1"), "$5\r\nvalue\r\n")
        XCTAssertEqual(run("MULTI"), "+OK\r\n")
        XCTAssertEqual(run("GET", "key:1"), "-OOM command not allowed when used memory > 'maxmemory'.\r\n")
        XCTAssertEqual(run("DISCARD"), "+OK\r\n")
        engine.settings.evictionPolicy = .volatileTTL
        _ = run("GET", "key:1")
        XCTAssertEqual(engine.eviction.evictedKeys, 1, "only the key with a deadline may go")
        XCTAssertEqual(engine.dbs[0].count, 100)
        engine.settings.evictionPolicy = .allkeysLRU
        // No time limit, so one command evicts everything (a debug build is slow).
        engine.settings.maxmemoryEvictionTenacity = 100
        XCTAssertTrue(run("SET", "x", "1").hasPrefix("-OOM"), "nothing left to evict")
        XCTAssertEqual(engine.dbs[0].count, 0)
        XCTAssertEqual(engine.eviction.evictedKeys, 101)
        engine.settings.maxmemory = 0
        XCTAssertEqual(run("SET", "x", "1"), "+OK\r\n")
    }
}
