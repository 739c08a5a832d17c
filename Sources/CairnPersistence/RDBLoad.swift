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
    /// is corruption unless `allowDuplicates` (DEBUG RELOAD semantics: the later one wins). The file is read,
    /// its values built and its keys hashed on a reader thread while this thread fills the keyspace (see
    /// RDBLoadPipeline); the input is left just past the EOF record, as a caller reading on from it expects.
    public static func load(_ input: RDBInput, into engine: Engine, dropExpired: Bool = true,
                            allowDuplicates: Bool = false) throws(RDBError) -> RDBLoadSummary {
        var reader = RDBReader(input: input, settings: engine.settings)
        try reader.readHeader()
        var summary = RDBLoadSummary()
        summary.version = reader.version
        var functions: [[UInt8]] = []
        var scripts: [[UInt8]] = []
        engine.refreshTime()
        let now = engine.now
        // Read once here: the reader thread stamps each entry's access field from its IDLE/FREQ hints.
        let clock = engine.accessClock
        let pipeline = RDBLoadPipeline()
        // Outside the per-key closure and emptied only when it was filled: a local one would be destroyed after
        // every key through the runtime's generic witness.
        var record: RDBRecord? = nil
        // Each key's name is read into this buffer, reused from key to key.
        let names = reader.scratch
        pipeline.start { batch in
            do throws(RDBError) {
                guard let h = try reader.nextKeyPlace(orRecord: &record) else {
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
                // The entry gets its own copy of the name, and the name is hashed in the same borrow (each read of
                // the scratch's array retained and released it).
                var entry: Entry
                let hash: UInt64
                (entry, hash) = names.key.withUnsafeBytes { k in
                    (Entry(key: k, value: value, expireAt: h.expireAt), KeyHash.hash(k))
                }
                entry.access = clock.restored(idleSeconds: h.idle, frequency: h.freq)
                batch.append(consume entry, offset: input.offset, db: h.db, hash: hash)
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
        // Keys spread over tens of thousands of segments, so each insert would wait on cache misses: the keys to
        // come are prefetched in stages `ahead` items apart, each stage reading what the one before fetched.
        let stages = Keyspace.PrefetchStage.allCases
        let ahead = 8
        while !readerDone {
            let batch = pipeline.next()
            if batch.isLast { readerDone = true }
            let n = batch.count
            for i in -stages.count * ahead..<n {
                for (s, stage) in stages.enumerated() {
                    let j = i + (stages.count - s) * ahead
                    guard j >= 0 && j < n else { continue }
                    let key = batch.key(j)
                    if key.hash != 0 { engine.dbs[key.db].keys.prefetch(hash: key.hash, stage) }
                }
                guard i >= 0 else { continue }
                // Moved out rather than copied: the reader's core wrote these values, and a copy would retain and
                // release each one from this core.
                switch batch.take() {
                case .entry(let offset):
                    let key = batch.key(i)
                    if let refused = engine.dbs[key.db].keys.insert(batch.takeEntry(), hash: key.hash, replacing: allowDuplicates) {
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
