import RESP
import CairnEngine

extension Server {
    func registerConfigCommand() {
        let container = engine.registerContainer("config", group: "server")
        let flags: CommandFlags = [.admin, .noscript, .loading, .stale]
        let cats = ["@admin", "@slow", "@dangerous"]
        engine.register("get", arity: -3, flags: flags, categories: cats, group: "server", parent: container) { [unowned self] ctx throws(CommandError) in
            let patterns = (2..<ctx.args.count).map { ctx.args.text($0) }
            let pairs = config.get(patterns)
            ctx.out.map(pairs.count)
            for p in pairs {
                ctx.out.bulk(p.name)
                ctx.out.bulk(p.value)
            }
        }
        engine.register("set", arity: -4, flags: flags.union(.mayReplicate), categories: cats, group: "server", parent: container) { [unowned self] ctx throws(CommandError) in
            let values = (2..<ctx.args.count).map { ctx.args.text($0) }
            for i in stride(from: 3, to: ctx.args.count, by: 2) where config.isSensitive(ctx.args.text(i - 1).lowercased()) {
                ctx.client.redact(i)
            }
            do {
                try config.set(values, clientIsLocal: ctx.client.isLocal)
            } catch {
                throw CommandError((error as? ConfigError)?.message ?? "ERR \(error)")
            }
            applySettings()
            ctx.out.ok()
        }
        engine.register("resetstat", arity: 2, flags: flags, categories: cats, group: "server", parent: container) { [unowned self] ctx throws(CommandError) in
            resetStatistics()
            ctx.out.ok()
        }
        engine.register("rewrite", arity: 2, flags: flags, categories: cats, group: "server", parent: container) { [unowned self] ctx throws(CommandError) in
            do {
                try config.rewrite()
            } catch {
                let message = (error as? ConfigError)?.message ?? "ERR \(error)"
                log.warning("CONFIG REWRITE failed: \(message)")
                throw CommandError(message)
            }
            log.notice("CONFIG REWRITE executed with success.")
            ctx.out.ok()
        }
        engine.register("help", arity: 2, flags: [.loading, .stale], categories: ["@slow"], group: "server", parent: container) { ctx throws(CommandError) in
            let lines = [
                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                "RESETSTAT", "    Reset statistics reported by the INFO command.",
                "REWRITE", "    Rewrite the configuration file.",
                "HELP", "    Print this help.",
            ]
            ctx.out.array(lines.count)
            for l in lines { ctx.out.status(l) }
        }
    }

    /// CONFIG RESETSTAT: the counters INFO stats, commandstats, errorstats and SLOWLOG report start again.
    func resetStatistics() {
        engine.stats = EngineStats()
        for c in engine.commands.all {
            for cmd in [c] + Array(c.subcommands.values) {
                cmd.calls = 0
                cmd.microseconds = 0
                cmd.rejectedCalls = 0
                cmd.failedCalls = 0
                cmd.latencyHistogram = nil
            }
        }
        stats = ServerStats()
        engine.eviction.resetStatistics()
        for conn in connectionsByID.values {
            conn.totalNetInput = 0
            conn.totalNetOutput = 0
        }
        peakMemory = MemoryStats.allocatedBytes()
    }

    /// Copies what the engine and logger read on their hot paths out of the settings; run at startup and
    /// after every successful CONFIG SET.
    public func applySettings() {
        var e = engine.settings
        e.hllSparseMaxBytes = settings.hllSparseMaxBytes
        e.lfuPolicy = settings.maxmemoryPolicy.isLFU
        e.lfuLogFactor = settings.lfuLogFactor
        e.lfuDecayTime = settings.lfuDecayTime
        e.protoMaxBulkLength = settings.protoMaxBulkLen
        e.slowlogThresholdMicros = settings.slowlogLogSlowerThan
        e.slowlogMaxLength = settings.slowlogMaxLen
        switch settings.enableDebugCommand {
        case .no: e.debugCommand = .no
        case .yes: e.debugCommand = .yes
        case .local: e.debugCommand = .local
        }
        e.latencyMonitorThresholdMs = settings.latencyMonitorThreshold
        e.latencyTracking = settings.latencyTracking
        e.latencyTrackingInfoPercentiles = settings.latencyTrackingInfoPercentiles
        e.listMaxListpackSize = settings.listMaxListpackSize
        e.listCompressDepth = settings.listCompressDepth
        e.hashMaxListpackEntries = settings.hashMaxListpackEntries
        e.hashMaxListpackValue = settings.hashMaxListpackValue
        e.setMaxIntsetEntries = settings.setMaxIntsetEntries
        e.setMaxListpackEntries = settings.setMaxListpackEntries
        e.setMaxListpackValue = settings.setMaxListpackValue
        e.zsetMaxListpackEntries = settings.zsetMaxListpackEntries
        e.zsetMaxListpackValue = settings.zsetMaxListpackValue
        e.streamNodeMaxBytes = settings.streamNodeMaxBytes
        e.streamNodeMaxEntries = settings.streamNodeMaxEntries
        e.notifyKeyspaceEvents = settings.notifyKeyspaceEvents
        applyEvictionSettings(&e)
        engine.settings = e
        applyACLSettings()
        engine.slowlog.trim(to: max(settings.slowlogMaxLen, 0))
        log.level = Logger.Level(name: settings.logLevel.rawValue) ?? .notice
        for conn in connectionsByID.values { conn.parser.maxBulkLength = settings.protoMaxBulkLen }
    }
}
