import RESP

extension Engine {
    /// ACL and its subcommands but LOAD and SAVE, which read and write files and are the server's.
    func registerACLCommands() {
        let acl = registerContainer("acl", group: "server")
        let admin: CommandFlags = [.admin, .noscript, .loading, .stale]
        let plain: CommandFlags = [.noscript, .loading, .stale]
        register("setuser", arity: -3, flags: admin, group: "server", parent: acl) { ctx throws(CommandError) in
            for i in 2..<ctx.args.count { ctx.client.redact(i) }
            let name = ctx.args.bytes(2)
            if ACLUser.hasSpaces(name) { throw CommandError("ERR Usernames can't contain spaces or null characters") }
            let ops = (3..<ctx.args.count).map { ctx.args.bytes($0) }
            let engine = ctx.engine
            if let error = engine.acl.setUser(String(decoding: name, as: UTF8.self), ops, index: engine.aclIndex) {
                throw CommandError(error)
            }
            engine.dropSubscribersLosingChannels(current: ctx.client)
            ctx.out.ok()
        }
        register("deluser", arity: -3, flags: admin, group: "server", parent: acl) { ctx throws(CommandError) in
            for i in 2..<ctx.args.count { ctx.client.redact(i) }
            let names = (2..<ctx.args.count).map { ctx.args.text($0) }
            if names.contains("default") { throw CommandError("ERR The 'default' user cannot be removed") }
            let deleted = ctx.engine.acl.deleteUsers(names)
            ctx.engine.dropClients(of: deleted, current: ctx.client)
            ctx.out.integer(deleted.count)
        }
        register("getuser", arity: 3, flags: admin, group: "server", parent: acl) { ctx throws(CommandError) in
            ctx.client.redact(2)
            guard let user = ctx.engine.acl.user(ctx.args.text(2)) else {
                ctx.out.null()
                return
            }
            let r = user.rules
            ctx.out.map(6)
            ctx.out.bulk("flags")
            ctx.out.set(r.flagNames.count)
            for f in r.flagNames { ctx.out.bulk(f) }
            ctx.out.bulk("passwords")
            ctx.out.array(r.passwords.count)
            for p in r.passwords { ctx.out.bulk(p) }
            Self.describeSelector(r.selectors[0], to: &ctx.client.reply)
            ctx.out.bulk("selectors")
            ctx.out.array(r.selectors.count - 1)
            for s in r.selectors.dropFirst() {
                ctx.out.map(3)
                Self.describeSelector(s, to: &ctx.client.reply)
            }
        }
        register("list", arity: 2, flags: admin, group: "server", parent: acl) { ctx throws(CommandError) in
            let lines = ctx.engine.acl.listing
            ctx.out.array(lines.count)
            for l in lines { ctx.out.bulk(l) }
        }
        register("users", arity: 2, flags: admin, group: "server", parent: acl) { ctx throws(CommandError) in
            let names = ctx.engine.acl.users.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            ctx.out.array(names.count)
            for n in names { ctx.out.bulk(n) }
        }
        register("whoami", arity: 2, flags: plain, group: "server", parent: acl) { ctx throws(CommandError) in
            ctx.out.bulk(ctx.client.user.name)
        }
        register("cat", arity: -2, flags: plain, group: "server", parent: acl) { ctx throws(CommandError) in
            guard ctx.args.count <= 3 else { throw Self.subcommandSyntaxError(ctx.args) }
            guard ctx.args.count == 3 else {
                ctx.out.array(ACLCommandIndex.categoryNames.count)
                for c in ACLCommandIndex.categoryNames { ctx.out.bulk(c) }
                return
            }
            guard let members = ctx.engine.aclIndex.category(ctx.args.text(2)) else {
                throw CommandError("ERR Unknown category '\(String(ctx.args.text(2).prefix(128)))'")
            }
            ctx.out.array(members.count)
            for c in members { ctx.out.bulk(c.fullName) }
        }
        register("genpass", arity: -2, flags: plain, group: "server", parent: acl) { ctx throws(CommandError) in
            guard ctx.args.count <= 3 else { throw Self.subcommandSyntaxError(ctx.args) }
            var bits = 256
            if ctx.args.count == 3 {
                guard let n = NumberParsing.int64(ctx.args[2]) else { throw CommandError.notInteger }
                guard n > 0 && n <= 4096 else {
                    throw CommandError("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
                }
                bits = Int(n)
            }
            ctx.out.bulk(Self.randomHex((bits + 3) / 4))
        }
        register("log", arity: -2, flags: admin, group: "server", parent: acl) { ctx throws(CommandError) in
            try ctx.engine.aclLog(ctx)
        }
        register("dryrun", arity: -4, flags: admin, group: "server", parent: acl) { ctx throws(CommandError) in
            try ctx.engine.aclDryRun(ctx)
        }
        register("help", arity: 2, flags: [.loading, .stale], group: "server", parent: acl) { ctx throws(CommandError) in
            replyHelp(ctx, [
                "CAT [<category>]",
                "    List all commands that belong to <category>, or all command categories",
                "    when no category is specified.",
                "DELUSER <username> [<username> ...]",
                "    Delete a list of users.",
                "DRYRUN <username> <command> [<arg> ...]",
                "    Returns whether the user can execute the given command without executing the command.",
                "GETUSER <username>",
                "    Get the user's details.",
                "GENPASS [<bits>]",
                "    Generate a secure 256-bit user password. The optional `bits` argument can",
                "    be used to specify a different size.",
                "LIST",
                "    Show users details in config file format.",
                "LOAD",
                "    Reload users from the ACL file.",
                "LOG [<count> | RESET]",
                "    Show the ACL log entries.",
                "SAVE",
                "    Save the current config to the ACL file.",
                "SETUSER <username> <attribute> [<attribute> ...]",
                "    Create or modify a user with the specified attributes.",
                "USERS",
                "    List all the registered usernames.",
                "WHOAMI",
                "    Return the current connection username.",
            ])
        }
    }

    /// Redis's addReplySubcommandSyntaxError, for a subcommand given the wrong number of arguments.
    static func subcommandSyntaxError(_ a: Args) -> CommandError {
        CommandError("ERR unknown subcommand or wrong number of arguments for '\(a.text(1).prefix(128))'. Try \(a.text(0).uppercased()) HELP.")
    }

    static func describeSelector(_ s: ACLSelector, to out: inout ReplyWriter) {
        out.bulk("commands")
        out.bulk(s.commandDescription)
        out.bulk("keys")
        out.bulk(s.keysDescription)
        out.bulk("channels")
        out.bulk(s.channelsDescription)
    }

    /// Hex digits from the system generator, which reads the kernel's random source (getrandom).
    static func randomHex(_ count: Int) -> String {
        var g = SystemRandomNumberGenerator()
        let raw = (0..<(count + 1) / 2).map { _ in UInt8.random(in: 0...255, using: &g) }
        return String(DatasetDigest.hex(raw).prefix(count))
    }

    func aclLog(_ ctx: CommandContext) throws(CommandError) {
        guard ctx.args.count <= 3 else { throw Self.subcommandSyntaxError(ctx.args) }
        var count = 10
        if ctx.args.count == 3 {
            if ctx.args.isKeyword(2, "reset") {
                acl.log.removeAll()
                ctx.out.ok()
                return
            }
            guard let n = NumberParsing.int64(ctx.args[2]) else { throw CommandError.notInteger }
            count = max(0, Int(clamping: n))
        }
        let entries = acl.log.prefix(count)
        ctx.out.array(entries.count)
        for e in entries {
            ctx.out.map(10)
            ctx.out.bulk("count"); ctx.out.integer(e.count)
            ctx.out.bulk("reason"); ctx.out.bulk(e.reason)
            ctx.out.bulk("context"); ctx.out.bulk(e.context)
            ctx.out.bulk("object"); ctx.out.bulk(e.object)
            ctx.out.bulk("username"); ctx.out.bulk(e.username)
            ctx.out.bulk("age-seconds"); ctx.out.double(Double(now - e.updatedMs) / 1000)
            ctx.out.bulk("client-info"); ctx.out.bulk(e.clientInfo)
            ctx.out.bulk("entry-id"); ctx.out.integer(e.entryID)
            ctx.out.bulk("timestamp-created"); ctx.out.integer(Int(e.createdMs))
            ctx.out.bulk("timestamp-last-updated"); ctx.out.integer(Int(e.updatedMs))
        }
    }

    /// ACL DRYRUN: the check a command line would meet, without running it; a refusal is a bulk string naming
    /// what was refused.
    func aclDryRun(_ ctx: CommandContext) throws(CommandError) {
        let a = ctx.args
        guard let user = acl.user(a.text(2)) else { throw CommandError("ERR User '\(a.text(2))' not found") }
        let target = Args(base: a.base, ranges: UnsafeBufferPointer(rebasing: a.ranges[3...]))
        guard var cmd = aclIndex.command(target.text(0)) else {
            throw CommandError("ERR Command '\(a.text(3))' not found")
        }
        if !cmd.subcommands.isEmpty && target.count >= 2 {
            guard let sub = cmd.subcommand(target[1]) else { throw CommandError("ERR Command '\(a.text(3))' not found") }
            cmd = sub
        }
        if (cmd.arity > 0 && target.count != cmd.arity) || target.count < -cmd.arity {
            throw CommandError("ERR wrong number of arguments for '\(cmd.fullName)' command")
        }
        guard !user.unrestricted, let denial = aclCheck(user, cmd, target) else {
            ctx.out.ok()
            return
        }
        switch denial {
        case .command: ctx.out.bulk("User \(user.name) has no permissions to run the '\(cmd.fullName)' command")
        case .key(let i): ctx.out.bulk("User \(user.name) has no permissions to access the '\(target.text(i))' key")
        case .channel(let i): ctx.out.bulk("User \(user.name) has no permissions to access the '\(target.text(i))' channel")
        }
    }

    /// Clients logged in as deleted users are disconnected; the one that ran the command gets its reply first.
    func dropClients(of users: [ACLUser], current: ClientSession) {
        guard !users.isEmpty else { return }
        if users.contains(where: { $0 === current.user }) { current.closeAfterReply = true }
        disconnectClients? { session in users.contains { $0 === session.user } }
    }

    /// Subscribers whose user may no longer use one of their channels or patterns are disconnected, as Redis
    /// does when ACL SETUSER or ACL LOAD takes channels away (a pattern must be granted literally).
    public func dropSubscribersLosingChannels(current: ClientSession? = nil) {
        func allowed(_ s: ClientSession) -> Bool {
            let selectors = s.user.rules.selectors
            func granted(_ name: Bytes, literal: Bool) -> Bool {
                name.withUnsafeBytes { n in selectors.contains { $0.grants(channel: n, literal: literal) } }
            }
            return s.channels.ordered.allSatisfy { granted($0, literal: false) }
                && s.shardChannels.ordered.allSatisfy { granted($0, literal: false) }
                && s.patterns.ordered.allSatisfy { granted($0, literal: true) }
        }
        if let current, current.isSubscribed, !allowed(current) { current.closeAfterReply = true }
        disconnectClients? { $0.isSubscribed && !allowed($0) }
    }
}
