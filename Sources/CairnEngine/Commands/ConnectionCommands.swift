import RESP

extension Engine {
    func registerConnectionCommands() {
        register("ping", arity: -1, flags: [.fast], categories: ["@fast", "@connection"], group: "connection") { ctx throws(CommandError) in
            if ctx.args.count > 2 { throw CommandError.wrongArity("ping") }
            if ctx.args.count == 2 { ctx.out.bulk(ctx.args[1]) } else { ctx.out.raw("+PONG\r\n") }
        }
        register("echo", arity: 2, flags: [.fast], categories: ["@fast", "@connection"], group: "connection") { ctx throws(CommandError) in
            ctx.out.bulk(ctx.args[1])
        }
        register("select", arity: 2, flags: [.loading, .stale, .fast], categories: ["@keyspace", "@fast"], group: "connection") { ctx throws(CommandError) in
            guard let idx = NumberParsing.int64(ctx.args[1]) else { throw CommandError.notInteger }
            guard ctx.engine.database(Int(idx)) != nil else { throw CommandError.dbIndexOutOfRange }
            ctx.client.db = Int(idx)
            ctx.out.ok()
        }
    }
}
