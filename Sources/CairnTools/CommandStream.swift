import RESP
import CairnEngine
import CairnPersistence

/// The commands that rebuild each key, as an AOF rewrite writes them (SET; RPUSH, SADD, ZADD and HMSET of at
/// most 64 elements; a stream's XADDs and metadata commands; PEXPIREAT), made as the elements arrive, so a
/// huge collection is never held: `export --format resp`, `convert --to aof`, and `restore` into a server that
/// predates RESTORE's payload version.
struct CommandStreamWriter: KeyConsumer {
    /// Elements per command, as Redis's AOF_REWRITE_ITEMS_PER_CMD.
    static let itemsPerCommand = 64

    /// Takes the encoded commands in pieces of about 64 KB.
    let sink: ([UInt8]) throws -> Void
    /// A DEL before each key (restore --replace), so a collection replaces what the target holds.
    let replace: Bool
    var out: [UInt8] = []
    var selected = -1
    var key: [UInt8] = []
    var expireAt: Int64 = -1
    /// The command of the current batch and the encoded arguments it has collected.
    var name: StaticString = "RPUSH"
    var argsPerCommand = itemsPerCommand
    var batch: [UInt8] = []
    var batchArgs = 0
    /// Whether the current key produced a command (an empty collection produces none and is not counted).
    var wrote = false
    var keys = 0
    /// Commands made so far, so a caller can tell which reply answers which.
    var sent = 0

    init(replace: Bool = false, sink: @escaping ([UInt8]) throws -> Void) {
        self.replace = replace
        self.sink = sink
        out.reserveCapacity(1 << 17)
    }

    static func bulk(_ b: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "$"))
        IntegerFormat.withDigits(Int64(b.count)) { out.append(contentsOf: $0) }
        out.append(13)
        out.append(10)
        out.append(contentsOf: b)
        out.append(13)
        out.append(10)
    }

    static func bulk(_ b: [UInt8], to out: inout [UInt8]) { b.withUnsafeBytes { bulk($0, to: &out) } }

    static func bulk(_ s: StaticString, to out: inout [UInt8]) {
        bulk(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount), to: &out)
    }

    mutating func select(_ db: Int) {
        if db != selected {
            append([Array("SELECT".utf8), IntegerFormat.bytes(Int64(db))])
            selected = db
        }
    }

    mutating func append(_ args: [[UInt8]]) {
        CommandEncoding.append(args, to: &out)
        sent += 1
    }

    mutating func begin(_ k: KeyInfo) throws -> Bool {
        select(k.db)
        if replace { append([Array("DEL".utf8), k.key]) }
        key = k.key
        expireAt = k.expireAt
        wrote = false
        switch k.type {
        case "set": (name, argsPerCommand) = ("SADD", Self.itemsPerCommand)
        case "zset": (name, argsPerCommand) = ("ZADD", 2 * Self.itemsPerCommand)
        case "hash": (name, argsPerCommand) = ("HMSET", 2 * Self.itemsPerCommand)
        default: (name, argsPerCommand) = ("RPUSH", Self.itemsPerCommand)
        }
        return true
    }

    mutating func string(_ s: UnsafeRawBufferPointer) throws {
        out.append(contentsOf: "*3\r\n".utf8)
        Self.bulk("SET", to: &out)
        Self.bulk(key, to: &out)
        Self.bulk(s, to: &out)
        sent += 1
        wrote = true
    }

    mutating func element(_ e: UnsafeRawBufferPointer) throws {
        Self.bulk(e, to: &batch)
        try added(1)
    }

    mutating func field(_ f: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) throws {
        Self.bulk(f, to: &batch)
        Self.bulk(v, to: &batch)
        try added(2)
    }

    mutating func member(_ m: UnsafeRawBufferPointer, score: Double) throws {
        Self.bulk(ShortestDouble.bytes(score, .plain), to: &batch)
        Self.bulk(m, to: &batch)
        try added(2)
    }

    mutating func stream(_ s: StreamValue) throws {
        sent += AOFRewriter.commands(key: key, value: .stream(s), expireAt: -1, to: &out)
        wrote = true
    }

    mutating func added(_ n: Int) throws {
        batchArgs += n
        if batchArgs >= argsPerCommand {
            endBatch()
            try drainIfLarge()
        }
    }

    mutating func endBatch() {
        guard batchArgs > 0 else { return }
        out.append(UInt8(ascii: "*"))
        IntegerFormat.withDigits(Int64(2 + batchArgs)) { out.append(contentsOf: $0) }
        out.append(13)
        out.append(10)
        Self.bulk(name, to: &out)
        Self.bulk(key, to: &out)
        out += batch
        batch.removeAll(keepingCapacity: true)
        batchArgs = 0
        sent += 1
        wrote = true
    }

    mutating func end(_ k: KeyInfo, size: Int) throws {
        endBatch()
        guard wrote else { return }
        if expireAt >= 0 { append([Array("PEXPIREAT".utf8), key, IntegerFormat.bytes(expireAt)]) }
        keys += 1
        try drainIfLarge()
    }

    /// Any other command, in order with the keys' (restore's temporary-key renames).
    mutating func command(_ args: [[UInt8]]) throws {
        append(args)
        try drainIfLarge()
    }

    mutating func drainIfLarge() throws {
        if out.count >= 1 << 16 { try finish() }
    }

    mutating func finish() throws {
        guard !out.isEmpty else { return }
        try sink(out)
        out.removeAll(keepingCapacity: true)
    }
}
