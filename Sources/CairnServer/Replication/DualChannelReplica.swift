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
    /// The main channel got +CONTINUE: what it receives goes to `stream` until the RDB is loaded.
    var buffering = false
    let stream = BufferedStream()
    /// The loaded RDB, waiting for the main channel's +CONTINUE.
    var loaded: RDBReceiver?

    init(fd: Int32, handshake: RDBChannelHandshake) {
        self.fd = fd
        self.handshake = handshake
    }
}

/// The main channel's stream kept unparsed: during the load, then while it is applied (StreamCatchUp).
final class BufferedStream {
    var buffer = StreamBuffer()
    /// Over the buffer limit: the main channel is no longer read (nor watched) until the buffer is applied.
    var paused = false
    var scratch = [UInt8](repeating: 0, count: 1 << 16)
}

/// After a dual-channel sync the link is up at once and the buffered stream goes through the primary's client
/// a slice per loop turn, as Valkey streams its local buffer into the dataset between events: applying a
/// whole load's worth at once (hundreds of MB under writers) stalled the loop for seconds. What the main
/// channel brings meanwhile queues behind it, so the order is kept.
final class StreamCatchUp {
    let conn: Connection
    let stream: BufferedStream

    init(conn: Connection, stream: BufferedStream) {
        self.conn = conn
        self.stream = stream
    }

    /// Bytes handed to the primary's client per loop turn: well under a millisecond of commands.
    static let slice = 64 * 1024
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
                                    timeoutSeconds: replicationSettings.timeout, wake: transferWake)
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
        if let failure = bufferStream(link.fd, dual.stream) { linkFailed(failure) }
    }

    /// One read of the main channel into `stream`, or none past the buffer limit (the channel is then left
    /// unwatched). Returns why the channel failed, if it did.
    func bufferStream(_ fd: Int32, _ stream: BufferedStream) -> String? {
        if stream.buffer.full(limit: settings.clientOutputLimits.replica.hard) {
            log.notice("Replication buffer limit reached, stopping buffering.")
            loop.remove(fd)
            stream.paused = true
            return nil
        }
        let n = stream.scratch.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n == 0 { return "Provisional primary closed connection" }
        if n < 0 {
            if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            return "Error reading from primary: \(Sockets.errorText())"
        }
        stream.scratch.withUnsafeBytes { stream.buffer.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        replication.streamBufferPeak = stream.buffer.peak
        return nil
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
        if !dual.stream.paused { loop.remove(link.fd) }
        link.dual = nil
        let conn = becomeConnected(link, db: end.db, watched: !dual.stream.paused)
        replication.catchUp = StreamCatchUp(conn: conn, stream: dual.stream)
        continueCatchUp()
    }

    /// Whether a catch-up has buffered bytes it may apply now: not while CLIENT PAUSE holds the primary's client,
    /// whose turn comes when the pause ends, so the loop may sleep until then.
    var catchUpCanAdvance: Bool {
        guard let conn = replication.catchUp?.conn else { return false }
        return !pauseState.waiting.contains(where: { $0 === conn })
    }

    /// Each loop turn while a catch-up runs (and once when it starts): the next slice of the buffered stream goes
    /// through the primary's client as if just read. What the last slice left unparsed is an incomplete command
    /// (a value over a slice takes several), unless the client waits for a CLIENT PAUSE: then nothing is added.
    func continueCatchUp() {
        guard let catchUp = replication.catchUp else { return }
        let conn = catchUp.conn
        guard conn === replication.primaryConnection, !conn.closed else {
            replication.catchUp = nil
            return
        }
        if catchUpCanAdvance {
            catchUp.stream.buffer.consume(upTo: StreamCatchUp.slice) { bytes in
                conn.reserveQuery(bytes.count)
                (conn.query + conn.queryEnd).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                conn.queryEnd += bytes.count
                conn.totalNetInput += bytes.count
            }
            processInput(conn)
        }
        guard catchUp.stream.buffer.count == 0, replication.catchUp === catchUp, !conn.closed else { return }
        replication.catchUp = nil
        // Reads go to the primary's client again; a channel left unwatched at the limit is watched again.
        if catchUp.stream.paused { loop.add(conn.fd, readable: true, writable: false) }
        sendAck()
        log.notice("Successfully streamed replication data into memory")
    }

    /// The main channel while a catch-up runs: its bytes queue behind the buffered ones.
    func catchUpRead(_ catchUp: StreamCatchUp) {
        if let failure = bufferStream(catchUp.conn.fd, catchUp.stream) {
            log.notice(failure)
            closeConnection(catchUp.conn)
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
