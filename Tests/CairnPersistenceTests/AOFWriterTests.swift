import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import CairnPersistence
import CairnEngine

/// The writer thread under `appendfsync always`: bytes become durable whether or not the loop commits them,
/// in order, and the offsets it publishes never run ahead of the file.
final class AOFWriterTests: XCTestCase {
    private var path = ""

    override func setUp() {
        super.setUp()
        var template = Array("/tmp/cairn-aofwriter-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        close(fd)
        path = String(cString: template)
    }

    override func tearDown() {
        unlink(path)
        super.tearDown()
    }

    private func waitDurable(_ writer: AOFWriter, _ offset: Int) {
        let deadline = Date().addingTimeInterval(10)
        while writer.durableOffset < offset && Date() < deadline { usleep(100) }
        XCTAssertGreaterThanOrEqual(writer.durableOffset, offset)
    }

    private func fileText() -> String {
        String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data(), as: UTF8.self)
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
        XCTAssertEqual(fileText(), "one;two;three;")
        writer.stop()
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
        XCTAssertEqual(fileText(), expected)
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
}
