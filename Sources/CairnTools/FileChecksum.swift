#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import CairnPersistence

/// The CRC-64 of an RDB file's bytes before its trailing checksum, computed on a thread of its own
/// ("cairn-crc") from its own reads of the file, so the decoder of an export (the busier of its two threads)
/// folds none itself (`RDBInput.crcOfFirst`). The file is in the page cache once the decoder has read it, and a
/// second read costs far less than the CRC-64 it moves off the decoder.
final class FileChecksum: @unchecked Sendable {
    private let fd: Int32
    /// The bytes the thread covers: all but the last 8, which is where a well-formed file ends its data.
    private let length: Int
    private let done = DispatchSemaphore(value: 0)
    private let cancelled = Atomic<Bool>(false)
    /// Written by the thread before it signals `done`, read after waiting for it.
    private var result: UInt64? = nil
    /// Touched by the caller's thread only.
    private var finished = false

    /// `fd` must stay open until `finish` returns; reads use pread, so the caller's own reads are undisturbed.
    init(fd: Int32, fileSize: Int) {
        self.fd = fd
        length = max(fileSize - 8, 0)
        let job = BackgroundJob(name: "cairn-crc", yielding: false) { [self] in run() }
        // Without a thread the CRC is computed here, before decoding starts.
        if case .failed? = job.outcome { run() }
    }

    private func run() {
        result = Self.crc(fd, first: length) { cancelled.load(ordering: .relaxed) }
        done.signal()
    }

    /// The CRC-64 of the first `n` bytes of `fd`, read in large chunks; nil when the reads end short or `stop`
    /// says so.
    static func crc(_ fd: Int32, first n: Int, stop: () -> Bool) -> UInt64? {
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var crc: UInt64 = 0
        var at = 0
        while at < n && !stop() {
            let got = pread(fd, buffer, min(chunk, n - at), off_t(at))
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
            crc = CRC64.update(crc, UnsafeRawBufferPointer(start: buffer, count: got))
            at += got
        }
        return at == n ? crc : nil
    }

    private func waitOnce() {
        if !finished {
            done.wait()
            finished = true
        }
    }

    /// The CRC-64 of the file's first `n` bytes: the thread's when `n` is what it covered (a file that ends
    /// right after its checksum), else read and folded here (a damaged or padded file).
    func crc(ofFirst n: Int) -> UInt64 {
        waitOnce()
        if n == length, let result { return result }
        // A file that cannot be read that far again fails its checksum comparison.
        return Self.crc(fd, first: n) { false } ?? 0
    }

    /// Stops the thread early (the decoder failed or finished) and waits for it, so `fd` may be closed.
    func finish() {
        cancelled.store(true, ordering: .relaxed)
        waitOnce()
    }
}
