#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine
import CairnPersistence

public enum ConvertTarget: String { case rdb, aof, jsonl }

/// Writes keys as an RDB file of a chosen version (11, 10 or 9), refusing a value the version cannot hold
/// rather than dropping part of it silently.
struct RDBFileWriter {
    let out: RDBOutput
    let writer: RDBWriter
    let version: Int
    /// Lossy conversions (consumer active times before RDB 11) warn instead of failing.
    let allowLossy: Bool
    var started = false
    var db = -1
    var keys = 0

    init(fd: Int32, version: Int, allowLossy: Bool) {
        out = RDBOutput(fileDescriptor: fd)
        writer = RDBWriter(out: out, options: RDBWriteOptions(version: version))
        self.version = version
        self.allowLossy = allowLossy
    }

    /// Header, aux fields and function libraries, before the first key.
    mutating func start(aux: [(key: [UInt8], value: [UInt8])], functions: [[UInt8]]) throws {
        guard !started else { return }
        started = true
        if version < 10, let f = functions.first {
            let name = f.split(separator: 10).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
            throw ToolError(.badInput, "the function library '\(name)' cannot be represented in RDB version \(version) (functions need version 10 or newer); convert with --rdb-version 10 or 11")
        }
        try writer.header()
        if aux.isEmpty {
            try writer.aux("redis-ver", Array(Engine.compatibleRedisVersion.utf8))
            try writer.aux("redis-bits", IntegerFormat.bytes(Int64(MemoryLayout<Int>.size * 8)))
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            try writer.aux("ctime", IntegerFormat.bytes(Int64(ts.tv_sec)))
        }
        for a in aux { try writer.aux(String(decoding: a.key, as: UTF8.self), a.value) }
        for f in functions { try writer.function(f) }
    }

    mutating func write(_ e: KeyEntry) throws {
        if case .stream(let s) = e.value { try checkStream(s, e) }
        select(e.db)
        try writer.entry(key: e.key, value: e.value, expireAt: e.expireAt)
        keys += 1
        if out.bufferedCount >= 1 << 16 { try out.flush() }
    }

    /// A key read from an RDB file: copied element by element when its encoding allows (`copyValue`), else
    /// built whole; false for an empty collection, skipped as the loader skips it. A value that fails to read
    /// halfway is taken back from the output whole.
    @discardableResult
    mutating func copy(_ h: RDBKeyHeader, from reader: inout RDBReader) throws -> Bool {
        select(h.db)
        let mark = out.mark()
        do {
            switch try reader.copyValue(h, to: writer) {
            case .copied:
                keys += 1
                if out.bufferedCount >= 1 << 16 { try out.flush() }
                return true
            case .empty:
                return false
            case .notStreamed:
                guard let value = try reader.value(type: h.type, at: h.offset) else { return false }
                try write(KeyEntry(db: h.db, key: h.key, value: value, expireAt: h.expireAt))
                return true
            }
        } catch var e as RDBError {
            try? out.rewind(to: mark)
            e.key = e.key ?? h.key
            throw e
        } catch {
            try? out.rewind(to: mark)
            throw error
        }
    }

    mutating func select(_ id: Int) {
        if id != db {
            db = id
            writer.selectDB(db, keys: 0, expires: 0)
        }
    }

    /// What older stream types drop: RDB 9 (type 15) has no entries-added, max-deleted ID or group read
    /// counters, and its loaders recompute them; RDB 10 (type 19) has no consumer active time.
    func checkStream(_ s: StreamValue, _ e: KeyEntry) throws {
        let name = "stream '\(String(decoding: e.key, as: UTF8.self))' (db \(e.db))"
        if version < 10 {
            if s.entriesAdded != Int64(s.count) || s.maxDeletedID != .zero {
                throw ToolError(.badInput, "\(name) has entries-added \(s.entriesAdded) and max-deleted-entry-id \(idText(s.maxDeletedID)), which RDB version \(version) cannot represent (a loader would assume \(s.count) and 0-0); convert with --rdb-version 10 or 11")
            }
            for (g, group) in s.sortedGroups where group.entriesRead != StreamGroup.invalidEntriesRead && s.estimatedEntriesRead(at: group.lastID) != group.entriesRead {
                throw ToolError(.badInput, "\(name): consumer group '\(String(decoding: g, as: UTF8.self))' has entries-read \(group.entriesRead), which RDB version \(version) cannot represent; convert with --rdb-version 10 or 11")
            }
        }
        if version < 11 {
            for (g, group) in s.sortedGroups {
                for c in group.sortedConsumers where c.activeTime != c.seenTime {
                    let message = "\(name): consumer '\(String(decoding: c.name, as: UTF8.self))' of group '\(String(decoding: g, as: UTF8.self))' has an active time (\(c.activeTime)) that RDB version \(version) cannot represent (a loader takes the seen time, \(c.seenTime))"
                    guard allowLossy else { throw ToolError(.badInput, message + "; convert with --rdb-version 11, or accept the loss with --allow-lossy") }
                    fputs("cairn-dump: warning: \(message)\n", stderr)
                }
            }
        }
    }

    mutating func finish() throws {
        try writer.end()
    }
}

public enum ConvertCommand {
    /// Returns the number of records written and what they are (`ExportCommand.run`).
    public static func run(_ source: DumpSource, to target: ConvertTarget, out: OutputFile, rdbVersion: Int, allowLossy: Bool) throws -> (count: Int, what: String) {
        switch target {
        case .jsonl:
            return try ExportCommand.run(source, format: .jsonl, out: out)
        case .aof:
            return try ExportCommand.run(source, format: .resp, out: out)
        case .rdb:
            try out.flush()
            var w = RDBFileWriter(fd: out.fileDescriptor, version: rdbVersion, allowLossy: allowLossy)
            if source.format == .rdb {
                try source.rdbKeys { reader, h, _ in
                    try w.start(aux: convertedAux(source), functions: source.functions)
                    try w.copy(h, from: &reader)
                }
            } else {
                try source.entries { e in
                    try w.start(aux: convertedAux(source), functions: source.functions)
                    try w.write(e)
                }
            }
            try w.start(aux: convertedAux(source), functions: source.functions)
            try w.finish()
            return (w.keys, "keys")
        }
    }

    /// The source's aux fields, but not `aof-base`: the output is a dump, not an AOF base.
    static func convertedAux(_ source: DumpSource) -> [(key: [UInt8], value: [UInt8])] {
        source.aux.filter { $0.key != Array("aof-base".utf8) }
    }
}
