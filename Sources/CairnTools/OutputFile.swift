#if canImport(Glibc)
import Glibc
#endif

/// A buffered output: standard output, or a file written under a temporary name and renamed into place when
/// finished, so a failed run never leaves a half-written file under the name asked for. Writers fill the
/// buffer in place (`reserve`, `commit`) and flush it in large writes.
public final class OutputFile {
    private let fd: Int32
    private let path: String?
    private let temp: String?
    private var buffer: UnsafeMutableRawPointer
    private var capacity = 1 << 20
    /// Bytes waiting in `buffer`.
    public private(set) var pending = 0
    public private(set) var written = 0

    /// `path` nil or "-" is standard output. Only a regular file (or a new one) is written under a temporary
    /// name: a device or pipe (`-o /dev/null`) is written in place, never replaced.
    public init(path: String?) throws(ToolError) {
        var st = stat()
        if let path, path != "-", stat(path, &st) == 0, st.st_mode & S_IFMT != S_IFREG {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ToolError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
            self.fd = fd
            self.path = path
            temp = nil
        } else if let path, path != "-" {
            let temp = path + ".tmp-\(getpid())"
            let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw ToolError(.io, "cannot create \(temp): \(String(cString: strerror(errno))); check that the directory exists and is writable")
            }
            self.fd = fd
            self.path = path
            self.temp = temp
        } else {
            fd = 1
            self.path = nil
            temp = nil
        }
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { buffer.deallocate() }

    public var fileDescriptor: Int32 { fd }
    public var name: String { path ?? "standard output" }

    /// Room for at least `n` more bytes, at the end of what is pending; `commit` then counts what was written.
    @inline(__always) public func reserve(_ n: Int) -> UnsafeMutableRawPointer {
        if capacity - pending < n { grow(n) }
        return buffer + pending
    }

    @inline(__always) public func commit(_ n: Int) { pending += n }

    private func grow(_ n: Int) {
        capacity = max(2 * capacity, pending + n)
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        bigger.copyMemory(from: buffer, byteCount: pending)
        buffer.deallocate()
        buffer = bigger
    }

    @inline(__always) public func append(_ b: UInt8) {
        reserve(1).storeBytes(of: b, as: UInt8.self)
        pending += 1
    }

    @inline(__always) public func append(_ b: UnsafeRawBufferPointer) {
        guard let from = b.baseAddress else { return }
        reserve(b.count).copyMemory(from: from, byteCount: b.count)
        pending += b.count
    }

    @inline(__always) public func append(_ b: [UInt8]) { b.withUnsafeBytes { append($0) } }
    public func append(_ s: String) { append(Array(s.utf8)) }

    @inline(__always) public func append(_ s: StaticString) { append(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }

    /// Half a megabyte a write(2): a pipe or file takes it as readily as a smaller one, in a quarter the calls.
    public func flushIfLarge() throws(ToolError) {
        if pending >= 1 << 19 { try flush() }
    }

    public func flush() throws(ToolError) {
        var done = 0
        while done < pending {
            let n = write(fd, buffer + done, pending - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ToolError(.io, "write error on \(name): \(String(cString: strerror(errno)))")
            }
            done += n
        }
        written += done
        pending = 0
    }

    /// Flushes, syncs and moves the file into place.
    public func finish() throws(ToolError) {
        try flush()
        guard let path, let temp else {
            if fd != 1 { close(fd) }
            return
        }
        guard fsync(fd) == 0, close(fd) == 0, rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw ToolError(.io, "cannot finish \(path): \(reason)")
        }
    }

    /// Removes the temporary file of a run that failed.
    public func abandon() {
        guard let temp else {
            if fd != 1 { close(fd) }
            return
        }
        close(fd)
        unlink(temp)
    }
}
