#if canImport(Glibc)
import Glibc
#endif

/// Reads the records of an append-only file — RESP arrays of bulk strings and `#` annotation lines — from a
/// file descriptor through a fixed buffer, so memory stays flat however large the file. Shared by the server's
/// loader and the offline checker.
public struct AOFRecordReader {
    public enum Record {
        case command([[UInt8]])
        /// An annotation line without its `#` and line end (`TS:1700000000`).
        case annotation([UInt8])
    }

    public enum ReadError: Error, Equatable {
        /// The file ends inside a record: everything before `offset` is whole.
        case truncated(offset: Int)
        /// Bytes that are not a record, at `offset`, with what was wrong.
        case format(offset: Int, reason: String)
        case io(String)
    }

    private let fd: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var eof = false
    /// File offset of buffer[0].
    private var bufferOffset = 0
    /// Offset just past the last whole record returned.
    public private(set) var offset = 0
    /// The file offset read as its end.
    private let limit: Int

    /// Reads from `fd`, whose current position is `startOffset` bytes into the file, up to offset `limit`.
    public init(fd: Int32, startOffset: Int = 0, limit: Int = .max) {
        self.fd = fd
        buffer = [UInt8](repeating: 0, count: 64 * 1024)
        bufferOffset = startOffset
        offset = startOffset
        self.limit = limit
    }

    /// The next record, or nil at a clean end of file.
    public mutating func next() throws(ReadError) -> Record? {
        let recordStart = bufferOffset + start
        guard try fill(1) else { return nil }
        let first = buffer[start]
        if first == UInt8(ascii: "#") {
            guard let line = try readLine(max: 1024) else { throw .truncated(offset: recordStart) }
            offset = bufferOffset + start
            return .annotation(Array(line.dropFirst()))
        }
        guard first == UInt8(ascii: "*") else {
            throw .format(offset: recordStart, reason: "Bad file format reading the append only file")
        }
        guard let header = try readLine(max: 64) else { throw .truncated(offset: recordStart) }
        guard let argc = Int(String(decoding: header.dropFirst(), as: UTF8.self)), argc >= 1 else {
            throw .format(offset: recordStart, reason: "Bad file format reading the append only file")
        }
        var args: [[UInt8]] = []
        // A damaged count must not reserve its size: the arguments that really follow fill the array.
        args.reserveCapacity(min(argc, 1024))
        for _ in 0..<argc {
            guard let lenLine = try readLine(max: 64) else { throw .truncated(offset: recordStart) }
            guard lenLine.first == UInt8(ascii: "$"), let len = Int(String(decoding: lenLine.dropFirst(), as: UTF8.self)), len >= 0 else {
                throw .format(offset: recordStart, reason: "Bad file format reading the append only file")
            }
            guard try fill(len + 2) else { throw .truncated(offset: recordStart) }
            guard buffer[start + len] == 13 && buffer[start + len + 1] == 10 else {
                throw .format(offset: recordStart, reason: "Bad file format reading the append only file")
            }
            args.append(Array(buffer[start..<(start + len)]))
            start += len + 2
        }
        offset = bufferOffset + start
        return .command(args)
    }

    /// A line ending in CRLF (returned without it); nil when the file ends first.
    private mutating func readLine(max: Int) throws(ReadError) -> ArraySlice<UInt8>? {
        var scanned = 0
        while true {
            while start + scanned + 1 < end {
                if buffer[start + scanned] == 13 && buffer[start + scanned + 1] == 10 {
                    let line = buffer[start..<(start + scanned)]
                    start += scanned + 2
                    return line
                }
                scanned += 1
                if scanned > max { throw .format(offset: bufferOffset + start, reason: "Bad file format reading the append only file") }
            }
            guard try fill(scanned + 2) else { return nil }
        }
    }

    /// Makes at least `n` bytes available from `start`; false when the file ends first.
    private mutating func fill(_ n: Int) throws(ReadError) -> Bool {
        if end - start >= n { return true }
        if start > 0 {
            buffer.withUnsafeMutableBytes { b in
                if end > start { memmove(b.baseAddress!, b.baseAddress! + start, end - start) }
            }
            end -= start
            bufferOffset += start
            start = 0
        }
        while end < n && !eof {
            // Grows with the bytes that actually arrive, so a bogus bulk length in a damaged file cannot
            // reserve its size up front.
            if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: min(n, buffer.count * 2) - buffer.count)) }
            let room = min(buffer.count - end, limit - (bufferOffset + end))
            guard room > 0 else { eof = true; break }
            let got = buffer.withUnsafeMutableBytes { b in read(fd, b.baseAddress! + end, room) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .io(String(cString: strerror(errno)))
            }
            if got == 0 { eof = true } else { end += got }
        }
        return end - start >= n
    }
}
