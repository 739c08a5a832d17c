#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import CairnEngine
import RESP
import CairnPersistence

/// The append-only file as the server runs it (Redis 7's multi-part layout): the directory with its manifest,
/// base and incremental files; loading at startup; the writer thread fed with the propagation stream.
final class AppendOnlyFile {
    struct Fatal: Error { let message: String }

    let dirName: String
    let fileName: String
    private(set) var policy: AOFSyncPolicy
    var manifest = AOFManifest()
    /// The writer thread while the AOF is on; nil while it is off.
    private(set) var writer: AOFWriter?
    /// Where the last writer's stream offsets ended, for the next one to go on from (see AOFWriter.init).
    private var streamOffset = 0
    /// Bytes of the stream known to be durable: replies held under `always` wait for it to pass their writes.
    /// With no writer, everything handed over was synced when it stopped.
    var durableOffset: Int { writer?.durableOffset ?? streamOffset }

    /// A background rewrite: the snapshot thread's result, polled by the server cron.
    final class Rewrite: @unchecked Sendable {
        let tempPath: String
        let startedMicros = Engine.monotonicMicros()
        /// 0 while running, 1 done, 2 failed; written once by the rewrite thread.
        let outcome = Atomic<Int>(0)
        var failure = ""
        var size = 0
        /// A rewrite that turns the AOF on (CONFIG SET appendonly yes): writes meanwhile go to a temp incr file.
        let enabling: Bool
        /// The new base is an RDB file (aof-use-rdb-preamble).
        let rdb: Bool
        init(tempPath: String, enabling: Bool, rdb: Bool) { self.tempPath = tempPath; self.enabling = enabling; self.rdb = rdb }

        /// Called once by the rewrite thread; `failure` nil for success.
        func finish(failure: String?) {
            if let failure { self.failure = failure }
            outcome.store(failure == nil ? 1 : 2, ordering: .releasing)
        }
    }
    private(set) var rewrite: Rewrite?

    // INFO persistence
    private(set) var rewrites = 0
    private(set) var consecutiveFailures = 0
    private(set) var lastRewriteSeconds = -1
    private(set) var lastRewriteOK = true
    /// Bytes of the base file and of the incremental files the writer no longer appends to.
    private(set) var baseSize = 0
    private var closedIncrSize = 0

    /// aof-use-rdb-preamble: bases are RDB files (`.base.rdb`) rather than RESP commands.
    private var rdbBase = true
    private var rdbOptions = RDBWriteOptions()

    /// Takes the directives that shape the next base file.
    func configure(preamble: Bool, rdb: RDBWriteOptions) {
        rdbBase = preamble
        rdbOptions = rdb
    }

    init(settings: ServerSettings) {
        dirName = settings.appendDirname
        fileName = settings.appendFilename
        policy = Self.policy(settings.appendFsync)
    }

    static func policy(_ p: AppendFsync) -> AOFSyncPolicy {
        switch p {
        case .always: return .always
        case .everysec: return .everysec
        case .no: return .no
        }
    }

    var enabled: Bool { writer != nil }
    var currentSize: Int { baseSize + closedIncrSize + (writer?.fileSize ?? 0) }
    var tempIncrPath: String { path("temp-\(fileName).incr") }

    var manifestPath: String { "\(dirName)/\(fileName).manifest" }
    func path(_ name: String) -> String { "\(dirName)/\(name)" }

    // MARK: startup

    /// Loads the AOF into the engine and opens the incremental file for appending (aofLoadManifestFromDisk,
    /// loadAppendOnlyFiles, aofOpenIfNeededOnServerStart).
    func start(engine: Engine, loadTruncated: Bool, log: Logger) throws(Fatal) {
        do {
            if let m = try AOFManifest.load(path: manifestPath) { manifest = m }
        } catch {
            throw Fatal(message: error.message)
        }
        try upgradeLegacyFile(log: log)
        let files = manifest.loadOrder
        if files.isEmpty {
            log.notice("DB loaded from append only file: 0.000 seconds")
        } else {
            let start = Engine.monotonicMicros()
            for (i, f) in files.enumerated() {
                try load(f, engine: engine, isLast: i == files.count - 1, loadTruncated: loadTruncated, log: log)
            }
            let secs = Double(Engine.monotonicMicros() - start) / 1_000_000
            log.notice("DB loaded from append only file: \(DoubleFormat.cFormat("%.3f", secs)) seconds")
        }
        try openForAppend(engine: engine, log: log)
        engine.propagation.forgetSelectedDatabase()
        engine.propagation.enabled = true
    }

    /// An old single `appendonly.aof` in the working directory moves into the directory as its base, the
    /// manifest first so that every step can be redone after a crash (aofUpgradePrepare).
    private func upgradeLegacyFile(log: Logger) throws(Fatal) {
        guard access(fileName, F_OK) == 0 else { return }
        let onlyLegacyBase = manifest.incrs.isEmpty && manifest.base?.name == fileName && access(path(fileName), F_OK) != 0
        guard manifest.isEmpty || onlyLegacyBase else { return }
        try makeDirectory()
        manifest = AOFManifest()
        manifest.base = AOFManifest.File(name: fileName, seq: 1, type: .base)
        try persistManifest()
        guard rename(fileName, path(fileName)) == 0 else {
            throw Fatal(message: "Error moving the AOF file \(fileName) into the AOF directory: \(String(cString: strerror(errno)))")
        }
        fsyncDirectory(dirName)
        log.notice("Successfully migrated an old-style AOF into the AOF directory")
    }

    /// Replays one file's commands through a client of its own that never replies to anyone.
    private func load(_ file: AOFManifest.File, engine: Engine, isLast: Bool, loadTruncated: Bool, log: Logger) throws(Fatal) {
        engine.eviction.suspended = true
        defer { engine.eviction.suspended = false }
        let p = path(file.name)
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw Fatal(message: "Fatal error: can't open the append log file \(file.name) for reading: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let start: Int
        do {
            start = try AOFPreamble.load(fd, into: engine) ?? 0
        } catch {
            throw Fatal(message: "Bad file format reading the append only file \(file.name): \(error)")
        }
        if start > 0 { log.notice("Reading RDB base file on AOF loading...") }
        let client = engine.makeClient()
        client.authenticated = true
        client.user = engine.acl.superuser
        client.mustObey = true
        var reader = AOFRecordReader(fd: fd, startOffset: start)
        var valid = start
        var multiStart = 0
        var count = 0
        /// Where the records end, padding left by the writer's reservation aside.
        var contentEnd = start
        var tornAppendChecked = false
        while true {
            let record: AOFRecordReader.Record?
            do {
                record = try reader.next()
            } catch .truncated(let offset) {
                try truncated(p, file.name, at: client.inMulti ? multiStart : min(valid, offset), isLast: isLast,
                              loadTruncated: loadTruncated, log: log)
                break
            } catch .format(let offset, let reason) {
                // A crash while a record was written over the reservation leaves its start followed by padding
                // to the end of the file: read up to the padding, the record shows as cut short, as it would
                // have been at the end of a file without a reservation.
                var st = stat()
                if isLast && !tornAppendChecked && fstat(fd, &st) == 0 {
                    tornAppendChecked = true
                    let resume = reader.offset
                    let paddingStart = AOFPadding.trailingRunStart(fd: fd, size: Int(st.st_size))
                    if paddingStart > resume && paddingStart < Int(st.st_size) && lseek(fd, off_t(resume), SEEK_SET) == resume {
                        log.warning("AOF \(file.name) ends in a record cut short over the space reserved for it")
                        reader = AOFRecordReader(fd: fd, startOffset: resume, limit: paddingStart)
                        continue
                    }
                }
                throw Fatal(message: "\(reason) \(file.name) at offset \(offset). Make a backup of your AOF file, then use cairn-check-aof --fix <filename.manifest> to cut it back to its last whole command.")
            } catch {
                throw Fatal(message: "Unrecoverable error reading the append only file \(file.name): \(error)")
            }
            guard let record else {
                if client.inMulti {
                    try truncated(p, file.name, at: multiStart, isLast: isLast, loadTruncated: loadTruncated, log: log)
                } else if isLast && contentEnd < reader.offset {
                    // Padding after the last record, left by a crash: appends continue where the records end.
                    guard truncate(p, off_t(contentEnd)) == 0 else {
                        throw Fatal(message: "Error truncating the AOF file \(file.name): \(String(cString: strerror(errno)))")
                    }
                    log.notice("AOF \(file.name): \(reader.offset - contentEnd) bytes of reserved space after its last record released")
                }
                break
            }
            guard case .command(let args) = record else {
                if case .annotation(let text) = record, !AOFPadding.isPadding(annotation: text) { contentEnd = reader.offset }
                continue
            }
            guard engine.commands.lookup(String(decoding: args[0], as: UTF8.self)) != nil else {
                throw Fatal(message: "Unknown command '\(String(decoding: args[0], as: UTF8.self))' reading the append only file \(file.name)")
            }
            let startsTransaction = args[0].count == 5 && String(decoding: args[0], as: UTF8.self).lowercased() == "multi"
            if startsTransaction { multiStart = valid }
            OwnedArgs(args).withArgs { engine.execute(client, $0) }
            client.reply.bytes.removeAll(keepingCapacity: true)
            contentEnd = reader.offset
            if !client.inMulti { valid = reader.offset }
            count += 1
        }
        engine.clientClosed(client)
        log.verbose("AOF \(file.name) loaded: \(count) commands")
    }

    /// A file that ends inside a record: the last file is cut back to its last whole command when
    /// aof-load-truncated allows it, as Redis does; anything else stops startup.
    private func truncated(_ p: String, _ name: String, at offset: Int, isLast: Bool, loadTruncated: Bool, log: Logger) throws(Fatal) {
        log.warning("!!! Warning: short read while loading the AOF file \(name)!!!")
        log.warning("!!! Truncating the AOF \(name) at offset \(offset) !!!")
        guard isLast else {
            throw Fatal(message: "Fatal error: the truncated file is not the last file")
        }
        guard loadTruncated else {
            throw Fatal(message: "Unexpected end of file reading the append only file \(name). You can: 1) Make a backup of your AOF file, then use ./cairn-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.")
        }
        guard truncate(p, off_t(offset)) == 0 else {
            throw Fatal(message: "Error truncating the AOF file \(name): \(String(cString: strerror(errno)))")
        }
        log.warning("AOF \(name) loaded anyway because aof-load-truncated is enabled")
    }

    /// Makes sure there is a base and an incremental file, opens the last incremental file for appending and
    /// starts the writer on it. The history files are deleted once the manifest no longer needs them.
    private func openForAppend(engine: Engine, log: Logger) throws(Fatal) {
        try makeDirectory()
        if manifest.isEmpty {
            // A fresh AOF starts from a base of the (empty) dataset, so that the directory alone describes it.
            let name = "\(fileName).1.base.\(rdbBase ? "rdb" : "aof")"
            if rdbBase {
                let snapshot = Snapshot(of: engine)
                snapshot.aofBase = true
                do {
                    try snapshot.save(to: path(name), options: rdbOptions)
                } catch {
                    throw Fatal(message: "Can't create the AOF base file \(name): \(error)")
                }
            } else if !createEmpty(path(name)) {
                throw Fatal(message: "Can't create the AOF base file \(name): \(String(cString: strerror(errno)))")
            }
            manifest.base = AOFManifest.File(name: name, seq: 1, type: .base)
            log.notice("Creating AOF base file \(name) on server start")
        }
        if manifest.incrs.isEmpty {
            let name = "\(fileName).\(manifest.lastIncrSeq + 1).incr.aof"
            guard createEmpty(path(name)) else { throw Fatal(message: "Can't create the AOF incr file \(name): \(String(cString: strerror(errno)))") }
            manifest.incrs.append(AOFManifest.File(name: name, seq: manifest.lastIncrSeq + 1, type: .incr))
            log.notice("Creating AOF incr file \(name) on server start")
        }
        let history = manifest.history
        manifest.history = []
        try persistManifest()
        for h in history { unlink(path(h.name)) }
        let fd = open(path(manifest.incrs.last!.name), O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Fatal(message: "Can't open the append-only file: \(String(cString: strerror(errno)))") }
        baseSize = fileSize(path(manifest.base!.name))
        closedIncrSize = manifest.incrs.dropLast().reduce(0) { $0 + fileSize(path($1.name)) }
        writer = AOFWriter(fd: fd, policy: policy, streamOffset: streamOffset)
    }

    /// appendfsync changed at runtime: a new writer thread with the new policy continues on the same file.
    func setPolicy(_ p: AOFSyncPolicy) {
        policy = p
        guard let old = writer else { return }
        let fd = old.detach()
        writer = AOFWriter(fd: fd, policy: p, streamOffset: old.queuedOffset)
    }

    // MARK: rewrite

    /// BGREWRITEAOF (rewriteAppendOnlyFileBackground): new writes go to a new incremental file, listed in
    /// the manifest before anything is written to it, while a thread writes the captured dataset as the
    /// next base. `enabling` is CONFIG SET appendonly yes: the AOF starts with this rewrite, its writes kept
    /// in a temp file until the base exists. Returns an error text when a rewrite is already running.
    func startRewrite(engine: Engine, settings: ServerSettings, enabling: Bool = false, log: Logger) -> String? {
        guard rewrite == nil else { return "ERR Background append only file rewriting already in progress" }
        do throws(Fatal) {
            try makeDirectory()
            handOff(engine)
            if enabling {
                let fd = open(tempIncrPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard fd >= 0 else { return "ERR Can't open the temp append-only file: \(String(cString: strerror(errno)))" }
                closedIncrSize = 0
                baseSize = 0
                writer = AOFWriter(fd: fd, policy: policy, streamOffset: streamOffset)
                engine.propagation.forgetSelectedDatabase()
                engine.propagation.enabled = true
            } else if let w = writer {
                let name = "\(fileName).\(manifest.lastIncrSeq + 1).incr.aof"
                let fd = open(path(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard fd >= 0 else { return "ERR Can't open the append-only file \(name): \(String(cString: strerror(errno)))" }
                manifest.incrs.append(AOFManifest.File(name: name, seq: manifest.lastIncrSeq + 1, type: .incr))
                try persistManifest()
                let old = w.switchFile(to: fd)
                closedIncrSize += old.size
                close(old.fd)
                engine.propagation.forgetSelectedDatabase()
            }
        } catch {
            return "ERR \(error.message)"
        }
        let job = Rewrite(tempPath: "temp-rewriteaof-bg-\(getpid()).aof", enabling: enabling, rdb: rdbBase)
        rewrite = job
        // The loop completes the capture over its next turns while the thread waits; values are copy-on-write,
        // so later writes leave it intact.
        let snapshot = Snapshot(of: engine, incremental: true)
        snapshot.aofBase = true
        let rdb = rdbBase
        let options = rdbOptions
        let now = engine.now
        let timestamp: Int64? = settings.aofTimestampEnabled ? now / 1000 : nil
        let incremental = settings.aofRewriteIncrementalFsync
        // Thread "aof-rewrite": serializes the captured dataset into the temp base file, then exits; background
        // priority, like a BGSAVE, so that clients are served first. It reports through `job`, not the outcome.
        _ = BackgroundJob(name: "aof-rewrite", role: .aofRewrite) {
            let fd = open(job.tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                job.finish(failure: String(cString: strerror(errno)))
                return
            }
            defer { close(fd) }
            if rdb {
                do {
                    let out = RDBOutput(fileDescriptor: fd, incrementalSync: incremental)
                    try snapshot.write(to: out, options: options)
                    job.size = out.written
                    job.finish(failure: fsync(fd) == 0 ? nil : String(cString: strerror(errno)))
                } catch {
                    job.finish(failure: "\(error)")
                }
                return
            }
            var out = AOFRewriter(fd: fd, incrementalSync: incremental)
            do throws(AOFRewriter.WriteError) {
                try out.write(snapshot.capture, now: now, timestampSeconds: timestamp)
                job.size = out.written
                job.finish(failure: nil)
            } catch {
                job.finish(failure: error.message)
            }
        }
        log.notice("Background append only file rewriting started")
        return nil
    }

    /// Polled by the cron: installs a finished rewrite's base (backgroundRewriteDoneHandler).
    func checkRewrite(log: Logger) {
        guard let job = rewrite else { return }
        let outcome = job.outcome.load(ordering: .acquiring)
        guard outcome != 0 else { return }
        rewrite = nil
        let seconds = (Engine.monotonicMicros() - job.startedMicros) / 1_000_000
        lastRewriteSeconds = seconds
        guard outcome == 1 else {
            unlink(job.tempPath)
            lastRewriteOK = false
            consecutiveFailures += 1
            log.warning("Background AOF rewrite failed: \(job.failure)")
            return
        }
        do throws(Fatal) {
            let baseName = "\(fileName).\(manifest.lastBaseSeq + 1).base.\(job.rdb ? "rdb" : "aof")"
            guard rename(job.tempPath, path(baseName)) == 0 else {
                throw Fatal(message: "Error trying to rename the temporary AOF base file \(job.tempPath) into \(baseName): \(String(cString: strerror(errno)))")
            }
            if let old = manifest.base { manifest.history.append(AOFManifest.File(name: old.name, seq: old.seq, type: .history)) }
            manifest.base = AOFManifest.File(name: baseName, seq: manifest.lastBaseSeq + 1, type: .base)
            // Numbered before the last incremental file leaves the list: numbered after, the new file took the
            // name of the one it replaces (AOF switched off and on again), and deleting that as history
            // deleted the new file.
            let nextIncrSeq = manifest.lastIncrSeq + 1
            var keep = manifest.incrs.popLast()
            if job.enabling, writer != nil {
                // The writes made while the base was written become the first incremental file.
                let name = "\(fileName).\(nextIncrSeq).incr.aof"
                if let k = keep { manifest.history.append(AOFManifest.File(name: k.name, seq: k.seq, type: .history)) }
                guard rename(tempIncrPath, path(name)) == 0 else {
                    throw Fatal(message: "Error renaming the temporary incremental AOF file: \(String(cString: strerror(errno)))")
                }
                keep = AOFManifest.File(name: name, seq: nextIncrSeq, type: .incr)
            }
            manifest.history += manifest.incrs.map { AOFManifest.File(name: $0.name, seq: $0.seq, type: .history) }
            manifest.incrs = keep.map { [$0] } ?? []
            try persistManifest()
            log.notice("Successfully renamed the temporary AOF base file \(job.tempPath) into \(baseName)")
            for h in manifest.history { unlink(path(h.name)) }
            manifest.history = []
            try persistManifest()
            // The one incremental file left is the writer's, which counts its own size.
            closedIncrSize = writer == nil ? manifest.incrs.reduce(0) { $0 + fileSize(path($1.name)) } : 0
            baseSize = job.size
            rewrites += 1
            consecutiveFailures = 0
            lastRewriteOK = true
            log.notice("Background AOF rewrite finished successfully")
        } catch {
            unlink(job.tempPath)
            lastRewriteOK = false
            consecutiveFailures += 1
            log.warning(error.message)
        }
    }

    /// CONFIG SET appendonly no (stopAppendOnly): everything written is synced and appending stops.
    func turnOff(engine: Engine) {
        stop(engine: engine)
        engine.propagation.enabled = engine.propagation.feedsReplication
        if let job = rewrite, job.enabling {
            // The base being written would describe an AOF that no longer runs: it is never installed.
            rewrite = nil
            unlink(tempIncrPath)
            _ = job
        }
    }

    var rewriteSeconds: Int { rewrite.map { (Engine.monotonicMicros() - $0.startedMicros) / 1_000_000 } ?? -1 }

    // MARK: running

    /// The second of the last `#TS:` annotation (aof-timestamp-enabled).
    private var lastTimestamp: Int64 = 0
    var timestamps = false
    /// Bytes the disk may fall behind before the event loop waits for it (back-pressure, everysec/no).
    static let maxUnwritten = 64 << 20
    private var lastSlowDiskLog: Int64 = 0
    /// Tells the writer when a sync under `always` has the writes it should wait for.
    var groupCommit = GroupCommit()

    /// Hands the stream's new bytes to the writer, preceded by a `#TS:` annotation when timestamps are on
    /// and the second changed; returns the offset that covers them.
    @discardableResult
    func handOff(_ engine: Engine, log: Logger? = nil) -> Int {
        guard let writer else { return 0 }
        if engine.propagation.outputCount == 0 { return writer.queuedOffset }
        if timestamps && engine.now / 1000 > lastTimestamp {
            lastTimestamp = engine.now / 1000
            var annotation = "#TS:\(lastTimestamp)\r\n"
            annotation.withUTF8 { _ = writer.append(UnsafeRawBufferPointer($0)) }
        }
        let offset = engine.propagation.withOutputBuffer { writer.append(takingContentsOf: $0, commitAt: groupCommit.commitAt) }
        if writer.unwrittenBytes > Self.maxUnwritten {
            // A stalled disk: memory must not grow without bound, so the loop waits for the writer.
            if engine.now - lastSlowDiskLog > 1000 {
                lastSlowDiskLog = engine.now
                log?.notice("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Cairn.")
            }
            while writer.unwrittenBytes > Self.maxUnwritten / 2 && writer.lastError == nil { usleep(1000) }
        }
        return offset
    }

    /// Everything written and synced, the writer stopped (shutdown).
    func stop(engine: Engine) {
        handOff(engine)
        if let w = writer {
            w.stop()
            streamOffset = w.queuedOffset
        }
        writer = nil
    }

    // MARK: files

    /// The manifest is replaced atomically: a temp file, synced, renamed over it, then the directory synced.
    func persistManifest() throws(Fatal) {
        let temp = path("temp-\(fileName).manifest")
        let text = manifest.text
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Fatal(message: "Can't open the AOF manifest file \(temp): \(String(cString: strerror(errno)))") }
        let ok = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == text.count && fdatasync(fd) == 0
        close(fd)
        guard ok, rename(temp, manifestPath) == 0 else {
            throw Fatal(message: "Can't persist the AOF manifest file \(manifestPath): \(String(cString: strerror(errno)))")
        }
        fsyncDirectory(dirName)
    }

    private func makeDirectory() throws(Fatal) {
        if mkdir(dirName, 0o755) != 0 && errno != EEXIST {
            throw Fatal(message: "Can't create the append-only directory \(dirName): \(String(cString: strerror(errno)))")
        }
    }

    private func createEmpty(_ p: String) -> Bool {
        let fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        _ = fsync(fd)
        close(fd)
        return true
    }

    private func fileSize(_ p: String) -> Int {
        var st = stat()
        return stat(p, &st) == 0 ? Int(st.st_size) : 0
    }
}
