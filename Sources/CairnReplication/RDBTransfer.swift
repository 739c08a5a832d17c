#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import RESP
import CairnEngine
import CairnPersistence

/// Socket settings for a transfer thread: blocking I/O bounded by repl-timeout, so a stalled peer fails the
/// transfer instead of hanging the thread. The event loop puts the socket back in non-blocking mode after.
func makeBlocking(_ fd: Int32, timeoutSeconds: Int) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    var tv = timeval(tv_sec: max(timeoutSeconds, 1), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
}

public func makeNonBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
        if n < 0 {
            if errno == EINTR { continue }
            throw RDBError(offset: done, reason: "write error: \(String(cString: strerror(errno)))")
        }
        done += n
    }
}

/// A transfer thread's own descriptor for the socket (a dup): the event loop may close its descriptor at any
/// time without the thread ever touching a reused number. `cancel` shuts the socket down, which fails the
/// thread's next read or write.
final class TransferSocket: Sendable {
    let fd: Int32
    private let closed = Mutex<Bool>(false)
    init(_ fd: Int32) { self.fd = dup(fd) }
    func close() {
        closed.withLock { c in
            if !c { _ = Glibc.close(fd) }
            c = true
        }
    }
    func cancel() {
        closed.withLock { c in if !c { shutdown(fd, Int32(SHUT_RDWR)) } }
    }
}

/// The primary's side of a full sync: a snapshot sender thread streams the RDB to the replica's socket,
/// either straight from the snapshot (diskless, `$EOF:` framing) or from a dump written first (`$<len>`).
/// While it runs the event loop neither reads nor writes that socket, except the keep-alive newlines it sends
/// while a disk-based save is still being written (the lock orders them before the bulk).
public final class RDBSender: @unchecked Sendable {
    // @unchecked: `job` is set once in init; the socket is shared only through `bulkStarted`'s lock.
    private let socket: TransferSocket
    private var fd: Int32 { socket.fd }
    private let snapshot: Snapshot
    private let bulkStarted = Mutex<Bool>(false)
    public private(set) var job: BackgroundJob!

    /// Thread: "cairn-repl-send", one per full sync, ends when the RDB has been written to the socket. It runs
    /// at normal priority, unlike a BGSAVE: a replica waits on it (Redis's fork child is not niced either), and
    /// under a busy primary a background-class thread would stretch the sync several times.
    /// `wake` is signalled when the thread ends.
    public init(fd: Int32, snapshot: Snapshot, options: RDBWriteOptions, diskPath: String?, timeoutSeconds: Int,
                wake: WakeEvent) {
        socket = TransferSocket(fd)
        self.snapshot = snapshot
        job = BackgroundJob(name: "cairn-repl-send", yielding: false, role: .snapshot, wake: wake) { [self] in
            defer { socket.close() }
            if let diskPath {
                try snapshot.save(to: diskPath, options: options)
                try sendFile(diskPath, timeoutSeconds: timeoutSeconds)
            } else {
                try startBulk(timeoutSeconds: timeoutSeconds)
                let mark = BulkFraming.randomMark()
                try writeAll(fd, Array("$EOF:".utf8) + mark + [13, 10])
                let out = RDBOutput(fileDescriptor: fd)
                try snapshot.write(to: out, options: options)
                try out.flush()
                try writeAll(fd, mark)
            }
        }
    }

    private func startBulk(timeoutSeconds: Int) throws {
        bulkStarted.withLock { started in
            started = true
            makeBlocking(fd, timeoutSeconds: timeoutSeconds)
        }
    }

    private func sendFile(_ path: String, timeoutSeconds: Int) throws {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { throw RDBError(offset: 0, reason: "can't open \(path): \(String(cString: strerror(errno)))") }
        defer { close(file) }
        var st = stat()
        fstat(file, &st)
        try startBulk(timeoutSeconds: timeoutSeconds)
        try writeAll(fd, Array("$\(st.st_size)\r\n".utf8))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(file, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            try writeAll(fd, Array(chunk[0..<n]))
        }
    }

    /// From the event loop once a second, on its own descriptor of the socket: a newline tells the replica
    /// the sync is being prepared.
    public func keepAlive(on loopFD: Int32) {
        bulkStarted.withLock { started in
            guard !started else { return }
            _ = send(loopFD, "\n", 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
    }

    /// The replica went away or the server stops: the thread fails at its next write or key check.
    public func cancel() {
        snapshot.cancel()
        socket.cancel()
    }
}

/// The replica's side of a full sync: the loader thread reads the RDB from the primary's socket into a fresh
/// engine (the event loop keeps serving the old data meanwhile) and checks its framing; the event loop then
/// swaps the loaded databases in.
public final class RDBReceiver: @unchecked Sendable {
    // @unchecked: `target` is touched only by the loader thread until `job` reports an outcome, then only by
    // the event loop; `summary` likewise.
    public let target: Engine
    public private(set) var summary = RDBLoadSummary()
    public private(set) var job: BackgroundJob!
    private let socket: TransferSocket
    /// The announced size (0 for an EOF-marked transfer, as Redis reports it), the bytes read so far and when
    /// the last read happened (monotonic µs): INFO's master_sync_* fields while the sync runs.
    public let totalBytes: Int
    public let bytesRead = Atomic<Int>(0)
    public let lastRead = Atomic<Int>(Engine.monotonicMicros())
    /// Unix seconds: INFO's loading_start_time.
    public let startedAt = time(nil)

    /// Reads as large as the primary's writes (RDBOutput.flushThreshold): fewer wake-ups of the reader thread.
    static let readChunk = 1 << 18

    /// Thread: "cairn-repl-load", one per full sync, ends when the RDB is loaded (or the transfer failed) and
    /// then signals `wake`.
    public init(fd: Int32, framing: BulkFraming, target: Engine, timeoutSeconds: Int, wake: WakeEvent) {
        socket = TransferSocket(fd)
        self.target = target
        if case .length(let n) = framing { totalBytes = n } else { totalBytes = 0 }
        job = BackgroundJob(name: "cairn-repl-load", yielding: false, wake: wake) { [self] in
            let fd = socket.fd
            defer { socket.close() }
            makeBlocking(fd, timeoutSeconds: timeoutSeconds)
            switch framing {
            case .length(let n):
                let input = RDBInput(fileDescriptor: fd, chunkSize: Self.readChunk, limit: n)
                input.onRead = countRead
                summary = try RDBLoader.load(input, into: target, dropExpired: false)
                guard input.offset == n else { throw RDBError(offset: input.offset, reason: "RDB shorter than its announced length \(n)") }
            case .eofMark(let mark):
                let input = RDBInput(fileDescriptor: fd, chunkSize: Self.readChunk)
                input.onRead = countRead
                summary = try RDBLoader.load(input, into: target, dropExpired: false)
                guard try input.bytes(BulkFraming.markLength) == mark else {
                    throw RDBError(offset: input.offset, reason: "the end-of-file mark does not match")
                }
            }
        }
    }

    private func countRead(_ n: Int) {
        bytesRead.add(n, ordering: .relaxed)
        lastRead.store(Engine.monotonicMicros(), ordering: .relaxed)
    }

    /// Unblocks the thread (REPLICAOF changed, shutdown): its next read fails.
    public func cancel() { socket.cancel() }

    /// The replication position the RDB recorded (aux repl-id / repl-offset), if any.
    public var recordedPosition: (replid: String, offset: Int)? { Self.position(in: summary) }

    public static func position(in summary: RDBLoadSummary) -> (replid: String, offset: Int)? {
        var id: String?, offset: Int?
        for (k, v) in summary.aux {
            switch String(decoding: k, as: UTF8.self) {
            case "repl-id": id = String(decoding: v, as: UTF8.self)
            case "repl-offset": offset = Int(String(decoding: v, as: UTF8.self))
            default: break
            }
        }
        guard let id, id.utf8.count == 40, let offset, offset >= 0 else { return nil }
        return (id, offset)
    }
}
