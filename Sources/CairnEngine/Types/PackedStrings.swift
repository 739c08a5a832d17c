/// A short sequence of byte strings packed back to back in one array, each behind a varint length, as Redis's
/// listpack packs a small collection's elements. A small hash, set, sorted set or list node is one allocation
/// this way instead of a heap array per element, which is most of what such a key weighs; finding an element
/// walks the sequence, as a listpack lookup does, which the encoding thresholds keep short.
///
/// A list node needs two things a hash does not, and asks for them with `backLinked`: each element is followed
/// by its length again (written backwards), so RPOP and reverse walks step back from the end as listpack's
/// back-lengths let Redis do; and inserts at the front use spare room kept there, so LPUSH and LPOP move no
/// bytes. The room is made in one step as large as half the contents when a front insert finds none, so the
/// shifting is amortized, and given back when removals from the front leave more room than contents.
///
/// Positions are byte offsets of an element's length prefix; they stay valid until the next edit.
public struct PackedStrings {
    var storage: [UInt8] = []
    /// The element count in the low 31 bits and `backLinked` in the top one: with `start` one word, so the
    /// struct stays two words inside the values that embed it (a third would cost a hash's box 16 bytes).
    private var elements: UInt32 = 0
    /// storage[..<start] is room for front inserts (back-linked sequences only).
    private var start: Int32 = 0

    private static let backLinkedBit: UInt32 = 1 << 31

    public init(backLinked: Bool = false) { elements = backLinked ? Self.backLinkedBit : 0 }

    var backLinked: Bool { elements >= Self.backLinkedBit }
    public var count: Int { Int(elements & ~Self.backLinkedBit) }
    public var isEmpty: Bool { count == 0 }
    public var startPosition: Int { Int(start) }
    public var endPosition: Int { storage.count }
    /// Bytes held by the elements, room excluded.
    public var byteCount: Int { storage.count - Int(start) }

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

    /// The bytes a varint of `n` takes.
    @inline(__always)
    static func lengthSize(_ n: Int) -> Int {
        var size = 1
        var v = n >> 7
        while v > 0 { size += 1; v >>= 7 }
        return size
    }

    /// Byte `i` of the `size`-byte varint of `n`: seven bits a byte, low bits first, the top bit set on all but
    /// the last.
    @inline(__always)
    static func lengthByte(_ n: Int, _ i: Int, of size: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: (n >> (7 * i)) & 0x7F) | (i < size - 1 ? 0x80 : 0)
    }

    /// The position after an element whose bytes are `s..<s+n`, in a sequence laid out `backLinked` or not.
    @inline(__always)
    static func next(_ s: Int, _ n: Int, backLinked: Bool) -> Int { backLinked ? s + n + lengthSize(n) : s + n }

    @inline(__always)
    func next(_ s: Int, _ n: Int) -> Int { Self.next(s, n, backLinked: backLinked) }

    /// The bytes one element of length `n` takes in a sequence laid out `backLinked` or not.
    @inline(__always)
    static func encodedSize(_ n: Int, backLinked: Bool) -> Int { (backLinked ? 2 : 1) * lengthSize(n) + n }

    func encodedSize(_ n: Int) -> Int { Self.encodedSize(n, backLinked: backLinked) }

    /// Writes `bytes` as one element at `p`, over the `encodedSize` bytes there: the length, the bytes and, when
    /// `backLinked`, the length again in reverse, so a backwards read meets its low bits first.
    @inline(__always)
    static func encode(_ bytes: UnsafeRawBufferPointer, at p: UnsafeMutableRawPointer, backLinked: Bool) {
        let n = bytes.count
        if n < 128 {
            // The common case, a one-byte length (its own back-length too).
            p.storeBytes(of: UInt8(truncatingIfNeeded: n), as: UInt8.self)
            if n > 0 { (p + 1).copyMemory(from: bytes.baseAddress!, byteCount: n) }
            if backLinked { p.storeBytes(of: UInt8(truncatingIfNeeded: n), toByteOffset: n &+ 1, as: UInt8.self) }
            return
        }
        let lengthSize = lengthSize(n)
        for i in 0..<lengthSize {
            let b = lengthByte(n, i, of: lengthSize)
            p.storeBytes(of: b, toByteOffset: i, as: UInt8.self)
            if backLinked { p.storeBytes(of: b, toByteOffset: 2 * lengthSize + n - 1 - i, as: UInt8.self) }
        }
        (p + lengthSize).copyMemory(from: bytes.baseAddress!, byteCount: n)
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
            return next(s, n)
        }
    }

    /// The position of the element that ends at `position` (back-linked sequences; not the first element's).
    public func position(before position: Int) -> Int {
        storage.withUnsafeBytes { raw in
            var p = position - 1
            var n = 0
            var shift = 0
            while true {
                let b = raw[p]
                n |= Int(b & 0x7F) << shift
                if b < 0x80 { break }
                p -= 1
                shift += 7
            }
            return p - n - Self.lengthSize(n)
        }
    }

    /// The position of the first element equal to `bytes` among every `stride`-th element from the start
    /// (stride 2 compares a hash's fields and skips its values), or nil.
    public func firstPosition(of bytes: UnsafeRawBufferPointer, stride: Int = 1) -> Int? {
        storage.withUnsafeBytes { Self.firstPosition(in: $0, from: Int(start), of: bytes, stride: stride, backLinked: backLinked) }
    }

    /// `firstPosition` over encoded elements from `start` on, wherever they are kept (a `PackedScratch`).
    @inline(__always)
    static func firstPosition(in raw: UnsafeRawBufferPointer, from start: Int, of bytes: UnsafeRawBufferPointer,
                              stride: Int, backLinked: Bool) -> Int? {
        var p = start
        while p < raw.count {
            var (s, n) = decode(raw, p)
            if n == bytes.count && bytesEqual(UnsafeRawBufferPointer(rebasing: raw[s..<(s + n)]), bytes) { return p }
            for _ in 1..<stride { (s, n) = decode(raw, next(s, n, backLinked: backLinked)) }
            p = next(s, n, backLinked: backLinked)
        }
        return nil
    }

    /// `count` elements already encoded as this type lays them out (`raw`), in storage of exactly their size.
    init(encoded raw: UnsafeRawBufferPointer, count: Int, backLinked: Bool) {
        self.init(backLinked: backLinked)
        storage = [UInt8](unsafeUninitializedCapacity: raw.count) { b, initialized in
            if let from = raw.baseAddress, raw.count > 0 { UnsafeMutableRawPointer(b.baseAddress!).copyMemory(from: from, byteCount: raw.count) }
            initialized = raw.count
        }
        elements |= UInt32(count)
    }

    /// Encodes `bytes` at `offset`, over the `encodedSize` bytes the caller made room for there.
    private mutating func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        let backLinked = backLinked
        storage.withUnsafeMutableBytes { Self.encode(bytes, at: $0.baseAddress! + offset, backLinked: backLinked) }
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        // An eighth more room at a time rather than Array's doubling: a small collection is mostly built once
        // and then kept, so slack would stay for its lifetime.
        let n = bytes.count
        let lengthSize = Self.lengthSize(n)
        let size = encodedSize(n)
        if storage.capacity < storage.count + size { storage.reserveCapacity(storage.count + size + byteCount / 8) }
        // Appended piece by piece: zeros appended to be written over went through Array's generic sequence path,
        // which cost more than the copy itself for the short elements a loaded collection is made of.
        for i in 0..<lengthSize { storage.append(Self.lengthByte(n, i, of: lengthSize)) }
        storage.append(contentsOf: bytes)
        if backLinked {
            for i in stride(from: lengthSize - 1, through: 0, by: -1) { storage.append(Self.lengthByte(n, i, of: lengthSize)) }
        }
        elements += 1
    }

    public mutating func append(_ bytes: Bytes) { bytes.withUnsafeBytes { append($0) } }

    /// Room for `n` bytes of encoded elements, for a sequence whose size is known before it is filled.
    public mutating func reserveCapacity(_ n: Int) { storage.reserveCapacity(n) }

    /// Inserts `bytes` as an element at `position` (the start, the end, or an element's position).
    public mutating func insert(_ bytes: UnsafeRawBufferPointer, at position: Int) {
        if position == storage.count { return append(bytes) }
        let size = encodedSize(bytes.count)
        elements += 1
        guard position == Int(start) && backLinked else {
            // The same eighth more room as `append`, where Array would double it.
            if storage.capacity < storage.count + size { storage.reserveCapacity(storage.count + size + byteCount / 8) }
            storage.insert(contentsOf: repeatElement(0, count: size), at: position)
            return write(bytes, at: position)
        }
        if Int(start) < size {
            let room = Swift.max(16, size + byteCount / 2)
            var grown: [UInt8] = []
            grown.reserveCapacity(room + byteCount)
            grown.append(contentsOf: repeatElement(0, count: room))
            grown.append(contentsOf: storage[Int(start)...])
            storage = grown
            start = Int32(room)
        }
        start -= Int32(size)
        write(bytes, at: Int(start))
    }

    /// Replaces the element at `position` with `bytes`.
    public mutating func replace(at position: Int, with bytes: UnsafeRawBufferPointer) {
        storage.replaceSubrange(position..<self.position(after: position), with: repeatElement(0, count: encodedSize(bytes.count)))
        write(bytes, at: position)
    }

    /// Removes `n` consecutive elements starting at `position`.
    public mutating func remove(at position: Int, elements n: Int = 1) {
        var end = position
        for _ in 0..<n { end = self.position(after: end) }
        elements -= UInt32(n)
        if end == storage.count {
            storage.removeLast(end - position)
            if position == Int(start) {
                storage.removeAll(keepingCapacity: true)
                start = 0
            }
        } else if position == Int(start) && backLinked {
            start = Int32(end)
            if start > 16 && Int(start) > byteCount {
                storage.removeFirst(Int(start))
                start = 0
            }
        } else {
            storage.removeSubrange(position..<end)
        }
    }

    /// Every element in order, read in place.
    public func forEach(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try storage.withUnsafeBytes { raw in
            var p = Int(start)
            while p < raw.count {
                let (s, n) = Self.decode(raw, p)
                try body(UnsafeRawBufferPointer(rebasing: raw[s..<(s + n)]))
                p = next(s, n)
            }
        }
    }

    /// Elements in place from `position` on (or backwards from the one there with `reversed`, back-linked
    /// sequences only) until `body` returns false; false when it did.
    @discardableResult
    public func walk(from position: Int, reversed: Bool = false, _ body: (UnsafeRawBufferPointer) throws -> Bool) rethrows -> Bool {
        if reversed {
            var p = position
            while true {
                if try !withElement(at: p, body) { return false }
                if p == Int(start) { return true }
                p = self.position(before: p)
            }
        }
        return try storage.withUnsafeBytes { raw in
            var p = position
            while p < raw.count {
                let (s, n) = Self.decode(raw, p)
                if try !body(UnsafeRawBufferPointer(rebasing: raw[s..<(s + n)])) { return false }
                p = next(s, n)
            }
            return true
        }
    }

    /// The position of element number `i` (0-based), walking from the nearer end when the sequence is
    /// back-linked, from the start otherwise.
    public func position(ofElement i: Int) -> Int {
        if backLinked && i >= count / 2 {
            var p = storage.count
            for _ in i..<count { p = position(before: p) }
            return p
        }
        var p = Int(start)
        for _ in 0..<i { p = position(after: p) }
        return p
    }

    /// The first `n` elements as a sequence of their own, and the rest left here (splitting a list node).
    mutating func split(at n: Int) -> PackedStrings {
        let cut = position(ofElement: n)
        var head = PackedStrings(backLinked: backLinked)
        head.storage = Array(storage[Int(start)..<cut])
        head.elements += UInt32(n)
        storage.removeSubrange(..<cut)
        start = 0
        elements -= UInt32(n)
        return head
    }

    /// Appends every element of `other`, which must have the same layout (joining list nodes).
    mutating func append(contentsOf other: PackedStrings) {
        storage.append(contentsOf: other.storage[Int(other.start)...])
        elements += UInt32(other.count)
    }

    /// The storage, so tests can tell whether a write copied it.
    var storageIdentity: UnsafeRawPointer? {
        storage.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }
}

/// Raw memory in which a loader packs one small collection's elements after another, reused from value to value,
/// each sequence then copied out at its exact size (`packed`). Appended to the sequence's own array instead, each
/// element cost a uniqueness and capacity check per byte, a generic copy and regrowth copies: about a fifth of a
/// replica's RDB reader, and the growth steps left slack in every loaded value.
public final class PackedScratch {
    private let bytes = ScratchBytes()
    public private(set) var count = 0
    private var backLinked = false

    public init() {}

    /// Empty, for a sequence laid out as `PackedStrings(backLinked:)` lays it out.
    public func reset(backLinked: Bool = false) {
        bytes.removeAll()
        count = 0
        self.backLinked = backLinked
    }

    public func append(_ e: UnsafeRawBufferPointer) {
        let backLinked = backLinked
        bytes.append(PackedStrings.encodedSize(e.count, backLinked: backLinked)) { PackedStrings.encode(e, at: $0, backLinked: backLinked) }
        count &+= 1
    }

    /// Where the next element will start; an element's position stays valid until `reset`.
    public var endPosition: Int { bytes.count }

    private func withRaw<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { bytes.withBytes(0..<bytes.count, body) }

    /// Reads the element at `position` in place.
    public func withElement<R>(at position: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withRaw { raw in
            let (s, n) = PackedStrings.decode(raw, position)
            return body(UnsafeRawBufferPointer(rebasing: raw[s..<(s + n)]))
        }
    }

    /// The position just past the element at `position`.
    public func position(after position: Int) -> Int {
        let (s, n) = withRaw { PackedStrings.decode($0, position) }
        return PackedStrings.next(s, n, backLinked: backLinked)
    }

    /// Whether `e` equals one of every `stride`-th element from the first (stride 2: a hash's fields).
    public func contains(_ e: UnsafeRawBufferPointer, stride: Int = 1) -> Bool {
        withRaw { PackedStrings.firstPosition(in: $0, from: 0, of: e, stride: stride, backLinked: backLinked) != nil }
    }

    /// The elements appended since `reset`, as a sequence of their own.
    public var packed: PackedStrings { withRaw { PackedStrings(encoded: $0, count: count, backLinked: backLinked) } }
}

/// Which elements a sequence being built from a loaded blob holds, as one bit each of 256 picked by a
/// fingerprint of its bytes: an element whose bit is clear repeats none before it. Loading must refuse a
/// repeated field or member, and scanning the sequence for each new element cost more than building it (45
/// comparisons for ten fields); with the filter a scan happens only on a shared bit, about one element in six
/// for ten.
public struct PackedDuplicateFilter {
    var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    public init() {}

    /// Marks the element; true when its bit was marked already, so it may repeat an earlier element.
    @inline(__always)
    public mutating func mayRepeat(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        var x = UInt64(truncatingIfNeeded: n)
        if n >= 8 {
            x ^= bytes.loadUnaligned(as: UInt64.self)
            let tail = bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            x ^= (tail << 29) | (tail >> 35)
        } else {
            for i in 0..<n { x ^= UInt64(bytes[i]) << (8 * (i + 1)) }
        }
        let bit = Int((x &* 0x9E37_79B9_7F4A_7C15) >> 56)
        let mask = UInt64(1) << UInt64(bit & 63)
        let seen: Bool
        switch bit >> 6 {
        case 0: seen = bits.0 & mask != 0; bits.0 |= mask
        case 1: seen = bits.1 & mask != 0; bits.1 |= mask
        case 2: seen = bits.2 & mask != 0; bits.2 |= mask
        default: seen = bits.3 & mask != 0; bits.3 |= mask
        }
        return seen
    }
}
