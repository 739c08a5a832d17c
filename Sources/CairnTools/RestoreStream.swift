#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine
import CairnPersistence

/// `restore`'s keys as pipelined RESTORE commands, each payload built from the key's elements as they are
/// read. A collection that grows past `limit` elements (or `byteLimit` bytes) is not held to its end: what was
/// read goes out as commands into a temporary key, the rest follows in batches, and the temporary key is
/// renamed into place at the end (RENAMENX without --replace, whose 0 the reply counter reports as BUSYKEY).
struct RestoreStreamer: KeyConsumer {
    static let limit = 4096
    static let byteLimit = 4 << 20

    var commands: CommandStreamWriter
    let version: Int
    let replace: Bool
    let settings = EngineSettings()
    let compressor = LZF.Compressor()
    /// Called with the index of each RENAMENX among the commands sent, before it is sent.
    let busyCheck: (Int) -> Void
    var info: KeyInfo? = nil
    var items: [[UInt8]] = []
    var scores: [Double] = []
    var bytes = 0
    var whole: Value? = nil
    var temporary: [UInt8]? = nil
    var restored = 0

    init(version: Int, replace: Bool, sink: @escaping ([UInt8]) throws -> Void, busyCheck: @escaping (Int) -> Void) {
        commands = CommandStreamWriter(sink: sink)
        self.version = version
        self.replace = replace
        self.busyCheck = busyCheck
    }

    mutating func begin(_ k: KeyInfo) throws -> Bool {
        info = k
        items.removeAll(keepingCapacity: true)
        scores.removeAll(keepingCapacity: true)
        bytes = 0
        whole = nil
        temporary = nil
        commands.select(k.db)
        return true
    }

    mutating func string(_ s: UnsafeRawBufferPointer) throws { whole = .string(Array(s)) }

    mutating func stream(_ s: StreamValue) throws { whole = .stream(s) }

    mutating func element(_ e: UnsafeRawBufferPointer) throws {
        if temporary != nil { return try commands.element(e) }
        items.append(Array(e))
        try grew(e.count)
    }

    mutating func field(_ f: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) throws {
        if temporary != nil { return try commands.field(f, v) }
        items.append(Array(f))
        items.append(Array(v))
        try grew(f.count + v.count)
    }

    mutating func member(_ m: UnsafeRawBufferPointer, score: Double) throws {
        if temporary != nil { return try commands.member(m, score: score) }
        items.append(Array(m))
        scores.append(score)
        try grew(m.count)
    }

    /// Switches to commands into a temporary key once the collection is too big to hold.
    mutating func grew(_ n: Int) throws {
        bytes += n
        guard let k = info, items.count > Self.limit || bytes > Self.byteLimit else { return }
        let temp = Array("cairn-dump-restore:\(getpid()):".utf8) + k.key
        temporary = temp
        try commands.command([Array("DEL".utf8), temp])
        var t = k
        t.key = temp
        t.expireAt = -1
        _ = try commands.begin(t)
        switch k.type {
        case "hash":
            for j in stride(from: 0, to: items.count, by: 2) {
                try items[j].withUnsafeBytes { f in try items[j + 1].withUnsafeBytes { try commands.field(f, $0) } }
            }
        case "zset":
            for (m, s) in zip(items, scores) { try m.withUnsafeBytes { try commands.member($0, score: s) } }
        default:
            for e in items { try e.withUnsafeBytes { try commands.element($0) } }
        }
        items.removeAll()
        scores.removeAll()
    }

    mutating func end(_ k: KeyInfo, size: Int) throws {
        if let temp = temporary {
            var t = k
            t.key = temp
            try commands.end(t, size: size)
            if k.expireAt >= 0 { try commands.command([Array("PEXPIREAT".utf8), temp, IntegerFormat.bytes(k.expireAt)]) }
            if replace {
                try commands.command([Array("RENAME".utf8), temp, k.key])
            } else {
                busyCheck(commands.sent)
                try commands.command([Array("RENAMENX".utf8), temp, k.key])
                try commands.command([Array("DEL".utf8), temp])
            }
            restored += 1
            return
        }
        guard let value = try built(k) else { return }
        let payload = try DumpPayload.create(value, options: RDBWriteOptions(), version: min(version, RDBType.version), compressor: compressor)
        var args = [Array("RESTORE".utf8), k.key, IntegerFormat.bytes(max(k.expireAt, 0)), payload]
        if k.expireAt >= 0 { args.append(Array("ABSTTL".utf8)) }
        if replace { args.append(Array("REPLACE".utf8)) }
        try commands.command(args)
        restored += 1
    }

    /// The value read whole, or nil for an empty collection (skipped, as a loader skips it).
    func built(_ k: KeyInfo) throws -> Value? {
        if let whole { return whole }
        let b = ValueBuilder(settings: settings)
        let outcome: Built
        switch k.type {
        case "list": return b.list(items)
        case "set": outcome = b.set(items, sizeHint: items.count)
        case "hash": outcome = b.hash(items)
        case "zset": outcome = b.zset(zip(items, scores).map { ScoredMember($0, $1) })
        default: return nil
        }
        switch outcome {
        case .value(let v): return v
        case .corrupt(let reason): throw ToolError(.badInput, "key '\(String(decoding: k.key, as: UTF8.self))' (db \(k.db)): \(reason)")
        }
    }

    mutating func finish() throws { try commands.finish() }
}
