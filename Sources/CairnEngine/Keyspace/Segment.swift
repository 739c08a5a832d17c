/// One stored key: its bytes, value, access field and absolute expiry in unix milliseconds (-1 when it has none).
///
/// Short keys and short string values sit inside the entry (see InlineBytes), and the fields are ordered so
/// the whole entry packs into 64 bytes: that, the segment's 8-byte hash and its 2-byte index slots are all a
/// small key-value pair costs.
public struct Entry {
    @usableFromInline var storedKey: StoredKey
    public var value: Value
    /// Redis's lru field: see AccessClock. The keyspace stamps it when the entry is inserted.
    public var access: UInt32
    public var expireAt: Int64

    @usableFromInline enum StoredKey {
        case inline(InlineBytes15)
        case heap(Bytes)
    }

    @inlinable public init(key: UnsafeRawBufferPointer, value: Value, expireAt: Int64 = -1) {
        if let k = InlineBytes15(key) { storedKey = .inline(k) } else { storedKey = .heap(Bytes(key)) }
        self.value = value
        self.access = 0
        self.expireAt = expireAt
    }

    @inlinable public init(key: Bytes, value: Value, expireAt: Int64 = -1) {
        if key.count > InlineBytes15.capacity {
            storedKey = .heap(key)
            self.value = value
            self.access = 0
            self.expireAt = expireAt
        } else {
            self = key.withUnsafeBytes { Entry(key: $0, value: value, expireAt: expireAt) }
        }
    }

    /// The key's bytes, copied out; `withKey` reads them in place.
    @inlinable public var key: Bytes {
        switch storedKey {
        case .inline(let k): return k.bytes
        case .heap(let k): return k
        }
    }

    @inlinable public func withKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storedKey {
        case .inline(let k): return try k.withUnsafeBytes(body)
        case .heap(let k): return try k.withUnsafeBytes(body)
        }
    }

    /// As `withKey`, for the entry at `e`, reading only its key: a method called on `e.pointee` copies the whole
    /// entry (retaining and releasing its value) whenever `body` might write memory.
    @inlinable public static func withKey<R>(at e: UnsafePointer<Entry>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch e.pointee.storedKey {
        case .inline(let k): return try k.withUnsafeBytes(body)
        case .heap(let k): return try k.withUnsafeBytes(body)
        }
    }

    /// Redis's keyIsExpired: a deadline is passed only once the clock is strictly beyond it.
    @inline(__always)
    public static func isExpired(_ expireAt: Int64, now: Int64) -> Bool { expireAt >= 0 && now > expireAt }
}

/// A bounded hash table holding the keys whose hash starts with one prefix.
///
/// Entries sit densely in insertion order; an open-addressing index of 2-byte positions (linear probing,
/// backward-shift deletion, no tombstones) finds them. Empty index slots cost 2 bytes instead of a whole
/// entry, which keeps memory per key close to the entry itself. Segments are also the unit of copy-on-write:
/// a snapshot holds references to segments, and the keyspace copies a segment only when it must write to one
/// that a snapshot still holds.
@usableFromInline
final class Segment {
    /// Largest index before the segment splits in two. A write during a snapshot copies the whole segment on
    /// the event loop, retaining every heap value in it (a cache miss each), and one loop turn serving 50
    /// writers copies up to 50 segments: 192 entries took about 45 µs a copy on a busy machine, 2.3 ms a turn,
    /// so a segment holds at most 48.
    @usableFromInline static let maxCapacity = 64
    @usableFromInline static let minCapacity = 8
    /// The most entries a segment holds (its index at 3/4 load); positions fit the index's UInt16.
    @usableFromInline static let maxEntries = maxCapacity * 3 / 4

    /// Index slot -> dense position + 1; 0 marks an empty slot.
    @usableFromInline var index: UnsafeMutablePointer<UInt16>
    @usableFromInline var hashes: UnsafeMutablePointer<UInt64>
    @usableFromInline var entries: UnsafeMutablePointer<Entry>
    @usableFromInline var capacity: Int
    @usableFromInline var entryCapacity: Int
    @usableFromInline var count = 0
    @usableFromInline var volatileCount = 0
    /// How many leading hash bits all keys here share (the extendible-hashing local depth).
    @usableFromInline var depth: Int

    @usableFromInline init(capacity: Int, entryCapacity: Int = 4, depth: Int) {
        self.capacity = capacity
        self.entryCapacity = max(entryCapacity, 1)
        self.depth = depth
        index = .allocate(capacity: capacity)
        index.initialize(repeating: 0, count: capacity)
        hashes = .allocate(capacity: self.entryCapacity)
        entries = .allocate(capacity: self.entryCapacity)
    }

    deinit {
        entries.deinitialize(count: count)
        index.deallocate()
        hashes.deallocate()
        entries.deallocate()
    }

    @usableFromInline func copy() -> Segment {
        let s = Segment(capacity: capacity, entryCapacity: count, depth: depth)
        s.index.update(from: index, count: capacity)
        s.hashes.update(from: hashes, count: count)
        s.entries.initialize(from: entries, count: count)
        s.count = count
        s.volatileCount = volatileCount
        return s
    }

    @inline(__always)
    var mask: Int { capacity - 1 }

    @inline(__always)
    func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & mask }

    /// The dense position of the key, or nil.
    @usableFromInline
    func find(_ hash: UInt64, _ key: UnsafeRawBufferPointer) -> Int? {
        var s = home(hash)
        while true {
            let p = Int(index[s])
            if p == 0 { return nil }
            if hashes[p - 1] == hash {
                let found = entries[p - 1].withKey { bytesEqual($0, key) }
                if found { return p - 1 }
            }
            s = (s + 1) & mask
        }
    }

    /// The index slot that points at dense position `d`.
    @inline(__always)
    func slot(of d: Int) -> Int {
        var s = home(hashes[d])
        while Int(index[s]) != d + 1 { s = (s + 1) & mask }
        return s
    }

    /// Appends an entry known to be absent; the caller has made room in the index.
    @usableFromInline
    @discardableResult
    func insertNew(_ hash: UInt64, _ entry: consuming Entry) -> Int {
        // A quarter more room at a time: entries are most of a key's weight, so slack costs more memory than
        // the extra moves cost time.
        if count == entryCapacity { resizeEntries(min(entryCapacity + max(entryCapacity / 4, 4), Self.maxEntries)) }
        var s = home(hash)
        while index[s] != 0 { s = (s + 1) & mask }
        let d = count
        index[s] = UInt16(d + 1)
        hashes[d] = hash
        count += 1
        if entry.expireAt >= 0 { volatileCount += 1 }
        (entries + d).initialize(to: consume entry)
        return d
    }

    /// Removes the entry at dense position `d`: its index slot is closed by shifting later members of the probe
    /// run back, and the last entry moves into the gap so the entries stay dense.
    @usableFromInline
    @discardableResult
    func remove(at d: Int) -> Entry {
        var hole = slot(of: d)
        let removed = (entries + d).move()
        if removed.expireAt >= 0 { volatileCount -= 1 }
        index[hole] = 0
        var j = (hole + 1) & mask
        while index[j] != 0 {
            let h = home(hashes[Int(index[j]) - 1])
            // Move j into the hole unless its home lies cyclically in (hole, j].
            let stays = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !stays {
                index[hole] = index[j]
                index[j] = 0
                hole = j
            }
            j = (j + 1) & mask
        }
        let last = count - 1
        if d != last {
            let ls = slot(of: last)
            (entries + d).moveInitialize(from: entries + last, count: 1)
            hashes[d] = hashes[last]
            index[ls] = UInt16(d + 1)
        }
        count -= 1
        return removed
    }

    @usableFromInline var isFull: Bool { count * 4 >= capacity * 3 }

    /// Doubles the index; only called while below maxCapacity. Entries do not move.
    @usableFromInline func grow() {
        capacity *= 2
        rebuildIndex()
    }

    private func rebuildIndex() {
        index.deallocate()
        index = .allocate(capacity: capacity)
        index.initialize(repeating: 0, count: capacity)
        for d in 0..<count {
            var s = home(hashes[d])
            while index[s] != 0 { s = (s + 1) & mask }
            index[s] = UInt16(d + 1)
        }
    }

    private func resizeEntries(_ newCapacity: Int) {
        let newHashes = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
        let newEntries = UnsafeMutablePointer<Entry>.allocate(capacity: newCapacity)
        newHashes.update(from: hashes, count: count)
        newEntries.moveInitialize(from: entries, count: count)
        hashes.deallocate()
        entries.deallocate()
        hashes = newHashes
        entries = newEntries
        entryCapacity = newCapacity
    }

    /// Moves every key whose next hash bit is 1 into a new segment; both halves get depth + 1. Each half's
    /// entry storage is sized to what it holds plus room to grow, so a split does not leave half of it empty.
    @usableFromInline func split() -> Segment {
        let bit = UInt64(1) << UInt64(63 - depth)
        depth += 1
        let other = Segment(capacity: capacity, entryCapacity: count / 2 + count / 8, depth: depth)
        var kept = 0
        volatileCount = 0
        for d in 0..<count {
            if hashes[d] & bit != 0 {
                other.insertNew(hashes[d], (entries + d).move())
            } else {
                if kept != d {
                    (entries + kept).moveInitialize(from: entries + d, count: 1)
                    hashes[kept] = hashes[d]
                }
                if entries[kept].expireAt >= 0 { volatileCount += 1 }
                kept += 1
            }
        }
        count = kept
        resizeEntries(max(kept + kept / 4, 4))
        rebuildIndex()
        return other
    }
}
