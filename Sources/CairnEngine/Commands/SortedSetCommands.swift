#if canImport(Glibc)
import Glibc
#endif
import RESP

extension Engine {
    func registerSortedSetCommands() {
        let readFast: [String] = ["@read", "@sortedset", "@fast"]
        let readSlow: [String] = ["@read", "@sortedset", "@slow"]
        let writeFast: [String] = ["@write", "@sortedset", "@fast"]
        let writeSlow: [String] = ["@write", "@sortedset", "@slow"]
        let g = "sorted-set"
        register("zadd", arity: -4, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: g) { ctx throws(CommandError) in
            try zaddGeneric(ctx, incr: false)
        }
        register("zincrby", arity: 4, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: g) { ctx throws(CommandError) in
            try zaddGeneric(ctx, incr: true)
        }
        register("zrem", arity: -3, flags: [.write, .fast], keys: .one, categories: writeFast, group: g, handler: zremCommand)
        register("zcard", arity: 2, flags: [.readonly, .fast], keys: .one, categories: readFast, group: g) { ctx throws(CommandError) in
            ctx.out.integer(try readCollection(ctx, ctx.args[1], .zset)?.count ?? 0)
        }
        register("zscore", arity: 3, flags: [.readonly, .fast], keys: .one, categories: readFast, group: g) { ctx throws(CommandError) in
            guard let s = try readCollection(ctx, ctx.args[1], .zset)?.score(ctx.args.bytes(2)) else { ctx.out.null(); return }
            ctx.out.double(s)
        }
        register("zmscore", arity: -3, flags: [.readonly, .fast], keys: .one, categories: readFast, group: g) { ctx throws(CommandError) in
            let z = try readCollection(ctx, ctx.args[1], .zset)
            ctx.out.array(ctx.args.count - 2)
            for i in 2..<ctx.args.count {
                if let s = z?.score(ctx.args.bytes(i)) { ctx.out.double(s) } else { ctx.out.null() }
            }
        }
        register("zrank", arity: -3, flags: [.readonly, .fast], keys: .one, categories: readFast, group: g) { ctx throws(CommandError) in
            try zrankGeneric(ctx, reverse: false)
        }
        register("zrevrank", arity: -3, flags: [.readonly, .fast], keys: .one, categories: readFast, group: g) { ctx throws(CommandError) in
            try zrankGeneric(ctx, reverse: true)
        }
        register("zcount", arity: 4, flags: [.readonly, .fast], keys: .one, categories: readFast, group: g) { ctx throws(CommandError) in
            try zcountGeneric(ctx, try RangeSpec.score(ctx.args, 2, 3))
        }
        register("zlexcount", arity: 4, flags: [.readonly, .fast], keys: .one, categories: readFast, group: g) { ctx throws(CommandError) in
            try zcountGeneric(ctx, try RangeSpec.lex(ctx.args, 2, 3))
        }
        register("zrange", arity: -4, flags: [.readonly], keys: .one, categories: readSlow, group: g) { ctx throws(CommandError) in
            try zrangeGeneric(ctx, keyIndex: 1, store: false, kind: nil, reverse: nil)
        }
        register("zrangestore", arity: -5, flags: [.write, .denyOOM], keys: KeyPositions(first: 1, last: 2, step: 1), categories: writeSlow, group: g) { ctx throws(CommandError) in
            try zrangeGeneric(ctx, keyIndex: 2, store: true, kind: nil, reverse: nil)
        }
        register("zrevrange", arity: -4, flags: [.readonly], keys: .one, categories: readSlow, group: g) { ctx throws(CommandError) in
            try zrangeGeneric(ctx, keyIndex: 1, store: false, kind: .rank, reverse: true)
        }
        register("zrangebyscore", arity: -4, flags: [.readonly], keys: .one, categories: readSlow, group: g) { ctx throws(CommandError) in
            try zrangeGeneric(ctx, keyIndex: 1, store: false, kind: .score, reverse: false)
        }
        register("zrevrangebyscore", arity: -4, flags: [.readonly], keys: .one, categories: readSlow, group: g) { ctx throws(CommandError) in
            try zrangeGeneric(ctx, keyIndex: 1, store: false, kind: .score, reverse: true)
        }
        register("zrangebylex", arity: -4, flags: [.readonly], keys: .one, categories: readSlow, group: g) { ctx throws(CommandError) in
            try zrangeGeneric(ctx, keyIndex: 1, store: false, kind: .lex, reverse: false)
        }
        register("zrevrangebylex", arity: -4, flags: [.readonly], keys: .one, categories: readSlow, group: g) { ctx throws(CommandError) in
            try zrangeGeneric(ctx, keyIndex: 1, store: false, kind: .lex, reverse: true)
        }
        register("zremrangebyrank", arity: 4, flags: [.write], keys: .one, categories: writeSlow, group: g) { ctx throws(CommandError) in
            try zremrangeGeneric(ctx, .rank)
        }
        register("zremrangebyscore", arity: 4, flags: [.write], keys: .one, categories: writeSlow, group: g) { ctx throws(CommandError) in
            try zremrangeGeneric(ctx, .score)
        }
        register("zremrangebylex", arity: 4, flags: [.write], keys: .one, categories: writeSlow, group: g) { ctx throws(CommandError) in
            try zremrangeGeneric(ctx, .lex)
        }
        register("zpopmin", arity: -2, flags: [.write, .fast], keys: .one, categories: writeFast, group: g) { ctx throws(CommandError) in
            try zpopCommand(ctx, max: false)
        }
        register("zpopmax", arity: -2, flags: [.write, .fast], keys: .one, categories: writeFast, group: g) { ctx throws(CommandError) in
            try zpopCommand(ctx, max: true)
        }
        register("zmpop", arity: -4, flags: [.write], categories: writeSlow, group: g, handler: zmpopCommand)
        register("zrandmember", arity: -2, flags: [.readonly], keys: .one, categories: readSlow, group: g, handler: zrandmemberCommand)
        register("zunion", arity: -3, flags: [.readonly], categories: readSlow, group: g) { ctx throws(CommandError) in
            try zsetOperation(ctx, .union, numkeysIndex: 1, store: false)
        }
        register("zinter", arity: -3, flags: [.readonly], categories: readSlow, group: g) { ctx throws(CommandError) in
            try zsetOperation(ctx, .inter, numkeysIndex: 1, store: false)
        }
        register("zdiff", arity: -3, flags: [.readonly], categories: readSlow, group: g) { ctx throws(CommandError) in
            try zsetOperation(ctx, .diff, numkeysIndex: 1, store: false)
        }
        register("zunionstore", arity: -4, flags: [.write, .denyOOM], keys: .one, categories: writeSlow, group: g) { ctx throws(CommandError) in
            try zsetOperation(ctx, .union, numkeysIndex: 2, store: true)
        }
        register("zinterstore", arity: -4, flags: [.write, .denyOOM], keys: .one, categories: writeSlow, group: g) { ctx throws(CommandError) in
            try zsetOperation(ctx, .inter, numkeysIndex: 2, store: true)
        }
        register("zdiffstore", arity: -4, flags: [.write, .denyOOM], keys: .one, categories: writeSlow, group: g) { ctx throws(CommandError) in
            try zsetOperation(ctx, .diff, numkeysIndex: 2, store: true)
        }
        register("zintercard", arity: -3, flags: [.readonly], categories: readSlow, group: g) { ctx throws(CommandError) in
            try zsetOperation(ctx, .interCard, numkeysIndex: 1, store: false)
        }
        register("zscan", arity: -3, flags: [.readonly], keys: .one, categories: readSlow, group: g, handler: zscanCommand)
    }
}

extension CommandError {
    static let notANumberScore = CommandError("ERR resulting score is not a number (NaN)")
    static let minMaxNotFloat = CommandError("ERR min or max is not a float")
    static let minMaxNotString = CommandError("ERR min or max not valid string range item")
}

// MARK: - Ranges

/// One end of a lexicographic range: `-` and `+` are below and above every member.
enum LexBound {
    case negativeInfinity, positiveInfinity
    case member(Bytes, exclusive: Bool)
}

/// A score or lexicographic interval, as parsed by Redis's zslParseRange and zslParseLexRange.
enum RangeSpec {
    case byScore(min: Double, minExclusive: Bool, max: Double, maxExclusive: Bool)
    case byLex(min: LexBound, max: LexBound)

    static func score(_ a: Args, _ minIndex: Int, _ maxIndex: Int) throws(CommandError) -> RangeSpec {
        guard let (min, minEx) = scoreBound(a[minIndex]), let (max, maxEx) = scoreBound(a[maxIndex]) else {
            throw CommandError.minMaxNotFloat
        }
        return .byScore(min: min, minExclusive: minEx, max: max, maxExclusive: maxEx)
    }

    static func lex(_ a: Args, _ minIndex: Int, _ maxIndex: Int) throws(CommandError) -> RangeSpec {
        guard let min = lexBound(a[minIndex]), let max = lexBound(a[maxIndex]) else { throw CommandError.minMaxNotString }
        return .byLex(min: min, max: max)
    }

    /// Redis reads a score bound with C's strtod up to the argument's first NUL: leading spaces and hex are
    /// accepted, an empty string reads as 0, NaN is refused; a leading '(' makes the bound exclusive.
    private static func scoreBound(_ arg: UnsafeRawBufferPointer) -> (Double, Bool)? {
        let exclusive = arg.count > 0 && arg[0] == UInt8(ascii: "(")
        let body = UnsafeRawBufferPointer(rebasing: arg[(exclusive ? 1 : 0)...])
        let n = body.firstIndex(of: 0) ?? body.count
        let v: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf in
            if n > 0 { memcpy(buf.baseAddress!, body.baseAddress!, n) }
            buf[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let d = strtod(buf.baseAddress!, &end)
            return end == buf.baseAddress! + n && !d.isNaN ? d : nil
        }
        return v.map { ($0, exclusive) }
    }

    private static func lexBound(_ arg: UnsafeRawBufferPointer) -> LexBound? {
        guard arg.count > 0 else { return nil }
        switch arg[0] {
        case UInt8(ascii: "+"): return arg.count == 1 ? .positiveInfinity : nil
        case UInt8(ascii: "-"): return arg.count == 1 ? .negativeInfinity : nil
        case UInt8(ascii: "("): return .member(Bytes(arg[1...]), exclusive: true)
        case UInt8(ascii: "["): return .member(Bytes(arg[1...]), exclusive: false)
        default: return nil
        }
    }

    /// Whether an entry is past the lower end of the range.
    func aboveMin(_ e: ScoredMember) -> Bool {
        switch self {
        case .byScore(let min, let minEx, _, _): return minEx ? e.score > min : e.score >= min
        case .byLex(let min, _):
            switch min {
            case .negativeInfinity: return true
            case .positiveInfinity: return false
            case .member(let m, let ex):
                let c = compare(e.member, m)
                return ex ? c > 0 : c >= 0
            }
        }
    }

    /// Whether an entry is before the upper end of the range.
    func belowMax(_ e: ScoredMember) -> Bool {
        switch self {
        case .byScore(_, _, let max, let maxEx): return maxEx ? e.score < max : e.score <= max
        case .byLex(_, let max):
            switch max {
            case .negativeInfinity: return false
            case .positiveInfinity: return true
            case .member(let m, let ex):
                let c = compare(e.member, m)
                return ex ? c < 0 : c <= 0
            }
        }
    }

    private func compare(_ a: Bytes, _ b: Bytes) -> Int {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in bytesCompare(x, y) } }
    }

    /// The ranks the range covers. Lexicographic ranges assume equal scores, as Redis's do.
    func ranks(in z: SortedSetValue) -> Range<Int> {
        let lo = z.partitionRank { !aboveMin($0) }
        let hi = z.partitionRank { belowMax($0) }
        return lo..<max(lo, hi)
    }
}

// MARK: - Replies

/// Members with optional scores: RESP2 flattens them, RESP3 nests each pair (ZRANGE WITHSCORES and friends).
private func replyScored(_ ctx: CommandContext, _ items: [ScoredMember], withScores: Bool) {
    let nested = withScores && ctx.client.resp3
    ctx.out.array(withScores && !nested ? items.count * 2 : items.count)
    for e in items {
        if nested { ctx.out.array(2) }
        ctx.out.bulk(e.member)
        if withScores { ctx.out.double(e.score) }
    }
}

// MARK: - ZADD, ZINCRBY, ZREM

private struct ZaddFlags {
    var nx = false, xx = false, gt = false, lt = false, incr = false
}

private enum ZaddOutcome { case added, updated, unchanged, skipped, notANumber }

/// Redis's zsetAdd: one member's update under the ZADD flags. Returns what happened and the member's score.
private func zsetAdd(_ z: inout SortedSetValue, _ member: UnsafeRawBufferPointer, _ score: Double, _ f: ZaddFlags,
                     _ limits: SortedSetLimits) -> (ZaddOutcome, Double) {
    // Without conditions the new score always wins, so one index lookup both reads and replaces the old one.
    if !f.nx && !f.xx && !f.gt && !f.lt && !f.incr {
        guard let old = z.set(member, score, limits: limits) else { return (.added, score) }
        return (old == score ? .unchanged : .updated, score)
    }
    if let current = z.score(member) {
        if f.nx { return (.skipped, current) }
        var s = score
        if f.incr {
            s += current
            if s.isNaN { return (.notANumber, current) }
        }
        if (f.lt && s >= current) || (f.gt && s <= current) { return (.skipped, current) }
        if s == current { return (.unchanged, s) }
        z.set(member, s, limits: limits)
        return (.updated, s)
    }
    if f.xx { return (.skipped, score) }
    z.set(member, score, limits: limits)
    return (.added, score)
}

/// ZADD and ZINCRBY; GEOADD runs it on the ZADD arguments it rewrites itself into.
func zaddGeneric(_ ctx: CommandContext, incr: Bool) throws(CommandError) {
    let a = ctx.args
    var f = ZaddFlags(incr: incr)
    var ch = false
    var i = 2
    while i < a.count {
        if a.isKeyword(i, "nx") { f.nx = true }
        else if a.isKeyword(i, "xx") { f.xx = true }
        else if a.isKeyword(i, "ch") { ch = true }
        else if a.isKeyword(i, "incr") { f.incr = true }
        else if a.isKeyword(i, "gt") { f.gt = true }
        else if a.isKeyword(i, "lt") { f.lt = true }
        else { break }
        i += 1
    }
    let scoreIndex = i
    let remaining = a.count - scoreIndex
    guard remaining > 0 && remaining % 2 == 0 else { throw CommandError.syntax }
    let elements = remaining / 2
    if f.nx && f.xx { throw CommandError("ERR XX and NX options at the same time are not compatible") }
    if (f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt) {
        throw CommandError("ERR GT, LT, and/or NX options at the same time are not compatible")
    }
    if f.incr && elements > 1 { throw CommandError("ERR INCR option supports a single increment-element pair") }
    // Every score is checked before any member is touched, as Redis does; the scores wait on the stack.
    try withUnsafeTemporaryAllocation(of: Double.self, capacity: elements) { (scores) throws(CommandError) in
        for j in 0..<elements { scores[j] = try a.double(scoreIndex + 2 * j) }
        try zaddApply(ctx, f, ch: ch, scoreIndex: scoreIndex, scores: scores)
    }
}

private func zaddApply(_ ctx: CommandContext, _ f: ZaddFlags, ch: Bool, scoreIndex: Int,
                       scores: UnsafeMutableBufferPointer<Double>) throws(CommandError) {
    let a = ctx.args
    let elements = scores.count
    let limits = SortedSetLimits(ctx.engine.settings)
    let db = ctx.db
    let key = a[1]
    if f.xx, try readCollection(ctx, key, .zset, forWrite: true) == nil {
        if f.incr { ctx.out.null() } else { ctx.out.integer(0) }
        return
    }
    let firstMember = a[scoreIndex + 1].count
    let event = KeyspaceEvent(.zset, f.incr ? "zincr" : "zadd")
    let outcome = try db.edit(key, .zset, event: event, create: { SortedSetValue(sizeHint: elements, longestMember: firstMember, limits: limits) }) { z -> ((added: Int, updated: Int, processed: Int, score: Double, nan: Bool), Bool) in
        if elements > limits.listpackEntries { z.convertToSkiplist() }
        var added = 0, updated = 0, processed = 0
        var score = 0.0
        for j in 0..<elements {
            let (what, s) = zsetAdd(&z, a[scoreIndex + 2 * j + 1], scores[j], f, limits)
            switch what {
            case .notANumber: return ((added, updated, processed, score, true), added + updated > 0)
            case .added: added += 1; processed += 1
            case .updated: updated += 1; processed += 1
            case .unchanged: processed += 1
            case .skipped: break
            }
            score = s
        }
        return ((added, updated, processed, score, false), added + updated > 0)
    }!
    if outcome.nan { throw CommandError.notANumberScore }
    ctx.engine.dirty += outcome.added + outcome.updated
    if f.incr {
        if outcome.processed > 0 { ctx.out.double(outcome.score) } else { ctx.out.null() }
    } else {
        ctx.out.integer(ch ? outcome.added + outcome.updated : outcome.added)
    }
}

private func zremCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    try removeMembersCommand(ctx, .zset, event: KeyspaceEvent(.zset, "zrem")) { $0.remove(a.bytes($1)) }
}

// MARK: - Ranks, counts, ranges

private func zrankGeneric(_ ctx: CommandContext, reverse: Bool) throws(CommandError) {
    let a = ctx.args
    if a.count > 4 { throw CommandError.wrongArity(ctx.name) }
    let withScore = a.count == 4
    if withScore && !a.isKeyword(3, "withscore") { throw CommandError.syntax }
    guard let z = try readCollection(ctx, a[1], .zset), let (rank, score) = z.rank(a.bytes(2)) else {
        if withScore { ctx.out.nullArray() } else { ctx.out.null() }
        return
    }
    if withScore { ctx.out.array(2) }
    ctx.out.integer(reverse ? z.count - 1 - rank : rank)
    if withScore { ctx.out.double(score) }
}

private func zcountGeneric(_ ctx: CommandContext, _ range: RangeSpec) throws(CommandError) {
    guard let z = try readCollection(ctx, ctx.args[1], .zset) else { ctx.out.integer(0); return }
    ctx.out.integer(range.ranks(in: z).count)
}

private enum RangeKind { case rank, score, lex }

/// ZRANGE and its older forms. `kind` and `reverse` are fixed by the older commands and chosen by options
/// for ZRANGE and ZRANGESTORE. Options are checked, then the range parsed, then the key looked up, in
/// Redis's order, so the same error wins.
private func zrangeGeneric(_ ctx: CommandContext, keyIndex: Int, store: Bool, kind fixedKind: RangeKind?,
                           reverse fixedReverse: Bool?) throws(CommandError) {
    let a = ctx.args
    var kind = fixedKind
    var reverse = fixedReverse
    var withScores = false
    var offset = 0
    var limit = -1
    var j = keyIndex + 3
    while j < a.count {
        let left = a.count - j - 1
        if !store && a.isKeyword(j, "withscores") {
            withScores = true
        } else if a.isKeyword(j, "limit") && left >= 2 {
            offset = try a.int(j + 1)
            limit = try a.int(j + 2)
            j += 2
        } else if fixedReverse == nil && reverse == nil && a.isKeyword(j, "rev") {
            reverse = true
        } else if fixedKind == nil && kind == nil && a.isKeyword(j, "bylex") {
            kind = .lex
        } else if fixedKind == nil && kind == nil && a.isKeyword(j, "byscore") {
            kind = .score
        } else {
            throw CommandError.syntax
        }
        j += 1
    }
    let rangeKind = kind ?? .rank
    let rev = reverse ?? false
    if limit != -1 && rangeKind == .rank {
        throw CommandError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
    }
    if withScores && rangeKind == .lex {
        throw CommandError("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    }
    // Reversed score and lex ranges are written max first.
    let (minIndex, maxIndex) = rev && rangeKind != .rank ? (keyIndex + 2, keyIndex + 1) : (keyIndex + 1, keyIndex + 2)
    var start = 0, end = 0
    var spec: RangeSpec? = nil
    switch rangeKind {
    case .rank:
        start = try a.int(minIndex)
        end = try a.int(maxIndex)
    case .score: spec = try RangeSpec.score(a, minIndex, maxIndex)
    case .lex: spec = try RangeSpec.lex(a, minIndex, maxIndex)
    }

    guard let z = try readCollection(ctx, a[keyIndex], .zset) else {
        if store {
            ctx.db.storeResult(a[1], nil, event: KeyspaceEvent(.zset, "zrangestore"))
            ctx.out.integer(0)
        } else {
            ctx.out.array(0)
        }
        return
    }
    var items: [ScoredMember] = []
    if let spec {
        let ranks = spec.ranks(in: z)
        if offset >= 0 && offset < ranks.count && limit != 0 {
            let n = limit < 0 ? ranks.count - offset : min(limit, ranks.count - offset)
            items.reserveCapacity(n)
            z.walk(from: rev ? ranks.upperBound - 1 - offset : ranks.lowerBound + offset, reverse: rev) { e in
                items.append(e)
                return items.count < n
            }
        }
    } else if let (first, n) = rankWindow(count: z.count, start: start, end: end) {
        items.reserveCapacity(n)
        z.walk(from: rev ? z.count - 1 - first : first, reverse: rev) { e in
            items.append(e)
            return items.count < n
        }
    }

    guard store else {
        replyScored(ctx, items, withScores: withScores)
        return
    }
    let limits = SortedSetLimits(ctx.engine.settings)
    // As Redis, a rank range sizes the destination by its length; score and lex ranges of unknown length
    // start a skiplist.
    var dst: SortedSetValue
    if rangeKind == .rank && items.count <= limits.listpackEntries {
        dst = SortedSetValue(sizeHint: items.count, longestMember: 0, limits: limits)
        for e in items { dst.set(e.member, e.score, limits: limits) }
    } else {
        dst = SortedSetValue(skiplistOf: items)
    }
    ctx.db.storeResult(a[1], dst.isEmpty ? nil : .zset(dst), event: KeyspaceEvent(.zset, "zrangestore"))
    ctx.out.integer(dst.count)
}

/// A rank range as ZRANGE and ZREMRANGEBYRANK read it (negative ranks count from the end): the first rank
/// and how many follow, or nil when it selects nothing.
private func rankWindow(count: Int, start: Int, end: Int) -> (first: Int, count: Int)? {
    var s = start < 0 ? count + start : start
    var e = end < 0 ? count + end : end
    if s < 0 { s = 0 }
    if s > e || s >= count { return nil }
    if e >= count { e = count - 1 }
    return (s, e - s + 1)
}

private func zremrangeGeneric(_ ctx: CommandContext, _ kind: RangeKind) throws(CommandError) {
    let a = ctx.args
    var spec: RangeSpec? = nil
    var start = 0, end = 0
    switch kind {
    case .rank:
        start = try a.int(2)
        end = try a.int(3)
    case .score: spec = try RangeSpec.score(a, 2, 3)
    case .lex: spec = try RangeSpec.lex(a, 2, 3)
    }
    let event: KeyspaceEvent
    switch kind {
    case .rank: event = KeyspaceEvent(.zset, "zremrangebyrank")
    case .score: event = KeyspaceEvent(.zset, "zremrangebyscore")
    case .lex: event = KeyspaceEvent(.zset, "zremrangebylex")
    }
    let removed = try ctx.db.edit(a[1], .zset, event: event) { z -> (Int, Bool) in
        let ranks: Range<Int>
        if let spec {
            ranks = spec.ranks(in: z)
        } else if let (first, n) = rankWindow(count: z.count, start: start, end: end) {
            ranks = first..<(first + n)
        } else {
            return (0, false)
        }
        for r in ranks.reversed() { z.remove(rank: r) }
        return (ranks.count, !ranks.isEmpty)
    } ?? 0
    ctx.engine.dirty += removed
    ctx.out.integer(removed)
}

// MARK: - Popping and random members

/// Pops up to `count` members from one end of the sorted set at `key`; nil when the key is missing.
func popMembers(_ ctx: CommandContext, _ key: UnsafeRawBufferPointer, max: Bool, count: Int) throws(CommandError) -> [ScoredMember]? {
    try ctx.db.edit(key, .zset, event: KeyspaceEvent(.zset, max ? "zpopmax" : "zpopmin")) { z -> ([ScoredMember], Bool) in
        var out: [ScoredMember] = []
        while out.count < count && !z.isEmpty {
            let rank = max ? z.count - 1 : 0
            out.append(z[rank])
            z.remove(rank: rank)
        }
        return (out, !out.isEmpty)
    }
}

private func zpopCommand(_ ctx: CommandContext, max: Bool) throws(CommandError) {
    let a = ctx.args
    if a.count > 3 { throw CommandError.syntax }
    let count = a.count == 3 ? try nonNegativeArgument(a, 2) : nil
    guard try readCollection(ctx, a[1], .zset, forWrite: true) != nil, count != 0 else { ctx.out.array(0); return }
    let popped = try popMembers(ctx, a[1], max: max, count: count ?? 1) ?? []
    ctx.engine.dirty += popped.count
    // A COUNT in RESP3 nests each pair; without one the reply stays flat.
    let nested = ctx.client.resp3 && count != nil
    ctx.out.array(nested ? popped.count : popped.count * 2)
    for e in popped {
        if nested { ctx.out.array(2) }
        ctx.out.bulk(e.member)
        ctx.out.double(e.score)
    }
}

private func zmpopCommand(_ ctx: CommandContext) throws(CommandError) {
    if try !zsetMultiPop(ctx, numkeysAt: 1) { ctx.out.nullArray() }
}

/// ZMPOP and BZMPOP: numkeys at `at`, the keys, MIN|MAX and an optional COUNT. Pops from the first
/// non-empty sorted set and replies; returns false, having replied nothing, when all were empty.
func zsetMultiPop(_ ctx: CommandContext, numkeysAt at: Int) throws(CommandError) -> Bool {
    let a = ctx.args
    guard let numkeys = NumberParsing.int64(a[at]), numkeys >= 1 else {
        throw CommandError("ERR numkeys should be greater than 0")
    }
    guard numkeys < a.count - at - 1 else { throw CommandError.syntax }
    let whereIndex = at + 1 + Int(numkeys)
    let max: Bool
    if a.isKeyword(whereIndex, "min") { max = false } else if a.isKeyword(whereIndex, "max") { max = true } else { throw CommandError.syntax }
    var count: Int? = nil
    var j = whereIndex + 1
    while j < a.count {
        guard count == nil, a.isKeyword(j, "count"), j + 1 < a.count else { throw CommandError.syntax }
        guard let c = NumberParsing.int64(a[j + 1]), c >= 1 else { throw CommandError("ERR count should be greater than 0") }
        count = Int(c)
        j += 2
    }
    for k in (at + 1)..<whereIndex {
        guard try readCollection(ctx, a[k], .zset, forWrite: true) != nil else { continue }
        let popped = try popMembers(ctx, a[k], max: max, count: count ?? 1) ?? []
        ctx.engine.dirty += popped.count
        ctx.propagate(as: [[Bytes(max ? "ZPOPMAX".utf8 : "ZPOPMIN".utf8), a.bytes(k), IntegerFormat.bytes(Int64(popped.count))]])
        ctx.out.array(2)
        ctx.out.bulk(a[k])
        ctx.out.array(popped.count)
        for e in popped {
            ctx.out.array(2)
            ctx.out.bulk(e.member)
            ctx.out.double(e.score)
        }
        return true
    }
    return false
}

private func zrandmemberCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    if a.count == 2 {
        guard let z = try readCollection(ctx, a[1], .zset) else { ctx.out.null(); return }
        ctx.out.bulk(z[Int.random(in: 0..<z.count)].member)
        return
    }
    let n = try a.int64(2)
    guard n != .min else {
        throw CommandError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    }
    if a.count > 4 || (a.count == 4 && !a.isKeyword(3, "withscores")) { throw CommandError.syntax }
    let withScores = a.count == 4
    if withScores && (n < -(Int64.max / 2) || n > Int64.max / 2) { throw CommandError("ERR value is out of range") }
    guard let z = try readCollection(ctx, a[1], .zset), n != 0 else { ctx.out.array(0); return }
    var items: [ScoredMember] = []
    if n < 0 {
        // A negative count may repeat members.
        for _ in 0..<Int(-n) { items.append(z[Int.random(in: 0..<z.count)]) }
    } else if Int(n) >= z.count {
        // Redis walks a sorted set from its highest member down here.
        z.walk(from: z.count - 1, reverse: true) { items.append($0); return true }
    } else {
        var ranks = Set<Int>()
        if Int(n) * 3 > z.count {
            ranks = Set((0..<z.count).shuffled().prefix(Int(n)))
        } else {
            while ranks.count < Int(n) { ranks.insert(Int.random(in: 0..<z.count)) }
        }
        for r in ranks { items.append(z[r]) }
    }
    replyScored(ctx, items, withScores: withScores)
}

// MARK: - Union, intersection, difference

private enum SetOperation { case union, inter, diff, interCard }

/// An input of ZUNION/ZINTER/ZDIFF: a sorted set, or a plain set whose members all score 1.
private enum ScoredOperand {
    case zset(SortedSetValue)
    case set(SetValue)

    var count: Int {
        switch self {
        case .zset(let z): return z.count
        case .set(let s): return s.count
        }
    }

    func score(_ member: Bytes) -> Double? {
        switch self {
        case .zset(let z): return z.score(member)
        case .set(let s): return s.contains(member) ? 1 : nil
        }
    }

    func forEach(_ body: (Bytes, Double) -> Void) {
        switch self {
        case .zset(let z): z.forEach { body($0.member, $0.score) }
        case .set(let s): s.forEach { body($0, 1) }
        }
    }
}

private enum Aggregate { case sum, min, max }

/// zunionInterAggregate: SUM turns an undefined result (inf - inf) into 0.
private func aggregate(_ into: inout Double, _ v: Double, _ how: Aggregate) {
    switch how {
    case .sum:
        into += v
        if into.isNaN { into = 0 }
    case .min: into = Swift.min(into, v)
    case .max: into = Swift.max(into, v)
    }
}

private func zsetOperation(_ ctx: CommandContext, _ op: SetOperation, numkeysIndex: Int, store: Bool) throws(CommandError) {
    let a = ctx.args
    let numkeys = try a.int64(numkeysIndex)
    if numkeys < 1 { throw CommandError("ERR at least 1 input key is needed for '\(ctx.name)' command") }
    if numkeys > a.count - numkeysIndex - 1 { throw CommandError.syntax }
    let first = numkeysIndex + 1
    let end = first + Int(numkeys)
    var inputs: [(operand: ScoredOperand?, weight: Double)] = []
    for k in first..<end {
        guard let v = ctx.db.lookupRead(a[k]) else { inputs.append((nil, 1)); continue }
        if case .zset(let z) = v {
            inputs.append((.zset(z), 1))
        } else if case .set(let s) = v {
            inputs.append((.set(s), 1))
        } else {
            throw CommandError.wrongType
        }
    }
    var how = Aggregate.sum
    var withScores = false
    var limit = 0
    var j = end
    let combines = op == .union || op == .inter
    while j < a.count {
        let remaining = a.count - j
        if combines && remaining >= inputs.count + 1 && a.isKeyword(j, "weights") {
            for k in 0..<inputs.count {
                guard let w = NumberParsing.double(a[j + 1 + k]) else { throw CommandError("ERR weight value is not a float") }
                inputs[k].weight = w
            }
            j += inputs.count + 1
        } else if combines && remaining >= 2 && a.isKeyword(j, "aggregate") {
            if a.isKeyword(j + 1, "sum") { how = .sum }
            else if a.isKeyword(j + 1, "min") { how = .min }
            else if a.isKeyword(j + 1, "max") { how = .max }
            else { throw CommandError.syntax }
            j += 2
        } else if !store && op != .interCard && a.isKeyword(j, "withscores") {
            withScores = true
            j += 1
        } else if op == .interCard && remaining >= 2 && a.isKeyword(j, "limit") {
            limit = try nonNegativeArgument(a, j + 1, error: "ERR LIMIT can't be negative")
            j += 2
        } else {
            throw CommandError.syntax
        }
    }
    if op != .diff { inputs.sort { ($0.operand?.count ?? 0) < ($1.operand?.count ?? 0) } }

    var result: [Bytes: Double] = [:]
    var cardinality = 0
    switch op {
    case .inter, .interCard:
        guard let smallest = inputs[0].operand else { break }
        smallest.forEach { member, score in
            if op == .interCard && limit > 0 && cardinality >= limit { return }
            var total = inputs[0].weight * score
            if total.isNaN { total = 0 }
            for input in inputs.dropFirst() {
                guard let s = input.operand?.score(member) else { return }
                aggregate(&total, s * input.weight, how)
            }
            if op == .interCard { cardinality += 1 } else { result[member] = total }
        }
    case .union:
        for input in inputs {
            input.operand?.forEach { member, score in
                var weighted = input.weight * score
                if weighted.isNaN { weighted = 0 }
                if let existing = result[member] {
                    var total = existing
                    aggregate(&total, weighted, how)
                    result[member] = total
                } else {
                    result[member] = weighted
                }
            }
        }
    case .diff:
        guard let base = inputs[0].operand else { break }
        let others = inputs.dropFirst().compactMap { $0.operand }
        base.forEach { member, score in
            if !others.contains(where: { $0.score(member) != nil }) { result[member] = score }
        }
    }
    if op == .interCard {
        ctx.out.integer(cardinality)
        return
    }

    let limits = SortedSetLimits(ctx.engine.settings)
    // Redis builds the result as a skiplist and compacts it only when stored.
    var dst = SortedSetValue(skiplistOf: result.map { ScoredMember($0.key, $0.value) })
    if store {
        dst.compactIfSmall(limits: limits)
        let event: KeyspaceEvent
        switch op {
        case .inter: event = KeyspaceEvent(.zset, "zinterstore")
        case .diff: event = KeyspaceEvent(.zset, "zdiffstore")
        case .union, .interCard: event = KeyspaceEvent(.zset, "zunionstore")
        }
        ctx.db.storeResult(a[1], dst.isEmpty ? nil : .zset(dst), event: event)
        ctx.out.integer(dst.count)
    } else {
        var items: [ScoredMember] = []
        items.reserveCapacity(dst.count)
        dst.forEach { items.append($0) }
        replyScored(ctx, items, withScores: withScores)
    }
}

// MARK: - ZSCAN

private func zscanCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard let cursor = parseScanCursor(a[2]) else { throw CommandError("ERR invalid cursor") }
    guard let z = try readCollection(ctx, a[1], .zset) else {
        ctx.out.array(2)
        ctx.out.bulk(Bytes("0"))
        ctx.out.array(0)
        return
    }
    let options = try ScanOptions(a, from: 3)
    var found: [(Bytes, Double)] = []
    let next = z.scan(cursor: cursor, count: options.count) { member, score in
        if options.matches(member) { found.append((member, score)) }
    }
    ctx.out.array(2)
    ctx.out.bulk(String(next))
    ctx.out.array(found.count * 2)
    // Valkey hands out a listpack's scores as they are stored there (d2string's text) and a skiplist's
    // through %.17Lg.
    let stored = !z.isSkiplist
    for (member, score) in found {
        ctx.out.bulk(member)
        if stored {
            ShortestDouble.withText(score, .reply) { ctx.out.bulk($0) }
        } else {
            ctx.out.bulk(DoubleFormat.human(score))
        }
    }
}
