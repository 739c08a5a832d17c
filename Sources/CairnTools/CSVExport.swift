import RESP
import CairnEngine
import CairnPersistence

/// `export --format csv`: one row per key —
/// `db,key,type,encoding,elements,value_bytes,offset,serialized_bytes,expire_at_ms,ttl_ms`. `encoding` is the one
/// the file stores (the one Redis 7.2 would pick for AOF and JSONL input), `value_bytes` the bytes of every
/// string in the value, `offset` and `serialized_bytes` where the key's RDB record starts and its length
/// (empty for other inputs), `ttl_ms` the time
/// left at export (negative when already expired). Keys are quoted as CSV requires, bytes kept as they are.
struct CSVWriter: StatsConsumer {
    let out: OutputFile
    let now: Int64
    var stats = ValueStats()
    var row: [UInt8] = []
    var rows = 0

    init(out: OutputFile, now: Int64) {
        self.out = out
        self.now = now
        out.append("db,key,type,encoding,elements,value_bytes,offset,serialized_bytes,expire_at_ms,ttl_ms\n")
    }


    mutating func end(_ k: KeyInfo, size: Int) throws {
        row.removeAll(keepingCapacity: true)
        row += Array("\(k.db),".utf8)
        Self.appendField(k.key, to: &row)
        let encoding = k.rdbType == nil ? stats.encoding : k.encoding
        row += Array(",\(k.type),\(encoding),\(stats.elements),\(stats.payload),\(k.offset.map(String.init) ?? ""),\(size > 0 ? String(size) : ""),".utf8)
        if k.expireAt >= 0 { row += Array("\(k.expireAt),\(k.expireAt - now)".utf8) } else { row.append(UInt8(ascii: ",")) }
        row.append(10)
        out.append(row)
        rows += 1
        try out.flushIfLarge()
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
    static func appendField(_ b: [UInt8], to out: inout [UInt8]) {
        guard b.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else {
            out += b
            return
        }
        out.append(34)
        for c in b {
            if c == 34 { out.append(34) }
            out.append(c)
        }
        out.append(34)
    }
}

public enum ExportFormat: String { case jsonl, json, resp, csv }

public enum ExportCommand {
    /// Writes every accepted key of `source` to `out`; returns how many records were written and what they are
    /// ("keys", or "commands" for an AOF copied as commands). Decoding runs on its own thread (`DecoderThread`).
    public static func run(_ source: DumpSource, format: ExportFormat, out: OutputFile) throws -> (count: Int, what: String) {
        switch format {
        case .jsonl, .json:
            var w = JSONRecordWriter(out: out, array: format == .json)
            try DecoderThread.scan(source, into: &w)
            w.finish()
            return (w.records, "keys")
        case .csv:
            var w = CSVWriter(out: out, now: source.filter.now)
            try DecoderThread.scan(source, into: &w)
            return (w.rows, "keys")
        case .resp:
            var w = CommandStreamWriter { bytes in
                out.append(bytes)
                try out.flushIfLarge()
            }
            if source.format == .aof || source.format == .aofManifest, source.filter.acceptsAll {
                let progress = source.progressLabel.map { Progress(label: $0, total: source.fileSize) }
                defer { progress?.finish() }
                let (keys, commands) = try AOFCommandCopy(source: source).run(into: &w, progress: progress)
                try w.finish()
                return (keys + commands, keys > 0 ? "keys and commands" : "commands")
            }
            try DecoderThread.scan(source, into: &w)
            try w.finish()
            return (w.keys, "keys")
        }
    }
}
