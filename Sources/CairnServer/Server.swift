#if canImport(Glibc)
import CSystem
import Glibc
#endif
import RESP
import CairnEngine
import CairnPersistence
import CairnReplication

/// The server: listening sockets, connections and the event loop around the engine.
///
/// Threads: this object lives on the main thread, which runs the event loop; it reads, parses, executes and
/// writes for every client. Nothing here is touched by another thread.
public final class Server {
    public let engine: Engine
    public let settings: ServerSettings
    public let config: ConfigRegistry
    public let log: Logger
    let loop = EventLoop()
    var listeners: [Int32: String?] = [:]          // fd -> unix path (nil for TCP)
    var connections: [Connection?] = []             // indexed by fd
    var connectionsByID: [Int: Connection] = [:]
    var pendingFlush: [Connection] = []
    var flushBatch: [Connection] = []
    var signalFD: Int32 = -1
    /// Full-sync threads (a replica's loader, a primary's sender) signal this eventfd when they end, so the loop
    /// collects them at once: from the cron, the link came up as much as 1/hz after the load.
    let transferWake = WakeEvent()
    var shutdownRequested = false
    public var exitCode: Int32 = 0
    let startedAt: Int64
    var cronCount = 0
    var lastCron = 0
    var stats = ServerStats()
    var pauseState = PauseState()
    /// Set when a pause is found expired mid-iteration; the pause is lifted after the iteration.
    var unpauseLater = false
    /// The append-only file (its writer runs while appendonly is on).
    let aof: AppendOnlyFile
    /// Clients whose replies wait for the AOF to sync their writes (appendfsync always).
    var heldForSync: [Connection] = []
    /// Hooks run when the server shuts down cleanly (final save, AOF flush...).
    public var shutdownHooks: [() -> Void] = []
    var persistence = PersistenceState()
    let replication = ReplicationState()

    struct ServerStats {
        var totalConnections = 0
        var rejectedConnections = 0
        var netInput = 0
        var netOutput = 0
        var readsProcessed = 0
        var writesProcessed = 0
        var loopCycles = 0
        var evictedClients = 0
    }
    var opsSampler = RateSampler()
    var inputSampler = RateSampler()
    var outputSampler = RateSampler()
    var lastSampleMicros = 0
    var peakMemory = 0
    var startupMemory = 0
    /// A random 40-hex identifier of this run, as Redis's run_id.
    public let runID: String = (0..<40).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
    public var executablePath = ""

    public init(engine: Engine, config: ConfigRegistry, log: Logger) {
        self.engine = engine
        self.config = config
        self.settings = config.settings
        self.log = log
        startedAt = engine.now
        aof = AppendOnlyFile(settings: config.settings)
        registerServerCommands()
        registerClientCommand()
        registerInfoCommand()
        registerConfigCommand()
        registerPersistenceCommands()
        installAccessControl()
        registerReplicationCommands()
        installMemoryAccounting()
        startupMemory = MemoryStats.allocatedBytes()
    }

    // MARK: startup

    public func listen() throws {
        raiseFileLimit()
        for addr in settings.bind {
            if let fd = try Sockets.listenTCP(address: addr, port: settings.port, backlog: Int32(settings.tcpBacklog)) {
                listeners[fd] = .some(nil)
                loop.add(fd, readable: true, writable: false)
            }
        }
        if listeners.isEmpty && !settings.bind.isEmpty {
            throw Sockets.Failure(message: "Failed listening on port \(settings.port) (tcp), aborting.")
        }
        if !settings.unixSocket.isEmpty {
            let fd = try Sockets.listenUnix(path: settings.unixSocket, permissions: settings.unixSocketPerm, backlog: Int32(settings.tcpBacklog))
            listeners[fd] = .some(settings.unixSocket)
            loop.add(fd, readable: true, writable: false)
        }
        installSignalHandlers()
        loop.add(transferWake.fd, readable: true, writable: false)
    }

    /// CONFIG SET port/bind: listen on the new addresses first, and only then close the old sockets, so a
    /// failure leaves the server as it was. Returns an error text on failure.
    func rebind() -> String? {
        let old = listeners.filter { $0.value == nil }.map(\.key)
        var fresh: [Int32] = []
        do {
            for addr in settings.bind {
                if let fd = try Sockets.listenTCP(address: addr, port: settings.port, backlog: Int32(settings.tcpBacklog)) { fresh.append(fd) }
            }
        } catch {
            for fd in fresh { close(fd) }
            return error.message
        }
        for fd in old {
            loop.remove(fd)
            close(fd)
            listeners[fd] = nil
        }
        for fd in fresh {
            listeners[fd] = .some(nil)
            loop.add(fd, readable: true, writable: false)
        }
        return nil
    }

    /// Like Redis, ask for enough descriptors for maxclients plus the server's own.
    func raiseFileLimit() {
        var lim = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
        let want = rlim_t(settings.maxClients + 32)
        if lim.rlim_cur < want {
            var newLim = lim
            newLim.rlim_cur = min(want, lim.rlim_max)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &newLim) != 0 || newLim.rlim_cur < want {
                log.warning("You requested maxclients of \(settings.maxClients) requiring at least \(want) max file descriptors; the current limit is \(newLim.rlim_cur).")
            }
        }
    }

    /// SIGTERM and SIGINT arrive through a signalfd so shutdown runs on the event loop, not in a handler.
    func installSignalHandlers() {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigprocmask(SIG_BLOCK, &set, nil)
        signalFD = signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        if signalFD >= 0 { loop.add(signalFD, readable: true, writable: false) }
    }

    // MARK: the loop

    public func run() {
        // Clients wait on this thread: when it wakes it takes the core from a snapshot being written at once.
        _ = csystem_request_short_slice()
        while !shutdownRequested {
            var timeout = Int32(max(1, 1000 / max(settings.hz, 1)))
            // Blocked clients time out with millisecond precision, not at the next cron tick.
            if let next = engine.expireBlockedClients() { timeout = Int32(max(1, min(Int64(timeout), next))) }
            // Deferred eviction goes on at once, between client events, as Redis's eviction timer does.
            if engine.eviction.pending { timeout = 0 }
            // So does a snapshot's capture, whose thread waits for it, and a replica's catch-up on its buffered stream.
            if engine.capturing || catchUpCanAdvance { timeout = 0 }
            // Segments a snapshot thread handed back are freed within a millisecond, without spinning while the
            // thread returns them one by one.
            if engine.segmentsReturned { timeout = min(timeout, 1) }
            // No spinning while a snapshot, rewrite, sync or load runs on a thread of its own: it needs the core.
            // Nor while only the AOF writer can bring the next event: when the threads share a core, the sync
            // could not start until the spin ended.
            let spin = BackgroundJob.running == 0 && !aof.groupCommit.awaitsOnlyTheWriter(held: heldForSync.count)
                ? settings.busyPollMicros : 0
            loop.poll(timeoutMs: timeout, spinMicros: spin) { fd, readable, writable in
                handleEvent(fd, readable, writable)
            }
            let nowMicros = Engine.monotonicMicros()
            if nowMicros - lastCron >= 1_000_000 / max(settings.hz, 1) {
                lastCron = nowMicros
                cron()
            }
            resumeEviction()
            if engine.capturing { engine.advanceCaptures() }
            if engine.drainingImages { engine.freeReturnedSegments() }
            if replication.catchUp != nil { continueCatchUp() }
            flushPending()
            stats.loopCycles += 1
        }
        finishShutdown()
    }

    func handleEvent(_ fd: Int32, _ readable: Bool, _ writable: Bool) {
        if fd == signalFD {
            var info = signalfd_siginfo()
            _ = read(fd, &info, MemoryLayout<signalfd_siginfo>.size)
            let name = info.ssi_signo == UInt32(SIGINT) ? "SIGINT" : "SIGTERM"
            log.warning("Received \(name) scheduling shutdown...")
            log.warning("User requested shutdown...")
            if finalSave(save: false, nosave: false) { shutdownRequested = true }
            return
        }
        if fd == transferWake.fd {
            transferWake.drain()
            collectTransfers()
            return
        }
        if let w = aof.writer, fd == w.wake.fd {
            w.wake.drain()
            releaseSynced()
            return
        }
        if let unixPath = listeners[fd] {
            acceptClients(fd, unixPath: unixPath)
            return
        }
        if replication.owns(fd) {
            replicationLinkEvent(fd, readable: readable, writable: writable)
            return
        }
        guard Int(fd) < connections.count, let conn = connections[Int(fd)] else { return }
        if writable && conn.wantsWritable {
            if !conn.flush() { closeConnection(conn); return }
            if conn.pendingOutputBytes == 0 {
                conn.wantsWritable = false
                loop.modify(fd, readable: true, writable: false)
                if conn.session.closeAfterReply { closeConnection(conn); return }
            }
        }
        if readable {
            stats.readsProcessed += 1
            readFrom(conn)
        }
    }

    func acceptClients(_ listener: Int32, unixPath: String?) {
        // Accept a bounded batch per wakeup, as Redis does, so a connection storm cannot starve clients.
        for _ in 0..<1000 {
            guard let (fd, peer) = Sockets.accept(listener, unixPath: unixPath) else { return }
            stats.totalConnections += 1
            if connectionsByID.count >= settings.maxClients {
                let msg = "-ERR max number of clients reached\r\n"
                _ = msg.withCString { write(fd, $0, strlen($0)) }
                close(fd)
                stats.rejectedConnections += 1
                continue
            }
            if refusedByProtectedMode(peer, unix: unixPath != nil) {
                _ = Self.protectedModeError.withCString { write(fd, $0, strlen($0)) }
                close(fd)
                stats.rejectedConnections += 1
                continue
            }
            if unixPath == nil { Sockets.configureClient(fd, keepalive: settings.tcpKeepalive) }
            let session = engine.makeClient()
            session.address = peer
            session.localAddress = unixPath.map { "\($0):0" } ?? Sockets.localAddress(fd)
            session.authenticated = !engine.acl.authRequired
            let conn = Connection(fd: fd, session: session, maxBulk: engine.settings.protoMaxBulkLength)
            session.isUnixSocket = unixPath != nil
            conn.parser.unauthenticated = !session.authenticated
            while connections.count <= Int(fd) { connections.append(nil) }
            connections[Int(fd)] = conn
            connectionsByID[session.id] = conn
            loop.add(fd, readable: true, writable: false)
            log.verbose("Accepted \(peer)")
        }
    }

    func readFrom(_ conn: Connection) {
        if !conn.readAvailable(hint: 0) {
            log.verbose("Client closed connection id=\(conn.session.id) addr=\(conn.session.address)")
            closeConnection(conn)
            return
        }
        processInput(conn)
    }

    /// Parses and runs every complete command in the query buffer.
    func processInput(_ conn: Connection) {
        let session = conn.session
        while conn.queryStart < conn.queryEnd && !conn.closed && !session.closeAfterReply && !session.isBlocked
                && !conn.heldByReplication {
            let region = UnsafeMutableRawBufferPointer(start: conn.query + conn.queryStart, count: conn.queryEnd - conn.queryStart)
            switch conn.parser.parse(region) {
            case .incomplete(let hint):
                if hint > 0 { conn.reserveQuery(hint - (conn.queryEnd - conn.queryStart)) }
                if conn.pendingQueryBytes > settings.clientQueryBufferLimit {
                    log.warning("Closing client that reached max query buffer length: id=\(session.id) addr=\(session.address) qbuf=\(conn.pendingQueryBytes)")
                    closeConnection(conn)
                    return
                }
                queueFlush(conn)
                return
            case .nothing(let consumed):
                conn.queryStart += consumed
                replicaNewline(conn)
            case .command(let consumed):
                let base = UnsafeRawPointer(conn.query + conn.queryStart)
                let parsed = conn.parser.command
                let args = Args(base: base, ranges: parsed.args, verbatim: parsed.verbatim)
                let paused = mustWaitForPause(session, args)
                if !paused {
                    engine.execute(session, args)
                    if conn === replication.primaryConnection { primaryCommandApplied(base, consumed) }
                    if engine.propagation.outputCount > 0, aof.policy == .always, let w = aof.writer {
                        conn.holdUntil = w.queuedOffset + engine.propagation.outputCount
                        aof.groupCommit.settled(conn)
                    }
                }
                if paused {
                    conn.parser.reset()
                    if !pauseState.waiting.contains(where: { $0 === conn }) { pauseState.waiting.append(conn) }
                    queueFlush(conn)
                    return
                }
                conn.queryStart += consumed
                afterCommand(conn)
            case .protocolError(let message):
                log.verbose("Protocol error (\(message)) from client: id=\(session.id) addr=\(session.address)")
                engine.replyError(session, "ERR \(message)")
                session.closeAfterReply = true
                conn.parser.reset()
                conn.queryStart = conn.queryEnd
            }
        }
        if conn.queryStart == conn.queryEnd {
            conn.queryStart = 0
            conn.queryEnd = 0
            conn.shrinkQueryIfIdle()
        }
        queueFlush(conn)
    }

    /// Work after each command that needs the connection rather than the session.
    func afterCommand(_ conn: Connection) {
        conn.parser.unauthenticated = !conn.session.authenticated
        // A disconnected client ends processInput's loop through conn.closed.
        _ = enforceOutputLimit(conn)
    }

    func queueFlush(_ conn: Connection) {
        if conn.session.reply.count > conn.sentOffset || conn.session.closeAfterReply { pendingFlush.append(conn) }
    }

    /// Writes every reply produced this iteration: one write per client per loop turn.
    func flushPending() {
        while !engine.woken.isEmpty {
            let woken = engine.woken
            engine.woken.removeAll(keepingCapacity: true)
            for s in woken {
                guard let c = connectionsByID[s.id], enforceOutputLimit(c) else { continue }
                // A served blocked command may have written: under appendfsync always its reply waits for
                // everything written so far to be synced.
                if aof.policy == .always, let w = aof.writer {
                    c.holdUntil = max(c.holdUntil, w.queuedOffset + engine.propagation.outputCount)
                }
                pendingFlush.append(c)
                // A client just unblocked may have pipelined more commands behind the blocking one.
                if !s.isBlocked && c.pendingQueryBytes > 0 { processInput(c) }
            }
        }
        feedReplicas()
        aof.handOff(engine, log: log)
        guard !pendingFlush.isEmpty else { return }
        // Swapping with a spare array keeps both buffers uniquely owned, so neither is reallocated.
        swap(&pendingFlush, &flushBatch)
        defer { flushBatch.removeAll(keepingCapacity: true) }
        let durable = aof.durableOffset
        for conn in flushBatch where !conn.closed && !conn.heldByReplication {
            guard conn.pendingOutputBytes > 0 || conn.session.closeAfterReply else { continue }
            if conn.holdUntil > durable {
                if !conn.heldForSync {
                    conn.heldForSync = true
                    heldForSync.append(conn)
                }
                continue
            }
            if !conn.wantsWritable {
                stats.writesProcessed += 1
                if !conn.flush() { closeConnection(conn); continue }
            }
            if conn.pendingOutputBytes > 0 {
                if !conn.wantsWritable {
                    conn.wantsWritable = true
                    loop.modify(conn.fd, readable: true, writable: true)
                }
            } else if conn.session.closeAfterReply {
                closeConnection(conn)
            }
        }
    }

    /// Queues the replies of clients whose writes the AOF writer has now synced.
    func releaseSynced() {
        let durable = aof.durableOffset
        let released = pendingFlush.count
        heldForSync.removeAll { conn in
            guard conn.holdUntil <= durable || conn.closed else { return false }
            conn.heldForSync = false
            if !conn.closed { pendingFlush.append(conn) }
            return true
        }
        aof.groupCommit.released(pendingFlush[released...], durable: durable)
    }

    /// client-output-buffer-limit: over the hard limit, or over the soft limit for longer than its seconds,
    /// the client is disconnected. Returns false when it was.
    func enforceOutputLimit(_ conn: Connection) -> Bool {
        let limits = settings.clientOutputLimits
        let limit = conn.session.isSubscribed ? limits.pubsub : (conn.session.isReplica ? limits.replica : limits.normal)
        guard exceedsOutputLimit(conn, limit, pending: conn.pendingOutputBytes) else { return true }
        closeConnection(conn)
        return false
    }

    /// Whether `pending` output bytes break `limit` (the hard limit, or the soft one for longer than its
    /// seconds, timed on the connection); logged as Redis does when they do.
    func exceedsOutputLimit(_ conn: Connection, _ limit: ClientOutputLimit, pending: Int) -> Bool {
        var over = limit.hard > 0 && pending > limit.hard
        if limit.soft > 0 && pending > limit.soft {
            let now = Engine.monotonicMicros()
            if conn.overSoftLimitSince == 0 { conn.overSoftLimitSince = now }
            else if now - conn.overSoftLimitSince > limit.softSeconds * 1_000_000 { over = true }
        } else {
            conn.overSoftLimitSince = 0
        }
        if over {
            log.warning("Client id=\(conn.session.id) addr=\(conn.session.address) scheduled to be closed ASAP for overcoming of output buffer limits.")
        }
        return over
    }

    func closeConnection(_ conn: Connection) {
        guard !conn.closed else { return }
        conn.closed = true
        aof.groupCommit.settled(conn)
        loop.remove(conn.fd)
        close(conn.fd)
        connections[Int(conn.fd)] = nil
        connectionsByID[conn.session.id] = nil
        stats.netInput += conn.totalNetInput
        stats.netOutput += conn.totalNetOutput
        engine.clientClosed(conn.session)
        replicationClosed(conn)
    }

    // MARK: periodic work

    /// serverCron: active expiry and idle-client timeouts, `hz` times a second.
    func cron() {
        cronCount += 1
        engine.refreshTime()
        let nowMicros = Engine.monotonicMicros()
        if nowMicros - lastSampleMicros >= 100_000 {
            lastSampleMicros = nowMicros
            opsSampler.sample(engine.stats.commandsProcessed, nowMicros: nowMicros)
            inputSampler.sample(stats.netInput + connectionsByID.values.reduce(0) { $0 + $1.totalNetInput }, nowMicros: nowMicros)
            outputSampler.sample(stats.netOutput + connectionsByID.values.reduce(0) { $0 + $1.totalNetOutput }, nowMicros: nowMicros)
        }
        if unpauseLater || (pauseState.isActive && Engine.monotonicMicros() >= pauseState.untilMicros) {
            unpauseLater = false
            unpause()
        }
        // A replica's keys expire by the primary's DELs; its reads only hide them.
        if engine.activeExpireEnabled && replication.link == nil { engine.activeExpireCycle(hz: settings.hz) }
        replicationCron()
        aof.checkRewrite(log: log)
        autoRewriteIfGrown()
        aof.writer?.syncSuppressed.store(settings.noAppendfsyncOnRewrite && aof.rewrite != nil, ordering: .relaxed)
        aof.timestamps = settings.aofTimestampEnabled
        if aof.policy == .always, let error = aof.writer?.lastError {
            // Replies already held cannot be retracted and must not be sent: Redis exits here too.
            log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always' (\(error)). Exiting...")
            exit(1)
        }
        persistenceCron()
        if settings.timeout > 0 && cronCount % max(settings.hz, 1) == 0 {
            let limit = Int64(settings.timeout) * 1000
            for (_, conn) in connectionsByID where !conn.session.isMonitor && !conn.session.isReplica
                && conn !== replication.primaryConnection {
                if engine.now - conn.session.lastInteraction > limit {
                    log.verbose("Closing idle client")
                    closeConnection(conn)
                }
            }
        }
    }

    // MARK: shutdown

    func finishShutdown() {
        for hook in shutdownHooks { hook() }
        aof.stop(engine: engine)
        for (_, conn) in connectionsByID {
            _ = conn.flush()
            closeConnection(conn)
        }
        for (fd, path) in listeners {
            close(fd)
            if let path { unlink(path) }
        }
        log.warning("Cairn is now ready to exit, bye bye...")
    }

    public func requestShutdown() { shutdownRequested = true }

    /// Loads the append-only file and starts its writer; false (having logged why) when startup must stop.
    func startAppendOnlyFile() -> Bool {
        guard settings.appendOnly else { return true }
        configureAOF()
        do {
            try aof.start(engine: engine, loadTruncated: settings.aofLoadTruncated, log: log)
        } catch {
            log.warning(error.message)
            return false
        }
        watchAOFWriter()
        return true
    }

    /// The loop polls the current AOF writer's eventfd (a new writer comes with a new one).
    func watchAOFWriter() {
        if let w = aof.writer { loop.add(w.wake.fd, readable: true, writable: false) }
    }

    /// CONFIG SET appendonly: on starts with a rewrite (its writes kept aside until the base exists), off
    /// syncs and stops, as Redis's startAppendOnly/stopAppendOnly.
    func setAppendOnly(_ on: Bool) -> String? {
        if on == aof.enabled { return nil }
        if !on {
            aof.turnOff(engine: engine)
            releaseSynced()
            return nil
        }
        configureAOF()
        if let error = aof.startRewrite(engine: engine, settings: settings, enabling: true, log: log) { return error }
        watchAOFWriter()
        return nil
    }

    /// The automatic rewrite: the AOF grew past auto-aof-rewrite-min-size and by auto-aof-rewrite-percentage
    /// over its size after the last rewrite.
    func autoRewriteIfGrown() {
        guard aof.enabled, aof.rewrite == nil, settings.autoAofRewritePercentage > 0 else { return }
        let size = aof.currentSize
        let base = max(aof.baseSize, 1)
        guard size > settings.autoAofRewriteMinSize, (size - base) * 100 / base >= settings.autoAofRewritePercentage else { return }
        log.notice("Starting automatic rewriting of AOF on \((size - base) * 100 / base)% growth")
        configureAOF()
        _ = aof.startRewrite(engine: engine, settings: settings, log: log)
    }

    /// The AOF's next base follows the current aof-use-rdb-preamble and RDB directives.
    func configureAOF() {
        aof.configure(preamble: settings.aofUseRdbPreamble, rdb: rdbWriteOptions)
    }

    public var clientCount: Int { connectionsByID.count }
}
