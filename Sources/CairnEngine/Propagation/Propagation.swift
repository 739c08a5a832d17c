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
    /// A scratch buffer that only grows: the unit's bytes are its first `pendingEnd`, written in place.
    private var pendingBytes: [UInt8] = []
    private var pendingEnd = 0
    /// Set by a handler to propagate these commands instead of its own arguments ([] propagates nothing).
    var replacement: [[Bytes]]? = nil
    /// How deep the engine is in nested calls (EXEC runs its queue through call).
    var depth = 0
    /// The stream's bytes not yet taken by the consumers.
    public private(set) var output: [UInt8] = []
    /// Whether the replication backlog consumes the stream too: each unit is then also appended to
    /// `replicationOutput`, which the server drains on its own schedule (a full sync drains it mid-iteration).
    public var feedsReplication = false
    public var replicationOutput: [UInt8] = []
    private var selectedDB = -1

    public init() {}

    /// Hands the bytes produced so far to the caller.
    public func take() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    /// Drops the bytes produced so far: the AOF writer copied them, or no AOF consumes them (the backlog alone
    /// enabled the stream).
    public func discardOutput() { output.removeAll(keepingCapacity: true) }

    /// The next command is preceded by SELECT whatever the database: a new consumer (a fresh AOF file, a new
    /// replica stream) cannot know the current one.
    public func forgetSelectedDatabase() { selectedDB = -1 }

    func add(db: Int, _ args: [Bytes]) {
        stage(db, args.count, length: { args[$0].count }, Self.copying(args))
    }

    /// Adds `DEL key` encoded straight from the key's bytes: every eviction and lazy expiry propagates one, and
    /// an argument array apiece would cost allocations apiece.
    func addDel(db: Int, _ key: UnsafeRawBufferPointer) {
        stage(db, 2, length: { $0 == 0 ? 3 : key.count }) { i, to in
            if i == 0 {
                to.storeBytes(of: (UInt8(ascii: "D"), UInt8(ascii: "E"), UInt8(ascii: "L")), as: (UInt8, UInt8, UInt8).self)
            } else {
                UnsafeMutableRawBufferPointer(start: to, count: key.count).copyMemory(from: key)
            }
        }
    }

    /// Adds a command's own arguments, encoded straight from the request.
    func add(db: Int, _ args: Args) {
        stage(db, args.count, length: { args[$0].count }) { i, to in
            let a = args[i]
            UnsafeMutableRawBufferPointer(start: to, count: a.count).copyMemory(from: a)
        }
    }

    @inline(__always)
    private func stage(_ db: Int, _ count: Int, length: (Int) -> Int, _ copy: (Int, UnsafeMutableRawPointer) -> Void) {
        let start = pendingEnd
        pendingEnd += Self.size(count, length: length)
        if pendingBytes.count < pendingEnd {
            pendingBytes.append(contentsOf: repeatElement(0, count: pendingEnd - pendingBytes.count))
        }
        pendingBytes.withUnsafeMutableBytes { Self.write(count, at: $0.baseAddress! + start, length: length, copy) }
        pending.append((db, start..<pendingEnd))
    }

    /// Ends an execution unit: its commands go to the output, wrapped in MULTI/EXEC when there are several.
    func flushUnit() {
        guard !pending.isEmpty else { return }
        let unitStart = output.count
        let wrap = pending.count > 1
        if wrap {
            select(pending[0].db)
            append([Bytes("MULTI".utf8)])
        }
        pendingBytes.withUnsafeBytes { bytes in
            for (db, range) in pending {
                select(db)
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
            }
        }
        if wrap { append([Bytes("EXEC".utf8)]) }
        if feedsReplication { replicationOutput.append(contentsOf: output[unitStart...]) }
        pending.removeAll(keepingCapacity: true)
        pendingEnd = 0
    }

    private func select(_ db: Int) {
        guard db != selectedDB else { return }
        selectedDB = db
        append([Bytes("SELECT".utf8), IntegerFormat.bytes(Int64(db))])
    }

    private func append(_ args: [Bytes]) {
        let length: (Int) -> Int = { args[$0].count }
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: Self.size(args.count, length: length)))
        output.withUnsafeMutableBytes { Self.write(args.count, at: $0.baseAddress! + start, length: length, Self.copying(args)) }
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
