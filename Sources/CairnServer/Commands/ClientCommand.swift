#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine

extension Server {
    func registerClientCommand() {
        let client = engine.registerContainer("client", group: "connection")
        let cats = ["@slow", "@connection"]
        let flags: CommandFlags = [.noscript, .loading, .stale]
        engine.register("id", arity: 2, flags: flags, categories: cats, group: "connection", parent: client) { ctx throws(CommandError) in
            ctx.out.integer(ctx.client.id)
        }
        engine.register("setname", arity: 3, flags: flags, categories: cats, group: "connection", parent: client) { ctx throws(CommandError) in
            let name = ctx.args.bytes(2)
            guard ClientSession.isValidName(name) else {
                throw CommandError("ERR Client names cannot contain spaces, newlines or special characters.")
            }
            ctx.client.name = name.isEmpty ? nil : name
            ctx.out.ok()
        }
        engine.register("getname", arity: 2, flags: flags, categories: cats, group: "connection", parent: client) { ctx throws(CommandError) in
            if let n = ctx.client.name { ctx.out.bulk(n) } else { ctx.out.null() }
        }
        engine.register("setinfo", arity: 4, flags: flags, categories: cats, group: "connection", parent: client) { ctx throws(CommandError) in
            let value = ctx.args.text(3)
            guard value.utf8.allSatisfy({ $0 >= 33 && $0 <= 126 }) else {
                throw CommandError("ERR \(ctx.args.text(2).uppercased()) cannot contain spaces, newlines or special characters.")
            }
            if ctx.args.isKeyword(2, "lib-name") { ctx.client.libName = value }
            else if ctx.args.isKeyword(2, "lib-ver") { ctx.client.libVersion = value }
            else { throw CommandError("ERR Unrecognized option '\(ctx.args.text(2))'") }
            ctx.out.ok()
        }
        engine.register("info", arity: 2, flags: flags, categories: cats, group: "connection", parent: client) { [unowned self] ctx throws(CommandError) in
            guard let conn = connectionsByID[ctx.client.id] else { return }
            ctx.out.verbatim(clientInfoLine(conn) + "\n")
        }
        engine.register("list", arity: -2, flags: [.admin, .noscript, .loading, .stale], categories: ["@admin", "@slow", "@dangerous", "@connection"], group: "connection", parent: client) { [unowned self] ctx throws(CommandError) in
            try clientList(ctx)
        }
        engine.register("kill", arity: -3, flags: [.admin, .noscript, .loading, .stale], categories: ["@admin", "@slow", "@dangerous", "@connection"], group: "connection", parent: client) { [unowned self] ctx throws(CommandError) in
            try clientKill(ctx)
        }
        engine.register("pause", arity: -3, flags: [.admin, .noscript, .loading, .stale], categories: ["@admin", "@slow", "@dangerous", "@connection"], group: "connection", parent: client) { [unowned self] ctx throws(CommandError) in
            guard let ms = NumberParsing.int64(ctx.args[2]) else {
                throw CommandError("ERR timeout is not an integer or out of range")
            }
            guard ms >= 0 else { throw CommandError("ERR timeout is negative") }
            var writesOnly = false
            if ctx.args.count == 4 {
                if ctx.args.isKeyword(3, "write") { writesOnly = true }
                else if !ctx.args.isKeyword(3, "all") { throw CommandError("ERR CLIENT PAUSE mode must be WRITE or ALL") }
            } else if ctx.args.count > 4 {
                throw CommandError("ERR unknown subcommand or wrong number of arguments for '\(ctx.args.text(1))'. Try CLIENT HELP.")
            }
            pause(until: Engine.monotonicMicros() + Int(ms) * 1000, writesOnly: writesOnly)
            ctx.out.ok()
        }
        engine.register("unpause", arity: 2, flags: [.admin, .noscript, .loading, .stale], categories: ["@admin", "@slow", "@dangerous", "@connection"], group: "connection", parent: client) { [unowned self] ctx throws(CommandError) in
            unpause()
            ctx.out.ok()
        }
        engine.register("reply", arity: 3, flags: flags, categories: cats, group: "connection", parent: client) { ctx throws(CommandError) in
            if ctx.args.isKeyword(2, "on") {
                ctx.client.replyMode = .on
                ctx.out.ok()
            } else if ctx.args.isKeyword(2, "off") {
                ctx.client.replyMode = .off
            } else if ctx.args.isKeyword(2, "skip") {
                ctx.client.replyMode = .skipNext
            } else {
                throw CommandError.syntax
            }
        }
        engine.register("no-evict", arity: 3, flags: [.admin, .noscript, .loading, .stale], categories: ["@admin", "@slow", "@dangerous", "@connection"], group: "connection", parent: client) { ctx throws(CommandError) in
            if ctx.args.isKeyword(2, "on") { ctx.client.noEvict = true }
            else if ctx.args.isKeyword(2, "off") { ctx.client.noEvict = false }
            else { throw CommandError.syntax }
            ctx.out.ok()
        }
        engine.register("no-touch", arity: 3, flags: [.noscript, .loading, .stale], categories: ["@slow", "@connection"], group: "connection", parent: client) { ctx throws(CommandError) in
            if ctx.args.isKeyword(2, "on") { ctx.client.noTouch = true }
            else if ctx.args.isKeyword(2, "off") { ctx.client.noTouch = false }
            else { throw CommandError.syntax }
            ctx.out.ok()
        }
        engine.register("getredir", arity: 2, flags: flags, categories: cats, group: "connection", parent: client) { ctx throws(CommandError) in
            ctx.out.integer(-1)
        }
        engine.register("trackinginfo", arity: 2, flags: flags, categories: cats, group: "connection", parent: client) { ctx throws(CommandError) in
            ctx.out.map(3)
            ctx.out.bulk("flags"); ctx.out.set(1); ctx.out.bulk("off")
            ctx.out.bulk("redirect"); ctx.out.integer(-1)
            ctx.out.bulk("prefixes"); ctx.out.array(0)
        }
        engine.register("unblock", arity: -3, flags: [.admin, .noscript, .loading, .stale], categories: ["@admin", "@slow", "@dangerous", "@connection"], group: "connection", parent: client) { [unowned self] ctx throws(CommandError) in
            _ = try ctx.args.int64(2)
            if ctx.args.count == 4 && !ctx.args.isKeyword(3, "timeout") && !ctx.args.isKeyword(3, "error") {
                throw CommandError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
            } else if ctx.args.count > 4 {
                throw CommandError.syntax
            }
            guard let id = NumberParsing.int64(ctx.args[2]), let target = self.connectionsByID[Int(id)] else {
                ctx.out.integer(0)
                return
            }
            let withError = ctx.args.count == 4 && ctx.args.isKeyword(3, "error")
            ctx.out.integer(ctx.engine.unblockByRequest(target.session, withError: withError) ? 1 : 0)
        }
        engine.register("help", arity: 2, flags: [.loading, .stale], categories: cats, group: "connection", parent: client) { ctx throws(CommandError) in
            let lines = [
                "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GETNAME", "    Return the name of the current connection.",
                "ID", "    Return the ID of the current connection.",
                "INFO", "    Return information about the current client connection.",
                "KILL <ip:port>", "    Kill connection made from <ip:port>.",
                "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are: ID, ADDR, LADDR, TYPE, USER, SKIPME, MAXAGE.",
                "LIST [options ...]", "    Return information about client connections. Options: TYPE <normal|master|replica|pubsub>, ID <id> [...].",
                "UNPAUSE", "    Stop the current client pause, resuming traffic.",
                "PAUSE <timeout> [WRITE|ALL]", "    Suspend all, or just write, clients for <timeout> milliseconds.",
                "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
                "SETNAME <name>", "    Assign the name <name> to the current connection.",
                "SETINFO <option> <value>", "    Set client meta attr. Options are LIB-NAME and LIB-VER.",
                "GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled.",
                "TRACKINGINFO", "    Report tracking status for the current connection.",
                "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
                "NO-EVICT (ON|OFF)", "    Protect the current client connection from eviction.",
                "HELP", "    Print this help.",
            ]
            ctx.out.array(lines.count)
            for l in lines { ctx.out.status(l) }
        }
    }

    /// One CLIENT LIST / CLIENT INFO line with Redis 7.2's fields, in its order.
    func clientInfoLine(_ conn: Connection) -> String {
        let s = conn.session
        let now = engine.now
        var flags = ""
        if s.isMonitor { flags += "O" }
        if s.isSubscribed { flags += "P" }
        if s.isBlocked { flags += "b" }
        if s.inMulti { flags += "x" }
        if s.watchBroken { flags += "d" }
        if s.closeAfterReply { flags += "c" }
        if s.noEvict { flags += "e" }
        if s.noTouch { flags += "T" }
        if flags.isEmpty { flags = "N" }
        let events = conn.wantsWritable ? "rw" : "r"
        let qbuf = conn.pendingQueryBytes
        let omem = conn.pendingOutputBytes
        let name = s.name.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return "id=\(s.id) addr=\(s.address) laddr=\(s.localAddress) fd=\(conn.fd) name=\(name) age=\((now - s.createdAt) / 1000) idle=\((now - s.lastInteraction) / 1000) flags=\(flags) db=\(s.db) sub=\(s.channels.count) psub=\(s.patterns.count) ssub=\(s.shardChannels.count) multi=\(s.inMulti ? s.multiQueue.count : -1) qbuf=\(qbuf) qbuf-free=\(conn.queryCapacity - conn.queryEnd) argv-mem=0 multi-mem=0 rbs=\(s.reply.bytes.capacity) rbp=\(s.reply.count) obl=0 oll=0 omem=\(omem) tot-mem=\(conn.queryCapacity + s.reply.bytes.capacity) events=\(events) cmd=\(s.lastCommand?.fullName ?? "NULL") user=\(s.user.name) redir=-1 resp=\(s.resp3 ? 3 : 2) lib-name=\(s.libName) lib-ver=\(s.libVersion)"
    }

    func clientList(_ ctx: CommandContext) throws(CommandError) {
        let a = ctx.args
        var ids: Set<Int>? = nil
        var typeFilter: String? = nil
        var i = 2
        while i < a.count {
            if a.isKeyword(i, "type") && i + 1 < a.count {
                let t = a.text(i + 1).lowercased()
                guard ["normal", "master", "replica", "slave", "pubsub"].contains(t) else {
                    throw CommandError("ERR Unknown client type '\(a.text(i + 1))'")
                }
                typeFilter = t
                i += 2
            } else if a.isKeyword(i, "id") && i + 1 < a.count {
                var set = Set<Int>()
                i += 1
                while i < a.count {
                    guard let id = NumberParsing.int64(a[i]), id > 0 else { throw CommandError("ERR Invalid client ID") }
                    set.insert(Int(id))
                    i += 1
                }
                ids = set
            } else {
                throw CommandError.syntax
            }
        }
        var text = ""
        for conn in connectionsByID.values.sorted(by: { $0.session.id < $1.session.id }) {
            if let ids, !ids.contains(conn.session.id) { continue }
            if let typeFilter {
                let type = clientType(conn.session)
                if typeFilter != type && !(typeFilter == "slave" && type == "replica") { continue }
            }
            text += clientInfoLine(conn) + "\n"
        }
        ctx.out.verbatim(text)
    }

    func clientKill(_ ctx: CommandContext) throws(CommandError) {
        let a = ctx.args
        if a.count == 3 {
            let addr = a.text(2)
            guard let victim = connectionsByID.values.first(where: { $0.session.address == addr }) else {
                throw CommandError("ERR No such client")
            }
            kill(victim, by: ctx.client)
            ctx.out.ok()
            return
        }
        guard a.count % 2 == 0 else { throw CommandError.syntax }
        var id: Int? = nil, addr: String? = nil, laddr: String? = nil, user: ACLUser? = nil, type: String? = nil
        var maxAge: Int64? = nil
        var skipMe = true
        var i = 2
        while i + 1 < a.count {
            let v = a.text(i + 1)
            if a.isKeyword(i, "id") {
                guard let n = NumberParsing.int64(a[i + 1]), n > 0 else {
                    throw CommandError("ERR client-id should be greater than 0")
                }
                id = Int(n)
            } else if a.isKeyword(i, "addr") { addr = v }
            else if a.isKeyword(i, "laddr") { laddr = v }
            else if a.isKeyword(i, "user") {
                guard let u = engine.acl.user(v) else { throw CommandError("ERR No such user '\(v)'") }
                user = u
            }
            else if a.isKeyword(i, "type") {
                let t = v.lowercased()
                guard ["normal", "master", "replica", "slave", "pubsub"].contains(t) else {
                    throw CommandError("ERR Unknown client type '\(v)'")
                }
                type = t == "slave" ? "replica" : t
            } else if a.isKeyword(i, "skipme") {
                if a.isKeyword(i + 1, "yes") { skipMe = true }
                else if a.isKeyword(i + 1, "no") { skipMe = false }
                else { throw CommandError.syntax }
            } else if a.isKeyword(i, "maxage") {
                guard let n = NumberParsing.int64(a[i + 1]) else { throw CommandError.syntax }
                maxAge = n
            } else {
                throw CommandError.syntax
            }
            i += 2
        }
        var killed = 0
        for conn in Array(connectionsByID.values) {
            let s = conn.session
            if let id, s.id != id { continue }
            if let addr, s.address != addr { continue }
            if let laddr, s.localAddress != laddr { continue }
            if let user, s.user !== user { continue }
            if let type, type != clientType(s) { continue }
            if let maxAge, (engine.now - s.createdAt) / 1000 < maxAge { continue }
            if skipMe && s === ctx.client { continue }
            kill(conn, by: ctx.client)
            killed += 1
        }
        ctx.out.integer(killed)
    }

    /// The class CLIENT LIST TYPE, CLIENT KILL TYPE and the output buffer limits use.
    func clientType(_ s: ClientSession) -> String {
        if s.isReplica && !s.isMonitor { return "replica" }
        if s === replication.primaryConnection?.session { return "master" }
        return s.isSubscribed ? "pubsub" : "normal"
    }

    /// Killing the caller itself must still deliver its reply first.
    func kill(_ conn: Connection, by caller: ClientSession) {
        if conn.session === caller { caller.closeAfterReply = true } else { closeConnection(conn) }
    }
}
