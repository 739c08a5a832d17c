import RESP

// MARK: XINFO

func xinfoStream(_ ctx: CommandContext) throws(CommandError) {
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

func xinfoGroups(_ ctx: CommandContext) throws(CommandError) {
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

func xinfoConsumers(_ ctx: CommandContext) throws(CommandError) {
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
