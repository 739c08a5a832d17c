#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine
import CairnPersistence
import CairnReplication

/// RDB bookkeeping the server keeps between saves, under INFO persistence's names.
struct PersistenceState {
    var job: BackgroundJob?
    var jobSnapshot: Snapshot?
    /// Unix ms when the running BGSAVE captured its image, and the write count it covered.
    var jobStartedAt: Int64 = 0
    var dirtyAtJobStart = 0
    var scheduled = false
    var lastStatusOK = true
    var lastBgsaveSeconds = -1
    var lastBgsaveTry: Int64 = 0
    var saves = 0
    var lastLoadKeysLoaded = 0
    var lastLoadKeysExpired = 0
    var loading = false
}

extension Server {
    /// Where dump files go: the working directory (`dir`) at the time of the save.
    var rdbPath: String { (ConfigFile.currentDirectory() ?? ".") + "/" + settings.dbFilename }

    var rdbWriteOptions: RDBWriteOptions {
        RDBWriteOptions(compression: settings.rdbCompression, checksum: settings.rdbChecksum, version: settings.rdbVersion,
                        incrementalSync: settings.rdbSaveIncrementalFsync)
    }

    var backgroundSaveInProgress: Bool { persistence.job != nil }

    // MARK: saving

    /// SAVE: a blocking save on the event loop. Returns false (after logging why) when it failed.
    @discardableResult
    func saveSynchronously() -> Bool {
        engine.refreshTime()
        // Synced once at the end: the loop serves nobody meanwhile, and 42 syncs of 4 MB made a 5M-key SAVE
        // 8% slower (4.24 s against 3.91, medians of six) than one.
        var options = rdbWriteOptions
        options.incrementalSync = false
        do {
            try Snapshot(of: engine, usedMemory: MemoryStats.allocatedBytes()).save(to: rdbPath, options: options)
        } catch {
            log.warning("Failed saving the DB: \(error)")
            return false
        }
        log.notice("DB saved on disk")
        engine.dirty = 0
        engine.lastSaveTime = engine.now / 1000
        persistence.lastStatusOK = true
        persistence.saves += 1
        refreshWriteRefusal()
        return true
    }

    /// BGSAVE: captures the keyspace over the loop's next turns and serializes it on the snapshot thread.
    func startBackgroundSave() {
        engine.refreshTime()
        let snapshot = Snapshot(of: engine, usedMemory: MemoryStats.allocatedBytes(), incremental: true)
        let path = rdbPath
        let options = rdbWriteOptions
        persistence.jobStartedAt = engine.now
        persistence.lastBgsaveTry = engine.now / 1000
        persistence.dirtyAtJobStart = engine.dirty
        persistence.scheduled = false
        persistence.jobSnapshot = snapshot
        persistence.job = BackgroundJob(name: "cairn-bgsave", role: .snapshot) { try snapshot.save(to: path, options: options) }
        log.notice("Background saving started")
    }

    /// From the cron: collects a finished BGSAVE, then starts one if scheduled or a save point is due.
    func persistenceCron() {
        if let job = persistence.job, let outcome = job.outcome {
            persistence.job = nil
            persistence.jobSnapshot = nil
            engine.refreshTime()
            persistence.lastBgsaveSeconds = Int((engine.now - persistence.jobStartedAt) / 1000)
            switch outcome {
            case .succeeded:
                log.notice("Background saving terminated with success")
                engine.dirty = max(0, engine.dirty - persistence.dirtyAtJobStart)
                engine.lastSaveTime = persistence.jobStartedAt / 1000
                persistence.lastStatusOK = true
                persistence.saves += 1
            case .failed(let reason):
                log.warning("Background saving error: \(reason)")
                persistence.lastStatusOK = false
            }
        }
        refreshWriteRefusal()
        guard !backgroundSaveInProgress else { return }
        if persistence.scheduled {
            startBackgroundSave()
            return
        }
        let now = engine.now / 1000
        for point in settings.savePoints {
            // After a failure, wait CONFIG_BGSAVE_RETRY_DELAY (5 s) before trying again, as Redis does.
            if engine.dirty >= point.changes && now - engine.lastSaveTime > Int64(point.seconds)
                && (persistence.lastStatusOK || now - persistence.lastBgsaveTry > 5) {
                log.notice("\(point.changes) changes in \(point.seconds) seconds. Saving...")
                startBackgroundSave()
                return
            }
        }
    }

    /// Stops a running BGSAVE and waits for its thread to let go (it checks every 1024 keys), as Redis kills
    /// its child before FLUSHALL, SHUTDOWN or DEBUG RELOAD; the last save status is left as it was.
    func cancelBackgroundSave() {
        guard let job = persistence.job else { return }
        log.notice("Stopping the background save in progress")
        persistence.jobSnapshot?.cancel()
        var waited = 0
        while job.outcome == nil && waited < 10_000 {
            usleep(1000)
            waited += 1
        }
        persistence.job = nil
        persistence.jobSnapshot = nil
        persistence.scheduled = false
    }

    /// Writes (and PING) get MISCONF while the last save failed and save points exist
    /// (stop-writes-on-bgsave-error), or while the AOF cannot be written, as Redis's writeCommandsDeniedByDiskError.
    func refreshWriteRefusal() {
        let refuse = settings.stopWritesOnBgsaveError && !settings.savePoints.isEmpty && !persistence.lastStatusOK
        if refuse {
            engine.writesRefusedReason = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
        } else {
            engine.writesRefusedReason = aof.writer?.lastError.map { "MISCONF Errors writing to the AOF file: \($0)" }
        }
    }

    /// The save a shutdown makes: forced by SHUTDOWN SAVE, skipped by NOSAVE, otherwise done when save points
    /// exist. False when the save failed and the shutdown must not go on.
    func finalSave(save: Bool, nosave: Bool) -> Bool {
        cancelBackgroundSave()
        guard !nosave && (save || !settings.savePoints.isEmpty) else { return true }
        log.notice("Saving the final RDB snapshot before exiting.")
        if saveSynchronously() { return true }
        log.warning("Error trying to save the DB, can't exit.")
        return false
    }

    // MARK: loading

    /// Loads the dump at startup. A missing file means an empty dataset; any other problem stops the server
    /// with the file, offset and reason in the log.
    func loadAtStartup() {
        let path = rdbPath
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return }
            log.warning("Fatal error loading the DB (\(path)): \(String(cString: strerror(errno))). Exiting.")
            exit(1)
        }
        defer { close(fd) }
        let start = Engine.monotonicMicros()
        persistence.loading = true
        defer { persistence.loading = false }
        do {
            let summary = try RDBLoader.load(RDBInput(fileDescriptor: fd), into: engine)
            replication.restoredPosition = RDBReceiver.position(in: summary)
            logLoad(summary, seconds: Double(Engine.monotonicMicros() - start) / 1e6)
        } catch {
            log.warning("Fatal error loading the DB (\(path)): \(error). Exiting.")
            exit(1)
        }
    }

    func logLoad(_ summary: RDBLoadSummary, seconds: Double) {
        if let (_, version) = summary.producer { log.notice("Loading RDB produced by version \(version)") }
        for (k, v) in summary.aux {
            let key = String(decoding: k, as: UTF8.self)
            if key == "ctime", let t = Int64(String(decoding: v, as: UTF8.self)) {
                log.notice("RDB age \(max(0, engine.now / 1000 - t)) seconds")
            } else if key == "used-mem", let m = Double(String(decoding: v, as: UTF8.self)) {
                log.notice("RDB memory usage when created \(DoubleFormat.cFormat("%.2f", m / 1024 / 1024)) Mb")
            }
        }
        log.notice("Done loading RDB, keys loaded: \(summary.keysLoaded), keys expired: \(summary.expiredSkipped).")
        log.notice("DB loaded from disk: \(DoubleFormat.cFormat("%.3f", seconds)) seconds")
        persistence.lastLoadKeysLoaded = summary.keysLoaded
        persistence.lastLoadKeysExpired = summary.expiredSkipped
    }

    /// DEBUG RELOAD: save, empty every database, load the file back. nil on success, else the error text.
    func debugReload() -> String? {
        cancelBackgroundSave()
        guard saveSynchronously() else { return "ERR Error trying to save the DB" }
        for db in engine.dbs { db.flush() }
        let fd = open(rdbPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "ERR Error trying to load the RDB dump, check server logs." }
        defer { close(fd) }
        do {
            _ = try RDBLoader.load(RDBInput(fileDescriptor: fd), into: engine, dropExpired: false, allowDuplicates: true)
        } catch {
            log.warning("Error loading the RDB dump: \(error)")
            return "ERR Error trying to load the RDB dump, check server logs."
        }
        log.notice("DB reloaded by DEBUG RELOAD")
        return nil
    }

    // MARK: commands

    func registerPersistenceCommands() {
        engine.register("save", arity: 1, flags: [.admin, .noscript, .noMulti], categories: ["@admin", "@slow", "@dangerous"], group: "server") { [unowned self] ctx throws(CommandError) in
            guard !backgroundSaveInProgress else { throw CommandError("ERR Background save already in progress") }
            guard saveSynchronously() else { throw CommandError("ERR") }
            ctx.out.ok()
        }
        engine.register("bgsave", arity: -1, flags: [.admin, .noscript], categories: ["@admin", "@slow", "@dangerous"], group: "server") { [unowned self] ctx throws(CommandError) in
            var schedule = false
            if ctx.args.count > 1 {
                guard ctx.args.count == 2, ctx.args.isKeyword(1, "schedule") else { throw CommandError.syntax }
                schedule = true
            }
            if backgroundSaveInProgress {
                guard schedule else { throw CommandError("ERR Background save already in progress") }
                persistence.scheduled = true
                ctx.out.status("Background saving scheduled")
                return
            }
            startBackgroundSave()
            ctx.out.status("Background saving started")
        }
        engine.debugReload = { [unowned self] in debugReload() }
        engine.afterFlushAll = { [unowned self] in
            // Redis rewrites the dump right away so that a restart does not bring the flushed keys back.
            cancelBackgroundSave()
            if !settings.savePoints.isEmpty { saveSynchronously() }
            engine.dirty += 1
        }
        registerDumpRestore()
    }

    func registerDumpRestore() {
        engine.register("dump", arity: 2, flags: [.readonly], keys: .one, categories: ["@keyspace", "@read", "@slow"], group: "generic") { [unowned self] ctx throws(CommandError) in
            guard let value = ctx.db.lookupRead(ctx.args[1]) else {
                ctx.out.null()
                return
            }
            guard let payload = try? DumpPayload.create(value, options: rdbWriteOptions) else { throw CommandError("ERR") }
            ctx.out.bulk(payload)
        }
        engine.register("restore", arity: -4, flags: [.write, .denyOOM], keys: .one, categories: ["@keyspace", "@write", "@slow", "@dangerous"], group: "generic") { ctx throws(CommandError) in
            let a = ctx.args
            var replace = false, absTTL = false
            var idle: Int64 = -1, freq: Int64 = -1
            var j = 4
            while j < a.count {
                let more = a.count - j - 1
                if a.isKeyword(j, "replace") {
                    replace = true
                } else if a.isKeyword(j, "absttl") {
                    absTTL = true
                } else if a.isKeyword(j, "idletime") && more >= 1 && freq == -1 {
                    idle = try a.int64(j + 1)
                    if idle < 0 { throw CommandError("ERR Invalid IDLETIME value, must be >= 0") }
                    j += 1
                } else if a.isKeyword(j, "freq") && more >= 1 && idle == -1 {
                    freq = try a.int64(j + 1)
                    if freq < 0 || freq > 255 { throw CommandError("ERR Invalid FREQ value, must be >= 0 and <= 255") }
                    j += 1
                } else {
                    throw CommandError.syntax
                }
                j += 1
            }
            let key = a[1]
            if !replace && ctx.db.lookupWrite(key) != nil { throw CommandError("BUSYKEY Target key name already exists.") }
            var ttl = try a.int64(2)
            if ttl < 0 { throw CommandError("ERR Invalid TTL value, must be >= 0") }
            guard DumpPayload.verify(a[3]) else { throw CommandError("ERR DUMP payload version or checksum are wrong") }
            guard let value = DumpPayload.decode(a[3], settings: ctx.engine.settings) else { throw CommandError("ERR Bad data format") }
            let deleted = replace && ctx.db.delete(key)
            if ttl > 0 && !absTTL { ttl += ctx.engine.now }
            if ttl > 0 && ttl < ctx.engine.now {
                if deleted {
                    ctx.engine.notify(.generic, "del", key, db: ctx.db.id)
                    ctx.engine.dirty += 1
                }
                ctx.out.ok()
                return
            }
            ctx.db.set(key, value, expireAt: ttl > 0 ? ttl : -1,
                       access: ctx.engine.accessClock.restored(idleSeconds: idle >= 0 ? idle : nil,
                                                               frequency: freq >= 0 ? UInt8(freq) : nil))
            ctx.engine.notify(.generic, "restore", key, db: ctx.db.id)
            ctx.engine.dirty += 1
            ctx.out.ok()
        }
    }
}
