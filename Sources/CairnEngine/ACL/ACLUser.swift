import RESP

/// Why an ACL rule was refused, with Redis's explanation for each (ACL SETUSER and ACL files show them).
public enum ACLRuleError: Error, Sendable {
    case syntax, unknownName, keyAfterAll, channelAfterAll, noSuchPassword, badHash, firstArgOfSubcommand

    public var message: String {
        switch self {
        case .syntax: return "Syntax error"
        case .unknownName: return "Unknown command or category name in ACL"
        case .keyAfterAll:
            return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
        case .channelAfterAll:
            return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
        case .noSuchPassword: return "The password you are trying to remove from the user does not exist"
        case .badHash: return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
        case .firstArgOfSubcommand: return "Allowing first-arg of a subcommand is not supported"
        }
    }
}

/// Key pattern permissions: `%R~` reads, `%W~` writes, `~` both.
struct ACLKeyPermission: OptionSet, Sendable {
    let rawValue: UInt8
    static let read = ACLKeyPermission(rawValue: 1)
    static let write = ACLKeyPermission(rawValue: 2)
    static let all: ACLKeyPermission = [.read, .write]
}

/// One set of command, key and channel permissions. A user has a root selector and, with `(...)` rules,
/// more; a command is allowed when any selector allows all of it.
struct ACLSelector {
    /// One bit per command ID; the last bit is never a command: only +@all sets it, so it records that the
    /// selector also allows commands added later (and ACL LIST starts with +@all rather than -@all).
    static let words = 16
    static let futureBit = words * 64 - 1

    var allowed = [UInt64](repeating: 0, count: words)
    var allCommands = false
    var allKeys = false
    var allChannels = false
    var keyPatterns: [(pattern: Bytes, permission: ACLKeyPermission)] = []
    var channels: [Bytes] = []
    /// The +/- command and category rules since the last +@all/-@all, in order, lowercased, each rule kept
    /// once: replaying them reproduces the bitmap, which is how Redis describes a selector.
    var commandRules: [String] = []
    /// Allowed first arguments of otherwise denied commands (`+select|0`), by command ID.
    var firstArgs: [Int: [String]] = [:]

    func allows(_ id: Int) -> Bool { allowed[id >> 6] & (1 << UInt64(id & 63)) != 0 }

    /// A channel the selector's patterns match, or a subscription pattern one of them equals (patterns are
    /// granted literally, so `&news.*` does not grant PSUBSCRIBE `news*`).
    func grants(channel: UnsafeRawBufferPointer, literal: Bool) -> Bool {
        allChannels || channels.contains { p in
            p.withUnsafeBytes { literal ? bytesEqual($0, channel) : globMatch(pattern: $0, string: channel, nocase: false) }
        }
    }

    mutating func setBit(_ id: Int, _ on: Bool) {
        if on {
            allowed[id >> 6] |= 1 << UInt64(id & 63)
        } else {
            allowed[id >> 6] &= ~(1 << UInt64(id & 63))
            allCommands = false
        }
    }

    /// A command and its subcommands, as Redis's ACLChangeSelectorPerm.
    mutating func change(_ cmd: Command, _ on: Bool) {
        setBit(cmd.aclID, on)
        firstArgs[cmd.aclID] = nil
        for sub in cmd.subcommands.values { setBit(sub.aclID, on) }
    }

    mutating func record(_ rule: String, allow: Bool) {
        let rule = rule.lowercased()
        commandRules.removeAll { existing in
            let body = existing.dropFirst()
            return body == rule || body.hasPrefix(rule + "|")
        }
        commandRules.append((allow ? "+" : "-") + rule)
    }

    mutating func apply(_ op: Bytes, _ index: ACLCommandIndex) throws(ACLRuleError) {
        let text = String(decoding: op, as: UTF8.self)
        let lower = text.lowercased()
        switch lower {
        case "allkeys", "~*":
            allKeys = true
            keyPatterns = []
            return
        case "resetkeys":
            allKeys = false
            keyPatterns = []
            return
        case "allchannels", "&*":
            allChannels = true
            channels = []
            return
        case "resetchannels":
            allChannels = false
            channels = []
            return
        case "allcommands", "+@all":
            allowed = [UInt64](repeating: ~0, count: Self.words)
            allCommands = true
            commandRules = []
            firstArgs = [:]
            return
        case "nocommands", "-@all":
            allowed = [UInt64](repeating: 0, count: Self.words)
            allCommands = false
            commandRules = []
            firstArgs = [:]
            return
        default:
            break
        }
        guard let first = op.first else { return }
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "%"):
            try addKeyPattern(op)
        case UInt8(ascii: "&"):
            if allChannels { throw .channelAfterAll }
            let pattern = Bytes(op.dropFirst())
            if ACLUser.hasSpaces(pattern) { throw .syntax }
            if !channels.contains(pattern) { channels.append(pattern) }
            allChannels = false
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let allow = first == UInt8(ascii: "+")
            let name = String(text.dropFirst())
            if name.hasPrefix("@") {
                guard let members = index.category(String(name.dropFirst())) else { throw .unknownName }
                record(name, allow: allow)
                for cmd in members { change(cmd, allow) }
            } else if allow, let bar = name.lastIndex(of: "|") {
                try allowFirstArg(name, bar: bar, index)
            } else {
                guard let cmd = index.command(name) else { throw .unknownName }
                change(cmd, allow)
                record(cmd.fullName, allow: allow)
            }
        default:
            throw .syntax
        }
    }

    private mutating func addKeyPattern(_ op: Bytes) throws(ACLRuleError) {
        if allKeys { throw .keyAfterAll }
        var permission: ACLKeyPermission = []
        var offset = 1
        if op[0] == UInt8(ascii: "%") {
            // Running out of bytes before "~" leaves an empty pattern, as Redis does.
            while offset < op.count {
                let c = op[offset] & ~0x20
                if c == UInt8(ascii: "R") && !permission.contains(.read) {
                    permission.insert(.read)
                } else if c == UInt8(ascii: "W") && !permission.contains(.write) {
                    permission.insert(.write)
                } else if op[offset] == UInt8(ascii: "~") && !permission.isEmpty {
                    offset += 1
                    break
                } else {
                    throw .syntax
                }
                offset += 1
            }
            // A lone "%" grants nothing Redis could describe again (it panics listing it): refuse it.
            if permission.isEmpty { throw .syntax }
        } else {
            permission = .all
        }
        let pattern = Bytes(op[offset...])
        if ACLUser.hasSpaces(pattern) { throw .syntax }
        if let i = keyPatterns.firstIndex(where: { $0.pattern == pattern }) {
            keyPatterns[i].permission.formUnion(permission)
        } else {
            keyPatterns.append((pattern, permission))
        }
        allKeys = false
    }

    /// `+cmd|sub`: a subcommand when the command has them, otherwise an allowed first argument.
    private mutating func allowFirstArg(_ name: String, bar: String.Index, _ index: ACLCommandIndex) throws(ACLRuleError) {
        let base = String(name[..<bar])
        let sub = String(name[name.index(after: bar)...])
        guard let cmd = index.command(base) else { throw .unknownName }
        if cmd.parent != nil { throw .firstArgOfSubcommand }
        if sub.isEmpty { throw .syntax }
        if !cmd.subcommands.isEmpty {
            guard let subcommand = index.command(name) else { throw .unknownName }
            change(subcommand, true)
        } else {
            var list = firstArgs[cmd.aclID] ?? []
            if !list.contains(where: { $0.lowercased() == sub.lowercased() }) { list.append(sub) }
            firstArgs[cmd.aclID] = list
        }
        record(name, allow: true)
    }

    /// The rules ACL LIST and GETUSER show: +@all or -@all, then the retained rules.
    var commandDescription: String {
        ([allows(Self.futureBit) ? "+@all" : "-@all"] + commandRules).joined(separator: " ")
    }

    static func describe(_ p: (pattern: Bytes, permission: ACLKeyPermission)) -> String {
        let prefix = p.permission == .all ? "~" : (p.permission == .read ? "%R~" : "%W~")
        return prefix + String(decoding: p.pattern, as: UTF8.self)
    }

    var keysDescription: String {
        allKeys ? "~*" : keyPatterns.map(Self.describe).joined(separator: " ")
    }

    var channelsDescription: String {
        allChannels ? "&*" : channels.map { "&" + String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    /// The selector as ACL rules, in Redis's order: keys, channels, commands.
    var description: String {
        var parts: [String] = []
        if allKeys { parts.append("~*") } else { parts += keyPatterns.map(Self.describe) }
        if allChannels {
            parts.append("&*")
        } else {
            parts.append("resetchannels")
            parts += channels.map { "&" + String(decoding: $0, as: UTF8.self) }
        }
        parts.append(commandDescription)
        return parts.joined(separator: " ")
    }
}

/// What a user is: flags, password hashes and selectors. SETUSER changes a copy and stores it only when every
/// rule was accepted, so a refused rule changes nothing.
struct ACLUserRules {
    var enabled = false
    var nopass = false
    var skipSanitizePayload = false
    /// Hex SHA-256 hashes, in the order they were added.
    var passwords: [String] = []
    var selectors = [ACLSelector()]

    mutating func apply(_ op: Bytes, _ index: ACLCommandIndex, pubsubDefaultAll: Bool) throws(ACLRuleError) {
        guard let first = op.first else { return }
        switch String(decoding: op, as: UTF8.self).lowercased() {
        case "on": enabled = true
        case "off": enabled = false
        case "skip-sanitize-payload": skipSanitizePayload = true
        case "sanitize-payload": skipSanitizePayload = false
        case "nopass":
            nopass = true
            passwords = []
        case "resetpass":
            nopass = false
            passwords = []
        case "clearselectors":
            selectors.removeSubrange(1...)
        case "reset":
            self = ACLUserRules()
            if pubsubDefaultAll { selectors[0].allChannels = true }
        default:
            switch first {
            case UInt8(ascii: ">"), UInt8(ascii: "#"):
                let hash = first == UInt8(ascii: ">") ? SHA256.hex(op.dropFirst()) : try Self.checkedHash(op)
                if !passwords.contains(hash) { passwords.append(hash) }
                nopass = false
            case UInt8(ascii: "<"), UInt8(ascii: "!"):
                let hash = first == UInt8(ascii: "<") ? SHA256.hex(op.dropFirst()) : try Self.checkedHash(op)
                guard let i = passwords.firstIndex(of: hash) else { throw .noSuchPassword }
                passwords.remove(at: i)
            case UInt8(ascii: "(") where op.last == UInt8(ascii: ")"):
                var selector = ACLSelector()
                selector.allChannels = pubsubDefaultAll
                guard let inner = InlineSplitter.split(Array(op.dropFirst().dropLast())) else { throw .syntax }
                for rule in inner { try selector.apply(rule, index) }
                selectors.append(selector)
            default:
                try selectors[0].apply(op, index)
            }
        }
    }

    static func checkedHash(_ op: Bytes) throws(ACLRuleError) -> String {
        let hash = op.dropFirst()
        guard hash.count == 64, hash.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw .badHash
        }
        return String(decoding: hash, as: UTF8.self)
    }

    var flagNames: [String] {
        var flags = [enabled ? "on" : "off"]
        if nopass { flags.append("nopass") }
        flags.append(skipSanitizePayload ? "skip-sanitize-payload" : "sanitize-payload")
        return flags
    }

    /// ACL LIST's form (after "user <name> "), which ACL files and `user` directives read back.
    var description: String {
        var parts = flagNames
        parts += passwords.map { "#" + $0 }
        parts.append(selectors[0].description)
        for s in selectors.dropFirst() { parts.append("(" + s.description + ")") }
        return parts.joined(separator: " ")
    }
}

/// An ACL user. Clients hold their user, so a change to it applies to them at their next command.
public final class ACLUser {
    public let name: String
    var rules: ACLUserRules {
        didSet { unrestricted = Self.isUnrestricted(rules) }
    }
    /// Every command on every key and channel: the check the hot path makes before anything else.
    public private(set) var unrestricted: Bool

    init(name: String, rules: ACLUserRules = ACLUserRules()) {
        self.name = name
        self.rules = rules
        unrestricted = Self.isUnrestricted(rules)
    }

    private static func isUnrestricted(_ r: ACLUserRules) -> Bool {
        let root = r.selectors[0]
        return root.allCommands && root.allKeys && root.allChannels
    }

    public var enabled: Bool { rules.enabled }
    public var nopass: Bool { rules.nopass }

    /// Whether `password` logs this user in (a disabled user never logs in).
    func accepts(_ password: Bytes) -> Bool {
        guard rules.enabled else { return false }
        if rules.nopass { return true }
        let hash = Array(SHA256.hex(password).utf8)
        // Compare every stored hash in full, so the time taken says nothing about how close a guess was.
        var match = false
        for stored in rules.passwords {
            var diff: UInt8 = 0
            for (a, b) in zip(stored.utf8, hash) { diff |= a ^ b }
            if diff == 0 { match = true }
        }
        return match
    }

    static func hasSpaces(_ s: some Collection<UInt8>) -> Bool {
        s.contains { $0 == 0 || $0 == 32 || ($0 >= 9 && $0 <= 13) }
    }
}
