import XCTest
import CairnEngine
@testable import CairnPersistence

/// The loader moves each entry into the keyspace; a key the file holds twice must still be refused by name at
/// startup, and replaced by the later one under DEBUG RELOAD's rules.
final class RDBLoadDuplicateTests: XCTestCase {
    private func dump(_ entries: [(String, Value)]) throws -> [UInt8] {
        let out = RDBOutput()
        let w = RDBWriter(out: out, options: RDBWriteOptions())
        try w.header()
        w.selectDB(0, keys: entries.count, expires: 0)
        for (k, v) in entries { try w.entry(key: Array(k.utf8), value: v, expireAt: -1) }
        try w.end()
        return out.buffer
    }

    func testDuplicateKeyIsRefusedByName() throws {
        let long = String(repeating: "k", count: 40)
        for key in ["short", long] {
            let bytes = try dump([("a", .int(1)), (key, .int(2)), ("b", .int(3)), (key, .int(4))])
            XCTAssertThrowsError(try loadEngine(bytes)) { error in
                let e = error as! RDBError
                XCTAssertEqual(e.reason, "Duplicate key found in RDB file")
                XCTAssertEqual(e.key, Array(key.utf8))
            }
        }
    }

    func testDuplicateKeyReplacesWhenAllowed() throws {
        let bytes = try dump([("k", .int(1)), ("other", .int(2)), ("k", .int(3))])
        let engine = Engine()
        let summary = try RDBLoader.load(RDBInput(bytes: bytes), into: engine, allowDuplicates: true)
        XCTAssertEqual(summary.keysLoaded, 3)
        XCTAssertEqual(engine.dbs[0].count, 2)
        guard case .int(let v) = Array("k".utf8).withUnsafeBytes({ engine.dbs[0].keys.lookup($0)?.value }) else {
            return XCTFail("k missing")
        }
        XCTAssertEqual(v, 3)
    }
}
