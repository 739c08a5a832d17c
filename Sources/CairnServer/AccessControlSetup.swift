#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine

/// The server's part of ACLs: users from the config file or the aclfile, ACL LOAD and SAVE, rename-command,
/// protected mode, and the hooks the engine calls to describe and disconnect clients.
extension Server {
    func installAccessControl() {
        engine.clientInfo = { [unowned self] session in
            connectionsByID[session.id].map { clientInfoLine($0) } ?? ""
        }
        engine.disconnectClients = { [unowned self] picked in
            for conn in Array(connectionsByID.values) where !conn.session.closeAfterReply && picked(conn.session) {
                closeConnection(conn)
            }
        }
        config.currentUserLines = { [unowned self] in settings.aclFile.isEmpty ? engine.acl.listing : [] }
        registerACLFileCommands()
    }

    /// Startup: requirepass, then `rename-command` and `user` lines in file order, then the aclfile. Returns the
    /// report to print before exiting, or nil.
    func loadAccessControl() -> String? {
        applyACLSettings()
        engine.acl.setDefaultPassword(settings.requirePass.isEmpty ? nil : Bytes(settings.requirePass.utf8))
        var configured: [String: [Bytes]] = [:]
        var order: [String] = []
        for line in config.deferredLines {
            if line.directive == "rename-command" {
                guard line.args.count == 2 else { return config.fatalReport(line, "wrong number of arguments").message }
                if let problem = engine.renameCommand(line.args[0], to: line.args[1]) {
                    return config.fatalReport(line, problem).message
                }
                continue
            }
            let name = line.args[0]
            if configured[name] != nil {
                return config.fatalReport(line, "Error in user declaration '\(name)': Duplicate user found. A user can only be defined once in config files").message
            }
            configured[name] = line.args.dropFirst().map { Bytes($0.utf8) }
            order.append(name)
        }
        if !configured.isEmpty && !settings.aclFile.isEmpty {
            log.warning("Configuring Cairn with users defined in the config file and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your config file, but not both.")
            return ""
        }
        for name in order {
            if let error = engine.setACLUser(name, configured[name]!, fresh: true) {
                log.warning("Error loading ACL rule for the user named '\(name)': \(error.dropFirst(4))")
                log.warning("Critical error while loading ACLs. Exiting.")
                return ""
            }
            if !engine.acl.user(name)!.enabled {
                log.notice("The user '\(name)' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.")
            }
        }
        if !settings.aclFile.isEmpty, let error = loadACLFile() {
            log.warning("Aborting Cairn startup because of ACL errors: \(error)")
            return ""
        }
        return nil
    }

    /// acllog-max-len and acl-pubsub-default, read by the engine when it logs and creates users.
    func applyACLSettings() {
        engine.acl.logMaxLength = settings.aclLogMaxLen
        engine.acl.pubsubDefaultAll = settings.aclPubsubDefault == .allchannels
        engine.acl.file = settings.aclFile
    }

    /// Replaces every user with the aclfile's; clients of users that disappeared are disconnected. Returns
    /// Redis's error text on failure, when nothing changed.
    func loadACLFile() -> String? {
        let path = settings.aclFile
        guard let text = try? ConfigFile.read(path: path) else {
            return "Error loading ACLs, opening file '\(path)': \(String(cString: strerror(errno)))"
        }
        switch engine.loadUsers(text, fileName: path) {
        case .failure(let e): return e.message
        case .success(let gone):
            engine.disconnectClients? { session in gone.contains { $0 === session.user } }
            engine.dropSubscribersLosingChannels()
            return nil
        }
    }

    func registerACLFileCommands() {
        guard let container = engine.commands.lookup("acl") else { return }
        let flags: CommandFlags = [.admin, .noscript, .loading, .stale]
        let noFile = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."
        engine.register("load", arity: 2, flags: flags, group: "server", parent: container) { [unowned self] ctx throws(CommandError) in
            guard !settings.aclFile.isEmpty else { throw CommandError(noFile) }
            if let error = loadACLFile() { throw CommandError("ERR " + error) }
            ctx.out.ok()
        }
        engine.register("save", arity: 2, flags: flags, group: "server", parent: container) { [unowned self] ctx throws(CommandError) in
            guard !settings.aclFile.isEmpty else { throw CommandError(noFile) }
            let text = engine.acl.listing.map { $0 + "\n" }.joined()
            if let code = ConfigRegistry.replaceFile(settings.aclFile, with: text) {
                log.warning("Writing ACL file for ACL SAVE: \(String(cString: strerror(code)))")
                throw CommandError("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
            }
            ctx.out.ok()
        }
    }

    /// protected-mode: with no password for the default user, only loopback and unix-socket clients are served.
    func refusedByProtectedMode(_ peer: String, unix: Bool) -> Bool {
        settings.protectedMode && !unix && engine.acl.defaultUser.nopass && !ClientSession.isLoopback(peer)
    }

    /// Redis's words, typo included: clients show this text to the people who must act on it.
    static let protectedModeError = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"
}
