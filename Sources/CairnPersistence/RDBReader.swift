import RESP
import CairnEngine

/// RDB type and opcode numbers (rdb.h).
public enum RDBType {
    public static let string: UInt8 = 0
    public static let list: UInt8 = 1
    public static let set: UInt8 = 2
    public static let zset: UInt8 = 3
    public static let hash: UInt8 = 4
    public static let zset2: UInt8 = 5
    public static let modulePreGA: UInt8 = 6
    public static let module2: UInt8 = 7
    public static let hashZipmap: UInt8 = 9
    public static let listZiplist: UInt8 = 10
    public static let setIntset: UInt8 = 11
    public static let zsetZiplist: UInt8 = 12
    public static let hashZiplist: UInt8 = 13
    public static let listQuicklist: UInt8 = 14
    public static let streamListpacks: UInt8 = 15
    public static let hashListpack: UInt8 = 16
    public static let zsetListpack: UInt8 = 17
    public static let listQuicklist2: UInt8 = 18
    public static let streamListpacks2: UInt8 = 19
    public static let setListpack: UInt8 = 20
    public static let streamListpacks3: UInt8 = 21

    static let opSlotImport: UInt8 = 243
    static let opSlotInfo: UInt8 = 244
    static let opFunction2: UInt8 = 245
    static let opFunctionPreGA: UInt8 = 246
    static let opModuleAux: UInt8 = 247
    static let opIdle: UInt8 = 248
    static let opFreq: UInt8 = 249
    static let opAux: UInt8 = 250
    static let opResizeDB: UInt8 = 251
    static let opExpireTimeMs: UInt8 = 252
    static let opExpireTime: UInt8 = 253
    static let opSelectDB: UInt8 = 254
    static let opEOF: UInt8 = 255

    /// The newest version this codec writes and the newest REDIS-magic version it reads.
    public static let version = 11
}

/// One key as read from the file: its value already built in Cairn's representation.
public struct RDBEntry {
    public var db: Int
    public var key: [UInt8]
    public var value: Value
    /// Absolute unix ms, -1 without a deadline.
    public var expireAt: Int64
    /// IDLE seconds and FREQ counter hints, when the file carried them.
    public var idle: Int64?
    public var freq: UInt8?
}

public enum RDBRecord {
    case aux(key: [UInt8], value: [UInt8])
    case selectDB(Int)
    case resizeDB(keys: Int, expires: Int)
    /// A FUNCTION2 library source, kept opaque and written back on the next save.
    case function([UInt8])
    /// Data of a module that Cairn does not have; the module id names it.
    case moduleAux(moduleID: UInt64)
    case entry(RDBEntry)
    /// A key whose collection decoded to nothing, which Redis skips for compatibility with an old bug.
    case emptyKey(db: Int, key: [UInt8])
}

/// Streams the records of an RDB file. Values are decoded into Cairn's types with the encodings Redis would
/// choose under `settings`' thresholds.
public struct RDBReader {
    public let input: RDBInput
    public private(set) var version = 0
    /// "REDIS" or "VALKEY": the same numbers mean different things in the two dialects past version 11.
    public private(set) var magic = ""
    public private(set) var finished = false
    /// The server's database count and encoding thresholds, taken from its settings once: a copy of the settings
    /// (an array among them) was retained and released with every value, and with every copy of the reader.
    let databases: Int
    let builder: ValueBuilder
    var db = 0
    /// Whether the key being read had its name read (into `scratch.key`), for an error's report.
    var keyRead = false
    /// The name of the key being read, once it was read.
    var currentKey: [UInt8]? { keyRead ? scratch.key : nil }
    /// The type byte of the key being read, for a checker's error report.
    public private(set) var currentType: UInt8? = nil
    /// The checksum stored after EOF once it was read; 0 means the writer had `rdbchecksum no`.
    public private(set) var storedChecksum: UInt64? = nil
    let checkChecksum: Bool
    /// Check every value without building it (RDBValidate.swift); entries then carry a stand-in value.
    public var validateOnly = false
    let scratch = RDBScratch()

    public init(input: RDBInput, settings: EngineSettings, checkChecksum: Bool = true) {
        self.input = input
        databases = settings.databases
        builder = ValueBuilder(settings: settings)
        self.checkChecksum = checkChecksum
    }

    /// A reader of bare values (DUMP payloads), which have no header.
    init(input: RDBInput, settings: EngineSettings, version: Int) {
        self.init(input: input, settings: settings)
        self.version = version
        magic = "REDIS"
    }

    /// Resumes reading at a record boundary of a file whose header was read elsewhere (repair resyncs this way);
    /// the checksum cannot be verified from there.
    public init(resumingAt input: RDBInput, settings: EngineSettings, version: Int, magic: String, db: Int) {
        self.init(input: input, settings: settings, checkChecksum: false)
        self.version = version
        self.magic = magic
        self.db = db
    }

    func fail(_ reason: String, at: Int? = nil) -> RDBError {
        RDBError(offset: at ?? input.offset, key: currentKey, reason: reason)
    }

    public mutating func readHeader() throws(RDBError) {
        let head = try input.bytes(9)
        if head.starts(with: Array("REDIS".utf8)) {
            magic = "REDIS"
            guard let v = Int(String(decoding: head[5...], as: UTF8.self)), v >= 1 else {
                throw RDBError(offset: 5, reason: "bad RDB version field")
            }
            // 12 and 13 are Redis 7.4 / 8.x: read, refusing only the hash-field-TTL types Cairn cannot hold.
            guard v <= 13 else { throw RDBError(offset: 5, reason: "can't handle RDB format version \(v)") }
            version = v
        } else if head.starts(with: Array("VALKEY".utf8)) {
            magic = "VALKEY"
            guard let v = Int(String(decoding: head[6...], as: UTF8.self)), v == 80 || v == 81 else {
                throw RDBError(offset: 6, reason: "can't handle Valkey RDB format version \(String(decoding: head[6...], as: UTF8.self))")
            }
            version = v
        } else {
            throw RDBError(offset: 0, reason: "wrong signature trying to load DB from file")
        }
    }

    /// The next record, or nil after EOF (whose checksum has then been verified).
    public mutating func next() throws(RDBError) -> RDBRecord? {
        switch try nextItem() {
        case nil: return nil
        case .record(let r): return r
        case .key(let h):
            guard let value = try validateOnly ? validatedValue(type: h.type, at: h.offset) : value(type: h.type, at: h.offset) else {
                return .emptyKey(db: h.db, key: h.key)
            }
            return .entry(RDBEntry(db: h.db, key: h.key, value: value, expireAt: h.expireAt, idle: h.idle, freq: h.freq))
        }
    }

    /// The next record, stopping after a key's name: the caller then reads the value with `value(type:at:)`
    /// or visits it element by element (`visitValue`), so a tool never needs a whole collection in memory.
    public mutating func nextItem() throws(RDBError) -> RDBItem? {
        var record: RDBRecord? = nil
        if let h = try nextKey(orRecord: &record) { return .key(h) }
        return record.map { .record($0) }
    }

    /// As `nextItem`, for the loader's loop: a key's header comes back alone, so each key costs no copy or
    /// destruction of the large item enum; a record comes back in `record` (left nil at EOF), which must come in
    /// nil: clearing it here would destroy an optional enum per key through the runtime's generic witness.
    public mutating func nextKey(orRecord record: inout RDBRecord?) throws(RDBError) -> RDBKeyHeader? {
        guard let place = try nextKeyPlace(orRecord: &record) else { return nil }
        // The reused name buffer itself: a caller that keeps it past the next key makes that key's read copy.
        return RDBKeyHeader(place, key: scratch.key)
    }

    /// `nextKey` with the key's name left in `scratch.key` until the next key is read: the loader copies it into
    /// the entry, so it needs no array of its own and no header that holds one.
    mutating func nextKeyPlace(orRecord record: inout RDBRecord?) throws(RDBError) -> RDBKeyPlace? {
        if finished { return nil }
        var expireAt: Int64 = -1
        var idle: Int64? = nil
        var freq: UInt8? = nil
        while true {
            keyRead = false
            currentType = nil
            let at = input.offset
            let t = try input.byte()
            switch t {
            case RDBType.opEOF:
                try verifyChecksum()
                finished = true
                return nil
            case RDBType.opSelectDB:
                let id = try length()
                guard id < UInt64(databases) else {
                    throw fail("FATAL: Data file was created with a Redis server configured to handle more than \(databases) databases. Exiting", at: at)
                }
                db = Int(id)
                record = .selectDB(db)
                return nil
            case RDBType.opResizeDB:
                let k = try length(), e = try length()
                record = .resizeDB(keys: Int(clamping: k), expires: Int(clamping: e))
                return nil
            case RDBType.opAux:
                let k = try string(), v = try string()
                record = .aux(key: k, value: v)
                return nil
            case RDBType.opExpireTimeMs:
                expireAt = Int64(bitPattern: try input.uint(8))
            case RDBType.opExpireTime:
                expireAt = Int64(Int32(truncatingIfNeeded: try input.uint(4))) * 1000
            case RDBType.opIdle:
                idle = Int64(clamping: try length())
            case RDBType.opFreq:
                freq = try input.byte()
            case RDBType.opFunction2:
                record = .function(try string())
                return nil
            case RDBType.opFunctionPreGA:
                throw fail("Pre-release function format not supported", at: at)
            case RDBType.opModuleAux:
                let id = try length()
                let when = try length()
                guard when == 2 else { throw fail("bad module aux 'when' opcode", at: at) }
                _ = try length()
                try skipModuleOpcodes()
                record = .moduleAux(moduleID: id)
                return nil
            case RDBType.opSlotInfo where magic == "REDIS" && version >= 12:
                _ = try length(); _ = try length(); _ = try length()
            default:
                currentType = t
                try string(into: &scratch.key)
                keyRead = true
                return RDBKeyPlace(db: db, type: t, offset: at, expireAt: expireAt, idle: idle, freq: freq)
            }
        }
    }

    mutating func verifyChecksum() throws(RDBError) {
        guard version >= 5 else { return }
        let computed = input.crc
        let at = input.offset
        let stored = try input.uint(8)
        storedChecksum = stored
        if checkChecksum && stored != 0 && stored != computed {
            throw RDBError(offset: at, reason: "wrong RDB checksum expected: (\(hex(stored))) got: (\(hex(computed)))")
        }
    }

    func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    // MARK: primitives

    /// An RDB length; `special` reports the 11xxxxxx string encodings.
    func lengthOrEncoding() throws(RDBError) -> (UInt64, special: Bool) {
        let b = try input.byte()
        switch b >> 6 {
        case 0: return (UInt64(b & 0x3F), false)
        case 1: return (UInt64(b & 0x3F) << 8 | UInt64(try input.byte()), false)
        case 3: return (UInt64(b & 0x3F), true)
        default:
            if b == 0x80 {
                var v: UInt64 = 0
                for _ in 0..<4 { v = v << 8 | UInt64(try input.byte()) }
                return (v, false)
            }
            if b == 0x81 {
                var v: UInt64 = 0
                for _ in 0..<8 { v = v << 8 | UInt64(try input.byte()) }
                return (v, false)
            }
            throw fail("unknown length encoding \(b) in rdbLoadLen()", at: input.offset - 1)
        }
    }

    func length() throws(RDBError) -> UInt64 {
        let at = input.offset
        let (v, special) = try lengthOrEncoding()
        if special { throw fail("string encoding where a length was expected", at: at) }
        return v
    }

    /// A length that counts items to allocate: bounded so that a hostile value cannot trap.
    func count() throws(RDBError) -> Int {
        let at = input.offset
        let v = try length()
        guard v <= UInt64(Int32.max) else { throw fail("length \(v) out of range", at: at) }
        // Every item takes at least one byte, so a count beyond the bytes left is corrupt before anything is read.
        if let left = input.remaining, v > UInt64(left) {
            throw fail("length \(v) exceeds the \(left) bytes left in the file", at: at)
        }
        return Int(v)
    }

    /// Capacity to reserve for `n` items read from a length prefix: the whole count saves the regrowth copies of
    /// a large collection, but a stream of unknown size cannot vouch for a count, so a corrupt one is not
    /// trusted with more than a bounded allocation.
    func reservation(_ n: Int) -> Int { min(n, 1 << 16) }

    /// How the next string is stored.
    enum StringHeader {
        case raw(Int)
        case int(Int64)
        case lzf(compressed: Int, length: Int)
    }

    func stringHeader() throws(RDBError) -> StringHeader {
        let at = input.offset
        let (v, special) = try lengthOrEncoding()
        if !special {
            guard v <= UInt64(Int.max) else { throw fail("string length out of range", at: at) }
            return .raw(Int(v))
        }
        switch v {
        case 0: return .int(Int64(Int8(bitPattern: try input.byte())))
        case 1: return .int(Int64(Int16(truncatingIfNeeded: try input.uint(2))))
        case 2: return .int(Int64(Int32(truncatingIfNeeded: try input.uint(4))))
        case 3:
            let clen = try length(), ulen = try length()
            // An LZF back reference (at most 3 bytes) expands to at most 264 bytes: a larger declared length is
            // corrupt and is refused before the output buffer is allocated.
            guard clen <= UInt64(Int32.max), ulen <= 1 << 32, ulen <= clen * 88 else { throw fail("LZF string length out of range", at: at) }
            try input.ensureAvailable(Int(clen))
            return .lzf(compressed: Int(clen), length: Int(ulen))
        default:
            throw fail("unknown RDB string encoding type \(v)", at: at)
        }
    }

    func string() throws(RDBError) -> [UInt8] {
        let at = input.offset
        switch try stringHeader() {
        case .raw(let n): return try input.bytes(n)
        case .int(let v): return IntegerFormat.bytes(v)
        case .lzf(let clen, let ulen):
            let packed = try input.bytes(clen)
            do {
                return try packed.withUnsafeBytes { p throws(LZF.Failure) in try LZF.decompress(p, length: ulen) }
            } catch {
                throw fail("Invalid LZF compressed string", at: at)
            }
        }
    }

    /// A legacy ZSET score: a length byte then text, with 253/254/255 for nan/+inf/-inf.
    func stringDouble() throws(RDBError) -> Double {
        let at = input.offset
        let n = try input.byte()
        switch n {
        case 253: return .nan
        case 254: return .infinity
        case 255: return -.infinity
        default:
            let text = try input.bytes(Int(n))
            guard let d = text.withUnsafeBytes({ NumberParsing.double($0) }) else { throw fail("bad double value", at: at) }
            return d
        }
    }

    func binaryDouble() throws(RDBError) -> Double { Double(bitPattern: try input.uint(8)) }

    /// Walks a module's typed opcode stream to its end (rdbLoadCheckModuleValue).
    func skipModuleOpcodes() throws(RDBError) {
        while true {
            let at = input.offset
            switch try length() {
            case 0: return
            case 1, 2: _ = try length()
            case 3: try input.skip(4)
            case 4: try input.skip(8)
            case 5: _ = try string()
            default: throw fail("unknown module opcode", at: at)
            }
        }
    }

    // MARK: values

    func packed<T>(_ blob: [UInt8], at: Int, _ decode: (UnsafeRawBufferPointer) throws(PackedFormatError) -> T) throws(RDBError) -> T {
        let r: Result<T, RDBError> = blob.withUnsafeBytes { p in
            do throws(RDBError) { return .success(try packed(p, at: at, decode)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// Decodes the next string, a packed blob, where it lies (`lendString`): a small collection's blob then
    /// costs no array of its own.
    func packedString<T>(at: Int, _ decode: (UnsafeRawBufferPointer) throws(PackedFormatError) -> T) throws(RDBError) -> T {
        try lendString { p throws(RDBError) in try packed(p, at: at, decode) }
    }

    /// The next string's bytes lent to `body`: in place in the input's buffer, in the reused LZF output, or (an
    /// integer, or a string larger than the buffer) in the reused scratch array. Valid only during `body`, which
    /// must not read the input.
    func lendString<T>(_ body: (UnsafeRawBufferPointer) throws(RDBError) -> T) throws(RDBError) -> T {
        let at = input.offset
        let header = try stringHeader()
        switch header {
        case .raw(let n): if let p = try input.take(n) { return try body(p) }
        case .lzf(let clen, let ulen): return try body(try inflate(compressed: clen, length: ulen, at: at))
        case .int: break
        }
        try string(header, at: at, into: &scratch.value)
        let r: Result<T, RDBError> = scratch.value.withUnsafeBytes { p in
            do throws(RDBError) { return .success(try body(p)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    func packed<T>(_ blob: UnsafeRawBufferPointer, at: Int, _ decode: (UnsafeRawBufferPointer) throws(PackedFormatError) -> T) throws(RDBError) -> T {
        do {
            return try decode(blob)
        } catch {
            throw fail(error.reason, at: at)
        }
    }

    func typeName(_ t: UInt8) -> String {
        switch t {
        case 15, 19, 21: return "stream"
        case 6, 7: return "module"
        default: return "type \(t)"
        }
    }

    /// The value of a key of type `t`, or nil for an empty collection.
    public mutating func value(type t: UInt8, at: Int) throws(RDBError) -> Value? {
        let b = builder
        switch t {
        case RDBType.string:
            // Built in place from the input's buffer (or the reused LZF output): a short string goes inline and
            // an integer into its own case with no array allocated on the way.
            let at = input.offset
            let header = try stringHeader()
            switch header {
            case .int(let v): return .int(v)
            case .raw(let n): if let p = try input.take(n) { return Value.string(p) }
            case .lzf(let clen, let ulen): return Value.string(try inflate(compressed: clen, length: ulen, at: at))
            }
            try string(header, at: at, into: &scratch.value)
            return scratch.value.withUnsafeBytes { Value.string($0) }
        case RDBType.list:
            let n = try count()
            var items: [[UInt8]] = []
            items.reserveCapacity(reservation(n))
            for _ in 0..<n { items.append(try string()) }
            return b.list(items)
        case RDBType.set:
            let n = try count()
            var members: [[UInt8]] = []
            members.reserveCapacity(reservation(n))
            for _ in 0..<n { members.append(try string()) }
            return try b.set(members, sizeHint: n).get(at: input.offset, key: currentKey)
        case RDBType.zset, RDBType.zset2:
            let n = try count()
            var entries: [ScoredMember] = []
            entries.reserveCapacity(reservation(n))
            for _ in 0..<n {
                let m = try string()
                let s = t == RDBType.zset ? try stringDouble() : try binaryDouble()
                if s.isNaN { throw fail("Zset with NAN score detected") }
                entries.append(ScoredMember(m, s))
            }
            return try b.zset(entries).get(at: input.offset, key: currentKey)
        case RDBType.hash:
            let n = try count()
            var pairs: [[UInt8]] = []
            pairs.reserveCapacity(reservation(n) * 2)
            for _ in 0..<n {
                pairs.append(try string())
                pairs.append(try string())
            }
            return try b.hash(pairs).get(at: input.offset, key: currentKey)
        case RDBType.hashZipmap:
            return try b.hash(try packedString(at: at, ZipmapCodec.decode)).get(at: input.offset, key: currentKey)
        case RDBType.listZiplist:
            return b.list(try packedString(at: at, ZiplistCodec.decode).map(\.bytes))
        case RDBType.setIntset:
            let values = try packedString(at: at, IntsetCodec.decode)
            // Kept as the file has it, as Redis does up to set-max-intset-entries: rebuilt member by member it
            // cost an array per member and a search per insert.
            if values.count <= b.setLimits.intsetEntries { return .set(SetValue(ascending: values)) }
            return try b.set(values.map { IntegerFormat.bytes($0) }, sizeHint: values.count, intset: true).get(at: input.offset, key: currentKey)
        case RDBType.zsetZiplist, RDBType.zsetListpack:
            // The blob is only valid while it is decoded: one that the direct build refuses is decoded into items
            // at once, in the same pass over it.
            let (direct, items) = try packedString(at: at) { p throws(PackedFormatError) -> (Built?, [PackedElement]) in
                if t == RDBType.zsetZiplist { return (nil, try ZiplistCodec.decode(p)) }
                if let z = try b.zset(listpack: p, scratch: scratch.collection) { return (z, []) }
                return (nil, try ListpackCodec.decode(p))
            }
            if let direct { return try direct.get(at: input.offset, key: currentKey) }
            guard items.count % 2 == 0 else { throw fail("sorted set blob with an odd element count") }
            var entries: [ScoredMember] = []
            var j = 0
            while j < items.count {
                let score: Double
                switch items[j + 1] {
                case .int(let v): score = Double(v)
                case .string(let s):
                    guard let d = s.withUnsafeBytes({ NumberParsing.double($0) }), !d.isNaN else { throw fail("bad sorted set score") }
                    score = d
                }
                entries.append(ScoredMember(items[j].bytes, score))
                j += 2
            }
            return try b.zset(entries, compactSource: true).get(at: input.offset, key: currentKey)
        case RDBType.hashListpack:
            let scratch = scratch.collection
            return try packedString(at: at) { p throws(PackedFormatError) in try b.hash(listpack: p, scratch: scratch) }.get(at: input.offset, key: currentKey)
        case RDBType.hashZiplist:
            let items = try packedString(at: at, ZiplistCodec.decode)
            guard items.count % 2 == 0 else { throw fail("hash blob with an odd element count") }
            return try b.hash(items.map(\.bytes)).get(at: input.offset, key: currentKey)
        case RDBType.setListpack:
            let scratch = scratch.collection
            return try packedString(at: at) { p throws(PackedFormatError) in try b.set(listpack: p, scratch: scratch) }.get(at: input.offset, key: currentKey)
        case RDBType.listQuicklist, RDBType.listQuicklist2:
            var layout: [(items: PackedStrings, plain: Bool)] = []
            let scratch = scratch.collection
            try quicklistNodes(type: t) { blob, plain, nodeAt throws(RDBError) in
                if !plain && t == RDBType.listQuicklist2 {
                    // A listpack node is packed in the scratch, with no array per element on the way, and copied
                    // out at its exact size.
                    scratch.reset(backLinked: true)
                    try packed(blob, at: nodeAt) { p throws(PackedFormatError) in
                        try ListpackCodec.forEach(p) { int, string throws(PackedFormatError) in
                            if let int { IntegerFormat.withDigits(int) { scratch.append($0) } } else { scratch.append(string) }
                        }
                    }
                    layout.append((scratch.packed, false))
                    return
                }
                var items = ListValue.emptyNode
                items.reserveCapacity(blob.count)
                if plain {
                    items.append(blob)
                } else {
                    for e in try packed(blob, at: nodeAt, ZiplistCodec.decode) { items.append(e.bytes) }
                }
                layout.append((items, plain))
            }
            return b.list(nodes: layout)
        case RDBType.streamListpacks, RDBType.streamListpacks2, RDBType.streamListpacks3:
            return try stream(type: t)
        case RDBType.modulePreGA, RDBType.module2:
            throw fail("module values cannot be loaded without their module (RDB type \(t))", at: at)
        case 22...25 where magic == "REDIS":
            throw fail("hashes with field expiration (RDB type \(t)) are not supported", at: at)
        case 22 where magic == "VALKEY":
            throw fail("hashes with field expiration (Valkey RDB type 22) are not supported", at: at)
        default:
            throw fail("Unknown RDB encoding type \(t)", at: at)
        }
    }
}

extension RDBReader {
    /// A quicklist's nodes (types 14 and 18): each node's blob, whether it is a plain node (one element) and
    /// where it starts.
    /// Each node's blob is lent where it lies (`lendString`), valid only during `node`.
    func quicklistNodes(type t: UInt8, _ node: (_ blob: UnsafeRawBufferPointer, _ plain: Bool, _ at: Int) throws(RDBError) -> Void) throws(RDBError) {
        for _ in 0..<(try count()) {
            let plain = try quicklistNodeIsPlain(type: t)
            let nodeAt = input.offset
            try lendString { blob throws(RDBError) in
                guard blob.count > 0 else { throw fail("Quicklist integrity check failed: empty node", at: nodeAt) }
                try node(blob, plain, nodeAt)
            }
        }
    }

    /// Reads a quicklist node's container (type 18 only): true for a plain node holding one element.
    func quicklistNodeIsPlain(type t: UInt8) throws(RDBError) -> Bool {
        guard t == RDBType.listQuicklist2 else { return false }
        let container = try length()
        guard container == 1 || container == 2 else { throw fail("Quicklist integrity check failed: unknown container \(container)") }
        return container == 1
    }
}

/// The outcome of building a value: nil for an empty collection, or a reason the data is corrupt.
public enum Built {
    case value(Value?)
    case corrupt(String)

    /// The value, or the corruption as an error naming `key` at `offset`: what an error needs rather than the
    /// whole reader, which cost a load 29 instructions a key on the bench mix (callgrind).
    func get(at offset: Int, key: [UInt8]?) throws(RDBError) -> Value? {
        switch self {
        case .value(let v): return v
        case .corrupt(let reason): throw RDBError(offset: offset, key: key, reason: reason)
        }
    }
}

/// Builds Cairn values from decoded elements with the encodings Redis's loader picks for them.
public struct ValueBuilder {
    let listFill: Int
    let setLimits: SetLimits
    let zsetLimits: SortedSetLimits
    let hashMaxEntries: Int
    let hashMaxValue: Int

    public init(settings: EngineSettings) {
        listFill = settings.listMaxListpackSize
        setLimits = SetLimits(settings)
        zsetLimits = SortedSetLimits(settings)
        hashMaxEntries = settings.hashMaxListpackEntries
        hashMaxValue = settings.hashMaxListpackValue
    }

    /// Quicklists keep their nodes, as Redis's loader appends each node whole.
    func list(nodes: [(items: PackedStrings, plain: Bool)]) -> Value? {
        guard nodes.contains(where: { !$0.items.isEmpty }) else { return nil }
        return .list(ListValue(nodes: nodes, fill: listFill))
    }

    public func list(_ items: [[UInt8]]) -> Value? {
        guard !items.isEmpty else { return nil }
        var l = ListValue()
        l.push(items, atHead: false, fill: listFill)
        l.shrinkEncoding(fill: listFill)
        return .list(l)
    }

    /// `intset` says the members came from an intset blob: Redis keeps that encoding unless the set is over the
    /// limits, and otherwise picks as setTypeCreate does.
    public func set(_ members: [[UInt8]], sizeHint: Int, intset: Bool = false) -> Built {
        guard let first = members.first else { return .value(nil) }
        let limits = setLimits
        var s = intset ? SetValue() : SetValue(first: first, sizeHint: sizeHint, limits: limits)
        for m in members where !s.add(m, limits: limits) { return .corrupt("Duplicate set members detected") }
        return .value(.set(s))
    }

    /// How a loaded element of a listpack hash or set went into the scratch.
    enum Packing { case added, overLimits, duplicate }

    /// Packs one loaded element of a listpack hash or set into `scratch`: `key` elements (fields, members) count
    /// against `maxKeys` and must not repeat one of every `stride`-th element before them.
    @inline(__always)
    static func pack(_ e: UnsafeRawBufferPointer, key: Bool, stride: Int, into scratch: PackedScratch,
                     filter: inout PackedDuplicateFilter, maxKeys: Int, maxValue: Int) -> Packing {
        if e.count > maxValue || (key && scratch.count / stride >= maxKeys) { return .overLimits }
        if key && filter.mayRepeat(e) && scratch.contains(e, stride: stride) { return .duplicate }
        scratch.append(e)
        return .added
    }

    /// A set straight from a listpack blob, packed in `scratch` and copied out at its exact size; a blob over this
    /// server's listpack limits is built member by member instead, converting where `add` does.
    public func set(listpack blob: UnsafeRawBufferPointer, scratch: PackedScratch) throws(PackedFormatError) -> Built {
        let limits = setLimits
        scratch.reset()
        var filter = PackedDuplicateFilter()
        var outcome = Packing.added
        try ListpackCodec.forEach(blob) { int, string throws(PackedFormatError) in
            guard outcome == .added else { return }
            outcome = int.map {
                IntegerFormat.withDigits($0) {
                    Self.pack($0, key: true, stride: 1, into: scratch, filter: &filter, maxKeys: limits.listpackEntries, maxValue: limits.listpackValue)
                }
            } ?? Self.pack(string, key: true, stride: 1, into: scratch, filter: &filter, maxKeys: limits.listpackEntries,
                           maxValue: limits.listpackValue)
        }
        switch outcome {
        case .duplicate: return .corrupt("Duplicate set members detected")
        case .overLimits: return try set(listpackOverLimits: blob)
        case .added: return .value(scratch.count == 0 ? nil : .set(SetValue.listpack(loaded: scratch.packed)))
        }
    }

    /// A set from a listpack blob over this server's limits, each member added in place.
    func set(listpackOverLimits blob: UnsafeRawBufferPointer) throws(PackedFormatError) -> Built {
        let limits = setLimits
        var s = SetValue.listpack(reserving: blob.count)
        var filter = PackedDuplicateFilter()
        var duplicate = false
        try ListpackCodec.forEach(blob) { int, string throws(PackedFormatError) in
            guard !duplicate else { return }
            let isNew = int.map { IntegerFormat.withDigits($0) { s.addLoaded($0, filter: &filter, limits: limits) } }
                ?? s.addLoaded(string, filter: &filter, limits: limits)
            if !isNew { duplicate = true }
        }
        if duplicate { return .corrupt("Duplicate set members detected") }
        return .value(s.isEmpty ? nil : .set(s))
    }

    public func zset(_ entries: [ScoredMember], compactSource: Bool = false) -> Built {
        guard !entries.isEmpty else { return .value(nil) }
        let limits = zsetLimits
        let longest = compactSource ? 0 : entries.reduce(0) { max($0, $1.member.count) }
        var z = SortedSetValue(sizeHint: entries.count, longestMember: longest, limits: limits)
        if z.isSkiplist {
            // One sort and a bulk build: Redis writes a skiplist highest first, which inserted one by one would
            // split the first leaf of the order again and again.
            guard let built = SortedSetValue(skiplistOf: entries, rejectingDuplicates: true) else {
                return .corrupt("Duplicate zset fields detected")
            }
            return .value(.zset(built))
        }
        for e in entries where z.set(e.member, e.score, limits: limits) != nil { return .corrupt("Duplicate zset fields detected") }
        return .value(.zset(z))
    }

    /// A small sorted set straight from a listpack blob, each pair packed in `scratch` with no array per element
    /// on the way and copied out at its exact size; nil when the pairs do not allow that (out of order, repeated,
    /// over the limits, a bad score), and `zset(_:)` then decides.
    public func zset(listpack blob: UnsafeRawBufferPointer, scratch: PackedScratch) throws(PackedFormatError) -> Built? {
        let limits = zsetLimits
        scratch.reset()
        var state = SortedSetValue.InOrderAppend()
        var elements = 0
        var fits = true
        var memberInt: Int64? = nil
        var member = UnsafeRawBufferPointer(start: nil, count: 0)
        try ListpackCodec.forEach(blob) { int, string throws(PackedFormatError) in
            elements += 1
            guard fits else { return }
            if elements % 2 == 1 {
                memberInt = int
                member = string
                return
            }
            guard let score = int.map(Double.init) ?? NumberParsing.double(string), !score.isNaN else {
                fits = false
                return
            }
            fits = memberInt.map {
                IntegerFormat.withDigits($0) { SortedSetValue.packInOrder($0, score, limits: limits, state: &state, into: scratch) }
            } ?? SortedSetValue.packInOrder(member, score, limits: limits, state: &state, into: scratch)
        }
        guard fits && elements % 2 == 0 else { return nil }
        return .value(elements == 0 ? nil : .zset(SortedSetValue(loadedListpack: scratch.packed)))
    }

    /// A hash straight from a listpack blob, packed in `scratch` and copied out at its exact size; a blob over this
    /// server's listpack limits is built pair by pair instead, converting where `set` does.
    public func hash(listpack blob: UnsafeRawBufferPointer, scratch: PackedScratch) throws(PackedFormatError) -> Built {
        scratch.reset()
        var filter = PackedDuplicateFilter()
        var elements = 0
        var outcome = Packing.added
        let maxEntries = hashMaxEntries, maxValue = hashMaxValue
        try ListpackCodec.forEach(blob) { int, string throws(PackedFormatError) in
            elements += 1
            guard outcome == .added else { return }
            let key = elements % 2 == 1
            outcome = int.map {
                IntegerFormat.withDigits($0) {
                    Self.pack($0, key: key, stride: 2, into: scratch, filter: &filter, maxKeys: maxEntries, maxValue: maxValue)
                }
            } ?? Self.pack(string, key: key, stride: 2, into: scratch, filter: &filter, maxKeys: maxEntries, maxValue: maxValue)
        }
        if elements % 2 != 0 { return .corrupt("hash blob with an odd element count") }
        switch outcome {
        case .duplicate: return .corrupt("Duplicate hash fields detected")
        case .overLimits: return try hash(listpackOverLimits: blob)
        case .added: return .value(elements == 0 ? nil : .hash(HashValue(loadedCompact: scratch.packed)))
        }
    }

    /// A hash from a listpack blob over this server's limits, its elements read in place.
    func hash(listpackOverLimits blob: UnsafeRawBufferPointer) throws(PackedFormatError) -> Built {
        var h = HashValue()
        h.reserveCompact(blob.count)
        var filter = PackedDuplicateFilter()
        var elements = 0
        var duplicate = false
        // A field that was stored as an integer needs its digits kept while its value is visited.
        var fieldDigits: [UInt8] = []
        var field = UnsafeRawBufferPointer(start: nil, count: 0)
        let maxEntries = hashMaxEntries, maxValue = hashMaxValue
        try ListpackCodec.forEach(blob) { int, string throws(PackedFormatError) in
            elements += 1
            if elements % 2 == 1 {
                if let int {
                    fieldDigits = IntegerFormat.bytes(int)
                    field = UnsafeRawBufferPointer(start: nil, count: 0)
                } else {
                    fieldDigits = []
                    field = string
                }
                return
            }
            let isNew = fieldDigits.withUnsafeBytes { digits in
                let f = fieldDigits.isEmpty ? field : digits
                if let int {
                    return IntegerFormat.withDigits(int) { h.addLoaded(f, $0, filter: &filter, maxEntries: maxEntries, maxValue: maxValue) }
                }
                return h.addLoaded(f, string, filter: &filter, maxEntries: maxEntries, maxValue: maxValue)
            }
            if !isNew { duplicate = true }
        }
        if elements % 2 != 0 { return .corrupt("hash blob with an odd element count") }
        if duplicate { return .corrupt("Duplicate hash fields detected") }
        return .value(elements == 0 ? nil : .hash(h))
    }

    /// `pairs` alternates field and value.
    public func hash(_ pairs: [[UInt8]]) -> Built {
        guard !pairs.isEmpty else { return .value(nil) }
        var h = HashValue()
        if pairs.count / 2 > hashMaxEntries { h.convert() }
        var j = 0
        while j + 1 < pairs.count {
            let isNew = pairs[j].withUnsafeBytes {
                h.set($0, pairs[j + 1], maxEntries: hashMaxEntries, maxValue: hashMaxValue)
            }
            if !isNew { return .corrupt("Duplicate hash fields detected") }
            j += 2
        }
        return .value(.hash(h))
    }
}
