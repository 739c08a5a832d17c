#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine
import CairnPersistence

/// One key with its whole value, for the tools that write values (convert, restore, RESP export).
public struct KeyEntry {
    public var db: Int
    public var key: [UInt8]
    public var value: Value
    public var expireAt: Int64
}

/// An input file of any readable format, read key by key. RDB files stream (one key at a time, collections
/// element by element in `scan`); an AOF is replayed into an in-memory engine first, since its commands edit
/// keys all over the file; JSONL streams one line at a time.
public final class DumpSource {
    public let path: String
    public let format: InputFormat
    public var filter = KeyFilter()
    /// Filled while an RDB is read: its version, magic, aux fields and function libraries.
    public private(set) var rdbVersion = 0
    public private(set) var magic = ""
    public private(set) var aux: [(key: [UInt8], value: [UInt8])] = []
    public private(set) var functions: [[UInt8]] = []
    public private(set) var fileSize = 0
    let settings = EngineSettings()
    public var progressLabel: String? = nil
    /// An RDB file's CRC-64 is computed by a thread of its own (`FileChecksum`) instead of the reading one: set
    /// when the reading thread is the busier one of an export and a core is left for a third.
    var checksumOnOwnThread = false

    public init(path: String) throws(ToolError) {
        (format, self.path) = try InputFormat.detect(path)
        fileSize = Self.size(self.path)
        if format == .aofManifest, let m = try? AOFManifest.load(path: self.path) {
            fileSize = m.loadOrder.reduce(0) { $0 + Self.size(directory + "/" + $1.name) }
        }
    }

    static func size(_ p: String) -> Int {
        var st = stat()
        return stat(p, &st) == 0 ? Int(st.st_size) : 0
    }

    /// The folder of a manifest, where the files it names are.
    var directory: String { path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "." }

    func damaged(_ e: RDBError) -> ToolError {
        ToolError(.badInput, "\(path): \(e); the file is damaged or not supported. Next step: `cairn-dump repair \(path) -o OUT` salvages the readable keys")
    }

    func openFile(_ p: String) throws(ToolError) -> Int32 {
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ToolError(.io, "cannot open \(p): \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Every accepted key, its value delivered element by element.
    public func scan<C: KeyConsumer>(_ c: inout C) throws {
        if format == .rdb {
            try rdbKeys { reader, h, info in
                if try c.begin(info) {
                    try reader.visitValue(h, &c)
                    try c.end(info, size: reader.input.offset - info.offset!)
                } else {
                    var skip = SkipValue()
                    try reader.visitValue(h, &skip)
                }
            }
            return
        }
        let progress = progressLabel.map { Progress(label: $0, total: fileSize) }
        defer { progress?.finish() }
        try entries(progress: progress) { e in
            let info = KeyInfo(db: e.db, key: e.key, type: e.value.typeName.description, encoding: e.value.encodingName.description,
                               expireAt: e.expireAt, rdbType: nil)
            guard filter.accepts(info), try c.begin(info) else { return }
            try visit(e.value, &c)
            try c.end(info, size: 0)
        }
    }

    /// Every accepted key of an RDB source, stopped after its name: `body` must read or visit the value before
    /// it returns. Keys the filter refuses are skipped here.
    public func rdbKeys(_ body: (inout RDBReader, RDBKeyHeader, KeyInfo) throws -> Void) throws {
        let progress = progressLabel.map { Progress(label: $0, total: fileSize) }
        defer { progress?.finish() }
        var keys = 0
        try withRDB { reader, input in
            var record: RDBRecord? = nil
            while true {
                // nextKey, not nextItem: no item enum is copied per key.
                guard let h = try reader.nextKey(orRecord: &record) else {
                    guard let r = record else { break }
                    note(r)
                    record = nil
                    continue
                }
                let (type, encoding) = RDBType.describe(h.type)
                let start = h.offset - (h.expireAt >= 0 ? 9 : 0)
                let info = KeyInfo(db: h.db, key: h.key, type: type, encoding: encoding, expireAt: h.expireAt, rdbType: h.type, offset: start)
                if filter.accepts(info) {
                    try body(&reader, h, info)
                } else {
                    var skip = SkipValue()
                    try reader.visitValue(h, &skip)
                }
                keys += 1
                progress?.update(bytes: input.offset, keys: keys)
            }
        }
    }

    /// Every accepted key with its whole value.
    public func entries(_ body: (KeyEntry) throws -> Void) throws {
        let progress = progressLabel.map { Progress(label: $0, total: fileSize) }
        defer { progress?.finish() }
        try entries(progress: progress) { e in
            let info = KeyInfo(db: e.db, key: e.key, type: e.value.typeName.description, encoding: "", expireAt: e.expireAt, rdbType: nil)
            if filter.accepts(info) { try body(e) }
        }
    }

    private func entries(progress: Progress?, _ body: (KeyEntry) throws -> Void) throws {
        var keys = 0
        switch format {
        case .rdb:
            try withRDB { reader, input in
                while let r = try reader.next() {
                    guard case .entry(let e) = r else {
                        note(r)
                        continue
                    }
                    try body(KeyEntry(db: e.db, key: e.key, value: e.value, expireAt: e.expireAt))
                    keys += 1
                    progress?.update(bytes: input.offset, keys: keys)
                }
            }
        case .aof, .aofManifest:
            let engine = try AOFReplay(source: self).run(progress: progress)
            for db in engine.dbs where db.count > 0 {
                try db.keys.forEach { e in try body(KeyEntry(db: db.id, key: e.key, value: e.value, expireAt: e.expireAt)) }
            }
        case .jsonl:
            let fd = try openFile(path)
            defer { close(fd) }
            var lines = LineReader(fd: fd)
            let parser = JSONLRecord(settings: settings)
            while let line = try lines.next() {
                if line.isEmpty { continue }
                let e: KeyEntry
                do {
                    e = try parser.entry(line)
                } catch let f as JSONParser.Failure {
                    throw ToolError(.badInput, "\(path) line \(lines.lineNumber) (offset \(lines.lineStart + f.offset)): \(f.reason); fix or remove that line")
                } catch let t as ToolError {
                    throw ToolError(.badInput, "\(path) line \(lines.lineNumber) (offset \(lines.lineStart)): \(t.message); fix or remove that line")
                }
                try body(e)
                keys += 1
                progress?.update(bytes: lines.lineStart, keys: keys)
            }
        }
    }

    /// Opens the RDB file, reads its header and hands the reader to `body`; a read error names the file.
    private func withRDB(_ body: (inout RDBReader, RDBInput) throws -> Void) throws {
        let fd = try openFile(path)
        defer { close(fd) }
        // Reads of a quarter megabyte: fewer system calls, and more values are handed over in place.
        let input = RDBInput(fileDescriptor: fd, chunkSize: 1 << 18)
        // A pipe can be read once only; a regular file has a size.
        let checksum = checksumOnOwnThread ? input.size.map { FileChecksum(fd: fd, fileSize: $0) } : nil
        defer { checksum?.finish() }
        if let checksum { input.crcOfFirst = { checksum.crc(ofFirst: $0) } }
        var reader = RDBReader(input: input, settings: settings)
        aux = []
        functions = []
        do {
            try reader.readHeader()
            rdbVersion = reader.version
            magic = reader.magic
            try body(&reader, input)
        } catch let e as RDBError {
            throw damaged(e)
        }
    }

    private func note(_ r: RDBRecord) {
        switch r {
        case .aux(let k, let v): aux.append((k, v))
        case .function(let f): functions.append(f)
        default: break
        }
    }
}

/// Lines of a file through a fixed buffer; a line may be as long as the file.
struct LineReader {
    let fd: Int32
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var start = 0
    var end = 0
    var consumed = 0
    var lineStart = 0
    var lineNumber = 0

    init(fd: Int32) { self.fd = fd }

    mutating func next() throws(ToolError) -> [UInt8]? {
        var line: [UInt8] = []
        lineStart = consumed
        while true {
            if start == end {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ToolError(.io, "read error: \(String(cString: strerror(errno)))")
                }
                if n == 0 {
                    if line.isEmpty { return nil }
                    lineNumber += 1
                    return line
                }
                start = 0
                end = n
            }
            if let nl = buffer[start..<end].firstIndex(of: 10) {
                line.append(contentsOf: buffer[start..<nl])
                consumed += nl + 1 - start
                start = nl + 1
                lineNumber += 1
                return line
            }
            line.append(contentsOf: buffer[start..<end])
            consumed += end - start
            start = end
        }
    }
}
