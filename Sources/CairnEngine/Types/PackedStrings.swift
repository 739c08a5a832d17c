/// A short sequence of byte strings packed back to back in one array, each behind a varint length, as Redis's
/// listpack packs a small collection's elements. A small hash or set is one allocation this way instead of a
/// heap array per element, which is most of what such a key weighs; finding an element walks the sequence, as
/// a listpack lookup does, which the encoding thresholds keep short.
///
/// Positions are byte offsets of an element's length prefix; they stay valid until the next edit.
public struct PackedStrings {
    var storage: [UInt8] = []
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }
    public var endPosition: Int { storage.count }

    /// Where the bytes of the element at `position` start, and how many there are.
    @inline(__always)
    static func decode(_ raw: UnsafeRawBufferPointer, _ position: Int) -> (start: Int, length: Int) {
        var p = position
        var length = 0
        var shift = 0
        while true {
            let b = raw[p]
            p += 1
            length |= Int(b & 0x7F) << shift
            if b < 0x80 { return (p, length) }
            shift += 7
        }
    }

    /// Reads the element at `position` in place.
    public func withElement<R>(at position: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { raw in
            let (s, n) = Self.decode(raw, position)
            return try body(UnsafeRawBufferPointer(rebasing: raw[s..<(s + n)]))
        }
    }

    /// The element at `position`, copied out.
    public func bytes(at position: Int) -> Bytes { withElement(at: position) { Bytes($0) } }

    /// The position just past the element at `position`.
    public func position(after position: Int) -> Int {
        storage.withUnsafeBytes { raw in
            let (s, n) = Self.decode(raw, position)
            return s + n
        }
    }

    /// The position of the first element equal to `bytes` among every `stride`-th element from the start
    /// (stride 2 compares a hash's fields and skips its values), or nil.
    public func firstPosition(of bytes: UnsafeRawBufferPointer, stride: Int = 1) -> Int? {
        storage.withUnsafeBytes { raw in
            var p = 0
            while p < raw.count {
                var (s, n) = Self.decode(raw, p)
                if n == bytes.count && bytesEqual(UnsafeRawBufferPointer(rebasing: raw[s..<(s + n)]), bytes) { return p }
                for _ in 1..<stride { (s, n) = Self.decode(raw, s + n) }
                p = s + n
            }
            return nil
        }
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        // An eighth more room at a time rather than Array's doubling: a small collection is mostly built once
        // and then kept, so slack would stay for its lifetime.
        let needed = storage.count + bytes.count + 3
        if storage.capacity < needed { storage.reserveCapacity(needed + storage.count / 8) }
        Self.appendLength(bytes.count, to: &storage)
        storage.append(contentsOf: bytes)
        count += 1
    }

    public mutating func append(_ bytes: Bytes) { bytes.withUnsafeBytes { append($0) } }

    /// Replaces the element at `position` with `bytes`.
    public mutating func replace(at position: Int, with bytes: UnsafeRawBufferPointer) {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(bytes.count + 3)
        Self.appendLength(bytes.count, to: &encoded)
        encoded.append(contentsOf: bytes)
        storage.replaceSubrange(position..<self.position(after: position), with: encoded)
    }

    /// Removes `n` consecutive elements starting at `position`.
    public mutating func remove(at position: Int, elements n: Int = 1) {
        var end = position
        for _ in 0..<n { end = self.position(after: end) }
        storage.removeSubrange(position..<end)
        count -= n
    }

    /// Every element in order, read in place.
    public func forEach(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try storage.withUnsafeBytes { raw in
            var p = 0
            while p < raw.count {
                let (s, n) = Self.decode(raw, p)
                try body(UnsafeRawBufferPointer(rebasing: raw[s..<(s + n)]))
                p = s + n
            }
        }
    }

    /// The position of element number `i` (0-based), walking from the start.
    public func position(ofElement i: Int) -> Int {
        var p = 0
        for _ in 0..<i { p = position(after: p) }
        return p
    }

    static func appendLength(_ n: Int, to out: inout [UInt8]) {
        var v = n
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
