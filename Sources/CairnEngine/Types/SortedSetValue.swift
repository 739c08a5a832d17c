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

/// A sorted set. Both of Redis's encodings keep members in (score, member) order. `listpack` (small sets) is
/// one packed buffer of member and score pairs in that order, as Redis's listpack is, and finds members by
/// walking it; `skiplist` is an order index of copy-on-write leaves plus a member-to-score table.
public struct SortedSetValue {
    enum Storage {
        /// Member, then score, for each entry. A score is its bit pattern, most significant byte first, without
        /// its trailing zero bytes: small integers and halves take two or three bytes, as Redis's listpack
        /// keeps integer scores short.
        case listpack(PackedStrings)
        case skiplist(OrderedChunks, ChunkedHashMap<Double>)
    }

    var storage: Storage

    /// An empty sorted set in the encoding Redis's zsetTypeCreate picks for the expected size and longest member.
    public init(sizeHint: Int, longestMember: Int, limits: SortedSetLimits) {
        if sizeHint > limits.listpackEntries || longestMember > limits.listpackValue {
            storage = .skiplist(OrderedChunks(), ChunkedHashMap())
        } else {
            storage = .listpack(PackedStrings())
        }
    }

    /// A skiplist of distinct members, built in one pass, as Redis builds the results of set operations.
    public init(skiplistOf entries: [ScoredMember]) {
        self.init(skiplistOf: entries, rejectingDuplicates: false)!
    }

    /// The same, for entries that may repeat a member (an RDB file's): nil when one does.
    public init?(skiplistOf entries: [ScoredMember], rejectingDuplicates: Bool) {
        var h = ChunkedHashMap<Double>()
        for e in entries where h.updateValue(e.score, forKey: e.member) != nil && rejectingDuplicates { return nil }
        storage = .skiplist(OrderedChunks(sorted: entries.sorted { ScoredMember.precedes($0.score, $0.member, $1) }), h)
    }

    public var encodingName: StaticString { isSkiplist ? "skiplist" : "listpack" }

    public var isSkiplist: Bool {
        if case .skiplist = storage { return true }
        return false
    }

    public var count: Int {
        switch storage {
        case .listpack(let p): return p.count / 2
        case .skiplist(let o, _): return o.count
        }
    }

    public var isEmpty: Bool { count == 0 }

    // MARK: the packed pairs

    static func withScoreBytes<R>(_ score: Double, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var bigEndian = score.bitPattern.bigEndian
        let length = 8 - score.bitPattern.trailingZeroBitCount / 8
        return withUnsafeBytes(of: &bigEndian) { body(UnsafeRawBufferPointer(rebasing: $0[..<length])) }
    }

    static func decodeScore(_ bytes: UnsafeRawBufferPointer) -> Double {
        var v: UInt64 = 0
        for b in bytes { v = v << 8 | UInt64(b) }
        return Double(bitPattern: bytes.isEmpty ? 0 : v << (8 * (8 - bytes.count)))
    }

    /// Visits the packed pairs in order with the position of each member, until `body` returns false.
    private static func walkPairs(_ p: PackedStrings, from position: Int? = nil,
                                  _ body: (_ position: Int, _ member: UnsafeRawBufferPointer, _ score: Double) -> Bool) {
        var at = position ?? p.startPosition
        while at < p.endPosition {
            let scoreAt = p.position(after: at)
            let go = p.withElement(at: at) { m in body(at, m, p.withElement(at: scoreAt, Self.decodeScore)) }
            if !go { return }
            at = p.position(after: scoreAt)
        }
    }

    /// The position of `member` in the packed pairs and its score.
    private static func find(_ p: PackedStrings, _ member: UnsafeRawBufferPointer) -> (position: Int, score: Double)? {
        guard let at = p.firstPosition(of: member, stride: 2) else { return nil }
        return (at, p.withElement(at: p.position(after: at), Self.decodeScore))
    }

    /// Inserts a pair where it belongs in the order.
    private static func insert(_ p: inout PackedStrings, _ score: Double, _ member: UnsafeRawBufferPointer) {
        var at = p.endPosition
        walkPairs(p) { position, m, s in
            if s > score || (s == score && bytesCompare(m, member) > 0) {
                at = position
                return false
            }
            return true
        }
        p.insert(member, at: at)
        withScoreBytes(score) { p.insert($0, at: p.position(after: at)) }
    }

    // MARK: reads and writes

    public func score(_ member: Bytes) -> Double? { member.withUnsafeBytes { score($0) } }

    public func score(_ member: UnsafeRawBufferPointer) -> Double? {
        switch storage {
        case .listpack(let p): return Self.find(p, member)?.score
        case .skiplist(_, let h): return h[member]
        }
    }

    /// Sets a member's score (adding it when new), converting a listpack to a skiplist first when it would
    /// outgrow the limits, as zsetAdd does. Returns the previous score; an equal one is left in place.
    @discardableResult
    public mutating func set(_ member: Bytes, _ score: Double, limits: SortedSetLimits) -> Double? {
        member.withUnsafeBytes { set($0, score, limits: limits) }
    }

    @discardableResult
    public mutating func set(_ member: UnsafeRawBufferPointer, _ score: Double, limits: SortedSetLimits) -> Double? {
        if case .listpack(var p) = storage {
            let old = Self.find(p, member)
            if old == nil && (p.count / 2 + 1 > limits.listpackEntries || member.count > limits.listpackValue) {
                convertToSkiplist()
                return set(member, score, limits: limits)
            }
            if let old, old.score == score { return old.score }
            // An empty placeholder while editing leaves the buffer uniquely referenced, so it is edited in place.
            storage = .listpack(PackedStrings())
            if let old { p.remove(at: old.position, elements: 2) }
            Self.insert(&p, Self.listpackScore(score), member)
            storage = .listpack(p)
            return old?.score
        }
        guard case .skiplist(var order, var index) = storage else { return nil }
        storage = .listpack(PackedStrings())
        defer { storage = .skiplist(order, index) }
        // One index lookup both finds the old score and stores the new one.
        let old = index.updateValue(score, forKey: member)
        if let old {
            if old == score {
                // An equal score leaves the member as it was, so a 0 stays 0 when set to -0, as in Redis.
                if old.bitPattern != score.bitPattern { index.updateValue(old, forKey: member) }
                return old
            }
            order.remove(old, member)
        }
        order.insert(score, member)
        return old
    }

    @discardableResult
    public mutating func remove(_ member: Bytes) -> Bool {
        member.withUnsafeBytes { m in
            switch storage {
            case .listpack(var p):
                guard let old = Self.find(p, m) else { return false }
                storage = .listpack(PackedStrings())
                p.remove(at: old.position, elements: 2)
                storage = .listpack(p)
                return true
            case .skiplist(var order, var index):
                storage = .listpack(PackedStrings())
                defer { storage = .skiplist(order, index) }
                guard let s = index.removeValue(forKey: m) else { return false }
                order.remove(s, m)
                return true
            }
        }
    }

    public mutating func remove(rank: Int) {
        switch storage {
        case .listpack(var p):
            storage = .listpack(PackedStrings())
            p.remove(at: p.position(ofElement: 2 * rank), elements: 2)
            storage = .listpack(p)
        case .skiplist(var order, var index):
            storage = .listpack(PackedStrings())
            let e = order[rank]
            order.remove(at: rank)
            index.removeValue(forKey: e.member)
            storage = .skiplist(order, index)
        }
    }

    /// What `packInOrder` keeps between the pairs of one blob: where the last pair starts, and which members
    /// may be here already.
    public struct InOrderAppend {
        var last: Int?
        var members = PackedDuplicateFilter()

        public init() {}
    }

    /// Loading a listpack: packs a pair into `scratch` (a loader's, copied out at its exact size with
    /// `init(loadedListpack:)`) if it sorts after every pair already there, as Redis writes them, so no place is
    /// searched for. False, packing nothing, when it does not, when it repeats a member or when the set would
    /// outgrow the listpack limits: the caller then builds the set the general way. The pairs there are in order,
    /// so the new one is compared with the last only, and searched for among the members only when `state`'s
    /// filter says it may be one.
    public static func packInOrder(_ member: UnsafeRawBufferPointer, _ score: Double, limits: SortedSetLimits,
                                   state: inout InOrderAppend, into scratch: PackedScratch) -> Bool {
        guard scratch.count / 2 < limits.listpackEntries, member.count <= limits.listpackValue else { return false }
        if let last = state.last {
            let s = scratch.withElement(at: scratch.position(after: last), decodeScore)
            guard s < score || (s == score && scratch.withElement(at: last, { bytesCompare($0, member) }) < 0) else { return false }
        }
        if state.members.mayRepeat(member) && scratch.contains(member, stride: 2) { return false }
        state.last = scratch.endPosition
        scratch.append(member)
        withScoreBytes(listpackScore(score)) { scratch.append($0) }
        return true
    }

    /// A listpack set of pairs `packInOrder` packed.
    public init(loadedListpack packed: PackedStrings) { storage = .listpack(packed) }

    public mutating func convertToSkiplist() {
        guard case .listpack(let p) = storage else { return }
        var order = OrderedChunks()
        var h = ChunkedHashMap<Double>()
        Self.walkPairs(p) { _, m, s in
            h.updateValue(s, forKey: m)
            order.insert(s, m)
            return true
        }
        storage = .skiplist(order, h)
    }

    /// zsetConvertToListpackIfNeeded: a skiplist result of a STORE command goes back to listpack when small.
    public mutating func compactIfSmall(limits: SortedSetLimits) {
        guard case .skiplist(let order, _) = storage, count <= limits.listpackEntries else { return }
        var longest = 0
        order.walk(from: 0, reverse: false) { longest = max(longest, $0.member.count); return true }
        guard longest <= limits.listpackValue else { return }
        var p = PackedStrings()
        order.walk(from: 0, reverse: false) { e in
            p.append(e.member)
            Self.withScoreBytes(Self.listpackScore(e.score)) { p.append($0) }
            return true
        }
        storage = .listpack(p)
    }

    /// A listpack keeps scores as text where Redis writes zero as "0", so a negative zero comes back positive.
    private static func listpackScore(_ s: Double) -> Double { s == 0 ? 0 : s }

    public subscript(rank: Int) -> ScoredMember {
        switch storage {
        case .listpack(let p):
            let at = p.position(ofElement: 2 * rank)
            return ScoredMember(p.bytes(at: at), p.withElement(at: p.position(after: at), Self.decodeScore))
        case .skiplist(let order, _): return order[rank]
        }
    }

    public func rank(_ member: Bytes) -> (rank: Int, score: Double)? {
        switch storage {
        case .listpack(let p):
            var rank = 0
            var found: Double? = nil
            member.withUnsafeBytes { wanted in
                Self.walkPairs(p) { _, m, s in
                    if bytesEqual(m, wanted) { found = s; return false }
                    rank += 1
                    return true
                }
            }
            return found.map { (rank, $0) }
        case .skiplist(let order, let index):
            guard let s = member.withUnsafeBytes({ index[$0] }) else { return nil }
            return (order.rank(of: member, score: s), s)
        }
    }

    /// The number of members before the first one for which `isBefore` is false.
    public func partitionRank(_ isBefore: (ScoredMember) -> Bool) -> Int {
        switch storage {
        case .listpack(let p):
            var rank = 0
            Self.walkPairs(p) { _, m, s in
                guard isBefore(ScoredMember(Bytes(m), s)) else { return false }
                rank += 1
                return true
            }
            return rank
        case .skiplist(let order, _): return order.partitionRank(isBefore)
        }
    }

    public func walk(from: Int, reverse: Bool, _ body: (ScoredMember) -> Bool) {
        switch storage {
        case .listpack(let p):
            guard from >= 0 && from < count else { return }
            if !reverse {
                Self.walkPairs(p, from: p.position(ofElement: 2 * from)) { _, m, s in body(ScoredMember(Bytes(m), s)) }
                return
            }
            // The pairs are linked forwards only: note where each one up to `from` starts, then go back.
            var positions: [Int] = []
            positions.reserveCapacity(from + 1)
            Self.walkPairs(p) { at, _, _ in
                positions.append(at)
                return positions.count <= from
            }
            for at in positions.reversed() {
                let e = ScoredMember(p.bytes(at: at), p.withElement(at: p.position(after: at), Self.decodeScore))
                if !body(e) { return }
            }
        case .skiplist(let order, _): order.walk(from: from, reverse: reverse, body)
        }
    }

    public func forEach(_ body: (ScoredMember) -> Void) {
        walk(from: 0, reverse: false) { body($0); return true }
    }

    /// Every member in order with its score, the member read in place: a listpack's pairs need no copies.
    public func forEachBorrowed(_ body: (UnsafeRawBufferPointer, Double) -> Void) {
        switch storage {
        case .listpack(let p): Self.walkPairs(p) { _, m, s in body(m, s); return true }
        case .skiplist(let order, _):
            order.walk(from: 0, reverse: false) { e in e.member.withUnsafeBytes { body($0, e.score) }; return true }
        }
    }

    /// ZSCAN: listpacks answer in one step, as Redis does; skiplists resume from a hash cursor.
    public func scan(cursor: UInt64, count: Int, _ visit: (Bytes, Double) -> Void) -> UInt64 {
        guard case .skiplist(_, let index) = storage else {
            forEach { visit($0.member, $0.score) }
            return 0
        }
        return index.scan(cursor: cursor, count: count, visit)
    }

    /// Order and index chunk identities, for copy-on-write tests.
    var chunkIdentities: [ObjectIdentifier] {
        guard case .skiplist(let order, let index) = storage else { return [] }
        return order.chunkIdentities + index.chunkIdentities
    }

    /// The skiplist's order, for tests of its leaves.
    var order: OrderedChunks? {
        if case .skiplist(let o, _) = storage { return o }
        return nil
    }
}
