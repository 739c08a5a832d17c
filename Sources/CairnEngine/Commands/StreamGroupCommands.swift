import RESP

// Consumer groups: XREADGROUP's delivery, XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, and XSETID.

/// XREADGROUP on one stream: new entries (`after` nil, for ">") or the consumer's own history. Writes
/// [key, entries] (a map entry in RESP3) and returns true when the stream was served. `propagated` (nil when
/// nothing consumes the write stream) collects what replaces the command there, as Redis's streamReplyWithRange:
/// an XCLAIM per delivered entry, or with NOACK the consumer's creation and the group's new position.
func readGroup(_ ctx: CommandContext, key: UnsafeRawBufferPointer, group: Bytes, consumer: Bytes, after: StreamID?,
               count: Int, noAck: Bool, propagated: inout [[Bytes]]?) throws(CommandError) -> Bool {
    let now = ctx.engine.now
    let served = try editGroup(ctx, key, group: group, consumer: consumer) { s, g, created -> (Bool, Bool) in
        if created && noAck { propagated?.append(createConsumerCommand(key, group, consumer)) }
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
                if !noAck {
                    g.assign(id, to: consumer, now: now)
                    if propagated != nil { propagated!.append(claimCommand(key, group, id.bytes, g.pending.find(id)!, g.lastID)) }
                }
            }
            if noAck && !delivered.isEmpty { propagated?.append(setIDCommand(key, group, g)) }
            if !noAck && !delivered.isEmpty { g.consumers[consumer]!.activeTime = now }
            emitted = delivered.count
        }
        ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: emitted)
        return (true, true)
    } ?? false
    if served { ctx.engine.dirty += 1 }
    return served
}

/// streamPropagateXCLAIM: a delivery or claim in the idempotent form replicas and the AOF replay.
func claimCommand(_ key: UnsafeRawBufferPointer, _ group: Bytes, _ id: Bytes, _ nack: PendingEntry, _ lastID: StreamID) -> [Bytes] {
    [Bytes("XCLAIM".utf8), Bytes(key), group, nack.consumer, [UInt8(ascii: "0")], id, Bytes("TIME".utf8),
     IntegerFormat.bytes(nack.deliveryTime), Bytes("RETRYCOUNT".utf8), IntegerFormat.bytes(Int64(bitPattern: nack.deliveryCount)),
     Bytes("FORCE".utf8), Bytes("JUSTID".utf8), Bytes("LASTID".utf8), lastID.bytes]
}

/// streamPropagateGroupID: the group's position when no XCLAIM carries it.
func setIDCommand(_ key: UnsafeRawBufferPointer, _ group: Bytes, _ g: StreamGroup) -> [Bytes] {
    [Bytes("XGROUP".utf8), Bytes("SETID".utf8), Bytes(key), group, g.lastID.bytes, Bytes("ENTRIESREAD".utf8),
     IntegerFormat.bytes(g.entriesRead)]
}

func createConsumerCommand(_ key: UnsafeRawBufferPointer, _ group: Bytes, _ consumer: Bytes) -> [Bytes] {
    [Bytes("XGROUP".utf8), Bytes("CREATECONSUMER".utf8), Bytes(key), group, consumer]
}

/// XREADGROUP, XCLAIM and XAUTOCLAIM: edits a group of the stream at `key` (which the caller checked exists)
/// for `consumer`, which is created if needed (with its event, as streamCreateConsumer) and marked seen. The
/// body gets the stream without the group, so both can be used at once, and whether the consumer is new.
private func editGroup<R>(_ ctx: CommandContext, _ key: UnsafeRawBufferPointer, group: Bytes, consumer: Bytes,
                          _ body: (StreamValue, inout StreamGroup, Bool) -> (result: R, changed: Bool)) throws(CommandError) -> R? {
    let now = ctx.engine.now
    var created = false
    let r = try editStream(ctx, key) { s -> (R, Bool) in
        var g = s.groups.removeValue(forKey: group)!
        created = g.addConsumer(consumer, seenTime: now)
        g.consumers[consumer]!.seenTime = now
        let (r, changed) = body(s, &g, created)
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

func xgroupCreate(_ ctx: CommandContext) throws(CommandError) {
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

func xgroupSetID(_ ctx: CommandContext) throws(CommandError) {
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

func xgroupDestroy(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    _ = try existingGroup(ctx)
    let removed = try announcedEdit(ctx, keyAt: 2, event: "xgroup-destroy") { s in
        let r = s.removeGroup(a[3])
        return (r, r)
    }
    ctx.out.integer(removed ? 1 : 0)
}

func xgroupCreateConsumer(_ ctx: CommandContext) throws(CommandError) {
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

func xgroupDelConsumer(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    _ = try existingGroup(ctx)
    let name = a.bytes(3)
    let pending = try announcedEdit(ctx, keyAt: 2, event: "xgroup-delconsumer") { s -> (Int?, Bool) in
        let n = s.groups[name]!.removeConsumer(a.bytes(4))
        return (n, n != nil)
    }
    ctx.out.integer(pending ?? 0)
}

func xsetidCommand(_ ctx: CommandContext) throws(CommandError) {
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

func xackCommand(_ ctx: CommandContext) throws(CommandError) {
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

func xpendingCommand(_ ctx: CommandContext) throws(CommandError) {
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

func xclaimCommand(_ ctx: CommandContext) throws(CommandError) {
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
    let group = a.bytes(2)
    var changes = 0
    // As in Redis, only what changed propagates: an XCLAIM per claim (carrying the group's last ID) or
    // dropped NACK, else XGROUP SETID for a LASTID that moved the group.
    var propagated: [[Bytes]] = []
    let propagating = ctx.engine.propagation.enabled
    var lastIDMoved = false
    _ = try editGroup(ctx, a[1], group: group, consumer: name) { s, g, _ -> (Void, Bool) in
        if lastID > g.lastID {
            g.lastID = lastID
            lastIDMoved = true
        }
        let mark = ctx.out.beginDeferred()
        var n = 0
        for (k, id) in ids.enumerated() {
            let nack = g.pending.find(id)
            if !s.contains(id) {
                // An entry deleted from the stream leaves the PEL when someone tries to claim it.
                if let nack {
                    if propagating { propagated.append(claimCommand(a[1], group, a.bytes(5 + k), nack, g.lastID)) }
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
            if propagating { propagated.append(claimCommand(a[1], group, a.bytes(5 + k), g.pending.find(id)!, g.lastID)) }
            if justID { ctx.out.bulk(id) } else { _ = replyEntry(ctx, s, id) }
            n += 1
            changes += 1
        }
        if lastIDMoved && changes == 0 {
            if propagating { propagated.append(setIDCommand(a[1], group, g)) }
            changes += 1
        }
        ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: n)
        return ((), true)
    }
    ctx.engine.dirty += changes
    ctx.propagate(as: propagated)
}

func xautoclaimCommand(_ ctx: CommandContext) throws(CommandError) {
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
    let group = a.bytes(2)
    var changes = 0
    var propagated: [[Bytes]] = []
    let propagating = ctx.engine.propagation.enabled
    _ = try editGroup(ctx, a[1], group: group, consumer: name) { s, g, _ -> (Void, Bool) in
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
                if propagating { propagated.append(claimCommand(a[1], group, id.bytes, nack, g.lastID)) }
                _ = g.acknowledge(id)
                deleted.append(id)
                continue
            }
            g.claim(id, nack, by: name, deliveryTime: now, deliveryCount: nack.deliveryCount + (justID ? 0 : 1), now: now)
            if propagating { propagated.append(claimCommand(a[1], group, id.bytes, g.pending.find(id)!, g.lastID)) }
            if justID { ctx.out.bulk(id) } else { _ = replyEntry(ctx, s, id) }
            n += 1
        }
        ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: n)
        ctx.out.array(deleted.count)
        for id in deleted { ctx.out.bulk(id) }
        return ((), true)
    }
    ctx.engine.dirty += changes
    ctx.propagate(as: propagated)
}
