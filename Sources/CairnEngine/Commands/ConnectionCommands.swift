#if canImport(Glibc)
import Glibc
#endif
import RESP

extension Engine {
    func registerConnectionCommands() {
        register("ping", arity: -1, flags: [.fast], categories: ["@fast", "@connection"], group: "connection") { ctx throws(CommandError) in
            if ctx.args.count > 2 { throw CommandError.wrongArity("ping") }
            if ctx.client.isSubscribed && !ctx.client.resp3 {
                ctx.out.array(2)
                ctx.out.bulk("pong")
                if ctx.args.count == 2 { ctx.out.bulk(ctx.args[1]) } else { ctx.out.bulk("") }
                return
            }
            if ctx.args.count == 2 { ctx.out.bulk(ctx.args[1]) } else { ctx.out.raw("+PONG\r\n") }
        }
        register("echo", arity: 2, flags: [.loading, .stale, .fast], categories: ["@fast", "@connection"], group: "connection") { ctx throws(CommandError) in
            ctx.out.bulk(ctx.args[1])
        }
        register("select", arity: 2, flags: [.loading, .stale, .fast], categories: ["@fast", "@connection"], group: "connection") { ctx throws(CommandError) in
            guard let idx = NumberParsing.int64(ctx.args[1]) else { throw CommandError.notInteger }
            guard ctx.engine.database(Int(idx)) != nil else { throw CommandError.dbIndexOutOfRange }
            ctx.client.db = Int(idx)
            ctx.out.ok()
        }
    }
}

extension Engine {
    func registerSessionCommands() {
        register("quit", arity: -1, flags: [.allowBusy, .noAuth, .noscript, .loading, .stale, .fast], categories: ["@fast", "@connection"], group: "connection") { ctx throws(CommandError) in
            ctx.out.ok()
            ctx.client.closeAfterReply = true
        }
        register("auth", arity: -2, flags: [.noscript, .loading, .stale, .fast, .noAuth, .allowBusy], categories: ["@fast", "@connection"], group: "connection") { ctx throws(CommandError) in
            for i in 1..<ctx.args.count { ctx.client.redact(i) }
            guard ctx.args.count <= 3 else { throw CommandError.syntax }
            let user: Bytes? = ctx.args.count == 3 ? ctx.args.bytes(1) : nil
            if user == nil && ctx.engine.acl.defaultUser.nopass {
                throw CommandError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
            }
            try ctx.engine.authenticate(ctx.client, user: user, password: ctx.args.bytes(ctx.args.count - 1), command: ctx.args.bytes(0))
            ctx.out.ok()
        }
        register("hello", arity: -1, flags: [.noscript, .loading, .stale, .fast, .noAuth, .allowBusy], categories: ["@fast", "@connection"], group: "connection") { ctx throws(CommandError) in
            try ctx.engine.hello(ctx)
        }
        register("reset", arity: 1, flags: [.noscript, .loading, .stale, .fast, .noAuth, .allowBusy], categories: ["@fast", "@connection"], group: "connection") { ctx throws(CommandError) in
            ctx.engine.resetSession(ctx.client)
            ctx.out.raw("+RESET\r\n")
        }
        register("monitor", arity: 1, flags: [.admin, .noscript, .loading, .stale], categories: ["@admin", "@slow", "@dangerous"], group: "server") { ctx throws(CommandError) in
            guard !ctx.client.isMonitor else { return }
            ctx.client.isMonitor = true
            ctx.engine.monitors.append(ctx.client)
            ctx.out.ok()
        }
        register("time", arity: 1, flags: [.loading, .stale, .fast], categories: ["@fast"], group: "server") { ctx throws(CommandError) in
            var tv = timeval()
            gettimeofday(&tv, nil)
            ctx.out.array(2)
            ctx.out.bulk(String(tv.tv_sec))
            ctx.out.bulk(String(tv.tv_usec))
        }
        register("lastsave", arity: 1, flags: [.loading, .stale, .fast], categories: ["@admin", "@fast", "@dangerous"], group: "server") { ctx throws(CommandError) in
            ctx.out.integer(Int(ctx.engine.lastSaveTime))
        }
    }

    /// AUTH and HELLO's AUTH: logs the client in as `user` (the default user when nil). A failure is logged in
    /// ACL LOG under the attempted name, with the command as typed as its object. A replica's handshake
    /// authenticates through here too.
    public func authenticate(_ client: ClientSession, user: Bytes?, password: Bytes, command: Bytes) throws(CommandError) {
        let name = user.map { String(decoding: $0, as: UTF8.self) } ?? "default"
        guard let u = acl.user(name), u.accepts(password) else {
            acl.addLogEntry(reason: "auth", context: client.inMulti ? "multi" : "toplevel", object: command,
                            username: name, now: now, clientInfo: clientInfo?(client) ?? "")
            throw CommandError("WRONGPASS invalid username-password pair or user is disabled.")
        }
        client.authenticated = true
        client.user = u
    }

    func hello(_ ctx: CommandContext) throws(CommandError) {
        let a = ctx.args
        var version = ctx.client.resp3 ? 3 : 2
        var i = 1
        if a.count > 1 {
            guard let v = NumberParsing.int64(a[1]) else {
                throw CommandError("ERR Protocol version is not an integer or out of range")
            }
            guard v == 2 || v == 3 else { throw CommandError("NOPROTO unsupported protocol version") }
            version = Int(v)
            i = 2
        }
        var setName: Bytes? = nil
        while i < a.count {
            if a.isKeyword(i, "auth") && i + 2 < a.count {
                ctx.client.redact(i + 1)
                ctx.client.redact(i + 2)
                try authenticate(ctx.client, user: a.bytes(i + 1), password: a.bytes(i + 2), command: a.bytes(0))
                i += 3
            } else if a.isKeyword(i, "setname") && i + 1 < a.count {
                let name = a.bytes(i + 1)
                guard ClientSession.isValidName(name) else {
                    throw CommandError("ERR Client names cannot contain spaces, newlines or special characters.")
                }
                setName = name
                i += 2
            } else {
                throw CommandError("ERR Syntax error in HELLO option '\(a.text(i))'")
            }
        }
        guard ctx.client.authenticated else {
            throw CommandError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
        }
        if let setName { ctx.client.name = setName.isEmpty ? nil : setName }
        ctx.client.resp3 = version == 3
        ctx.out.map(7)
        ctx.out.bulk("server"); ctx.out.bulk("redis")
        ctx.out.bulk("version"); ctx.out.bulk(Engine.compatibleRedisVersion)
        ctx.out.bulk("proto"); ctx.out.integer(version)
        ctx.out.bulk("id"); ctx.out.integer(ctx.client.id)
        ctx.out.bulk("mode"); ctx.out.bulk("standalone")
        ctx.out.bulk("role"); ctx.out.bulk(role)
        ctx.out.bulk("modules"); ctx.out.array(0)
    }

    /// RESET: the connection returns to the state of a new one.
    public func resetSession(_ client: ClientSession) {
        endTransaction(client)
        pubsub.removeAll(client)
        client.db = 0
        client.resp3 = false
        client.name = nil
        client.replyMode = .on
        client.noEvict = false
        client.noTouch = false
        if client.isMonitor {
            client.isMonitor = false
            monitors.removeAll { $0 === client }
        }
        client.user = acl.defaultUser
        client.authenticated = acl.defaultUser.nopass && acl.defaultUser.enabled
    }
}

extension ClientSession {
    /// Names may not contain spaces, newlines or other characters outside '!'...'~', as Redis requires.
    public static func isValidName(_ name: Bytes) -> Bool {
        name.allSatisfy { $0 >= 33 && $0 <= 126 }
    }
}
