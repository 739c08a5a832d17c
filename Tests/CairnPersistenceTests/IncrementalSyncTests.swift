import XCTest
import CairnEngine
@testable import CairnPersistence

/// rdb-save-incremental-fsync: a dump is synced every 4 MB while it is written.
final class IncrementalSyncTests: XCTestCase {
    /// The file is synced once 4 MB are written, not before. /dev/null takes the writes but refuses fdatasync
    /// (EINVAL), so the sync shows as the save's error.
    func testSyncsEveryFourMegabytes() throws {
        let fd = open("/dev/null", O_WRONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        let chunk = [UInt8](repeating: 7, count: RDBOutput.syncStep - 1)
        let plain = RDBOutput(fileDescriptor: fd)
        try plain.append(chunk)
        try plain.append([1, 2])
        try plain.flush()

        let out = RDBOutput(fileDescriptor: fd, incrementalSync: true)
        try out.append(chunk)
        try out.flush()
        try out.append([1])
        XCTAssertThrowsError(try out.flush()) { error in
            let e = error as? RDBError
            XCTAssertEqual(e?.offset, RDBOutput.syncStep)
            XCTAssertTrue(e?.reason.hasPrefix("sync error") ?? false, "\(error)")
        }
    }

    /// A dump of several steps saved with the option loads back whole.
    func testDumpSavedIncrementallyLoadsBack() throws {
        let engine = Engine()
        // Random bytes do not compress: 4,000 values of 4 KB are three 4 MB steps and most of a fourth.
        var rng = SystemRandomNumberGenerator()
        var values: [[UInt8]] = []
        for i in 0..<4000 {
            var value = [UInt8](repeating: 0, count: 4096)
            value.withUnsafeMutableBytes { b in
                for w in 0..<512 { b.storeBytes(of: rng.next() as UInt64, toByteOffset: w * 8, as: UInt64.self) }
            }
            values.append(value)
            engine.dbs[0].keys.set(Entry(key: Array("key:\(i)".utf8), value: .string(value)))
        }
        let path = NSTemporaryDirectory() + "cairn-incremental-\(getpid()).rdb"
        defer { unlink(path) }
        try Snapshot(of: engine).save(to: path, options: RDBWriteOptions(incrementalSync: true))
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertGreaterThan(bytes.count, 3 * RDBOutput.syncStep)
        let (again, _) = try loadEngine(bytes)
        XCTAssertEqual(again.dbs[0].count, 4000)
        for i in 0..<4000 {
            let loaded = Array("key:\(i)".utf8).withUnsafeBytes { again.dbs[0].keys.lookup($0) }
            XCTAssertEqual(loaded?.value.stringBytes, values[i], "key:\(i)")
        }
    }
}
