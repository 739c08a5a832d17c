import Glibc
import RESP

/// The canonical write stream (design.md): every change to the dataset as the commands that replay it
/// deterministically, in execution order, encoded as RESP. The AOF writer and the replication backlog consume it.
///
/// Commands are collected per execution unit — one client command, or an EXEC with its queue, including the
/// DEL of keys found expired on the way — and a unit of more than one command is wrapped in MULTI/EXEC so that
/// a replay applies it atomically, as Redis 7 does. SELECT precedes a command whose database differs from the
/// previous one's.
public final class Propagation {
    /// Whether anything consumes the stream; while false, nothing is recorded.
    public var enabled = false
    /// The commands of the execution unit in progress, already encoded: each one's database and its bytes in
    /// `pendingBytes`, so a verbatim command costs no allocation.
    var pending: [(db: Int, range: Range<Int>)] = []
    private let pendingBytes = ScratchBytes()
    /// Set by a handler to propagate these commands instead of its own arguments ([] propagates nothing).
    var replacement: [[Bytes]]? = nil
    /// How deep the engine is in nested calls (EXEC runs its queue through call).
    var depth = 0
    /// The stream's bytes not yet taken by the consumers.
    private let output = ScratchBytes()
    /// Whether the replication backlog consumes the stream too: each unit is then also appended to
    /// `replicationOutput`, which the server drains on its own schedule (a full sync drains it mid-iteration).
    public var feedsReplication = false
    public var replicationOutput: [UInt8] = []
    private var selectedDB = -1

    public init() {}

    /// How many bytes the consumers have not taken yet.
    public var outputCount: Int { output.count }

    /// Lends the bytes produced so far.
    public func withOutput<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try output.withBytes(0..<output.count, body)
    }

    /// Lends the buffer that holds the bytes produced so far, whose memory the AOF writer takes whole, leaving
    /// empty memory in its place.
    public func withOutputBuffer<R>(_ body: (ScratchBytes) throws -> R) rethrows -> R { try body(output) }

    /// Hands the bytes produced so far to the caller.
    public func take() -> [UInt8] {
        defer { discardOutput() }
        return withOutput { Array($0) }
    }

    /// Drops the bytes produced so far: the AOF writer copied them, or no AOF consumes them (the backlog alone
    /// enabled the stream).
    public func discardOutput() { output.removeAll() }

    /// The next command is preceded by SELECT whatever the database: a new consumer (a fresh AOF file, a new
    /// replica stream) cannot know the current one.
    public func forgetSelectedDatabase() { selectedDB = -1 }

    /// Whether a command added now is its execution unit's only one: a client's command at the top level that
    /// met no expired key (the common case), or a DEL of an evicted or expired key outside any command.
    private var unitIsEmpty: Bool { depth == 0 && pending.isEmpty }

    /// Adds what a finished call propagates when its handler did not replace it: its own arguments.
    func add(db: Int, _ args: Args) {
        if let request = Self.canonicalRequest(args) {
            stage(db, size: request.count, alone: unitIsEmpty) { $0.copyMemory(from: request.baseAddress!, byteCount: request.count) }
            return
        }
        stage(db, args.count, alone: unitIsEmpty, length: { args[$0].count }) { i, to in
            let a = args[i]
            UnsafeMutableRawBufferPointer(start: to, count: a.count).copyMemory(from: a)
        }
    }

    /// Adds the commands a handler propagates instead of its own arguments.
    func add(db: Int, commands: [[Bytes]]) {
        let alone = commands.count == 1 && unitIsEmpty
        for c in commands { stage(db, c.count, alone: alone, length: { c[$0].count }, Self.copying(c)) }
    }

    /// Adds `DEL key` encoded straight from the key's bytes: every eviction and lazy expiry propagates one, and
    /// an argument array apiece would cost allocations apiece.
    func addDel(db: Int, _ key: UnsafeRawBufferPointer) {
        stage(db, 2, alone: unitIsEmpty, length: { $0 == 0 ? 3 : key.count }) { i, to in
            if i == 0 {
                to.storeBytes(of: (UInt8(ascii: "D"), UInt8(ascii: "E"), UInt8(ascii: "L")), as: (UInt8, UInt8, UInt8).self)
            } else {
                UnsafeMutableRawBufferPointer(start: to, count: key.count).copyMemory(from: key)
            }
        }
    }

    /// Encodes a command in place: a unit's only command straight into the output (nothing to wrap, so
    /// nothing to stage), any other into the unit's scratch buffer until flushUnit knows whether to wrap.
    @inline(__always)
    private func stage(_ db: Int, _ count: Int, alone: Bool, length: (Int) -> Int,
                       _ copy: (Int, UnsafeMutableRawPointer) -> Void) {
        stage(db, size: Self.size(count, length: length), alone: alone) { Self.write(count, at: $0, length: length, copy) }
    }

    /// Places `size` bytes that `write` produces at the address it is given.
    @inline(__always)
    private func stage(_ db: Int, size: Int, alone: Bool, _ write: (UnsafeMutableRawPointer) -> Void) {
        guard alone else {
            let start = pendingBytes.count
            pendingBytes.append(size, write)
            pending.append((db, start..<pendingBytes.count))
            return
        }
        let unitStart = output.count
        select(db)
        output.append(size, write)
        if feedsReplication { copyToReplication(from: unitStart) }
    }

    /// The client's request itself when its bytes are exactly the RESP array this command encodes to (a
    /// multibulk request with shortest length headers, as clients send them): copying it costs a fraction of
    /// encoding anew and the stream stays byte for byte what encoding would give. The parser, which reads every
    /// header byte anyway, says so (`Args.verbatim`); arguments of any other origin (a queued transaction, a
    /// command's own rewrite) are laid out bare and are encoded anew.
    @inline(__always)
    static func canonicalRequest(_ args: Args) -> UnsafeRawBufferPointer? {
        guard args.verbatim, let last = args.ranges.last else { return nil }
        return UnsafeRawBufferPointer(start: args.base, count: last.start + last.count + 2)
    }

    /// Ends an execution unit: its commands go to the output, wrapped in MULTI/EXEC when there are several.
    /// Inlined for the common case, a unit whose only command went straight to the output.
    @inline(__always)
    func flushUnit() {
        if !pending.isEmpty { flushPending() }
    }

    private func flushPending() {
        let unitStart = output.count
        let wrap = pending.count > 1
        if wrap {
            select(pending[0].db)
            append([Bytes("MULTI".utf8)])
        }
        for (db, range) in pending {
            select(db)
            pendingBytes.withBytes(range) { bytes in
                output.append(bytes.count) { $0.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            }
        }
        if wrap { append([Bytes("EXEC".utf8)]) }
        if feedsReplication { copyToReplication(from: unitStart) }
        pending.removeAll(keepingCapacity: true)
        pendingBytes.removeAll()
    }

    /// The backlog gets each unit as the output has it.
    private func copyToReplication(from unitStart: Int) {
        output.withBytes(unitStart..<output.count) { replicationOutput.append(contentsOf: $0) }
    }

    private func select(_ db: Int) {
        guard db != selectedDB else { return }
        selectedDB = db
        append([Bytes("SELECT".utf8), IntegerFormat.bytes(Int64(db))])
    }

    private func append(_ args: [Bytes]) {
        let length: (Int) -> Int = { args[$0].count }
        output.append(Self.size(args.count, length: length)) { Self.write(args.count, at: $0, length: length, Self.copying(args)) }
    }

    private static func copying(_ args: [Bytes]) -> (Int, UnsafeMutableRawPointer) -> Void {
        { i, to in args[i].withUnsafeBytes { UnsafeMutableRawBufferPointer(start: to, count: $0.count).copyMemory(from: $0) } }
    }

    /// The size of a RESP array of `count` bulk strings, element i being `length(i)` bytes: commands are sized
    /// first and then written in place, since every write command passes here while the AOF or a replica
    /// listens and appending byte by byte cost more than the command itself.
    @inline(__always)
    private static func size(_ count: Int, length: (Int) -> Int) -> Int {
        var total = 3 + IntegerFormat.width(count)
        for i in 0..<count {
            let n = length(i)
            total += 5 + IntegerFormat.width(n) + n
        }
        return total
    }

    /// Writes that array at `start` (`size` bytes); `copy` writes element i at the pointer it is given.
    @inline(__always)
    private static func write(_ count: Int, at start: UnsafeMutableRawPointer, length: (Int) -> Int,
                              _ copy: (Int, UnsafeMutableRawPointer) -> Void) {
        var p = header(UInt8(ascii: "*"), count, at: start)
        for i in 0..<count {
            let n = length(i)
            p = header(UInt8(ascii: "$"), n, at: p)
            copy(i, p)
            p.storeBytes(of: 13, toByteOffset: n, as: UInt8.self)
            p.storeBytes(of: 10, toByteOffset: n + 1, as: UInt8.self)
            p += n + 2
        }
    }

    /// Writes `<type><n>\r\n` at `p`; returns the pointer past it.
    @inline(__always)
    private static func header(_ type: UInt8, _ n: Int, at p: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        let width = IntegerFormat.width(n)
        p.storeBytes(of: type, as: UInt8.self)
        _ = IntegerFormat.write(Int64(n), into: UnsafeMutableRawBufferPointer(start: p + 1, count: width))
        p.storeBytes(of: 13, toByteOffset: width + 1, as: UInt8.self)
        p.storeBytes(of: 10, toByteOffset: width + 2, as: UInt8.self)
        return p + width + 3
    }
}

/// Bytes written in place at the end of a buffer that only grows: the first `count` are in use. Every write
/// command passes here while the AOF or a replica listens, so the space is made once and reused, and it is raw
/// memory: an array paid a uniqueness check on every write and zero-filled each growth. The RDB writer's output
/// and listpacks and the loader's packed collections are built in one the same way.
/// Inlinable: the RDB writer appends a few bytes at a time from another module, where a call per append (and its
/// closure context) cost more than the bytes.
public final class ScratchBytes {
    @usableFromInline static let initialCapacity = 4096
    @usableFromInline var base = malloc(ScratchBytes.initialCapacity)!
    @usableFromInline var capacity = ScratchBytes.initialCapacity
    @usableFromInline var used = 0

    public init() {}

    deinit { free(base) }

    /// The bytes in use.
    @inlinable public var count: Int { used }

    /// Makes room for `size` more bytes and hands `body` their address to write them.
    @inlinable @inline(__always)
    public func append(_ size: Int, _ body: (UnsafeMutableRawPointer) -> Void) {
        if used + size > capacity { grow(to: used + size) }
        body(base + used)
        used += size
    }

    /// Room for `size` more bytes past `count`, whose address `body` gets, without counting them in.
    @inlinable @inline(__always)
    public func reserve(_ size: Int, _ body: (UnsafeMutableRawPointer) -> Void) {
        if used + size > capacity { grow(to: used + size) }
        body(base + used)
    }

    /// Trades memory with `other`, bytes and all: a buffer filled on one thread changes hands without a copy
    /// while the object stays where it is referenced (a reference that can change would cost a retain and a
    /// release at every append).
    public func exchangeContents(with other: ScratchBytes) {
        swap(&base, &other.base)
        swap(&capacity, &other.capacity)
        swap(&used, &other.used)
    }

    @usableFromInline func grow(to needed: Int) {
        capacity = max(needed, capacity * 2)
        base = realloc(base, capacity)!
    }

    @inlinable
    public func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// The bytes in use, to rewrite some in place.
    @inlinable
    public func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: base, count: used))
    }

    /// Keeps the first `n` bytes in use (n <= count).
    public func removeLast(from n: Int) { used = n }

    /// Forgets the bytes; the space stays for the next ones, unless a burst made it large.
    public func removeAll() {
        used = 0
        if capacity > 4 << 20 {
            capacity = Self.initialCapacity
            base = realloc(base, capacity)!
        }
    }
}

extension Engine {
    /// Adds the DEL of a lazily expired or evicted key to the current execution unit; a no-op when nothing
    /// consumes the stream.
    public func propagateDel(db: Int, _ key: UnsafeRawBufferPointer) {
        guard propagation.enabled else { return }
        propagation.addDel(db: db, key)
        if propagation.depth == 0 { propagation.flushUnit() }
    }
}

extension CommandContext {
    /// Propagates these commands instead of the command's own arguments, as Redis's rewriteClientCommandVector
    /// and alsoPropagate do for commands whose effect depends on time or chance (relative expiries, SPOP,
    /// INCRBYFLOAT...). Cheap when nothing consumes the stream: the arguments are built only then.
    @inline(__always)
    public func propagate(as commands: @autoclosure () -> [[Bytes]]) {
        guard engine.propagation.enabled else { return }
        engine.propagation.replacement = commands()
    }
}
