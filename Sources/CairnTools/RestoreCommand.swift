#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import RESP
import CairnEngine
import CairnPersistence

/// Counts a server's replies on a thread of its own while the main thread pipelines commands, so neither side
/// ever waits for the other's socket buffer to drain.
final class ReplyCounter: @unchecked Sendable {
    // @unchecked: `fd` is immutable; the counters are atomics; `errors`, `marker` and `failure` are touched
    // under `lock` only.
    let fd: Int32
    let replies = Atomic<Int>(0)
    let errorCount = Atomic<Int>(0)
    let lock = NSLock()
    var errors: [String] = []
    var failure: String? = nil
    var markerSeen = false
    /// Indexes of RENAMENX commands whose 0 means the target key exists (a streamed key restored without
    /// --replace), counted as RESTORE's BUSYKEY would be.
    var busyChecks: Set<Int> = []
    let marker: [UInt8]
    let done = DispatchSemaphore(value: 0)
    private var buffer: [UInt8] = []
    private var pos = 0

    init(fd: Int32, marker: [UInt8]) {
        self.fd = fd
        self.marker = marker
    }

    func start() {
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.name = "cairn-dump-replies"
        thread.start()
    }

    private func fill() -> Bool {
        if pos > 0 {
            buffer.removeFirst(pos)
            pos = 0
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            buffer += chunk[0..<n]
            return true
        }
    }

    private func line() -> [UInt8]? {
        while true {
            if let cr = buffer[pos...].firstIndex(of: 13), cr + 1 < buffer.count {
                let l = Array(buffer[pos..<cr])
                pos = cr + 2
                return l
            }
            guard fill() else { return nil }
        }
    }

    /// One whole reply; nil when the connection closed. Only a bulk string's payload is returned, and an
    /// integer reply's text as its bulk.
    private func reply(depth: Int = 0) -> (error: String?, bulk: [UInt8]?)? {
        guard let l = line(), let kind = l.first else { return nil }
        let rest = String(decoding: l.dropFirst(), as: UTF8.self)
        switch kind {
        case UInt8(ascii: "-"): return (rest, nil)
        case UInt8(ascii: ":"): return (nil, Array(l.dropFirst()))
        case UInt8(ascii: "$"):
            guard let n = Int(rest) else { return nil }
            if n < 0 { return (nil, nil) }
            while buffer.count - pos < n + 2 { guard fill() else { return nil } }
            let b = Array(buffer[pos..<(pos + n)])
            pos += n + 2
            return (nil, b)
        case UInt8(ascii: "*"):
            guard let n = Int(rest), depth < 8 else { return nil }
            for _ in 0..<max(n, 0) { guard reply(depth: depth + 1) != nil else { return nil } }
            return (nil, nil)
        default: return (nil, nil)
        }
    }

    private func run() {
        while var r = reply() {
            if r.bulk == [UInt8(ascii: "0")] {
                lock.lock()
                if busyChecks.remove(replies.load(ordering: .relaxed)) != nil { r.error = "BUSYKEY Target key name already exists." }
                lock.unlock()
            }
            if let e = r.error {
                errorCount.add(1, ordering: .relaxed)
                lock.lock()
                if errors.count < 5 { errors.append(e) }
                lock.unlock()
            }
            if r.bulk == marker {
                lock.lock()
                markerSeen = true
                lock.unlock()
                return
            }
            replies.add(1, ordering: .relaxed)
        }
        lock.lock()
        failure = "the server closed the connection"
        lock.unlock()
    }
}

/// `restore FILE --to HOST:PORT [--db N] [--replace] [--auth PASS]`: loads every key into a live server with
/// pipelined RESTORE (payloads in the server's RDB version: 11 for Redis 7.2+, Valkey and Cairn, 10 for
/// Redis 7.0), or with plain commands (SET, RPUSH, HMSET..., as an AOF rewrite writes them) for older servers.
public struct RestoreCommand {
    public var restored = 0
    public var errors = 0
    public var firstErrors: [String] = []
    public var method = ""

    public init() {}

    static func connect(_ target: String) throws(ToolError) -> Int32 {
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else {
            throw ToolError(.usage, "--to wants HOST:PORT, got '\(target)'")
        }
        var host = String(target[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>? = nil
        guard getaddrinfo(host, String(port), &hints, &res) == 0, let first = res else {
            throw ToolError(.io, "cannot resolve \(host); check the host name")
        }
        defer { freeaddrinfo(res) }
        var ai: UnsafeMutablePointer<addrinfo>? = first
        var lastError = ""
        while let a = ai {
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if fd >= 0 {
                if Glibc.connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 {
                    var one: Int32 = 1
                    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    return fd
                }
                lastError = String(cString: strerror(errno))
                close(fd)
            }
            ai = a.pointee.ai_next
        }
        throw ToolError(.io, "cannot connect to \(target): \(lastError); is the server running and reachable?")
    }

    /// One command and its reply, before pipelining starts (AUTH, INFO).
    static func call(_ fd: Int32, _ args: [String]) throws(ToolError) -> [UInt8] {
        var out: [UInt8] = []
        CommandEncoding.append(args.map { Array($0.utf8) }, to: &out)
        try send(fd, out)
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            guard n > 0 else { throw ToolError(.io, "the server closed the connection") }
            reply += chunk[0..<n]
            guard let first = reply.first, reply.count >= 2, reply[reply.count - 2] == 13, reply.last == 10 else { continue }
            if first != UInt8(ascii: "$") { return reply }
            if let cr = reply.firstIndex(of: 13), let len = Int(String(decoding: reply[1..<cr], as: UTF8.self)),
               reply.count >= cr + 2 + max(len, 0) + 2 {
                return reply
            }
        }
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) throws(ToolError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ToolError(.io, "write to the server failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    /// The RDB version a server's RESTORE accepts, from INFO server.
    static func rdbVersion(info: [UInt8]) -> Int {
        let text = String(decoding: info, as: UTF8.self)
        if text.contains("valkey_version:") { return 11 }
        guard let line = text.split(whereSeparator: { $0.isNewline }).first(where: { $0.hasPrefix("redis_version:") }) else { return 11 }
        let parts = line.dropFirst("redis_version:".count).split(separator: ".").compactMap { Int($0) }
        let v = (parts.first ?? 0) * 100 + (parts.count > 1 ? parts[1] : 0)
        return v >= 702 ? 11 : v >= 700 ? 10 : v >= 500 ? 9 : 8
    }

    public mutating func run(_ source: DumpSource, to target: String, replace: Bool, auth: String?) throws {
        let fd = try Self.connect(target)
        defer { close(fd) }
        if let auth {
            let r = try Self.call(fd, ["AUTH", auth])
            guard r.first == UInt8(ascii: "+") else {
                throw ToolError(.io, "AUTH failed: \(String(decoding: r.dropFirst(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
        let info = try Self.call(fd, ["INFO", "server"])
        if info.first == UInt8(ascii: "-") {
            throw ToolError(.io, "the server refused INFO: \(String(decoding: info.dropFirst(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let version = Self.rdbVersion(info: info)
        let useRestore = version >= 10
        method = useRestore ? "RESTORE (RDB version \(version) payloads)" : "plain commands (the server reads RDB version \(version))"
        let marker = Array("cairn-dump-restore-done-\(getpid())".utf8)
        let counter = ReplyCounter(fd: fd, marker: marker)
        counter.start()
        var count = 0
        let sendFailure: Error?
        do {
            let sink = { (bytes: [UInt8]) throws in try Self.send(fd, bytes) }
            if useRestore {
                var w = RestoreStreamer(version: version, replace: replace, sink: sink) { index in
                    counter.lock.lock()
                    counter.busyChecks.insert(index)
                    counter.lock.unlock()
                }
                defer { count = w.restored }
                try source.scan(&w)
                try w.finish()
            } else {
                var w = CommandStreamWriter(replace: replace, sink: sink)
                defer { count = w.keys }
                try source.scan(&w)
                try w.finish()
            }
            sendFailure = nil
        } catch {
            sendFailure = error
        }
        var echo: [UInt8] = []
        CommandEncoding.append([Array("ECHO".utf8), marker], to: &echo)
        try? Self.send(fd, echo)
        counter.done.wait()
        restored = count
        errors = counter.errorCount.load(ordering: .relaxed)
        counter.lock.lock()
        firstErrors = counter.errors
        let failure = counter.failure
        counter.lock.unlock()
        if let sendFailure { throw sendFailure }
        if let failure { throw ToolError(.io, "\(target): \(failure) after \(count) keys were sent") }
    }
}
