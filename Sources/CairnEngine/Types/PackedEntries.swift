/// Byte strings stored one after another in one array, each a LEB128 length and then its bytes: the storage of
/// the compact encodings (small hashes, small sets). A ten-element collection is one allocation instead of an
/// array per element, and it is walked front to back as Redis walks a listpack.
public struct PackedEntries {
    private var storage: [UInt8] = []
    /// How many entries are stored.
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    @inline(__always) private static func readLength(_ p: UnsafeRawBufferPointer, _ i: inout Int) -> Int {
        var n = 0
        var shift = 0
        while true {
            let b = p[i]
            i += 1
            n |= Int(b & 0x7f) << shift
            if b < 0x80 { return n }
            shift += 7
        }
    }

    private static func encode(_ bytes: UnsafeRawBufferPointer, into a: inout [UInt8]) {
        var n = bytes.count
        while n >= 0x80 {
            a.append(UInt8(truncatingIfNeeded: n) | 0x80)
            n >>= 7
        }
        a.append(UInt8(n))
        a.append(contentsOf: bytes)
    }

    /// Visits the entries in order, each with the span it takes in the storage (length included), until `body`
    /// returns false. The bytes are valid only during `body`.
    public func walk(_ body: (UnsafeRawBufferPointer, Range<Int>) throws -> Bool) rethrows {
        try storage.withUnsafeBytes { p in
            var i = 0
            while i < p.count {
                let start = i
                let n = Self.readLength(p, &i)
                i += n
                guard try body(UnsafeRawBufferPointer(rebasing: p[i - n..<i]), start..<i) else { return }
            }
        }
    }

    /// The first entry equal to `bytes`: its position among the entries and its span.
    public func find(_ bytes: UnsafeRawBufferPointer) -> (index: Int, span: Range<Int>)? {
        var index = 0
        var found: (Int, Range<Int>)?
        walk { e, span in
            if bytesEqual(e, bytes) {
                found = (index, span)
                return false
            }
            index += 1
            return true
        }
        return found
    }

    /// The entry at `index`, copied out.
    public func entry(at index: Int) -> Bytes {
        var left = index
        var out = Bytes()
        walk { e, _ in
            if left == 0 { out = Bytes(e) }
            left -= 1
            return left >= 0
        }
        return out
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        Self.encode(bytes, into: &storage)
        count += 1
    }

    /// Replaces the one entry at `span` (as `walk` or `find` gave it).
    public mutating func replace(_ span: Range<Int>, with bytes: UnsafeRawBufferPointer) {
        var encoded: [UInt8] = []
        Self.encode(bytes, into: &encoded)
        storage.replaceSubrange(span, with: encoded)
    }

    /// Removes the `entries` consecutive entries that `span` covers.
    public mutating func remove(_ span: Range<Int>, entries: Int = 1) {
        storage.removeSubrange(span)
        count -= entries
    }
}
