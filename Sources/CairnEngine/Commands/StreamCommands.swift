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
    /// A stream stays when its last entry goes (unlike other collections): its IDs and groups live on.
    static var stream: CollectionKind<StreamValue> {
        CollectionKind<StreamValue>(extract: { if case .stream(let s) = $0 { return s } else { return nil } },
                                    wrap: { .stream($0) }, isEmpty: { _ in false })
    }
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
private func parseID(_ a: Args, _ i: Int, missingSeq: UInt64 = 0) throws(CommandError) -> StreamID {
    guard let (id, _) = StreamID.parse(a[i], missingSeq: missingSeq) else { throw .invalidStreamID }
    return id
}

/// A range bound (streamParseIntervalIDOrReply): "-", "+", a partial ID, or "(" for an exclusive bound, which
/// is moved to the next (start) or previous (end) ID.
private func parseRangeBound(_ a: Args, _ i: Int, isStart: Bool) throws(CommandError) -> StreamID {
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
private func int64Argument(_ a: Args, _ i: Int, _ message: String) throws(CommandError) -> Int64 {
    guard let v = NumberParsing.int64(a[i]) else { throw CommandError("ERR \(message)") }
    return v
}

/// One entry as Redis replies it: [id, [field, value, ...]].
private func writeEntry(_ out: inout ReplyWriter, _ id: StreamID, _ entry: StreamEntry) {
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
private func replyRange(_ ctx: CommandContext, _ s: StreamValue, from start: StreamID, to end: StreamID,
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
private func replyEntry(_ ctx: CommandContext, _ s: StreamValue, _ id: StreamID) -> Bool {
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
private func editStream<R>(_ ctx: CommandContext, _ key: UnsafeRawBufferPointer, create: Bool = false,
                           _ body: (inout StreamValue) throws(CommandError) -> (result: R, changed: Bool)) throws(CommandError) -> R? {
    _ = ctx.db.lookupWrite(key)
    let outcome = try ctx.db.keys.withEntry(key) { (e: inout Entry?) throws(CommandError) -> (R, Bool)? in
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
        if e == nil { e = Entry(key: Bytes(key), value: .stream(s)) } else { e!.value = .stream(s) }
        return r
    }
    guard let (r, changed) = outcome else { return nil }
    if changed { ctx.db.signalModified(key) }
    return r
}

// MARK: XADD / XTRIM

private struct TrimArgs {
    var maxLen: Int? = nil
    var minID: StreamID? = nil
    var approximate = false
    var limit = 0
    var hasStrategy: Bool { maxLen != nil || minID != nil }
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
    if limitGiven {
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
    let a = ctx.args
    let (trim, _, _, _, _) = try parseAddOrTrim(ctx, xadd: false)
    let removed = try editStream(ctx, a[1]) { s -> (Int, Bool) in
        let n = s.trim(maxLen: trim.maxLen, minID: trim.minID, approximate: trim.approximate, limit: trim.limit)
        return (n, n > 0)
    } ?? 0
    if removed > 0 {
        ctx.notify(.stream, "xtrim", a[1])
        ctx.engine.dirty += removed
    }
    ctx.out.integer(removed)
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
    let deleted = try editStream(ctx, a[1]) { s -> (Int, Bool) in
        var n = 0
        for id in ids where s.delete(id) { n += 1 }
        return (n, n > 0)
    } ?? 0
    if deleted > 0 {
        ctx.notify(.stream, "xdel", a[1])
        ctx.engine.dirty += deleted
    }
    ctx.out.integer(deleted)
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
    var dollar = false
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
            dollar = true
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
    for k in 0..<n {
        let key = a[streamsAt + k]
        if let groupName {
            if try readGroup(ctx, key: key, group: a.bytes(groupName), consumer: a.bytes(groupName + 1), after: after[k],
                             count: count, noAck: noAck) { served += 1 }
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
    if dollar {
        // "$" stands for the last ID at the time of the call; the re-run must not move it.
        var parts = (0..<a.count).map { a.bytes($0) }
        for k in 0..<n where a[streamsAt + n + k].count == 1 && a[streamsAt + n + k][0] == UInt8(ascii: "$") {
            parts[streamsAt + n + k] = after[k]!.bytes
        }
        rewritten = OwnedArgs(parts)
    }
    ctx.engine.block(ctx, keys: keys, timeoutMs: timeout, valueType: "stream", args: rewritten, unblockOnNoKey: isGroup)
}

/// XREADGROUP on one stream: new entries (`after` nil, for ">") or the consumer's own history. Writes
/// [key, entries] (a map entry in RESP3) and returns true when the stream was served.
private func readGroup(_ ctx: CommandContext, key: UnsafeRawBufferPointer, group: Bytes,
                       consumer: Bytes, after: StreamID?, count: Int, noAck: Bool) throws(CommandError) -> Bool {
    let now = ctx.engine.now
    let served = try editGroup(ctx, key, group: group, consumer: consumer) { s, g -> (Bool, Bool) in
        var start = StreamID.zero
        if let after {
            start = after.next ?? .max
        } else if let last = s.lastLiveID, last > g.lastID {
            start = g.lastID.next ?? .max
        } else {
            return (false, false)
        }
        if !ctx.out.resp3 { ctx.out.array(2) }
        ctx.out.bulk(key)
        let mark = ctx.out.beginDeferred()
        var emitted = 0
        if after != nil {
            // History: the consumer's pending entries from `start`, a deleted one as [id, nil].
            var ids: [StreamID] = []
            g.consumers[consumer]!.pending.forEach(from: start) { id, _ in
                ids.append(id)
                return count == 0 || ids.count < count
            }
            for id in ids {
                if replyEntry(ctx, s, id) {
                    g.pending.update(id) { nack in
                        nack.deliveryTime = now
                        nack.deliveryCount += 1
                    }
                } else {
                    ctx.out.array(2)
                    ctx.out.bulk(id)
                    ctx.out.nullArray()
                }
            }
            emitted = ids.count
        } else {
            var delivered: [StreamID] = []
            s.forEach(from: start) { id, entry in
                writeEntry(&ctx.out, id, entry)
                delivered.append(id)
                return count == 0 || delivered.count < count
            }
            for id in delivered {
                s.advance(&g, to: id)
                if !noAck { g.assign(id, to: consumer, now: now) }
            }
            if !noAck && !delivered.isEmpty { g.consumers[consumer]!.activeTime = now }
            emitted = delivered.count
        }
        ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: emitted)
        return (true, true)
    } ?? false
    if served { ctx.engine.dirty += 1 }
    return served
}

/// XREADGROUP, XCLAIM and XAUTOCLAIM: edits a group of the stream at `key` (which the caller checked exists)
/// for `consumer`, which is created if needed (with its event, as streamCreateConsumer) and marked seen. The
/// body gets the stream without the group, so both can be used at once.
private func editGroup<R>(_ ctx: CommandContext, _ key: UnsafeRawBufferPointer, group: Bytes, consumer: Bytes,
                          _ body: (StreamValue, inout StreamGroup) -> (result: R, changed: Bool)) throws(CommandError) -> R? {
    let now = ctx.engine.now
    var created = false
    let r = try editStream(ctx, key) { s -> (R, Bool) in
        var g = s.groups.removeValue(forKey: group)!
        created = g.addConsumer(consumer, seenTime: now)
        g.consumers[consumer]!.seenTime = now
        let (r, changed) = body(s, &g)
        s.groups[group] = g
        return (r, changed || created)
    }
    if created {
        ctx.engine.dirty += 1
        ctx.notify(.stream, "xgroup-createconsumer", key)
    }
    return r
}

// MARK: consumer groups

private func xgroupCreate(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    var mkstream = false
    var entriesRead = StreamGroup.invalidEntriesRead
    var i = 5
    while i < a.count {
        if a.isKeyword(i, "mkstream") {
            mkstream = true
            i += 1
        } else if a.isKeyword(i, "entriesread") && i + 1 < a.count {
            entriesRead = try entriesReadArgument(a, i + 1)
            i += 2
        } else {
            throw CommandError.subcommandSyntax(a)
        }
    }
    let existing = try readCollection(ctx, a[2], .stream, forWrite: true)
    if existing == nil && !mkstream { throw keyRequired }
    guard a.count <= 8 else { throw CommandError.subcommandSyntax(a) }
    var id = StreamID.zero
    let p = a[4]
    if p.count == 1 && p[0] == UInt8(ascii: "$") {
        id = existing?.lastID ?? .zero
    } else {
        id = try parseID(a, 4)
    }
    let name = a.bytes(3)
    if existing?.group(a[3]) != nil { throw CommandError("BUSYGROUP Consumer Group name already exists") }
    try announcedEdit(ctx, keyAt: 2, event: "xgroup-create") { s in ((), s.addGroup(name, StreamGroup(lastID: id, entriesRead: entriesRead))) }
    ctx.out.ok()
}

private let keyRequired = CommandError("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")

private func entriesReadArgument(_ a: Args, _ i: Int) throws(CommandError) -> Int64 {
    let v = try a.int64(i)
    if v < 0 && v != StreamGroup.invalidEntriesRead { throw CommandError("ERR value for ENTRIESREAD must be positive or -1") }
    return v
}

/// The stream and group an XGROUP subcommand (other than CREATE) works on, with Redis's errors.
private func existingGroup(_ ctx: CommandContext) throws(CommandError) -> StreamValue {
    let a = ctx.args
    guard let s = try readCollection(ctx, a[2], .stream, forWrite: true) else { throw keyRequired }
    if s.group(a[3]) == nil && !ctx.command.name.elementsEqual("destroy") { throw CommandError.noSuchGroup(a[3], key: a[2]) }
    return s
}

private func xgroupSetID(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    var entriesRead = StreamGroup.invalidEntriesRead
    var i = 5
    while i < a.count {
        guard a.isKeyword(i, "entriesread") && i + 1 < a.count else { throw CommandError.subcommandSyntax(a) }
        entriesRead = try entriesReadArgument(a, i + 1)
        i += 2
    }
    let s = try existingGroup(ctx)
    guard a.count == 5 || a.count == 7 else { throw CommandError.subcommandSyntax(a) }
    let p = a[4]
    let id: StreamID
    if p.count == 1 && p[0] == UInt8(ascii: "$") {
        id = s.lastID
    } else {
        guard let (parsed, _) = StreamID.parse(p, strict: false) else { throw .invalidStreamID }
        id = parsed
    }
    let name = a.bytes(3)
    try announcedEdit(ctx, keyAt: 2, event: "xgroup-setid") { s in
        s.groups[name]!.lastID = id
        s.groups[name]!.entriesRead = entriesRead
        return ((), true)
    }
    ctx.out.ok()
}

/// A group or metadata change to the stream at args[keyAt] (created empty if missing, for XGROUP CREATE
/// MKSTREAM): when the body reports a change, it counts as one write and announces `event`.
@discardableResult
private func announcedEdit<R>(_ ctx: CommandContext, keyAt: Int, event: StaticString,
                              _ body: (inout StreamValue) -> (result: R, changed: Bool)) throws(CommandError) -> R {
    let key = ctx.args[keyAt]
    var changed = false
    let r = try editStream(ctx, key, create: true) { s -> (R, Bool) in
        let (r, c) = body(&s)
        changed = c
        return (r, c)
    }!
    if changed {
        ctx.engine.dirty += 1
        ctx.notify(.stream, event, key)
    }
    return r
}

private func xgroupDestroy(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    _ = try existingGroup(ctx)
    let removed = try announcedEdit(ctx, keyAt: 2, event: "xgroup-destroy") { s in
        let r = s.removeGroup(a[3])
        return (r, r)
    }
    ctx.out.integer(removed ? 1 : 0)
}

private func xgroupCreateConsumer(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    _ = try existingGroup(ctx)
    let now = ctx.engine.now
    let name = a.bytes(3)
    let created = try announcedEdit(ctx, keyAt: 2, event: "xgroup-createconsumer") { s in
        let ok = s.groups[name]!.addConsumer(a.bytes(4), seenTime: now)
        return (ok, ok)
    }
    ctx.out.integer(created ? 1 : 0)
}

private func xgroupDelConsumer(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    _ = try existingGroup(ctx)
    let name = a.bytes(3)
    let pending = try announcedEdit(ctx, keyAt: 2, event: "xgroup-delconsumer") { s -> (Int?, Bool) in
        let n = s.groups[name]!.removeConsumer(a.bytes(4))
        return (n, n != nil)
    }
    ctx.out.integer(pending ?? 0)
}

private func xsetidCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let id = try parseID(a, 2)
    var entriesAdded: Int64? = nil
    var maxDeleted: StreamID? = nil
    var i = 3
    while i < a.count {
        let more = a.count - 1 - i
        if a.isKeyword(i, "entriesadded") && more > 0 {
            let v = try a.int64(i + 1)
            if v < 0 { throw CommandError("ERR entries_added must be positive") }
            entriesAdded = v
        } else if a.isKeyword(i, "maxdeletedid") && more > 0 {
            let m = try parseID(a, i + 1)
            if id < m { throw CommandError("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id") }
            maxDeleted = m
        } else {
            throw CommandError.syntax
        }
        i += 2
    }
    guard let s = try readCollection(ctx, a[1], .stream, forWrite: true) else { throw CommandError.noSuchKey }
    if id < s.maxDeletedID { throw CommandError("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id") }
    if let last = s.lastLiveID {
        if id < last { throw CommandError("ERR The ID specified in XSETID is smaller than the target stream top item") }
        if let entriesAdded, Int64(s.count) > entriesAdded {
            throw CommandError("ERR The entries_added specified in XSETID is smaller than the target stream length")
        }
    }
    try announcedEdit(ctx, keyAt: 1, event: "xsetid") { s in
        s.setMetadata(lastID: id, entriesAdded: entriesAdded, maxDeletedID: maxDeleted.flatMap { $0.isZero ? nil : $0 })
        return ((), true)
    }
    ctx.out.ok()
}

private func xackCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard let s = try readCollection(ctx, a[1], .stream), s.group(a[2]) != nil else {
        ctx.out.integer(0)
        return
    }
    var ids: [StreamID] = []
    for i in 3..<a.count { ids.append(try parseID(a, i)) }
    let name = a.bytes(2)
    let acked = try editStream(ctx, a[1]) { s -> (Int, Bool) in
        var n = 0
        for id in ids where s.groups[name]!.acknowledge(id) { n += 1 }
        return (n, n > 0)
    } ?? 0
    ctx.engine.dirty += acked
    ctx.out.integer(acked)
}

private func xpendingCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let summary = a.count == 3
    guard summary || (a.count >= 6 && a.count <= 9) else { throw CommandError.syntax }
    var start = StreamID.zero
    var end = StreamID.max
    var count = 0
    var minIdle: Int64 = 0
    var consumer: Bytes? = nil
    if !summary {
        var at = 3
        if a.isKeyword(3, "idle") {
            minIdle = try a.int64(4)
            guard a.count >= 8 else { throw CommandError.syntax }
            at = 5
        }
        count = Int(max(try a.int64(at + 2), 0))
        start = try parseRangeBound(a, at, isStart: true)
        end = try parseRangeBound(a, at + 1, isStart: false)
        if at + 3 < a.count { consumer = a.bytes(at + 3) }
    }
    guard let s = try readCollection(ctx, a[1], .stream), let g = s.group(a[2]) else {
        throw CommandError.noGroup(a[1], a[2])
    }
    if summary {
        ctx.out.array(4)
        ctx.out.integer(g.pending.count)
        guard let first = g.pending.first, let last = g.pending.last else {
            ctx.out.null()
            ctx.out.null()
            ctx.out.nullArray()
            return
        }
        ctx.out.bulk(first.id)
        ctx.out.bulk(last.id)
        let owners = g.sortedConsumers.filter { !$0.pending.isEmpty }
        ctx.out.array(owners.count)
        for c in owners {
            ctx.out.array(2)
            ctx.out.bulk(c.name)
            ctx.out.bulk(integer: Int64(c.pending.count))
        }
        return
    }
    let now = ctx.engine.now
    var ids: [StreamID] = []
    if let consumer {
        guard let c = g.consumers[consumer] else {
            ctx.out.array(0)
            return
        }
        c.pending.forEach(from: start) { id, _ in
            ids.append(id)
            return true
        }
    }
    let mark = ctx.out.beginDeferred()
    var n = 0
    let emit = { (id: StreamID, nack: PendingEntry) -> Bool in
        if id > end || n >= count { return false }
        if minIdle != 0 && now - nack.deliveryTime < minIdle { return true }
        n += 1
        ctx.out.array(4)
        ctx.out.bulk(id)
        ctx.out.bulk(nack.consumer)
        ctx.out.integer(Int(max(now - nack.deliveryTime, 0)))
        ctx.out.integer(Int(truncatingIfNeeded: nack.deliveryCount))
        return true
    }
    if consumer != nil {
        for id in ids { if let nack = g.pending.find(id), !emit(id, nack) { break } }
    } else if count > 0 {
        g.pending.forEach(from: start, emit)
    }
    ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: n)
}

// MARK: XCLAIM / XAUTOCLAIM

private func xclaimCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard let s0 = try readCollection(ctx, a[1], .stream), s0.group(a[2]) != nil else {
        throw CommandError.noGroup(a[1], a[2])
    }
    let minIdle = max(try int64Argument(a, 4, "Invalid min-idle-time argument for XCLAIM"), 0)
    var ids: [StreamID] = []
    var j = 5
    while j < a.count, let (id, _) = StreamID.parse(a[j]) {
        ids.append(id)
        j += 1
    }
    let now = ctx.engine.now
    var force = false
    var justID = false
    var deliveryTime: Int64 = -1
    var retryCount: Int64 = -1
    var lastID = StreamID.zero
    while j < a.count {
        let more = a.count - 1 - j
        if a.isKeyword(j, "force") {
            force = true
        } else if a.isKeyword(j, "justid") {
            justID = true
        } else if a.isKeyword(j, "idle") && more > 0 {
            j += 1
            deliveryTime = now &- (try int64Argument(a, j, "Invalid IDLE option argument for XCLAIM"))
        } else if a.isKeyword(j, "time") && more > 0 {
            j += 1
            deliveryTime = try int64Argument(a, j, "Invalid TIME option argument for XCLAIM")
        } else if a.isKeyword(j, "retrycount") && more > 0 {
            j += 1
            retryCount = try int64Argument(a, j, "Invalid RETRYCOUNT option argument for XCLAIM")
        } else if a.isKeyword(j, "lastid") && more > 0 {
            j += 1
            lastID = try parseID(a, j)
        } else {
            throw CommandError("ERR Unrecognized XCLAIM option '\(cString(a[j]))'")
        }
        j += 1
    }
    if deliveryTime == -1 || deliveryTime < 0 || deliveryTime > now { deliveryTime = now }
    let name = a.bytes(3)
    var changes = 0
    _ = try editGroup(ctx, a[1], group: a.bytes(2), consumer: name) { s, g -> (Void, Bool) in
        if lastID > g.lastID {
            g.lastID = lastID
            changes += 1
        }
        let mark = ctx.out.beginDeferred()
        var n = 0
        for id in ids {
            let nack = g.pending.find(id)
            if !s.contains(id) {
                // An entry deleted from the stream leaves the PEL when someone tries to claim it.
                if nack != nil {
                    _ = g.acknowledge(id)
                    changes += 1
                }
                continue
            }
            let current: PendingEntry
            if let nack {
                if minIdle > 0 && now - nack.deliveryTime < minIdle { continue }
                current = nack
            } else if force {
                current = PendingEntry(deliveryTime: now, deliveryCount: 1, consumer: name)
            } else {
                continue
            }
            var count = current.deliveryCount
            if retryCount >= 0 {
                count = UInt64(truncatingIfNeeded: retryCount)
            } else if !justID {
                count += 1
            }
            g.claim(id, current, by: name, deliveryTime: deliveryTime, deliveryCount: count, now: now)
            if justID { ctx.out.bulk(id) } else { _ = replyEntry(ctx, s, id) }
            n += 1
            changes += 1
        }
        ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: n)
        return ((), true)
    }
    ctx.engine.dirty += changes
}

private func xautoclaimCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let minIdle = max(try int64Argument(a, 4, "Invalid min-idle-time argument for XAUTOCLAIM"), 0)
    let start = try parseRangeBound(a, 5, isStart: true)
    var count = 100
    var justID = false
    var j = 6
    while j < a.count {
        let more = a.count - 1 - j
        if a.isKeyword(j, "count") && more > 0 {
            guard let v = NumberParsing.int64(a[j + 1]), v >= 1, v <= Int64.max / 16 else {
                throw CommandError("ERR COUNT must be > 0")
            }
            count = Int(v)
            j += 1
        } else if a.isKeyword(j, "justid") {
            justID = true
        } else {
            throw CommandError.syntax
        }
        j += 1
    }
    guard let s0 = try readCollection(ctx, a[1], .stream), s0.group(a[2]) != nil else {
        throw CommandError.noGroup(a[1], a[2])
    }
    let now = ctx.engine.now
    let name = a.bytes(3)
    var changes = 0
    _ = try editGroup(ctx, a[1], group: a.bytes(2), consumer: name) { s, g -> (Void, Bool) in
        // Collect the candidates first: the PEL changes while they are claimed.
        var attempts = count * 10
        var left = count
        var candidates: [(StreamID, PendingEntry)] = []
        var next = StreamID.zero
        g.pending.forEach(from: start) { id, nack in
            if attempts == 0 || left == 0 {
                next = id
                return false
            }
            attempts -= 1
            if !s.contains(id) || minIdle == 0 || now - nack.deliveryTime >= minIdle {
                candidates.append((id, nack))
                left -= 1
            }
            return true
        }
        ctx.out.array(3)
        ctx.out.bulk(next)
        var deleted: [StreamID] = []
        let mark = ctx.out.beginDeferred()
        var n = 0
        for (id, nack) in candidates {
            changes += 1
            if !s.contains(id) {
                _ = g.acknowledge(id)
                deleted.append(id)
                continue
            }
            g.claim(id, nack, by: name, deliveryTime: now, deliveryCount: nack.deliveryCount + (justID ? 0 : 1), now: now)
            if justID { ctx.out.bulk(id) } else { _ = replyEntry(ctx, s, id) }
            n += 1
        }
        ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: n)
        ctx.out.array(deleted.count)
        for id in deleted { ctx.out.bulk(id) }
        return ((), true)
    }
    ctx.engine.dirty += changes
}

// MARK: XINFO

private func xinfoStream(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    var full = false
    var count = 10
    let options = a.count - 3
    if options > 0 {
        guard options == 1 || options == 3, a.isKeyword(3, "full") else { throw CommandError.subcommandSyntax(a) }
        full = true
        if options == 3 {
            guard a.isKeyword(4, "count") else { throw CommandError.subcommandSyntax(a) }
            let v = try a.int64(5)
            count = v < 0 ? 10 : Int(v)
        }
    }
    guard let s = try readCollection(ctx, a[2], .stream) else { throw CommandError.noSuchKey }
    ctx.out.map(full ? 9 : 10)
    ctx.out.bulk("length")
    ctx.out.integer(s.count)
    ctx.out.bulk("radix-tree-keys")
    ctx.out.integer(s.nodes.count)
    // Redis counts the rax's inner nodes; a node per key plus the root is the shape of a sparse rax.
    ctx.out.bulk("radix-tree-nodes")
    ctx.out.integer(s.nodes.count + 1)
    ctx.out.bulk("last-generated-id")
    ctx.out.bulk(s.lastID)
    ctx.out.bulk("max-deleted-entry-id")
    ctx.out.bulk(s.maxDeletedID)
    ctx.out.bulk("entries-added")
    ctx.out.integer(Int(s.entriesAdded))
    ctx.out.bulk("recorded-first-entry-id")
    ctx.out.bulk(s.firstID)
    if !full {
        ctx.out.bulk("groups")
        ctx.out.integer(s.groups.count)
        ctx.out.bulk("first-entry")
        var emitted = false
        s.forEach { id, entry in
            writeEntry(&ctx.out, id, entry)
            emitted = true
            return false
        }
        if !emitted { ctx.out.null() }
        ctx.out.bulk("last-entry")
        emitted = false
        s.forEach(reverse: true) { id, entry in
            writeEntry(&ctx.out, id, entry)
            emitted = true
            return false
        }
        if !emitted { ctx.out.null() }
        return
    }
    ctx.out.bulk("entries")
    replyRange(ctx, s, from: .zero, to: .max, count: count)
    ctx.out.bulk("groups")
    let groups = s.sortedGroups
    ctx.out.array(groups.count)
    for (name, g) in groups {
        ctx.out.map(7)
        ctx.out.bulk("name")
        ctx.out.bulk(name)
        ctx.out.bulk("last-delivered-id")
        ctx.out.bulk(g.lastID)
        replyReadCounters(ctx, s, g)
        ctx.out.bulk("pel-count")
        ctx.out.integer(g.pending.count)
        ctx.out.bulk("pending")
        var mark = ctx.out.beginDeferred()
        var n = 0
        g.pending.forEach { id, nack in
            if count != 0 && n >= count { return false }
            ctx.out.array(4)
            ctx.out.bulk(id)
            ctx.out.bulk(nack.consumer)
            ctx.out.integer(Int(nack.deliveryTime))
            ctx.out.integer(Int(truncatingIfNeeded: nack.deliveryCount))
            n += 1
            return true
        }
        ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: n)
        ctx.out.bulk("consumers")
        let consumers = g.sortedConsumers
        ctx.out.array(consumers.count)
        for c in consumers {
            ctx.out.map(5)
            ctx.out.bulk("name")
            ctx.out.bulk(c.name)
            ctx.out.bulk("seen-time")
            ctx.out.integer(Int(c.seenTime))
            ctx.out.bulk("active-time")
            ctx.out.integer(Int(c.activeTime))
            ctx.out.bulk("pel-count")
            ctx.out.integer(c.pending.count)
            ctx.out.bulk("pending")
            mark = ctx.out.beginDeferred()
            n = 0
            c.pending.forEach { id, _ in
                if count != 0 && n >= count { return false }
                let nack = g.pending.find(id)
                ctx.out.array(3)
                ctx.out.bulk(id)
                ctx.out.integer(Int(nack?.deliveryTime ?? 0))
                ctx.out.integer(Int(truncatingIfNeeded: nack?.deliveryCount ?? 0))
                n += 1
                return true
            }
            ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: n)
        }
    }
}

/// A group's "entries-read" and "lag" fields.
private func replyReadCounters(_ ctx: CommandContext, _ s: StreamValue, _ g: StreamGroup) {
    ctx.out.bulk("entries-read")
    if g.entriesRead != StreamGroup.invalidEntriesRead { ctx.out.integer(Int(g.entriesRead)) } else { ctx.out.null() }
    ctx.out.bulk("lag")
    if let lag = s.lag(of: g) { ctx.out.integer(Int(lag)) } else { ctx.out.null() }
}

private func xinfoGroups(_ ctx: CommandContext) throws(CommandError) {
    guard let s = try readCollection(ctx, ctx.args[2], .stream) else { throw CommandError.noSuchKey }
    let groups = s.sortedGroups
    ctx.out.array(groups.count)
    for (name, g) in groups {
        ctx.out.map(6)
        ctx.out.bulk("name")
        ctx.out.bulk(name)
        ctx.out.bulk("consumers")
        ctx.out.integer(g.consumers.count)
        ctx.out.bulk("pending")
        ctx.out.integer(g.pending.count)
        ctx.out.bulk("last-delivered-id")
        ctx.out.bulk(g.lastID)
        replyReadCounters(ctx, s, g)
    }
}

private func xinfoConsumers(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard let s = try readCollection(ctx, a[2], .stream) else { throw CommandError.noSuchKey }
    guard let g = s.group(a[3]) else { throw CommandError.noSuchGroup(a[3], key: a[2]) }
    let now = ctx.engine.now
    let consumers = g.sortedConsumers
    ctx.out.array(consumers.count)
    for c in consumers {
        ctx.out.map(4)
        ctx.out.bulk("name")
        ctx.out.bulk(c.name)
        ctx.out.bulk("pending")
        ctx.out.integer(c.pending.count)
        ctx.out.bulk("idle")
        ctx.out.integer(Int(max(now - c.seenTime, 0)))
        ctx.out.bulk("inactive")
        ctx.out.integer(Int(c.activeTime != -1 ? now - c.activeTime : -1))
    }
}
