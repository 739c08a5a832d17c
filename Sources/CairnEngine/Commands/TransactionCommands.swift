import RESP

extension Engine {
    func registerTransactionCommands() {
        register("multi", arity: 1, flags: [.noscript, .loading, .stale, .fast, .noMulti, .allowBusy], categories: ["@fast", "@transaction"], group: "transactions") { ctx throws(CommandError) in
            ctx.client.inMulti = true
            ctx.out.ok()
        }
        register("discard", arity: 1, flags: [.noscript, .loading, .stale, .fast, .allowBusy], categories: ["@fast", "@transaction"], group: "transactions") { ctx throws(CommandError) in
            guard ctx.client.inMulti else { throw CommandError("ERR DISCARD without MULTI") }
            ctx.engine.endTransaction(ctx.client)
            ctx.out.ok()
        }
        register("exec", arity: 1, flags: [.noscript, .loading, .stale, .skipSlowlog], categories: ["@slow", "@transaction"], group: "transactions") { ctx throws(CommandError) in
            try ctx.engine.exec(ctx)
        }
        register("watch", arity: -2, flags: [.noscript, .loading, .stale, .fast, .noMulti, .allowBusy], keys: .all(), categories: ["@fast", "@transaction"], group: "transactions") { ctx throws(CommandError) in
            for i in 1..<ctx.args.count { ctx.engine.watch(ctx.client, ctx.args[i]) }
            ctx.out.ok()
        }
        register("unwatch", arity: 1, flags: [.noscript, .loading, .stale, .fast, .allowBusy], categories: ["@fast", "@transaction"], group: "transactions") { ctx throws(CommandError) in
            ctx.engine.unwatchAll(ctx.client)
            ctx.out.ok()
        }
    }

    func exec(_ ctx: CommandContext) throws(CommandError) {
        let client = ctx.client
        guard client.inMulti else { throw CommandError("ERR EXEC without MULTI") }
        if client.multiAborted {
            endTransaction(client)
            throw CommandError("EXECABORT Transaction discarded because of previous errors.")
        }
        if client.watchBroken || watchedKeyExpired(client) {
            endTransaction(client)
            ctx.out.nullArray()
            return
        }
        let queue = client.multiQueue
        // Unwatch before running so the transaction's own writes do not flag this client.
        endTransaction(client)
        ctx.out.array(queue.count)
        client.inExec = true
        defer { client.inExec = false }
        for (cmd, owned) in queue {
            owned.withArgs { args in
                let mark = client.reply.count
                if aclRefusesQueued(client, cmd, args) { return }
                call(cmd, client, args)
                applyReplyMode(client, from: mark)
            }
        }
    }

    /// Leaves MULTI state and drops every WATCH, as EXEC and DISCARD do.
    func endTransaction(_ client: ClientSession) {
        client.inMulti = false
        client.multiAborted = false
        client.multiQueue.removeAll()
        unwatchAll(client)
    }

    func watch(_ client: ClientSession, _ key: UnsafeRawBufferPointer) {
        let k = Bytes(key)
        if client.watched.contains(where: { $0.db == client.db && $0.key == k }) { return }
        let db = dbs[client.db]
        let expired = db.keys.expireAt(key).map { Entry.isExpired($0, now: now) } ?? false
        client.watched.append((client.db, k, expired))
        db.addWatcher(k, client)
    }

    public func unwatchAll(_ client: ClientSession) {
        for w in client.watched { dbs[w.db].removeWatcher(w.key, client) }
        client.watched.removeAll()
        client.watchBroken = false
    }

    /// A key that was live when watched but whose deadline has since passed counts as modified even if
    /// nothing has deleted it yet.
    func watchedKeyExpired(_ client: ClientSession) -> Bool {
        for w in client.watched where !w.expiredAtWatch {
            let expired = w.key.withUnsafeBytes { k in dbs[w.db].keys.expireAt(k).map { Entry.isExpired($0, now: now) } ?? false }
            if expired { return true }
        }
        return false
    }
}
