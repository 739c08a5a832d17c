/// repl-diskless-load: how a replica loads a full sync. Cairn always loads on its loader thread into a fresh
/// keyspace and swaps it in; only `swapdb` changes what clients see meanwhile (the old data when the sync
/// continues our own history, as Redis's async loading, instead of -LOADING).
public enum DisklessLoad: String, CaseIterable, Sendable {
    case disabled, onEmptyDB = "on-empty-db", swapdb
}

/// repl-diskless-compression (Cairn's own): whether a diskless full sync LZF-compresses its strings, which Redis
/// does whenever `rdbcompression` is on. `auto` does so except for a replica on the same host (loopback or a unix
/// socket), where a byte sent costs a copy, while compressing and inflating cost the sender and the replica's
/// reader a fifth of their instructions to save a sixth of the bytes (the bench-replication mix).
public enum DisklessCompression: String, CaseIterable, Sendable {
    case yes, no, auto
}

/// The replication directives, with Redis 7.2 / Valkey 8 names and defaults.
public final class ReplicationSettings {
    public var readOnly = true
    public var serveStaleData = true
    public var primaryAuth = ""
    public var primaryUser = ""
    public var announceIP = ""
    public var announcePort = 0
    public var backlogSize = 1 << 20
    public var backlogTTL = 3600
    public var disklessSync = true
    public var disklessSyncDelay = 5
    public var disklessSyncMaxReplicas = 0
    public var disklessLoad = DisklessLoad.disabled
    public var disklessCompression = DisklessCompression.auto
    public var timeout = 60
    public var pingPeriod = 10
    public var minReplicasToWrite = 0
    public var minReplicasMaxLag = 10
    public var priority = 100
    public var dualChannel = false
    public init() {}
}

extension ConfigRegistry {
    func registerReplicationDirectives() {
        let r = settings.replication
        let int32 = Int(Int32.max)
        register(.bool("replica-read-only", r, \.readOnly, aliases: ["slave-read-only"]))
        register(.bool("replica-serve-stale-data", r, \.serveStaleData, aliases: ["slave-serve-stale-data"]))
        register(.string("masterauth", r, \.primaryAuth, aliases: ["primaryauth"], flags: .sensitive, emptyMeansUnset: true))
        register(.string("masteruser", r, \.primaryUser, aliases: ["primaryuser"], emptyMeansUnset: true))
        register(.string("replica-announce-ip", r, \.announceIP, aliases: ["slave-announce-ip"], emptyMeansUnset: true))
        register(.integer("replica-announce-port", r, \.announcePort, 0...65535, aliases: ["slave-announce-port"]))
        register(.memory("repl-backlog-size", r, \.backlogSize, 1...Int.max))
        register(.integer("repl-backlog-ttl", r, \.backlogTTL, 0...Int.max))
        register(.bool("repl-diskless-sync", r, \.disklessSync))
        register(.integer("repl-diskless-sync-delay", r, \.disklessSyncDelay, 0...int32))
        register(.integer("repl-diskless-sync-max-replicas", r, \.disklessSyncMaxReplicas, 0...int32))
        register(.choice("repl-diskless-load", r, \.disklessLoad))
        register(.choice("repl-diskless-compression", r, \.disklessCompression))
        register(.integer("repl-timeout", r, \.timeout, 1...int32))
        register(.integer("repl-ping-replica-period", r, \.pingPeriod, 1...int32, aliases: ["repl-ping-slave-period"]))
        register(.integer("min-replicas-to-write", r, \.minReplicasToWrite, 0...int32, aliases: ["min-slaves-to-write"]))
        register(.integer("min-replicas-max-lag", r, \.minReplicasMaxLag, 0...int32, aliases: ["min-slaves-max-lag"]))
        register(.integer("replica-priority", r, \.priority, 0...int32, aliases: ["slave-priority"]))
        register(.bool("dual-channel-replication-enabled", r, \.dualChannel))
    }
}
