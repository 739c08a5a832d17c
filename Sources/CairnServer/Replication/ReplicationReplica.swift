#if canImport(Glibc)
import CSystem
import Glibc
#endif
import RESP
import CairnEngine
import CairnPersistence
import CairnReplication

/// The replica's side: REPLICAOF, the link's handshake on the event loop, the loader thread's result swapped
/// in, then the primary's stream applied and proxied to this server's own replicas.
extension Server {
    // MARK: REPLICAOF

    /// REPLICAOF host port: a no-op when already following it.
    func follow(host: String, port: Int) -> Bool {
        if let link = replication.link, link.host == host, link.port == port { return false }
        if replication.link == nil && replication.backlog != nil {
            // Our own history becomes the one to continue from the new primary, as Redis's
            // replicationCachePrimaryUsingMyself: it may already hold everything we have.
            replication.streamDB = 0
            log.notice("Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.")
        }
        dropLink()
        // Our replicas must follow the new history: they reconnect and resync through us.
        for peer in replication.peers where peer.isReplica { closeConnection(peer.conn) }
        replication.link = PrimaryLink(host: host, port: port, now: Engine.monotonicMicros())
        engine.role = "slave"
        settings.replicaOf = ReplicaOfTarget(host: host, port: port)
        log.notice("Connecting to MASTER \(host):\(port)")
        connectLink()
        refreshReplicationRefusals()
        return true
    }

    /// REPLICAOF NO ONE: the history continues under a new ID; the old one stays valid up to here (replid2),
    /// so the other replicas of our former primary can continue from us by partial resync.
    func stopFollowing() {
        guard replication.link != nil else { return }
        dropLink()
        replication.link = nil
        settings.replicaOf = nil
        engine.role = "master"
        replication.history.shift(offset: replication.offset)
        ensureBacklog(newHistory: false)
        log.notice("Setting secondary replication ID to \(replication.history.replid2), valid up to offset: \(replication.history.secondOffset). New replication ID is \(replication.history.replid)")
        log.notice("MASTER MODE enabled (user request from 'id=0 addr= laddr= fd= name= age=0 idle=0')")
        refreshReplicationRefusals()
    }

    /// Closes whatever the link holds: its handshake socket, its loader, the primary's client.
    func dropLink() {
        guard let link = replication.link else { return }
        if let conn = replication.primaryConnection {
            replication.primaryConnection = nil
            replication.streamDB = conn.session.db
            closeConnection(conn)
        }
        abortLinkSocket(link)
        link.state = .connect
    }

    func abortLinkSocket(_ link: PrimaryLink) {
        if let dual = link.dual { abortDualChannel(link, dual) }
        link.receiver?.cancel()
        link.receiver = nil
        if link.fd >= 0 {
            if link.state != .transfer { loop.remove(link.fd) }
            close(link.fd)
            link.fd = -1
        }
        link.line.removeAll()
        link.handshake = nil
    }

    /// The link broke before or during the sync: log why and try again in a second.
    func linkFailed(_ reason: String) {
        guard let link = replication.link else { return }
        log.warning(reason)
        abortLinkSocket(link)
        link.state = .connect
        link.retryAt = Engine.monotonicMicros() + 1_000_000
        refreshReplicationRefusals()
    }

    // MARK: connecting and the handshake

    /// Each attempt resolves the primary's name anew: an address at once, a host name on a resolver thread
    /// (the cron connects once it answers).
    func connectLink() {
        guard let link = replication.link else { return }
        link.address = SocketAddress.numeric(host: link.host, port: link.port)
        if link.address == nil {
            link.resolver = HostResolver(host: link.host, port: link.port)
            return
        }
        connectResolved(link)
    }

    func resolverAnswered(_ link: PrimaryLink, _ result: Resolution) {
        link.resolver = nil
        switch result {
        case .address(let address):
            link.address = address
            connectResolved(link)
        case .failed(let reason):
            linkFailed("Unable to connect to MASTER: can't resolve \(link.host): \(reason)")
        }
    }

    func connectResolved(_ link: PrimaryLink) {
        guard let fd = openPrimarySocket(link) else { return }
        link.fd = fd
        link.state = .connecting
        link.lastIO = Engine.monotonicMicros()
        loop.add(fd, readable: false, writable: true)
        log.notice("MASTER <-> REPLICA sync started")
    }

    /// A non-blocking connect to the primary's address (the main channel, or a dual-channel sync's RDB channel);
    /// nil when it failed at once (the link has then failed).
    func openPrimarySocket(_ link: PrimaryLink) -> Int32? {
        guard let address = link.address else {
            linkFailed("Unable to connect to MASTER: can't resolve \(link.host)")
            return nil
        }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            linkFailed("Unable to connect to MASTER: \(Sockets.errorText())")
            return nil
        }
        let rc = address.bytes.withUnsafeBytes {
            connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        if rc != 0 && errno != EINPROGRESS {
            let reason = Sockets.errorText()
            close(fd)
            linkFailed("Unable to connect to MASTER: \(reason)")
            return nil
        }
        return fd
    }

    /// Events on the link's sockets before the sync (connect, handshake replies, the bulk header), and on a
    /// dual-channel sync's two connections.
    func replicationLinkEvent(_ fd: Int32, readable: Bool, writable: Bool) {
        guard let link = replication.link else { return }
        if let dual = link.dual, fd == dual.fd { return rdbChannelEvent(link, dual, readable: readable, writable: writable) }
        if link.state == .connecting {
            guard writable else { return }
            if let error = Self.connectError(link.fd) { return linkFailed("Error condition on socket for SYNC: \(error)") }
            log.notice("Non blocking connect for SYNC fired the event.")
            loop.modify(link.fd, readable: true, writable: false)
            link.state = .handshake
            let rs = replicationSettings
            var handshake = ReplicaHandshake(options: .init(
                user: primaryCredentials.user, password: primaryCredentials.password,
                listeningPort: announcedListeningPort,
                announceIP: rs.announceIP.isEmpty ? nil : rs.announceIP,
                resumeFrom: replication.backlog != nil || replication.restoredPosition != nil
                    ? (replication.history.replid, replication.offset + 1) : nil,
                dualChannel: rs.dualChannel))
            sendOnLink(handshake.begin())
            link.handshake = handshake
            return
        }
        guard readable else { return }
        if let catchUp = replication.catchUp, fd == catchUp.conn.fd { return catchUpRead(catchUp) }
        if let dual = link.dual, dual.buffering { return bufferMainChannel(link, dual) }
        while replication.link === link, link.state == .handshake || link.state == .awaitingBulk
                || (link.state == .dualChannel && link.dual?.buffering == false) {
            switch readLinkLine(link.fd, &link.line) {
            case .pending: return
            case .failed(let reason): return linkFailed(reason)
            case .line(let line):
                link.lastIO = Engine.monotonicMicros()
                handleLinkLine(link, line)
            }
        }
    }

    enum LinkRead { case line(String), pending, failed(String) }

    /// One reply line, byte by byte as Redis's syncReadLine: nothing after the line may be consumed here, since
    /// the RDB or the stream that follows belongs to the loader thread or the primary's client.
    func readLinkLine(_ fd: Int32, _ line: inout [UInt8]) -> LinkRead {
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n == 0 { return .failed("Master closed the connection during the handshake") }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return .pending }
                return .failed("Error reading from MASTER: \(Sockets.errorText())")
            }
            if byte != 10 {
                line.append(byte)
                if line.count > 64 * 1024 { return .failed("Bad protocol from MASTER: reply line too long") }
                continue
            }
            if line.last == 13 { line.removeLast() }
            defer { line.removeAll(keepingCapacity: true) }
            return .line(String(decoding: line, as: UTF8.self))
        }
    }

    /// A non-blocking connect's outcome, once the socket is writable.
    static func connectError(_ fd: Int32) -> String? {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
        return err == 0 ? nil : String(cString: strerror(err))
    }

    /// AUTH's arguments for the primary (masteruser / masterauth), nil when unset.
    var primaryCredentials: (user: String?, password: String?) {
        let rs = replicationSettings
        return (rs.primaryUser.isEmpty ? nil : rs.primaryUser, rs.primaryAuth.isEmpty ? nil : rs.primaryAuth)
    }

    /// REPLCONF listening-port: replica-announce-port, else our port.
    var announcedListeningPort: Int {
        replicationSettings.announcePort != 0 ? replicationSettings.announcePort : settings.port
    }

    func sendOnLink(_ bytes: [UInt8]) {
        guard let link = replication.link, link.fd >= 0 else { return }
        _ = bytes.withUnsafeBytes { send(link.fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func handleLinkLine(_ link: PrimaryLink, _ line: String) {
        if link.state == .awaitingBulk {
            if let framing = bulkFraming(line) { startLoading(link, framing) }
            return
        }
        guard var handshake = link.handshake else { return }
        let step = handshake.receive(line: line)
        link.handshake = handshake
        switch step {
        case .wait:
            break
        case .send(let bytes):
            sendOnLink(bytes)
        case .fail(let reason):
            linkFailed(reason)
        case .psync(let reply):
            if link.dual != nil {
                guard case .resume = reply else { return linkFailed("Aborting dual channel sync. Main channel psync result: \(line)") }
                return dualChannelResumed(link)
            }
            switch reply {
            case .fullResync(let id, let offset):
                log.notice("Full resync from master: \(id):\(offset)")
                link.fullSync = (id, offset)
                link.state = .awaitingBulk
            case .resume(let id):
                resumeFromPrimary(link, newID: id)
            case .retryLater(let text):
                linkFailed("Master is currently unable to PSYNC but should be in the future: \(text)")
            case .unsupported(let text):
                log.notice("Master does not support PSYNC or is in error state (reply: \(text))")
                sendOnLink(Array("SYNC\r\n".utf8))
                link.fullSync = nil
                link.state = .awaitingBulk
            case .dualChannel where replicationSettings.dualChannel:
                startDualChannel(link)
            case .dualChannel, .invalid:
                linkFailed("Unexpected reply to PSYNC from master: \(line)")
            }
        }
    }

    /// The line before a full sync's RDB: nil while it is a keep-alive newline, or when it is not a bulk
    /// header (the link has then failed).
    func bulkFraming(_ line: String) -> BulkFraming? {
        if line.isEmpty { return nil }
        if line.hasPrefix("-") {
            linkFailed("MASTER aborted replication with an error: \(line)")
            return nil
        }
        guard let framing = BulkFraming(line: line) else {
            linkFailed("Bad protocol from MASTER, the first byte is not '$' (we received '\(line)'), are you sure the host and port are right?")
            return nil
        }
        return framing
    }

    // MARK: full sync

    func startLoading(_ link: PrimaryLink, _ framing: BulkFraming) {
        switch framing {
        case .length(let n): log.notice("MASTER <-> REPLICA sync: receiving \(n) bytes from master to the loader thread")
        case .eofMark: log.notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to the loader thread")
        }
        loop.remove(link.fd)
        link.state = .transfer
        link.receiver = RDBReceiver(fd: link.fd, framing: framing, target: Engine(settings: engine.settings),
                                    timeoutSeconds: replicationSettings.timeout, wake: transferWake)
        refreshReplicationRefusals()
    }

    /// From the cron or the transfer eventfd: the loader finished; swap its databases in on the event loop.
    func collectLoad(_ link: PrimaryLink) {
        guard let receiver = link.receiver, let outcome = receiver.job.outcome else { return }
        link.receiver = nil
        if case .failed(let reason) = outcome {
            return linkFailed("Failed trying to load the MASTER synchronization DB from socket: \(reason)")
        }
        swapInLoaded(receiver, position: link.fullSync ?? receiver.recordedPosition ?? (ReplicationHistory.randomID(), 0))
        becomeConnected(link, db: 0)
    }

    /// A loaded full sync replaces the dataset and starts the primary's history at the snapshot's position.
    func swapInLoaded(_ receiver: RDBReceiver, position: (replid: String, offset: Int)) {
        log.notice("MASTER <-> REPLICA sync: Flushing old data")
        let loaded = receiver.target
        for (db, fresh) in zip(engine.dbs, loaded.dbs) {
            db.flush()
            db.keys = fresh.keys
        }
        engine.persistedFunctions = loaded.persistedFunctions
        engine.persistedScripts = loaded.persistedScripts
        engine.dirty += 1
        replication.history.reset(to: position.replid)
        replication.offset = position.offset
        replication.backlog = nil
        ensureBacklog(newHistory: false)
        // Our own replicas hold the old dataset: they must sync again.
        for peer in replication.peers where peer.isReplica { closeConnection(peer.conn) }
        log.notice("MASTER <-> REPLICA sync: Loading DB in memory done: \(receiver.summary.keysLoaded) keys")
        log.notice("MASTER <-> REPLICA sync: Finished with success")
    }

    /// +CONTINUE: the stream resumes where we stopped; a new ID means the primary's history shifted (it was
    /// promoted), and ours shifts with it.
    func resumeFromPrimary(_ link: PrimaryLink, newID: String?) {
        if let id = newID, id != replication.history.replid {
            replication.history.shift(to: id, offset: replication.offset)
            log.notice("Master replication ID changed to \(id)")
            for peer in replication.peers where peer.isReplica { closeConnection(peer.conn) }
        }
        ensureBacklog(newHistory: false)
        log.notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")
        becomeConnected(link, db: replication.streamDB)
    }

    /// The link's socket becomes the primary's client: its commands run unconditionally and are not answered.
    /// `buffered` is a dual-channel sync's stream received during the load, applied first, in order.
    /// The link is up: the socket becomes the primary's client, watched unless `watched` is false (a
    /// dual-channel sync's main channel left at the buffer limit).
    @discardableResult
    func becomeConnected(_ link: PrimaryLink, db: Int, watched: Bool = true) -> Connection {
        let fd = link.fd
        link.fd = -1
        link.state = .connected
        link.handshake = nil
        replication.restoredPosition = nil
        makeNonBlocking(fd)
        let session = engine.makeClient()
        session.address = "\(link.host):\(link.port)"
        session.localAddress = Sockets.localAddress(fd)
        session.mustObey = true
        session.replyMode = .off
        session.db = db
        let conn = Connection(fd: fd, session: session, maxBulk: engine.settings.protoMaxBulkLength)
        while connections.count <= Int(fd) { connections.append(nil) }
        connections[Int(fd)] = conn
        connectionsByID[session.id] = conn
        replication.primaryConnection = conn
        if watched { loop.add(fd, readable: true, writable: false) }
        sendAck()
        refreshReplicationRefusals()
        return conn
    }

    /// The primary's client closed: keep the history and offset to continue by PSYNC, and reconnect.
    func primaryLinkLost() {
        guard let conn = replication.primaryConnection else { return }
        replication.primaryConnection = nil
        replication.catchUp = nil
        replication.streamDB = conn.session.db
        log.notice("Connection with master lost.")
        log.notice("Caching the disconnected master state.")
        guard let link = replication.link else { return }
        link.state = .connect
        link.downSince = Engine.monotonicMicros()
        link.retryAt = 0
        refreshReplicationRefusals()
    }

    // MARK: the stream from the primary

    /// After each command from the primary: its bytes count in our offset and go on, unchanged, to our
    /// backlog and replicas, so a chain of replicas shares one history.
    func primaryCommandApplied(_ base: UnsafeRawPointer, _ count: Int) {
        distribute(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// REPLCONF ACK <offset>: sent each second, after a sync, and on GETACK.
    func sendAck() {
        guard let conn = replication.primaryConnection else { return }
        replication.link?.lastAckSent = Engine.monotonicMicros()
        let bytes = encodeCommand(["REPLCONF", "ACK", String(replication.offset)])
        _ = bytes.withUnsafeBytes { send(conn.fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    }

    func replicaCron() {
        guard let link = replication.link else { return }
        let now = Engine.monotonicMicros()
        switch link.state {
        case .connect:
            if let resolver = link.resolver {
                if let result = resolver.result { resolverAnswered(link, result) }
            } else if now >= link.retryAt {
                connectLink()
            }
        case .dualChannel:
            dualChannelCron(link, now: now)
        case .connecting, .handshake, .awaitingBulk:
            if now - link.lastIO > replicationSettings.timeout * 1_000_000 { linkFailed("Timeout connecting to the MASTER...") }
        case .transfer:
            collectLoad(link)
            // While loading, a newline each second counts as an ACK on the primary (Redis's
            // replicationSendNewlineToPrimary), so its repl-timeout does not drop us during a long load.
            if link.state == .transfer, link.fd >= 0, now - link.lastAckSent >= 1_000_000 {
                link.lastAckSent = now
                _ = send(link.fd, "\n", 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
        case .connected:
            guard let conn = replication.primaryConnection else { return }
            engine.refreshTime()
            if engine.now - conn.session.lastInteraction > Int64(replicationSettings.timeout) * 1000 {
                log.warning("MASTER timeout: no data nor PING received...")
                closeConnection(conn)
            } else if now - link.lastAckSent >= 1_000_000 {
                sendAck()
            }
        }
    }

    /// READONLY, NOREPLICAS and MASTERDOWN follow the role, the link and the directives.
    func refreshReplicationRefusals() {
        let rs = replicationSettings
        engine.expiryFollowsPrimary = replication.link != nil
        if let link = replication.link {
            engine.replicationWriteRefusal = rs.readOnly ? "READONLY You can't write against a read only replica." : nil
            engine.staleDataRefusal = link.state != .connected && !rs.serveStaleData
                ? "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'." : nil
            engine.loadingRefusal = replacingDataset(link) ? "LOADING Redis is loading the dataset in memory" : nil
        } else {
            engine.staleDataRefusal = nil
            engine.loadingRefusal = nil
            engine.replicationWriteRefusal = rs.minReplicasToWrite > 0 && rs.minReplicasMaxLag > 0
                && goodReplicaCount < rs.minReplicasToWrite ? "NOREPLICAS Not enough good replicas to write." : nil
        }
    }

    /// Whether clients get -LOADING: a full sync is loading (or loaded, waiting for its main channel) and will
    /// replace the dataset, as Redis answers while it loads one. With repl-diskless-load swapdb a sync that
    /// continues our own history serves the old data meanwhile, as Redis's async loading does.
    func replacingDataset(_ link: PrimaryLink) -> Bool {
        guard link.receiver != nil || link.dual?.loaded != nil else { return false }
        let incoming = link.dual?.end?.replid ?? link.fullSync?.replid
        return !(replicationSettings.disklessLoad == .swapdb && incoming == replication.history.replid)
    }

    /// A transfer thread ended (its eventfd woke the loop): what the cron would do with it, done now.
    func collectTransfers() {
        if let link = replication.link {
            switch link.state {
            case .transfer: collectLoad(link)
            case .dualChannel: dualChannelCron(link, now: Engine.monotonicMicros())
            default: break
            }
        }
        for peer in replication.peers where peer.state == .sendBulk { collectSender(peer) }
    }

    /// The cron's replication work in either role.
    func replicationCron() {
        replicaCron()
        primaryCron()
        refreshReplicationRefusals()
    }

    /// At startup, after the dataset was loaded: follow the configured primary, continuing the history the
    /// dump recorded if there is one.
    public func startReplication() {
        engine.replicationAux = { [unowned self] in
            guard replication.backlog != nil || replication.link != nil else { return [] }
            let db = replication.primaryConnection?.session.db ?? replication.streamDB
            return [("repl-stream-db", IntegerFormat.bytes(Int64(db))), ("repl-id", Array(replication.history.replid.utf8)),
                    ("repl-offset", IntegerFormat.bytes(Int64(replication.offset)))]
        }
        engine.debugChangeReplicationID = { [unowned self] in
            log.notice("Changing replication IDs after receiving DEBUG change-repl-id")
            replication.history.reset()
        }
        guard let target = settings.replicaOf else { return }
        if let position = replication.restoredPosition {
            replication.history.reset(to: position.replid)
            replication.offset = position.offset
        }
        _ = follow(host: target.host, port: target.port)
    }
}
