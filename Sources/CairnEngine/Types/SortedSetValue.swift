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
    final class Chunk {
        var entries: [ScoredMember]
        init(_ entries: [ScoredMember]) { self.entries = entries }
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
            chunks.append(Chunk(Array(entries[i..<end])))
            i = end
        }
        count = entries.count
    }

    private mutating func uniqueChunk(_ i: Int) -> Chunk {
        if !isKnownUniquelyReferenced(&chunks[i]) { chunks[i] = Chunk(chunks[i].entries) }
        return chunks[i]
    }

    /// The number of entries for which `isBefore` holds; `isBefore` must hold for a prefix of the order.
    func partitionRank(_ isBefore: (ScoredMember) -> Bool) -> Int {
        var rank = 0
        for c in chunks {
            if isBefore(c.entries[c.entries.count - 1]) {
                rank += c.entries.count
                continue
            }
            var lo = 0, hi = c.entries.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if isBefore(c.entries[mid]) { lo = mid + 1 } else { hi = mid }
            }
            return rank + lo
        }
        return rank
    }

    /// The chunk holding `rank` and the position inside it.
    private func locate(_ rank: Int) -> (chunk: Int, offset: Int) {
        var r = rank
        for (i, c) in chunks.enumerated() {
            if r < c.entries.count { return (i, r) }
            r -= c.entries.count
        }
        return (chunks.count, 0)
    }

    subscript(rank: Int) -> ScoredMember {
        let (c, o) = locate(rank)
        return chunks[c].entries[o]
    }

    /// The rank of an entry known to be present.
    func rank(of member: Bytes, score: Double) -> Int {
        partitionRank { ScoredMember.precedes($0.score, $0.member, ScoredMember(member, score)) }
    }

    mutating func insert(_ e: ScoredMember) {
        count += 1
        guard !chunks.isEmpty else {
            chunks = [Chunk([e])]
            return
        }
        // The first chunk whose last entry follows e; the last chunk when e goes at the very end.
        var lo = 0, hi = chunks.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            let last = chunks[mid].entries[chunks[mid].entries.count - 1]
            if ScoredMember.precedes(e.score, e.member, last) { hi = mid } else { lo = mid + 1 }
        }
        let ci = lo
        let chunk = uniqueChunk(ci)
        lo = 0
        hi = chunk.entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ScoredMember.precedes(chunk.entries[mid].score, chunk.entries[mid].member, e) { lo = mid + 1 } else { hi = mid }
        }
        chunk.entries.insert(e, at: lo)
        if chunk.entries.count > Self.chunkCapacity {
            let half = chunk.entries.count / 2
            let tail = Chunk(Array(chunk.entries[half...]))
            chunk.entries.removeSubrange(half...)
            chunks.insert(tail, at: ci + 1)
        }
    }

    mutating func remove(at rank: Int) {
        let (ci, o) = locate(rank)
        count -= 1
        if chunks[ci].entries.count == 1 {
            chunks.remove(at: ci)
            return
        }
        let chunk = uniqueChunk(ci)
        chunk.entries.remove(at: o)
        // A small chunk joins a neighbour when both fit half a chunk, so deletes cannot leave a long list of
        // nearly empty chunks behind (rank lookups walk the chunk list).
        let half = Self.chunkCapacity / 2
        guard chunk.entries.count < Self.chunkCapacity / 4 else { return }
        if ci + 1 < chunks.count && chunk.entries.count + chunks[ci + 1].entries.count <= half {
            chunk.entries.append(contentsOf: chunks[ci + 1].entries)
            chunks.remove(at: ci + 1)
        } else if ci > 0 && chunks[ci - 1].entries.count + chunk.entries.count <= half {
            uniqueChunk(ci - 1).entries.append(contentsOf: chunk.entries)
            chunks.remove(at: ci)
        }
    }

    /// Visits entries from rank `from` forwards (or backwards with `reverse`) until `body` returns false.
    func walk(from: Int, reverse: Bool, _ body: (ScoredMember) -> Bool) {
        guard from >= 0 && from < count else { return }
        var (ci, o) = locate(from)
        if reverse {
            while ci >= 0 {
                let entries = chunks[ci].entries
                while o >= 0 {
                    if !body(entries[o]) { return }
                    o -= 1
                }
                ci -= 1
                if ci >= 0 { o = chunks[ci].entries.count - 1 }
            }
        } else {
            while ci < chunks.count {
                let entries = chunks[ci].entries
                while o < entries.count {
                    if !body(entries[o]) { return }
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
        let old = self.score(member)
        if let old {
            if old == score { return old }
            order.remove(at: order.rank(of: member, score: old))
        } else if index == nil && (order.count + 1 > limits.listpackEntries || member.count > limits.listpackValue) {
            convertToSkiplist()
        }
        order.insert(ScoredMember(member, index == nil ? Self.listpackScore(score) : score))
        index?.updateValue(score, forKey: member)
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
