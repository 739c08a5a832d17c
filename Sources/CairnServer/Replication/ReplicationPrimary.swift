#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine
import CairnPersistence
import CairnReplication

/// The primary's side: SYNC/PSYNC, REPLCONF, the backlog and the stream to each replica, WAIT.
extension Server {
    var replicationSettings: ReplicationSettings { settings.replication }

    // MARK: the stream

    /// Once per loop iteration, before the AOF takes its copy: this iteration's writes go to the backlog and
    /// the replicas. A replica proxies its primary's bytes instead (primaryCommandApplied).
    func feedReplicas() {
        let p = engine.propagation
        if !p.replicationOutput.isEmpty {
            if replication.link == nil { p.replicationOutput.withUnsafeBytes { distribute($0) } }
            p.replicationOutput.removeAll(keepingCapacity: true)
        }
        if replication.getAckPending {
            replication.getAckPending = false
            encodeCommand(["REPLCONF", "GETACK", "*"]).withUnsafeBytes { distribute($0) }
        }
        if aof.writer == nil && p.outputCount > 0 { p.discardOutput() }
    }

    /// Appends stream bytes to the backlog and hands them to every replica: online ones get them now, the
    /// others when their sync completes (bounded by the replica output-buffer limits).
    func distribute(_ bytes: UnsafeRawBufferPointer) {
        guard replication.backlog != nil, bytes.count > 0 else { return }
        replication.backlog!.append(bytes)
        replication.offset += bytes.count
        var over: [Connection] = []
        for peer in replication.peers {
            switch peer.state {
            case .handshake: continue
            case .online, .bgTransfer:
                peer.conn.session.reply.raw(bytes)
                // A main channel's replica only buffers the stream until its load is done: written every loop
                // turn, each write woke that replica's loop, taking a core from its loader (cron and the first
                // ACK write the rest).
                if peer.state == .online || peer.conn.pendingOutputBytes >= ReplicaPeer.mainChannelWriteBytes {
                    pendingFlush.append(peer.conn)
                }
                if !withinOutputLimit(peer.conn, pending: peer.conn.pendingOutputBytes) { over.append(peer.conn) }
            case .waitBgsave, .sendBulk, .waitAck:
                peer.held.append(bytes)
                if !withinOutputLimit(peer.conn, pending: peer.held.count) { over.append(peer.conn) }
            }
        }
        let limit = settings.clientOutputLimits.replica.hard
        for (id, pin) in replication.pinned {
            replication.pinned[id]!.held.append(bytes)
            if limit > 0 && pin.held.count + bytes.count > limit {
                log.warning("Dropping the dual-channel sync of RDB client id=\(id): its stream outgrew the replica output buffer limit")
                replication.pinned[id] = nil
            }
        }
        for conn in over { closeConnection(conn) }
    }

    /// client-output-buffer-limit replica, for bytes held outside the connection too.
    func withinOutputLimit(_ conn: Connection, pending: Int) -> Bool {
        !exceedsOutputLimit(conn, settings.clientOutputLimits.replica, pending: pending)
    }

    /// The backlog exists from the first replica on; creating it starts a new history, as in Redis.
    func ensureBacklog(newHistory: Bool) {
        guard replication.backlog == nil else { return }
        if newHistory { replication.history.reset() }
        replication.backlog = Backlog(size: replicationSettings.backlogSize, endOffset: replication.offset)
        engine.propagation.feedsReplication = true
        engine.propagation.enabled = true
    }

    // MARK: SYNC and PSYNC

    func syncRequested(_ ctx: CommandContext, psync: Bool) throws(CommandError) {
        guard let conn = connectionsByID[ctx.client.id] else { return }
        let peer = replication.peer(conn) ?? {
            let p = ReplicaPeer(conn: conn)
            replication.peers.append(p)
            return p
        }()
        // A replica sending SYNC again is ignored, as in Redis.
        if peer.isReplica { return }
        if let link = replication.link, link.state != .connected {
            throw CommandError("NOMASTERLINK Can't SYNC while not connected with my master")
        }
        if conn.pendingOutputBytes > 0 { throw CommandError("ERR SYNC and PSYNC are invalid with pending output") }
        if psync {
            let id = ctx.args.text(1)
            let offset = try ctx.args.int(2)
            if tryPartialResync(peer, id: id, offset: offset) { return }
            if id != "?" { replication.syncPartialErr += 1 }
            if peer.capaDualChannel {
                log.notice("Replica \(peer.ip):\(peer.listeningPort) is capable of dual channel synchronization, and partial sync isn't possible. Full sync will continue with dedicated RDB channel.")
                ctx.out.status("DUALCHANNELSYNC")
                return
            }
            log.notice("Replica \(peer.ip):\(peer.listeningPort) asks for synchronization")
            if id != "?" {
                log.notice("Partial resynchronization not accepted: Replication ID mismatch or offset out of range (Replica asked for '\(id)', my replication IDs are '\(replication.history.replid)' and '\(replication.history.replid2)')")
            } else {
                log.notice("Full resync requested by replica \(peer.ip):\(peer.listeningPort)")
            }
        } else {
            peer.legacySync = true
        }
        replication.syncFull += 1
        conn.session.isReplica = true
        ensureBacklog(newHistory: true)
        let diskless = replicationSettings.disklessSync && peer.capaEOF
        peer.state = .waitBgsave
        peer.startAt = Engine.monotonicMicros() + (diskless ? replicationSettings.disklessSyncDelay * 1_000_000 : 0)
        if peer.startAt <= Engine.monotonicMicros() { beginTransfer(peer) }
    }

    /// Redis's primaryTryPartialResynchronization: the same history and an offset still in the backlog.
    func tryPartialResync(_ peer: ReplicaPeer, id: String, offset: Int) -> Bool {
        guard let backlog = replication.backlog, replication.history.accepts(id, offset: offset) else { return false }
        var pinned: StreamBuffer?
        var rdbChannelOpen = false
        if let rdbID = peer.rdbClientID, let pin = replication.pinned.removeValue(forKey: rdbID), offset == pin.offset + 1 {
            pinned = pin.held
            rdbChannelOpen = connectionsByID[rdbID] != nil
        }
        let fromBacklog = pinned == nil ? backlog.bytes(from: offset) : nil
        guard pinned != nil || fromBacklog != nil else { return false }
        peer.state = rdbChannelOpen ? .bgTransfer : .online
        peer.lastAck = Engine.monotonicMicros()
        peer.conn.session.isReplica = true
        peer.conn.session.reply.status(peer.capaPsync2 ? "CONTINUE \(replication.history.replid)" : "CONTINUE")
        let count = pinned?.count ?? fromBacklog!.count
        if var pinned { moveHeld(&pinned, to: peer.conn) } else { fromBacklog!.withUnsafeBytes { peer.conn.session.reply.raw($0) } }
        replication.syncPartialOK += 1
        log.notice("Partial resynchronization request from \(peer.ip):\(peer.listeningPort) accepted. Sending \(count) bytes of backlog starting from offset \(offset).")
        return true
    }

    /// Starts the snapshot sender for a replica: everything propagated so far is in the image, every later
    /// byte is held for the replica; the +FULLRESYNC line goes out before the thread takes the socket.
    func beginTransfer(_ peer: ReplicaPeer) {
        feedReplicas()
        engine.propagation.forgetSelectedDatabase()
        engine.refreshTime()
        let conn = peer.conn
        let snapshot = Snapshot(of: engine, usedMemory: MemoryStats.allocatedBytes(), incremental: true)
        let diskless = replicationSettings.disklessSync && peer.capaEOF
        var line: String? = peer.legacySync ? nil : "+FULLRESYNC \(replication.history.replid) \(replication.offset)\r\n"
        if peer.rdbChannel {
            // Valkey 8 writes 0 as the database: the stream after the snapshot starts with SELECT anyway.
            line = "$ENDOFF:\(replication.offset) \(replication.history.replid) 0 \(conn.session.id)\r\n"
            replication.pinned[conn.session.id] = (replication.offset, replication.history.replid, StreamBuffer(), Int.max)
        }
        if let line {
            _ = Array(line.utf8).withUnsafeBytes { send(conn.fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        conn.heldByReplication = true
        loop.remove(conn.fd)
        peer.held = StreamBuffer()
        peer.state = .sendBulk
        peer.disklessTransfer = diskless
        var options = rdbWriteOptions
        if diskless && !compressesDisklessTransfer(to: conn) { options.compression = false }
        peer.sender = RDBSender(fd: conn.fd, snapshot: snapshot, options: options,
                                diskPath: diskless ? nil : rdbPath, timeoutSeconds: replicationSettings.timeout,
                                wake: transferWake)
        log.notice("Starting BGSAVE for SYNC with target: \(diskless ? "replicas sockets" : "disk")")
    }

    /// repl-diskless-compression for a replica's connection (rdbcompression still applies on top).
    func compressesDisklessTransfer(to conn: Connection) -> Bool {
        switch replicationSettings.disklessCompression {
        case .yes: return true
        case .no: return false
        case .auto: return !(conn.session.isUnixSocket || ClientSession.isLoopback(conn.session.address))
        }
    }

    /// From the cron: finished transfers, delayed starts, keep-alives, replica timeouts, periodic PINGs.
    func primaryCron() {
        let now = Engine.monotonicMicros()
        let keepAlive = now - replication.lastKeepAlive >= 1_000_000
        if keepAlive { replication.lastKeepAlive = now }
        for peer in replication.peers {
            switch peer.state {
            case .waitBgsave:
                if now >= peer.startAt { beginTransfer(peer) }
                else if keepAlive { _ = send(peer.conn.fd, "\n", 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            case .sendBulk:
                if !collectSender(peer), keepAlive { peer.sender?.keepAlive(on: peer.conn.fd) }
            case .online, .waitAck:
                if now - peer.lastAck > replicationSettings.timeout * 1_000_000 {
                    log.warning("Disconnecting timedout replica (streaming sync): \(peer.ip):\(peer.listeningPort)")
                    closeConnection(peer.conn)
                }
            case .bgTransfer:
                // A main channel waits out its replica's load without ACKs, as Valkey lets it.
                queueFlush(peer.conn)
            case .handshake:
                break
            }
        }
        if replication.replicaCount > 0 && now - replication.lastPing >= replicationSettings.pingPeriod * 1_000_000 {
            replication.lastPing = now
            if replication.link == nil { encodeCommand(["PING"]).withUnsafeBytes { distribute($0) } }
        }
        releaseIdleBacklog(now: now)
        for (id, pin) in replication.pinned where now > pin.expires {
            log.warning("Replica main channel failed to establish PSYNC within the grace period (RDB client id=\(id))")
            replication.pinned[id] = nil
        }
        expireWaiters()
    }

    /// Whether the peer's sender thread has ended (then its transfer is finished here).
    @discardableResult
    func collectSender(_ peer: ReplicaPeer) -> Bool {
        guard let sender = peer.sender, let outcome = sender.job.outcome else { return false }
        peer.sender = nil
        transferEnded(peer, outcome)
        return true
    }

    /// repl-backlog-ttl: a primary without replicas for that long frees its backlog, and its history with it
    /// (a new ID), as Redis does; replicas keep theirs, since they may be promoted.
    func releaseIdleBacklog(now: Int) {
        guard replication.link == nil, replication.backlog != nil, replication.replicaCount == 0,
              replicationSettings.backlogTTL > 0 else {
            replication.noReplicasSince = 0
            return
        }
        if replication.noReplicasSince == 0 { replication.noReplicasSince = now }
        guard now - replication.noReplicasSince > replicationSettings.backlogTTL * 1_000_000 else { return }
        log.notice("Replication backlog freed after \(replicationSettings.backlogTTL) seconds without connected replicas.")
        replication.backlog = nil
        replication.history.reset()
        replication.noReplicasSince = 0
        engine.propagation.feedsReplication = false
        engine.propagation.replicationOutput.removeAll()
        engine.propagation.enabled = aof.enabled
    }

    func transferEnded(_ peer: ReplicaPeer, _ outcome: BackgroundJob.Outcome) {
        let conn = peer.conn
        guard !conn.closed else { return }
        conn.heldByReplication = false
        makeNonBlocking(conn.fd)
        if case .failed(let reason) = outcome {
            log.warning("Failed sending the RDB to replica \(peer.ip):\(peer.listeningPort): \(reason)")
            closeConnection(conn)
            return
        }
        loop.add(conn.fd, readable: true, writable: false)
        conn.wantsWritable = false
        peer.lastAck = Engine.monotonicMicros()
        if peer.rdbChannel {
            // The stream goes to the main channel; this connection only waits for the replica to close it.
            peer.state = .handshake
            peer.held = StreamBuffer()
            log.notice("Streamed RDB transfer with replica \(peer.ip):\(peer.listeningPort) succeeded (socket) on the RDB channel")
        } else if replicationSettings.disklessSync && peer.capaEOF {
            peer.state = .waitAck
            log.notice("Streamed RDB transfer with replica \(peer.ip):\(peer.listeningPort) succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming")
        } else {
            goOnline(peer)
        }
    }

    /// A held stream goes into the replica's reply a chunk at a time, each freed once copied, into room made
    /// first: the reply does not double its way up (copying itself) and the stream is not resident twice.
    func moveHeld(_ held: inout StreamBuffer, to conn: Connection) {
        conn.session.reply.bytes.reserveCapacity(conn.session.reply.bytes.count + held.count)
        held.consume(upTo: held.count) { conn.session.reply.raw($0) }
    }

    func goOnline(_ peer: ReplicaPeer) {
        peer.state = .online
        moveHeld(&peer.held, to: peer.conn)
        pendingFlush.append(peer.conn)
        log.notice("Synchronization with replica \(peer.ip):\(peer.listeningPort) succeeded")
    }

    /// closeConnection's hook: a replica or would-be replica went away, or the primary link broke.
    func replicationClosed(_ conn: Connection) {
        if conn === replication.primaryConnection {
            primaryLinkLost()
            return
        }
        guard let i = replication.peers.firstIndex(where: { $0.conn === conn }) else { return }
        let peer = replication.peers.remove(at: i)
        peer.sender?.cancel()
        if peer.rdbChannel, replication.pinned[conn.session.id] != nil {
            replication.pinned[conn.session.id]!.expires = Engine.monotonicMicros() + 60_000_000
        }
        if peer.isReplica { log.notice("Connection with replica \(peer.ip):\(peer.listeningPort) lost.") }
    }

    // MARK: REPLCONF

    func replconf(_ ctx: CommandContext) throws(CommandError) {
        let a = ctx.args
        guard a.count % 2 == 1 else { throw CommandError.syntax }
        guard let conn = connectionsByID[ctx.client.id] else { return }
        var j = 1
        while j < a.count {
            let option = a.text(j).lowercased()
            switch option {
            case "listening-port":
                let port = try a.int(j + 1)
                peerFor(conn).listeningPort = port
            case "ip-address":
                let ip = a.text(j + 1)
                guard ip.utf8.count < 256 else { throw CommandError("ERR REPLCONF ip-address provided by replica instance is too long: \(ip.utf8.count) bytes") }
                peerFor(conn).announcedIP = ip
            case "capa":
                if a.isKeyword(j + 1, "eof") { peerFor(conn).capaEOF = true }
                if a.isKeyword(j + 1, "psync2") { peerFor(conn).capaPsync2 = true }
                if a.isKeyword(j + 1, "dual-channel") && replicationSettings.dualChannel && replicationSettings.disklessSync {
                    peerFor(conn).capaDualChannel = true
                }
            case "ack":
                // Never answered; a malformed or impossible offset is ignored, as is an ACK from a non-replica.
                guard let peer = replication.peer(conn), peer.isReplica,
                      let offset = Int(a.text(j + 1)), offset >= 0, offset <= replication.offset else { return }
                if offset > peer.ackOffset { peer.ackOffset = offset }
                peer.lastAck = Engine.monotonicMicros()
                if peer.state == .waitAck { goOnline(peer) }
                if peer.state == .bgTransfer {
                    peer.state = .online
                    queueFlush(conn)
                    log.notice("Synchronization with replica \(peer.ip):\(peer.listeningPort) succeeded")
                }
                releaseWaiters()
                if replicationSettings.minReplicasToWrite > 0 { refreshReplicationRefusals() }
                return
            case "getack":
                if conn === replication.primaryConnection { sendAck() }
                return
            case "rdb-channel":
                peerFor(conn).rdbChannel = try rangedArgument(a, j + 1, 0...1) == 1
            case "rdb-only":
                _ = try rangedArgument(a, j + 1, 0...1)
            case "rdb-filter-only":
                break
            case "version":
                // Valkey keeps the replica's version for cluster slot migration, which Cairn has none of; the
                // format is still checked as Valkey checks it.
                guard ReplicaVersion.isValid(a.text(j + 1)) else {
                    throw CommandError("ERR Unrecognized version format: \(a.text(j + 1))")
                }
            case "set-rdb-client-id":
                let id = try a.int(j + 1)
                guard replication.pinned[id] != nil else { throw CommandError("ERR Unrecognized RDB client id \(id)") }
                peerFor(conn).rdbClientID = id
            default:
                throw CommandError("ERR Unrecognized REPLCONF option: \(a.text(j))")
            }
            j += 2
        }
        ctx.out.ok()
    }

    /// An empty line from a replica is its keep-alive while it loads our RDB: it refreshes the ACK time that
    /// repl-timeout checks, as in Redis's processInlineBuffer.
    func replicaNewline(_ conn: Connection) {
        guard !replication.peers.isEmpty, let peer = replication.peer(conn), peer.isReplica else { return }
        peer.lastAck = Engine.monotonicMicros()
    }

    func peerFor(_ conn: Connection) -> ReplicaPeer {
        if let p = replication.peer(conn) { return p }
        let p = ReplicaPeer(conn: conn)
        replication.peers.append(p)
        return p
    }

    // MARK: WAIT

    func wait(_ ctx: CommandContext) throws(CommandError) {
        if replication.link != nil {
            throw CommandError("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.")
        }
        let wanted = try ctx.args.int(1)
        let timeout = try ctx.args.int64(2)
        guard timeout >= 0 else { throw CommandError("ERR timeout is negative") }
        // The caller's writes so far, including those of this iteration not yet handed to the replicas.
        let target = replication.offset + (replication.backlog == nil ? 0 : engine.propagation.replicationOutput.count)
        let acked = acknowledged(target)
        guard acked < wanted, !ctx.client.inExec, !ctx.client.inMulti, let conn = connectionsByID[ctx.client.id] else {
            ctx.out.integer(acked)
            return
        }
        engine.block(ctx, keys: [], timeoutMs: 0, valueType: "")
        replication.waiters.append((conn, target, wanted, timeout > 0 ? engine.now + timeout : 0))
        replication.getAckPending = true
    }

    func acknowledged(_ offset: Int) -> Int {
        replication.peers.reduce(0) { $0 + ($1.state == .online && $1.ackOffset >= offset ? 1 : 0) }
    }

    func releaseWaiters() {
        guard !replication.waiters.isEmpty else { return }
        replication.waiters.removeAll { w in
            guard !w.conn.closed, w.conn.session.isBlocked else { return true }
            let n = acknowledged(w.offset)
            guard n >= w.replicas else { return false }
            w.conn.session.reply.integer(n)
            engine.resumeBlocked(w.conn.session)
            return true
        }
    }

    func expireWaiters() {
        guard !replication.waiters.isEmpty else { return }
        engine.refreshTime()
        replication.waiters.removeAll { w in
            guard !w.conn.closed, w.conn.session.isBlocked else { return true }
            guard w.deadline > 0 && engine.now >= w.deadline else { return false }
            w.conn.session.reply.integer(acknowledged(w.offset))
            engine.resumeBlocked(w.conn.session)
            return true
        }
    }

    /// min-replicas-to-write: how many replicas acknowledged within min-replicas-max-lag seconds.
    var goodReplicaCount: Int {
        let now = Engine.monotonicMicros()
        let lag = replicationSettings.minReplicasMaxLag * 1_000_000
        return replication.peers.reduce(0) { $0 + ($1.state == .online && now - $1.lastAck <= lag ? 1 : 0) }
    }
}
