import Glibc

/// One member of a sorted set with its score.
public struct ScoredMember {
    public var member: Bytes
    public var score: Double
    public init(_ member: Bytes, _ score: Double) {
        self.member = member
        self.score = score
    }

    /// Sorted-set order: by score, ties by member bytes (memcmp, shorter first).
    @inline(__always)
    static func precedes(_ score: Double, _ member: Bytes, _ b: ScoredMember) -> Bool {
        if score != b.score { return score < b.score }
        return member.withUnsafeBytes { x in b.member.withUnsafeBytes { y in bytesCompare(x, y) < 0 } }
    }
}

/// Members in sorted-set order, stored as a list of small sorted chunks shared copy-on-write one by one, so a
/// write to a big sorted set held by a snapshot copies a few hundred entries. Positions are ranks (0-based).
struct OrderedChunks {
    /// Entries in order, packed back to back in one byte arena (score, 4-byte member length, member bytes)
    /// rather than as a heap object per member; `offsets` locates each entry.
    final class Chunk {
        var arena: UnsafeMutableRawPointer? = nil
        var used = 0
        var capacity = 0
        var offsets: [Int] = []

        init() {}

        /// A copy of entries `range` of `c`.
        init(_ c: Chunk, _ range: Range<Int>) {
            guard !range.isEmpty else { return }
            let start = c.offsets[range.lowerBound]
            let end = c.end(range.upperBound - 1)
            reserve(end - start)
            arena!.copyMemory(from: c.arena! + start, byteCount: end - start)
            used = end - start
            offsets = c.offsets[range].map { $0 - start }
        }

        convenience init(copying c: Chunk) { self.init(c, 0..<c.count) }

        deinit { free(arena) }

        var count: Int { offsets.count }

        @inline(__always) func score(_ i: Int) -> Double {
            arena!.loadUnaligned(fromByteOffset: offsets[i], as: Double.self)
        }

        @inline(__always) func member(_ i: Int) -> UnsafeRawBufferPointer {
            let o = offsets[i]
            return UnsafeRawBufferPointer(start: arena! + o + 12,
                                          count: Int(arena!.loadUnaligned(fromByteOffset: o + 8, as: UInt32.self)))
        }

        func entry(_ i: Int) -> ScoredMember { ScoredMember(Bytes(member(i)), score(i)) }

        /// Where entry i ends: entries are contiguous and in order.
        func end(_ i: Int) -> Int { i + 1 < offsets.count ? offsets[i + 1] : used }

        /// Whether entry i sorts before (s, m).
        @inline(__always) func isBefore(_ i: Int, _ s: Double, _ m: UnsafeRawBufferPointer) -> Bool {
            let t = score(i)
            if t != s { return t < s }
            return bytesCompare(member(i), m) < 0
        }

        /// The number of entries sorting before (s, m).
        func lowerBound(_ s: Double, _ m: UnsafeRawBufferPointer) -> Int {
            var lo = 0, hi = count
            while lo < hi {
                let mid = (lo + hi) / 2
                if isBefore(mid, s, m) { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }

        /// Room for `n` more bytes; grows by half so a chunk wastes little.
        func reserve(_ n: Int) {
            guard used + n > capacity else { return }
            capacity = max(used + n, capacity + capacity / 2, 64)
            arena = realloc(arena, capacity)
        }

        func insert(_ s: Double, _ m: UnsafeRawBufferPointer, at i: Int) {
            let size = 12 + m.count
            reserve(size)
            let at = i < count ? offsets[i] : used
            if at < used { memmove(arena! + at + size, arena! + at, used - at) }
            (arena! + at).storeBytes(of: s, as: Double.self)
            (arena! + at + 8).storeBytes(of: UInt32(m.count), as: UInt32.self)
            if let b = m.baseAddress { (arena! + at + 12).copyMemory(from: b, byteCount: m.count) }
            used += size
            shiftOffsets(from: i, by: size)
            offsets.insert(at, at: i)
        }

        func remove(at i: Int) {
            let at = offsets[i]
            let size = end(i) - at
            memmove(arena! + at, arena! + at + size, used - at - size)
            used -= size
            offsets.remove(at: i)
            shiftOffsets(from: i, by: -size)
        }

        /// Moves the offsets of entries `i...` after the bytes before them grew or shrank.
        private func shiftOffsets(from i: Int, by delta: Int) {
            offsets.withUnsafeMutableBufferPointer { o in
                var j = i
                while j < o.count {
                    o[j] &+= delta
                    j += 1
                }
            }
        }

        /// Drops entries from `i` on, giving back the room they took: a chunk is truncated when it splits, and
        /// the half that stays may never grow again.
        func truncate(_ i: Int) {
            used = offsets[i]
            offsets = Array(offsets[..<i])
            capacity = max(used, 1)
            arena = realloc(arena, capacity)
        }

        func append(contentsOf c: Chunk) {
            reserve(c.used)
            (arena! + used).copyMemory(from: c.arena!, byteCount: c.used)
            offsets.append(contentsOf: c.offsets.lazy.map { $0 + self.used })
            used += c.used
        }
    }

    static var chunkCapacity: Int { 256 }

    private(set) var chunks: [Chunk] = []
    private(set) var count = 0

    init() {}

    /// Builds the order from entries already in sorted-set order, leaving each chunk room to grow.
    init(sorted entries: [ScoredMember]) {
        var i = 0
        while i < entries.count {
            let end = min(i + Self.chunkCapacity / 2, entries.count)
            let c = Chunk()
            for e in entries[i..<end] { e.member.withUnsafeBytes { c.insert(e.score, $0, at: c.count) } }
            chunks.append(c)
            i = end
        }
        count = entries.count
    }

    private mutating func uniqueChunk(_ i: Int) -> Chunk {
        if !isKnownUniquelyReferenced(&chunks[i]) { chunks[i] = Chunk(copying: chunks[i]) }
        return chunks[i]
    }

    /// The number of entries for which `isBefore` holds; `isBefore` must hold for a prefix of the order.
    func partitionRank(_ isBefore: (ScoredMember) -> Bool) -> Int {
        var rank = 0
        for c in chunks {
            if isBefore(c.entry(c.count - 1)) {
                rank += c.count
                continue
            }
            var lo = 0, hi = c.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if isBefore(c.entry(mid)) { lo = mid + 1 } else { hi = mid }
            }
            return rank + lo
        }
        return rank
    }

    /// The chunk holding `rank` and the position inside it.
    private func locate(_ rank: Int) -> (chunk: Int, offset: Int) {
        var r = rank
        for (i, c) in chunks.enumerated() {
            if r < c.count { return (i, r) }
            r -= c.count
        }
        return (chunks.count, 0)
    }

    subscript(rank: Int) -> ScoredMember {
        let (c, o) = locate(rank)
        return chunks[c].entry(o)
    }

    /// The first chunk whose last entry does not sort before (s, m); the last chunk when every one does.
    private func chunkFor(_ s: Double, _ m: UnsafeRawBufferPointer) -> Int {
        var lo = 0, hi = chunks.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if chunks[mid].isBefore(chunks[mid].count - 1, s, m) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The rank of an entry known to be present.
    func rank(of member: Bytes, score: Double) -> Int {
        member.withUnsafeBytes { m in
            let ci = chunkFor(score, m)
            var rank = 0
            for i in 0..<ci { rank += chunks[i].count }
            return rank + chunks[ci].lowerBound(score, m)
        }
    }

    mutating func insert(_ e: ScoredMember) {
        count += 1
        guard !chunks.isEmpty else {
            let c = Chunk()
            e.member.withUnsafeBytes { c.insert(e.score, $0, at: 0) }
            chunks = [c]
            return
        }
        let ci = e.member.withUnsafeBytes { chunkFor(e.score, $0) }
        let chunk = uniqueChunk(ci)
        let at = e.member.withUnsafeBytes { chunk.lowerBound(e.score, $0) }
        e.member.withUnsafeBytes { chunk.insert(e.score, $0, at: at) }
        if chunk.count > Self.chunkCapacity {
            // An entry appended after the last one (rising scores, as timestamps give) starts a chunk of its own
            // and leaves the full one full; elsewhere the chunk splits in half.
            let appended = ci == chunks.count - 1 && at == chunk.count - 1
            let half = appended ? chunk.count - 1 : chunk.count / 2
            let tail = Chunk(chunk, half..<chunk.count)
            chunk.truncate(half)
            chunks.insert(tail, at: ci + 1)
        }
    }

    mutating func remove(at rank: Int) {
        let (ci, o) = locate(rank)
        count -= 1
        if chunks[ci].count == 1 {
            chunks.remove(at: ci)
            return
        }
        let chunk = uniqueChunk(ci)
        chunk.remove(at: o)
        // A small chunk joins a neighbour when both fit half a chunk, so deletes cannot leave a long list of
        // nearly empty chunks behind (rank lookups walk the chunk list).
        let half = Self.chunkCapacity / 2
        guard chunk.count < Self.chunkCapacity / 4 else { return }
        if ci + 1 < chunks.count && chunk.count + chunks[ci + 1].count <= half {
            chunk.append(contentsOf: chunks[ci + 1])
            chunks.remove(at: ci + 1)
        } else if ci > 0 && chunks[ci - 1].count + chunk.count <= half {
            uniqueChunk(ci - 1).append(contentsOf: chunk)
            chunks.remove(at: ci)
        }
    }

    /// Visits entries from rank `from` forwards (or backwards with `reverse`) until `body` returns false.
    func walk(from: Int, reverse: Bool, _ body: (ScoredMember) -> Bool) {
        guard from >= 0 && from < count else { return }
        var (ci, o) = locate(from)
        if reverse {
            while ci >= 0 {
                let c = chunks[ci]
                while o >= 0 {
                    if !body(c.entry(o)) { return }
                    o -= 1
                }
                ci -= 1
                if ci >= 0 { o = chunks[ci].count - 1 }
            }
        } else {
            while ci < chunks.count {
                let c = chunks[ci]
                while o < c.count {
                    if !body(c.entry(o)) { return }
                    o += 1
                }
                ci += 1
                o = 0
            }
        }
    }

    var chunkIdentities: [ObjectIdentifier] { chunks.map(ObjectIdentifier.init) }
}

/// The thresholds that pick a sorted set's encoding (zset-max-listpack-entries/value).
public struct SortedSetLimits {
    public var listpackEntries: Int
    public var listpackValue: Int
    public init(_ s: EngineSettings) {
        listpackEntries = s.zsetMaxListpackEntries
        listpackValue = s.zsetMaxListpackValue
    }
}

/// A sorted set. Both of Redis's encodings keep members in (score, member) order; `skiplist` adds a
/// member-to-score index, `listpack` (small sets) finds members by walking the order, as Redis's listpack does.
public struct SortedSetValue {
    var order = OrderedChunks()
    /// nil for the listpack encoding.
    var index: ChunkedHashMap<Double>?

    /// An empty sorted set in the encoding Redis's zsetTypeCreate picks for the expected size and longest member.
    public init(sizeHint: Int, longestMember: Int, limits: SortedSetLimits) {
        if sizeHint > limits.listpackEntries || longestMember > limits.listpackValue { index = ChunkedHashMap() }
    }

    /// A skiplist of distinct members, built in one pass, as Redis builds the results of set operations.
    public init(skiplistOf entries: [ScoredMember]) {
        order = OrderedChunks(sorted: entries.sorted { ScoredMember.precedes($0.score, $0.member, $1) })
        var h = ChunkedHashMap<Double>()
        for e in entries { h.updateValue(e.score, forKey: e.member) }
        index = h
    }

    public var encodingName: StaticString { index == nil ? "listpack" : "skiplist" }
    public var count: Int { order.count }
    public var isEmpty: Bool { order.count == 0 }

    public func score(_ member: Bytes) -> Double? {
        if let index { return index[member] }
        var found: Double? = nil
        order.walk(from: 0, reverse: false) { e in
            if e.member == member { found = e.score; return false }
            return true
        }
        return found
    }

    /// Sets a member's score (adding it when new), converting a listpack to a skiplist first when it would
    /// outgrow the limits, as zsetAdd does. Returns the previous score.
    @discardableResult
    public mutating func set(_ member: Bytes, _ score: Double, limits: SortedSetLimits) -> Double? {
        let old: Double?
        if index != nil {
            // One index lookup both finds the old score and stores the new one.
            old = index!.updateValue(score, forKey: member)
        } else {
            old = self.score(member)
            if old == nil && (order.count + 1 > limits.listpackEntries || member.count > limits.listpackValue) {
                convertToSkiplist()
                index!.updateValue(score, forKey: member)
            }
        }
        if let old {
            if old == score { return old }
            order.remove(at: order.rank(of: member, score: old))
        }
        order.insert(ScoredMember(member, index == nil ? Self.listpackScore(score) : score))
        return old
    }

    @discardableResult
    public mutating func remove(_ member: Bytes) -> Bool {
        guard let s = score(member) else { return false }
        order.remove(at: order.rank(of: member, score: s))
        index?.removeValue(forKey: member)
        return true
    }

    public mutating func remove(rank: Int) {
        let e = order[rank]
        order.remove(at: rank)
        index?.removeValue(forKey: e.member)
    }

    public mutating func convertToSkiplist() {
        guard index == nil else { return }
        var h = ChunkedHashMap<Double>()
        order.walk(from: 0, reverse: false) { h.updateValue($0.score, forKey: $0.member); return true }
        index = h
    }

    /// zsetConvertToListpackIfNeeded: a skiplist result of a STORE command goes back to listpack when small.
    public mutating func compactIfSmall(limits: SortedSetLimits) {
        guard index != nil, count <= limits.listpackEntries else { return }
        var longest = 0
        order.walk(from: 0, reverse: false) { longest = max(longest, $0.member.count); return true }
        guard longest <= limits.listpackValue else { return }
        var compact = OrderedChunks()
        order.walk(from: 0, reverse: false) { compact.insert(ScoredMember($0.member, Self.listpackScore($0.score))); return true }
        order = compact
        index = nil
    }

    /// A listpack keeps scores as text where Redis writes zero as "0", so a negative zero comes back positive.
    private static func listpackScore(_ s: Double) -> Double { s == 0 ? 0 : s }

    public subscript(rank: Int) -> ScoredMember { order[rank] }

    public func rank(_ member: Bytes) -> (rank: Int, score: Double)? {
        guard let s = score(member) else { return nil }
        return (order.rank(of: member, score: s), s)
    }

    /// The number of members before the first one for which `isBefore` is false.
    public func partitionRank(_ isBefore: (ScoredMember) -> Bool) -> Int { order.partitionRank(isBefore) }

    public func walk(from: Int, reverse: Bool, _ body: (ScoredMember) -> Bool) {
        order.walk(from: from, reverse: reverse, body)
    }

    public func forEach(_ body: (ScoredMember) -> Void) {
        order.walk(from: 0, reverse: false) { body($0); return true }
    }

    /// ZSCAN: listpacks answer in one step, as Redis does; skiplists resume from a hash cursor.
    public func scan(cursor: UInt64, count: Int, _ visit: (Bytes, Double) -> Void) -> UInt64 {
        guard let index else {
            forEach { visit($0.member, $0.score) }
            return 0
        }
        return index.scan(cursor: cursor, count: count, visit)
    }

    /// Order and index chunk identities, for copy-on-write tests.
    var chunkIdentities: [ObjectIdentifier] { order.chunkIdentities + (index?.chunkIdentities ?? []) }
}
