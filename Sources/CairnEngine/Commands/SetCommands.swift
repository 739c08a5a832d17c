import RESP

extension Engine {
    func registerSetCommands() {
        let readFast: [String] = ["@read", "@set", "@fast"]
        let readSlow: [String] = ["@read", "@set", "@slow"]
        let writeFast: [String] = ["@write", "@set", "@fast"]
        let writeSlow: [String] = ["@write", "@set", "@slow"]
        register("sadd", arity: -3, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "set", handler: saddCommand)
        register("srem", arity: -3, flags: [.write, .fast], keys: .one, categories: writeFast, group: "set", handler: sremCommand)
        register("scard", arity: 2, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "set") { ctx throws(CommandError) in
            ctx.out.integer(try readCollection(ctx, ctx.args[1], .set)?.count ?? 0)
        }
        register("sismember", arity: 3, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "set") { ctx throws(CommandError) in
            let s = try readCollection(ctx, ctx.args[1], .set)
            ctx.out.integer(s?.contains(ctx.args.bytes(2)) == true ? 1 : 0)
        }
        register("smismember", arity: -3, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "set") { ctx throws(CommandError) in
            let s = try readCollection(ctx, ctx.args[1], .set)
            ctx.out.array(ctx.args.count - 2)
            for i in 2..<ctx.args.count { ctx.out.integer(s?.contains(ctx.args.bytes(i)) == true ? 1 : 0) }
        }
        register("smembers", arity: 2, flags: [.readonly], keys: .one, categories: readSlow, group: "set") { ctx throws(CommandError) in
            replySet(ctx, try readCollection(ctx, ctx.args[1], .set))
        }
        register("srandmember", arity: -2, flags: [.readonly], keys: .one, categories: readSlow, group: "set", handler: srandmemberCommand)
        register("spop", arity: -2, flags: [.write, .fast], keys: .one, categories: writeFast, group: "set", handler: spopCommand)
        register("smove", arity: 4, flags: [.write, .fast], keys: KeyPositions(first: 1, last: 2, step: 1), categories: writeFast, group: "set", handler: smoveCommand)
        register("sinter", arity: -2, flags: [.readonly], keys: .all(), categories: readSlow, group: "set") { ctx throws(CommandError) in
            try sinterGeneric(ctx, from: 1, count: ctx.args.count - 1, mode: .reply)
        }
        register("sinterstore", arity: -3, flags: [.write, .denyOOM], keys: .all(), categories: writeSlow, group: "set") { ctx throws(CommandError) in
            try sinterGeneric(ctx, from: 2, count: ctx.args.count - 2, mode: .store)
        }
        register("sintercard", arity: -3, flags: [.readonly], categories: readSlow, group: "set", handler: sintercardCommand)
        register("sunion", arity: -2, flags: [.readonly], keys: .all(), categories: readSlow, group: "set") { ctx throws(CommandError) in
            try sunionDiffGeneric(ctx, from: 1, store: false, diff: false)
        }
        register("sunionstore", arity: -3, flags: [.write, .denyOOM], keys: .all(), categories: writeSlow, group: "set") { ctx throws(CommandError) in
            try sunionDiffGeneric(ctx, from: 2, store: true, diff: false)
        }
        register("sdiff", arity: -2, flags: [.readonly], keys: .all(), categories: readSlow, group: "set") { ctx throws(CommandError) in
            try sunionDiffGeneric(ctx, from: 1, store: false, diff: true)
        }
        register("sdiffstore", arity: -3, flags: [.write, .denyOOM], keys: .all(), categories: writeSlow, group: "set") { ctx throws(CommandError) in
            try sunionDiffGeneric(ctx, from: 2, store: true, diff: true)
        }
        register("sscan", arity: -3, flags: [.readonly], keys: .one, categories: readSlow, group: "set", handler: sscanCommand)
    }
}

/// A whole set as a RESP3 set (RESP2 array); an empty one for a missing key.
private func replySet(_ ctx: CommandContext, _ s: SetValue?) {
    ctx.out.set(s?.count ?? 0)
    s?.forEach { ctx.out.bulk($0) }
}

private func saddCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let limits = SetLimits(ctx.engine.settings)
    let hint = a.count - 2
    let added = try ctx.db.edit(a[1], .set, event: KeyspaceEvent(.set, "sadd"), create: { SetValue(first: a.bytes(2), sizeHint: hint, limits: limits) }) { s -> (Int, Bool) in
        s.convertIfOutgrown(sizeHint: hint, limits: limits)
        var added = 0
        for i in 2..<a.count where s.add(a[i], limits: limits) { added += 1 }
        return (added, added > 0)
    } ?? 0
    ctx.engine.dirty += added
    ctx.out.integer(added)
}

private func sremCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    try removeMembersCommand(ctx, .set, event: KeyspaceEvent(.set, "srem")) { $0.remove(a.bytes($1)) }
}

private func smoveCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let db = ctx.db
    let member = a.bytes(3)
    guard let src = try readCollection(ctx, a[1], .set, forWrite: true) else { ctx.out.integer(0); return }
    _ = try readCollection(ctx, a[2], .set, forWrite: true)
    if bytesEqual(a[1], a[2]) {
        ctx.out.integer(src.contains(member) ? 1 : 0)
        return
    }
    let removed = try db.edit(a[1], .set, event: KeyspaceEvent(.set, "srem")) { s in
        let r = s.remove(member)
        return (r, r)
    } ?? false
    guard removed else { ctx.out.integer(0); return }
    ctx.engine.dirty += 1
    let limits = SetLimits(ctx.engine.settings)
    let added = try db.edit(a[2], .set, event: KeyspaceEvent(.set, "sadd"), create: { SetValue(first: member, sizeHint: 1, limits: limits) }) { s in
        let r = s.add(member, limits: limits)
        return (r, r)
    } ?? false
    if added { ctx.engine.dirty += 1 }
    ctx.out.integer(1)
}

private func srandmemberCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    if a.count > 3 { throw CommandError.syntax }
    if a.count == 2 {
        guard let s = try readCollection(ctx, a[1], .set) else { ctx.out.null(); return }
        ctx.out.bulk(s.randomMember())
        return
    }
    let n = try a.int64(2)
    guard n != .min else {
        throw CommandError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    }
    guard let s = try readCollection(ctx, a[1], .set), n != 0 else { ctx.out.array(0); return }
    if n < 0 {
        // A negative count may repeat members.
        ctx.out.array(Int(-n))
        for _ in 0..<Int(-n) { ctx.out.bulk(s.randomMember()) }
        return
    }
    let count = Int(n)
    if count >= s.count {
        ctx.out.array(s.count)
        s.forEach { ctx.out.bulk($0) }
        return
    }
    ctx.out.array(count)
    for m in distinctRandomMembers(s, count) { ctx.out.bulk(m) }
}

/// `count` different members chosen at random; `count` must be below the set's size.
private func distinctRandomMembers(_ s: SetValue, _ count: Int) -> [Bytes] {
    if count * 3 > s.count {
        // Close to the whole set: shuffling beats drawing until enough distinct members turned up.
        return Array(s.members.shuffled().prefix(count))
    }
    var picked = Set<Bytes>()
    var out: [Bytes] = []
    while out.count < count {
        let m = s.randomMember()
        if picked.insert(m).inserted { out.append(m) }
    }
    return out
}

private func spopCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    if a.count > 3 { throw CommandError.syntax }
    if a.count == 2 {
        let popped = try ctx.db.edit(a[1], .set, event: KeyspaceEvent(.set, "spop")) { s -> (Bytes, Bool) in
            let m = s.randomMember()
            s.remove(m)
            return (m, true)
        }
        guard let popped else { ctx.out.null(); return }
        ctx.engine.dirty += 1
        ctx.propagate(as: [[Bytes("SREM".utf8), a.bytes(1), popped]])
        ctx.out.bulk(popped)
        return
    }
    let count = try nonNegativeArgument(a, 2)
    guard let current = try readCollection(ctx, a[1], .set, forWrite: true) else { ctx.out.set(0); return }
    if count == 0 { ctx.out.set(0); return }
    let size = current.count
    ctx.engine.dirty += min(count, size)
    if count >= size {
        replySet(ctx, current)
        ctx.db.delete(a[1])
        ctx.notify(.set, "spop", a[1])
        ctx.notify(.generic, "del", a[1])
        ctx.propagate(as: [[Bytes("DEL".utf8), a.bytes(1)]])
        return
    }
    let limits = SetLimits(ctx.engine.settings)
    let popped = try ctx.db.edit(a[1], .set, event: KeyspaceEvent(.set, "spop")) { s -> ([Bytes], Bool) in
        let remaining = size - count
        if remaining * 5 > count {
            var out: [Bytes] = []
            for _ in 0..<count {
                let m = s.randomMember()
                s.remove(m)
                out.append(m)
            }
            return (out, true)
        }
        // Most of the set goes: as Redis, keep the few survivors in a new set and return what is left of the
        // old one. A hash table's survivors start a fresh compact set, the one place a set can shrink back.
        var kept = s.isIntset ? SetValue() : SetValue.emptyListpack
        for _ in 0..<remaining {
            let m = s.randomMember()
            s.remove(m)
            kept.add(m, limits: limits)
        }
        let out = s.members
        s = kept
        return (out, true)
    } ?? []
    // Replayed as SREMs of the members that went, at most 1024 a command, as Redis batches them.
    ctx.propagate(as: stride(from: 0, to: popped.count, by: 1024).map { i in
        [Bytes("SREM".utf8), a.bytes(1)] + popped[i..<min(i + 1024, popped.count)]
    })
    ctx.out.set(popped.count)
    for m in popped { ctx.out.bulk(m) }
}

/// The sets named by `count` arguments from `from`, looked up and type-checked in order; nil for missing keys.
private func operandSets(_ ctx: CommandContext, from: Int, count: Int) throws(CommandError) -> [SetValue?] {
    var sets: [SetValue?] = []
    for i in from..<(from + count) { sets.append(try readCollection(ctx, ctx.args[i], .set)) }
    return sets
}

private enum IntersectMode { case reply, store, cardinality(limit: Int) }

private func sinterGeneric(_ ctx: CommandContext, from: Int, count: Int, mode: IntersectMode) throws(CommandError) {
    let found = try operandSets(ctx, from: from, count: count)
    let present = found.compactMap { $0 }
    guard present.count == found.count else {
        switch mode {
        case .reply: ctx.out.set(0)
        case .store:
            ctx.db.storeResult(ctx.args[1], nil, event: KeyspaceEvent(.set, "sinterstore"))
            ctx.out.integer(0)
        case .cardinality: ctx.out.integer(0)
        }
        return
    }
    let sets = present.sorted { $0.count < $1.count }
    var result: [Bytes] = []
    sets[0].forEach { m in
        if case .cardinality(let limit) = mode, limit > 0, result.count >= limit { return }
        for other in sets.dropFirst() where !other.contains(m) { return }
        result.append(m)
    }
    switch mode {
    case .reply:
        ctx.out.set(result.count)
        for m in result { ctx.out.bulk(m) }
    case .cardinality:
        ctx.out.integer(result.count)
    case .store:
        let limits = SetLimits(ctx.engine.settings)
        var dst = SetValue.emptyListpack
        for m in result { dst.add(m, limits: limits) }
        if result.allSatisfy({ NumberParsing.int64($0) != nil }) { dst.convertToIntsetIfFits(limits: limits) }
        ctx.db.storeResult(ctx.args[1], dst.isEmpty ? nil : .set(dst), event: KeyspaceEvent(.set, "sinterstore"))
        ctx.out.integer(dst.count)
    }
}

private func sintercardCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard let numkeys = NumberParsing.int64(a[1]), numkeys >= 1 else {
        throw CommandError("ERR numkeys should be greater than 0")
    }
    guard numkeys <= a.count - 2 else { throw CommandError("ERR Number of keys can't be greater than number of args") }
    var limit = 0
    var j = 2 + Int(numkeys)
    while j < a.count {
        guard a.isKeyword(j, "limit"), j + 1 < a.count else { throw CommandError.syntax }
        limit = try nonNegativeArgument(a, j + 1, error: "ERR LIMIT can't be negative")
        j += 2
    }
    try sinterGeneric(ctx, from: 2, count: Int(numkeys), mode: .cardinality(limit: limit))
}

/// SUNION, SDIFF and their STORE forms. The result is built the way Redis builds it, starting from an empty
/// intset, because the stored result's encoding depends on the order members arrive in.
private func sunionDiffGeneric(_ ctx: CommandContext, from: Int, store: Bool, diff: Bool) throws(CommandError) {
    let a = ctx.args
    var sets = try operandSets(ctx, from: from, count: a.count - from)
    let limits = SetLimits(ctx.engine.settings)
    var dst = SetValue()
    if !diff {
        for s in sets { s?.forEach { dst.add($0, limits: limits) } }
    } else if let first = sets[0] {
        // The same key given again as a later operand empties the difference.
        let sameKey = (from + 1..<a.count).contains { bytesEqual(a[$0], a[from]) }
        if !sameKey {
            // Redis picks between testing each member of the first set against the others (cost about half
            // of |first| per set) and removing every other set's members from a copy (cost their sizes).
            var perMember = 0, removal = 0
            for s in sets { if let s { perMember += first.count; removal += s.count } }
            if perMember / 2 <= removal {
                let others = sets.dropFirst().compactMap { $0 }.sorted { $0.count > $1.count }
                first.forEach { m in
                    if !others.contains(where: { $0.contains(m) }) { dst.add(m, limits: limits) }
                }
            } else {
                first.forEach { dst.add($0, limits: limits) }
                sets.removeFirst()
                for s in sets {
                    guard let s, !dst.isEmpty else { continue }
                    s.forEach { dst.remove($0) }
                }
            }
        }
    }
    if store {
        ctx.db.storeResult(a[1], dst.isEmpty ? nil : .set(dst), event: KeyspaceEvent(.set, diff ? "sdiffstore" : "sunionstore"))
        ctx.out.integer(dst.count)
    } else {
        replySet(ctx, dst)
    }
}

private func sscanCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard let cursor = parseScanCursor(a[2]) else { throw CommandError("ERR invalid cursor") }
    guard let s = try readCollection(ctx, a[1], .set) else {
        ctx.out.array(2)
        ctx.out.bulk(Bytes("0"))
        ctx.out.array(0)
        return
    }
    let options = try ScanOptions(a, from: 3)
    var found: [Bytes] = []
    let next = s.scan(cursor: cursor, count: options.count) { m in
        if options.matches(m) { found.append(m) }
    }
    ctx.out.array(2)
    ctx.out.bulk(String(next))
    ctx.out.array(found.count)
    for m in found { ctx.out.bulk(m) }
}
