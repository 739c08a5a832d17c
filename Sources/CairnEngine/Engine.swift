#if canImport(Glibc)
import Glibc
#endif
import RESP

/// Counters INFO stats reports; the names mirror Redis's fields.
public struct EngineStats {
    public var commandsProcessed = 0
    public var keyspaceHits = 0
    public var keyspaceMisses = 0
    public var expiredKeys = 0
    public var totalErrorReplies = 0
    public var errorCounts: [String: Int] = [:]
    public var rejectedCalls = 0
    public init() {}
}

public enum ProtectedCommandAccess: Sendable { case no, yes, local }

/// Settings the engine reads on its hot paths, kept as plain stored properties; the server's config registry
/// writes them.
public struct EngineSettings {
    public var databases = 16
    public var hllSparseMaxBytes = 3000
    public var protoMaxBulkLength = 512 * 1024 * 1024
    public var slowlogThresholdMicros = 10000
    public var slowlogMaxLength = 128
    /// Compact-encoding thresholds, with Redis 7.2's directive names and defaults.
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
    /// enable-debug-command: who may run protected commands.
    public var debugCommand = ProtectedCommandAccess.no
    /// latency-monitor-threshold: events at least this slow are sampled for LATENCY; 0 turns the monitor off.
    public var latencyMonitorThresholdMs = 0
    /// latency-tracking: time every call into its command's latency histogram.
    public var latencyTracking = true
    /// latency-tracking-info-percentiles: the percentiles INFO latencystats reports.
    public var latencyTrackingInfoPercentiles: [Double] = [50, 99, 99.9]
    /// notify-keyspace-events: which keyspace notifications are published.
    public var notifyKeyspaceEvents: KeyspaceEventClasses = []
    /// maxmemory-policy is one of the LFU ones: key access fields count accesses instead of timing them.
    public var lfuPolicy = false
    public var lfuLogFactor = 10
    public var lfuDecayTime = 1
    /// maxmemory in bytes (0: no limit) and how keys are evicted past it (Eviction.swift).
    public var maxmemory = 0
    public var evictionPolicy = EvictionPolicy.noeviction
    public var maxmemorySamples = 5
    public var maxmemoryEvictionTenacity = 10
    public init() {}
}

/// The data server without its network: databases, the command table and command execution.
/// Everything here runs on the event loop thread; nothing is locked.
public final class Engine {
    public private(set) var dbs: [Database] = []
    public var settings: EngineSettings
    public var commands = CommandTable()
    public var stats = EngineStats()
    /// Unix ms, refreshed before each command so a command (and a whole transaction) sees one instant.
    public var now: Int64 = 0
    /// Whether key lookups of the running command update access fields: not for a CLIENT NO-TOUCH client,
    /// except in TOUCH itself.
    public var touchKeys = true
    /// Writes since the last successful save, as INFO's rdb_changes_since_last_save.
    public var dirty = 0
    public let slowlog = Slowlog()
    public let latency = LatencyMonitor()
    public let pubsub = PubSubRegistry()
    public let propagation = Propagation()
    var blockedClients: [ClientSession] = []
    var blockingKeys: [BlockKey: [ClientSession]] = [:]
    var readyKeys: [BlockKey] = []
    var readyKeySet: Set<BlockKey> = []
    /// Clients that asked for MONITOR; each executed command is echoed to them.
    public var monitors: [ClientSession] = []
    /// Clients that received output outside their own command (MONITOR feeds...); the server flushes them.
    public var woken: [ClientSession] = []
    public var nextClientID = 1
    var nextACLID = 0
    /// Unix seconds of the last successful save (LASTSAVE, INFO rdb_last_save_time).
    public var lastSaveTime: Int64 = 0
    /// FUNCTION2 library sources and Lua script aux fields read from an RDB file: Cairn runs neither, but keeps
    /// them so the next save writes them back unchanged.
    public var persistedFunctions: [Bytes] = []
    public var persistedScripts: [Bytes] = []
    /// Persistence the server provides (the engine cannot see the RDB codec): DEBUG RELOAD returns nil or an
    /// error text; FLUSHALL's follow-up rewrites the dump as Redis does.
    public var debugReload: (() -> String?)?
    /// DEBUG CHANGE-REPL-ID: the server starts a new replication history (the engine cannot see it).
    public var debugChangeReplicationID: (() -> Void)?
    public var afterFlushAll: (() -> Void)?
    /// The replication aux fields a snapshot records (repl-stream-db, repl-id, repl-offset), from the server.
    public var replicationAux: (() -> [(key: String, value: Bytes)])?
    /// The MISCONF error writes (and PING) get while the last background save failed, as with Redis's
    /// stop-writes-on-bgsave-error; nil when writes are allowed.
    public var writesRefusedReason: String?
    /// "master" or "slave", as INFO and HELLO report the replication role.
    public var role = "master"
    /// Why client writes are refused by replication (READONLY on a read-only replica, NOREPLICAS under
    /// min-replicas-to-write); the primary's stream is obeyed regardless. nil when writes are allowed.
    public var replicationWriteRefusal: String?
    /// The error for commands without the stale flag while a replica must not serve its data
    /// (replica-serve-stale-data no with the link down); nil otherwise.
    public var staleDataRefusal: String?
    /// The error for commands without the loading flag while a replica loads a full sync it will swap in
    /// (Redis's -LOADING); checked after staleDataRefusal, as Redis checks MASTERDOWN first. nil otherwise.
    public var loadingRefusal: String?
    /// On a replica keys expire only by the primary's DELs: a lookup hides a key past its deadline from
    /// clients without deleting it, and the primary's own commands still see it (as Redis's expireIfNeeded).
    public var expiryFollowsPrimary = false
    /// The running command comes from the primary's stream (or the AOF): it must be obeyed as is.
    public internal(set) var obeying = false
    /// The Redis version Cairn's command set and replies match; clients read it to pick features.
    public static let compatibleRedisVersion = "7.2.4"
    /// DEBUG SET-ACTIVE-EXPIRE: tests turn the active cycle off to observe lazy expiry alone.
    public var activeExpireEnabled = true
    /// Incremental captures not complete yet, oldest first.
    var captures: [DatasetCapture] = []
    /// Images of incremental captures, until their snapshots let go of them (see freeReturnedSegments).
    var draining: [KeyspaceImage] = []
    /// Users, ACL LOG and ACL counters.
    public let acl = AccessControl()
    var aclIndexCache: ACLCommandIndex?
    /// CLIENT LIST's line for a client, which ACL LOG entries carry (the server knows the connection).
    public var clientInfo: ((ClientSession) -> String)?
    /// Closes the connections of the clients the predicate picks, except those already closing after their
    /// reply (the client running the command): ACL changes that take a user or its channels away.
    public var disconnectClients: (((ClientSession) -> Bool) -> Void)?
    /// The eviction pool and counters (Eviction.swift).
    public var eviction = EvictionState()
    /// Memory that exists but does not count against maxmemory, as Redis leaves out the AOF buffer and
    /// replica output buffers; each owner (AOF, replication) adds its reporter.
    public var memoryNotCounted: [() -> Int] = []
    /// The replication backlog's size for INFO mem_replication_backlog (it counts against maxmemory, being
    /// ordinary allocations); set by the replication module.
    public var replicationBacklogMemory: () -> Int = { 0 }

    public init(settings: EngineSettings = EngineSettings()) {
        self.settings = settings
        refreshTime()
        lastSaveTime = now / 1000
        dbs = (0..<settings.databases).map { Database(id: $0, engine: self) }
        registerBuiltinCommands()
    }

    public func makeClient() -> ClientSession {
        defer { nextClientID += 1 }
        return ClientSession(id: nextClientID, now: now, user: acl.defaultUser)
    }

    var accessRandom = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))

    /// The access-field rules as of now and the current policy, with a fresh draw for one LFU access.
    @inline(__always)
    public var accessClock: AccessClock {
        AccessClock(now: now, lfu: settings.lfuPolicy, logFactor: settings.lfuLogFactor, decayTime: settings.lfuDecayTime,
                    draw: settings.lfuPolicy ? accessRandom.next() : 0)
    }

    @inline(__always)
    public func refreshTime() {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        wallClockTicks = CommandClock.ticks()
        wallClockMicros = Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
        setNow(wallClockMicros / 1000)
    }

    /// The wall clock read by the last refreshTime and the tick count then: a command's `now` is advanced
    /// from them by the ticks since, which the cron's refresh (hz times a second) keeps close to the real
    /// clock should it be stepped.
    private var wallClockMicros: Int64 = 0
    private var wallClockTicks: UInt64 = 0

    @inline(__always) private func advanceTime(to ticks: UInt64) {
        setNow((wallClockMicros + Int64(CommandClock.micros(ticks &- wallClockTicks))) / 1000)
    }

    /// Ticks and a fresh wall-clock read can disagree by microseconds, which may cross a millisecond
    /// boundary backwards: `now` never steps back for that (a TTL read after an EXPIRE would exceed what was
    /// set), only for a real clock step of over a second.
    @inline(__always) private func setNow(_ t: Int64) {
        if t >= now || now - t > 1000 { now = t }
    }

    /// Microseconds on the monotonic clock, for command timing.
    @inline(__always)
    public static func monotonicMicros() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1_000_000 + ts.tv_nsec / 1000
    }

    // MARK: execution

    /// Runs one client command: lookup, arity, authentication, MULTI queueing, the handler, statistics.
    public func execute(_ client: ClientSession, _ args: Args) {
        guard args.count > 0 else { return }
        let startTicks = CommandClock.ticks()
        advanceTime(to: startTicks)
        client.lastInteraction = now
        stats.commandsProcessed += 1
        let replyMark = client.reply.count
        // CLIENT REPLY OFF/SKIP silences rejections too, so the mode is applied on every path.
        defer { applyReplyMode(client, from: replyMark) }

        guard var cmd = commands.lookup(args[0]) else {
            reject(client, nil, unknownCommandMessage(args))
            return
        }
        if !cmd.subcommands.isEmpty && args.count >= 2 {
            guard let sub = cmd.subcommand(args[1]) else {
                reject(client, cmd, CommandError.unknownSubcommand(args.text(1), cmd.name).message)
                return
            }
            cmd = sub
        }
        if (cmd.arity > 0 && args.count != cmd.arity) || args.count < -cmd.arity {
            reject(client, cmd, CommandError.wrongArity(cmd.fullName).message)
            return
        }
        if !client.authenticated && !cmd.flags.contains(.noAuth) && acl.authRequired {
            reject(client, cmd, "NOAUTH Authentication required.")
            return
        }
        if aclRefuses(client, cmd, args) { return }
        if client.isSubscribed && !client.resp3 && !Self.allowedWhileSubscribed(cmd) {
            reject(client, cmd, "ERR Can't execute '\(cmd.fullName)': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
            return
        }
        if client.isMonitor && (cmd.flags.contains(.write) || cmd.flags.contains(.readonly) || cmd.flags.contains(.mayReplicate)) {
            reject(client, cmd, "ERR Replica can't interact with the keyspace")
            return
        }
        if cmd.flags.contains(.protected) && !protectedAllowed(client) {
            reject(client, cmd, "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
            return
        }
        if settings.maxmemory != 0 && refusedForMemory(client, cmd) {
            reject(client, cmd, Self.outOfMemoryMessage)
            return
        }
        if let refusal = staleDataRefusal, !cmd.flags.contains(.stale), !client.mustObey {
            reject(client, cmd, refusal)
            return
        }
        if let refusal = loadingRefusal, !cmd.flags.contains(.loading), !client.mustObey {
            reject(client, cmd, refusal)
            return
        }
        if let refusal = replicationWriteRefusal, cmd.isWrite, !client.mustObey {
            reject(client, cmd, refusal)
            return
        }
        if let reason = writesRefusedReason, cmd.flags.contains(.write) || cmd.name == "ping" {
            reject(client, cmd, reason)
            return
        }
        // Valkey 8 refuses MULTI and WATCH here too (7.0 answered them with errors of their own), and a refusal
        // dooms the transaction.
        if client.inMulti && cmd.flags.contains(.noMulti) {
            reject(client, cmd, "ERR Command not allowed inside a transaction")
            return
        }
        if client.inMulti && !Self.runsInsideMulti(cmd) {
            client.multiQueue.append((cmd, args.owned()))
            client.reply.raw("+QUEUED\r\n")
            return
        }
        call(cmd, client, args, startTicks: startTicks)
        if !readyKeys.isEmpty { serveReadyKeys() }
    }

    /// Executes a command whose lookup and checks are done (also used by EXEC for queued commands).
    @inline(__always)
    public func call(_ cmd: Command, _ client: ClientSession, _ args: Args, startTicks: UInt64 = CommandClock.ticks()) {
        client.lastCommand = cmd
        client.redactedArgs = 0
        let dirtyBefore = dirty
        propagation.depth += 1
        touchKeys = !client.noTouch || cmd.name == "touch"
        obeying = client.mustObey
        do {
            try cmd.handler(CommandContext(engine: self, client: client, args: args, command: cmd))
        } catch {
            cmd.failedCalls += 1
            replyError(client, error.message)
        }
        propagation.depth -= 1
        if propagation.enabled { propagateCall(cmd, client, args, changed: dirty != dirtyBefore) }
        let elapsed = CommandClock.micros(CommandClock.ticks() &- startTicks)
        cmd.calls += 1
        cmd.microseconds += elapsed
        if settings.latencyTracking { recordLatency(cmd, micros: elapsed) }
        if !monitors.isEmpty { feedMonitors(client, args, cmd) }
        if elapsed >= settings.slowlogThresholdMicros && settings.slowlogThresholdMicros >= 0
            && !cmd.flags.contains(.skipSlowlog) {
            slowlog.record(args: args, micros: elapsed, client: client, now: now, maxLength: settings.slowlogMaxLength)
        }
        if settings.latencyMonitorThresholdMs > 0 && elapsed / 1000 >= settings.latencyMonitorThresholdMs {
            latency.add(event: cmd.flags.contains(.fast) ? "fast-command" : "command", latencyMs: elapsed / 1000,
                        now: now / 1000)
        }
    }

    /// Records what a finished command changed, in Redis's call(): a write (or may-replicate) command that
    /// made the dataset dirty propagates its arguments or the handler's replacement.
    private func propagateCall(_ cmd: Command, _ client: ClientSession, _ args: Args, changed: Bool) {
        // The replacement is taken out of line, only when set: most commands leave it nil, and even a nil
        // optional array held here cost every write a release.
        if propagation.replacement != nil {
            propagateReplacement(cmd, client, changed: changed)
        } else if changed && (cmd.isWrite || cmd.flags.contains(.mayReplicate)) {
            propagation.add(db: client.db, args)
        }
        if propagation.depth == 0 { propagation.flushUnit() }
    }

    @inline(never)
    private func propagateReplacement(_ cmd: Command, _ client: ClientSession, changed: Bool) {
        var replacement: [[Bytes]]? = nil
        swap(&replacement, &propagation.replacement)
        if let replacement, changed && (cmd.isWrite || cmd.flags.contains(.mayReplicate)) {
            propagation.add(db: client.db, commands: replacement)
        }
    }

    private func recordLatency(_ cmd: Command, micros: Int) {
        // Microseconds scaled to nanoseconds, as Redis does: its histograms also see only µs resolution.
        if cmd.latencyHistogram == nil { cmd.latencyHistogram = LatencyHistogram() }
        cmd.latencyHistogram!.record(nanoseconds: Int64(micros) &* 1000)
    }

    func protectedAllowed(_ client: ClientSession) -> Bool {
        switch settings.debugCommand {
        case .yes: return true
        case .no: return false
        case .local: return client.isLocal
        }
    }

    static func allowedWhileSubscribed(_ cmd: Command) -> Bool {
        switch cmd.fullName {
        case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
             "ping", "quit", "reset": return true
        default: return false
        }
    }

    static func runsInsideMulti(_ cmd: Command) -> Bool {
        switch cmd.fullName {
        case "exec", "discard", "quit", "reset": return true
        default: return false
        }
    }

    /// An error reply counted in errorstats.
    public func replyError(_ client: ClientSession, _ message: String) {
        client.reply.error(message)
        stats.totalErrorReplies += 1
        stats.errorCounts[String(message.prefix { $0 != " " }), default: 0] += 1
    }

    func reject(_ client: ClientSession, _ cmd: Command?, _ message: String) {
        cmd?.rejectedCalls += 1
        stats.rejectedCalls += 1
        if client.inMulti { client.multiAborted = true }
        // A refused EXEC ends the transaction, and its error says why (Redis's execCommandAbort).
        if cmd?.name == "exec" {
            endTransaction(client)
            replyError(client, "EXECABORT Transaction discarded because of: \(message.hasPrefix("ERR ") ? String(message.dropFirst(4)) : message)")
            return
        }
        replyError(client, message)
    }

    func unknownCommandMessage(_ args: Args) -> String {
        // Redis formats with %.*s, so each argument ends at its first NUL byte.
        func shown(_ i: Int, max: Int) -> String {
            let b = args[i]
            let end = b.firstIndex(of: 0) ?? b.count
            return String(decoding: UnsafeRawBufferPointer(rebasing: b[0..<min(end, max)]), as: UTF8.self)
        }
        var list = ""
        var i = 1
        while i < args.count && list.utf8.count < 128 {
            list += "'\(shown(i, max: 128 - list.utf8.count))' "
            i += 1
        }
        return "ERR unknown command '\(shown(0, max: 128))', with args beginning with: \(list)"
    }

    func applyReplyMode(_ client: ClientSession, from mark: Int) {
        switch client.replyMode {
        case .on: return
        case .off:
            client.reply.bytes.removeSubrange(mark...)
        case .skipThis:
            client.reply.bytes.removeSubrange(mark...)
            client.replyMode = .on
        case .skipNext:
            client.replyMode = .skipThis
        }
    }

    /// Echoes an executed command to MONITOR clients, after it ran (so SELECT shows its new db), hiding
    /// admin commands and redacted arguments as Redis does.
    func feedMonitors(_ client: ClientSession, _ args: Args, _ cmd: Command) {
        guard !cmd.flags.contains(.skipMonitor), !cmd.flags.contains(.admin) else { return }
        var line = Bytes("+")
        let secs = now / 1000
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        line.append(contentsOf: "\(secs).\(String(format6(Int(ts.tv_nsec / 1000)))) [\(client.db) \(client.address)]".utf8)
        for i in 0..<args.count {
            line.append(UInt8(ascii: " "))
            if client.isRedacted(i) {
                line.append(contentsOf: "\"(redacted)\"".utf8)
            } else {
                ByteRepr.appendQuoted(args[i], to: &line)
            }
        }
        line.append(contentsOf: [13, 10])
        for m in monitors where m !== client {
            m.reply.bytes.append(contentsOf: line)
            woken.append(m)
        }
    }

    private func format6(_ v: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, 6 - s.count)) + s
    }

    // MARK: background work

    /// The active expire cycle, run `hz` times a second: samples segments of each database until the time
    /// budget (a quarter of the tick, like Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC) is spent.
    public func activeExpireCycle(hz: Int) {
        refreshTime()
        let budgetMicros = 1_000_000 / max(hz, 1) / 4
        let start = Self.monotonicMicros()
        for db in dbs where db.volatileCount > 0 {
            while db.activeExpire(budget: 16) > 0 {
                if Self.monotonicMicros() - start > budgetMicros { return }
            }
            if Self.monotonicMicros() - start > budgetMicros { return }
        }
    }

    /// Starts a point-in-time image of every non-empty database for a snapshot. An `incremental` capture is
    /// completed by the event loop over the next turns (`advanceCaptures`), a bounded share a turn, while the
    /// snapshot's thread waits for it; otherwise it is complete on return (SAVE, tests).
    public func beginCapture(incremental: Bool) -> DatasetCapture {
        let capture = DatasetCapture(dbs.filter { $0.count > 0 }.map {
            ($0.id, $0.keys.beginCapture(returnsShells: incremental))
        })
        if incremental {
            captures.append(capture)
            draining.append(contentsOf: capture.databases.map(\.image))
        } else {
            for db in dbs { db.keys.finishCapture() }
            capture.publish()
        }
        return capture
    }

    /// Segments a loop turn adds to the captures in progress: a million keys are 65,536 segments, whose retains
    /// took 1.35 ms of the BGSAVE's turn on a loaded machine (8.5 ms at five million); a turn now pays a
    /// sixteenth of the former.
    public static let captureSegmentsPerTurn = 4096

    /// Whether captures are in progress: the loop must come back for them without waiting for a client.
    public var capturing: Bool { !captures.isEmpty }

    /// One loop turn's share of the captures in progress; publishes those now complete to their threads.
    public func advanceCaptures(budget: Int = Engine.captureSegmentsPerTurn) {
        var left = budget
        // A capture follows its keyspace, wherever SWAPDB has put it.
        for db in dbs where left > 0 { left -= db.keys.continueCapture(budget: left) }
        captures.removeAll { capture in
            guard capture.isCaptured else { return false }
            capture.publish()
            return true
        }
    }

    /// Segments a loop turn frees of those that snapshot threads emptied and handed back (KeyspaceImage.drain):
    /// two or three frees each.
    public static let returnedSegmentsPerTurn = 256

    /// Whether segments handed back by a snapshot thread wait to be freed: the loop comes back for them at once.
    public var segmentsReturned: Bool { draining.contains { $0.hasReturned } }

    /// Whether images of incremental captures are still held here, for the segments their threads hand back.
    public var drainingImages: Bool { !draining.isEmpty }

    /// One loop turn's share of the segments snapshot threads handed back; lets go of an image once its
    /// snapshot has (nothing else holds it) and every segment it returned is freed.
    public func freeReturnedSegments(budget: Int = Engine.returnedSegmentsPerTurn) {
        var left = budget
        for image in draining where left > 0 { left -= image.freeReturned(budget: left) }
        var i = 0
        while i < draining.count {
            if !draining[i].hasReturned && isKnownUniquelyReferenced(&draining[i]) {
                draining.remove(at: i)
            } else {
                i += 1
            }
        }
    }

    /// Forgets a disconnected client everywhere the engine refers to it.
    public func clientClosed(_ client: ClientSession) {
        unwatchAll(client)
        unblock(client)
        pubsub.removeAll(client)
        if client.isMonitor { monitors.removeAll { $0 === client } }
    }

    public func database(_ index: Int) -> Database? {
        index >= 0 && index < dbs.count ? dbs[index] : nil
    }
}
