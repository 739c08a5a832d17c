import RESP

extension Engine {
    func registerBlockingListCommands() {
        let flags: CommandFlags = [.write, .blocking]
        let cats = ["@write", "@list", "@slow", "@blocking"]
        register("blpop", arity: -3, flags: flags, keys: KeyPositions(first: 1, last: -2, step: 1), categories: cats, group: "list") { ctx throws(CommandError) in
            try blockingPop(ctx, atHead: true)
        }
        register("brpop", arity: -3, flags: flags, keys: KeyPositions(first: 1, last: -2, step: 1), categories: cats, group: "list") { ctx throws(CommandError) in
            try blockingPop(ctx, atHead: false)
        }
        register("blmove", arity: 6, flags: flags.union(.denyOOM), keys: KeyPositions(first: 1, last: 2, step: 1), categories: cats, group: "list") { ctx throws(CommandError) in
            let fromHead = try listSide(ctx.args, 3)
            let toHead = try listSide(ctx.args, 4)
            try blockingMove(ctx, fromHead: fromHead, toHead: toHead, timeoutAt: 5)
        }
        register("brpoplpush", arity: 4, flags: flags.union(.denyOOM), keys: KeyPositions(first: 1, last: 2, step: 1), categories: cats, group: "list") { ctx throws(CommandError) in
            try blockingMove(ctx, fromHead: false, toHead: true, timeoutAt: 3)
        }
        register("blmpop", arity: -5, flags: flags, categories: cats, group: "list") { ctx throws(CommandError) in
            let timeout = try blockingTimeout(ctx.args, 1)
            if try listMultiPop(ctx, numkeysAt: 2) { return }
            let numkeys = Int(NumberParsing.int64(ctx.args[2])!)
            ctx.engine.block(ctx, keys: (3..<(3 + numkeys)).map { ctx.args.bytes($0) }, timeoutMs: timeout, valueType: "list")
        }
    }
}

/// A blocking command's timeout argument in seconds (fractions allowed) as ms; 0 means wait for ever.
func blockingTimeout(_ a: Args, _ i: Int) throws(CommandError) -> Int64 {
    guard let v = NumberParsing.longDouble(a[i]) else { throw CommandError("ERR timeout is not a float or out of range") }
    guard v >= 0 else { throw CommandError("ERR timeout is negative") }
    let ms = v * 1000
    guard ms < Float80(Int64.max) else { throw CommandError("ERR timeout is out of range") }
    return Int64(ms.rounded(.up))
}

private func listSide(_ a: Args, _ i: Int) throws(CommandError) -> Bool {
    if a.isKeyword(i, "left") { return true }
    if a.isKeyword(i, "right") { return false }
    throw CommandError.syntax
}

/// BLPOP / BRPOP: the first non-empty list among the keys gives one element, replied as [key, element].
private func blockingPop(_ ctx: CommandContext, atHead: Bool) throws(CommandError) {
    let a = ctx.args
    let timeout = try blockingTimeout(a, a.count - 1)
    let fill = ctx.engine.settings.listMaxListpackSize
    for k in 1..<(a.count - 1) {
        guard let popped = try ctx.db.edit(a[k], .list, event: popEvent(atHead), { l in (popElements(&l, 1, atHead: atHead, fill: fill), true) }) else { continue }
        ctx.engine.dirty += 1
        ctx.propagate(as: [[Bytes(atHead ? "LPOP".utf8 : "RPOP".utf8), a.bytes(k)]])
        ctx.out.array(2)
        ctx.out.bulk(a[k])
        ctx.out.bulk(popped[0])
        return
    }
    ctx.engine.block(ctx, keys: (1..<(a.count - 1)).map { a.bytes($0) }, timeoutMs: timeout, valueType: "list")
}

/// BLMOVE / BRPOPLPUSH: LMOVE once the source has an element.
private func blockingMove(_ ctx: CommandContext, fromHead: Bool, toHead: Bool, timeoutAt: Int) throws(CommandError) {
    let timeout = try blockingTimeout(ctx.args, timeoutAt)
    if let source = ctx.db.lookupWrite(ctx.args[1]) {
        guard case .list = source else { throw CommandError.wrongType }
        try moveCommand(ctx, fromHead: fromHead, toHead: toHead)
        let a = ctx.args
        ctx.propagate(as: [timeoutAt == 3 ? [Bytes("RPOPLPUSH".utf8), a.bytes(1), a.bytes(2)]
                                          : [Bytes("LMOVE".utf8), a.bytes(1), a.bytes(2), a.bytes(3), a.bytes(4)]])
        return
    }
    // Inside MULTI the move answers at once, with a null bulk rather than BLPOP's null array.
    if ctx.client.inExec {
        ctx.out.null()
        return
    }
    ctx.engine.block(ctx, keys: [ctx.args.bytes(1)], timeoutMs: timeout, valueType: "list")
}
