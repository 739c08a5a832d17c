import XCTest
import RESP
import CairnEngine
@testable import CairnPersistence

/// Hand-built files for the opcodes and dialects no fixture carries.
final class RDBDialectTests: XCTestCase {
    func file(_ header: String, _ body: [UInt8], checksum: Bool = true) -> [UInt8] {
        var f = Array(header.utf8) + body + [0xFF]
        f += checksum ? withUnsafeBytes(of: CRC64.checksum(f).littleEndian, Array.init) : [UInt8](repeating: 0, count: 8)
        return f
    }

    func str(_ s: String) -> [UInt8] { [UInt8(s.utf8.count)] + Array(s.utf8) }

    func testLegacyTypesAndOpcodes() throws {
        var body: [UInt8] = []
        body += [0xFD] + withUnsafeBytes(of: Int32(2_000_000_000).littleEndian, Array.init)   // EXPIRETIME (s)
        body += [RDBType.list] + str("l") + [2] + str("a") + str("b")
        body += [0xF8, 5]                                                                     // IDLE
        body += [0xF9, 7]                                                                     // FREQ
        body += [RDBType.zset] + str("z") + [3] + str("x") + str("1.5") + str("y") + [254] + str("w") + [255]
        body += [0xF5] + str("#!lua name=lib\n")                                              // FUNCTION2
        body += [RDBType.set] + str("s") + [2] + str("1") + str("2")
        let (engine, _) = try loadEngine(file("REDIS0009", body))
        let db = engine.dbs[0]
        let (l, exp) = try XCTUnwrap(Array("l".utf8).withUnsafeBytes { db.keys.lookup($0) })
        XCTAssertEqual(exp, 2_000_000_000_000)
        XCTAssertEqual(l.encodingName.description, "listpack")
        guard case .zset(let z) = try XCTUnwrap(Array("z".utf8).withUnsafeBytes { db.keys.lookup($0) }).value else { return XCTFail() }
        XCTAssertEqual(z.score(Array("y".utf8)), .infinity)
        XCTAssertEqual(z.score(Array("w".utf8)), -.infinity)
        XCTAssertEqual(z.score(Array("x".utf8)), 1.5)
        XCTAssertEqual(Array("s".utf8).withUnsafeBytes { db.keys.lookup($0) }?.value.encodingName.description, "intset")
        XCTAssertEqual(engine.persistedFunctions, [Array("#!lua name=lib\n".utf8)])
    }

    /// An intset blob is kept as the file has it up to set-max-intset-entries, converted past it, and refused
    /// when its values are not strictly ascending.
    func testIntsetBlobKeptConvertedOrRefused() throws {
        func intset(_ values: [Int64]) -> [UInt8] {
            let blob = IntsetCodec.encode(values)
            return [RDBType.setIntset] + str("s") + [UInt8(blob.count)] + blob
        }
        let small = try file("REDIS0009", intset([-3, 7, 40_000]))
        let (engine, _) = try loadEngine(small)
        guard case .set(let s) = try XCTUnwrap(Array("s".utf8).withUnsafeBytes { engine.dbs[0].keys.lookup($0) }).value else { return XCTFail() }
        XCTAssertEqual(s.intsetValues, [-3, 7, 40_000])

        let limited = Engine()
        limited.settings.setMaxIntsetEntries = 2
        _ = try RDBLoader.load(RDBInput(bytes: small), into: limited)
        guard case .set(let t) = try XCTUnwrap(Array("s".utf8).withUnsafeBytes { limited.dbs[0].keys.lookup($0) }).value else { return XCTFail() }
        XCTAssertEqual(t.encodingName.description, "hashtable")
        XCTAssertEqual(t.count, 3)

        var descending = intset([1, 2])
        descending.swapAt(descending.count - 4, descending.count - 2)
        XCTAssertThrowsError(try loadEngine(file("REDIS0009", descending))) {
            XCTAssertTrue(($0 as! RDBError).reason.contains("ascending"))
        }
    }

    func testNaNScoreAndDuplicatesAreCorrupt() {
        let nan: [UInt8] = [RDBType.zset] + str("z") + [1] + str("x") + [253]
        XCTAssertThrowsError(try loadEngine(file("REDIS0009", nan)))
        let dup: [UInt8] = [RDBType.set] + str("s") + [2] + str("a") + str("a")
        XCTAssertThrowsError(try loadEngine(file("REDIS0009", dup)))
        let dupKey: [UInt8] = [0] + str("k") + str("1") + [0] + str("k") + str("2")
        XCTAssertThrowsError(try loadEngine(file("REDIS0009", dupKey))) { XCTAssertTrue(($0 as! RDBError).reason.contains("Duplicate key")) }
    }

    func testNewerDialects() throws {
        let plain: [UInt8] = [0] + str("k") + str("v")
        XCTAssertEqual(try loadEngine(file("REDIS0012", plain)).0.dbs[0].count, 1)
        XCTAssertEqual(try loadEngine(file("VALKEY080", plain)).0.dbs[0].count, 1)
        // Redis 7.4 hash with field TTLs, and Valkey 9's HASH_2 (the same byte, another meaning).
        XCTAssertThrowsError(try loadEngine(file("REDIS0012", [24] + str("h") + [0]))) { e in
            let err = e as! RDBError
            XCTAssertEqual(err.key, Array("h".utf8))
            XCTAssertEqual(err.offset, 9)
            XCTAssertTrue(err.reason.contains("type 24"), err.reason)
        }
        XCTAssertThrowsError(try loadEngine(file("VALKEY080", [22] + str("h") + [0]))) { e in
            XCTAssertTrue((e as! RDBError).reason.contains("Valkey RDB type 22"))
        }
        XCTAssertThrowsError(try loadEngine(file("REDIS0014", plain)))
        XCTAssertThrowsError(try loadEngine(file("VALKEY079", plain)))
        XCTAssertThrowsError(try loadEngine(file("RUBIS0011", plain)))
    }

    func testModuleAuxIsRefusedWithItsName() {
        // Module id for "mymodule0" is not needed: any id names some 9-character type.
        let aux: [UInt8] = [0xF7, 0x81, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 5, 0]
        XCTAssertThrowsError(try loadEngine(file("REDIS0011", aux))) { e in
            XCTAssertTrue((e as! RDBError).reason.contains("AUX module data"))
        }
    }

    func testEmptyCollectionsAreSkipped() throws {
        let body: [UInt8] = [RDBType.list] + str("l") + [0] + [0] + str("k") + str("v")
        let (engine, summary) = try loadEngine(file("REDIS0009", body))
        XCTAssertEqual(engine.dbs[0].count, 1)
        XCTAssertEqual(summary.emptySkipped, 1)
    }
}
