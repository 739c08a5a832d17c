import RESP

extension Engine {
    func registerListCommands() {
        let readFast: [String] = ["@read", "@list", "@fast"]
        let readSlow: [String] = ["@read", "@list", "@slow"]
        let writeFast: [String] = ["@write", "@list", "@fast"]
        let writeSlow: [String] = ["@write", "@list", "@slow"]
        let twoKeys = KeyPositions(first: 1, last: 2, step: 1)
        for (name, atHead, onlyExisting) in [("lpush", true, false), ("rpush", false, false), ("lpushx", true, true), ("rpushx", false, true)] {
            register(name, arity: -3, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "list") { ctx throws(CommandError) in
                try pushCommand(ctx, atHead: atHead, onlyExisting: onlyExisting)
            }
        }
        for (name, atHead) in [("lpop", true), ("rpop", false)] {
            register(name, arity: -2, flags: [.write, .fast], keys: .one, categories: writeFast, group: "list") { ctx throws(CommandError) in
                try popCommand(ctx, atHead: atHead)
            }
        }
        register("llen", arity: 2, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "list") { ctx throws(CommandError) in
            ctx.out.integer(try readCollection(ctx, ctx.args[1], .list)?.count ?? 0)
        }
        register("lrange", arity: 4, flags: [.readonly], keys: .one, categories: readSlow, group: "list", handler: lrangeCommand)
        register("lindex", arity: 3, flags: [.readonly], keys: .one, categories: readSlow, group: "list", handler: lindexCommand)
        register("lset", arity: 4, flags: [.write, .denyOOM], keys: .one, categories: writeSlow, group: "list", handler: lsetCommand)
        register("linsert", arity: 5, flags: [.write, .denyOOM], keys: .one, categories: writeSlow, group: "list", handler: linsertCommand)
        register("lrem", arity: 4, flags: [.write], keys: .one, categories: writeSlow, group: "list", handler: lremCommand)
        register("ltrim", arity: 4, flags: [.write], keys: .one, categories: writeSlow, group: "list", handler: ltrimCommand)
        register("lpos", arity: -3, flags: [.readonly], keys: .one, categories: readSlow, group: "list", handler: lposCommand)
        register("lmove", arity: 5, flags: [.write, .denyOOM], keys: twoKeys, categories: writeSlow, group: "list") { ctx throws(CommandError) in
            try moveCommand(ctx, fromHead: listEnd(ctx.args, 3), toHead: listEnd(ctx.args, 4))
        }
        register("rpoplpush", arity: 3, flags: [.write, .denyOOM], keys: twoKeys, categories: writeSlow, group: "list") { ctx throws(CommandError) in
            try moveCommand(ctx, fromHead: false, toHead: true)
        }
        register("lmpop", arity: -4, flags: [.write], categories: writeSlow, group: "list", handler: lmpopCommand)
    }
}

extension CollectionKind {
    static var list: CollectionKind<ListValue> { CollectionKind<ListValue>() }
}

extension ListValue: StoredCollection {
    static func extract(_ v: Value) -> ListValue? { if case .list(let l) = v { return l } else { return nil } }
    static func wrap(_ c: consuming ListValue) -> Value { .list(c) }
    var deletesKey: Bool { isEmpty }
}

/// Redis's getRangeLongFromObjectOrReply: an integer within bounds. With `message`, that text answers both a
/// non-integer and an out-of-range value, as it does in Redis.
public func rangedArgument(_ a: Args, _ i: Int, _ bounds: ClosedRange<Int64>, message: String? = nil) throws(CommandError) -> Int64 {
    guard let v = NumberParsing.int64(a[i]) else { throw message.map(CommandError.init) ?? .notInteger }
    guard bounds.contains(v) else {
        throw CommandError(message ?? "ERR value is out of range, value must between \(bounds.lowerBound) and \(bounds.upperBound)")
    }
    return v
}

func popEvent(_ atHead: Bool) -> KeyspaceEvent { KeyspaceEvent(.list, atHead ? "lpop" : "rpop") }

/// LEFT or RIGHT (any case): true for LEFT.
private func listEnd(_ a: Args, _ i: Int) throws(CommandError) -> Bool {
    if a.isKeyword(i, "left") { return true }
    if a.isKeyword(i, "right") { return false }
    throw CommandError.syntax
}

/// Clamps a Redis start/end pair to the list; nil when the range is empty.
private func clampRange(_ start: Int64, _ end: Int64, count: Int) -> ClosedRange<Int>? {
    let n = Int64(count)
    var s = start < 0 ? n + start : start
    var e = end < 0 ? n + end : end
    if s < 0 { s = 0 }
    if s > e || s >= n { return nil }
    if e >= n { e = n - 1 }
    return Int(s)...Int(e)
}

private func pushCommand(_ ctx: CommandContext, atHead: Bool, onlyExisting: Bool) throws(CommandError) {
    let a = ctx.args
    let fill = ctx.engine.settings.listMaxListpackSize
    let event = KeyspaceEvent(.list, atHead ? "lpush" : "rpush")
    let length = try ctx.db.edit(a[1], .list, event: event, create: { onlyExisting ? nil : ListValue() }) { l in
        l.push(copying: (2..<a.count).lazy.map { a[$0] }, atHead: atHead, fill: fill)
        return (l.count, true)
    }
    guard let length else { ctx.out.integer(0); return }
    ctx.engine.dirty += a.count - 2
    ctx.out.integer(length)
}

/// Removes `n` elements from one end, in pop order, converting back to a listpack if the list shrank enough.
func popElements(_ l: inout ListValue, _ n: Int, atHead: Bool, fill: Int) -> [Bytes] {
    var popped: [Bytes] = []
    popped.reserveCapacity(n)
    for _ in 0..<n { popped.append(l.pop(atHead: atHead)!) }
    if !l.isEmpty { l.shrinkEncoding(fill: fill) }
    return popped
}

private func popCommand(_ ctx: CommandContext, atHead: Bool) throws(CommandError) {
    let a = ctx.args
    guard a.count <= 3 else { throw CommandError.wrongArity(ctx.name) }
    let count = a.count == 3 ? try nonNegativeArgument(a, 2) : nil
    let fill = ctx.engine.settings.listMaxListpackSize
    // The reply is written from the node as each element leaves it, so popping copies no element.
    let popped = try ctx.db.edit(a[1], .list, event: popEvent(atHead)) { l in
        let n = min(count ?? 1, l.count)
        if count != nil { ctx.out.array(n) }
        for _ in 0..<n { l.pop(atHead: atHead) { ctx.out.bulk($0) } }
        if !l.isEmpty { l.shrinkEncoding(fill: fill) }
        return (n, n > 0)
    }
    guard let popped else {
        if count == nil { ctx.out.null() } else { ctx.out.nullArray() }
        return
    }
    ctx.engine.dirty += popped
}

private func lrangeCommand(_ ctx: CommandContext) throws(CommandError) {
    let start = try ctx.args.int64(2)
    let end = try ctx.args.int64(3)
    guard let l = try readCollection(ctx, ctx.args[1], .list), let r = clampRange(start, end, count: l.count) else {
        ctx.out.array(0)
        return
    }
    ctx.out.array(r.count)
    l.forEach(from: r.lowerBound, through: r.upperBound) { ctx.out.bulk($0) }
}

/// A list index (negative counts from the tail) as a position, or nil when it is out of range.
private func position(_ index: Int64, count: Int) -> Int? {
    let i = index < 0 ? Int64(count) + index : index
    return i >= 0 && i < Int64(count) ? Int(i) : nil
}

private func lindexCommand(_ ctx: CommandContext) throws(CommandError) {
    guard let l = try readCollection(ctx, ctx.args[1], .list) else { ctx.out.null(); return }
    guard let i = position(try ctx.args.int64(2), count: l.count) else { ctx.out.null(); return }
    l.withElement(at: i) { ctx.out.bulk($0) }
}

private func lsetCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard try readCollection(ctx, a[1], .list, forWrite: true) != nil else { throw CommandError.noSuchKey }
    let index = try a.int64(2)
    let element = a.bytes(3)
    let fill = ctx.engine.settings.listMaxListpackSize
    // Redis converts for the new element's size before it looks for the index, so even a failed LSET may
    // leave a quicklist behind.
    let replaced = try ctx.db.edit(a[1], .list, event: KeyspaceEvent(.list, "lset")) { l in
        guard let i = position(index, count: l.count) else {
            l.prepareGrowth(adding: element.count, elements: 1, fill: fill)
            return (false, false)
        }
        l.replace(at: i, with: element, fill: fill)
        l.shrinkEncoding(fill: fill)
        return (true, true)
    }
    guard replaced == true else { throw CommandError.indexOutOfRange }
    ctx.engine.dirty += 1
    ctx.out.ok()
}

private func linsertCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let after: Bool
    if a.isKeyword(2, "after") { after = true } else if a.isKeyword(2, "before") { after = false } else { throw CommandError.syntax }
    let pivot = a[3]
    let element = a.bytes(4)
    let fill = ctx.engine.settings.listMaxListpackSize
    // As in Redis, the list converts for the new element whether or not the pivot is found.
    let length = try ctx.db.edit(a[1], .list, event: KeyspaceEvent(.list, "linsert")) { l -> (Int, Bool) in
        var found: Int? = nil
        var i = 0
        l.walk { e in
            if bytesEqual(e, pivot) { found = i }
            i += 1
            return found == nil
        }
        guard let found else {
            l.prepareGrowth(adding: element.count, elements: 1, fill: fill)
            return (-1, false)
        }
        l.insert(element, pivot: found, after: after, fill: fill)
        return (l.count, true)
    }
    guard let length else { ctx.out.integer(0); return }
    if length > 0 { ctx.engine.dirty += 1 }
    ctx.out.integer(length)
}

private func lremCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let limit = try a.int64(2)
    let element = a[3]
    let fill = ctx.engine.settings.listMaxListpackSize
    let removed = try ctx.db.edit(a[1], .list, event: KeyspaceEvent(.list, "lrem")) { l -> (Int, Bool) in
        var matches: [Int] = []
        // -2^63 has no positive Int; Redis removes every match for it, as for 0 but from the tail.
        let wanted = limit == 0 ? Int.max : Int(clamping: limit.magnitude)
        var i = limit < 0 ? l.count - 1 : 0
        l.walk(reversed: limit < 0) { e in
            if bytesEqual(e, element) { matches.append(i) }
            i += limit < 0 ? -1 : 1
            return matches.count < wanted
        }
        // Removing from the highest index down keeps the remaining positions valid.
        for j in matches.sorted(by: >) { l.remove(at: j) }
        if !matches.isEmpty && !l.isEmpty { l.shrinkEncoding(fill: fill) }
        return (matches.count, !matches.isEmpty)
    } ?? 0
    ctx.engine.dirty += removed
    ctx.out.integer(removed)
}

private func ltrimCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let start = try a.int64(2)
    let end = try a.int64(3)
    let fill = ctx.engine.settings.listMaxListpackSize
    let trimmed = try ctx.db.edit(a[1], .list, event: KeyspaceEvent(.list, "ltrim")) { l -> (Int, Bool) in
        let n = l.count
        let (head, tail) = clampRange(start, end, count: n).map { ($0.lowerBound, n - 1 - $0.upperBound) } ?? (n, 0)
        l.trim(head: head, tail: tail)
        if !l.isEmpty { l.shrinkEncoding(fill: fill) }
        return (head + tail, true)
    }
    ctx.engine.dirty += trimmed ?? 0
    ctx.out.ok()
}

private func lposCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    var rank: Int64 = 1
    var count: Int64 = -1
    var maxlen: Int64 = 0
    var i = 3
    while i < a.count {
        let hasValue = i + 1 < a.count
        if a.isKeyword(i, "rank") && hasValue {
            rank = try rangedArgument(a, i + 1, -Int64.max...Int64.max)
            if rank == 0 {
                throw CommandError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
            }
        } else if a.isKeyword(i, "count") && hasValue {
            count = Int64(try nonNegativeArgument(a, i + 1, error: "ERR COUNT can't be negative"))
        } else if a.isKeyword(i, "maxlen") && hasValue {
            maxlen = Int64(try nonNegativeArgument(a, i + 1, error: "ERR MAXLEN can't be negative"))
        } else {
            throw CommandError.syntax
        }
        i += 2
    }
    guard let l = try readCollection(ctx, a[1], .list) else {
        if count != -1 { ctx.out.array(0) } else { ctx.out.null() }
        return
    }
    let element = a[2]
    let fromTail = rank < 0
    let skip = rank.magnitude - 1
    var found: [Int] = []
    var matches: UInt64 = 0
    var scanned: Int64 = 0
    var index = fromTail ? l.count - 1 : 0
    let wanted = count == -1 ? 1 : (count == 0 ? Int.max : Int(count))
    l.walk(reversed: fromTail) { e in
        if maxlen != 0 && scanned >= maxlen { return false }
        if bytesEqual(e, element) {
            matches += 1
            if matches > skip {
                found.append(index)
                if found.count >= wanted { return false }
            }
        }
        scanned += 1
        index += fromTail ? -1 : 1
        return true
    }
    if count == -1 {
        if let first = found.first { ctx.out.integer(first) } else { ctx.out.null() }
    } else {
        ctx.out.array(found.count)
        for f in found { ctx.out.integer(f) }
    }
}

/// LMOVE and RPOPLPUSH: pops from the source's end and pushes onto the destination's, which may be the same list.
func moveCommand(_ ctx: CommandContext, fromHead: Bool, toHead: Bool) throws(CommandError) {
    let a = ctx.args
    let db = ctx.db
    let fill = ctx.engine.settings.listMaxListpackSize
    guard let source = try readCollection(ctx, a[1], .list, forWrite: true) else { ctx.out.null(); return }
    _ = try readCollection(ctx, a[2], .list, forWrite: true)
    let pushEvent = KeyspaceEvent(.list, toHead ? "lpush" : "rpush")
    let value: Bytes
    // Redis announces the push before the pop (and the source's deletion), so the destination is written first.
    if bytesEqual(a[1], a[2]) {
        value = try db.edit(a[1], .list, event: pushEvent) { l in
            let e = l.pop(atHead: fromHead)!
            l.push(CollectionOfOne(e), atHead: toHead, fill: fill)
            l.shrinkEncoding(fill: fill)
            return (e, true)
        }!
        ctx.notify(.list, fromHead ? "lpop" : "rpop", a[1])
    } else {
        let end = fromHead ? 0 : source.count - 1
        var moved: Bytes = []
        source.forEach(from: end, through: end) { moved = Bytes($0) }
        value = moved
        _ = try db.edit(a[2], .list, event: pushEvent, create: { ListValue() }) { l in
            l.push(CollectionOfOne(value), atHead: toHead, fill: fill)
            return ((), true)
        }
        _ = try db.edit(a[1], .list, event: popEvent(fromHead)) { l in (popElements(&l, 1, atHead: fromHead, fill: fill), true) }
    }
    ctx.engine.dirty += 1
    ctx.out.bulk(value)
}

private func lmpopCommand(_ ctx: CommandContext) throws(CommandError) {
    if try !listMultiPop(ctx, numkeysAt: 1) { ctx.out.nullArray() }
}

/// LMPOP and BLMPOP: numkeys at `at`, then the keys, LEFT|RIGHT and an optional COUNT. Pops from the first
/// non-empty list and replies; returns false, having replied nothing, when every list was empty.
func listMultiPop(_ ctx: CommandContext, numkeysAt at: Int) throws(CommandError) -> Bool {
    let a = ctx.args
    let numkeys = Int(try rangedArgument(a, at, 1...Int64.max, message: "ERR numkeys should be greater than 0"))
    guard numkeys < a.count - at - 1 else { throw CommandError.syntax }
    let whereIndex = at + 1 + numkeys
    let atHead = try listEnd(a, whereIndex)
    var count: Int? = nil
    var i = whereIndex + 1
    while i < a.count {
        guard count == nil, a.isKeyword(i, "count"), i + 1 < a.count else { throw CommandError.syntax }
        count = Int(try rangedArgument(a, i + 1, 1...Int64.max, message: "ERR count should be greater than 0"))
        i += 2
    }
    let fill = ctx.engine.settings.listMaxListpackSize
    for k in (at + 1)..<whereIndex {
        guard let popped = try ctx.db.edit(a[k], .list, event: popEvent(atHead), { l in
            (popElements(&l, min(count ?? 1, l.count), atHead: atHead, fill: fill), true)
        }) else { continue }
        ctx.engine.dirty += popped.count
        ctx.propagate(as: [[Bytes(atHead ? "LPOP".utf8 : "RPOP".utf8), a.bytes(k), IntegerFormat.bytes(Int64(popped.count))]])
        ctx.out.array(2)
        ctx.out.bulk(a[k])
        ctx.out.array(popped.count)
        for e in popped { ctx.out.bulk(e) }
        return true
    }
    return false
}
