import RESP

public struct CommandFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let write = CommandFlags(rawValue: 1 << 0)
    public static let readonly = CommandFlags(rawValue: 1 << 1)
    public static let denyOOM = CommandFlags(rawValue: 1 << 2)
    public static let admin = CommandFlags(rawValue: 1 << 3)
    public static let pubsub = CommandFlags(rawValue: 1 << 4)
    public static let noscript = CommandFlags(rawValue: 1 << 5)
    public static let blocking = CommandFlags(rawValue: 1 << 6)
    public static let loading = CommandFlags(rawValue: 1 << 7)
    public static let stale = CommandFlags(rawValue: 1 << 8)
    public static let skipMonitor = CommandFlags(rawValue: 1 << 9)
    public static let skipSlowlog = CommandFlags(rawValue: 1 << 10)
    public static let fast = CommandFlags(rawValue: 1 << 11)
    public static let noAuth = CommandFlags(rawValue: 1 << 12)
    public static let mayReplicate = CommandFlags(rawValue: 1 << 13)
    public static let noMulti = CommandFlags(rawValue: 1 << 14)
    public static let allowBusy = CommandFlags(rawValue: 1 << 15)
    public static let sentinel = CommandFlags(rawValue: 1 << 16)
    public static let noMandatoryKeys = CommandFlags(rawValue: 1 << 17)
    /// Refused unless enable-debug-command allows it (DEBUG), as Redis's CMD_PROTECTED.
    public static let protected = CommandFlags(rawValue: 1 << 18)

    /// The names COMMAND INFO prints, in Redis's order.
    public static let names: [(CommandFlags, String)] = [
        (.write, "write"), (.readonly, "readonly"), (.denyOOM, "denyoom"), (.admin, "admin"),
        (.pubsub, "pubsub"), (.noscript, "noscript"), (.blocking, "blocking"), (.loading, "loading"),
        (.stale, "stale"), (.skipMonitor, "skip_monitor"), (.skipSlowlog, "skip_slowlog"), (.fast, "fast"),
        (.noAuth, "no_auth"), (.mayReplicate, "may_replicate"), (.noMulti, "no_multi"),
        (.allowBusy, "allow_busy"), (.noMandatoryKeys, "no_mandatory_keys"),
    ]
}

public typealias CommandHandler = (CommandContext) throws(CommandError) -> Void

/// Where a command's key arguments are: first, last (negative counts from the end) and step, as COMMAND INFO
/// reports them. `first == 0` means the command takes no keys.
public struct KeyPositions: Sendable {
    public var first: Int
    public var last: Int
    public var step: Int
    public static let none = KeyPositions(first: 0, last: 0, step: 0)
    public static let one = KeyPositions(first: 1, last: 1, step: 1)
    public static func all(from first: Int = 1) -> KeyPositions { KeyPositions(first: first, last: -1, step: 1) }
    public init(first: Int, last: Int, step: Int) { self.first = first; self.last = last; self.step = step }

    /// Indexes of the key arguments in a command of `argc` arguments.
    public func indexes(argc: Int) -> StrideTo<Int> {
        guard first > 0 else { return stride(from: 0, to: 0, by: 1) }
        let lastIndex = last < 0 ? argc + last : min(last, argc - 1)
        return stride(from: first, to: max(first, lastIndex + 1), by: max(step, 1))
    }
}

/// One entry of the command table. Subcommands (CONFIG GET, CLIENT LIST...) are Commands of their own,
/// named "parent|sub" as Redis 7 names them.
public final class Command {
    public let name: String
    public let fullName: String
    public let arity: Int
    public let flags: CommandFlags
    public let keys: KeyPositions
    public let categories: [String]
    public let group: String
    public let handler: CommandHandler
    public private(set) var subcommands: [String: Command] = [:]
    public weak var parent: Command?
    /// The command's bit in ACL selectors' command bitmaps, given at registration.
    public internal(set) var aclID = 0

    // commandstats
    public var calls = 0
    public var microseconds = 0
    public var rejectedCalls = 0
    public var failedCalls = 0
    /// Created at the first call timed while latency-tracking is on, as Redis does, so commands never run
    /// cost no memory and LATENCY HISTOGRAM lists only commands that ran.
    public var latencyHistogram: LatencyHistogram?

    public init(name: String, arity: Int, flags: CommandFlags, keys: KeyPositions = .none,
                categories: [String] = [], group: String = "generic", parentName: String? = nil,
                handler: @escaping CommandHandler) {
        self.name = name
        self.fullName = parentName.map { "\($0)|\(name)" } ?? name
        self.arity = arity
        self.flags = flags
        self.keys = keys
        self.categories = categories
        self.group = group
        self.handler = handler
    }

    public func addSubcommand(_ c: Command) {
        subcommands[c.name] = c
        c.parent = self
    }

    public func subcommand(_ name: UnsafeRawBufferPointer) -> Command? {
        subcommands[String(decoding: name, as: UTF8.self).lowercased()]
    }

    public var isWrite: Bool { flags.contains(.write) }
}

/// Case-insensitive name lookup without allocating: names are lowercased into a stack buffer and found in an
/// open-addressing table sized for a few hundred commands.
public struct CommandTable {
    /// Keyed by the name clients use, which rename-command can make differ from the command's own.
    private var slots: [(name: [UInt8], command: Command)?] = Array(repeating: nil, count: 1024)
    /// Every command as registered, whatever its current name.
    public private(set) var all: [Command] = []

    public init() {}

    public mutating func register(_ c: Command) {
        precondition(all.count < 700, "command table full")
        all.removeAll { $0.name == c.name }
        all.append(c)
        insert(Array(c.name.utf8), c)
    }

    /// rename-command's new name for an existing command.
    public mutating func register(_ c: Command, as name: String) {
        insert(Array(name.lowercased().utf8), c)
    }

    /// Drops a name from the table (the command stays in `all`, as Redis keeps its original table).
    public mutating func remove(_ name: String) {
        let key = Array(name.lowercased().utf8)
        let kept = slots.compactMap { $0 }.filter { $0.name != key }
        slots = Array(repeating: nil, count: 1024)
        for entry in kept { insert(entry.name, entry.command) }
    }

    private mutating func insert(_ key: [UInt8], _ c: Command) {
        var i = Self.slot(for: key)
        while let existing = slots[i], existing.name != key { i = (i + 1) & 1023 }
        slots[i] = (key, c)
    }

    public func lookup(_ name: UnsafeRawBufferPointer) -> Command? {
        guard name.count > 0 && name.count <= 32 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buf in
            for k in 0..<name.count {
                let c = name[k]
                buf[k] = (c >= 65 && c <= 90) ? c | 0x20 : c
            }
            let lower = UnsafeRawBufferPointer(start: buf.baseAddress, count: name.count)
            var i = Self.slot(for: lower)
            while let entry = slots[i] {
                let same = entry.name.withUnsafeBytes { bytesEqual($0, lower) }
                if same { return entry.command }
                i = (i + 1) & 1023
            }
            return nil
        }
    }

    public func lookup(_ name: String) -> Command? {
        var n = name
        return n.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }
    }

    private static func slot(for name: [UInt8]) -> Int { name.withUnsafeBytes { slot(for: $0) } }

    private static func slot(for name: UnsafeRawBufferPointer) -> Int {
        // FNV-1a: stable across runs, and command names are not attacker-chosen keys.
        var h: UInt32 = 2_166_136_261
        for c in name { h = (h ^ UInt32(c)) &* 16_777_619 }
        return Int(h & 1023)
    }
}

/// What a handler gets: the engine, the calling client and its arguments.
public struct CommandContext {
    public let engine: Engine
    public let client: ClientSession
    public let args: Args
    public let command: Command

    @inlinable public var db: Database { engine.dbs[client.db] }

    /// The client's reply buffer, written in place.
    @inlinable public var out: ReplyWriter {
        get { client.reply }
        nonmutating _modify { yield &client.reply }
    }

    /// The command's name for error texts ("get", "config|set").
    public var name: String { command.fullName }
}
