import CSystem

/// One key as commands see it: its bytes, value, access field and absolute expiry in unix milliseconds (-1
/// when it has none). A segment keeps the deadline apart from the rest (see Slot), so this is the form an
/// entry takes while a command edits it or a walk hands it out.
public struct Entry {
    @usableFromInline var storedKey: StoredKey
    /// Redis's lru field: see AccessClock. The keyspace stamps it when the entry is inserted.
    public var access: UInt32
    public var value: Value
    public var expireAt: Int64

    @usableFromInline enum StoredKey {
        case inline(InlineBytes16)
        case heap(Bytes)

        @inlinable init(_ key: UnsafeRawBufferPointer) {
            if let k = InlineBytes16(key) { self = .inline(k) } else { self = .heap(Bytes(key)) }
        }

        @inlinable func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            switch self {
            case .inline(let k): return try k.withUnsafeBytes(body)
            case .heap(let k): return try k.withUnsafeBytes(body)
            }
        }
    }

    @inlinable public init(key: UnsafeRawBufferPointer, value: Value, expireAt: Int64 = -1) {
        storedKey = StoredKey(key)
        self.access = 0
        self.value = value
        self.expireAt = expireAt
    }

    @inlinable public init(key: Bytes, value: Value, expireAt: Int64 = -1) {
        if key.count > InlineBytes16.capacity {
            storedKey = .heap(key)
            self.access = 0
            self.value = value
            self.expireAt = expireAt
        } else {
            self = key.withUnsafeBytes { Entry(key: $0, value: value, expireAt: expireAt) }
        }
    }

    @inlinable init(_ slot: consuming Slot, expireAt: Int64) {
        let s = slot
        storedKey = s.storedKey
        access = s.access
        value = s.value
        self.expireAt = expireAt
    }

    /// The key's bytes, copied out; `withKey` reads them in place.
    @inlinable public var key: Bytes {
        switch storedKey {
        case .inline(let k): return k.bytes
        case .heap(let k): return k
        }
    }

    @inlinable public func withKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storedKey.withUnsafeBytes(body)
    }

    /// Redis's keyIsExpired: a deadline is passed only once the clock is strictly beyond it.
    @inline(__always)
    public static func isExpired(_ expireAt: Int64, now: Int64) -> Bool { expireAt >= 0 && now > expireAt }
}

/// An entry as a segment stores it: the key, the access field and the value in 48 bytes. A key of up to 16
/// bytes and a string of up to 22 sit inside (see InlineBytes); the key's enum tag, the access field and the
/// value fall into one run without padding. The deadline lives in the segment's `expires`, allocated only
/// once a key there has one, so keys without a deadline do not carry its 8 bytes.
@usableFromInline
struct Slot {
    @usableFromInline var storedKey: Entry.StoredKey
    @usableFromInline var access: UInt32
    @usableFromInline var value: Value

    @inlinable init(_ entry: consuming Entry) {
        let e = entry
        storedKey = e.storedKey
        access = e.access
        value = e.value
    }

    /// The key of the slot at `s`, read in place: a method called on `s.pointee` copies the whole slot
    /// (retaining and releasing its value) whenever `body` might write memory.
    @inlinable static func withKey<R>(at s: UnsafePointer<Slot>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch s.pointee.storedKey {
        case .inline(let k): return try k.withUnsafeBytes(body)
        case .heap(let k): return try k.withUnsafeBytes(body)
        }
    }
}

/// A bounded hash table holding the keys whose hash starts with one prefix.
///
/// Slots sit densely in insertion order; an open-addressing index of 2-byte entries (linear probing,
/// backward-shift deletion, no tombstones) finds them. An index entry holds a slot's position, the low six bits
/// of its key's hash (its home position at every capacity up to maxCapacity) and four more hash bits; together
/// they rule out almost every other key of a probe run without touching its slot, and a deletion's backward
/// shift reads each moved entry's home from the entry itself. Nothing else of the hash is kept, so a key costs
/// its slot and about 4 bytes of index. What needs a stored key's whole hash (growth, splits, SCAN, finding the
/// index entry of the slot that fills a deletion's gap) hashes its key again. Segments are also the unit of
/// copy-on-write: a snapshot holds references to segments, and the keyspace copies a segment only when it must
/// write to one that a snapshot still holds.
@usableFromInline
final class Segment: ManagedBuffer<Segment.Header, UInt16> {
    /// Largest index before the segment splits in two. A write during a snapshot copies the whole segment on
    /// the event loop, retaining every heap value in it (a cache miss each), and one loop turn serving 50
    /// writers copies up to 50 segments: 192 entries took about 45 µs a copy on a busy machine, 2.3 ms a turn,
    /// so a segment holds at most 48.
    @usableFromInline static let maxCapacity = 64
    @usableFromInline static let minCapacity = 8
    /// The most entries a segment holds (its index at 3/4 load); positions must fit `positionBits`.
    @usableFromInline static let maxEntries = maxCapacity * 3 / 4

    /// An index entry's low bits: dense position + 1, 0 marking an empty entry. The bits above hold `filter`.
    @usableFromInline static let positionBits = 6
    @usableFromInline static let positionMask: UInt16 = (1 << positionBits) - 1
    /// The hash bits an index entry keeps above its position as the key's home: enough for maxCapacity.
    @usableFromInline static let homeBits = 6

    @usableFromInline struct Header {
        @usableFromInline var slots: UnsafeMutablePointer<Slot>
        @usableFromInline var expires: UnsafeMutablePointer<Int64>?
        @usableFromInline var capacity: Int
        @usableFromInline var entryCapacity: Int
        @usableFromInline var count = 0
        @usableFromInline var volatileCount = 0
        @usableFromInline var depth: Int
    }

    /// The index lives in this object's own allocation, room for maxCapacity entries (128 bytes) whatever the
    /// capacity in use: a lookup that misses the cache then waits for the segment's header and its index
    /// entry at once (see `prefetchIndex`) rather than for the header, then a pointer read from it. A
    /// keyspace's segments are at maxCapacity from about 48 keys on, so the room costs nothing at scale.
    @inline(__always) @usableFromInline
    var index: UnsafeMutablePointer<UInt16> { withUnsafeMutablePointerToElements { $0 } }

    @inline(__always) @usableFromInline
    var slots: UnsafeMutablePointer<Slot> {
        get { header.slots }
        set { header.slots = newValue }
    }
    /// Each slot's deadline, or nil while no key here has had one (then every deadline is -1).
    @inline(__always) @usableFromInline
    var expires: UnsafeMutablePointer<Int64>? {
        get { header.expires }
        set { header.expires = newValue }
    }
    /// Entries of the index in use (a power of two up to maxCapacity).
    @inline(__always) @usableFromInline
    var indexCapacity: Int {
        get { header.capacity }
        set { header.capacity = newValue }
    }
    @inline(__always) @usableFromInline
    var entryCapacity: Int {
        get { header.entryCapacity }
        set { header.entryCapacity = newValue }
    }
    @inline(__always) @usableFromInline
    var count: Int {
        get { header.count }
        set { header.count = newValue }
    }
    @inline(__always) @usableFromInline
    var volatileCount: Int {
        get { header.volatileCount }
        set { header.volatileCount = newValue }
    }
    /// How many leading hash bits all keys here share (the extendible-hashing local depth).
    @inline(__always) @usableFromInline
    var depth: Int {
        get { header.depth }
        set { header.depth = newValue }
    }

    @usableFromInline static func make(capacity: Int, entryCapacity: Int = 4, depth: Int) -> Segment {
        let slots = UnsafeMutablePointer<Slot>.allocate(capacity: max(entryCapacity, 1))
        let s = unsafeDowncast(Segment.create(minimumCapacity: maxCapacity) { _ in
            Header(slots: slots, expires: nil, capacity: capacity, entryCapacity: max(entryCapacity, 1), depth: depth)
        }, to: Segment.self)
        s.index.initialize(repeating: 0, count: capacity)
        return s
    }

    /// Starts loading the index entry a lookup of `hash` reads first, at full capacity, where nearly every
    /// segment of a large keyspace is; a smaller index lies in the same first lines. Keyspace calls it before
    /// anything touches the segment's header (a retain does).
    @inline(__always) @usableFromInline
    func prefetchIndex(_ hash: UInt64) {
        csystem_prefetch(index + (Int(truncatingIfNeeded: hash) & (Self.maxCapacity - 1)))
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
        expires?.deallocate()
    }

    /// Releases every entry, leaving a segment whose deinit only frees memory (see KeyspaceImage.drain).
    func releaseEntries() {
        slots.deinitialize(count: count)
        count = 0
    }

    @usableFromInline func copy() -> Segment {
        let s = Segment.make(capacity: indexCapacity, entryCapacity: count, depth: depth)
        s.index.update(from: index, count: indexCapacity)
        s.slots.initialize(from: slots, count: count)
        if let expires, volatileCount > 0 {
            s.expires = .allocate(capacity: s.entryCapacity)
            s.expires!.update(from: expires, count: count)
        }
        s.count = count
        s.volatileCount = volatileCount
        return s
    }

    /// Hash bits an index entry keeps above the position: the low `homeBits` (the home at any capacity, so a
    /// backward shift needs no rehash) and four from the middle. The leading bits would not tell keys apart:
    /// they are the same for every key here, having chosen the segment.
    @inline(__always) @usableFromInline
    static func filter(_ hash: UInt64) -> UInt16 {
        let low = UInt16(truncatingIfNeeded: hash) & ((1 << homeBits) - 1)
        let middle = UInt16(truncatingIfNeeded: hash >> 32) << UInt16(homeBits)
        return (low | middle) << UInt16(positionBits)
    }

    /// The home position of the key an index entry points at, from the hash bits the entry keeps.
    @inline(__always)
    func home(entry v: UInt16) -> Int { Int(truncatingIfNeeded: v >> UInt16(Self.positionBits)) & mask }

    @inline(__always)
    var mask: Int { indexCapacity - 1 }

    @inline(__always)
    func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & mask }

    /// The hash of the key stored at `d`.
    @inline(__always)
    func hash(at d: Int) -> UInt64 { Slot.withKey(at: slots + d) { KeyHash.hash($0) } }

    @inline(__always)
    func expireAt(_ d: Int) -> Int64 { expires?[d] ?? -1 }

    /// Records the deadline of the slot at `d`, making room for deadlines the first time one is set.
    @inline(__always)
    func setExpire(_ d: Int, _ at: Int64) {
        if let expires {
            expires[d] = at
        } else if at >= 0 {
            let e = UnsafeMutablePointer<Int64>.allocate(capacity: entryCapacity)
            e.initialize(repeating: -1, count: count)
            e[d] = at
            expires = e
        }
    }

    /// The dense position of the key, or nil.
    @usableFromInline
    func find(_ hash: UInt64, _ key: UnsafeRawBufferPointer) -> Int? {
        let f = Self.filter(hash)
        var s = home(hash)
        while true {
            let v = index[s]
            if v == 0 { return nil }
            if v & ~Self.positionMask == f {
                let p = Int(v & Self.positionMask) - 1
                if Slot.withKey(at: slots + p, { bytesEqual($0, key) }) { return p }
            }
            s = (s + 1) & mask
        }
    }

    /// The index entry that points at dense position `d`, whose key hashes to `hash`.
    @inline(__always)
    func slot(of d: Int, hash: UInt64) -> Int {
        var s = home(hash)
        while Int(index[s] & Self.positionMask) != d + 1 { s = (s + 1) & mask }
        return s
    }

    /// Appends an entry known to be absent; the caller has made room in the index.
    @usableFromInline
    @discardableResult
    func insertNew(_ hash: UInt64, _ entry: consuming Entry) -> Int {
        let at = entry.expireAt
        return insertNew(hash, Slot(entry), expireAt: at)
    }

    @discardableResult
    func insertNew(_ hash: UInt64, _ slot: consuming Slot, expireAt: Int64) -> Int {
        // A quarter more room at a time: slots are most of a key's weight, so slack costs more memory than
        // the extra moves cost time.
        if count == entryCapacity { resizeEntries(min(entryCapacity + max(entryCapacity / 4, 4), Self.maxEntries)) }
        var s = home(hash)
        while index[s] != 0 { s = (s + 1) & mask }
        let d = count
        index[s] = UInt16(d + 1) | Self.filter(hash)
        count += 1
        if expireAt >= 0 || expires != nil {
            setExpire(d, expireAt)
            if expireAt >= 0 { volatileCount += 1 }
        }
        (slots + d).initialize(to: consume slot)
        return d
    }

    /// Removes the entry at dense position `d`, whose key hashes to `hash`: its index entry is closed by
    /// shifting later members of the probe run back, and the last slot moves into the gap so the slots stay
    /// dense.
    @usableFromInline
    @discardableResult
    func remove(at d: Int, hash: UInt64) -> Entry {
        closeIndexEntry(of: d, hash: hash)
        let removed = Entry((slots + d).move(), expireAt: expireAt(d))
        if removed.expireAt >= 0 { volatileCount -= 1 }
        fillGap(at: d)
        return removed
    }

    /// `remove(at:hash:)` for a caller that drops the entry (eviction, DEL, expiry): the slot is destroyed in
    /// place, one release of the value, where building an Entry retains the key and value and releases them again.
    @usableFromInline
    func discard(at d: Int, hash: UInt64) {
        closeIndexEntry(of: d, hash: hash)
        if expireAt(d) >= 0 { volatileCount -= 1 }
        (slots + d).deinitialize(count: 1)
        fillGap(at: d)
    }

    /// Closes the index entry of dense position `d` by backward shift (no tombstones).
    @inline(__always)
    private func closeIndexEntry(of d: Int, hash: UInt64) {
        var hole = slot(of: d, hash: hash)
        index[hole] = 0
        var j = (hole + 1) & mask
        while index[j] != 0 {
            let h = home(entry: index[j])
            // Move j into the hole unless its home lies cyclically in (hole, j].
            let stays = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !stays {
                index[hole] = index[j]
                index[j] = 0
                hole = j
            }
            j = (j + 1) & mask
        }
    }

    /// Moves the last slot into the emptied dense position `d`, so the slots stay dense.
    @inline(__always)
    private func fillGap(at d: Int) {
        let last = count - 1
        if d != last {
            let ls = slot(of: last, hash: self.hash(at: last))
            (slots + d).moveInitialize(from: slots + last, count: 1)
            if let expires { expires[d] = expires[last] }
            index[ls] = UInt16(d + 1) | (index[ls] & ~Self.positionMask)
        }
        count -= 1
    }

    @usableFromInline var isFull: Bool { count * 4 >= indexCapacity * 3 }

    /// Doubles the index; only called while below maxCapacity. Slots do not move.
    @usableFromInline func grow() {
        indexCapacity *= 2
        rebuildIndex()
    }

    private func rebuildIndex() {
        index.update(repeating: 0, count: indexCapacity)
        for d in 0..<count {
            let h = hash(at: d)
            var s = home(h)
            while index[s] != 0 { s = (s + 1) & mask }
            index[s] = UInt16(d + 1) | Self.filter(h)
        }
    }

    private func resizeEntries(_ newCapacity: Int) {
        let newSlots = UnsafeMutablePointer<Slot>.allocate(capacity: newCapacity)
        newSlots.moveInitialize(from: slots, count: count)
        slots.deallocate()
        slots = newSlots
        if let old = expires {
            // Deadlines gone from every key here (PERSIST, deletion) give their room back.
            if volatileCount > 0 {
                expires = .allocate(capacity: newCapacity)
                expires!.update(from: old, count: count)
            } else {
                expires = nil
            }
            old.deallocate()
        }
        entryCapacity = newCapacity
    }

    /// Moves every key whose next hash bit is 1 into a new segment; both halves get depth + 1. Each half's
    /// slot storage is sized to what it holds plus room to grow, so a split does not leave half of it empty.
    @usableFromInline func split() -> Segment {
        let bit = UInt64(1) << UInt64(63 - depth)
        depth += 1
        let other = Segment.make(capacity: indexCapacity, entryCapacity: count / 2 + count / 8, depth: depth)
        var kept = 0
        volatileCount = 0
        for d in 0..<count {
            let at = expireAt(d)
            let h = hash(at: d)
            if h & bit != 0 {
                other.insertNew(h, (slots + d).move(), expireAt: at)
            } else {
                if kept != d {
                    (slots + kept).moveInitialize(from: slots + d, count: 1)
                    expires?[kept] = at
                }
                if at >= 0 { volatileCount += 1 }
                kept += 1
            }
        }
        count = kept
        resizeEntries(max(kept + kept / 4, 4))
        rebuildIndex()
        return other
    }
}
