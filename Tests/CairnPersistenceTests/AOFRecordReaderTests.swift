import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import CairnPersistence

/// The AOF record reader shared by the loader and the tools: commands, annotations, where a file stops being
/// whole, and reading up to a limit (how the loader reads a record torn over the writer's padding).
final class AOFRecordReaderTests: TemporaryFileTestCase {

    private func records(_ bytes: [UInt8], from start: Int = 0, limit: Int = .max) -> ([AOFRecordReader.Record], AOFRecordReader.ReadError?, Int) {
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        lseek(fd, off_t(start), SEEK_SET)
        var reader = AOFRecordReader(fd: fd, startOffset: start, limit: limit)
        var out: [AOFRecordReader.Record] = []
        do {
            while let r = try reader.next() { out.append(r) }
            return (out, nil, reader.offset)
        } catch {
            return (out, error, reader.offset)
        }
    }

    private let set = Array("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n".utf8)

    func testCommandsAndAnnotations() {
        let (got, error, offset) = records(Array("#TS:1700000000\r\n".utf8) + set + AOFPadding.filler)
        XCTAssertNil(error)
        XCTAssertEqual(got.count, 3)
        guard case .annotation(let ts) = got[0], case .command(let args) = got[1], case .annotation(let filler) = got[2] else {
            return XCTFail("\(got)")
        }
        XCTAssertEqual(ts, Array("TS:1700000000".utf8))
        XCTAssertEqual(args, [Array("SET".utf8), [UInt8(ascii: "a")], [UInt8(ascii: "1")]])
        XCTAssertTrue(AOFPadding.isPadding(annotation: filler))
        XCTAssertEqual(offset, 16 + set.count + 3)
    }

    func testACutRecordIsTruncatedAndGarbageIsAFormatError() {
        XCTAssertEqual(records(set + set.dropLast(4)).1, .truncated(offset: set.count))
        guard case .format(let at, _)? = records(set + Array("garbage\r\n".utf8)).1 else { return XCTFail() }
        XCTAssertEqual(at, set.count)
    }

    func testALimitReadsAsTheEndOfTheFile() {
        // A record torn over padding: read to the end it is damage; read up to the padding it was cut short.
        let padding = AOFPadding.buffer(count: 1024)
        let torn = set + set.prefix(20)
        let file = torn + padding[torn.count..<1024]
        guard case .format? = records(file).1 else { return XCTFail("read to the end: damage") }
        XCTAssertEqual(records(file, limit: torn.count).1, .truncated(offset: set.count))
        let (got, error, offset) = records(file, from: set.count, limit: set.count)
        XCTAssertTrue(got.isEmpty)
        XCTAssertNil(error, "nothing to read before the limit is a clean end")
        XCTAssertEqual(offset, set.count)
    }
}
