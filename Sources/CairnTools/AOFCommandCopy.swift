#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine
import CairnPersistence

/// `convert --to aof` and `export --format resp` of an AOF source (one file or a manifest's files) without a
/// key filter, streamed: each file's RDB part becomes the commands that rebuild its keys, element by element,
/// and its commands are copied as they come, so memory holds one command (or one open transaction) at a time
/// instead of the dataset. Loading the output does what loading the source does: each file's commands run
/// from db 0 (the server's loader gives each file a new client), and a transaction still open at the end of a
/// file is dropped, as the loader drops it.
struct AOFCommandCopy {
    let source: DumpSource

    /// Returns the keys of the RDB parts and the commands copied after them.
    func run(into w: inout CommandStreamWriter, progress: Progress?) throws -> (keys: Int, commands: Int) {
        let engine = Engine()
        var file = source.path
        var db = 0
        var transaction: [[[UInt8]]]? = nil
        var commands = 0
        func dropOpenTransaction() {
            guard let t = transaction else { return }
            fputs("cairn-dump: \(file) ends inside a MULTI of \(t.count - 1) commands; dropping it, as the server's loader does\n", stderr)
            transaction = nil
        }
        try AOFFiles(source: source).forEach(progress: progress, fileStarted: { p in
            dropOpenTransaction()
            file = p
            db = 0
        }, preamble: { fd in
            try AOFPreamble.withRDB(fd) { input in try Self.copyKeys(input, into: &w) }
        }) { args, offset in
            try AOFFiles.check(args, in: engine, file: file, offset: offset)
            let name = args[0]
            if transaction != nil {
                if Self.named(name, "EXEC") {
                    w.select(db)
                    for c in transaction! {
                        try w.command(c)
                        if let n = Self.selected(c) { db = n }
                    }
                    try w.command(args)
                    w.selected = db
                    commands += transaction!.count + 1
                    transaction = nil
                } else if Self.named(name, "DISCARD") {
                    transaction = nil
                } else {
                    transaction!.append(args)
                }
                return
            }
            if Self.named(name, "MULTI") {
                transaction = [args]
                return
            }
            if let n = Self.selected(args) {
                db = n
                w.select(n)
            } else {
                w.select(db)
                try w.command(args)
            }
            commands += 1
        }
        dropOpenTransaction()
        return (w.keys, commands)
    }

    /// The keys of an RDB part, as the commands that rebuild them.
    static func copyKeys(_ input: RDBInput, into w: inout CommandStreamWriter) throws {
        var reader = RDBReader(input: input, settings: EngineSettings())
        try reader.readHeader()
        while let item = try reader.nextItem() {
            guard case .key(let h) = item else { continue }
            let (type, encoding) = RDBType.describe(h.type)
            let info = KeyInfo(db: h.db, key: h.key, type: type, encoding: encoding, expireAt: h.expireAt, rdbType: h.type)
            _ = try w.begin(info)
            try reader.visitValue(h, &w)
            try w.end(info, size: 0)
        }
    }

    static func named(_ name: [UInt8], _ command: StaticString) -> Bool {
        name.count == command.utf8CodeUnitCount && zip(name, UnsafeBufferPointer(start: command.utf8Start, count: name.count)).allSatisfy { $0 | 0x20 == $1 | 0x20 }
    }

    /// The database a well-formed SELECT switches to; nil for any other command.
    static func selected(_ args: [[UInt8]]) -> Int? {
        guard args.count == 2, named(args[0], "SELECT"), let n = args[1].withUnsafeBytes({ NumberParsing.int64($0) }),
              n >= 0, n < EngineSettings().databases else { return nil }
        return Int(n)
    }
}
