/// One stored key: its bytes, value and absolute expiry in unix milliseconds (-1 when it has none).
public struct Entry {
    public var key: Bytes
    public var value: Value
    public var expireAt: Int64

    @inlinable public init(key: Bytes, value: Value, expireAt: Int64 = -1) {
        self.key = key
        self.value = value
        self.expireAt = expireAt
    }

    /// Redis's keyIsExpired: a deadline is passed only once the clock is strictly beyond it.
    @inline(__always)
    public static func isExpired(_ expireAt: Int64, now: Int64) -> Bool { expireAt >= 0 && now > expireAt }
}

/// A bounded open-addressing table holding the keys whose hash starts with one prefix.
///
/// Segments are the unit of copy-on-write: a snapshot holds references to segments, and the keyspace copies a
/// segment only when it must write to one that a snapshot still holds. Linear probing with backward-shift
/// deletion keeps lookups to one or two cache lines of the hash array and leaves no tombstones.
@usableFromInline
final class Segment {
    /// Largest table before the segment splits in two; small enough that a copy takes microseconds.
    @usableFromInline static let maxCapacity = 1024
    @usableFromInline static let minCapacity = 8

    @usableFromInline var hashes: UnsafeMutablePointer<UInt64>
    @usableFromInline var entries: UnsafeMutablePointer<Entry>
    @usableFromInline var capacity: Int
    @usableFromInline var count = 0
    @usableFromInline var volatileCount = 0
    /// How many leading hash bits all keys here share (the extendible-hashing local depth).
    @usableFromInline var depth: Int

    @usableFromInline init(capacity: Int, depth: Int) {
        self.capacity = capacity
        self.depth = depth
        hashes = .allocate(capacity: capacity)
        hashes.initialize(repeating: 0, count: capacity)
        entries = .allocate(capacity: capacity)
    }

    deinit {
        for i in 0..<capacity where hashes[i] != 0 { (entries + i).deinitialize(count: 1) }
        hashes.deallocate()
        entries.deallocate()
    }

    @usableFromInline func copy() -> Segment {
        let s = Segment(capacity: capacity, depth: depth)
        s.hashes.update(from: hashes, count: capacity)
        for i in 0..<capacity where hashes[i] != 0 { (s.entries + i).initialize(to: entries[i]) }
        s.count = count
        s.volatileCount = volatileCount
        return s
    }

    @inlinable @inline(__always)
    var mask: Int { capacity - 1 }

    @inlinable
    func find(_ hash: UInt64, _ key: UnsafeRawBufferPointer) -> Int? {
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let h = hashes[i]
            if h == 0 { return nil }
            if h == hash {
                let found = entries[i].key.withUnsafeBytes { bytesEqual($0, key) }
                if found { return i }
            }
            i = (i + 1) & mask
        }
    }

    /// Places an entry known to be absent; the caller has made room.
    @inlinable
    @discardableResult
    func insertNew(_ hash: UInt64, _ entry: Entry) -> Int {
        var i = Int(truncatingIfNeeded: hash) & mask
        while hashes[i] != 0 { i = (i + 1) & mask }
        hashes[i] = hash
        (entries + i).initialize(to: entry)
        count += 1
        if entry.expireAt >= 0 { volatileCount += 1 }
        return i
    }

    /// Removes slot `i` and closes the gap by shifting later members of the probe run back.
    @inlinable
    @discardableResult
    func remove(at i: Int) -> Entry {
        let removed = (entries + i).move()
        if removed.expireAt >= 0 { volatileCount -= 1 }
        hashes[i] = 0
        count -= 1
        var hole = i
        var j = (i + 1) & mask
        while hashes[j] != 0 {
            let home = Int(truncatingIfNeeded: hashes[j]) & mask
            // Move j into the hole unless its home lies cyclically in (hole, j].
            let stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !stays {
                hashes[hole] = hashes[j]
                (entries + hole).moveInitialize(from: entries + j, count: 1)
                hashes[j] = 0
                hole = j
            }
            j = (j + 1) & mask
        }
        return removed
    }

    @inlinable var isFull: Bool { count * 4 >= capacity * 3 }

    /// Doubles the table; only called while below maxCapacity.
    @usableFromInline func grow() {
        let oldHashes = hashes
        let oldEntries = entries
        let oldCapacity = capacity
        capacity *= 2
        hashes = .allocate(capacity: capacity)
        hashes.initialize(repeating: 0, count: capacity)
        entries = .allocate(capacity: capacity)
        let m = capacity - 1
        for s in 0..<oldCapacity where oldHashes[s] != 0 {
            let h = oldHashes[s]
            var i = Int(truncatingIfNeeded: h) & m
            while hashes[i] != 0 { i = (i + 1) & m }
            hashes[i] = h
            (entries + i).moveInitialize(from: oldEntries + s, count: 1)
        }
        oldHashes.deallocate()
        oldEntries.deallocate()
    }

    /// Moves every key whose next hash bit is 1 into a new segment; both halves get depth + 1.
    @usableFromInline func split() -> Segment {
        let bit = UInt64(1) << UInt64(63 - depth)
        depth += 1
        let other = Segment(capacity: capacity, depth: depth)
        let oldHashes = hashes
        let oldEntries = entries
        hashes = .allocate(capacity: capacity)
        hashes.initialize(repeating: 0, count: capacity)
        entries = .allocate(capacity: capacity)
        count = 0
        volatileCount = 0
        for s in 0..<capacity where oldHashes[s] != 0 {
            let e = (oldEntries + s).move()
            if oldHashes[s] & bit != 0 { other.insertNew(oldHashes[s], e) } else { insertNew(oldHashes[s], e) }
        }
        oldHashes.deallocate()
        oldEntries.deallocate()
        return other
    }
}
