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
    private var pendingBytes: [UInt8] = []
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
        let start = pendingBytes.count
        Self.encode(args, into: &pendingBytes)
        pending.append((db, start..<pendingBytes.count))
    }

    /// Adds a command's own arguments, encoded straight from the request.
    func add(db: Int, _ args: Args) {
        let start = pendingBytes.count
        Self.encode(args.count, into: &pendingBytes, length: { args[$0].count }) { i, to in
            let a = args[i]
            UnsafeMutableRawBufferPointer(start: to, count: a.count).copyMemory(from: a)
        }
        pending.append((db, start..<pendingBytes.count))
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
        pendingBytes.removeAll(keepingCapacity: true)
    }

    private func select(_ db: Int) {
        guard db != selectedDB else { return }
        selectedDB = db
        append([Bytes("SELECT".utf8), IntegerFormat.bytes(Int64(db))])
    }

    private func append(_ args: [Bytes]) { Self.encode(args, into: &output) }

    private static func encode(_ args: [Bytes], into out: inout [UInt8]) {
        encode(args.count, into: &out, length: { args[$0].count }) { i, to in
            args[i].withUnsafeBytes { UnsafeMutableRawBufferPointer(start: to, count: $0.count).copyMemory(from: $0) }
        }
    }

    /// Appends a RESP array of `count` bulk strings (element i is `length(i)` bytes, which `copy` writes at the
    /// pointer it is given). The size is worked out first so that the array grows once and the bytes are
    /// written in place: every write command passes here while the AOF or a replica listens, and appending
    /// byte by byte cost more than the command itself.
    @inline(__always)
    private static func encode(_ count: Int, into out: inout [UInt8], length: (Int) -> Int,
                               _ copy: (Int, UnsafeMutableRawPointer) -> Void) {
        var total = 3 + IntegerFormat.width(count)
        for i in 0..<count {
            let n = length(i)
            total += 5 + IntegerFormat.width(n) + n
        }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: total))
        out.withUnsafeMutableBytes { buf in
            var p = header(UInt8(ascii: "*"), count, at: buf.baseAddress! + start)
            for i in 0..<count {
                let n = length(i)
                p = header(UInt8(ascii: "$"), n, at: p)
                copy(i, p)
                p.storeBytes(of: 13, toByteOffset: n, as: UInt8.self)
                p.storeBytes(of: 10, toByteOffset: n + 1, as: UInt8.self)
                p += n + 2
            }
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
    /// Adds a command to the current execution unit (the DEL of a lazily expired key, a command's extra
    /// effects); a no-op when nothing consumes the stream.
    public func alsoPropagate(db: Int, _ args: [Bytes]) {
        guard propagation.enabled else { return }
        propagation.add(db: db, args)
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
