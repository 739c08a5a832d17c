import CairnEngine

/// The server's side of maxmemory: the engine's eviction settings, the memory Redis does not count against
/// the limit, and eviction resumed between commands.
extension Server {
    /// Called from applySettings: copies the eviction directives into the engine's settings.
    func applyEvictionSettings(_ e: inout EngineSettings) {
        e.maxmemory = settings.maxmemory
        e.evictionPolicy = settings.maxmemoryPolicy
        e.maxmemorySamples = settings.maxmemorySamples
        e.maxmemoryEvictionTenacity = settings.maxmemoryEvictionTenacity
    }

    /// Registered once at startup: the AOF bytes not yet handed to the disk do not count against maxmemory.
    func installMemoryAccounting() {
        engine.memoryNotCounted.append { [unowned self] in aofBufferBytes }
        // Replicas' output buffers are left out as Redis leaves them out: evicting to make room for them would
        // feed more DELs into the very buffers being measured.
        engine.memoryNotCounted.append { [unowned self] in
            replication.peers.reduce(0) { $0 + ($1.isReplica ? $1.conn.pendingOutputBytes : 0) }
        }
        engine.replicationBacklogMemory = { [unowned self] in replication.backlog?.size ?? 0 }
    }

    /// INFO mem_aof_buffer: propagated bytes waiting for the AOF writer thread, or for the next hand-off.
    var aofBufferBytes: Int {
        guard let writer = aof.writer else { return 0 }
        return writer.unwrittenBytes + engine.propagation.outputCount
    }

    /// CONFIG SET maxmemory below what is in use: warned about as Redis does; eviction starts at the next loop
    /// turn, once the new value is in the engine.
    func maxmemoryChanged(_ limit: Int) -> String? {
        let used = engine.usedMemory()
        if limit > 0 && limit < used {
            log.warning("WARNING: the new maxmemory value set via CONFIG SET (\(limit)) is smaller than the current memory usage (\(used)). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.")
        }
        engine.eviction.scheduleRun()
        return nil
    }

    /// Redis's eviction time proc: eviction that stopped at its time limit goes on each loop turn.
    /// Client eviction runs here too, once per loop turn rather than per command.
    @inline(__always)
    func resumeEviction() {
        if engine.eviction.pending { engine.performEvictions() }
        if settings.maxmemoryClients != 0, case let limit = clientEvictionLimit, limit > 0 { evictClients(limit: limit) }
    }

    /// Redis's getClientEvictionLimit: maxmemory-clients in bytes, or its percentage of maxmemory (0, no limit,
    /// while maxmemory is 0), and never below 128 KB, so a tiny setting cannot shut every client out.
    var clientEvictionLimit: Int {
        let setting = settings.maxmemoryClients
        let limit: Int
        if setting < 0 {
            guard settings.maxmemory > 0 else { return 0 }
            limit = Int(Double(settings.maxmemory) * Double(-setting) / 100)
        } else {
            limit = setting
        }
        return max(limit, 128 * 1024)
    }

    /// maxmemory-clients: while all normal clients together hold more than the limit, the one holding most is
    /// disconnected (never a replica nor a CLIENT NO-EVICT client), as Redis evicts from its largest bucket.
    func evictClients(limit: Int) {
        var candidates = connectionsByID.values.filter { !$0.closed && !$0.session.isReplica && !$0.session.noEvict }
        var total = candidates.reduce(0) { $0 + $1.memoryUsage }
        guard total >= limit else { return }
        candidates.sort { $0.memoryUsage > $1.memoryUsage }
        for conn in candidates where total >= limit {
            total -= conn.memoryUsage
            log.verbose("Evicting client: id=\(conn.session.id) addr=\(conn.session.address) tot-mem=\(conn.memoryUsage)")
            stats.evictedClients += 1
            closeConnection(conn)
        }
    }
}

extension Server {
    /// INFO memory's fields about the limit and what is left out of it, in Redis's order.
    func memoryLimitFields(used: Int, rss: Int) -> [String] {
        let clients = connectionsByID.values.reduce(0) { $0 + ($1.session.isReplica ? 0 : $1.memoryUsage) }
        let replicas = connectionsByID.values.reduce(0) { $0 + ($1.session.isReplica ? $1.memoryUsage : 0) }
        return [
            "mem_fragmentation_bytes:\(rss - used)",
            "mem_not_counted_for_evict:\(engine.memoryNotCountedForEviction)",
            "mem_replication_backlog:\(engine.replicationBacklogMemory())",
            "mem_total_replication_buffers:0",
            "mem_clients_slaves:\(replicas)",
            "mem_clients_normal:\(clients)",
            "mem_cluster_links:0",
            "mem_aof_buffer:\(aofBufferBytes)",
        ]
    }

    /// INFO stats' eviction counters.
    func evictionStatsFields() -> [String] {
        let e = engine.eviction
        let current = e.exceededSince == 0 ? 0 : (Engine.monotonicMicros() - e.exceededSince) / 1000
        return [
            "evicted_keys:\(e.evictedKeys)",
            "evicted_clients:\(stats.evictedClients)",
            "total_eviction_exceeded_time:\(e.exceededMicros / 1000 + current)",
            "current_eviction_exceeded_time:\(current)",
        ]
    }
}

extension Connection {
    /// What this client holds: its query and reply buffers plus the fixed cost of its structures, as Redis's
    /// getClientMemoryUsage counts them (CLIENT LIST tot-mem, maxmemory-clients).
    var memoryUsage: Int { queryCapacity + session.reply.bytes.capacity + Self.fixedMemory }

    static let fixedMemory = 1024
}
