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

    /// Drops the bytes no AOF consumes (the backlog alone enabled the stream).
    public func discardOutput() { output.removeAll(keepingCapacity: true) }

    /// The next command is preceded by SELECT whatever the database: a new consumer (a fresh AOF file, a new
    /// replica stream) cannot know the current one.
    public func forgetSelectedDatabase() { selectedDB = -1 }

    func add(db: Int, _ args: [Bytes]) {
        let start = pendingBytes.count
        Self.encode(args.count, into: &pendingBytes, length: { args[$0].count }) { i, out in out.append(contentsOf: args[i]) }
        pending.append((db, start..<pendingBytes.count))
    }

    /// Adds `DEL key` encoded straight from the key's bytes: every eviction and lazy expiry propagates one, and
    /// an argument array apiece would cost allocations apiece.
    func addDel(db: Int, _ key: UnsafeRawBufferPointer) {
        let start = pendingBytes.count
        Self.encode(2, into: &pendingBytes, length: { $0 == 0 ? 3 : key.count }) { i, out in
            if i == 0 { out.append(contentsOf: "DEL".utf8) } else { out.append(contentsOf: key) }
        }
        pending.append((db, start..<pendingBytes.count))
    }

    /// Adds a command's own arguments, encoded straight from the request.
    func add(db: Int, _ args: Args) {
        let start = pendingBytes.count
        Self.encode(args.count, into: &pendingBytes, length: { args[$0].count }) { i, out in out.append(contentsOf: args[i]) }
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
        for (db, range) in pending {
            select(db)
            output.append(contentsOf: pendingBytes[range])
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

    private func append(_ args: [Bytes]) {
        Self.encode(args.count, into: &output, length: { args[$0].count }) { i, out in out.append(contentsOf: args[i]) }
    }

    /// A RESP array of `count` bulk strings: element i is `length(i)` bytes long and `element` appends them.
    @inline(__always)
    private static func encode(_ count: Int, into out: inout [UInt8], length: (Int) -> Int,
                               _ element: (Int, inout [UInt8]) -> Void) {
        out.append(UInt8(ascii: "*"))
        appendDecimal(count, to: &out)
        out.append(13); out.append(10)
        for i in 0..<count {
            out.append(UInt8(ascii: "$"))
            appendDecimal(length(i), to: &out)
            out.append(13); out.append(10)
            element(i, &out)
            out.append(13); out.append(10)
        }
    }

    private static func appendDecimal(_ v: Int, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            let n = IntegerFormat.write(Int64(v), into: UnsafeMutableRawBufferPointer(buf))
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[(20 - n)...]))
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
