#if canImport(Glibc)
import Glibc
#endif
import CairnEngine
import CairnReplication

/// One dual-channel full sync on the replica (Valkey's rdb-channel state and pending_repl_data): the RDB
/// channel's socket until the loader thread takes it, the snapshot's end, and the main channel's stream
/// buffered until the RDB is loaded.
final class DualChannelLink {
    /// The RDB channel while the event loop drives it (connect, handshake, `$ENDOFF`, the bulk header); -1 once
    /// the loader thread has its own descriptor.
    var fd: Int32
    var connected = false
    var handshake: RDBChannelHandshake
    var line: [UInt8] = []
    var end: EndOffset?
    /// The main channel got +CONTINUE: what it receives goes to `buffer` until the RDB is loaded.
    var buffering = false
    /// Over the buffer limit: the main channel is no longer read (nor watched) until the RDB is loaded.
    var paused = false
    var buffer = StreamBuffer()
    var scratch = [UInt8](repeating: 0, count: 1 << 16)
    /// The loaded RDB, waiting for the main channel's +CONTINUE.
    var loaded: RDBReceiver?

    init(fd: Int32, handshake: RDBChannelHandshake) {
        self.fd = fd
        self.handshake = handshake
    }
}

/// The replica's side of Valkey 8's dual-channel full sync: on +DUALCHANNELSYNC a second connection fetches the
/// snapshot (`$ENDOFF`, then the EOF-framed RDB to the loader thread) while the main connection PSYNCs from the
/// snapshot's end and buffers that stream; once both are done the loaded keyspace is swapped in on the event
/// loop and the buffer applied in order. Any failure on either channel drops both and retries from scratch.
extension Server {
    func startDualChannel(_ link: PrimaryLink) {
        log.notice("PSYNC is not possible, initialize RDB channel.")
        // The main channel stays open but unread until the snapshot's end is known.
        loop.remove(link.fd)
        link.state = .dualChannel
        guard let fd = openPrimarySocket(link) else { return }
        let credentials = primaryCredentials
        link.dual = DualChannelLink(fd: fd, handshake: RDBChannelHandshake(
            user: credentials.user, password: credentials.password, listeningPort: announcedListeningPort))
        link.lastIO = Engine.monotonicMicros()
        loop.add(fd, readable: false, writable: true)
    }

    func rdbChannelEvent(_ link: PrimaryLink, _ dual: DualChannelLink, readable: Bool, writable: Bool) {
        if !dual.connected {
            guard writable else { return }
            if let error = Self.connectError(dual.fd) {
                return linkFailed("Error condition on socket for dual channel replication: \(error)")
            }
            dual.connected = true
            loop.modify(dual.fd, readable: true, writable: false)
            sendAll(dual.fd, dual.handshake.begin())
            return
        }
        guard readable else { return }
        while replication.link === link, link.dual === dual, dual.fd >= 0 {
            switch readLinkLine(dual.fd, &dual.line) {
            case .pending: return
            case .failed(let reason): return linkFailed(reason)
            case .line(let line):
                link.lastIO = Engine.monotonicMicros()
                if dual.end == nil {
                    rdbChannelLine(link, dual, line)
                } else if let framing = bulkFraming(line) {
                    startRDBChannelLoad(link, dual, framing)
                }
            }
        }
    }

    func rdbChannelLine(_ link: PrimaryLink, _ dual: DualChannelLink, _ line: String) {
        switch dual.handshake.receive(line: line) {
        case .wait:
            break
        case .send(let bytes):
            sendAll(dual.fd, bytes)
        case .fail(let reason):
            linkFailed(reason)
        case .endOffset(let end):
            guard var handshake = link.handshake else { return linkFailed("Unexpected $ENDOFF: the main channel is gone") }
            dual.end = end
            log.notice("Received the snapshot's end offset \(end.offset) of replication ID \(end.replid) on the RDB channel (client id \(end.clientID))")
            log.notice("Trying a partial resynchronization using main channel (request \(end.replid):\(end.offset + 1)).")
            let bytes = handshake.continueAfterSnapshot(end)
            link.handshake = handshake
            loop.add(link.fd, readable: true, writable: false)
            sendOnLink(bytes)
        }
    }

    func startRDBChannelLoad(_ link: PrimaryLink, _ dual: DualChannelLink, _ framing: BulkFraming) {
        log.notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to the loader thread (RDB channel)")
        loop.remove(dual.fd)
        link.receiver = RDBReceiver(fd: dual.fd, framing: framing, target: Engine(settings: engine.settings),
                                    timeoutSeconds: replicationSettings.timeout)
        // The loader holds its own descriptor and closes the RDB channel when it is done, as Valkey does once
        // the RDB is loaded.
        close(dual.fd)
        dual.fd = -1
        refreshReplicationRefusals()
    }

    /// +CONTINUE on the main channel: the stream since the snapshot follows; buffer it unless the RDB is in.
    func dualChannelResumed(_ link: PrimaryLink) {
        guard let dual = link.dual else { return }
        log.notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization, RDB load in background.")
        dual.buffering = true
        replication.streamBufferPeak = 0
        if let loaded = dual.loaded {
            log.notice("Dual channel sync - psync established after rdb load")
            finishDualChannel(link, dual, loaded)
        }
    }

    /// The main channel's stream during the load, kept unparsed (Valkey's bufferReplData).
    func bufferMainChannel(_ link: PrimaryLink, _ dual: DualChannelLink) {
        if dual.buffer.full(limit: settings.clientOutputLimits.replica.hard) {
            log.notice("Replication buffer limit reached, stopping buffering.")
            loop.remove(link.fd)
            dual.paused = true
            return
        }
        let n = dual.scratch.withUnsafeMutableBytes { read(link.fd, $0.baseAddress!, $0.count) }
        if n == 0 { return linkFailed("Provisional primary closed connection") }
        if n < 0 {
            if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { return }
            return linkFailed("Error reading from primary: \(Sockets.errorText())")
        }
        dual.scratch.withUnsafeBytes { dual.buffer.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        replication.streamBufferPeak = dual.buffer.peak
    }

    /// From the cron: the loader's outcome, the load's keep-alives, and the handshake timeouts.
    func dualChannelCron(_ link: PrimaryLink, now: Int) {
        guard let dual = link.dual else { return }
        if let receiver = link.receiver {
            guard let outcome = receiver.job.outcome else {
                // While loading, a newline each second on the main channel keeps the primary from timing us out.
                if now - link.lastAckSent >= 1_000_000 {
                    link.lastAckSent = now
                    _ = send(link.fd, "\n", 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                return
            }
            link.receiver = nil
            if case .failed(let reason) = outcome {
                return linkFailed("Failed trying to load the MASTER synchronization DB from socket: \(reason)")
            }
            link.lastIO = now
            if dual.buffering {
                finishDualChannel(link, dual, receiver)
            } else {
                dual.loaded = receiver
            }
            return
        }
        if now - link.lastIO > replicationSettings.timeout * 1_000_000 { linkFailed("Timeout connecting to the MASTER...") }
    }

    /// Both channels are done: the snapshot's keyspace and history, then the buffered stream, then the live one.
    func finishDualChannel(_ link: PrimaryLink, _ dual: DualChannelLink, _ receiver: RDBReceiver) {
        guard let end = dual.end else { return linkFailed("Aborting dual channel sync: no end offset") }
        swapInLoaded(receiver, position: (end.replid, end.offset))
        if !dual.paused { loop.remove(link.fd) }
        let buffered = dual.buffer.take()
        link.dual = nil
        becomeConnected(link, db: end.db, buffered: buffered)
        log.notice("Successfully streamed replication data into memory")
    }

    /// The buffered stream goes through the primary's client as if just read, one chunk at a time so each is
    /// freed once applied.
    func applyBufferedStream(_ conn: Connection, _ chunks: [[UInt8]]) {
        var chunks = chunks
        for i in chunks.indices where !conn.closed {
            let count = chunks[i].count
            conn.reserveQuery(count)
            chunks[i].withUnsafeBytes { (conn.query + conn.queryEnd).copyMemory(from: $0.baseAddress!, byteCount: count) }
            conn.queryEnd += count
            conn.totalNetInput += count
            chunks[i] = []
            processInput(conn)
        }
    }

    func abortDualChannel(_ link: PrimaryLink, _ dual: DualChannelLink) {
        log.notice("Aborting dual channel sync")
        if dual.fd >= 0 {
            loop.remove(dual.fd)
            close(dual.fd)
            dual.fd = -1
        }
        dual.loaded = nil
        link.dual = nil
    }

    func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
