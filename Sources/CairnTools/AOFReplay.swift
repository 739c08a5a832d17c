#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine
import CairnPersistence

/// The files of an AOF source in load order (one file, or the base and incr files a manifest lists), each read
/// as the server loads it: an RDB base or preamble first, then the commands. A last file cut short inside a
/// command is read up to its last whole command (aof-load-truncated).
struct AOFFiles {
    let source: DumpSource

    var paths: [String] {
        get throws {
            guard source.format == .aofManifest else { return [source.path] }
            let manifest: AOFManifest?
            do {
                manifest = try AOFManifest.load(path: source.path)
            } catch {
                throw ToolError(.badInput, "\(source.path): \(error.message); check the manifest with cairn-check-aof")
            }
            return (manifest?.loadOrder ?? []).map { source.directory + "/" + $0.name }
        }
    }

    /// Reads every file: `preamble` gets each file's descriptor and returns the offset where its commands
    /// start (nil without an RDB part), leaving the descriptor there; `command` gets each command and the
    /// offset past it; `fileStarted` is told before each file.
    func forEach(progress: Progress?, fileStarted: (String) throws -> Void = { _ in },
                 preamble: (Int32) throws -> Int?, command: ([[UInt8]], Int) throws -> Void) throws {
        let files = try paths
        var done = 0
        for (i, p) in files.enumerated() {
            try fileStarted(p)
            done += try read(p, isLast: i == files.count - 1, preamble: preamble) { args, offset in
                try command(args, offset)
                progress?.update(bytes: done + offset, keys: 0)
            }
        }
    }

    /// Returns the file's size.
    private func read(_ p: String, isLast: Bool, preamble: (Int32) throws -> Int?, _ command: ([[UInt8]], Int) throws -> Void) throws -> Int {
        let fd = try source.openFile(p)
        defer { close(fd) }
        let start: Int
        do {
            start = try preamble(fd) ?? 0
        } catch let e as RDBError {
            throw ToolError(.badInput, "\(p): RDB part \(e); the file is damaged. Next step: `cairn-dump repair` on a copy of it")
        }
        var reader = AOFRecordReader(fd: fd, startOffset: start)
        while true {
            let record: AOFRecordReader.Record?
            do {
                record = try reader.next()
            } catch .truncated(let offset) {
                guard isLast else { throw ToolError(.badInput, "\(p) ends inside a command at offset \(offset) but is not the last file; run cairn-check-aof on the manifest") }
                fputs("cairn-dump: \(p) ends inside a command at offset \(offset); reading up to its last whole command\n", stderr)
                break
            } catch .format(let offset, let reason) {
                throw ToolError(.badInput, "\(p): \(reason) at offset \(offset). Next step: `cairn-dump repair \(p) -o OUT` keeps every valid command around the damage")
            } catch {
                throw ToolError(.io, "\(p): \(error)")
            }
            guard let record else { break }
            guard case .command(let args) = record else { continue }
            try command(args, reader.offset)
        }
        return Int(lseek(fd, 0, SEEK_END))
    }

    /// Refuses a command the server would not know, as its loader does.
    static func check(_ args: [[UInt8]], in engine: Engine, file: String, offset: Int) throws {
        guard engine.commands.lookup(String(decoding: args[0], as: UTF8.self)) != nil else {
            throw ToolError(.badInput, "\(file): unknown command '\(String(decoding: args[0], as: UTF8.self))' at offset \(offset)")
        }
    }
}

/// Rebuilds the dataset an AOF describes by running its commands in an engine of its own: for the outputs that
/// need each key's final state, since any command may edit any key anywhere in the files.
struct AOFReplay {
    let source: DumpSource

    func run(progress: Progress?) throws -> Engine {
        let engine = Engine()
        var client: ClientSession? = nil
        var file = source.path
        // Each file starts in db 0 with a new client, as the server's loader reads it.
        try AOFFiles(source: source).forEach(progress: progress, fileStarted: { p in
            file = p
            client.map(engine.clientClosed)
            let c = engine.makeClient()
            c.authenticated = true
            c.mustObey = true
            client = c
        }, preamble: { fd in try AOFPreamble.load(fd, into: engine) }) { args, offset in
            try AOFFiles.check(args, in: engine, file: file, offset: offset)
            OwnedArgs(args).withArgs { engine.execute(client!, $0) }
            client!.reply.bytes.removeAll(keepingCapacity: true)
        }
        client.map(engine.clientClosed)
        return engine
    }
}
