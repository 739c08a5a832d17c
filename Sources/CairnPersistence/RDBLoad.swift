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
    /// is corruption unless `allowDuplicates` (DEBUG RELOAD semantics: the later one wins).
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
        while let record = try reader.next() {
            switch record {
            case .aux(let k, let v):
                summary.aux.append((k, v))
                if k == Array("lua".utf8) { scripts.append(v) }
            case .function(let source):
                functions.append(source)
            case .moduleAux(let id):
                throw RDBError(offset: input.offset, reason: "The RDB file contains AUX module data I can't load: no matching module '\(moduleName(id))'")
            case .selectDB, .resizeDB:
                break
            case .emptyKey:
                summary.emptySkipped += 1
            case .entry(let e):
                if dropExpired && Entry.isExpired(e.expireAt, now: now) {
                    summary.expiredSkipped += 1
                    continue
                }
                let access = engine.accessClock.restored(idleSeconds: e.idle, frequency: e.freq)
                if !store(e, in: engine.dbs[e.db], access: access, replacing: allowDuplicates) {
                    throw RDBError(offset: input.offset, key: e.key, reason: "Duplicate key found in RDB file")
                }
                summary.keysLoaded += 1
            }
        }
        engine.persistedFunctions = functions
        engine.persistedScripts = scripts
        return summary
    }

    /// The one place a loaded entry becomes a keyspace entry (one hash lookup). False when the key exists
    /// and may not be replaced.
    static func store(_ e: RDBEntry, in db: Database, access: UInt32, replacing: Bool) -> Bool {
        e.key.withUnsafeBytes { k in
            db.keys.withEntry(k, access: access) { slot in
                if slot != nil && !replacing { return false }
                var entry = Entry(key: e.key, value: e.value, expireAt: e.expireAt)
                entry.access = access
                slot = entry
                return true
            }
        }
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
