import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import CairnPersistence
import CairnEngine

/// The writer thread under `appendfsync always`: bytes become durable whether or not the loop commits them,
/// in order, and the offsets it publishes never run ahead of the file.
final class AOFWriterTests: TemporaryFileTestCase {
    private func waitDurable(_ writer: AOFWriter, _ offset: Int) {
        let deadline = Date().addingTimeInterval(10)
        while writer.durableOffset < offset && Date() < deadline { usleep(100) }
        XCTAssertGreaterThanOrEqual(writer.durableOffset, offset)
    }

    private func fileText() -> String {
        String(decoding: fileBytes(), as: UTF8.self)
    }

    private func fileBytes() -> [UInt8] {
        Array((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data())
    }

    /// The file's text without the fillers `always` writes after a record that ends on a padding line's CR or
    /// LF (the texts these tests write have no `#`).
    private func recordsText() -> String {
        fileText().replacingOccurrences(of: "#\r\n", with: "")
    }

    /// Every line from `offset` on is a padding or filler line as Redis's loader reads lines: starting with
    /// `#`, ending in CRLF, shorter than its 1,024-byte line buffer.
    private func assertPadding(_ bytes: [UInt8], from offset: Int, file: StaticString = #filePath, line: UInt = #line) {
        var i = offset
        while i < bytes.count {
            guard let lf = bytes[i...].firstIndex(of: 10) else { return XCTFail("padding ends without a line end at \(i)", file: file, line: line) }
            let text = bytes[i...lf]
            XCTAssertEqual(text.first, UInt8(ascii: "#"), "line at \(i)", file: file, line: line)
            XCTAssertEqual(text.dropLast().last, 13, "line at \(i)", file: file, line: line)
            XCTAssertLessThan(text.count, 1024, file: file, line: line)
            XCTAssertTrue(text.dropLast(2).allSatisfy { $0 == UInt8(ascii: "#") }, "line at \(i)", file: file, line: line)
            i = lf + 1
        }
    }

    func testUncommittedWritesAreSyncedAfterTheBoundedWait() {
        let writer = AOFWriter(fd: open(path, O_WRONLY | O_APPEND), policy: .always)
        Array("one;".utf8).withUnsafeBytes { _ = writer.append($0, commitAt: 0) }
        waitDurable(writer, 4)
        // Nobody commits these: the writer still syncs them once its wait for company runs out.
        for part in ["two;", "three;"] {
            let offset = Array(part.utf8).withUnsafeBytes { writer.append($0) }
            waitDurable(writer, offset)
        }
        XCTAssertEqual(writer.durableOffset, writer.queuedOffset)
        writer.stop()
        XCTAssertEqual(recordsText(), "one;two;three;")
    }

    func testASteadyStreamOfUncommittedWritesStillGetsSynced() {
        // The wait for company goes on while writes keep coming, but only for a bounded number of slices:
        // writes arriving without pause and never committed still become durable.
        let writer = AOFWriter(fd: open(path, O_WRONLY | O_APPEND), policy: .always)
        Array("first;".utf8).withUnsafeBytes { _ = writer.append($0, commitAt: 0) }
        waitDurable(writer, 6)
        let target = Array("x;".utf8).withUnsafeBytes { writer.append($0) }
        let deadline = Date().addingTimeInterval(30)
        while writer.durableOffset < target && Date() < deadline {
            Array("y;".utf8).withUnsafeBytes { _ = writer.append($0) }
            usleep(100)
        }
        XCTAssertGreaterThanOrEqual(writer.durableOffset, target)
        writer.stop()
    }

    func testDurableOffsetNeverPassesTheFile() {
        let writer = AOFWriter(fd: open(path, O_WRONLY | O_APPEND), policy: .always)
        var expected = ""
        for i in 0..<200 {
            let part = "\(i),"
            expected += part
            Array(part.utf8).withUnsafeBytes { _ = writer.append($0, commitAt: i % 3 == 0 ? writer.durableOffset : nil) }
            let durable = writer.durableOffset
            XCTAssertLessThanOrEqual(durable, writer.queuedOffset)
            var st = stat()
            XCTAssertEqual(stat(path, &st), 0)
            XCTAssertLessThanOrEqual(durable, Int(st.st_size), "acknowledged bytes must be in the file")
        }
        waitDurable(writer, expected.utf8.count)
        writer.stop()
        XCTAssertEqual(recordsText(), expected)
    }

    func testHandedOverBuffersKeepTheirOrderAmongCopiedBytes() {
        // The loop hands over its encoding buffer's memory and keeps the object; copied appends (annotations)
        // fall between them. With `no` the thread gathers a burst, so a write usually takes more buffers than
        // one writev call carries (64); the file must hold every byte once, in order.
        let writer = AOFWriter(fd: open(path, O_WRONLY | O_APPEND), policy: .no)
        let buffer = ScratchBytes()
        var expected = ""
        for i in 0..<300 {
            let part = "[\(i)]"
            expected += part
            Array(part.utf8).withUnsafeBytes { bytes in
                buffer.append(bytes.count) { $0.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            }
            let offset = writer.append(takingContentsOf: buffer)
            XCTAssertEqual(buffer.count, 0, "the bytes went with the memory")
            XCTAssertEqual(offset, expected.utf8.count)
            if i % 7 == 0 {
                expected += "#"
                Array("#".utf8).withUnsafeBytes { _ = writer.append($0) }
            }
        }
        XCTAssertEqual(writer.append(takingContentsOf: buffer), expected.utf8.count, "an empty buffer adds nothing")
        writer.flush()
        writer.stop()
        XCTAssertEqual(fileText(), expected)
    }

    func testAlwaysWritesOverPaddingReservedAheadAndCutsItOnStop() {
        let fd = open(path, O_WRONLY | O_APPEND)
        Array("start;".utf8).withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
        let writer = AOFWriter(fd: fd, policy: .always)
        var expected = "start;"
        for i in 0..<50 {
            let part = "record \(i);"
            expected += part
            let offset = Array(part.utf8).withUnsafeBytes { writer.append($0, commitAt: writer.durableOffset) }
            waitDurable(writer, offset)
        }
        // Written over the reservation, not appended (O_APPEND was cleared), and what follows the last record
        // reads as annotations to the end of the file, which lies at least the reservation past it.
        let bytes = fileBytes()
        let text = String(decoding: bytes, as: UTF8.self)
        let records = text.prefix { $0 != "#" } + text.drop { $0 != "#" }.replacingOccurrences(of: "#\r\n", with: "").prefix { $0 != "#" }
        XCTAssertEqual(String(records), expected)
        XCTAssertGreaterThanOrEqual(bytes.count, expected.utf8.count + 256 * 1024)
        XCTAssertEqual(bytes.count % 4096, 0)
        let recordsEnd = bytes.count - bytes.reversed().prefix { $0 != UInt8(ascii: ";") }.count
        assertPadding(bytes, from: recordsEnd)
        XCTAssertEqual(writer.fileSize, recordsEnd)
        writer.stop()
        XCTAssertEqual(fileBytes().count, recordsEnd, "the reservation is cut off")
        XCTAssertEqual(recordsText(), expected)
    }

    func testARecordEndingOnAPaddingLineEndIsFollowedByAFiller() {
        for end in [510, 511, 509, 512] {
            ftruncate(open(path, O_WRONLY | O_TRUNC), 0)
            let writer = AOFWriter(fd: open(path, O_WRONLY), policy: .always)
            let record = [UInt8](repeating: UInt8(ascii: "x"), count: end - 1) + [UInt8(ascii: ";")]
            let offset = record.withUnsafeBytes { writer.append($0, commitAt: 0) }
            waitDurable(writer, offset)
            let filler = end % 512 >= 510
            assertPadding(fileBytes(), from: end)
            XCTAssertEqual(writer.fileSize, end + (filler ? 3 : 0))
            writer.stop()
            XCTAssertEqual(fileBytes(), record + (filler ? Array("#\r\n".utf8) : []), "record of \(end) bytes")
        }
    }

    func testSwitchingFilesCutsTheOldOneBackToItsRecords() {
        let writer = AOFWriter(fd: open(path, O_WRONLY), policy: .always)
        let offset = Array("old;".utf8).withUnsafeBytes { writer.append($0, commitAt: 0) }
        waitDurable(writer, offset)
        let newPath = path + ".next"
        defer { unlink(newPath) }
        let old = writer.switchFile(to: open(newPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644))
        close(old.fd)
        XCTAssertEqual(old.size, 4)
        XCTAssertEqual(fileText(), "old;")
        let next = Array("new;".utf8).withUnsafeBytes { writer.append($0, commitAt: writer.durableOffset) }
        waitDurable(writer, next)
        XCTAssertEqual(writer.fileSize, 4)
        writer.stop()
        XCTAssertEqual(String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: newPath))) ?? Data(), as: UTF8.self), "new;")
    }

    func testOtherPoliciesAppendWithoutReserving() {
        let writer = AOFWriter(fd: open(path, O_WRONLY | O_APPEND), policy: .everysec)
        let offset = Array("a;".utf8).withUnsafeBytes { writer.append($0) }
        writer.flush()
        XCTAssertEqual(writer.durableOffset, offset)
        XCTAssertEqual(fileText(), "a;")
        writer.stop()
    }

    func testTrailingPaddingRunIsFoundFromTheEnd() {
        let padding = AOFPadding.buffer(count: 4096)
        // Records, then a torn record over the padding, then the rest of the padding to a page boundary.
        var bytes = Array("*1\r\n$4\r\nPING\r\n".utf8)
        let tornAt = bytes.count
        bytes += Array("*3\r\n$3\r\nSE".utf8)
        let paddingAt = bytes.count
        bytes += padding[paddingAt..<4096]
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        XCTAssertEqual(AOFPadding.trailingRunStart(fd: fd, size: bytes.count), paddingAt)
        XCTAssertGreaterThan(paddingAt, tornAt)
        XCTAssertEqual(AOFPadding.trailingRunStart(fd: fd, size: tornAt), tornAt, "no padding at the end")
        XCTAssertTrue(AOFPadding.isPadding(annotation: Array("####".utf8)))
        XCTAssertTrue(AOFPadding.isPadding(annotation: []))
        XCTAssertFalse(AOFPadding.isPadding(annotation: Array("TS:1700000000".utf8)))
        XCTAssertEqual(padding[510], 13)
        XCTAssertEqual(padding[511], 10)
        XCTAssertEqual(padding[512], UInt8(ascii: "#"))
    }
}
