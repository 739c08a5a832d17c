import RESP

/// Commands by the names ACL rules use, which are the original ones whatever rename-command did, and the
/// commands of each category.
struct ACLCommandIndex {
    private var byName: [String: Command] = [:]
    private var byCategory: [String: [Command]] = [:]

    init(_ commands: [Command]) {
        for name in Command.aclCategoryOrder { byCategory[String(name.dropFirst())] = [] }
        func add(_ c: Command) {
            byName[c.fullName] = c
            for category in c.aclCategories { byCategory[String(category.dropFirst()), default: []].append(c) }
            for sub in c.subcommands.values { add(sub) }
        }
        for c in commands { add(c) }
    }

    func command(_ name: String) -> Command? { byName[name.lowercased()] }

    /// Nil for a name that is no category; a known category may have no command.
    func category(_ name: String) -> [Command]? { byCategory[name.lowercased()] }

    /// ACL CAT: every category, in Redis's order.
    static var categoryNames: [String] { Command.aclCategoryOrder.map { String($0.dropFirst()) } }
}

/// Why ACL refused a command: the command itself, or the argument (key or channel) at an index.
public enum ACLDenial: Equatable, Sendable {
    case command
    case key(Int)
    case channel(Int)

    /// Redis's order of relevance when every selector refuses: a channel, then a key, then the command.
    var rank: Int {
        switch self {
        case .command: return 1
        case .key: return 2
        case .channel: return 4
        }
    }

    var index: Int {
        switch self {
        case .command: return 0
        case .key(let i), .channel(let i): return i
        }
    }

    var reason: String {
        switch self {
        case .command: return "command"
        case .key: return "key"
        case .channel: return "channel"
        }
    }
}

/// One ACL LOG entry; repeated denials of the same kind within a minute update one entry.
struct ACLLogEntry {
    var count = 1
    let reason: String
    let context: String
    let object: Bytes
    let username: String
    var updatedMs: Int64
    var clientInfo: String
    let entryID: Int
    let createdMs: Int64
}

/// The users, the ACL LOG and the ACL counters INFO reports.
public final class AccessControl {
    public private(set) var users: [String: ACLUser] = [:]
    /// Survives ACL LOAD, which changes its rules in place, so connections keep it.
    public let defaultUser: ACLUser
    var log: [ACLLogEntry] = []
    private var nextEntryID = 0
    public var logMaxLength = 128
    /// acl-pubsub-default allchannels: new and reset users may use every channel.
    public var pubsubDefaultAll = false
    /// aclfile; empty when users come from the config file.
    public var file = ""
    public internal(set) var deniedAuth = 0
    public internal(set) var deniedCommand = 0
    public internal(set) var deniedKey = 0
    public internal(set) var deniedChannel = 0

    /// Runs whatever it is given and belongs to no list: the AOF loader's client (and a replica's primary)
    /// replays what the server already accepted, as Redis's clients without a user do.
    public let superuser = ACLUser(name: "default", rules: AccessControl.defaultRules)

    static var defaultRules: ACLUserRules {
        var rules = ACLUserRules()
        rules.enabled = true
        rules.nopass = true
        rules.selectors[0].allCommands = true
        rules.selectors[0].allowed = [UInt64](repeating: ~0, count: ACLSelector.words)
        rules.selectors[0].allKeys = true
        rules.selectors[0].allChannels = true
        return rules
    }

    init() {
        defaultUser = ACLUser(name: "default", rules: Self.defaultRules)
        users["default"] = defaultUser
    }

    public func user(_ name: String) -> ACLUser? { users[name] }

    /// Whether a connection must log in: the default user needs a password or is disabled. Otherwise even a
    /// client that connected while it did may run commands, as in Redis.
    public var authRequired: Bool { !defaultUser.nopass || !defaultUser.enabled }

    /// requirepass: the default user's only password, or none (nopass) when empty.
    public func setDefaultPassword(_ password: Bytes?) {
        var rules = defaultUser.rules
        rules.passwords = password.map { [SHA256.hex($0)] } ?? []
        rules.nopass = password == nil
        defaultUser.rules = rules
    }

    func newRules() -> ACLUserRules {
        var rules = ACLUserRules()
        if pubsubDefaultAll { rules.selectors[0].allChannels = true }
        return rules
    }

    /// Applies rules to a user, creating it if needed; nothing changes when a rule is refused. Returns the
    /// error text ACL SETUSER replies with.
    /// `fresh` starts from a new user's rules even when the user exists (a `user` directive for default).
    func setUser(_ name: String, _ ops: [Bytes], fresh: Bool = false, index: ACLCommandIndex) -> String? {
        let merged: [Bytes]
        switch Self.mergeSelectors(ops) {
        case .success(let m): merged = m
        case .failure(let start):
            return "ERR Unmatched parenthesis in acl selector starting at '\(String(decoding: start.op, as: UTF8.self))'."
        }
        var rules = fresh ? newRules() : (users[name]?.rules ?? newRules())
        for op in merged {
            do {
                try rules.apply(op, index, pubsubDefaultAll: pubsubDefaultAll)
            } catch {
                return "ERR Error in ACL SETUSER modifier '\(String(decoding: op, as: UTF8.self))': \(error.message)"
            }
        }
        if let existing = users[name] { existing.rules = rules } else { users[name] = ACLUser(name: name, rules: rules) }
        return nil
    }

    struct UnmatchedSelector: Error { let op: Bytes }

    /// Joins the arguments of a selector split over several arguments ("(~key", "+get)") into one rule.
    static func mergeSelectors(_ ops: [Bytes]) -> Result<[Bytes], UnmatchedSelector> {
        var merged: [Bytes] = []
        var open: Bytes? = nil
        var openStart: Bytes = []
        for op in ops {
            if open == nil, op.first == UInt8(ascii: "("), op.last != UInt8(ascii: ")") {
                open = op
                openStart = op
                continue
            }
            if var partial = open {
                partial.append(32)
                partial += op
                if op.last == UInt8(ascii: ")") {
                    merged.append(partial)
                    open = nil
                } else {
                    open = partial
                }
                continue
            }
            merged.append(op)
        }
        if open != nil { return .failure(UnmatchedSelector(op: openStart)) }
        return .success(merged)
    }

    /// Removes users; returns how many existed. The caller disconnects their clients.
    func deleteUsers(_ names: [String]) -> [ACLUser] {
        names.compactMap { users.removeValue(forKey: $0) }
    }

    /// Replaces every user at once (ACL LOAD and `user` directives): the default user keeps its identity and
    /// takes the loaded rules (or the built-in ones when the file does not name it). Returns users that no
    /// longer exist.
    func replaceUsers(_ loaded: [String: ACLUserRules]) -> [ACLUser] {
        let gone = users.values.filter { $0 !== defaultUser && loaded[$0.name] == nil }
        var fresh: [String: ACLUser] = ["default": defaultUser]
        defaultUser.rules = loaded["default"] ?? Self.defaultRules
        for (name, rules) in loaded where name != "default" {
            if let existing = users[name] { existing.rules = rules; fresh[name] = existing }
            else { fresh[name] = ACLUser(name: name, rules: rules) }
        }
        users = fresh
        return gone
    }

    /// Parses ACL file text ("user <name> <rules>..." lines) into rules per user, or Redis's error report.
    func parseUsers(_ text: String, fileName: String, _ index: ACLCommandIndex) -> Result<[String: ACLUserRules], ACLFileError> {
        var loaded: [String: ACLUserRules] = [:]
        var errors = ""
        let whitespace: Set<UInt8> = [9, 10, 13, 32]
        for (i, raw) in Array(text.utf8).split(separator: 10, omittingEmptySubsequences: false).enumerated() {
            let lineNumber = i + 1
            guard let start = raw.firstIndex(where: { !whitespace.contains($0) }),
                  let end = raw.lastIndex(where: { !whitespace.contains($0) }) else { continue }
            let line = raw[start...end]
            let argv = line.split(separator: 32).map { Bytes($0) }
            guard argv.count >= 2, argv[0] == Bytes("user".utf8) else {
                errors += "\(fileName):\(lineNumber) should start with user keyword followed by the username. "
                continue
            }
            let name = String(decoding: argv[1], as: UTF8.self)
            if ACLUser.hasSpaces(argv[1]) {
                errors += "'\(fileName):\(lineNumber): username '\(name)' contains invalid characters. "
                continue
            }
            if loaded[name] != nil {
                errors += "WARNING: Duplicate user '\(name)' found on line \(lineNumber). "
                continue
            }
            var rules = newRules()
            guard case .success(let ops) = Self.mergeSelectors(Array(argv[2...])) else {
                errors += "\(fileName):\(lineNumber): Unmatched parenthesis in selector definition."
                continue
            }
            var syntaxReported = false
            for op in ops {
                do {
                    try rules.apply(op, index, pubsubDefaultAll: pubsubDefaultAll)
                } catch {
                    if case .unknownName = error {
                        errors += "\(fileName):\(lineNumber): Error in applying operation '\(String(decoding: op, as: UTF8.self))': \(error.message). "
                    } else if !syntaxReported {
                        errors += "\(fileName):\(lineNumber): \(error.message). "
                        syntaxReported = true
                    }
                }
            }
            loaded[name] = rules
        }
        if !errors.isEmpty {
            return .failure(ACLFileError(message: errors + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed"))
        }
        return .success(loaded)
    }

    /// The ACL file text ACL SAVE writes: ACL LIST's lines, users by name.
    public var listing: [String] {
        users.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { "user \($0) \(users[$0]!.rules.description)" }
    }

    // MARK: ACL LOG

    func addLogEntry(reason: String, context: String, object: Bytes, username: String, now: Int64, clientInfo: String) {
        switch reason {
        case "auth": deniedAuth += 1
        case "command": deniedCommand += 1
        case "key": deniedKey += 1
        default: deniedChannel += 1
        }
        guard logMaxLength > 0 else {
            log.removeAll()
            return
        }
        for i in log.indices.prefix(10) {
            let e = log[i]
            if e.reason == reason && e.context == context && abs(e.updatedMs - now) <= 60_000
                && e.object == object && e.username == username {
                var updated = log.remove(at: i)
                updated.count += 1
                updated.updatedMs = now
                updated.clientInfo = clientInfo
                log.insert(updated, at: 0)
                return
            }
        }
        log.insert(ACLLogEntry(reason: reason, context: context, object: object, username: username, updatedMs: now,
                               clientInfo: clientInfo, entryID: nextEntryID, createdMs: now), at: 0)
        nextEntryID += 1
        if log.count > logMaxLength { log.removeSubrange(logMaxLength...) }
    }
}

public struct ACLFileError: Error, Sendable {
    public let message: String
}
