#if canImport(Glibc)
import Glibc
#endif
import Foundation
import CSystem
import RESP
import CairnEngine

/// INFO: Redis's sections and field names, so monitoring tools and client libraries parse it unchanged.
extension Server {
    static let defaultSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"]
    static let allSections = defaultSections + ["commandstats", "latencystats"]

    func registerInfoCommand() {
        engine.register("info", arity: -1, flags: [.loading, .stale], categories: ["@slow", "@dangerous"], group: "server") { [unowned self] ctx throws(CommandError) in
            var wanted: [String] = []
            for i in 1..<max(ctx.args.count, 1) {
                let name = ctx.args.text(i).lowercased()
                switch name {
                case "default": wanted += Self.defaultSections
                case "all": wanted += Self.allSections
                case "everything": wanted += Self.allSections
                default: wanted.append(name)
                }
            }
            if ctx.args.count == 1 { wanted = Self.defaultSections }
            ctx.out.verbatim(info(sections: wanted))
        }
    }

    func info(sections: [String]) -> String {
        var out = ""
        var seen = Set<String>()
        for name in Self.allSections where sections.contains(name) && !seen.contains(name) {
            seen.insert(name)
            let body = section(name)
            if !out.isEmpty { out += "\r\n" }
            out += "# \(title(name))\r\n"
            for line in body { out += line + "\r\n" }
        }
        return out
    }

    private func title(_ name: String) -> String {
        switch name {
        case "cpu": return "CPU"
        case "commandstats": return "Commandstats"
        case "errorstats": return "Errorstats"
        case "latencystats": return "Latencystats"
        default: return name.prefix(1).uppercased() + name.dropFirst()
        }
    }

    private func section(_ name: String) -> [String] {
        engine.refreshTime()
        switch name {
        case "server": return serverSection()
        case "clients": return [
            "connected_clients:\(connectionsByID.count)",
            "cluster_connections:0",
            "maxclients:\(settings.maxClients)",
            "client_recent_max_input_buffer:\(connectionsByID.values.map { $0.queryCapacity }.max() ?? 0)",
            "client_recent_max_output_buffer:\(connectionsByID.values.map { $0.pendingOutputBytes }.max() ?? 0)",
            "blocked_clients:\(engine.blockedClientCount)",
            "tracking_clients:0",
            "clients_in_timeout_table:0",
            "total_blocking_keys:0",
            "total_blocking_keys_on_nokey:0",
        ]
        case "memory": return memorySection()
        case "persistence": return persistenceSection()
        case "stats": return statsSection()
        case "replication": return replicationInfo()
        case "cpu":
            var self_ = rusage()
            getrusage(RUSAGE_SELF.rawValue, &self_)
            var children = rusage()
            getrusage(RUSAGE_CHILDREN.rawValue, &children)
            return [
                "used_cpu_sys:\(seconds(self_.ru_stime))",
                "used_cpu_user:\(seconds(self_.ru_utime))",
                "used_cpu_sys_children:\(seconds(children.ru_stime))",
                "used_cpu_user_children:\(seconds(children.ru_utime))",
                "used_cpu_sys_main_thread:\(seconds(self_.ru_stime))",
                "used_cpu_user_main_thread:\(seconds(self_.ru_utime))",
            ]
        case "modules": return []
        case "errorstats":
            return engine.stats.errorCounts.sorted { $0.key < $1.key }.map { "errorstat_\($0.key):count=\($0.value)" }
        case "latencystats": return engine.settings.latencyTracking ? engine.latencyStatsLines() : []
        case "cluster": return ["cluster_enabled:0"]
        case "keyspace":
            return engine.dbs.filter { $0.count > 0 }.map { db in
                "db\(db.id):keys=\(db.count),expires=\(db.volatileCount),avg_ttl=0"
            }
        case "commandstats":
            var lines: [String] = []
            for c in engine.commands.all.sorted(by: { $0.name < $1.name }) {
                for cmd in [c] + c.subcommands.values.sorted(by: { $0.name < $1.name }) where cmd.calls > 0 || cmd.rejectedCalls > 0 || cmd.failedCalls > 0 {
                    let perCall = cmd.calls > 0 ? Double(cmd.microseconds) / Double(cmd.calls) : 0
                    lines.append("cmdstat_\(cmd.fullName):calls=\(cmd.calls),usec=\(cmd.microseconds),usec_per_call=\(String(format: "%.2f", perCall)),rejected_calls=\(cmd.rejectedCalls),failed_calls=\(cmd.failedCalls)")
                }
            }
            return lines
        default: return []
        }
    }

    private func seconds(_ tv: timeval) -> String {
        String(format: "%.6f", Double(tv.tv_sec) + Double(tv.tv_usec) / 1e6)
    }

    private func serverSection() -> [String] {
        var uts = utsname()
        uname(&uts)
        let sys = withUnsafeBytes(of: &uts.sysname) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let rel = withUnsafeBytes(of: &uts.release) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let mach = withUnsafeBytes(of: &uts.machine) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let uptime = (engine.now - startedAt) / 1000
        let binds = settings.bind.map { "bind=\($0)" }.joined(separator: ",")
        return [
            "redis_version:\(Engine.compatibleRedisVersion)",
            "redis_git_sha1:00000000",
            "redis_git_dirty:0",
            "redis_build_id:0",
            "redis_mode:standalone",
            "os:\(sys) \(rel) \(mach)",
            "arch_bits:64",
            "monotonic_clock:POSIX clock_gettime",
            "multiplexing_api:epoll",
            "atomicvar_api:c11-builtin",
            "gcc_version:0.0.0",
            "process_id:\(getpid())",
            "process_supervised:no",
            "run_id:\(runID)",
            "tcp_port:\(settings.port)",
            "server_time_usec:\(engine.now * 1000)",
            "uptime_in_seconds:\(uptime)",
            "uptime_in_days:\(uptime / 86400)",
            "hz:\(settings.hz)",
            "configured_hz:\(settings.hz)",
            "lru_clock:\((engine.now / 1000) & 0xFFFFFF)",
            "executable:\(executablePath)",
            "config_file:\(config.configFile ?? "")",
            "io_threads_active:0",
            "listener0:name=tcp,\(binds),port=\(settings.port)",
            "cairn_version:\(cairnVersion)",
        ]
    }

    private func memorySection() -> [String] {
        let used = engine.usedMemory()
        let rss = MemoryStats.residentBytes()
        peakMemory = max(peakMemory, used)
        let total = MemoryStats.totalSystemMemory()
        return [
            "used_memory:\(used)",
            "used_memory_human:\(MemoryStats.human(used))",
            "used_memory_rss:\(rss)",
            "used_memory_rss_human:\(MemoryStats.human(rss))",
            "used_memory_peak:\(peakMemory)",
            "used_memory_peak_human:\(MemoryStats.human(peakMemory))",
            "used_memory_peak_perc:\(String(format: "%.2f%%", peakMemory > 0 ? Double(used) * 100 / Double(peakMemory) : 100))",
            "used_memory_startup:\(startupMemory)",
            "used_memory_dataset:\(max(0, used - startupMemory))",
            "total_system_memory:\(total)",
            "total_system_memory_human:\(MemoryStats.human(total))",
            "maxmemory:\(settings.maxmemory)",
            "maxmemory_human:\(MemoryStats.human(settings.maxmemory))",
            "maxmemory_policy:\(settings.maxmemoryPolicy.rawValue)",
            "mem_fragmentation_ratio:\(String(format: "%.2f", used > 0 ? Double(rss) / Double(used) : 0))",
        ] + memoryLimitFields(used: used, rss: rss) + [
            "mem_allocator:libc",
            "lazyfree_pending_objects:0",
        ]
    }

    private func persistenceSection() -> [String] {
        let load = fullSyncLoad()
        return [
            "loading:\(persistence.loading || load?.replacing == true ? 1 : 0)",
            "async_loading:\(load?.replacing == false ? 1 : 0)",
            "current_cow_peak:0",
            "current_cow_size:0",
            "current_cow_size_age:0",
            "current_fork_perc:0.00",
            "current_save_keys_processed:0",
            "current_save_keys_total:0",
            "rdb_changes_since_last_save:\(engine.dirty)",
            "rdb_bgsave_in_progress:\(backgroundSaveInProgress ? 1 : 0)",
            "rdb_last_save_time:\(engine.lastSaveTime)",
            "rdb_last_bgsave_status:\(persistence.lastStatusOK ? "ok" : "err")",
            "rdb_last_bgsave_time_sec:\(persistence.lastBgsaveSeconds)",
            "rdb_current_bgsave_time_sec:\(backgroundSaveInProgress ? Int((engine.now - persistence.jobStartedAt) / 1000) : -1)",
            "rdb_saves:\(persistence.saves)",
            "rdb_last_cow_size:0",
            "rdb_last_load_keys_expired:\(persistence.lastLoadKeysExpired)",
            "rdb_last_load_keys_loaded:\(persistence.lastLoadKeysLoaded)",
            "aof_enabled:\(aof.enabled ? 1 : 0)",
            "aof_rewrite_in_progress:\(aof.rewrite == nil ? 0 : 1)",
            "aof_rewrite_scheduled:0",
            "aof_last_rewrite_time_sec:\(aof.lastRewriteSeconds)",
            "aof_current_rewrite_time_sec:\(aof.rewriteSeconds)",
            "aof_last_bgrewrite_status:\(aof.lastRewriteOK ? "ok" : "err")",
            "aof_rewrites:\(aof.rewrites)",
            "aof_rewrites_consecutive_failures:\(aof.consecutiveFailures)",
            "aof_last_write_status:\(aof.writer?.lastError == nil ? "ok" : "err")",
            "aof_last_cow_size:0",
            "module_fork_in_progress:0",
            "module_fork_last_cow_size:0",
        ] + (aof.enabled ? [
            "aof_current_size:\(aof.currentSize)",
            "aof_base_size:\(aof.baseSize)",
            "aof_pending_rewrite:0",
            "aof_buffer_length:0",
            "aof_pending_bio_fsync:0",
            "aof_delayed_fsync:0",
            "aof_fsyncs:\(aof.writer?.syncCount.load(ordering: .relaxed) ?? 0)",
        ] : []) + (load?.progress ?? [])
    }

    private func statsSection() -> [String] {
        let netIn = stats.netInput + connectionsByID.values.reduce(0) { $0 + $1.totalNetInput }
        let netOut = stats.netOutput + connectionsByID.values.reduce(0) { $0 + $1.totalNetOutput }
        let s = engine.stats
        return [
            "total_connections_received:\(stats.totalConnections)",
            "total_commands_processed:\(s.commandsProcessed)",
            "instantaneous_ops_per_sec:\(opsSampler.perSecond)",
            "total_net_input_bytes:\(netIn)",
            "total_net_output_bytes:\(netOut)",
            "total_net_repl_input_bytes:0",
            "total_net_repl_output_bytes:0",
            "instantaneous_input_kbps:\(String(format: "%.2f", Double(inputSampler.perSecond) / 1024))",
            "instantaneous_output_kbps:\(String(format: "%.2f", Double(outputSampler.perSecond) / 1024))",
            "instantaneous_input_repl_kbps:0.00",
            "instantaneous_output_repl_kbps:0.00",
            "rejected_connections:\(stats.rejectedConnections)",
            "sync_full:\(replication.syncFull)",
            "sync_partial_ok:\(replication.syncPartialOK)",
            "sync_partial_err:\(replication.syncPartialErr)",
            "expired_keys:\(s.expiredKeys)",
            "expired_stale_perc:0.00",
            "expired_time_cap_reached_count:0",
            "expire_cycle_cpu_milliseconds:0",
        ] + evictionStatsFields() + [
            "keyspace_hits:\(s.keyspaceHits)",
            "keyspace_misses:\(s.keyspaceMisses)",
            "pubsub_channels:\(engine.pubsub.channelCount)",
            "pubsub_patterns:\(engine.pubsub.patternCount)",
            "pubsubshard_channels:\(engine.pubsub.shardChannelCount)",
            "latest_fork_usec:0",
            "total_forks:0",
            "migrate_cached_sockets:0",
            "slave_expires_tracked_keys:0",
            "active_defrag_hits:0",
            "active_defrag_misses:0",
            "active_defrag_key_hits:0",
            "active_defrag_key_misses:0",
            "total_active_defrag_time:0",
            "current_active_defrag_time:0",
            "tracking_total_keys:0",
            "tracking_total_items:0",
            "tracking_total_prefixes:0",
            "unexpected_error_replies:0",
            "total_error_replies:\(s.totalErrorReplies)",
            "dump_payload_sanitizations:0",
            "total_reads_processed:\(stats.readsProcessed)",
            "total_writes_processed:\(stats.writesProcessed)",
            "io_threaded_reads_processed:0",
            "io_threaded_writes_processed:0",
            "reply_buffer_shrinks:0",
            "reply_buffer_expands:0",
            "eventloop_cycles:\(stats.loopCycles)",
            "acl_access_denied_auth:\(engine.acl.deniedAuth)",
            "acl_access_denied_cmd:\(engine.acl.deniedCommand)",
            "acl_access_denied_key:\(engine.acl.deniedKey)",
            "acl_access_denied_channel:\(engine.acl.deniedChannel)",
        ]
    }
}

/// Process memory figures. used_memory is what malloc has handed out (glibc's mallinfo2), the closest
/// equivalent of Redis's allocator-reported figure.
enum MemoryStats {
    static func allocatedBytes() -> Int { Int(csystem_used_memory()) }

    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let parts = text.split(separator: " ")
        guard parts.count > 1, let pages = Int(parts[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func totalSystemMemory() -> Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Redis's bytesToHuman: B, K, M, G, T, P with two decimals.
    static func human(_ n: Int) -> String {
        let d = Double(n)
        if n < 1024 { return "\(n)B" }
        let units = ["K", "M", "G", "T", "P"]
        var v = d / 1024
        var i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return String(format: "%.2f%@", v, units[i])
    }
}

/// instantaneous_* metrics: a counter sampled every 100 ms over the last 16 samples, as Redis's trackInstantaneousMetric.
struct RateSampler {
    private var samples = [Int](repeating: 0, count: 16)
    private var index = 0
    private var lastValue = 0
    private var lastMicros = 0

    mutating func sample(_ value: Int, nowMicros: Int) {
        if lastMicros > 0 {
            let dt = nowMicros - lastMicros
            if dt > 0 { samples[index] = (value - lastValue) * 1_000_000 / dt }
            index = (index + 1) % samples.count
        }
        lastValue = value
        lastMicros = nowMicros
    }

    var perSecond: Int { samples.reduce(0, +) / samples.count }
}
