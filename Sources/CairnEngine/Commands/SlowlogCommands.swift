import RESP

extension Engine {
    func registerSlowlogCommands() {
        let slowlog = registerContainer("slowlog", group: "server")
        let flags: CommandFlags = [.admin, .loading, .stale]
        let cats = ["@admin", "@slow", "@dangerous"]
        register("get", arity: -2, flags: flags, categories: cats, group: "server", parent: slowlog) { ctx throws(CommandError) in
            let a = ctx.args
            guard a.count <= 3 else {
                throw CommandError("ERR unknown subcommand or wrong number of arguments for '\(a.text(1).prefix(128))'. Try \(a.text(0).uppercased()) HELP.")
            }
            let records = ctx.engine.slowlog.records
            var count = 10
            if a.count == 3 {
                // Redis answers a non-number and a number below -1 with the same message.
                guard let n = NumberParsing.int64(a[2]), n >= -1 else {
                    throw CommandError("ERR count should be greater than or equal to -1")
                }
                count = n == -1 ? records.count : Int(clamping: n)
            }
            let sent = records.prefix(count)
            ctx.out.array(sent.count)
            for r in sent {
                ctx.out.array(6)
                ctx.out.integer(r.id)
                ctx.out.integer(Int(r.time))
                ctx.out.integer(r.micros)
                ctx.out.array(r.args.count)
                for arg in r.args { ctx.out.bulk(arg) }
                ctx.out.bulk(r.address)
                ctx.out.bulk(r.clientName)
            }
        }
        register("len", arity: 2, flags: flags, categories: cats, group: "server", parent: slowlog) { ctx throws(CommandError) in
            ctx.out.integer(ctx.engine.slowlog.records.count)
        }
        register("reset", arity: 2, flags: flags, categories: cats, group: "server", parent: slowlog) { ctx throws(CommandError) in
            ctx.engine.slowlog.reset()
            ctx.out.ok()
        }
        register("help", arity: 2, flags: [.loading, .stale], group: "server", parent: slowlog) { ctx throws(CommandError) in
            replyHelp(ctx, [
                "GET [<count>]",
                "    Return the newest <count> entries (10 by default, -1 for all). Each entry holds the id,",
                "    Unix time, duration in microseconds, arguments, client address and client name.",
                "LEN",
                "    Return the number of entries.",
                "RESET",
                "    Remove every entry.",
            ])
        }
    }
}
