import RESP

extension Engine {
    func registerStreamCommands() {
        let readSlow = ["@read", "@stream", "@slow"]
        let readFast = ["@read", "@stream", "@fast"]
        let writeFast = ["@write", "@stream", "@fast"]
        register("xadd", arity: -5, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "stream", handler: xaddCommand)
        register("xrange", arity: -4, flags: [.readonly], keys: .one, categories: readSlow, group: "stream") { ctx throws(CommandError) in
            try xrangeCommand(ctx, reverse: false)
        }
        register("xrevrange", arity: -4, flags: [.readonly], keys: .one, categories: readSlow, group: "stream") { ctx throws(CommandError) in
            try xrangeCommand(ctx, reverse: true)
        }
        register("xlen", arity: 2, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "stream") { ctx throws(CommandError) in
            ctx.out.integer(try readCollection(ctx, ctx.args[1], .stream)?.count ?? 0)
        }
        register("xdel", arity: -3, flags: [.write, .fast], keys: .one, categories: writeFast, group: "stream", handler: xdelCommand)
        register("xtrim", arity: -4, flags: [.write], keys: .one, categories: ["@write", "@stream", "@slow"], group: "stream", handler: xtrimCommand)
        // XREAD's keys follow STREAMS; COMMAND INFO reports them as Redis does, from the key specs.
        register("xread", arity: -4, flags: [.readonly, .blocking], keys: .none, categories: ["@read", "@stream", "@slow", "@blocking"], group: "stream") { ctx throws(CommandError) in
            try xreadCommand(ctx, group: false)
        }
        register("xreadgroup", arity: -7, flags: [.write, .blocking], keys: .none, categories: ["@write", "@stream", "@slow", "@blocking"], group: "stream") { ctx throws(CommandError) in
            try xreadCommand(ctx, group: true)
        }
        register("xack", arity: -4, flags: [.write, .fast], keys: .one, categories: writeFast, group: "stream", handler: xackCommand)
        register("xpending", arity: -3, flags: [.readonly], keys: .one, categories: readSlow, group: "stream", handler: xpendingCommand)
        register("xclaim", arity: -6, flags: [.write, .fast], keys: .one, categories: writeFast, group: "stream", handler: xclaimCommand)
        register("xautoclaim", arity: -6, flags: [.write, .fast], keys: .one, categories: writeFast, group: "stream", handler: xautoclaimCommand)
        register("xsetid", arity: -3, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "stream", handler: xsetidCommand)
        registerXGroup()
        registerXInfo()
    }

    private func registerXGroup() {
        let xgroup = registerContainer("xgroup", group: "stream")
        let keyAt2 = KeyPositions(first: 2, last: 2, step: 1)
        let cats = ["@write", "@stream", "@slow"]
        register("create", arity: -5, flags: [.write, .denyOOM], keys: keyAt2, categories: cats, group: "stream", parent: xgroup, handler: xgroupCreate)
        register("setid", arity: -5, flags: [.write], keys: keyAt2, categories: cats, group: "stream", parent: xgroup, handler: xgroupSetID)
        register("destroy", arity: 4, flags: [.write], keys: keyAt2, categories: cats, group: "stream", parent: xgroup, handler: xgroupDestroy)
        register("createconsumer", arity: 5, flags: [.write, .denyOOM], keys: keyAt2, categories: cats, group: "stream", parent: xgroup, handler: xgroupCreateConsumer)
        register("delconsumer", arity: 5, flags: [.write], keys: keyAt2, categories: cats, group: "stream", parent: xgroup, handler: xgroupDelConsumer)
        register("help", arity: 2, flags: [.loading, .stale], categories: ["@stream", "@slow"], group: "stream", parent: xgroup) { ctx throws(CommandError) in
            replyHelp(ctx, [
                "CREATE <key> <groupname> <id|$> [option]",
                "    Create a new consumer group. Options are:",
                "    * MKSTREAM",
                "      Create the empty stream if it does not exist.",
                "    * ENTRIESREAD entries_read",
                "      Set the group's entries_read counter (internal use).",
                "CREATECONSUMER <key> <groupname> <consumer>",
                "    Create a new consumer in the specified group.",
                "DELCONSUMER <key> <groupname> <consumer>",
                "    Remove the specified consumer.",
                "DESTROY <key> <groupname>",
                "    Remove the specified group.",
                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                "    Set the current group ID and entries_read counter.",
            ])
        }
    }

    private func registerXInfo() {
        let xinfo = registerContainer("xinfo", group: "stream")
        let keyAt2 = KeyPositions(first: 2, last: 2, step: 1)
        let cats = ["@read", "@stream", "@slow"]
        register("stream", arity: -3, flags: [.readonly], keys: keyAt2, categories: cats, group: "stream", parent: xinfo, handler: xinfoStream)
        register("groups", arity: 3, flags: [.readonly], keys: keyAt2, categories: cats, group: "stream", parent: xinfo, handler: xinfoGroups)
        register("consumers", arity: 4, flags: [.readonly], keys: keyAt2, categories: cats, group: "stream", parent: xinfo, handler: xinfoConsumers)
        register("help", arity: 2, flags: [.loading, .stale], categories: ["@stream", "@slow"], group: "stream", parent: xinfo) { ctx throws(CommandError) in
            replyHelp(ctx, [
                "CONSUMERS <key> <groupname>",
                "    Show consumers of <groupname>.",
                "GROUPS <key>",
                "    Show the stream consumer groups.",
                "STREAM <key> [FULL [COUNT <count>]",
                "    Show information about the stream.",
            ])
        }
    }
}

extension CollectionKind {
    static var stream: CollectionKind<StreamValue> { CollectionKind<StreamValue>() }
}

extension StreamValue: StoredCollection {
    static func extract(_ v: Value) -> StreamValue? { if case .stream(let s) = v { return s } else { return nil } }
    static func wrap(_ c: consuming StreamValue) -> Value { .stream(c) }
    /// A stream stays when its last entry goes (unlike other collections): its IDs and groups live on.
    var deletesKey: Bool { false }
}

extension CommandError {
    static let invalidStreamID = CommandError("ERR Invalid stream ID specified as stream command argument")
    static let xaddIDTooSmall = CommandError("ERR The ID specified in XADD is equal or smaller than the target stream top item")

    static func noGroup(_ key: UnsafeRawBufferPointer, _ group: UnsafeRawBufferPointer, suffix: String = "") -> CommandError {
        CommandError("NOGROUP No such key '\(cString(key))' or consumer group '\(cString(group))'\(suffix)")
    }

    static func noSuchGroup(_ group: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) -> CommandError {
        CommandError("NOGROUP No such consumer group '\(cString(group))' for key name '\(cString(key))'")
    }

    /// addReplySubcommandSyntaxError.
    static func subcommandSyntax(_ a: Args) -> CommandError {
        CommandError("ERR unknown subcommand or wrong number of arguments for '\(cString(a[1]).prefix(128))'. Try \(a.text(0).uppercased()) HELP.")
    }
}

// MARK: shared helpers

/// A strict ID argument ("-" and "+" refused).
func parseID(_ a: Args, _ i: Int, missingSeq: UInt64 = 0) throws(CommandError) -> StreamID {
    guard let (id, _) = StreamID.parse(a[i], missingSeq: missingSeq) else { throw .invalidStreamID }
    return id
}

/// A range bound (streamParseIntervalIDOrReply): "-", "+", a partial ID, or "(" for an exclusive bound, which
/// is moved to the next (start) or previous (end) ID.
func parseRangeBound(_ a: Args, _ i: Int, isStart: Bool) throws(CommandError) -> StreamID {
    let p = a[i]
    let missingSeq: UInt64 = isStart ? 0 : .max
    if p.count > 1 && p[0] == UInt8(ascii: "(") {
        guard let (id, _) = StreamID.parse(UnsafeRawBufferPointer(rebasing: p[1...]), missingSeq: missingSeq) else {
            throw .invalidStreamID
        }
        if isStart {
            guard let n = id.next else { throw CommandError("ERR invalid start ID for the interval") }
            return n
        }
        guard let prev = id.previous else { throw CommandError("ERR invalid end ID for the interval") }
        return prev
    }
    guard let (id, _) = StreamID.parse(p, missingSeq: missingSeq, strict: false) else { throw .invalidStreamID }
    return id
}

/// Redis's getLongLongFromObjectOrReply with a custom message.
func int64Argument(_ a: Args, _ i: Int, _ message: String) throws(CommandError) -> Int64 {
    guard let v = NumberParsing.int64(a[i]) else { throw CommandError("ERR \(message)") }
    return v
}

/// One entry as Redis replies it: [id, [field, value, ...]].
func writeEntry(_ out: inout ReplyWriter, _ id: StreamID, _ entry: StreamEntry) {
    out.array(2)
    out.bulk(id)
    out.array(entry.fieldCount * 2)
    entry.forEachPair { f, v in
        out.bulk(f)
        out.bulk(v)
    }
}

/// Replies the entries start...end (at most `count`, 0 for all) as an array; returns how many.
@discardableResult
func replyRange(_ ctx: CommandContext, _ s: StreamValue, from start: StreamID, to end: StreamID,
                        count: Int, reverse: Bool = false) -> Int {
    let mark = ctx.out.beginDeferred()
    var n = 0
    s.forEach(from: start, to: end, reverse: reverse) { id, entry in
        writeEntry(&ctx.out, id, entry)
        n += 1
        return count == 0 || n < count
    }
    ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: n)
    return n
}

/// Replies one entry by ID without an enclosing array; false when it does not exist.
func replyEntry(_ ctx: CommandContext, _ s: StreamValue, _ id: StreamID) -> Bool {
    var found = false
    s.forEach(from: id, to: id) { id, entry in
        writeEntry(&ctx.out, id, entry)
        found = true
        return false
    }
    return found
}

/// Edits the stream at `key` in place (created empty when missing and `create`); nil when missing. The body may
/// throw before changing anything; it reports whether it changed the stream, which then counts as modified.
func editStream<R>(_ ctx: CommandContext, _ key: UnsafeRawBufferPointer, create: Bool = false,
                           _ body: (inout StreamValue) throws(CommandError) -> (result: R, changed: Bool)) throws(CommandError) -> R? {
    _ = ctx.db.lookupWrite(key)
    var created = false
    let outcome = try ctx.db.withEntry(key) { (e: inout Entry?) throws(CommandError) -> (R, Bool)? in
        var s: StreamValue
        if e != nil {
            guard case .stream(let existing) = e!.value else { throw CommandError.wrongType }
            s = existing
            // Releasing the entry's reference leaves `s` unique, so the edit happens in place.
            e!.value = .int(0)
        } else if create {
            s = StreamValue()
        } else {
            return nil
        }
        let r: (R, Bool)
        do throws(CommandError) {
            r = try body(&s)
        } catch {
            if e != nil { e!.value = .stream(s) }
            throw error
        }
        if e == nil {
            created = true
            e = Entry(key: key, value: .stream(s))
        } else {
            e!.value = .stream(s)
        }
        return r
    }
    guard let (r, changed) = outcome else { return nil }
    if created { ctx.notify(.newKey, "new", key) }
    if changed { ctx.db.signalModified(key) }
    return r
}

// MARK: XADD / XTRIM

private struct TrimArgs {
    var maxLen: Int? = nil
    var minID: StreamID? = nil
    var approximate = false
    var limit = 0
    /// Where the MAXLEN/MINID value is: propagation rewrites it (and the `~` before it).
    var valueIndex = 0
    var hasStrategy: Bool { maxLen != nil || minID != nil }

    /// streamRewriteApproxSpecifier and streamRewriteTrimArgument: an approximate trim propagates as the exact
    /// one that leaves what it left, the length or the first ID kept (tombstones included, as Redis's edge ID).
    func rewrite(_ args: inout [Bytes], _ s: StreamValue) {
        guard approximate else { return }
        args[valueIndex - 1] = [UInt8(ascii: "=")]
        args[valueIndex] = maxLen != nil ? IntegerFormat.bytes(Int64(s.count)) : (s.nodes.first?.master ?? .max).bytes
    }
}

/// streamParseAddOrTrimArgsOrReply: the trimming options (and for XADD NOMKSTREAM and the ID). Returns the
/// options, the index of XADD's ID argument, the ID (nil for `*`) and whether its sequence was given.
private func parseAddOrTrim(_ ctx: CommandContext, xadd: Bool) throws(CommandError)
    -> (trim: TrimArgs, noMakeStream: Bool, idIndex: Int, id: StreamID?, seqGiven: Bool) {
    let a = ctx.args
    var t = TrimArgs()
    var noMake = false
    var limitGiven = false
    var id: StreamID? = nil
    var seqGiven = true
    var i = 2
    while i < a.count {
        let more = a.count - 1 - i
        if xadd && a[i].count == 1 && a[i][0] == UInt8(ascii: "*") { break }
        if (a.isKeyword(i, "maxlen") || a.isKeyword(i, "minid")) && more > 0 {
            if t.hasStrategy { throw CommandError("ERR syntax error, MAXLEN and MINID options at the same time are not compatible") }
            let isMaxLen = a.isKeyword(i, "maxlen")
            t.approximate = false
            if more >= 2 && a[i + 1].count == 1 && (a[i + 1][0] == UInt8(ascii: "~") || a[i + 1][0] == UInt8(ascii: "=")) {
                t.approximate = a[i + 1][0] == UInt8(ascii: "~")
                i += 1
            }
            t.valueIndex = i + 1
            if isMaxLen {
                let v = try a.int64(i + 1)
                if v < 0 { throw CommandError("ERR The MAXLEN argument must be >= 0.") }
                t.maxLen = Int(v)
            } else {
                t.minID = try parseID(a, i + 1)
            }
            i += 2
        } else if a.isKeyword(i, "limit") && more > 0 {
            let v = try a.int64(i + 1)
            if v < 0 { throw CommandError("ERR The LIMIT argument must be >= 0.") }
            t.limit = Int(v)
            limitGiven = true
            i += 2
        } else if xadd && a.isKeyword(i, "nomkstream") {
            noMake = true
            i += 1
        } else if xadd {
            guard let (parsed, given) = StreamID.parse(a[i], allowAutoSeq: true) else { throw .invalidStreamID }
            id = parsed
            seqGiven = given
            break
        } else {
            throw CommandError.syntax
        }
    }
    if t.limit != 0 && !t.hasStrategy {
        throw CommandError("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
    }
    if !xadd && !t.hasStrategy { throw CommandError("ERR syntax error, XTRIM must be called with a trimming strategy") }
    if ctx.client.mustObey {
        t.limit = 0
    } else if limitGiven {
        if !t.approximate { throw CommandError("ERR syntax error, LIMIT cannot be used without the special ~ option") }
    } else if t.approximate {
        // Approximate trimming is bounded to about 100 nodes' worth of entries, as in Redis.
        let limit = 100 * ctx.engine.settings.streamNodeMaxEntries
        t.limit = limit <= 0 ? 10000 : min(limit, 1_000_000)
    } else {
        t.limit = 0
    }
    return (t, noMake, i, id, seqGiven)
}

private func xaddCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let (trim, noMake, idIndex, requested, seqGiven) = try parseAddOrTrim(ctx, xadd: true)
    let fieldsAt = idIndex + 1
    guard a.count - fieldsAt >= 2 && (a.count - fieldsAt) % 2 == 0 else { throw CommandError.wrongArity(ctx.name) }
    if let requested, seqGiven, requested.isZero {
        throw CommandError("ERR The ID specified in XADD must be greater than 0-0")
    }
    let settings = ctx.engine.settings
    let now = ctx.engine.now
    let outcome = try editStream(ctx, a[1], create: !noMake) { (s: inout StreamValue) throws(CommandError) -> ((StreamID, Int), Bool) in
        if s.lastID == .max { throw CommandError("ERR The stream has exhausted the last possible ID, unable to add more items") }
        guard let id = s.nextID(requested: requested, seqGiven: seqGiven, now: now) else { throw .xaddIDTooSmall }
        s.append(id, fieldCount: (a.count - fieldsAt) / 2, maxBytes: settings.streamNodeMaxBytes,
                 maxEntries: settings.streamNodeMaxEntries) { k in (a[fieldsAt + 2 * k], a[fieldsAt + 2 * k + 1]) }
        var trimmed = 0
        if trim.hasStrategy {
            trimmed = s.trim(maxLen: trim.maxLen, minID: trim.minID, approximate: trim.approximate, limit: trim.limit)
        }
        // Replicas and the AOF get the ID that was chosen and the trim that was made.
        if requested == nil || !seqGiven || trim.approximate {
            ctx.propagate(as: {
                var args = (0..<a.count).map { a.bytes($0) }
                if requested == nil || !seqGiven { args[idIndex] = id.bytes }
                trim.rewrite(&args, s)
                return [args]
            }())
        }
        return ((id, trimmed), true)
    }
    guard let (id, trimmed) = outcome else {
        ctx.out.null()
        return
    }
    ctx.out.bulk(id)
    ctx.notify(.stream, "xadd", a[1])
    ctx.engine.dirty += 1
    if trimmed > 0 { ctx.notify(.stream, "xtrim", a[1]) }
}

private func xtrimCommand(_ ctx: CommandContext) throws(CommandError) {
    let (trim, _, _, _, _) = try parseAddOrTrim(ctx, xadd: false)
    let a = ctx.args
    try removeEntries(ctx, event: "xtrim") { s in
        let n = s.trim(maxLen: trim.maxLen, minID: trim.minID, approximate: trim.approximate, limit: trim.limit)
        if trim.approximate {
            ctx.propagate(as: {
                var args = (0..<a.count).map { a.bytes($0) }
                trim.rewrite(&args, s)
                return [args]
            }())
        }
        return n
    }
}

private func xdelCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard try readCollection(ctx, a[1], .stream, forWrite: true) != nil else {
        ctx.out.integer(0)
        return
    }
    var ids: [StreamID] = []
    ids.reserveCapacity(a.count - 2)
    for i in 2..<a.count { ids.append(try parseID(a, i)) }
    try removeEntries(ctx, event: "xdel") { s in ids.reduce(0) { $0 + (s.delete($1) ? 1 : 0) } }
}

/// XTRIM and XDEL: `remove` takes entries out of the stream at args[1] and says how many; each is a write, and
/// any announce `event`. Replies the count (0 for a missing key).
private func removeEntries(_ ctx: CommandContext, event: StaticString, _ remove: (inout StreamValue) -> Int) throws(CommandError) {
    let key = ctx.args[1]
    let removed = try editStream(ctx, key) { s -> (Int, Bool) in
        let n = remove(&s)
        return (n, n > 0)
    } ?? 0
    if removed > 0 {
        ctx.notify(.stream, event, key)
        ctx.engine.dirty += removed
    }
    ctx.out.integer(removed)
}

// MARK: XRANGE / XREVRANGE

private func xrangeCommand(_ ctx: CommandContext, reverse: Bool) throws(CommandError) {
    let a = ctx.args
    let start = try parseRangeBound(a, reverse ? 3 : 2, isStart: true)
    let end = try parseRangeBound(a, reverse ? 2 : 3, isStart: false)
    var count = -1
    var j = 4
    while j < a.count {
        guard a.isKeyword(j, "count") && j + 1 < a.count else { throw CommandError.syntax }
        count = Int(max(try a.int64(j + 1), 0))
        j += 2
    }
    guard let s = try readCollection(ctx, a[1], .stream) else {
        ctx.out.array(0)
        return
    }
    if count == 0 {
        ctx.out.nullArray()
        return
    }
    replyRange(ctx, s, from: start, to: end, count: max(count, 0), reverse: reverse)
}

// MARK: XREAD / XREADGROUP

private func xreadCommand(_ ctx: CommandContext, group isGroup: Bool) throws(CommandError) {
    let a = ctx.args
    var timeout: Int64 = -1
    var count = 0
    var streamsAt = 0
    var groupName: Int? = nil
    var noAck = false
    var i = 1
    while i < a.count {
        let more = a.count - 1 - i
        if a.isKeyword(i, "block") && more > 0 {
            guard let t = NumberParsing.int64(a[i + 1]) else { throw CommandError("ERR timeout is not an integer or out of range") }
            if t < 0 { throw CommandError("ERR timeout is negative") }
            if t > Int64.max - ctx.engine.now { throw CommandError("ERR timeout is out of range") }
            timeout = t
            i += 2
        } else if a.isKeyword(i, "count") && more > 0 {
            count = Int(max(try a.int64(i + 1), 0))
            i += 2
        } else if a.isKeyword(i, "streams") && more > 0 {
            streamsAt = i + 1
            if (a.count - streamsAt) % 2 != 0 {
                let symbol = isGroup ? ">" : "$"
                throw CommandError("ERR Unbalanced '\(ctx.name)' list of streams: for each stream key an ID or '\(symbol)' must be specified.")
            }
            break
        } else if a.isKeyword(i, "group") && more >= 2 {
            if !isGroup { throw CommandError("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.") }
            groupName = i + 1
            i += 3
        } else if a.isKeyword(i, "noack") {
            if !isGroup { throw CommandError("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.") }
            noAck = true
            i += 1
        } else {
            throw CommandError.syntax
        }
    }
    guard streamsAt > 0 else { throw CommandError.syntax }
    if isGroup && groupName == nil { throw CommandError("ERR Missing GROUP option for XREADGROUP") }
    let n = (a.count - streamsAt) / 2
    // After each key: the ID entries must follow (nil for XREADGROUP's ">").
    var after: [StreamID?] = []
    after.reserveCapacity(n)
    // "$" and "+" stand for IDs taken at the time of the call; a blocked re-run must not move them.
    var symbolic: [Int] = []
    for k in 0..<n {
        let keyArg = streamsAt + k
        let idArg = streamsAt + n + k
        let s = try readCollection(ctx, a[keyArg], .stream)
        if let groupName, s?.group(a[groupName]) == nil {
            throw CommandError.noGroup(a[keyArg], a[groupName], suffix: " in XREADGROUP with GROUP option")
        }
        let p = a[idArg]
        if p.count == 1 && p[0] == UInt8(ascii: "$") {
            if isGroup {
                throw CommandError("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
            }
            after.append(s?.lastID ?? .zero)
            symbolic.append(k)
        } else if p.count == 1 && p[0] == UInt8(ascii: "+") {
            // Valkey 8: the stream's last entry, read as everything after the ID just before the last one.
            if isGroup {
                throw CommandError("ERR The + ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The + ID would just return an empty result set.")
            }
            if let s {
                guard let before = s.lastID.previous else { throw CommandError("ERR the stream last element ID is 0-0") }
                after.append(before)
            } else {
                after.append(.zero)
            }
            symbolic.append(k)
        } else if p.count == 1 && p[0] == UInt8(ascii: ">") {
            if !isGroup {
                throw CommandError("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
            }
            after.append(nil)
        } else {
            after.append(try parseID(a, idArg))
        }
    }

    let mark = ctx.out.beginDeferred()
    var served = 0
    var propagated: [[Bytes]]? = ctx.engine.propagation.enabled ? [] : nil
    // XREADGROUP never propagates itself, only the effects readGroup collects (also when served after blocking).
    defer { if isGroup { ctx.propagate(as: propagated ?? []) } }
    for k in 0..<n {
        let key = a[streamsAt + k]
        if let groupName {
            if try readGroup(ctx, key: key, group: a.bytes(groupName), consumer: a.bytes(groupName + 1), after: after[k],
                             count: count, noAck: noAck, propagated: &propagated) { served += 1 }
        } else {
            guard let s = try readCollection(ctx, key, .stream), let last = s.lastLiveID,
                  let gt = after[k], last > gt, let start = gt.next else { continue }
            if !ctx.out.resp3 { ctx.out.array(2) }
            ctx.out.bulk(key)
            replyRange(ctx, s, from: start, to: .max, count: count)
            served += 1
        }
    }
    if served > 0 {
        ctx.out.endDeferred(mark, kind: ctx.out.resp3 ? UInt8(ascii: "%") : UInt8(ascii: "*"), count: served)
        return
    }
    guard timeout >= 0 else {
        ctx.out.nullArray()
        return
    }
    let keys = (0..<n).map { a.bytes(streamsAt + $0) }
    var rewritten: OwnedArgs? = nil
    if !symbolic.isEmpty {
        var parts = (0..<a.count).map { a.bytes($0) }
        for k in symbolic { parts[streamsAt + n + k] = after[k]!.bytes }
        rewritten = OwnedArgs(parts)
    }
    ctx.engine.block(ctx, keys: keys, timeoutMs: timeout, valueType: "stream", args: rewritten, unblockOnNoKey: isGroup)
}
