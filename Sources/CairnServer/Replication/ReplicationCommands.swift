import Glibc
import RESP
import CairnEngine
import CairnReplication

/// REPLICAOF, SYNC, PSYNC, REPLCONF, WAIT, ROLE and the INFO replication section.
extension Server {
    func registerReplicationCommands() {
        installReplicationConfigHooks()
        for name in ["replicaof", "slaveof"] {
            engine.register(name, arity: 3, flags: [.admin, .noscript, .stale, .noMulti], categories: ["@admin", "@slow", "@dangerous"], group: "server") { [unowned self] ctx throws(CommandError) in
                if ctx.args.isKeyword(1, "no") && ctx.args.isKeyword(2, "one") {
                    stopFollowing()
                    ctx.out.ok()
                    return
                }
                guard let port = Int(ctx.args.text(2)), (0...65535).contains(port) else { throw CommandError("ERR Invalid master port") }
                if follow(host: ctx.args.text(1), port: port) {
                    ctx.out.ok()
                } else {
                    ctx.out.status("OK Already connected to specified master")
                }
            }
        }
        engine.register("psync", arity: -3, flags: [.admin, .noscript, .noMulti], categories: ["@admin", "@slow", "@dangerous"], group: "server") { [unowned self] ctx throws(CommandError) in
            try syncRequested(ctx, psync: true)
        }
        engine.register("sync", arity: 1, flags: [.admin, .noscript, .noMulti], categories: ["@admin", "@slow", "@dangerous"], group: "server") { [unowned self] ctx throws(CommandError) in
            try syncRequested(ctx, psync: false)
        }
        engine.register("replconf", arity: -1, flags: [.admin, .noscript, .loading, .stale, .allowBusy], categories: ["@admin", "@slow", "@dangerous"], group: "server") { [unowned self] ctx throws(CommandError) in
            try replconf(ctx)
        }
        engine.register("wait", arity: 3, flags: [.noscript], categories: ["@slow", "@connection"], group: "generic") { [unowned self] ctx throws(CommandError) in
            try wait(ctx)
        }
        engine.register("role", arity: 1, flags: [.noscript, .loading, .stale, .fast], categories: ["@admin", "@fast", "@dangerous"], group: "server") { [unowned self] ctx in
            role(&ctx.out)
        }
    }

    /// CONFIG SET of directives whose effect is not just read at the next use.
    func installReplicationConfigHooks() {
        for name in ["replica-read-only", "replica-serve-stale-data"] {
            config.onApply(name) { [unowned self] (_: Bool) -> String? in
                refreshReplicationRefusals()
                return nil
            }
        }
        for name in ["min-replicas-to-write", "min-replicas-max-lag"] {
            config.onApply(name) { [unowned self] (_: Int) -> String? in
                refreshReplicationRefusals()
                return nil
            }
        }
        config.onApply("repl-backlog-size") { [unowned self] (size: Int) -> String? in
            replication.backlog?.resize(size)
            return nil
        }
    }

    /// A full sync's load as INFO persistence shows it: `replacing` when clients get -LOADING meanwhile
    /// (loading:1), otherwise the old data is served (async_loading:1); and Redis's loading_* progress fields.
    func fullSyncLoad() -> (replacing: Bool, progress: [String])? {
        guard let link = replication.link, let receiver = link.receiver ?? link.dual?.loaded else { return nil }
        let total = receiver.totalBytes
        let loaded = receiver.bytesRead.load(ordering: .relaxed)
        let elapsed = time(nil) - receiver.startedAt
        let remaining = total > 0 ? total - loaded : 1
        let eta = elapsed == 0 ? 1 : elapsed * remaining / (loaded + 1)
        let perc = total > 0 ? Double(loaded) * 100 / Double(total) : 0
        return (replacingDataset(link), [
            "loading_start_time:\(receiver.startedAt)",
            "loading_total_bytes:\(total)",
            // The primary's used-mem aux field is read only with the rest of the aux fields at the end.
            "loading_rdb_used_mem:0",
            "loading_loaded_bytes:\(loaded)",
            "loading_loaded_perc:\(DoubleFormat.cFormat("%.2f", perc))",
            "loading_eta_seconds:\(eta)",
        ])
    }

    func role(_ out: inout ReplyWriter) {
        if let link = replication.link {
            out.array(5)
            out.bulk("slave")
            out.bulk(link.host)
            out.integer(link.port)
            out.bulk(link.roleState)
            out.integer(link.state == .connected ? replication.offset : -1)
            return
        }
        let online = replication.peers.filter { $0.state == .online }
        out.array(3)
        out.bulk("master")
        out.integer(replication.offset)
        out.array(online.count)
        for p in online {
            out.array(3)
            out.bulk(p.ip)
            out.bulk(String(p.listeningPort))
            out.bulk(String(p.ackOffset))
        }
    }

    /// INFO replication, with Redis's field names and order.
    func replicationInfo() -> [String] {
        var lines = ["role:\(engine.role)"]
        let now = Engine.monotonicMicros()
        let rs = replicationSettings
        if let link = replication.link {
            let up = link.state == .connected
            lines += [
                "master_host:\(link.host)",
                "master_port:\(link.port)",
                "master_link_status:\(up ? "up" : "down")",
                "master_last_io_seconds_ago:\(up ? Int(engine.now - (replication.primaryConnection?.session.lastInteraction ?? engine.now)) / 1000 : -1)",
                "master_sync_in_progress:\(link.state == .transfer || link.state == .awaitingBulk || link.state == .dualChannel ? 1 : 0)",
                "slave_read_repl_offset:\(replication.offset)",
                "slave_repl_offset:\(replication.offset)",
                "replicas_repl_buffer_size:\(link.dual?.stream.buffer.count ?? replication.catchUp?.stream.buffer.count ?? 0)",
                "replicas_repl_buffer_peak:\(replication.streamBufferPeak)",
            ]
            if let receiver = link.receiver {
                let total = receiver.totalBytes
                let read = receiver.bytesRead.load(ordering: .relaxed)
                lines += ["master_sync_total_bytes:\(total)", "master_sync_read_bytes:\(read)",
                          "master_sync_left_bytes:\(total - read)",
                          "master_sync_perc:\(DoubleFormat.cFormat("%.2f", total > 0 ? Double(read) * 100 / Double(total) : 0))",
                          "master_sync_last_io_seconds_ago:\((now - receiver.lastRead.load(ordering: .relaxed)) / 1_000_000)"]
            }
            if !up { lines.append("master_link_down_since_seconds:\((now - link.downSince) / 1_000_000)") }
            lines += ["slave_priority:\(rs.priority)", "slave_read_only:\(rs.readOnly ? 1 : 0)", "replica_announced:1"]
        }
        let replicas = replication.peers.filter(\.isReplica)
        lines.append("connected_slaves:\(replicas.count)")
        if rs.minReplicasToWrite > 0 && rs.minReplicasMaxLag > 0 { lines.append("min_slaves_good_slaves:\(goodReplicaCount)") }
        for (i, p) in replicas.enumerated() {
            let lag = p.state == .online ? (now - p.lastAck) / 1_000_000 : 0
            lines.append("slave\(i):ip=\(p.ip),port=\(p.listeningPort),state=\(p.infoState),offset=\(p.ackOffset),lag=\(lag),type=\(p.infoType)")
        }
        let h = replication.history
        let backlog = replication.backlog
        lines += [
            "replicas_waiting_psync:\(replication.pinned.count)",
            "master_failover_state:no-failover",
            "master_replid:\(h.replid)",
            "master_replid2:\(h.replid2)",
            "master_repl_offset:\(replication.offset)",
            "second_repl_offset:\(h.secondOffset)",
            "repl_backlog_active:\(backlog == nil ? 0 : 1)",
            "repl_backlog_size:\(rs.backlogSize)",
            "repl_backlog_first_byte_offset:\(backlog?.firstByteOffset ?? 0)",
            "repl_backlog_histlen:\(backlog?.histlen ?? 0)",
        ]
        return lines
    }
}
