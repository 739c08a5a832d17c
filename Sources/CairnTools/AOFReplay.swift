#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine
import CairnPersistence

/// Rebuilds the dataset an AOF (one file, or the files a manifest lists) describes by running its commands
/// in an engine of its own, as the server loads it: an RDB base or preamble first, then the commands. A
/// last file cut short inside a command is read up to its last whole command (aof-load-truncated).
struct AOFReplay {
    let source: DumpSource

    func run(progress: Progress?) throws -> Engine {
        let engine = Engine()
        var files: [String] = [source.path]
        if source.format == .aofManifest {
            let manifest: AOFManifest?
            do {
                manifest = try AOFManifest.load(path: source.path)
            } catch {
                throw ToolError(.badInput, "\(source.path): \(error.message); check the manifest with cairn-check-aof")
            }
            files = (manifest?.loadOrder ?? []).map { source.directory + "/" + $0.name }
        }
        let client = engine.makeClient()
        client.authenticated = true
        client.mustObey = true
        var done = 0
        for (i, p) in files.enumerated() {
            done += try replay(p, engine: engine, client: client, isLast: i == files.count - 1) { progress?.update(bytes: done + $0, keys: 0) }
        }
        engine.clientClosed(client)
        return engine
    }

    /// Returns the file's size.
    private func replay(_ p: String, engine: Engine, client: ClientSession, isLast: Bool, _ step: (Int) -> Void) throws -> Int {
        let fd = try source.openFile(p)
        defer { close(fd) }
        let start: Int
        do {
            start = try AOFPreamble.load(fd, into: engine) ?? 0
        } catch {
            throw ToolError(.badInput, "\(p): RDB part \(error); the file is damaged. Next step: `cairn-dump repair` on a copy of it")
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
            guard engine.commands.lookup(String(decoding: args[0], as: UTF8.self)) != nil else {
                throw ToolError(.badInput, "\(p): unknown command '\(String(decoding: args[0], as: UTF8.self))' at offset \(reader.offset)")
            }
            OwnedArgs(args).withArgs { engine.execute(client, $0) }
            client.reply.bytes.removeAll(keepingCapacity: true)
            step(reader.offset)
        }
        return Int(lseek(fd, 0, SEEK_END))
    }
}
