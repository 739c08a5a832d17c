#if canImport(Glibc)
import Glibc
#endif
import CairnEngine
import CairnPersistence

/// The append-only file as the server runs it (Redis 7's multi-part layout): the directory with its manifest,
/// base and incremental files; loading at startup; the writer thread fed with the propagation stream.
final class AppendOnlyFile {
    struct Fatal: Error { let message: String }

    let dirName: String
    let fileName: String
    let policy: AOFSyncPolicy
    var manifest = AOFManifest()
    private(set) var writer: AOFWriter?

    init(settings: ServerSettings) {
        dirName = settings.appendDirname
        fileName = settings.appendFilename
        switch settings.appendFsync {
        case .always: policy = .always
        case .everysec: policy = .everysec
        case .no: policy = .no
        }
    }

    var manifestPath: String { "\(dirName)/\(fileName).manifest" }
    func path(_ name: String) -> String { "\(dirName)/\(name)" }

    // MARK: startup

    /// Loads the AOF into the engine and opens the incremental file for appending (aofLoadManifestFromDisk,
    /// loadAppendOnlyFiles, aofOpenIfNeededOnServerStart).
    func start(engine: Engine, loadTruncated: Bool, log: Logger) throws(Fatal) {
        if let bytes = readFile(manifestPath) {
            do {
                manifest = try AOFManifest(parsing: bytes)
            } catch {
                throw Fatal(message: error.message)
            }
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
            log.notice("DB loaded from append only file: \(String(format3(secs))) seconds")
        }
        try openForAppend(log: log)
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
        let p = path(file.name)
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw Fatal(message: "Fatal error: can't open the append log file \(file.name) for reading: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var magic = [UInt8](repeating: 0, count: 5)
        if read(fd, &magic, 5) == 5 && magic == Array("REDIS".utf8) {
            throw Fatal(message: "Loading an AOF with an RDB preamble (\(file.name)) needs the RDB reader, which this build does not have yet")
        }
        lseek(fd, 0, SEEK_SET)
        let client = engine.makeClient()
        client.authenticated = true
        var reader = AOFRecordReader(fd: fd)
        var valid = 0
        var multiStart = 0
        var count = 0
        while true {
            let record: AOFRecordReader.Record?
            do {
                record = try reader.next()
            } catch .truncated(let offset) {
                try truncated(p, file.name, at: client.inMulti ? multiStart : min(valid, offset), isLast: isLast,
                              loadTruncated: loadTruncated, log: log)
                break
            } catch .format(let offset, let reason) {
                throw Fatal(message: "\(reason) \(file.name) at offset \(offset)")
            } catch {
                throw Fatal(message: "Unrecoverable error reading the append only file \(file.name): \(error)")
            }
            guard let record else {
                if client.inMulti {
                    try truncated(p, file.name, at: multiStart, isLast: isLast, loadTruncated: loadTruncated, log: log)
                }
                break
            }
            guard case .command(let args) = record else { continue }
            guard engine.commands.lookup(String(decoding: args[0], as: UTF8.self)) != nil else {
                throw Fatal(message: "Unknown command '\(String(decoding: args[0], as: UTF8.self))' reading the append only file \(file.name)")
            }
            let startsTransaction = args[0].count == 5 && String(decoding: args[0], as: UTF8.self).lowercased() == "multi"
            if startsTransaction { multiStart = valid }
            OwnedArgs(args).withArgs { engine.execute(client, $0) }
            client.reply.bytes.removeAll(keepingCapacity: true)
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
    private func openForAppend(log: Logger) throws(Fatal) {
        try makeDirectory()
        if manifest.isEmpty {
            // A fresh AOF starts from an empty base, so that the directory alone describes the dataset.
            let name = "\(fileName).1.base.aof"
            guard createEmpty(path(name)) else { throw Fatal(message: "Can't create the AOF base file \(name): \(String(cString: strerror(errno)))") }
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
        let fd = open(path(manifest.incrs.last!.name), O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw Fatal(message: "Can't open the append-only file: \(String(cString: strerror(errno)))") }
        writer = AOFWriter(fd: fd, policy: policy)
    }

    // MARK: running

    /// Hands the stream's new bytes to the writer; returns the offset that covers them.
    @discardableResult
    func handOff(_ engine: Engine) -> Int {
        guard let writer else { return 0 }
        if engine.propagation.output.isEmpty { return writer.queuedOffset }
        return writer.append(engine.propagation.take())
    }

    /// Everything written and synced, the writer stopped (shutdown).
    func stop(engine: Engine) {
        handOff(engine)
        writer?.stop()
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

    private func readFile(_ p: String) -> [UInt8]? {
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        return out
    }
}

/// Makes a directory entry (a rename, a new file) durable.
func fsyncDirectory(_ path: String) {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = fsync(fd)
    close(fd)
}

private func format3(_ v: Double) -> String {
    let ms = Int((v * 1000).rounded())
    let frac = String(ms % 1000)
    return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
}
