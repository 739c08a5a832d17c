#if canImport(Glibc)
import Glibc
#endif

/// What went wrong while reading an RDB stream: the byte offset where the bad item starts, the key being read
/// (when inside a key) and why. The server logs it at startup and the offline tools print it.
public struct RDBError: Error, CustomStringConvertible {
    public var offset: Int
    public var key: [UInt8]?
    public var reason: String

    public init(offset: Int, key: [UInt8]? = nil, reason: String) {
        self.offset = offset
        self.key = key
        self.reason = reason
    }

    public var description: String {
        var s = "at offset \(offset)"
        if let key { s += " (key '\(String(decoding: key, as: UTF8.self))')" }
        return s + ": " + reason
    }
}

/// A buffered byte source (a file descriptor or memory) that counts its offset and keeps a running CRC-64 of
/// everything consumed, so a reader streams any file in constant memory. The buffer is raw memory the input
/// owns, so a reader may look at bytes in place (`take`) instead of copying them out.
public final class RDBInput {
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    /// False for memory the caller lends (`init(borrowing:)`), which is never written or freed here.
    private let owned: Bool
    private var pos = 0
    private var end: Int
    private var crcFrom = 0
    private let fd: Int32
    /// Bytes consumed before `buffer[0]`.
    private var base = 0
    private var runningCRC: UInt64 = 0
    /// The offset of the input's end when it is known (memory, a regular file), so a declared length larger
    /// than what is left fails at once instead of reading the rest of a big file first.
    public let size: Int?
    /// Bytes `fd` may still give: a replica's bulk-framed RDB is followed by the command stream on the socket.
    private var unread = Int.max
    /// Told the size of each read from `fd` (a replica's sync progress in INFO).
    public var onRead: ((Int) -> Void)?
    /// Between `startCapture` and `endCapture`, consumed bytes are also copied to `captured`, from
    /// `buffer[captureFrom]` on.
    private var capturing = false
    private var captureFrom = 0
    private var captured: [UInt8] = []

    public init(bytes: [UInt8]) {
        capacity = max(bytes.count, 1)
        let storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        bytes.withUnsafeBytes { if let b = $0.baseAddress { storage.copyMemory(from: b, byteCount: $0.count) } }
        buffer = storage
        end = bytes.count
        fd = -1
        size = bytes.count
        owned = true
    }

    /// Reads memory that the caller keeps alive and unchanged while the input is used, without a copy (repair
    /// tries thousands of offsets in one window of the file).
    public init(borrowing bytes: UnsafeRawBufferPointer) {
        capacity = bytes.count
        buffer = UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 16)!)
        end = bytes.count
        fd = -1
        size = bytes.count
        owned = false
    }

    /// Reads from `fd` (not closed here) in large chunks, never more than `limit` bytes in all; `size` comes from
    /// fstat for a regular file read from its current position, which is where the RDB starts, or from `limit`.
    public init(fileDescriptor: Int32, chunkSize: Int = 1 << 16, limit: Int = Int.max) {
        fd = fileDescriptor
        unread = limit
        capacity = max(chunkSize, 64)
        buffer = .allocate(byteCount: capacity, alignment: 16)
        owned = true
        end = 0
        var st = stat()
        let at = lseek(fileDescriptor, 0, SEEK_CUR)
        if fstat(fileDescriptor, &st) == 0, st.st_mode & S_IFMT == S_IFREG, at >= 0 {
            size = min(Int(st.st_size) - Int(at), limit)
        } else {
            size = limit == Int.max ? nil : limit
        }
    }

    deinit { if owned { buffer.deallocate() } }

    public var offset: Int { base + pos }

    /// Bytes left before the end of the input, or nil when the input's size is unknown (a pipe).
    public var remaining: Int? { size.map { $0 - offset } }

    /// The most bytes `take` hands out in place.
    public var window: Int { capacity }

    /// Set when another thread computes the CRC-64 of the same file: given how many bytes were consumed, it
    /// answers their CRC-64, and the input folds none itself (a fifth of a decoding thread's time).
    public var crcOfFirst: ((Int) -> UInt64)? = nil

    /// The CRC-64 of every byte consumed so far.
    public var crc: UInt64 {
        if let crcOfFirst { return crcOfFirst(offset) }
        foldCRC()
        return runningCRC
    }

    private func foldCRC() {
        if pos > crcFrom && crcOfFirst == nil {
            runningCRC = CRC64.update(runningCRC, UnsafeRawBufferPointer(start: buffer + crcFrom, count: pos - crcFrom))
            crcFrom = pos
        }
    }

    /// Copies every byte consumed from now until `endCapture` (a value's serialized form, read once).
    public func startCapture() {
        captured.removeAll(keepingCapacity: true)
        capturing = true
        captureFrom = pos
    }

    public func endCapture() -> [UInt8] {
        keepCaptured()
        capturing = false
        return captured
    }

    private func keepCaptured() {
        if capturing && pos > captureFrom {
            captured.append(contentsOf: UnsafeRawBufferPointer(start: buffer + captureFrom, count: pos - captureFrom))
            captureFrom = pos
        }
    }

    /// Moves the unread bytes to the front and reads once more; false at end of input.
    private func refill() throws(RDBError) -> Bool {
        guard fd >= 0 else { return false }
        foldCRC()
        keepCaptured()
        captureFrom = 0
        let keep = end - pos
        if keep > 0 && pos > 0 { buffer.copyMemory(from: buffer + pos, byteCount: keep) }
        base += pos
        pos = 0
        crcFrom = 0
        end = keep
        while unread > 0 && end < capacity {
            let n = Glibc.read(fd, buffer + end, min(capacity - end, unread))
            if n < 0 {
                if errno == EINTR { continue }
                throw RDBError(offset: offset, reason: "read error: \(String(cString: strerror(errno)))")
            }
            end += n
            unread -= n
            if n > 0 { onRead?(n) }
            return n > 0
        }
        return false
    }

    @inline(__always)
    public func byte() throws(RDBError) -> UInt8 {
        if pos == end, !(try refill()) { throw truncated() }
        defer { pos += 1 }
        return buffer.load(fromByteOffset: pos, as: UInt8.self)
    }

    /// The next `n` bytes in place, consumed; valid until the next read from this input. Nil (nothing
    /// consumed) when `n` is larger than the buffer: the caller then copies them out with `read`.
    public func take(_ n: Int) throws(RDBError) -> UnsafeRawBufferPointer? {
        guard n >= 0 else { throw RDBError(offset: offset, reason: "negative length") }
        if end - pos < n {
            guard n <= capacity else { return nil }
            try ensureAvailable(n)
            while end - pos < n {
                if !(try refill()) { throw truncated() }
            }
        }
        defer { pos += n }
        return UnsafeRawBufferPointer(start: buffer + pos, count: n)
    }

    /// Exactly `n` bytes; a hostile length fails at end of input without reserving `n` bytes up front.
    public func bytes(_ n: Int) throws(RDBError) -> [UInt8] {
        guard n >= 0 else { throw RDBError(offset: offset, reason: "negative length") }
        if end - pos >= n {
            defer { pos += n }
            return Array(UnsafeRawBufferPointer(start: buffer + pos, count: n))
        }
        var out: [UInt8] = []
        out.reserveCapacity(min(n, 1 << 20))
        try read(n, appendingTo: &out)
        return out
    }

    /// Appends exactly `n` bytes to `out`, which a caller reuses from item to item to avoid an allocation each.
    public func read(_ n: Int, appendingTo out: inout [UInt8]) throws(RDBError) {
        guard n >= 0 else { throw RDBError(offset: offset, reason: "negative length") }
        if end - pos >= n {
            out.append(contentsOf: UnsafeRawBufferPointer(start: buffer + pos, count: n))
            pos += n
            return
        }
        try ensureAvailable(n)
        var rest = n
        while rest > 0 {
            if pos == end, !(try refill()) { throw truncated() }
            let take = min(rest, end - pos)
            out.append(contentsOf: UnsafeRawBufferPointer(start: buffer + pos, count: take))
            pos += take
            rest -= take
        }
    }

    public func skip(_ n: Int) throws(RDBError) {
        try ensureAvailable(n)
        var rest = n
        while rest > 0 {
            if pos == end, !(try refill()) { throw truncated() }
            let take = min(rest, end - pos)
            pos += take
            rest -= take
        }
    }

    /// A little-endian fixed-width integer.
    public func uint(_ width: Int) throws(RDBError) -> UInt64 {
        var v: UInt64 = 0
        for j in 0..<width { v |= UInt64(try byte()) << UInt64(8 * j) }
        return v
    }

    /// True when no byte is left.
    public func atEnd() throws(RDBError) -> Bool {
        if pos < end { return false }
        return !(try refill())
    }

    /// Fails when fewer than `n` bytes are left in an input of known size; the error names the length, which
    /// is what is wrong when it is absurd.
    public func ensureAvailable(_ n: Int) throws(RDBError) {
        if let left = remaining, n > left {
            throw RDBError(offset: offset, reason: "unexpected end of file: \(n) bytes needed, \(left) left")
        }
    }

    func truncated() -> RDBError { RDBError(offset: offset, reason: "unexpected end of file") }
}
