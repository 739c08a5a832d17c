import RESP

extension Engine {
    func registerPubSubCommands() {
        let flags: CommandFlags = [.pubsub, .noscript, .loading, .stale]
        let cats = ["@pubsub", "@slow"]
        for (name, kind) in [("subscribe", PubSubRegistry.Kind.channel), ("psubscribe", .pattern), ("ssubscribe", .shard)] {
            register(name, arity: -2, flags: flags, keys: kind == .shard ? .all() : .none, categories: cats, group: "pubsub") { ctx throws(CommandError) in
                for i in 1..<ctx.args.count {
                    let name = ctx.args.bytes(i)
                    _ = ctx.engine.pubsub.subscribe(ctx.client, name, kind)
                    ctx.engine.replySubscription(ctx.client, kind.subscribeName, name, kind: kind)
                }
            }
        }
        for (name, kind) in [("unsubscribe", PubSubRegistry.Kind.channel), ("punsubscribe", .pattern), ("sunsubscribe", .shard)] {
            register(name, arity: -1, flags: flags, keys: kind == .shard ? .all() : .none, categories: cats, group: "pubsub") { ctx throws(CommandError) in
                let engine = ctx.engine
                var names = (1..<max(ctx.args.count, 1)).map { ctx.args.bytes($0) }
                if ctx.args.count == 1 { names = ctx.client.withSubscriptions(kind) { $0.ordered } }
                if names.isEmpty {
                    // Nothing to leave: one reply with a null name, as Redis sends.
                    ctx.out.push(3)
                    ctx.out.bulk(kind.unsubscribeName)
                    ctx.out.null()
                    ctx.out.integer(engine.subscriptionCount(ctx.client, kind))
                    return
                }
                for name in names {
                    _ = engine.pubsub.unsubscribe(ctx.client, name, kind)
                    engine.replySubscription(ctx.client, kind.unsubscribeName, name, kind: kind)
                }
            }
        }
        register("publish", arity: 3, flags: [.pubsub, .loading, .stale, .fast, .mayReplicate], categories: ["@pubsub", "@fast"], group: "pubsub") { ctx throws(CommandError) in
            ctx.out.integer(ctx.engine.pubsub.publish(ctx.args.bytes(1), ctx.args.bytes(2), shard: false, engine: ctx.engine))
        }
        register("spublish", arity: 3, flags: [.pubsub, .loading, .stale, .fast, .mayReplicate], keys: .one, categories: ["@pubsub", "@fast"], group: "pubsub") { ctx throws(CommandError) in
            ctx.out.integer(ctx.engine.pubsub.publish(ctx.args.bytes(1), ctx.args.bytes(2), shard: true, engine: ctx.engine))
        }
        let pubsub = registerContainer("pubsub", group: "pubsub")
        let subFlags: CommandFlags = [.pubsub, .loading, .stale]
        register("channels", arity: -2, flags: subFlags, categories: cats, group: "pubsub", parent: pubsub) { ctx throws(CommandError) in
            try ctx.engine.replyChannelList(ctx, ctx.engine.pubsub.channels)
        }
        register("shardchannels", arity: -2, flags: subFlags, categories: cats, group: "pubsub", parent: pubsub) { ctx throws(CommandError) in
            try ctx.engine.replyChannelList(ctx, ctx.engine.pubsub.shardChannels)
        }
        register("numsub", arity: -2, flags: subFlags, categories: cats, group: "pubsub", parent: pubsub) { ctx throws(CommandError) in
            ctx.engine.replyNumSub(ctx, ctx.engine.pubsub.channels)
        }
        register("shardnumsub", arity: -2, flags: subFlags, categories: cats, group: "pubsub", parent: pubsub) { ctx throws(CommandError) in
            ctx.engine.replyNumSub(ctx, ctx.engine.pubsub.shardChannels)
        }
        register("numpat", arity: 2, flags: subFlags, categories: cats, group: "pubsub", parent: pubsub) { ctx throws(CommandError) in
            ctx.out.integer(ctx.engine.pubsub.patterns.count)
        }
        register("help", arity: 2, flags: [.loading, .stale], categories: ["@slow"], group: "pubsub", parent: pubsub) { ctx throws(CommandError) in
            let lines = [
                "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
                "NUMPAT", "    Return number of subscriptions to patterns.",
                "NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding", "    pattern subscriptions(default: no channels).",
                "SHARDCHANNELS [<pattern>]", "    Return the currently active shard level channels matching a <pattern> (default: '*').",
                "SHARDNUMSUB [<shardchannel> ...]", "    Return the number of subscribers for the specified shard level channel(s)",
                "HELP", "    Print this help.",
            ]
            ctx.out.array(lines.count)
            for l in lines { ctx.out.status(l) }
        }
    }

    /// `[kind, name, count]`, as a push in RESP3.
    func replySubscription(_ client: ClientSession, _ kindName: String, _ name: Bytes, kind: PubSubRegistry.Kind) {
        client.reply.push(3)
        client.reply.bulk(kindName)
        client.reply.bulk(name)
        client.reply.integer(subscriptionCount(client, kind))
    }

    /// Shard subscriptions are counted apart from channel and pattern ones, as Redis does.
    func subscriptionCount(_ client: ClientSession, _ kind: PubSubRegistry.Kind) -> Int {
        kind == .shard ? client.shardChannels.count : client.channels.count + client.patterns.count
    }

    func replyChannelList(_ ctx: CommandContext, _ table: [Bytes: [ClientSession]]) throws(CommandError) {
        guard ctx.args.count <= 3 else { throw CommandError.wrongArity(ctx.command.fullName) }
        let pattern: Bytes? = ctx.args.count == 3 ? ctx.args.bytes(2) : nil
        let names = table.keys.filter { name in
            guard let pattern else { return true }
            return pattern.withUnsafeBytes { p in name.withUnsafeBytes { globMatch(pattern: p, string: $0, nocase: false) } }
        }
        ctx.out.array(names.count)
        for n in names { ctx.out.bulk(n) }
    }

    func replyNumSub(_ ctx: CommandContext, _ table: [Bytes: [ClientSession]]) {
        ctx.out.map(ctx.args.count - 2)
        for i in 2..<ctx.args.count {
            ctx.out.bulk(ctx.args[i])
            ctx.out.integer(table[ctx.args.bytes(i)]?.count ?? 0)
        }
    }
}
