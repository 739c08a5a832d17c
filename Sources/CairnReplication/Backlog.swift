/// The replication backlog: the last `size` bytes of the replication stream in a ring, addressed by global
/// offset (the offset of a byte is its position in the stream since the history began, the first byte being
/// offset 1 after a start at 0, as Redis counts). A replica that reconnects with an offset still inside
/// continues from here instead of a full sync.
public struct Backlog {
    public private(set) var size: Int
    private var ring: [UInt8] = []
    /// Where the next byte goes in `ring`.
    private var writeIndex = 0
    /// Bytes of history held (at most `size`).
    public private(set) var histlen = 0
    /// The offset of the last byte of the stream (master_repl_offset).
    public private(set) var endOffset: Int

    /// An empty backlog whose next byte will have offset `endOffset + 1`.
    public init(size: Int, endOffset: Int) {
        self.size = max(size, 16 * 1024)
        self.endOffset = endOffset
    }

    /// repl_backlog_first_byte_offset: the offset of the oldest byte held.
    public var firstByteOffset: Int { endOffset - histlen + 1 }

    /// Whether a replica asking for the stream from `offset` (its first missing byte) can be served.
    public func covers(_ offset: Int) -> Bool {
        offset >= firstByteOffset && offset <= endOffset + 1
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        if ring.isEmpty { ring = [UInt8](repeating: 0, count: size) }
        endOffset += bytes.count
        // Only the last `size` bytes can stay.
        let keep = bytes.count > size ? UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - size)...]) : bytes
        ring.withUnsafeMutableBytes { r in
            let first = min(keep.count, size - writeIndex)
            r.baseAddress!.advanced(by: writeIndex).copyMemory(from: keep.baseAddress!, byteCount: first)
            if first < keep.count {
                r.baseAddress!.copyMemory(from: keep.baseAddress! + first, byteCount: keep.count - first)
            }
        }
        writeIndex = (writeIndex + keep.count) % size
        histlen = min(size, histlen + bytes.count)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The stream from `offset` to the end; nil when `offset` is not covered.
    public func bytes(from offset: Int) -> [UInt8]? {
        guard covers(offset) else { return nil }
        let count = endOffset + 1 - offset
        guard count > 0 else { return [] }
        var out = [UInt8]()
        out.reserveCapacity(count)
        let start = (writeIndex - count + size) % size
        let first = min(count, size - start)
        out.append(contentsOf: ring[start..<(start + first)])
        if first < count { out.append(contentsOf: ring[0..<(count - first)]) }
        return out
    }

    /// repl-backlog-size changed: keeps as much of the newest history as fits.
    public mutating func resize(_ newSize: Int) {
        let newSize = max(newSize, 16 * 1024)
        guard newSize != size else { return }
        let kept = bytes(from: endOffset + 1 - min(histlen, newSize)) ?? []
        size = newSize
        ring = []
        writeIndex = 0
        histlen = 0
        endOffset -= kept.count
        append(kept)
    }
}
