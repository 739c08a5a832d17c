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
        self.init(skiplistOf: entries, rejectingDuplicates: false)!
    }

    /// The same, for entries that may repeat a member (an RDB file's): nil when one does.
    public init?(skiplistOf entries: [ScoredMember], rejectingDuplicates: Bool) {
        var h = ChunkedHashMap<Double>()
        for e in entries where h.updateValue(e.score, forKey: e.member) != nil && rejectingDuplicates { return nil }
        order = OrderedChunks(sorted: entries.sorted { ScoredMember.precedes($0.score, $0.member, $1) })
        index = h
    }

    public var encodingName: StaticString { index == nil ? "listpack" : "skiplist" }
    public var isSkiplist: Bool { index != nil }
    public var count: Int { order.count }
    public var isEmpty: Bool { order.count == 0 }

    public func score(_ member: Bytes) -> Double? { member.withUnsafeBytes { score($0) } }

    public func score(_ member: UnsafeRawBufferPointer) -> Double? {
        if let index { return index[member] }
        return order.firstScore(of: member)
    }

    /// Sets a member's score (adding it when new), converting a listpack to a skiplist first when it would
    /// outgrow the limits, as zsetAdd does. Returns the previous score; an equal one is left in place.
    @discardableResult
    public mutating func set(_ member: Bytes, _ score: Double, limits: SortedSetLimits) -> Double? {
        member.withUnsafeBytes { set($0, score, limits: limits) }
    }

    @discardableResult
    public mutating func set(_ member: UnsafeRawBufferPointer, _ score: Double, limits: SortedSetLimits) -> Double? {
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
            if old == score {
                // An equal score leaves the member as it was, so a 0 stays 0 when set to -0, as in Redis.
                if index != nil && old.bitPattern != score.bitPattern { index!.updateValue(old, forKey: member) }
                return old
            }
            order.remove(old, member)
        }
        order.insert(index == nil ? Self.listpackScore(score) : score, member)
        return old
    }

    @discardableResult
    public mutating func remove(_ member: Bytes) -> Bool {
        member.withUnsafeBytes { m in
            guard let s = index != nil ? index!.removeValue(forKey: m) : order.firstScore(of: m) else { return false }
            order.remove(s, m)
            return true
        }
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
        order.walk(from: 0, reverse: false) { e in
            e.member.withUnsafeBytes { compact.insert(Self.listpackScore(e.score), $0) }
            return true
        }
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
