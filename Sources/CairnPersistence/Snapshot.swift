#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine
import Synchronization
import CSystem

/// A point-in-time image of every database (see DatasetCapture): the event loop copies a segment before
/// writing to one still shared with a snapshot, so the snapshot thread reads segments nobody mutates. Writing
/// consumes the image segment by segment, so it is written once.
public final class Snapshot: @unchecked Sendable {
    // @unchecked: created on the event loop, then used by one thread at a time (the snapshot thread), which
    // reads the capture only once the loop has published it complete.
    public let capture: DatasetCapture
    let functions: [[UInt8]]
    let scripts: [[UInt8]]
    private let cancelled = Atomic<Bool>(false)
    /// Aux values fixed at capture time.
    let ctime: Int64
    let usedMemory: Int
    /// The access clock at capture and which hint the policy saves (RDB IDLE under LRU, FREQ under LFU).
    let clock: AccessClock
    let savesIdle: Bool
    /// Written as an AOF base (aux aof-base=1) rather than a dump.
    public var aofBase = false
    /// repl-stream-db, repl-id and repl-offset: where this image sits in the replication history, so that a
    /// restarted replica (or a full sync's receiver) can continue by partial resync.
    public var replicationAux: [(key: String, value: [UInt8])]

    /// Called on the event loop. An `incremental` image is completed by the loop's next turns (see
    /// Engine.advanceCaptures), so only a thread other than the loop's may write it; otherwise it is complete
    /// at once, for a save on the loop itself.
    public init(of engine: Engine, usedMemory: Int = 0, incremental: Bool = false) {
        capture = engine.beginCapture(incremental: incremental)
        functions = engine.persistedFunctions
        scripts = engine.persistedScripts
        ctime = engine.now / 1000
        self.usedMemory = usedMemory
        replicationAux = engine.replicationAux?() ?? []
        clock = engine.accessClock
        savesIdle = engine.settings.evictionPolicy.isLRU
    }

    /// Asks a running write to stop (FLUSHALL, SHUTDOWN, a foreground SAVE superseding it, as Redis kills its
    /// child): it fails at its next check and removes its temp file.
    public func cancel() {
        cancelled.store(true, ordering: .relaxed)
        capture.interrupt()
    }

    /// Writes the whole image as an RDB file to `out`, as Valkey 8's rdbSaveRio lays it out.
    public func write(to out: RDBOutput, options: RDBWriteOptions) throws {
        guard capture.waitUntilComplete() else { throw RDBError(offset: 0, reason: "save cancelled") }
        let w = RDBWriter(out: out, options: options)
        try w.header()
        try w.aux("redis-ver", Array(Engine.compatibleRedisVersion.utf8))
        try w.aux("redis-bits", IntegerFormat.bytes(Int64(MemoryLayout<Int>.size * 8)))
        try w.aux("ctime", IntegerFormat.bytes(ctime))
        try w.aux("used-mem", IntegerFormat.bytes(Int64(usedMemory)))
        for (k, v) in replicationAux { try w.aux(k, v) }
        try w.aux("aof-base", Array((aofBase ? "1" : "0").utf8))
        for s in scripts { try w.aux("lua", s) }
        for f in functions { try w.function(f) }
        for (id, image) in capture.databases {
            w.selectDB(id, keys: image.count, expires: image.volatileCount)
            var sinceCheck = 0
            try image.drain { e in
                try e.withKey { key in
                    try w.entry(key: key, value: e.value, expireAt: e.expireAt,
                                idleSeconds: savesIdle ? clock.idleMilliseconds(e.access) / 1000 : nil,
                                frequency: clock.lfu ? UInt8(clock.frequency(e.access)) : nil)
                }
                try out.flushIfLarge()
                sinceCheck += 1
                // A snapshot thread sharing a core with the event loop otherwise holds it until the tick.
                if sinceCheck & 127 == 0 { csystem_let_foreground_run() }
                if sinceCheck == 1024 {
                    sinceCheck = 0
                    if cancelled.load(ordering: .relaxed) { throw RDBError(offset: out.written, reason: "save cancelled") }
                }
            }
        }
        try w.end()
    }

    /// Saves to `path` crash-safely: a temp file in the same directory, fsync, rename over `path`, fsync the
    /// directory. On any failure the temp file is removed and the old `path` is untouched.
    public func save(to path: String, options: RDBWriteOptions) throws {
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let temp = (dir == "." ? "" : dir + "/") + "temp-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).rdb"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RDBError(offset: 0, reason: "Failed opening the temp RDB file \(temp) (in server root dir \(dir)) for saving: \(String(cString: strerror(errno)))")
        }
        do {
            try write(to: RDBOutput(fileDescriptor: fd, incrementalSync: options.incrementalSync), options: options)
            guard fsync(fd) == 0 else { throw RDBError(offset: 0, reason: "fsync: \(String(cString: strerror(errno)))") }
            close(fd)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw RDBError(offset: 0, reason: "Error moving temp DB file \(temp) on the final destination \(path) (in server root dir \(dir)): \(reason)")
        }
        fsyncDirectory(dir)
    }
}

/// Makes a directory entry (a rename, a new file) durable.
public func fsyncDirectory(_ path: String) {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = fsync(fd)
    close(fd)
}
