import CairnReplication

/// One replica as its primary sees it, from its first REPLCONF on.
final class ReplicaPeer {
    enum State: String {
        /// REPLCONF seen, no SYNC/PSYNC yet: not a replica.
        case handshake
        /// A diskless sync waiting out repl-diskless-sync-delay.
        case waitBgsave = "wait_bgsave"
        case sendBulk = "send_bulk"
        /// The RDB was sent with an EOF mark: the stream starts at the replica's first ACK, since it could
        /// not tell stream bytes from the end of the RDB.
        case waitAck = "wait_ack"
        /// A dual-channel main channel: streaming while its replica still loads the snapshot from the RDB
        /// channel; online at its first ACK, as in Valkey.
        case bgTransfer = "bg_transfer"
        case online
    }
    let conn: Connection
    var state = State.handshake
    var listeningPort = 0
    var announcedIP: String?
    var capaEOF = false
    var capaPsync2 = false
    /// Offered `capa dual-channel` while this primary allows it: a full sync goes over a second connection.
    var capaDualChannel = false
    /// This connection is a dual-channel sync's RDB channel (REPLCONF rdb-channel 1): it gets `$ENDOFF` and
    /// the RDB, never the stream.
    var rdbChannel = false
    /// The main channel names its RDB channel (REPLCONF set-rdb-client-id) to continue from its snapshot.
    var rdbClientID: Int?
    /// Sent SYNC rather than PSYNC: no +FULLRESYNC line precedes its RDB.
    var legacySync = false
    var ackOffset = 0
    /// Monotonic µs of the last ACK (lag in INFO, repl-timeout).
    var lastAck = 0
    /// When a delayed diskless sync starts (monotonic µs).
    var startAt = 0
    var sender: RDBSender?
    /// The running transfer streams the snapshot straight to the socket: Redis reports such a replica as
    /// waiting for the save until it ends, since the save and the transfer are one.
    var disklessTransfer = false
    /// The stream since the snapshot, held until the replica can take it: in chunks, so holding tens of MB
    /// never copies them to grow (an array doubling had both copies resident at once).
    var held = StreamBuffer()

    init(conn: Connection) { self.conn = conn }

    /// A `bgTransfer` main channel is written once this much is pending (or at the cron), not every loop turn.
    static let mainChannelWriteBytes = 64 * 1024

    var isReplica: Bool { state != .handshake }

    /// INFO replication's state= and type= for this replica, in Valkey 8's words.
    var infoState: String {
        switch state {
        case .waitAck: return "online"
        case .sendBulk where disklessTransfer: return "wait_bgsave"
        default: return state.rawValue
        }
    }
    var infoType: String { rdbChannel ? "rdb-channel" : state == .bgTransfer ? "main-channel" : "replica" }

    /// The address INFO and ROLE show: the announced one, else the peer's IP.
    var ip: String {
        if let announcedIP { return announcedIP }
        let addr = conn.session.address
        return addr.lastIndex(of: ":").map { String(addr[..<$0]) } ?? addr
    }
}

/// The link of a replica to its primary.
final class PrimaryLink {
    enum State: String {
        /// Waiting to (re)connect.
        case connect
        case connecting
        case handshake
        /// PSYNC answered with a full sync: the bulk header is next.
        case awaitingBulk
        /// The loader thread owns the socket.
        case transfer
        /// +DUALCHANNELSYNC: the RDB comes over a second connection (`dual`) while this one PSYNCs from the
        /// snapshot's end and buffers the stream.
        case dualChannel
        case connected
    }
    let host: String
    let port: Int
    var fd: Int32 = -1
    var state = State.connect
    /// This attempt's address of the primary, and the lookup of a host name while it runs.
    var address: SocketAddress?
    var resolver: HostResolver?
    var handshake: ReplicaHandshake?
    var line: [UInt8] = []
    var receiver: RDBReceiver?
    var dual: DualChannelLink?
    /// +FULLRESYNC's history and offset, applied when the RDB is loaded; nil after a legacy SYNC.
    var fullSync: (replid: String, offset: Int)?
    /// Monotonic µs: when to try connecting again; when the link went down; the last byte received.
    var retryAt = 0
    var downSince: Int
    var lastIO = 0
    var lastAckSent = 0

    init(host: String, port: Int, now: Int) {
        self.host = host
        self.port = port
        downSince = now
    }

    /// ROLE's state names.
    var roleState: String {
        switch state {
        case .connect: return "connect"
        case .connecting: return "connecting"
        case .handshake, .awaitingBulk: return "handshake"
        case .transfer, .dualChannel: return "sync"
        case .connected: return "connected"
        }
    }
}

/// Everything replication keeps on the server, in either role. Lives on the event loop.
final class ReplicationState {
    var history = ReplicationHistory()
    /// master_repl_offset: bytes of stream produced (primary) or processed (replica) in this history.
    var offset = 0
    var backlog: Backlog?
    var peers: [ReplicaPeer] = []
    var link: PrimaryLink?
    /// The primary's client once a sync completed: the commands it sends are applied and proxied.
    var primaryConnection: Connection?
    /// A dual-channel sync's buffered stream still being applied, a slice per loop turn.
    var catchUp: StreamCatchUp?
    /// The database the primary's stream had selected when the link broke, so a partial resync continues there.
    var streamDB = 0
    /// repl-id / repl-offset of the dump loaded at startup.
    var restoredPosition: (replid: String, offset: Int)?
    /// The largest stream buffered by the last dual-channel sync (INFO replicas_repl_buffer_peak).
    var streamBufferPeak = 0
    var syncFull = 0
    var syncPartialOK = 0
    var syncPartialErr = 0
    /// WAIT callers: how many replicas must acknowledge which offset, by when (Unix ms, 0 for ever).
    var waiters: [(conn: Connection, offset: Int, replicas: Int, deadline: Int64)] = []
    /// A WAIT asked for fresh ACKs: REPLCONF GETACK goes into the stream at the end of the iteration.
    var getAckPending = false
    var lastPing = 0
    /// Dual-channel syncs between `$ENDOFF` and the main channel's PSYNC, by RDB-channel client id: the
    /// snapshot's offset and every stream byte since, kept until the PSYNC takes them (as Valkey pins its
    /// backlog), at most 60 s after the RDB channel closed.
    var pinned: [Int: (offset: Int, replid: String, held: StreamBuffer, expires: Int)] = [:]
    var lastKeepAlive = 0
    /// Monotonic µs since when a primary has had no replica (repl-backlog-ttl), 0 while it has one.
    var noReplicasSince = 0

    func owns(_ fd: Int32) -> Bool {
        guard let link else { return false }
        if let catchUp, catchUp.conn.fd == fd { return true }
        if let dual = link.dual, dual.fd == fd { return true }
        guard link.fd == fd else { return false }
        return link.state == .connecting || link.state == .handshake || link.state == .awaitingBulk || link.state == .dualChannel
    }

    func peer(_ conn: Connection) -> ReplicaPeer? { peers.first { $0.conn === conn } }

    var replicaCount: Int { peers.reduce(0) { $0 + ($1.isReplica ? 1 : 0) } }
}
