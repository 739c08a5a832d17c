#if canImport(Glibc)
import Glibc
#endif
import CairnEngine
import CairnPersistence

// MARK: - Values of the structured directives

public enum LogVerbosity: String, CaseIterable, Sendable {
    case debug, verbose, notice, warning, nothing
}

public enum AppendFsync: String, CaseIterable, Sendable {
    case everysec, always, no
}

/// Who may use a dangerous feature (DEBUG, MODULE, CONFIG SET of protected directives).
public enum ProtectedAccess: String, CaseIterable, Sendable {
    case no, yes, local
}

/// acl-pubsub-default: whether new users may use every Pub/Sub channel.
public enum ACLPubsubDefault: String, CaseIterable, Sendable {
    case resetchannels, allchannels
}

/// One `save <seconds> <changes>` point: snapshot when at least `changes` writes happened in `seconds`.
public struct SavePoint: Equatable, Sendable {
    public var seconds: Int
    public var changes: Int
    public init(seconds: Int, changes: Int) { self.seconds = seconds; self.changes = changes }
}

/// Output buffer limits of one client class: `hard` bytes disconnect at once, more than `soft` bytes for
/// `softSeconds` in a row disconnect too. Zero disables a limit.
public struct ClientOutputLimit: Equatable, Sendable {
    public var hard: Int
    public var soft: Int
    public var softSeconds: Int
    public init(hard: Int, soft: Int, softSeconds: Int) { self.hard = hard; self.soft = soft; self.softSeconds = softSeconds }
}

public struct ClientOutputLimits: Equatable, Sendable {
    public var normal = ClientOutputLimit(hard: 0, soft: 0, softSeconds: 0)
    public var replica = ClientOutputLimit(hard: 256 << 20, soft: 64 << 20, softSeconds: 60)
    public var pubsub = ClientOutputLimit(hard: 32 << 20, soft: 8 << 20, softSeconds: 60)
    public init() {}
}


public struct ReplicaOfTarget: Equatable, Sendable {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) { self.host = host; self.port = port }
}

// MARK: - Settings

/// Every configured value as a plain stored property, read directly on hot paths (`settings.hz`).
/// The initial values are the defaults: a directive's default is what its storage holds when registered.
/// Only the registry should write these while the server runs, so CONFIG GET and REWRITE stay truthful.
public final class ServerSettings {
    // Network and clients
    public var bind = ["127.0.0.1", "-::1"]
    public var port = 6379
    public var unixSocket = ""
    public var unixSocketPerm = 0
    public var tcpBacklog = 511
    public var timeout = 0
    public var tcpKeepalive = 300
    public var protectedMode = true
    public var maxClients = 10000
    /// Cairn's own: how long the event loop keeps polling for more work after a turn that had some, before it
    /// sleeps in the kernel (see EventLoop.poll).
    public var busyPollMicros = 50
    public var requirePass = ""
    public var aclFile = ""
    public var aclLogMaxLen = 128
    public var aclPubsubDefault = ACLPubsubDefault.resetchannels
    public var clientOutputLimits = ClientOutputLimits()
    public var clientQueryBufferLimit = 1 << 30
    public var protoMaxBulkLen = 512 << 20

    // Process
    public var daemonize = false
    public var pidFile = ""
    /// CPU lists of the event loop, the AOF writer, AOF rewrites and snapshots (ThreadPlacement); "" = unset.
    public var serverCpulist = ""
    public var bioCpulist = ""
    public var aofRewriteCpulist = ""
    public var bgsaveCpulist = ""
    public var logLevel = LogVerbosity.notice
    public var logFile = ""
    public var databases = 16
    /// Clamped to 1...500 as Redis does, whether set from the file or with CONFIG SET.
    public var hz = 10 {
        didSet { hz = min(max(hz, 1), 500) }
    }
    public var dynamicHz = true
    public var enableDebugCommand = ProtectedAccess.no
    public var enableProtectedConfigs = ProtectedAccess.no

    // Persistence and replication
    public var dbFilename = "dump.rdb"
    public var savePoints = [SavePoint(seconds: 3600, changes: 1), SavePoint(seconds: 300, changes: 100),
                             SavePoint(seconds: 60, changes: 10000)]
    public var rdbCompression = true
    public var rdbChecksum = true
    /// Cairn's own: 10 writes dumps Redis 7.0 can load (listpack sets go out as plain sets).
    public var rdbVersion = 11
    public var stopWritesOnBgsaveError = true
    public var rdbSaveIncrementalFsync = true
    public var appendOnly = false
    public var appendFilename = "appendonly.aof"
    public var appendDirname = "appendonlydir"
    public var appendFsync = AppendFsync.everysec
    public var noAppendfsyncOnRewrite = false
    public var autoAofRewritePercentage = 100
    public var autoAofRewriteMinSize = 64 << 20
    public var aofLoadTruncated = true
    public var aofUseRdbPreamble = true
    public var aofTimestampEnabled = false
    public var aofRewriteIncrementalFsync = true
    public var replicaOf: ReplicaOfTarget?
    public let replication = ReplicationSettings()

    // Memory
    public var maxmemory = 0
    public var maxmemoryPolicy = EvictionPolicy.noeviction
    public var maxmemorySamples = 5
    public var maxmemoryEvictionTenacity = 10
    public var maxmemoryClients = 0
    public var lfuLogFactor = 10
    public var lfuDecayTime = 1
    public var lazyfreeLazyEviction = false
    public var lazyfreeLazyExpire = false
    public var lazyfreeLazyServerDel = false
    public var lazyfreeLazyUserDel = false
    public var lazyfreeLazyUserFlush = false
    public var replicaLazyFlush = false

    // Diagnostics and events
    public var slowlogLogSlowerThan = 10000
    public var slowlogMaxLen = 128
    public var latencyMonitorThreshold = 0
    public var latencyTracking = true
    public var latencyTrackingInfoPercentiles: [Double] = [50, 99, 99.9]
    public var notifyKeyspaceEvents: KeyspaceEventClasses = []

    // Encodings
    public var hllSparseMaxBytes = 3000
    public var listMaxListpackSize = -2
    public var listCompressDepth = 0
    public var hashMaxListpackEntries = 512
    public var hashMaxListpackValue = 64
    public var setMaxIntsetEntries = 512
    public var setMaxListpackEntries = 128
    public var setMaxListpackValue = 64
    public var zsetMaxListpackEntries = 128
    public var zsetMaxListpackValue = 64
    public var streamNodeMaxBytes = 4096
    public var streamNodeMaxEntries = 100

    public init() {}
}

// MARK: - Directives

public struct ConfigFlags: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Only the config file and the command line may set it.
    public static let immutable = ConfigFlags(rawValue: 1 << 0)
    /// CONFIG SET refuses it unless enable-protected-configs allows: it can make the server write anywhere.
    public static let protected = ConfigFlags(rawValue: 1 << 1)
    /// Its value must not show in SLOWLOG, MONITOR or logs.
    public static let sensitive = ConfigFlags(rawValue: 1 << 2)
}

/// Why a value was refused: the text after "argument 'x' - " in CONFIG SET replies, or the last line of a
/// fatal config file report.
public struct ConfigValueError: Error, Equatable, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// An error for the user: for the CONFIG commands, the reply line ("ERR ..."); for loading, the whole text
/// to print to standard error before exiting with status 1.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One line CONFIG REWRITE wants in the file. `force` puts it there even if the file did not mention the
/// directive: Redis forces values that differ from the default.
public struct RewriteLine: Equatable, Sendable {
    public let text: String
    public let force: Bool
    public init(_ text: String, force: Bool) { self.text = text; self.force = force }
}

/// A directive: names, flags, and type-erased access to a typed value held elsewhere (usually a
/// ServerSettings property).
public final class ConfigDirective {
    public let name: String
    public let aliases: [String]
    public let flags: ConfigFlags
    /// Takes several arguments (`save 3600 1 300 100`); CONFIG SET splits its one value at spaces.
    public let multiArg: Bool
    let valueType: Any.Type
    let value: () -> Any
    /// Validates without side effects and returns the commit, which reports whether the value changed.
    /// `repeated` is true when the same load already set this directive (`save` lines accumulate).
    let stage: (_ args: [String], _ repeated: Bool) -> Result<() -> Bool, ConfigValueError>
    let formatted: () -> String
    let rewriteLines: () -> [RewriteLine]
    /// Captures the current value and returns what puts it back.
    let checkpoint: () -> () -> Void
    /// Set with `ConfigRegistry.onApply`.
    var apply: (() -> String?)?

    /// - Parameters:
    ///   - parse: the new value from the arguments; `current` is the stored value, for directives that
    ///     update part of it (client-output-buffer-limit) or accumulate (`save`).
    ///   - rewrite: the lines for CONFIG REWRITE given the directive name, value and default; none means
    ///     the directive should not be in the file at all.
    public init<T: Equatable>(_ name: String, aliases: [String] = [], flags: ConfigFlags = [], multiArg: Bool = false,
                              get: @escaping () -> T, set: @escaping (T) -> Void,
                              parse: @escaping (_ args: [String], _ current: T, _ repeated: Bool) throws(ConfigValueError) -> T,
                              format: @escaping (T) -> String,
                              rewrite: @escaping (_ name: String, _ value: T, _ default: T) -> [RewriteLine]) {
        self.name = name
        self.aliases = aliases
        self.flags = flags
        self.multiArg = multiArg
        valueType = T.self
        value = { get() }
        let defaultValue = get()
        stage = { args, repeated in
            do throws(ConfigValueError) {
                let new = try parse(args, get(), repeated)
                return .success({
                    if get() == new { return false }
                    set(new)
                    return true
                })
            } catch {
                return .failure(error)
            }
        }
        formatted = { format(get()) }
        rewriteLines = { rewrite(name, get(), defaultValue) }
        checkpoint = {
            let saved = get()
            return { set(saved) }
        }
    }
}

extension ConfigDirective {
    public static func bool<Root: AnyObject>(_ name: String, _ root: Root, _ key: ReferenceWritableKeyPath<Root, Bool>,
                                             aliases: [String] = [], flags: ConfigFlags = []) -> ConfigDirective {
        ConfigDirective(name, aliases: aliases, flags: flags,
                        get: { root[keyPath: key] }, set: { root[keyPath: key] = $0 },
                        parse: { args, _, _ throws(ConfigValueError) in
                            switch ConfigFile.asciiLowercased(args[0]) {
                            case "yes": return true
                            case "no": return false
                            default: throw ConfigValueError("argument must be 'yes' or 'no'")
                            }
                        },
                        format: { $0 ? "yes" : "no" },
                        rewrite: { n, v, d in [RewriteLine("\(n) \(v ? "yes" : "no")", force: v != d)] })
    }

    /// A plain integer: no sign but '-', no leading zeros, no spaces.
    public static func integer<Root: AnyObject>(_ name: String, _ root: Root, _ key: ReferenceWritableKeyPath<Root, Int>,
                                                _ range: ClosedRange<Int>, aliases: [String] = [], flags: ConfigFlags = []) -> ConfigDirective {
        number(name, root, key, range, .integer, aliases, flags)
    }

    /// A byte count with an optional unit: k/m/g are powers of 1000, kb/mb/gb powers of 1024, any case.
    public static func memory<Root: AnyObject>(_ name: String, _ root: Root, _ key: ReferenceWritableKeyPath<Root, Int>,
                                               _ range: ClosedRange<Int>, aliases: [String] = [], flags: ConfigFlags = []) -> ConfigDirective {
        number(name, root, key, range, .memory, aliases, flags)
    }

    /// Written and shown in octal, like file permissions.
    public static func octal<Root: AnyObject>(_ name: String, _ root: Root, _ key: ReferenceWritableKeyPath<Root, Int>,
                                              _ range: ClosedRange<Int>, aliases: [String] = [], flags: ConfigFlags = []) -> ConfigDirective {
        number(name, root, key, range, .octal, aliases, flags)
    }

    enum NumberStyle { case integer, memory, octal }

    private static func number<Root: AnyObject>(_ name: String, _ root: Root, _ key: ReferenceWritableKeyPath<Root, Int>,
                                                _ range: ClosedRange<Int>, _ style: NumberStyle, _ aliases: [String],
                                                _ flags: ConfigFlags) -> ConfigDirective {
        let show: (Int) -> String = style == .octal ? { String($0, radix: 8) } : { String($0) }
        let write: (Int) -> String = style == .memory ? ConfigRegistry.formatMemory : show
        return ConfigDirective(name, aliases: aliases, flags: flags,
                               get: { root[keyPath: key] }, set: { root[keyPath: key] = $0 },
                               parse: { args, _, _ throws(ConfigValueError) in
                                   let v = try parseNumber(args[0], style)
                                   guard let v, range.contains(v) else {
                                       throw ConfigValueError("argument must be between \(show(range.lowerBound)) and \(show(range.upperBound)) inclusive")
                                   }
                                   return v
                               },
                               format: show,
                               rewrite: { n, v, d in [RewriteLine("\(n) \(write(v))", force: v != d)] })
    }

    /// nil when the number is well formed but cannot be held in an Int, which the range check reports.
    static func parseNumber(_ s: String, _ style: NumberStyle) throws(ConfigValueError) -> Int? {
        switch style {
        case .integer:
            guard let v = NumberParsing.int64(Array(s.utf8)) else {
                throw ConfigValueError("argument couldn't be parsed into an integer")
            }
            return Int(v)
        case .memory:
            guard let v = ConfigRegistry.memoryValue(s) else { throw ConfigValueError("argument must be a memory value") }
            return Int(exactly: v)
        case .octal:
            guard let v = ConfigRegistry.cInteger(s, base: 8), !v.overflowed else {
                throw ConfigValueError("argument couldn't be parsed as an octal number")
            }
            return Int(v.value)
        }
    }

    /// One of a fixed set of names, matched case-insensitively.
    public static func choice<Root: AnyObject, E>(_ name: String, _ root: Root, _ key: ReferenceWritableKeyPath<Root, E>,
                                                  aliases: [String] = [], flags: ConfigFlags = []) -> ConfigDirective
    where E: RawRepresentable & CaseIterable & Equatable, E.RawValue == String {
        ConfigDirective(name, aliases: aliases, flags: flags,
                        get: { root[keyPath: key] }, set: { root[keyPath: key] = $0 },
                        parse: { args, _, _ throws(ConfigValueError) in
                            let wanted = ConfigFile.asciiLowercased(args[0])
                            guard let v = E.allCases.first(where: { $0.rawValue == wanted }) else {
                                let names = E.allCases.map(\.rawValue).joined(separator: ", ")
                                throw ConfigValueError("argument(s) must be one of the following: \(names)")
                            }
                            return v
                        },
                        format: { $0.rawValue },
                        rewrite: { n, v, d in [RewriteLine("\(n) \(v.rawValue)", force: v != d)] })
    }

    /// - Parameters:
    ///   - emptyMeansUnset: an empty value means "not configured" (no unix socket, no password), so
    ///     CONFIG REWRITE removes the directive instead of writing `name ""`.
    ///   - validate: returns the reason to refuse a value.
    public static func string<Root: AnyObject>(_ name: String, _ root: Root, _ key: ReferenceWritableKeyPath<Root, String>,
                                               aliases: [String] = [], flags: ConfigFlags = [], emptyMeansUnset: Bool = false,
                                               validate: ((String) -> String?)? = nil) -> ConfigDirective {
        ConfigDirective(name, aliases: aliases, flags: flags,
                        get: { root[keyPath: key] }, set: { root[keyPath: key] = $0 },
                        parse: { args, _, _ throws(ConfigValueError) in
                            if let reason = validate?(args[0]) { throw ConfigValueError(reason) }
                            return args[0]
                        },
                        format: { $0 },
                        rewrite: { n, v, d in
                            emptyMeansUnset && v.isEmpty ? [] : [RewriteLine("\(n) \(ConfigFile.quote(v))", force: v != d)]
                        })
    }
}

// MARK: - Registry

/// The table of directives, and the operations on it: loading at startup, CONFIG GET, CONFIG SET and
/// CONFIG REWRITE. The values themselves live in `settings` (or wherever a directive is bound).
public final class ConfigRegistry {
    public let settings: ServerSettings
    /// Shown in fatal config reports: "Cairn <version>".
    public let version: String
    /// Registration order, which is also the order of CONFIG GET results and of lines CONFIG REWRITE adds.
    public private(set) var directives: [ConfigDirective] = []
    /// The absolute path CONFIG REWRITE writes; nil when the server started without a config file.
    public var configFile: String?
    /// Where to report an apply hook refusing a CONFIG SET, and a hook failing again while undoing it.
    public var logWarning: (String) -> Void = { _ in }

    private struct Entry {
        let directive: ConfigDirective
        /// The name or alias, as registered: CONFIG GET patterns match it and errors quote it.
        let key: String
    }
    private var index: [String: Entry] = [:]

    /// Directives Redis 7 dropped but still accepts (and ignores) in config files.
    /// `user` and `rename-command` lines, kept in order for the server to apply once its command table and
    /// users exist (they are not CONFIG GET/SET directives).
    public private(set) var deferredLines: [ConfigLine] = []
    private static let deferredDirectives: Set<String> = ["user", "rename-command"]

    /// The `user` lines CONFIG REWRITE writes, from the users as they are now (none with an aclfile, which
    /// holds them instead); set by the server.
    public var currentUserLines: (() -> [String])?

    /// The startup report for a deferred line the server refuses.
    public func fatalReport(_ line: ConfigLine, _ reason: String) -> ConfigError {
        report(.badLine(file: line.file, lineNumber: line.lineNumber, text: line.text, reason: reason))
    }

    private static let ignoredDirectives: Set<String> = ["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"]

    public init(settings: ServerSettings = ServerSettings(), version: String) {
        self.settings = settings
        self.version = version
        registerCoreDirectives()
    }

    /// Adds a directive; its default is the value its storage holds now, so register before loading.
    public func register(_ directive: ConfigDirective) {
        for key in [directive.name] + directive.aliases {
            precondition(key == ConfigFile.asciiLowercased(key), "config names are lowercase: \(key)")
            precondition(index[key] == nil, "config directive '\(key)' registered twice")
            index[key] = Entry(directive: directive, key: key)
        }
        directives.append(directive)
    }

    /// By name or alias, any case.
    public func directive(named name: String) -> ConfigDirective? {
        index[ConfigFile.asciiLowercased(name)]?.directive
    }

    /// Sets the CONFIG SET hook of a directive; it receives the new value, already stored, and returns an
    /// error text to refuse it (everything the CONFIG SET changed is then put back). It runs only when the
    /// value changed, and never at startup, where the server sets itself up from the settings.
    public func onApply<T>(_ name: String, _ hook: @escaping (T) -> String?) {
        guard let d = directive(named: name) else { preconditionFailure("no config directive '\(name)'") }
        precondition(d.valueType == T.self, "config directive '\(name)' holds \(d.valueType), not \(T.self)")
        let value = d.value
        d.apply = { hook(value() as! T) }
    }

    /// Whether CONFIG SET's value for `name` must be hidden from SLOWLOG and MONITOR.
    public func isSensitive(_ name: String) -> Bool {
        directive(named: name)?.flags.contains(.sensitive) ?? false
    }

    // MARK: startup

    /// Loads what redis-server would: the config file, then standard input, then command-line options.
    /// Sets `configFile`. Errors carry the whole report to print before exiting.
    public func load(_ commandLine: ServerCommandLine) throws(ConfigError) {
        var text = ""
        if let path = commandLine.configFile {
            do {
                text = try ConfigFile.read(path: path)
            } catch {
                throw report(error)
            }
        }
        if commandLine.readStandardInput { text += ConfigFile.readStandardInput() }
        text += "\n" + commandLine.options
        try load(text: text, file: commandLine.configFile)
        configFile = commandLine.configFile
    }

    /// Applies config text in order, as at startup: immutable directives are accepted, apply hooks are not run.
    public func load(text: String, file: String?) throws(ConfigError) {
        var seen = Set<ObjectIdentifier>()
        do {
            try ConfigFile.parse(text, file: file) { line throws(ConfigFileError) in try apply(line, &seen) }
        } catch {
            throw report(error)
        }
    }

    private func apply(_ line: ConfigLine, _ seen: inout Set<ObjectIdentifier>) throws(ConfigFileError) {
        func refuse(_ reason: String) -> ConfigFileError {
            .badLine(file: line.file, lineNumber: line.lineNumber, text: line.text, reason: reason)
        }
        if Self.deferredDirectives.contains(line.directive) && !line.args.isEmpty {
            deferredLines.append(line)
            return
        }
        guard let d = index[line.directive]?.directive else {
            if Self.ignoredDirectives.contains(line.directive) && line.args.count == 1 { return }
            throw refuse("Bad directive or wrong number of arguments")
        }
        var args = line.args
        if d.multiArg {
            // `save "3600 1 300 100"`: one quoted argument holding them all, as on a command line.
            if args.count == 1 && !args[0].isEmpty { args = ConfigFile.splitArgs(args[0]) ?? [] }
        } else if args.count != 1 {
            throw refuse("wrong number of arguments")
        }
        let id = ObjectIdentifier(d)
        switch d.stage(args, seen.contains(id)) {
        case .success(let commit):
            _ = commit()
            seen.insert(id)
        case .failure(let e):
            throw refuse(e.reason)
        }
    }

    private func report(_ error: ConfigFileError) -> ConfigError {
        switch error {
        case let .unreadable(path, code):
            return ConfigError("Fatal error, can't open config file '\(path)': \(String(cString: strerror(code)))")
        case let .badLine(_, lineNumber, text, reason):
            return ConfigError("""

                *** FATAL CONFIG FILE ERROR (Cairn \(version)) ***
                Reading the configuration file, at line \(lineNumber)
                >>> '\(text)'
                \(reason)

                """)
        }
    }

    // MARK: CONFIG GET

    /// Name/value pairs for CONFIG GET. A pattern with `*`, `?` or `[` is matched, ignoring case, against
    /// every name and alias, which are returned as registered; any other argument is looked up and returned
    /// as the client spelled it. Each directive name appears once however many patterns match it.
    public func get(_ patterns: [String]) -> [(name: String, value: String)] {
        var found: [(String, ConfigDirective)] = []
        var taken = Set<String>()
        for pattern in patterns {
            if !pattern.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) {
                let key = ConfigFile.asciiLowercased(pattern)
                if !taken.contains(key), let entry = index[key] {
                    taken.insert(key)
                    found.append((pattern, entry.directive))
                }
                continue
            }
            let p = Array(pattern.utf8)
            for d in directives {
                for key in [d.name] + d.aliases where !taken.contains(key) {
                    if globMatch(pattern: p, string: Array(key.utf8), nocase: true) {
                        taken.insert(key)
                        found.append((key, d))
                    }
                }
            }
        }
        return found.map { (name: $0.0, value: $0.1.formatted()) }
    }

    // MARK: CONFIG SET

    /// CONFIG SET's arguments after SET: name value [name value ...]. All or nothing: every name and value is
    /// checked before anything changes, and if an apply hook refuses, every value is put back.
    /// `clientIsLocal` matters when enable-protected-configs is "local".
    public func set(_ args: [String], clientIsLocal: Bool = false) throws(ConfigError) {
        guard args.count % 2 == 0 else { throw ConfigError("ERR syntax error") }
        let protectedAllowed = settings.enableProtectedConfigs == .yes
            || (settings.enableProtectedConfigs == .local && clientIsLocal)

        // The first problem in argument order is the one reported, as Redis does.
        var chosen: [(entry: Entry, value: String)] = []
        var problem: ConfigError?
        for i in stride(from: 0, to: args.count, by: 2) {
            let given = args[i]
            guard let entry = index[ConfigFile.asciiLowercased(given)] else {
                problem = problem ?? ConfigError("ERR Unknown option or number of arguments for CONFIG SET - '\(given)'")
                continue
            }
            if problem != nil { continue }
            let flags = entry.directive.flags
            if flags.contains(.immutable) {
                problem = setFailure(given, "can't set immutable config")
            } else if flags.contains(.protected) && !protectedAllowed {
                problem = setFailure(given, "can't set protected config")
            } else if chosen.contains(where: { $0.entry.key == entry.key }) {
                problem = setFailure(given, "duplicate parameter")
            } else {
                chosen.append((entry, args[i + 1]))
            }
        }
        if let problem { throw problem }

        var commits: [() -> Bool] = []
        for (entry, value) in chosen {
            let d = entry.directive
            // Unlike the config file, CONFIG SET splits at every single space: "1  2" holds an empty argument.
            let values = !d.multiArg ? [value]
                : value.isEmpty ? [] : value.utf8.split(separator: 32, omittingEmptySubsequences: false).map { String(Substring($0)) }
            switch d.stage(values, false) {
            case .success(let commit): commits.append(commit)
            case .failure(let e): throw setFailure(entry.key, e.reason)
            }
        }

        let restores = chosen.map { $0.entry.directive.checkpoint() }
        var changed: [Entry] = []
        for (i, commit) in commits.enumerated() {
            let entry = chosen[i].entry
            if commit() && !changed.contains(where: { $0.directive === entry.directive }) { changed.append(entry) }
        }
        for entry in changed {
            guard let hook = entry.directive.apply, let reason = hook() else { continue }
            logWarning("Failed applying new configuration. Possibly related to new \(entry.key) setting. Restoring previous settings.")
            for restore in restores.reversed() { restore() }
            for other in changed {
                if let again = other.directive.apply?() {
                    logWarning("Failed applying restored failed CONFIG SET command: \(again)")
                }
            }
            throw setFailure(entry.key, reason)
        }
    }

    private func setFailure(_ name: String, _ reason: String) -> ConfigError {
        ConfigError("ERR CONFIG SET failed (possibly related to argument '\(name)') - \(reason)")
    }

    // MARK: CONFIG REWRITE

    /// Rewrites the config file to hold the current configuration, keeping its comments, its order and the
    /// lines of directives that did not change; see `rewritten(_:)`.
    public func rewrite() throws(ConfigError) {
        guard let path = configFile else { throw ConfigError("ERR The server is running without a config file") }
        var old = ""
        do {
            old = try ConfigFile.read(path: path)
        } catch {
            // A file that is gone is simply written anew.
            if case let .unreadable(_, code) = error, code != ENOENT {
                throw ConfigError("ERR Rewriting config file: \(String(cString: strerror(code)))")
            }
        }
        if let code = Self.replaceFile(path, with: rewritten(old)) {
            throw ConfigError("ERR Rewriting config file: \(String(cString: strerror(code)))")
        }
    }

    static let rewriteSignature = "# Generated by CONFIG REWRITE"

    /// The new file text, by Redis's rules: each directive's lines reuse, in order, the lines that set it in
    /// the old file; extra lines it needs are appended after a "# Generated by CONFIG REWRITE" comment,
    /// but only if forced (the value differs from the default); old lines it no longer needs are blanked.
    /// A directive at its default keeps its line if the file had one. Lines are trimmed, runs of blank lines
    /// become one, and lines naming unknown directives are kept commented out with "# ??? ".
    func rewritten(_ old: String) -> String {
        var lines: [String] = []
        var linesOf: [String: [Int]] = [:]
        var needsSignature = true
        if !old.isEmpty {
            for raw in ConfigFile.lines(old) {
                let line = ConfigFile.trim(raw)
                if line.isEmpty || line.utf8.first == UInt8(ascii: "#") {
                    if line == Self.rewriteSignature { needsSignature = false }
                    lines.append(line)
                    continue
                }
                guard let args = ConfigFile.splitArgs(line), let first = args.first else {
                    lines.append("# ??? " + line)
                    continue
                }
                let name = ConfigFile.asciiLowercased(first)
                let option: String
                if let d = index[name]?.directive {
                    option = d.name
                } else if name == "include" || Self.deferredDirectives.contains(name) {
                    option = name
                } else {
                    lines.append("# ??? " + line)
                    continue
                }
                linesOf[option, default: []].append(lines.count)
                lines.append(line)
            }
        }

        var processed = Set<String>()
        // rename-command lines stay as written; user lines are regenerated from the live users.
        var rewrites = directives.map { ($0.name, $0.rewriteLines) }
        if let currentUserLines { rewrites.append(("user", { currentUserLines().map { RewriteLine($0, force: true) } })) }
        for (name, rewriteLines) in rewrites {
            processed.insert(name)
            for line in rewriteLines() {
                if var reusable = linesOf[name], !reusable.isEmpty {
                    lines[reusable.removeFirst()] = line.text
                    linesOf[name] = reusable
                } else if line.force {
                    if needsSignature {
                        lines.append(Self.rewriteSignature)
                        needsSignature = false
                    }
                    lines.append(line.text)
                }
            }
        }
        for (option, orphans) in linesOf where processed.contains(option) {
            for i in orphans { lines[i] = "" }
        }

        var out = ""
        var previousEmpty = false
        for line in lines {
            if line.isEmpty {
                if previousEmpty { continue }
                previousEmpty = true
            } else {
                previousEmpty = false
            }
            out += line + "\n"
        }
        return out
    }

    /// Writes a temporary file next to `path`, syncs it and renames it over `path`, so a crash leaves
    /// either the old or the new file. Returns errno on failure.
    static func replaceFile(_ path: String, with content: String) -> Int32? {
        var template = Array((path + ".XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        if fd < 0 { return errno }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let tempPath = String(cString: template)
        func fail() -> Int32 {
            let code = errno
            close(fd)
            unlink(tempPath)
            return code
        }
        let bytes = Array(content.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return fail() }
            offset += n
        }
        let mask = umask(0)
        umask(mask)
        if fsync(fd) != 0 || fchmod(fd, 0o644 & ~mask) != 0 || rename(tempPath, path) != 0 { return fail() }
        close(fd)
        // The rename itself is only durable once the directory is synced.
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let dfd = open(dir, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
        return nil
    }

    // MARK: value syntax shared by directives

    /// Redis's memtoull: digits, then nothing, "b", "k", "kb", "m", "mb", "g" or "gb" in any case.
    /// No sign, no spaces, no fraction. Like Redis, a huge number saturates and the unit product wraps.
    public static func memoryValue(_ s: String) -> UInt64? {
        let b = Array(s.utf8)
        var i = 0
        while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
        let multiplier: UInt64
        switch ConfigFile.asciiLowercased(String(decoding: b[i...], as: UTF8.self)) {
        case "", "b": multiplier = 1
        case "k": multiplier = 1000
        case "kb": multiplier = 1024
        case "m": multiplier = 1000 * 1000
        case "mb": multiplier = 1024 * 1024
        case "g": multiplier = 1000 * 1000 * 1000
        case "gb": multiplier = 1024 * 1024 * 1024
        default: return nil
        }
        if i >= 128 { return nil }
        var v: UInt64 = 0
        for c in b[0..<i] {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c - 48))
            if o1 || o2 {
                v = .max
                break
            }
            v = a
        }
        return v &* multiplier
    }

    /// CONFIG REWRITE's spelling of a byte count: the largest of gb, mb, kb dividing it exactly.
    public static func formatMemory(_ bytes: Int) -> String {
        if bytes != 0 && bytes % (1 << 30) == 0 { return "\(bytes >> 30)gb" }
        if bytes != 0 && bytes % (1 << 20) == 0 { return "\(bytes >> 20)mb" }
        if bytes != 0 && bytes % (1 << 10) == 0 { return "\(bytes >> 10)kb" }
        return String(bytes)
    }

    /// C's strtoll over the whole string, which Redis uses for some arguments: leading whitespace and a sign
    /// are allowed, and the empty string is 0. nil when characters are left over.
    static func cInteger(_ s: String, base: Int32) -> (value: Int64, overflowed: Bool)? {
        s.withCString { p in
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let v = strtoll(p, &end, base)
            let overflowed = errno == ERANGE
            guard let end, end.pointee == 0 else { return nil }
            return (Int64(v), overflowed)
        }
    }
}

extension ServerSettings {
    /// Redis's thread-placement directives (spelt with underscores), with the threads each places.
    static var cpuListDirectives: [(role: ThreadRole, name: String, key: ReferenceWritableKeyPath<ServerSettings, String>)] {
        [(.eventLoop, "server_cpulist", \.serverCpulist), (.background, "bio_cpulist", \.bioCpulist),
         (.aofRewrite, "aof_rewrite_cpulist", \.aofRewriteCpulist), (.snapshot, "bgsave_cpulist", \.bgsaveCpulist)]
    }
}

// MARK: - The directives the server core needs

extension ConfigRegistry {
    private func registerCoreDirectives() {
        let s = settings
        let int32 = Int(Int32.max)

        // Network and clients
        register(bindDirective())
        register(.integer("port", s, \.port, 0...65535))
        register(.string("unixsocket", s, \.unixSocket, flags: .immutable, emptyMeansUnset: true))
        register(.octal("unixsocketperm", s, \.unixSocketPerm, 0...0o777, flags: .immutable))
        register(.integer("tcp-backlog", s, \.tcpBacklog, 0...int32, flags: .immutable))
        register(.integer("timeout", s, \.timeout, 0...int32))
        register(.integer("tcp-keepalive", s, \.tcpKeepalive, 0...int32))
        register(.bool("protected-mode", s, \.protectedMode))
        register(.integer("maxclients", s, \.maxClients, 1...Int(UInt32.max)))
        register(.integer("busy-poll-us", s, \.busyPollMicros, 0...10_000))
        register(.string("requirepass", s, \.requirePass, flags: .sensitive, emptyMeansUnset: true))
        register(.string("aclfile", s, \.aclFile, flags: .immutable))
        register(.integer("acllog-max-len", s, \.aclLogMaxLen, 0...Int.max))
        register(.choice("acl-pubsub-default", s, \.aclPubsubDefault))
        register(clientOutputBufferLimitDirective())
        register(.memory("client-query-buffer-limit", s, \.clientQueryBufferLimit, (1 << 20)...Int.max))
        register(.memory("proto-max-bulk-len", s, \.protoMaxBulkLen, (1 << 20)...Int.max))

        // Process
        register(.bool("daemonize", s, \.daemonize, flags: .immutable))
        for (_, name, key) in ServerSettings.cpuListDirectives {
            register(.string(name, s, key, flags: .immutable, emptyMeansUnset: true, validate: { value in
                value.isEmpty || CPUList(value) != nil ? nil : "Invalid CPU list '\(value)' (e.g. 0,2-3 or 0-7:2)"
            }))
        }
        register(.string("pidfile", s, \.pidFile, flags: .immutable, emptyMeansUnset: true))
        register(.choice("loglevel", s, \.logLevel))
        register(.string("logfile", s, \.logFile, flags: .immutable))
        register(.integer("databases", s, \.databases, 1...int32, flags: .immutable))
        register(.integer("hz", s, \.hz, 0...int32))
        register(.bool("dynamic-hz", s, \.dynamicHz))
        register(.choice("enable-debug-command", s, \.enableDebugCommand, flags: .immutable))
        register(.choice("enable-protected-configs", s, \.enableProtectedConfigs, flags: .immutable))

        // Persistence and replication
        register(dirDirective())
        register(.string("dbfilename", s, \.dbFilename, flags: .protected, validate: Self.baseName("dbfilename", "filename", allowEmpty: true)))
        register(saveDirective())
        register(.bool("rdbcompression", s, \.rdbCompression))
        register(.bool("rdbchecksum", s, \.rdbChecksum, flags: .immutable))
        register(.integer("rdb-version", s, \.rdbVersion, 10...11))
        register(.bool("stop-writes-on-bgsave-error", s, \.stopWritesOnBgsaveError))
        register(.bool("rdb-save-incremental-fsync", s, \.rdbSaveIncrementalFsync))
        register(.bool("appendonly", s, \.appendOnly))
        register(.string("appendfilename", s, \.appendFilename, flags: .immutable, validate: Self.baseName("appendfilename", "filename", allowEmpty: false)))
        register(.string("appenddirname", s, \.appendDirname, flags: .immutable, validate: Self.baseName("appenddirname", "dirname", allowEmpty: false)))
        register(.choice("appendfsync", s, \.appendFsync))
        register(.bool("no-appendfsync-on-rewrite", s, \.noAppendfsyncOnRewrite))
        register(.integer("auto-aof-rewrite-percentage", s, \.autoAofRewritePercentage, 0...Int.max))
        register(.memory("auto-aof-rewrite-min-size", s, \.autoAofRewriteMinSize, 0...Int.max))
        register(.bool("aof-load-truncated", s, \.aofLoadTruncated))
        register(.bool("aof-use-rdb-preamble", s, \.aofUseRdbPreamble))
        register(.bool("aof-timestamp-enabled", s, \.aofTimestampEnabled))
        register(.bool("aof-rewrite-incremental-fsync", s, \.aofRewriteIncrementalFsync))
        register(replicaOfDirective())
        registerReplicationDirectives()

        // Memory
        register(.memory("maxmemory", s, \.maxmemory, 0...Int.max))
        register(.choice("maxmemory-policy", s, \.maxmemoryPolicy))
        register(.integer("maxmemory-samples", s, \.maxmemorySamples, 1...64))
        register(.integer("maxmemory-eviction-tenacity", s, \.maxmemoryEvictionTenacity, 0...100))
        register(.memoryOrPercent("maxmemory-clients", s, \.maxmemoryClients, maxPercent: 100))
        register(.integer("lfu-log-factor", s, \.lfuLogFactor, 0...int32))
        register(.integer("lfu-decay-time", s, \.lfuDecayTime, 0...int32))
        register(.bool("lazyfree-lazy-eviction", s, \.lazyfreeLazyEviction))
        register(.bool("lazyfree-lazy-expire", s, \.lazyfreeLazyExpire))
        register(.bool("lazyfree-lazy-server-del", s, \.lazyfreeLazyServerDel))
        register(.bool("lazyfree-lazy-user-del", s, \.lazyfreeLazyUserDel))
        register(.bool("lazyfree-lazy-user-flush", s, \.lazyfreeLazyUserFlush))
        register(.bool("replica-lazy-flush", s, \.replicaLazyFlush, aliases: ["slave-lazy-flush"]))

        // Diagnostics and events
        register(.integer("slowlog-log-slower-than", s, \.slowlogLogSlowerThan, -1...Int.max))
        register(.integer("slowlog-max-len", s, \.slowlogMaxLen, 0...Int.max))
        register(.integer("latency-monitor-threshold", s, \.latencyMonitorThreshold, 0...Int.max))
        register(.bool("latency-tracking", s, \.latencyTracking))
        register(latencyTrackingInfoPercentilesDirective())
        register(notifyKeyspaceEventsDirective())

        // Encodings
        register(.memory("hll-sparse-max-bytes", s, \.hllSparseMaxBytes, 0...Int.max))
        register(.integer("list-max-listpack-size", s, \.listMaxListpackSize, Int(Int32.min)...int32, aliases: ["list-max-ziplist-size"]))
        register(.integer("list-compress-depth", s, \.listCompressDepth, 0...int32))
        register(.integer("hash-max-listpack-entries", s, \.hashMaxListpackEntries, 0...Int.max, aliases: ["hash-max-ziplist-entries"]))
        register(.memory("hash-max-listpack-value", s, \.hashMaxListpackValue, 0...Int.max, aliases: ["hash-max-ziplist-value"]))
        register(.integer("set-max-intset-entries", s, \.setMaxIntsetEntries, 0...Int.max))
        register(.integer("set-max-listpack-entries", s, \.setMaxListpackEntries, 0...Int.max))
        register(.integer("set-max-listpack-value", s, \.setMaxListpackValue, 0...Int.max))
        register(.integer("zset-max-listpack-entries", s, \.zsetMaxListpackEntries, 0...Int.max, aliases: ["zset-max-ziplist-entries"]))
        register(.memory("zset-max-listpack-value", s, \.zsetMaxListpackValue, 0...Int.max, aliases: ["zset-max-ziplist-value"]))
        register(.memory("stream-node-max-bytes", s, \.streamNodeMaxBytes, 0...Int.max))
        register(.integer("stream-node-max-entries", s, \.streamNodeMaxEntries, 0...Int.max))
    }

    private static func baseName(_ name: String, _ what: String, allowEmpty: Bool) -> (String) -> String? {
        { value in
            if !allowEmpty && value.isEmpty { return "\(name) can't be empty" }
            if value.contains("/") || value.contains("\\") { return "\(name) can't be a path, just a \(what)" }
            return nil
        }
    }

    private func bindDirective() -> ConfigDirective {
        let s = settings
        return ConfigDirective("bind", multiArg: true, get: { s.bind }, set: { s.bind = $0 },
            parse: { args, _, _ throws(ConfigValueError) in
                if args.count > 16 { throw ConfigValueError("Too many bind addresses specified.") }
                return args == [""] ? [] : args
            },
            format: { $0.joined(separator: " ") },
            rewrite: { n, v, d in
                v == d ? [] : [RewriteLine("\(n) " + (v.isEmpty ? "\"\"" : v.joined(separator: " ")), force: true)]
            })
    }

    private func saveDirective() -> ConfigDirective {
        let s = settings
        return ConfigDirective("save", multiArg: true, get: { s.savePoints }, set: { s.savePoints = $0 },
            parse: { args, current, repeated throws(ConfigValueError) in
                let args = args == [""] ? [] : args
                let invalid = ConfigValueError("Invalid save parameters")
                if args.count % 2 != 0 { throw invalid }
                var points: [SavePoint] = []
                for j in stride(from: 0, to: args.count, by: 2) {
                    guard let seconds = Self.cInteger(args[j], base: 10), seconds.value >= 1,
                          let changes = Self.cInteger(args[j + 1], base: 10), changes.value >= 0 else { throw invalid }
                    points.append(SavePoint(seconds: Int(seconds.value), changes: Int(changes.value)))
                }
                // In a config file, the first `save` line replaces the defaults and later ones add to it;
                // `save ""` always clears.
                return repeated && !args.isEmpty ? current + points : points
            },
            format: { $0.map { "\($0.seconds) \($0.changes)" }.joined(separator: " ") },
            rewrite: { n, v, _ in
                v.isEmpty ? [RewriteLine("\(n) \"\"", force: true)]
                    : v.map { RewriteLine("\(n) \($0.seconds) \($0.changes)", force: true) }
            })
    }

    private func clientOutputBufferLimitDirective() -> ConfigDirective {
        let s = settings
        let classes: [(get: String, rewrite: String, key: WritableKeyPath<ClientOutputLimits, ClientOutputLimit>)] = [
            ("normal", "normal", \.normal), ("slave", "replica", \.replica), ("pubsub", "pubsub", \.pubsub),
        ]
        return ConfigDirective("client-output-buffer-limit", multiArg: true,
            get: { s.clientOutputLimits }, set: { s.clientOutputLimits = $0 },
            parse: { args, current, _ throws(ConfigValueError) in
                if args.count % 4 != 0 { throw ConfigValueError("Wrong number of arguments in buffer limit configuration.") }
                var limits = current
                for j in stride(from: 0, to: args.count, by: 4) {
                    let key: WritableKeyPath<ClientOutputLimits, ClientOutputLimit>
                    switch ConfigFile.asciiLowercased(args[j]) {
                    case "normal": key = \.normal
                    case "slave", "replica": key = \.replica
                    case "pubsub": key = \.pubsub
                    default: throw ConfigValueError("Invalid client class specified in buffer limit configuration.")
                    }
                    guard let hard = Self.memoryValue(args[j + 1]), let soft = Self.memoryValue(args[j + 2]),
                          let seconds = Self.cInteger(args[j + 3], base: 10), seconds.value >= 0 else {
                        throw ConfigValueError("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
                    }
                    limits[keyPath: key] = ClientOutputLimit(hard: Int(clamping: hard), soft: Int(clamping: soft),
                                                             softSeconds: Int(seconds.value))
                }
                return limits
            },
            format: { v in
                classes.map { c in
                    let l = v[keyPath: c.key]
                    return "\(c.get) \(l.hard) \(l.soft) \(l.softSeconds)"
                }.joined(separator: " ")
            },
            rewrite: { n, v, d in
                classes.map { c in
                    let l = v[keyPath: c.key]
                    return RewriteLine("\(n) \(c.rewrite) \(Self.formatMemory(l.hard)) \(Self.formatMemory(l.soft)) \(l.softSeconds)",
                                       force: l != d[keyPath: c.key])
                }
            })
    }

    private func latencyTrackingInfoPercentilesDirective() -> ConfigDirective {
        let s = settings
        return ConfigDirective("latency-tracking-info-percentiles", multiArg: true,
            get: { s.latencyTrackingInfoPercentiles }, set: { s.latencyTrackingInfoPercentiles = $0 },
            parse: { args, _, _ throws(ConfigValueError) in
                // A single empty argument means no percentiles at all.
                if args == [""] { return [] }
                return try args.map { a throws(ConfigValueError) in
                    guard let p = Array(a.utf8).withUnsafeBytes({ NumberParsing.double($0) }) else {
                        throw ConfigValueError("Invalid latency-tracking-info-percentiles parameters")
                    }
                    guard (0...100).contains(p) else {
                        throw ConfigValueError("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
                    }
                    return p
                }
            },
            format: { $0.map(percentileName).joined(separator: " ") },
            rewrite: { n, v, _ in
                [RewriteLine("\(n) " + (v.isEmpty ? "\"\"" : v.map(percentileName).joined(separator: " ")), force: true)]
            })
    }

    private func notifyKeyspaceEventsDirective() -> ConfigDirective {
        let s = settings
        return ConfigDirective("notify-keyspace-events", get: { s.notifyKeyspaceEvents }, set: { s.notifyKeyspaceEvents = $0 },
            parse: { args, _, _ throws(ConfigValueError) in
                guard let v = KeyspaceEventClasses(letters: args[0]) else {
                    throw ConfigValueError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
                }
                return v
            },
            format: { $0.letters },
            rewrite: { n, v, _ in [RewriteLine("\(n) \(ConfigFile.quote(v.letters))", force: !v.isEmpty)] })
    }

    /// The working directory itself: setting it changes directory, reading it asks the system.
    private func dirDirective() -> ConfigDirective {
        ConfigDirective("dir", flags: .protected, get: { ConfigFile.currentDirectory() ?? "" }, set: { _ = chdir($0) },
            parse: { args, _, _ throws(ConfigValueError) in
                // Trying the change now gives the system's own reason for refusing it, as Redis reports.
                let here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                defer { if here >= 0 { close(here) } }
                if chdir(args[0]) != 0 { throw ConfigValueError(String(cString: strerror(errno))) }
                if here >= 0 { _ = fchdir(here) }
                return args[0]
            },
            format: { $0 },
            rewrite: { n, v, _ in [RewriteLine("\(n) \(ConfigFile.quote(v))", force: true)] })
    }

    private func replicaOfDirective() -> ConfigDirective {
        let s = settings
        return ConfigDirective("replicaof", aliases: ["slaveof"], flags: .immutable, multiArg: true,
            get: { s.replicaOf }, set: { s.replicaOf = $0 },
            parse: { args, _, _ throws(ConfigValueError) in
                guard args.count == 2 else { throw ConfigValueError("wrong number of arguments") }
                if ConfigFile.asciiLowercased(args[0]) == "no" && ConfigFile.asciiLowercased(args[1]) == "one" { return nil }
                guard let port = Self.cInteger(args[1], base: 10), !port.overflowed, (0...65535).contains(port.value) else {
                    throw ConfigValueError("Invalid master port")
                }
                return ReplicaOfTarget(host: args[0], port: Int(port.value))
            },
            format: { $0.map { "\($0.host) \($0.port)" } ?? "" },
            rewrite: { n, v, _ in v.map { [RewriteLine("\(n) \($0.host) \($0.port)", force: true)] } ?? [] })
    }
}
