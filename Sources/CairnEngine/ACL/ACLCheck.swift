import RESP

extension Engine {
    /// The command index ACL rules resolve names against, built at first use: every command is registered by
    /// then (the server registers its own after the engine's).
    var aclIndex: ACLCommandIndex {
        if let index = aclIndexCache { return index }
        let index = ACLCommandIndex(commands.all)
        aclIndexCache = index
        return index
    }

    /// ACL SETUSER's work (also `user` directives, with `fresh`): nil, or the error text.
    public func setACLUser(_ name: String, _ ops: [Bytes], fresh: Bool = false) -> String? {
        acl.setUser(name, ops, fresh: fresh, index: aclIndex)
    }

    /// ACL LOAD: every user from ACL file text at once, or none when a line is wrong. Returns the users that
    /// no longer exist, whose clients the caller disconnects.
    public func loadUsers(_ text: String, fileName: String) -> Result<[ACLUser], ACLFileError> {
        acl.parseUsers(text, fileName: fileName, aclIndex).map { acl.replaceUsers($0) }
    }

    /// rename-command: the command answers to `newName` instead (to nothing when it is empty); ACL rules keep
    /// using its original name. Returns Redis's error text on failure.
    public func renameCommand(_ name: String, to newName: String) -> String? {
        guard let cmd = commands.lookup(name) else { return "No such command in rename-command" }
        commands.remove(name)
        if !newName.isEmpty {
            if commands.lookup(newName) != nil { return "Target command name already exists" }
            commands.register(cmd, as: newName)
        }
        return nil
    }

    /// Whether `user` may run `cmd` with `args` (args[0] is the command name): nil when some selector allows
    /// the command and every key and channel it names, else the most relevant refusal, as Redis picks it.
    public func aclCheck(_ user: ACLUser, _ cmd: Command, _ args: Args) -> ACLDenial? {
        var keys: [(index: Int, permission: ACLKeyPermission)]? = nil
        var worst = ACLDenial.command
        for selector in user.rules.selectors {
            guard let denial = check(selector, cmd, args, keys: &keys) else { return nil }
            if denial.rank > worst.rank || (denial.rank == worst.rank && denial.index > worst.index) { worst = denial }
        }
        return worst
    }

    private func check(_ s: ACLSelector, _ cmd: Command, _ args: Args,
                       keys: inout [(index: Int, permission: ACLKeyPermission)]?) -> ACLDenial? {
        if !s.allCommands && !cmd.flags.contains(.noAuth) && !s.allows(cmd.aclID) {
            let argIndex = cmd.parent != nil ? 2 : 1
            guard args.count > argIndex, let allowed = s.firstArgs[cmd.aclID],
                  allowed.contains(where: { $0.lowercased() == args.text(argIndex).lowercased() }) else { return .command }
        }
        if !s.allKeys {
            if keys == nil { keys = Self.aclKeyReferences(cmd, args) }
            for k in keys! where !Self.matches(s, key: args[k.index], k.permission) { return .key(k.index) }
        }
        if !s.allChannels, let (channels, isPattern) = Self.aclChannels(cmd, args) {
            for i in channels where !s.grants(channel: args[i], literal: isPattern) { return .channel(i) }
        }
        return nil
    }

    private static func matches(_ s: ACLSelector, key: UnsafeRawBufferPointer, _ needed: ACLKeyPermission) -> Bool {
        s.keyPatterns.contains { p in
            p.permission.isSuperset(of: needed) && p.pattern.withUnsafeBytes { globMatch(pattern: $0, string: key, nocase: false) }
        }
    }

    /// The keys a command line names and what it does to each, from the key specs as COMMAND GETKEYSANDFLAGS
    /// finds them: reading (access) needs %R, inserting, deleting or updating needs %W.
    static func aclKeyReferences(_ cmd: Command, _ args: Args) -> [(index: Int, permission: ACLKeyPermission)] {
        let specs = cmd.keySpecs
        guard !specs.isEmpty, var found = movableKeyPositions(cmd.fullName, args) ?? keyPositions(in: args, specs: specs) else {
            return []
        }
        if specs.contains(where: { $0.flags.contains("variable_flags") }), let flags = variableKeyFlags(cmd.fullName, args) {
            for k in found.indices { found[k].flags = flags }
        }
        return found.map { k in
            var p: ACLKeyPermission = []
            if k.flags.contains("access") { p.insert(.read) }
            if k.flags.contains("insert") || k.flags.contains("delete") || k.flags.contains("update") { p.insert(.write) }
            return (k.index, p)
        }
    }

    /// The channels a command publishes to or subscribes to (unsubscribing needs no permission), and
    /// whether they are patterns, which ACL matches literally.
    static func aclChannels(_ cmd: Command, _ args: Args) -> (StrideTo<Int>, Bool)? {
        switch cmd.fullName {
        case "publish", "spublish": return (stride(from: 1, to: min(2, args.count), by: 1), false)
        case "subscribe", "ssubscribe": return (stride(from: 1, to: args.count, by: 1), false)
        case "psubscribe": return (stride(from: 1, to: args.count, by: 1), true)
        default: return nil
        }
    }

    /// The NOPERM error for a refused command, as Redis 7.2 words it.
    func aclErrorMessage(_ denial: ACLDenial, user: ACLUser, cmd: Command) -> String {
        switch denial {
        case .command: return "NOPERM User \(user.name) has no permissions to run the '\(cmd.fullName)' command"
        case .key: return "NOPERM No permissions to access a key"
        case .channel: return "NOPERM No permissions to access a channel"
        }
    }

    /// Records a refusal in ACL LOG: the command's name, or the key or channel refused.
    func logACLDenial(_ client: ClientSession, _ denial: ACLDenial, _ cmd: Command, _ args: Args, inMulti: Bool) {
        let object = denial == .command ? Bytes(cmd.fullName.utf8) : args.bytes(denial.index)
        // Redis has already made the refused command the client's current one, which client-info shows.
        client.lastCommand = cmd
        acl.addLogEntry(reason: denial.reason, context: inMulti ? "multi" : "toplevel", object: object,
                        username: client.user.name, now: now, clientInfo: clientInfo?(client) ?? "")
    }

    /// The hot-path check: one branch for a user allowed everything.
    @inline(__always)
    func aclRefuses(_ client: ClientSession, _ cmd: Command, _ args: Args) -> Bool {
        let user = client.user
        if user.unrestricted { return false }
        guard let denial = aclCheck(user, cmd, args) else { return false }
        logACLDenial(client, denial, cmd, args, inMulti: client.inMulti)
        reject(client, cmd, aclErrorMessage(denial, user: user, cmd: cmd))
        return true
    }

    /// EXEC checks each queued command again: the user's rules may have changed since it was queued.
    func aclRefusesQueued(_ client: ClientSession, _ cmd: Command, _ args: Args) -> Bool {
        let user = client.user
        if user.unrestricted { return false }
        guard let denial = aclCheck(user, cmd, args) else { return false }
        logACLDenial(client, denial, cmd, args, inMulti: true)
        let reason: String
        switch denial {
        case .command: reason = "no permission to execute the command or subcommand"
        case .key: reason = "no permission to touch the specified keys"
        case .channel: reason = "no permission to access one of the channels used as arguments"
        }
        replyError(client, "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: \(reason)")
        return true
    }
}
