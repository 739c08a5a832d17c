import RESP

extension Engine {
    func registerBlockingSortedSetCommands() {
        let flags: CommandFlags = [.write, .fast, .blocking]
        let cats = ["@write", "@sortedset", "@fast", "@blocking"]
        for (name, max) in [("bzpopmin", false), ("bzpopmax", true)] {
            register(name, arity: -3, flags: flags, keys: KeyPositions(first: 1, last: -2, step: 1), categories: cats, group: "sorted_set") { ctx throws(CommandError) in
                let a = ctx.args
                let timeout = try blockingTimeout(a, a.count - 1)
                for k in 1..<(a.count - 1) {
                    guard let popped = try popMembers(ctx, a[k], max: max, count: 1), let e = popped.first else { continue }
                    ctx.engine.dirty += 1
                    ctx.propagate(as: [[Bytes(max ? "ZPOPMAX".utf8 : "ZPOPMIN".utf8), a.bytes(k)]])
                    ctx.out.array(3)
                    ctx.out.bulk(a[k])
                    ctx.out.bulk(e.member)
                    ctx.out.double(e.score)
                    return
                }
                ctx.engine.block(ctx, keys: (1..<(a.count - 1)).map { a.bytes($0) }, timeoutMs: timeout, valueType: "zset")
            }
        }
        register("bzmpop", arity: -5, flags: [.write, .blocking], categories: ["@write", "@sortedset", "@slow", "@blocking"], group: "sorted_set") { ctx throws(CommandError) in
            let timeout = try blockingTimeout(ctx.args, 1)
            if try zsetMultiPop(ctx, numkeysAt: 2) { return }
            let numkeys = Int(NumberParsing.int64(ctx.args[2])!)
            ctx.engine.block(ctx, keys: (3..<(3 + numkeys)).map { ctx.args.bytes($0) }, timeoutMs: timeout, valueType: "zset")
        }
    }
}
