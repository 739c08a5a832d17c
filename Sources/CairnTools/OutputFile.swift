#if canImport(Glibc)
import Glibc
#endif

/// A buffered output: standard output, or a file written under a temporary name and renamed into place when
/// finished, so a failed run never leaves a half-written file under the name asked for.
public final class OutputFile {
    private let fd: Int32
    private let path: String?
    private let temp: String?
    private var buffer: [UInt8] = []
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
        buffer.reserveCapacity(1 << 17)
    }

    public var fileDescriptor: Int32 { fd }
    public var name: String { path ?? "standard output" }

    @inline(__always) public func append(_ b: UInt8) { buffer.append(b) }
    @inline(__always) public func append(_ b: UnsafeRawBufferPointer) { buffer.append(contentsOf: b) }
    @inline(__always) public func append(_ b: [UInt8]) { buffer.append(contentsOf: b) }
    public func append(_ s: String) { buffer.append(contentsOf: s.utf8) }

    public func flushIfLarge() throws(ToolError) {
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func flush() throws(ToolError) {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ToolError(.io, "write error on \(name): \(String(cString: strerror(errno)))")
            }
            done += n
        }
        written += done
        buffer.removeAll(keepingCapacity: true)
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
