import RESP

extension Engine {
    func registerKeyCommands() {
        register("del", arity: -2, flags: [.write], keys: .all(), categories: ["@keyspace", "@write", "@slow"], group: "generic") { ctx throws(CommandError) in
            var n = 0
            for i in 1..<ctx.args.count where ctx.db.delete(ctx.args[i]) { n += 1 }
            ctx.engine.dirty += n
            ctx.out.integer(n)
        }
        register("exists", arity: -2, flags: [.readonly, .fast], keys: .all(), categories: ["@keyspace", "@read", "@fast"], group: "generic") { ctx throws(CommandError) in
            var n = 0
            for i in 1..<ctx.args.count where ctx.db.lookupRead(ctx.args[i]) != nil { n += 1 }
            ctx.out.integer(n)
        }
    }
}
