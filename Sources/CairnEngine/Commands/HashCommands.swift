import RESP

extension Engine {
    func registerHashCommands() {
        let readFast: [String] = ["@read", "@hash", "@fast"]
        let readSlow: [String] = ["@read", "@hash", "@slow"]
        let writeFast: [String] = ["@write", "@hash", "@fast"]
        register("hset", arity: -4, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "hash") { ctx throws(CommandError) in
            try hsetCommand(ctx, replyOK: false)
        }
        register("hmset", arity: -4, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "hash") { ctx throws(CommandError) in
            try hsetCommand(ctx, replyOK: true)
        }
        register("hsetnx", arity: 4, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "hash", handler: hsetnxCommand)
        register("hget", arity: 3, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "hash") { ctx throws(CommandError) in
            if let v = try readCollection(ctx, ctx.args[1], .hash)?.get(ctx.args[2]) { ctx.out.bulk(v) } else { ctx.out.null() }
        }
        register("hmget", arity: -3, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "hash") { ctx throws(CommandError) in
            let h = try readCollection(ctx, ctx.args[1], .hash)
            ctx.out.array(ctx.args.count - 2)
            for i in 2..<ctx.args.count {
                if let v = h?.get(ctx.args[i]) { ctx.out.bulk(v) } else { ctx.out.null() }
            }
        }
        register("hdel", arity: -3, flags: [.write, .fast], keys: .one, categories: writeFast, group: "hash", handler: hdelCommand)
        register("hlen", arity: 2, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "hash") { ctx throws(CommandError) in
            ctx.out.integer(try readCollection(ctx, ctx.args[1], .hash)?.count ?? 0)
        }
        register("hstrlen", arity: 3, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "hash") { ctx throws(CommandError) in
            ctx.out.integer(try readCollection(ctx, ctx.args[1], .hash)?.get(ctx.args[2])?.count ?? 0)
        }
        register("hexists", arity: 3, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "hash") { ctx throws(CommandError) in
            ctx.out.integer(try readCollection(ctx, ctx.args[1], .hash)?.get(ctx.args[2]) != nil ? 1 : 0)
        }
        register("hkeys", arity: 2, flags: [.readonly], keys: .one, categories: readSlow, group: "hash") { ctx throws(CommandError) in
            try hgetallCommand(ctx, fields: true, values: false)
        }
        register("hvals", arity: 2, flags: [.readonly], keys: .one, categories: readSlow, group: "hash") { ctx throws(CommandError) in
            try hgetallCommand(ctx, fields: false, values: true)
        }
        register("hgetall", arity: 2, flags: [.readonly], keys: .one, categories: readSlow, group: "hash") { ctx throws(CommandError) in
            try hgetallCommand(ctx, fields: true, values: true)
        }
        register("hincrby", arity: 4, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "hash", handler: hincrbyCommand)
        register("hincrbyfloat", arity: 4, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "hash", handler: hincrbyfloatCommand)
        register("hrandfield", arity: -2, flags: [.readonly], keys: .one, categories: readSlow, group: "hash", handler: hrandfieldCommand)
        register("hscan", arity: -3, flags: [.readonly], keys: .one, categories: readSlow, group: "hash", handler: hscanCommand)
    }
}

extension CollectionKind {
    static var hash: CollectionKind<HashValue> { CollectionKind<HashValue>() }
}

extension HashValue: StoredCollection {
    static func extract(_ v: Value) -> HashValue? { if case .hash(let h) = v { return h } else { return nil } }
    static func wrap(_ c: consuming HashValue) -> Value { .hash(c) }
    var deletesKey: Bool { isEmpty }
}

extension CommandError {
    static let hashNotInteger = CommandError("ERR hash value is not an integer")
    static let hashNotFloat = CommandError("ERR hash value is not a float")
}

/// Writes one field, converting by hash-max-listpack-entries and hash-max-listpack-value as Redis's hashTypeSet.
private func setField(_ ctx: CommandContext, _ h: inout HashValue, _ field: UnsafeRawBufferPointer, _ value: Bytes) -> Bool {
    h.set(field, value, maxEntries: ctx.engine.settings.hashMaxListpackEntries, maxValue: ctx.engine.settings.hashMaxListpackValue)
}

private func hsetCommand(_ ctx: CommandContext, replyOK: Bool) throws(CommandError) {
    let a = ctx.args
    guard a.count % 2 == 0 else { throw CommandError.wrongArity(ctx.name) }
    let pairs = (a.count - 2) / 2
    let created = try ctx.db.edit(a[1], .hash, event: KeyspaceEvent(.hash, "hset"), create: { HashValue() }) { h -> (Int, Bool) in
        // Redis sizes a table up front for more pairs than a listpack may hold, duplicates or not.
        if pairs > ctx.engine.settings.hashMaxListpackEntries { h.convert() }
        var n = 0
        for i in stride(from: 2, to: a.count, by: 2) where setField(ctx, &h, a[i], a.bytes(i + 1)) { n += 1 }
        return (n, true)
    }!
    ctx.engine.dirty += pairs
    if replyOK { ctx.out.ok() } else { ctx.out.integer(created) }
}

private func hsetnxCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let added = try ctx.db.edit(a[1], .hash, event: KeyspaceEvent(.hash, "hset"), create: { HashValue() }) { h -> (Bool, Bool) in
        if h.get(a[2]) != nil { return (false, false) }
        return (setField(ctx, &h, a[2], a.bytes(3)), true)
    }!
    if added { ctx.engine.dirty += 1 }
    ctx.out.integer(added ? 1 : 0)
}

private func hdelCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    try removeMembersCommand(ctx, .hash, event: KeyspaceEvent(.hash, "hdel")) { $0.remove(a[$1]) }
}

private func hgetallCommand(_ ctx: CommandContext, fields: Bool, values: Bool) throws(CommandError) {
    let h = try readCollection(ctx, ctx.args[1], .hash)
    let n = h?.count ?? 0
    if fields && values { ctx.out.map(n) } else { ctx.out.array(n) }
    h?.forEachBorrowed { f, v in
        if fields { ctx.out.bulk(f) }
        if values { ctx.out.bulk(v) }
    }
}

private func hincrbyCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let increment = try a.int64(3)
    let result = try ctx.db.mutate(a[1]) { (e: inout Entry?) throws(CommandError) -> Int64 in
        var h = HashValue()
        if let v = e?.value {
            guard case .hash(let existing) = v else { throw CommandError.wrongType }
            h = existing
        }
        var current: Int64 = 0
        if let old = h.get(a[2]) {
            guard let parsed = NumberParsing.int64(old) else { throw CommandError.hashNotInteger }
            current = parsed
        }
        let (sum, overflow) = current.addingReportingOverflow(increment)
        if overflow { throw CommandError.overflow }
        // Release the entry's reference so the hash is edited in place.
        e?.value = .int(0)
        _ = setField(ctx, &h, a[2], IntegerFormat.bytes(sum))
        if e == nil { e = Entry(key: a[1], value: .hash(h)) } else { e!.value = .hash(h) }
        return sum
    }
    ctx.engine.dirty += 1
    ctx.notify(.hash, "hincrby", a[1])
    ctx.out.integer(Int(result))
}

private func hincrbyfloatCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard let increment = NumberParsing.longDouble(a[3]) else { throw CommandError.notFloat }
    if increment.isNaN || increment.isInfinite { throw CommandError("ERR value is NaN or Infinity") }
    let text = try ctx.db.mutate(a[1]) { (e: inout Entry?) throws(CommandError) -> Bytes in
        var h = HashValue()
        if let v = e?.value {
            guard case .hash(let existing) = v else { throw CommandError.wrongType }
            h = existing
        }
        var current: Float80 = 0
        if let old = h.get(a[2]) {
            guard let parsed = old.withUnsafeBytes({ NumberParsing.longDouble($0) }) else { throw CommandError.hashNotFloat }
            current = parsed
        }
        guard let text = NumberFormatting.longDoubleHuman(current + increment) else {
            throw CommandError("ERR increment would produce NaN or Infinity")
        }
        e?.value = .int(0)
        _ = setField(ctx, &h, a[2], text)
        if e == nil { e = Entry(key: a[1], value: .hash(h)) } else { e!.value = .hash(h) }
        return text
    }
    ctx.engine.dirty += 1
    ctx.notify(.hash, "hincrbyfloat", a[1])
    ctx.propagate(as: [[Bytes("HSET".utf8), a.bytes(1), a.bytes(2), text]])
    ctx.out.bulk(text)
}

private func hrandfieldCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard a.count >= 3 else {
        guard let h = try readCollection(ctx, a[1], .hash) else { ctx.out.null(); return }
        ctx.out.bulk(h.randomPair().0)
        return
    }
    let l = try rangedArgument(a, 2, -Int64.max...Int64.max)
    guard a.count == 3 || (a.count == 4 && a.isKeyword(3, "withvalues")) else { throw CommandError.syntax }
    let withValues = a.count == 4
    if withValues && (l < -Int64.max / 2 || l > Int64.max / 2) { throw CommandError("ERR value is out of range") }
    guard let h = try readCollection(ctx, a[1], .hash), l != 0 else { ctx.out.array(0); return }
    let resp3 = ctx.out.resp3
    let emit = { (f: Bytes, v: Bytes) in
        if withValues && resp3 { ctx.out.array(2) }
        ctx.out.bulk(f)
        if withValues { ctx.out.bulk(v) }
    }
    // A negative count may repeat fields and returns exactly that many picks, in random order.
    let count = Int(l.magnitude)
    if l < 0 || count == 1 {
        ctx.out.array(withValues && !resp3 ? count * 2 : count)
        for _ in 0..<count {
            let (f, v) = h.randomPair()
            emit(f, v)
        }
        return
    }
    let n = min(count, h.count)
    ctx.out.array(withValues && !resp3 ? n * 2 : n)
    if count >= h.count {
        h.forEach(emit)
        return
    }
    // Selection sampling: each pair is kept with probability (still needed / still left), so exactly n distinct
    // pairs come out, in the hash's own order as Redis returns them from a listpack.
    var needed = n
    var left = h.count
    h.forEach { f, v in
        if needed > 0 && Int.random(in: 0..<left) < needed {
            emit(f, v)
            needed -= 1
        }
        left -= 1
    }
}

private func hscanCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard let cursor = parseScanCursor(a[2]) else { throw CommandError("ERR invalid cursor") }
    // A missing key answers before the options are read, as in Redis.
    guard let h = try readCollection(ctx, a[1], .hash) else {
        ctx.out.raw("*2\r\n$1\r\n0\r\n*0\r\n")
        return
    }
    let options = try ScanOptions(a, from: 3)
    var found: [(Bytes, Bytes)] = []
    var next: UInt64 = 0
    if let table = h.table {
        next = table.scan(cursor: cursor, count: options.count) { f, v in
            if options.matches(f) { found.append((f, v)) }
        }
    } else {
        // A listpack is small enough to return whole, with the final cursor.
        h.forEach { f, v in if options.matches(f) { found.append((f, v)) } }
    }
    ctx.out.array(2)
    ctx.out.bulk(String(next))
    ctx.out.array(found.count * 2)
    for (f, v) in found {
        ctx.out.bulk(f)
        ctx.out.bulk(v)
    }
}
