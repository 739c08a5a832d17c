#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine

/// redis-check-rdb's walk: reads every record of an RDB stream with the loader's own reader (structure, every
/// value's encoding, the CRC-64), one key at a time so memory stays flat, and reports what it read in
/// redis-check-rdb's line format. The cairn-check-rdb executable is a thin wrapper around it.
public struct RDBCheck {
    public struct DBCounts: Equatable {
        public var keys = 0
        public var expires = 0
    }

    /// What the walk found; `error` is nil when the file is valid.
    public struct Report {
        public var version = 0
        public var magic = ""
        public var aux: [(key: [UInt8], value: [UInt8])] = []
        public var keys = 0
        public var expires = 0
        public var alreadyExpired = 0
        public var perDB: [Int: DBCounts] = [:]
        public var checksumDisabled = false
        public var error: RDBError? = nil
        /// The type byte of the key whose value failed, when the failure was inside one.
        public var errorType: UInt8? = nil
    }

    let input: RDBInput
    let now: Int64
    /// Receives each line as redis-check-rdb would print it.
    let emit: (String) -> Void
    /// Called with the offset reached, at most every `progressStep` bytes.
    let progress: ((Int) -> Void)?
    let progressStep = 1 << 24
    /// Adds the version, dialect and per-database lines to redis-check-rdb's; without them the output is
    /// exactly what redis-check-aof prints for an RDB preamble.
    let details: Bool

    public init(input: RDBInput, now: Int64, details: Bool = true, emit: @escaping (String) -> Void,
                progress: ((Int) -> Void)? = nil) {
        self.input = input
        self.now = now
        self.details = details
        self.emit = emit
        self.progress = progress
    }

    public static func wallClockMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Walks the whole input, printing the header lines as it goes and the verdict and totals at the end.
    public func run(name: String) -> Report {
        emit("[offset 0] Checking RDB file \(name)")
        var report = Report()
        // redis-check-rdb accepts any database number (a server with more databases loads the file); numbers
        // above Int.max are refused rather than trapping.
        var settings = EngineSettings()
        settings.databases = Int.max
        var reader = RDBReader(input: input, settings: settings)
        reader.validateOnly = true
        var nextProgress = progressStep
        var db = 0
        var current = DBCounts()
        func fold() {
            guard current.keys > 0 else { return }
            report.perDB[db, default: DBCounts()].keys += current.keys
            report.perDB[db, default: DBCounts()].expires += current.expires
            report.keys += current.keys
            report.expires += current.expires
            current = DBCounts()
        }
        do throws(RDBError) {
            try reader.readHeader()
            report.version = reader.version
            report.magic = reader.magic
            while let record = try reader.next() {
                switch record {
                case .aux(let k, let v):
                    report.aux.append((k, v))
                    emit("[offset \(input.offset)] AUX FIELD \(Self.text(k)) = '\(Self.text(v))'")
                case .selectDB(let db):
                    emit("[offset \(input.offset)] Selecting DB ID \(db)")
                case .resizeDB, .function:
                    break
                case .moduleAux(let id):
                    emit("[offset \(input.offset)] MODULE AUX for: \(RDBLoader.moduleName(id))")
                case .emptyKey(_, let key):
                    // Redis skips such a key when it loads the file but redis-check-rdb reports it, and so do we.
                    report.errorType = reader.currentType
                    throw RDBError(offset: input.offset, key: key, reason: "Empty keys skipped: the key holds a collection with no element")
                case .entry(let e):
                    // Counted for the current database and folded into perDB when it changes: no hash lookup per key.
                    if e.db != db {
                        fold()
                        db = e.db
                    }
                    current.keys += 1
                    if e.expireAt >= 0 {
                        current.expires += 1
                        if Entry.isExpired(e.expireAt, now: now) { report.alreadyExpired += 1 }
                    }
                }
                if let progress, input.offset >= nextProgress {
                    progress(input.offset)
                    nextProgress = input.offset + progressStep
                }
            }
            if reader.version >= 5 {
                if reader.storedChecksum == 0 {
                    report.checksumDisabled = true
                    emit("[offset \(input.offset)] RDB file was saved with checksum disabled: no check performed.")
                } else {
                    emit("[offset \(input.offset)] Checksum OK")
                }
            }
            emit("[offset \(input.offset)] \\o/ RDB looks OK! \\o/")
        } catch {
            var error = error
            // The input's own errors (a truncation) do not know the key; the reader does.
            if error.key == nil { error.key = reader.currentKey }
            report.error = error
            if report.errorType == nil { report.errorType = reader.currentType }
            emit("--- RDB ERROR DETECTED ---")
            emit("[offset \(error.offset)] \(error.reason)")
            if let key = error.key {
                emit("[additional info] While doing: read-object-value")
                emit("[additional info] Reading key '\(Self.text(key))'")
                // redis-check-rdb counts the key it was reading among the keys read.
                if reader.db != db {
                    fold()
                    db = reader.db
                }
                current.keys += 1
            }
            if let t = report.errorType { emit("[additional info] Reading type \(t) (\(Self.typeName(t)))") }
        }
        fold()
        emit("[info] \(report.keys) keys read")
        emit("[info] \(report.expires) expires")
        emit("[info] \(report.alreadyExpired) already expired")
        guard details else { return report }
        if report.version > 0 { emit("[info] RDB version \(report.version) (\(report.magic) dialect)") }
        for db in report.perDB.keys.sorted() {
            let c = report.perDB[db]!
            emit("[info] db \(db): \(c.keys) keys, \(c.expires) expires")
        }
        return report
    }

    /// Printable text as redis-check-rdb prints it (raw); anything else in sdscatrepr's quoted form.
    static func text(_ b: [UInt8]) -> String {
        if b.allSatisfy({ $0 >= 32 && $0 < 127 }) { return String(decoding: b, as: UTF8.self) }
        var out: [UInt8] = []
        b.withUnsafeBytes { ByteRepr.appendQuoted($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// redis-check-rdb's names for the RDB object types.
    public static func typeName(_ t: UInt8) -> String {
        let names = [
            0: "string", 1: "list-linked", 2: "set-hashtable", 3: "zset-v1", 4: "hash-hashtable", 5: "zset-v2",
            6: "module-pre-release", 7: "module-value", 9: "hash-zipmap", 10: "list-ziplist", 11: "set-intset",
            12: "zset-ziplist", 13: "hash-ziplist", 14: "quicklist", 15: "stream", 16: "hash-listpack",
            17: "zset-listpack", 18: "quicklist-v2", 19: "stream-v2", 20: "set-listpack", 21: "stream-v3",
        ]
        return names[Int(t)] ?? "unknown"
    }
}
