#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine

/// What a load found, for the startup log lines and INFO.
public struct RDBLoadSummary {
    public var version = 0
    public var aux: [(key: [UInt8], value: [UInt8])] = []
    public var keysLoaded = 0
    public var expiredSkipped = 0
    public var emptySkipped = 0

    /// The server that wrote the file: Valkey writes `valkey-ver`, Redis `redis-ver`.
    public var producer: (name: String, version: String)? {
        for (k, v) in aux {
            let key = String(decoding: k, as: UTF8.self).lowercased()
            if key == "valkey-ver" { return ("valkey", String(decoding: v, as: UTF8.self)) }
            if key == "redis-ver" { return ("redis", String(decoding: v, as: UTF8.self)) }
        }
        return nil
    }

    public init() {}
}

public enum RDBLoader {
    /// Loads every record of `input` into `engine`'s databases, which the caller has emptied. Keys whose
    /// deadline already passed are dropped when `dropExpired` (a primary loading at startup); a duplicate key
    /// is corruption unless `allowDuplicates` (DEBUG RELOAD semantics: the later one wins). The file is read
    /// and its values built on a reader thread while this thread fills the keyspace (see RDBLoadPipeline); the
    /// input is left just past the EOF record, as a caller reading on from it expects.
    public static func load(_ input: RDBInput, into engine: Engine, dropExpired: Bool = true,
                            allowDuplicates: Bool = false) throws(RDBError) -> RDBLoadSummary {
        var reader = RDBReader(input: input, settings: engine.settings)
        reader.reusesKeyBuffer = true
        try reader.readHeader()
        var summary = RDBLoadSummary()
        summary.version = reader.version
        var functions: [[UInt8]] = []
        var scripts: [[UInt8]] = []
        engine.refreshTime()
        let now = engine.now
        let pipeline = RDBLoadPipeline()
        // Outside the per-key closure and emptied only when it was filled: a local one would be destroyed after
        // every key through the runtime's generic witness.
        var record: RDBRecord? = nil
        pipeline.start { batch in
            do throws(RDBError) {
                guard let h = try reader.nextKey(orRecord: &record) else {
                    guard let r = record.take() else {
                        batch.append(.end(nil))
                        return false
                    }
                    batch.append(.record(r, offset: input.offset))
                    return true
                }
                guard let value = try reader.value(type: h.type, at: h.offset) else {
                    batch.append(.empty)
                    return true
                }
                if dropExpired && Entry.isExpired(h.expireAt, now: now) {
                    batch.append(.expired)
                    return true
                }
                // The key sits in the reader's reused buffer until the next key: the entry gets its own copy.
                let entry = h.key.withUnsafeBytes { Entry(key: $0, value: value, expireAt: h.expireAt) }
                batch.append(.entry(db: h.db, entry, idle: h.idle, freq: h.freq, offset: input.offset))
                return true
            } catch {
                batch.append(.end(error))
                return false
            }
        }
        // Once a batch ending the stream is taken the reader has stopped, so an error thrown while its items are
        // applied leaves nothing to drain (waiting for another batch would wait forever).
        var readerDone = false
        defer { if !readerDone { pipeline.stopAndDrain() } }
        var db = 0
        while !readerDone {
            var batch = pipeline.next()
            if case .end = batch.last { readerDone = true }
            for i in batch.indices {
                // Moved out rather than copied: the reader's core wrote these values, and a copy would retain and
                // release each one from this core.
                var item = RDBLoadPipeline.Item.empty
                swap(&item, &batch[i])
                switch consume item {
                case .entry(let entryDB, var entry, let idle, let freq, let offset):
                    entry.access = engine.accessClock.restored(idleSeconds: idle, frequency: freq)
                    if let refused = engine.dbs[entryDB].keys.insert(entry, replacing: allowDuplicates) {
                        throw RDBError(offset: offset, key: refused.key, reason: "Duplicate key found in RDB file")
                    }
                    summary.keysLoaded += 1
                case .expired:
                    summary.expiredSkipped += 1
                case .empty:
                    summary.emptySkipped += 1
                case .record(let r, let offset):
                    switch r {
                    case .aux(let k, let v):
                        summary.aux.append((k, v))
                        if k == Array("lua".utf8) { scripts.append(v) }
                    case .function(let source):
                        functions.append(source)
                    case .moduleAux(let id):
                        throw RDBError(offset: offset, reason: "The RDB file contains AUX module data I can't load: no matching module '\(moduleName(id))'")
                    case .selectDB(let id):
                        db = id
                    case .resizeDB(let keys, _):
                        engine.dbs[db].keys.reserveCapacity(keys)
                    case .entry, .emptyKey:
                        break
                    }
                case .end(let error):
                    if let error { throw error }
                }
            }
        }
        engine.persistedFunctions = functions
        engine.persistedScripts = scripts
        return summary
    }

    /// The 9-character type name packed in a module id's top 54 bits.
    static func moduleName(_ id: UInt64) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var s = ""
        for j in 0..<9 {
            let shift = UInt64(64 - 6 * (j + 1))
            s.append(alphabet[Int((id >> shift) & 63)])
        }
        return s
    }
}
