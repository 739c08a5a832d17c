import Glibc
import RESP

/// A value a `ChunkedHashMap` stores inline, right after its key, in the chunk's byte arena.
public protocol PackedValue {
    static func packedSize(_ v: Self) -> Int
    /// The size of the encoded value starting at `p`.
    static func packedSize(at p: UnsafeRawPointer) -> Int
    static func pack(_ v: Self, into p: UnsafeMutableRawPointer)
    static func unpack(_ p: UnsafeRawPointer) -> Self
}

/// The value of a map used as a set: nothing is stored.
public struct NoValue: PackedValue {
    public init() {}
    public static func packedSize(_ v: NoValue) -> Int { 0 }
    public static func packedSize(at p: UnsafeRawPointer) -> Int { 0 }
    public static func pack(_ v: NoValue, into p: UnsafeMutableRawPointer) {}
    public static func unpack(_ p: UnsafeRawPointer) -> NoValue { NoValue() }
}

extension Double: PackedValue {
    public static func packedSize(_ v: Double) -> Int { 8 }
    public static func packedSize(at p: UnsafeRawPointer) -> Int { 8 }
    public static func pack(_ v: Double, into p: UnsafeMutableRawPointer) { p.storeBytes(of: v, as: Double.self) }
    public static func unpack(_ p: UnsafeRawPointer) -> Double { p.loadUnaligned(as: Double.self) }
}

/// A byte string: a 4-byte length, then the bytes.
extension Array: PackedValue where Element == UInt8 {
    public static func packedSize(_ v: [UInt8]) -> Int { 4 + v.count }
    public static func packedSize(at p: UnsafeRawPointer) -> Int { 4 + Int(p.loadUnaligned(as: UInt32.self)) }
    public static func pack(_ v: [UInt8], into p: UnsafeMutableRawPointer) {
        p.storeBytes(of: UInt32(v.count), as: UInt32.self)
        v.withUnsafeBytes { if let b = $0.baseAddress { (p + 4).copyMemory(from: b, byteCount: $0.count) } }
    }
    public static func unpack(_ p: UnsafeRawPointer) -> [UInt8] {
        let n = Int(p.loadUnaligned(as: UInt32.self))
        return [UInt8](UnsafeRawBufferPointer(start: p + 4, count: n))
    }
}

/// A hash map keyed by byte strings, split by the top bits of each key's hash into chunks that are shared
/// copy-on-write one by one: a write to a map still referenced by a snapshot copies the one chunk it touches,
/// never the whole map. Backs large hashes, large sets and the member index of large sorted sets.
///
/// A chunk packs its keys and values into one byte arena behind an open-addressing index, so an element costs
/// its bytes plus a few of bookkeeping rather than a heap object per key and value (Redis spends a dict entry
/// and an sds string for each), and lookups hash the key once with `KeyHash`.
public struct ChunkedHashMap<V: PackedValue> {
    /// Records in insertion order: a 4-byte header (key length; the top bit marks a removed record), the key,
    /// then the packed value. Slots hold (record offset + 1) << 24 | 24 bits of the key's hash, 0 when empty.
    final class Chunk {
        var arena: UnsafeMutableRawPointer? = nil
        var used = 0
        var capacity = 0
        var slots: UnsafeMutablePointer<UInt64>? = nil
        /// A power of two (or 0 before the first insert).
        var slotCount = 0
        var live = 0
        /// Bytes of removed or replaced records still in the arena.
        var garbage = 0

        init() {}

        init(copying c: Chunk) {
            used = c.used
            capacity = c.used
            slotCount = c.slotCount
            live = c.live
            garbage = c.garbage
            if c.used > 0 {
                arena = malloc(c.used)
                arena!.copyMemory(from: c.arena!, byteCount: c.used)
            }
            if c.slotCount > 0 {
                slots = .allocate(capacity: c.slotCount)
                slots!.update(from: c.slots!, count: c.slotCount)
            }
        }

        deinit {
            free(arena)
            slots?.deallocate()
        }

        static var removedBit: UInt32 { 1 << 31 }

        @inline(__always) static func tag(_ h: UInt64) -> UInt64 { (h >> 24) & 0xFF_FFFF }

        @inline(__always) func keyLength(_ offset: Int) -> Int {
            Int(arena!.loadUnaligned(fromByteOffset: offset, as: UInt32.self) & ~Self.removedBit)
        }

        @inline(__always) func key(_ offset: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: arena! + offset + 4, count: keyLength(offset))
        }

        @inline(__always) func valuePointer(_ offset: Int) -> UnsafeRawPointer {
            UnsafeRawPointer(arena! + offset + 4 + keyLength(offset))
        }

        func recordSize(_ offset: Int) -> Int {
            let k = keyLength(offset)
            return 4 + k + V.packedSize(at: arena! + offset + 4 + k)
        }

        func isRemoved(_ offset: Int) -> Bool {
            arena!.loadUnaligned(fromByteOffset: offset, as: UInt32.self) & Self.removedBit != 0
        }

        /// The slot holding `key`, or the empty slot where it would go.
        func find(_ key: UnsafeRawBufferPointer, _ h: UInt64) -> (slot: Int, found: Bool) {
            let mask = slotCount - 1
            let t = Self.tag(h)
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
                let s = slots![i]
                if s == 0 { return (i, false) }
                if s & 0xFF_FFFF == t && bytesEqual(self.key(Int(s >> 24) - 1), key) { return (i, true) }
                i = (i + 1) & mask
            }
        }

        /// Room for `n` more bytes at the end of the arena; grows by half so a chunk wastes little.
        func reserve(_ n: Int) {
            guard used + n > capacity else { return }
            capacity = max(used + n, capacity + capacity / 2, 64)
            arena = realloc(arena, capacity)
        }

        /// Appends a record and returns its offset.
        func append(_ key: UnsafeRawBufferPointer, _ value: V) -> Int {
            let size = 4 + key.count + V.packedSize(value)
            reserve(size)
            let at = used
            let p = arena! + at
            p.storeBytes(of: UInt32(key.count), as: UInt32.self)
            if let b = key.baseAddress { (p + 4).copyMemory(from: b, byteCount: key.count) }
            V.pack(value, into: p + 4 + key.count)
            used += size
            return at
        }

        func setSlot(_ i: Int, offset: Int, hash h: UInt64) {
            slots![i] = UInt64(offset + 1) << 24 | Self.tag(h)
        }

        /// Adds a key known to be absent.
        func insertNew(_ key: UnsafeRawBufferPointer, _ h: UInt64, _ value: V) {
            if (live + 1) * 4 > slotCount * 3 { resizeSlots(max(8, slotCount * 2)) }
            let offset = append(key, value)
            setSlot(find(key, h).slot, offset: offset, hash: h)
            live += 1
        }

        /// Rebuilds the index at `count` slots from the live records.
        func resizeSlots(_ count: Int) {
            slots?.deallocate()
            slotCount = count
            slots = .allocate(capacity: count)
            slots!.initialize(repeating: 0, count: count)
            forEachRecord { offset in
                let k = key(offset)
                let h = KeyHash.hash(k)
                setSlot(find(k, h).slot, offset: offset, hash: h)
            }
        }

        func forEachRecord(_ body: (Int) throws -> Void) rethrows {
            var offset = 0
            while offset < used {
                let size = recordSize(offset)
                if !isRemoved(offset) { try body(offset) }
                offset += size
            }
        }

        /// Removes the record slot `i` points to, shifting later entries of its probe run back so lookups need
        /// no tombstones.
        func remove(slot i: Int) {
            let offset = Int(slots![i] >> 24) - 1
            let header = arena!.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            garbage += recordSize(offset)
            (arena! + offset).storeBytes(of: header | Self.removedBit, as: UInt32.self)
            live -= 1
            let mask = slotCount - 1
            var hole = i
            var j = (i + 1) & mask
            while slots![j] != 0 {
                let home = Int(truncatingIfNeeded: KeyHash.hash(key(Int(slots![j] >> 24) - 1))) & mask
                // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
                let stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
                if !stays {
                    slots![hole] = slots![j]
                    hole = j
                }
                j = (j + 1) & mask
            }
            slots![hole] = 0
            if garbage > 256 && garbage * 2 > used { compact() }
        }

        /// Drops removed records from the arena.
        func compact() {
            let fresh = malloc(max(used - garbage, 1))!
            var at = 0
            forEachRecord { offset in
                let size = recordSize(offset)
                (fresh + at).copyMemory(from: arena! + offset, byteCount: size)
                at += size
            }
            free(arena)
            arena = fresh
            used = at
            capacity = max(at, 1)
            garbage = 0
            resizeSlots(slotCount)
        }
    }

    /// A chunk grows to about this many entries before the map doubles its chunk count.
    static var chunkLoad: Int { 1024 }

    private(set) var chunks: [Chunk] = [Chunk()]
    /// There are 2^depth chunks; chunk i holds the keys whose hash starts with the depth bits of i.
    private var depth = 0
    public private(set) var count = 0

    public init() {}

    @inline(__always) private func chunkIndex(_ hash: UInt64) -> Int {
        depth == 0 ? 0 : Int(truncatingIfNeeded: hash >> UInt64(64 - depth))
    }

    private mutating func uniqueChunk(_ i: Int) -> Chunk {
        if !isKnownUniquelyReferenced(&chunks[i]) { chunks[i] = Chunk(copying: chunks[i]) }
        return chunks[i]
    }

    public subscript(key: UnsafeRawBufferPointer) -> V? {
        let h = KeyHash.hash(key)
        let c = chunks[chunkIndex(h)]
        guard c.live > 0 else { return nil }
        let (slot, found) = c.find(key, h)
        return found ? V.unpack(c.valuePointer(Int(c.slots![slot] >> 24) - 1)) : nil
    }

    public subscript(key: Bytes) -> V? { key.withUnsafeBytes { self[$0] } }

    public func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        let h = KeyHash.hash(key)
        let c = chunks[chunkIndex(h)]
        return c.live > 0 && c.find(key, h).found
    }

    public func contains(_ key: Bytes) -> Bool { key.withUnsafeBytes { contains($0) } }

    /// Inserts or replaces; returns the previous value.
    @discardableResult
    public mutating func updateValue(_ value: V, forKey key: UnsafeRawBufferPointer) -> V? {
        let h = KeyHash.hash(key)
        let c = uniqueChunk(chunkIndex(h))
        if c.live > 0 {
            let (slot, found) = c.find(key, h)
            if found {
                let offset = Int(c.slots![slot] >> 24) - 1
                let p = c.valuePointer(offset)
                let old = V.unpack(p)
                if V.packedSize(at: p) == V.packedSize(value) {
                    V.pack(value, into: UnsafeMutableRawPointer(mutating: p))
                } else {
                    c.garbage += c.recordSize(offset)
                    let header = c.arena!.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
                    (c.arena! + offset).storeBytes(of: header | Chunk.removedBit, as: UInt32.self)
                    let moved = c.append(key, value)
                    c.setSlot(slot, offset: moved, hash: h)
                    if c.garbage > 256 && c.garbage * 2 > c.used { c.compact() }
                }
                return old
            }
        }
        c.insertNew(key, h, value)
        count += 1
        if count > chunks.count * Self.chunkLoad { split() }
        return nil
    }

    @discardableResult
    public mutating func updateValue(_ value: V, forKey key: Bytes) -> V? {
        key.withUnsafeBytes { updateValue(value, forKey: $0) }
    }

    @discardableResult
    public mutating func removeValue(forKey key: UnsafeRawBufferPointer) -> V? {
        let h = KeyHash.hash(key)
        let i = chunkIndex(h)
        guard chunks[i].live > 0, chunks[i].find(key, h).found else { return nil }
        let c = uniqueChunk(i)
        let slot = c.find(key, h).slot
        let old = V.unpack(c.valuePointer(Int(c.slots![slot] >> 24) - 1))
        c.remove(slot: slot)
        count -= 1
        return old
    }

    @discardableResult
    public mutating func removeValue(forKey key: Bytes) -> V? {
        key.withUnsafeBytes { removeValue(forKey: $0) }
    }

    /// Doubles the chunk count; each chunk's records go to the two chunks that split its hash prefix.
    private mutating func split() {
        var next: [Chunk] = []
        next.reserveCapacity(chunks.count * 2)
        let bit = UInt64(1) << UInt64(63 - depth)
        for c in chunks {
            let low = Chunk(), high = Chunk()
            for half in [low, high] {
                half.reserve((c.used - c.garbage) / 2)
                half.resizeSlots(max(8, c.slotCount / 2))
            }
            c.forEachRecord { offset in
                let k = c.key(offset)
                let h = KeyHash.hash(k)
                (h & bit == 0 ? low : high).insertNew(k, h, V.unpack(c.valuePointer(offset)))
            }
            next.append(low)
            next.append(high)
        }
        chunks = next
        depth += 1
    }

    /// Visits every entry with its key's bytes, valid only during the call.
    public func forEachRaw(_ body: (UnsafeRawBufferPointer, V) throws -> Void) rethrows {
        for c in chunks { try c.forEachRecord { try body(c.key($0), V.unpack(c.valuePointer($0))) } }
    }

    public func forEach(_ body: (Bytes, V) throws -> Void) rethrows {
        try forEachRaw { try body(Bytes($0), $1) }
    }

    /// A uniformly chosen entry; the map must not be empty.
    public func randomElement() -> (key: Bytes, value: V) {
        var n = Int.random(in: 0..<count)
        for c in chunks {
            if n < c.live {
                // Slots are at least a quarter full, so a random probe finds an entry quickly, each equally likely.
                while true {
                    let s = c.slots![Int.random(in: 0..<c.slotCount)]
                    if s != 0 {
                        let offset = Int(s >> 24) - 1
                        return (Bytes(c.key(offset)), V.unpack(c.valuePointer(offset)))
                    }
                }
            }
            n -= c.live
        }
        preconditionFailure("count out of step with chunks")
    }

    /// One step of SSCAN/ZSCAN/HSCAN (see hashOrderScan). Returns the next cursor, 0 at the end.
    public func scan(cursor: UInt64, count: Int, _ visit: (Bytes, V) -> Void) -> UInt64 {
        hashOrderScan(cursor: cursor, count: count, collect: { cur, batch in
            let c = chunks[chunkIndex(cur)]
            c.forEachRecord { offset in
                let k = c.key(offset)
                let h = KeyHash.hash(k)
                if h >= cur { batch.append((h, (Bytes(k), V.unpack(c.valuePointer(offset))))) }
            }
            return depth
        }, visit: { visit($0.0, $0.1) })
    }

    /// The identity of each chunk, so tests can see which chunks a write copied.
    var chunkIdentities: [ObjectIdentifier] { chunks.map(ObjectIdentifier.init) }
}
