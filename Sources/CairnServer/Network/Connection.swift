#if canImport(Glibc)
import CSystem
import Glibc
#endif
import RESP
import CairnEngine

/// One client socket: its query buffer, the request parser and the engine-side session.
///
/// The query buffer is raw memory so parsed arguments can be handed to the engine as views without copying;
/// it is compacted only between commands, never while a handler holds views into it.
final class Connection {
    let fd: Int32
    let session: ClientSession
    var parser: RequestParser
    var query: UnsafeMutableRawPointer
    var queryCapacity: Int
    var queryStart = 0       // first byte of the command being parsed
    var queryEnd = 0         // end of received data
    var sentOffset = 0       // bytes of session.reply already written to the socket
    var wantsWritable = false
    /// When the pending output first went over the soft output limit (monotonic µs), 0 when it is under.
    var overSoftLimitSince = 0
    /// With appendfsync always: the AOF offset that must be durable before this client's replies go out.
    var holdUntil = 0
    /// The group-commit generation whose sync last released this client's replies (GroupCommit).
    var commitGeneration = 0
    /// Listed in the server's heldForSync, so that listing it again costs no search of that list.
    var heldForSync = false
    var closed = false
    /// A full sync's sender thread owns the socket: the loop neither reads nor writes it meanwhile.
    var heldByReplication = false
    var totalNetInput = 0
    var totalNetOutput = 0

    static let readChunk = 16 * 1024

    init(fd: Int32, session: ClientSession, maxBulk: Int) {
        self.fd = fd
        self.session = session
        parser = RequestParser(maxBulkLength: maxBulk)
        queryCapacity = Self.readChunk * 2
        query = .allocate(byteCount: queryCapacity, alignment: 16)
    }

    deinit { query.deallocate() }

    var pendingQueryBytes: Int { queryEnd - queryStart }
    var pendingOutputBytes: Int { session.reply.count - sentOffset }

    /// Makes room for `extra` bytes after queryEnd, moving the unparsed tail to the front first.
    func reserveQuery(_ extra: Int) {
        if queryStart > 0 && (queryStart == queryEnd || queryCapacity - queryEnd < extra) {
            let pending = queryEnd - queryStart
            if pending > 0 { memmove(query, query + queryStart, pending) }
            queryStart = 0
            queryEnd = pending
        }
        if queryCapacity - queryEnd < extra {
            var newCapacity = queryCapacity
            while newCapacity - queryEnd < extra { newCapacity *= 2 }
            let p = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            p.copyMemory(from: query, byteCount: queryEnd)
            query.deallocate()
            query = p
            queryCapacity = newCapacity
        }
    }

    /// Returns the allocation to its normal size after a large request has been consumed.
    func shrinkQueryIfIdle() {
        guard queryStart == queryEnd, queryCapacity > 4 * Self.readChunk else { return }
        query.deallocate()
        queryCapacity = Self.readChunk * 2
        query = .allocate(byteCount: queryCapacity, alignment: 16)
        queryStart = 0
        queryEnd = 0
    }

    /// Reads what the socket has. Returns false on EOF or a hard error.
    func readAvailable(hint: Int) -> Bool {
        let want = max(Self.readChunk, min(hint, 64 * 1024 * 1024))
        reserveQuery(want)
        let n = read(fd, query + queryEnd, queryCapacity - queryEnd)
        if n > 0 {
            queryEnd += n
            totalNetInput += n
            return true
        }
        if n == 0 { return false }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
    }

    /// Writes as much pending output as the socket takes. Returns false on a hard error.
    func flush() -> Bool {
        let total = session.reply.count
        while sentOffset < total {
            let n = session.reply.bytes.withUnsafeBytes { b in
                write(fd, b.baseAddress! + sentOffset, total - sentOffset)
            }
            if n > 0 {
                sentOffset += n
                totalNetOutput += n
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            if n < 0 && errno == EINTR { continue }
            return false
        }
        if sentOffset == total {
            sentOffset = 0
            if session.reply.bytes.capacity > 1024 * 1024 {
                session.reply.bytes = []
                session.reply.bytes.reserveCapacity(16 * 1024)
            } else {
                session.reply.bytes.removeAll(keepingCapacity: true)
            }
        } else if sentOffset > 64 * 1024 && sentOffset * 2 > total {
            session.reply.bytes.removeSubrange(0..<sentOffset)
            sentOffset = 0
        }
        return true
    }
}
