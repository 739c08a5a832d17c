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
/// everything consumed, so a reader streams any file in constant memory.
public final class RDBInput {
    private var buffer: [UInt8]
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

    public init(bytes: [UInt8]) {
        buffer = bytes
        end = bytes.count
        fd = -1
        size = bytes.count
    }

    /// Reads from `fd` (not closed here) in large chunks, never more than `limit` bytes in all; `size` comes from
    /// fstat for a regular file read from its current position, which is where the RDB starts, or from `limit`.
    public init(fileDescriptor: Int32, chunkSize: Int = 1 << 16, limit: Int = Int.max) {
        fd = fileDescriptor
        unread = limit
        buffer = [UInt8](repeating: 0, count: chunkSize)
        end = 0
        var st = stat()
        let at = lseek(fileDescriptor, 0, SEEK_CUR)
        if fstat(fileDescriptor, &st) == 0, st.st_mode & S_IFMT == S_IFREG, at >= 0 {
            size = min(Int(st.st_size) - Int(at), limit)
        } else {
            size = limit == Int.max ? nil : limit
        }
    }

    public var offset: Int { base + pos }

    /// Bytes left before the end of the input, or nil when the input's size is unknown (a pipe).
    public var remaining: Int? { size.map { $0 - offset } }

    /// The CRC-64 of every byte consumed so far.
    public var crc: UInt64 {
        foldCRC()
        return runningCRC
    }

    private func foldCRC() {
        if pos > crcFrom {
            runningCRC = buffer.withUnsafeBytes { CRC64.update(runningCRC, UnsafeRawBufferPointer(rebasing: $0[crcFrom..<pos])) }
            crcFrom = pos
        }
    }

    /// Refills the buffer; false at end of input.
    private func refill() throws(RDBError) -> Bool {
        guard fd >= 0 else { return false }
        foldCRC()
        let keep = end - pos
        if keep > 0 { buffer.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: $0.baseAddress! + pos, byteCount: keep) } }
        base += pos
        pos = 0
        crcFrom = 0
        end = keep
        while unread > 0 {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + end, min($0.count - end, unread)) }
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

    public func byte() throws(RDBError) -> UInt8 {
        if pos == end, !(try refill()) { throw truncated() }
        defer { pos += 1 }
        return buffer[pos]
    }

    /// Exactly `n` bytes; a hostile length fails at end of input without reserving `n` bytes up front.
    public func bytes(_ n: Int) throws(RDBError) -> [UInt8] {
        guard n >= 0 else { throw RDBError(offset: offset, reason: "negative length") }
        if end - pos >= n {
            defer { pos += n }
            return Array(buffer[pos..<(pos + n)])
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
            out.append(contentsOf: buffer[pos..<(pos + n)])
            pos += n
            return
        }
        try ensureAvailable(n)
        var rest = n
        while rest > 0 {
            if pos == end, !(try refill()) { throw truncated() }
            let take = min(rest, end - pos)
            out.append(contentsOf: buffer[pos..<(pos + take)])
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
