import XCTest
import CairnEngine
@testable import CairnPersistence

/// The loader hands keys over in batches, each key hashed on the reader thread and its segment prefetched some
/// keys ahead; a database switch or a RESIZEDB hint (which lays the keyspace out anew) can fall inside a batch,
/// and every key must still land in its own database with its deadline and access field.
final class RDBLoadBatchTests: XCTestCase {
    func testKeysOfSeveralDatabasesAcrossBatches() throws {
        let out = RDBOutput()
        let w = RDBWriter(out: out, options: RDBWriteOptions())
        try w.header()
        let layout = [(db: 0, keys: 3000), (db: 3, keys: 700), (db: 1, keys: 2500)]
        let deadline: Int64 = 4_000_000_000_000
        for (db, n) in layout {
            w.selectDB(db, keys: n, expires: n / 3)
            for i in 0..<n {
                // Keys short enough to sit inline and long enough for the heap, some with a deadline.
                let key = Array("db\(db):\(i)".utf8) + (i % 5 == 0 ? Array(repeating: UInt8(ascii: "k"), count: 30) : [])
                try w.entry(key: key, value: .int(Int64(db * 100_000 + i)), expireAt: i % 3 == 0 ? deadline + Int64(i) : -1,
                            idleSeconds: 100)
            }
        }
        try w.end()

        let (engine, summary) = try loadEngine(out.buffer)
        XCTAssertEqual(summary.keysLoaded, 6200)
        let clock = engine.accessClock
        for (db, n) in layout {
            let keys = engine.dbs[db].keys
            XCTAssertEqual(keys.count, n)
            XCTAssertEqual(keys.volatileCount, (n + 2) / 3)
            for i in 0..<n {
                let key = Array("db\(db):\(i)".utf8) + (i % 5 == 0 ? Array(repeating: UInt8(ascii: "k"), count: 30) : [])
                let found = key.withUnsafeBytes { keys.lookup($0) }
                guard case .int(let v)? = found?.value else { return XCTFail("db \(db) key \(i) missing") }
                XCTAssertEqual(v, Int64(db * 100_000 + i))
                XCTAssertEqual(found?.expireAt, i % 3 == 0 ? deadline + Int64(i) : -1)
                let idle = key.withUnsafeBytes { keys.access($0) }.map { clock.idleMilliseconds($0) / 1000 }
                XCTAssertTrue((100...102).contains(idle ?? -1), "idle \(String(describing: idle))")
            }
        }
        XCTAssertEqual(engine.dbs[2].count, 0)
    }
}
