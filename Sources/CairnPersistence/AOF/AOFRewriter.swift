#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine

/// Writes a point-in-time dataset as the RESP commands that rebuild it: the AOF base Redis writes when
/// aof-use-rdb-preamble is off (rewriteAppendOnlyFileRio). Collections go out in commands of at most 64
/// elements, a deadline as PEXPIREAT after its key.
public struct AOFRewriter {
    public struct WriteError: Error { public let message: String }

    /// Elements per RPUSH/SADD/ZADD/HMSET, as Redis's AOF_REWRITE_ITEMS_PER_CMD.
    static let itemsPerCommand = 64

    private let fd: Int32
    private let incrementalSync: Bool
    private var buffer: [UInt8] = []
    private var sinceSync = 0
    public private(set) var written = 0
    /// The database the last SELECT of `append` chose.
    private var selected = -1
    private var commandCount = 0

    public init(fd: Int32, incrementalSync: Bool) {
        self.fd = fd
        self.incrementalSync = incrementalSync
        buffer.reserveCapacity(64 * 1024)
    }

    /// Writes every live key of the captured databases once the event loop has completed the capture, then
    /// syncs the file.
    public mutating func write(_ capture: DatasetCapture, now: Int64, timestampSeconds: Int64?) throws(WriteError) {
        guard capture.waitUntilComplete() else { throw WriteError(message: "rewrite cancelled") }
        if let ts = timestampSeconds { buffer += Array("#TS:\(ts)\r\n".utf8) }
        for (db, image) in capture.databases {
            command([Array("SELECT".utf8), IntegerFormat.bytes(Int64(db))])
            var failure: WriteError? = nil
            image.drain { e in
                guard failure == nil, !Entry.isExpired(e.expireAt, now: now) else { return }
                emit(e.key, e.value, e.expireAt)
                if buffer.count >= 64 * 1024 {
                    do throws(WriteError) { try drain() } catch { failure = error }
                }
            }
            if let failure { throw failure }
        }
        try drain()
        if fsync(fd) != 0 { throw WriteError(message: String(cString: strerror(errno))) }
    }

    /// One key at a time, for the offline tools: a SELECT when the database changes, no fsync.
    public mutating func append(db: Int, key: [UInt8], value: Value, expireAt: Int64) throws(WriteError) {
        select(db)
        emit(key, value, expireAt)
        if buffer.count >= 64 * 1024 { try drain() }
    }

    /// Any other command, in the same stream (cairn-dump restore's DEL before a replaced key).
    public mutating func append(db: Int, command args: [[UInt8]]) throws(WriteError) {
        select(db)
        command(args)
    }

    private mutating func select(_ db: Int) {
        if db != selected {
            command([Array("SELECT".utf8), IntegerFormat.bytes(Int64(db))])
            selected = db
        }
    }

    /// The commands that rebuild one key, appended to `out`, for a caller that writes them with its own output;
    /// returns how many.
    @discardableResult
    public static func commands(key: [UInt8], value: Value, expireAt: Int64, to out: inout [UInt8]) -> Int {
        var r = AOFRewriter(fd: -1, incrementalSync: false)
        r.emit(key, value, expireAt)
        out += r.buffer
        return r.commandCount
    }

    /// Writes what `append` buffered.
    public mutating func flush() throws(WriteError) { try drain() }

    private mutating func emit(_ key: [UInt8], _ value: Value, _ expireAt: Int64) {
        switch value {
        case .stream(let s):
            stream(key, s)
        case .int(let v): command([Array("SET".utf8), key, IntegerFormat.bytes(v)])
        case .bytes(let b): command([Array("SET".utf8), key, b.bytes])
        case .rawBytes(let b): command([Array("SET".utf8), key, b])
        case .short(let s): command([Array("SET".utf8), key, s.bytes])
        case .list(let l):
            var items: [[UInt8]] = []
            l.forEach { items.append(Array($0)) }
            batched("RPUSH", key, items)
        case .set(let s):
            var items: [[UInt8]] = []
            s.forEach { items.append($0) }
            batched("SADD", key, items)
        case .zset(let z):
            var items: [[UInt8]] = []
            z.forEach { m in
                items.append(ShortestDouble.bytes(m.score, .plain))
                items.append(m.member)
            }
            batched("ZADD", key, items, perItem: 2)
        case .hash(let h):
            var items: [[UInt8]] = []
            h.forEach { f, v in
                items.append(f)
                items.append(v)
            }
            batched("HMSET", key, items, perItem: 2)
        }
        if expireAt >= 0 { command([Array("PEXPIREAT".utf8), key, IntegerFormat.bytes(expireAt)]) }
    }

    /// rewriteStreamObject: an XADD per entry (an empty stream made by the MAXLEN 0 trick), XSETID for the
    /// metadata, then per group XGROUP CREATE and its consumers, an XCLAIM ... FORCE per pending entry or
    /// XGROUP CREATECONSUMER for one with none. Consumer times are not kept, as in Redis.
    private mutating func stream(_ key: [UInt8], _ s: StreamValue) {
        if s.isEmpty {
            command([Array("XADD".utf8), key, Array("MAXLEN".utf8), [UInt8(ascii: "0")], Array("0-1".utf8), [UInt8(ascii: "x")], [UInt8(ascii: "y")]])
        }
        s.forEach { id, e in
            var args = [Array("XADD".utf8), key, id.bytes]
            e.forEachPair { f, v in
                args.append(Array(f))
                args.append(Array(v))
            }
            command(args)
            return true
        }
        command([Array("XSETID".utf8), key, s.lastID.bytes, Array("ENTRIESADDED".utf8), IntegerFormat.bytes(s.entriesAdded),
                 Array("MAXDELETEDID".utf8), s.maxDeletedID.bytes])
        for (name, g) in s.sortedGroups {
            command([Array("XGROUP".utf8), Array("CREATE".utf8), key, name, g.lastID.bytes, Array("ENTRIESREAD".utf8),
                     IntegerFormat.bytes(g.entriesRead)])
            for c in g.sortedConsumers {
                if c.pending.isEmpty {
                    command([Array("XGROUP".utf8), Array("CREATECONSUMER".utf8), key, name, c.name])
                    continue
                }
                c.pending.forEach { id, _ in
                    let nack = g.pending.find(id)!
                    command([Array("XCLAIM".utf8), key, name, c.name, [UInt8(ascii: "0")], id.bytes, Array("TIME".utf8),
                             IntegerFormat.bytes(nack.deliveryTime), Array("RETRYCOUNT".utf8),
                             IntegerFormat.bytes(Int64(bitPattern: nack.deliveryCount)), Array("JUSTID".utf8), Array("FORCE".utf8)])
                    return true
                }
            }
        }
    }

    private mutating func batched(_ name: String, _ key: [UInt8], _ items: [[UInt8]], perItem: Int = 1) {
        let step = Self.itemsPerCommand * perItem
        for i in stride(from: 0, to: items.count, by: step) {
            command([Array(name.utf8), key] + items[i..<min(i + step, items.count)])
        }
    }

    private mutating func command(_ args: [[UInt8]]) {
        CommandEncoding.append(args, to: &buffer)
        commandCount += 1
    }

    private mutating func drain() throws(WriteError) {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, buffer.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError(message: String(cString: strerror(errno)))
            }
            done += n
        }
        written += done
        sinceSync += done
        buffer.removeAll(keepingCapacity: true)
        // aof-rewrite-incremental-fsync: synced in the steps of a dump's (see RDBOutput).
        if incrementalSync && sinceSync >= RDBOutput.syncStep {
            _ = fdatasync(fd)
            sinceSync = 0
        }
    }
}
