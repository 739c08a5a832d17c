import CSystem

/// The keys of one database: extendible hashing over copy-on-write segments.
///
/// `dir` maps the top `globalDepth` bits of a key's hash to an index in `segments`; each segment appears once in
/// `segments`, so `isKnownUniquelyReferenced` tells whether a snapshot still shares it. A snapshot's image
/// retains the segments (see KeyspaceImage), a bounded number per loop turn. Growth splits one segment at a
/// time: there is never a global rehash.
public struct Keyspace {
    @usableFromInline var segments: [Segment]
    @usableFromInline var dir: [UInt32]
    @usableFromInline var globalDepth: Int
    /// The directory at the next depth, built ahead of the doubling that needs it: entry j of `dir` is copied to
    /// 2j and 2j+1 here for every j below `nextDirFilled`, a slice per split, and splits mirror their changes
    /// into the filled part. Doubling then swaps it in instead of writing (and faulting in) the whole doubled
    /// directory in one loop turn: 2.2 ms at five million keys. Empty while the directory is small.
    var nextDir: [UInt32] = []
    var nextDirFilled = 0
    public internal(set) var count = 0
    public internal(set) var volatileCount = 0
    /// Slots the segments have allocated, used or not. Slots freed by deletions are reused by later inserts
    /// without a new allocation, so eviction counts the empty ones as free memory (see `slackBytes`).
    public internal(set) var entrySlots = 0
    /// Where the next eviction sample starts (segment, entry; -1: draw anew) and the segment of the one after,
    /// drawn ahead so their cache lines arrive in between (see `sample`).
    var nextSample = (segment: -1, entry: 0)
    var sampleAfterNext = -1
    /// The image a capture in progress is taking of this keyspace, until it holds all its segments.
    var capture: KeyspaceImage?

    public init() {
        segments = [Segment.make(capacity: Segment.minCapacity, depth: 0)]
        dir = [0]
        globalDepth = 0
        entrySlots = segments[0].entryCapacity
    }

    /// Bytes of allocated but empty slots: memory this keyspace holds for keys to come, as an allocator holds
    /// freed chunks. Room for deadlines is left out: only segments holding one have it.
    @inline(__always)
    public var slackBytes: Int { (entrySlots - count) * MemoryLayout<Slot>.stride }

    @inline(__always)
    func segmentIndex(_ hash: UInt64) -> Int {
        globalDepth == 0 ? 0 : Int(dir[Int(truncatingIfNeeded: hash >> UInt64(64 - globalDepth))])
    }

    /// The segment a key hashing to `h` belongs in, its index entry already on its way into the cache (see
    /// Segment.prefetchIndex): read through the segment table without a retain, which would wait for the
    /// header's line first.
    @inline(__always)
    func locate(_ h: UInt64) -> Int {
        let si = segmentIndex(h)
        segments.withUnsafeBufferPointer { Unmanaged.passUnretained($0[si])._withUnsafeGuaranteedRef { $0.prefetchIndex(h) } }
        return si
    }

    /// A segment this keyspace alone holds, copying it first if a snapshot shares it. A capture in progress
    /// takes the segment first if it has not yet: the image must keep what it held when the capture began.
    mutating func uniqueSegment(_ si: Int) -> Segment {
        // Tested through the optional in place: binding the image would retain and release it on every write.
        if capture?.needs(si) == true { capture!.takeEarly(si, segments[si]) }
        if !isKnownUniquelyReferenced(&segments[si]) {
            let before = segments[si].entryCapacity
            segments[si] = segments[si].copy()
            entrySlots += segments[si].entryCapacity - before
        }
        return segments[si]
    }

    // MARK: reads

    /// The value and deadline of a key, without expiring it.
    public func lookup(_ key: UnsafeRawBufferPointer) -> (value: Value, expireAt: Int64)? {
        let h = KeyHash.hash(key)
        let seg = segments[locate(h)]
        guard let i = seg.find(h, key) else { return nil }
        return (seg.slots[i].value, seg.expireAt(i))
    }

    /// As `lookup`, and a live key's access field is updated as Redis's lookupKey does. A segment a snapshot
    /// shares is left alone, as Redis skips the update while a child process runs: writing there would copy it.
    public mutating func lookup(_ key: UnsafeRawBufferPointer, touching clock: AccessClock) -> (value: Value, expireAt: Int64)? {
        let h = KeyHash.hash(key)
        let si = locate(h)
        guard let i = segments[si].find(h, key) else { return nil }
        // Checked before anything here holds a second reference to the segment. While a capture runs, a segment
        // it has not taken yet is the image's too.
        let unshared = capture == nil && isKnownUniquelyReferenced(&segments[si])
        let seg = segments[si]
        let slot = seg.slots + i
        let at = seg.expireAt(i)
        if unshared && !Entry.isExpired(at, now: clock.now) {
            slot.pointee.access = clock.touched(slot.pointee.access)
        }
        return (slot.pointee.value, at)
    }

    /// The access field of a key (see AccessClock), without expiring or touching it.
    public func access(_ key: UnsafeRawBufferPointer) -> UInt32? {
        let h = KeyHash.hash(key)
        let seg = segments[locate(h)]
        guard let i = seg.find(h, key) else { return nil }
        return seg.slots[i].access
    }

    public func expireAt(_ key: UnsafeRawBufferPointer) -> Int64? {
        let h = KeyHash.hash(key)
        let seg = segments[locate(h)]
        guard let i = seg.find(h, key) else { return nil }
        return seg.expireAt(i)
    }

    // MARK: writes

    /// Gives `body` in-place access to the key's entry (nil when absent). Setting it to nil deletes the key;
    /// setting an absent key inserts it, with `access` as its access field. The entry's key bytes must stay
    /// equal to `key`.
    @inline(__always)
    public mutating func withEntry<R, E: Error>(_ key: UnsafeRawBufferPointer, access: UInt32,
                                                _ body: (inout Entry?) throws(E) -> R) throws(E) -> R {
        try withEntry(key, hash: KeyHash.hash(key), access: access, body)
    }

    /// As `withEntry(_:access:_:)` for a key already hashed with `KeyHash.hash`.
    mutating func withEntry<R, E: Error>(_ key: UnsafeRawBufferPointer, hash h: UInt64, access: UInt32,
                                         _ body: (inout Entry?) throws(E) -> R) throws(E) -> R {
        var si = locate(h)
        var seg = uniqueSegment(si)
        if let i = seg.find(h, key) {
            let oldExpire = seg.expireAt(i)
            var e: Entry? = Entry((seg.slots + i).move(), expireAt: oldExpire)
            let oldVolatile = oldExpire >= 0
            // Re-initialise the slot whatever happens so the table stays consistent if body throws.
            defer {
                if let e {
                    (seg.slots + i).initialize(to: Slot(e))
                    if e.expireAt != oldExpire { seg.setExpire(i, e.expireAt) }
                    let nowVolatile = e.expireAt >= 0
                    if nowVolatile != oldVolatile {
                        let d = nowVolatile ? 1 : -1
                        seg.volatileCount += d
                        volatileCount += d
                    }
                } else {
                    (seg.slots + i).initialize(to: Slot(Entry(key: Bytes(), value: .int(0), expireAt: oldExpire)))
                    seg.discard(at: i, hash: h)
                    count -= 1
                    if oldVolatile { volatileCount -= 1 }
                }
            }
            return try body(&e)
        }
        var e: Entry? = nil
        let r = try body(&e)
        // Consumed, so the new entry moves into the segment instead of being copied there.
        if var entry = consume e {
            entry.access = access
            if seg.isFull {
                makeRoom(si, h)
                si = segmentIndex(h)
                seg = segments[si]
            }
            if entry.expireAt >= 0 { volatileCount += 1 }
            count += 1
            let before = seg.entryCapacity
            seg.insertNew(h, entry)
            entrySlots += seg.entryCapacity - before
        }
        return r
    }

    /// Inserts or replaces the whole entry, access field included.
    public mutating func set(_ entry: Entry) {
        entry.withKey { k in
            withEntry(k, access: entry.access) { $0 = entry }
        }
    }

    /// Inserts `entry` with its own access field, moved rather than copied: a loader's entries were built on
    /// another thread, and a copy would retain and release their values from this core. Returns nil once
    /// inserted, or the entry itself, the keyspace unchanged, when the key exists and `replacing` is false.
    public mutating func insert(_ entry: consuming Entry, replacing: Bool) -> Entry? {
        let hash = entry.withKey { KeyHash.hash($0) }
        return insert(entry, hash: hash, replacing: replacing)
    }

    /// As `insert(_:replacing:)` for a key already hashed with `KeyHash.hash`: a loader hashes on its reader
    /// thread, which has time to spare, and looks ahead with `prefetch`.
    public mutating func insert(_ entry: consuming Entry, hash: UInt64, replacing: Bool) -> Entry? {
        let key = entry.storedKey
        let access = entry.access
        var pending: Entry? = consume entry
        return key.withUnsafeBytes { k in
            withEntry(k, hash: hash, access: access) { slot in
                if slot != nil && !replacing { return pending.take() }
                slot = pending.take()
                return nil
            }
        }
    }

    /// Removes the key; with `volatileOnly`, only if it has a deadline (a volatile-* eviction candidate whose
    /// deadline went since it was sampled stays). False when nothing was removed.
    @discardableResult
    public mutating func remove(_ key: UnsafeRawBufferPointer, volatileOnly: Bool = false) -> Bool {
        let h = KeyHash.hash(key)
        let si = locate(h)
        guard let i = segments[si].find(h, key) else { return false }
        let volatile = segments[si].expireAt(i) >= 0
        guard volatile || !volatileOnly else { return false }
        // A copy keeps every entry at its position, so `i` holds in the segment this keyspace owns.
        uniqueSegment(si).discard(at: i, hash: h)
        count -= 1
        if volatile { volatileCount -= 1 }
        return true
    }

    /// Starts fetching what inserting a key that hashes to `hash` will read, for a caller that knows its next
    /// keys (a loader): a million keys spread over tens of thousands of segments, and without this an insert
    /// waits on one cache miss after another, each address read from the line before. The caller issues the
    /// stages in order for each key, some keys apart, so that each stage finds in the cache the line the stage
    /// before asked for. Mutating only so that a caller reaching the keyspace through a class's property works in
    /// place: a read would copy it, retaining its arrays.
    public mutating func prefetch(hash: UInt64, _ stage: PrefetchStage) {
        let j = globalDepth == 0 ? 0 : Int(truncatingIfNeeded: hash >> UInt64(64 - globalDepth))
        switch stage {
        case .directory:
            dir.withUnsafeBufferPointer { csystem_prefetch($0.baseAddress! + j) }
        case .segmentTable:
            let si = Int(dir[j])
            segments.withUnsafeBufferPointer { csystem_prefetch($0.baseAddress! + si) }
        case .segment:
            let p = segments.withUnsafeBufferPointer { Unmanaged.passUnretained($0[Int(dir[j])]).toOpaque() }
            csystem_prefetch(p)
            csystem_prefetch(p + 64)
        case .slot:
            segments.withUnsafeBufferPointer { s in
                Unmanaged.passUnretained(s[Int(dir[j])])._withUnsafeGuaranteedRef { g in
                    csystem_prefetch(g.index + g.home(hash))
                    csystem_prefetch(g.slots + min(g.count, g.entryCapacity - 1))
                }
            }
        }
    }

    /// What `prefetch` fetches, in the order a key's stages must be issued: the directory entry, the segment
    /// table's entry it names, the segment's header, then the index entry and the slot an insert fills.
    public enum PrefetchStage: CaseIterable { case directory, segmentTable, segment, slot }

    /// Lays out an empty keyspace for about `n` keys (an RDB's RESIZEDB hint), so that loading them neither
    /// splits segments nor regrows their entry storage one step at a time.
    public mutating func reserveCapacity(_ n: Int) {
        guard count == 0, n > Segment.maxEntries / 2 else { return }
        finishCapture()
        // Segments are expected at most 75% full, where a uniform hash splits only the odd one. Fewer, fuller
        // segments: at 60% (and three standard deviations of room plus 16) a million keys got 44 slots per 16
        // expected keys, about 70 MB of empty slots that a replica kept after its full sync.
        var depth = 0
        while n >> depth > Segment.maxEntries * 3 / 4 && depth < 24 { depth += 1 }
        let expected = (n >> depth) + 1
        // One standard deviation of room: the segments that get more regrow their entry storage by a quarter,
        // which costs less than keeping room no key fills.
        let room = min(expected + Int(Double(expected).squareRoot()) + 4, Segment.maxEntries)
        var capacity = Segment.minCapacity
        while capacity * 3 < room * 4 { capacity *= 2 }
        segments = (0..<(1 << depth)).map { _ in Segment.make(capacity: capacity, entryCapacity: room, depth: depth) }
        dir = (0..<(1 << depth)).map { UInt32($0) }
        globalDepth = depth
        nextDir = []
        nextDirFilled = 0
        entrySlots = room << depth
    }

    /// Starts capturing this keyspace's image (see KeyspaceImage); a capture still running here is completed
    /// first, so that a keyspace feeds one image at a time. An image that `returnsShells` is drained on another
    /// thread and hands the segments it empties back to this one to free.
    public mutating func beginCapture(returnsShells: Bool = false) -> KeyspaceImage {
        finishCapture()
        let image = KeyspaceImage(total: segments.count, count: count, volatileCount: volatileCount,
                                  returnsShells: returnsShells)
        capture = image
        return image
    }

    /// Takes up to `budget` more segments into the image being captured; returns how many it went over.
    public mutating func continueCapture(budget: Int) -> Int {
        guard let image = capture else { return 0 }
        let n = image.advance(over: segments, budget: budget)
        if image.isComplete { capture = nil }
        return n
    }

    mutating func finishCapture() { _ = continueCapture(budget: .max) }

    public mutating func removeAll() {
        finishCapture()
        self = Keyspace()
    }

    @usableFromInline
    mutating func makeRoom(_ si: Int, _ h: UInt64) {
        let seg = segments[si]
        if seg.indexCapacity < Segment.maxCapacity {
            seg.grow()
            return
        }
        if seg.depth == globalDepth {
            // Index j at depth d+1 covers what index j>>1 covered at depth d.
            if nextDir.isEmpty { startNextDir() }
            fillNextDir(upTo: dir.count)
            dir = nextDir
            nextDir = []
            nextDirFilled = 0
            globalDepth += 1
            if dir.count >= Self.nextDirThreshold { startNextDir() }
        }
        let oldDepth = seg.depth
        let before = seg.entryCapacity
        let other = seg.split()
        entrySlots += seg.entryCapacity + other.entryCapacity - before
        let otherIndex = UInt32(segments.count)
        segments.append(other)
        // The directory slots of the old segment form one aligned run; its upper half now belongs to `other`.
        let span = 1 << (globalDepth - oldDepth)
        let first = Int(truncatingIfNeeded: h >> UInt64(64 - globalDepth)) & ~(span - 1)
        let run = (first + span / 2)..<(first + span)
        dir.withUnsafeMutableBufferPointer { d in for j in run { d[j] = otherIndex } }
        if !nextDir.isEmpty {
            let mirrored = run.clamped(to: 0..<nextDirFilled)
            nextDir.withUnsafeMutableBufferPointer { n in
                for j in mirrored { n[2 * j] = otherIndex; n[2 * j + 1] = otherIndex }
            }
            fillNextDir(upTo: nextDirFilled + Self.nextDirSlice)
        }
    }

    /// Directories smaller than this double in one go: copying them costs less than a split.
    static let nextDirThreshold = 4096
    /// Entries of `dir` copied ahead per split. A doubling to 2^d entries comes after about 2^(d-2) splits (the
    /// segments of the depth before split first), so the next directory is complete long before it is needed.
    static let nextDirSlice = 64

    /// Allocates the next directory without writing it, so that its pages are faulted in a slice at a time.
    mutating func startNextDir() {
        nextDir = [UInt32](unsafeUninitializedCapacity: dir.count * 2) { _, n in n = dir.count * 2 }
        nextDirFilled = 0
    }

    mutating func fillNextDir(upTo end: Int) {
        let end = min(end, dir.count)
        guard nextDirFilled < end else { return }
        let start = nextDirFilled
        dir.withUnsafeBufferPointer { d in
            nextDir.withUnsafeMutableBufferPointer { n in
                for j in start..<end { n[2 * j] = d[j]; n[2 * j + 1] = d[j] }
            }
        }
        nextDirFilled = end
    }
}
