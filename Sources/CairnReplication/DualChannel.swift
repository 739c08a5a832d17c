/// The replica's side of Valkey 8's dual-channel full sync, without I/O: the RDB channel's handshake, the
/// `$ENDOFF` line it ends with, and the local buffer for the main channel's stream during the load.

/// `$ENDOFF:<offset> <replid> <dbid> <rdb-client-id>`: where the snapshot on the RDB channel ends, in which
/// history, and the primary's client id for that channel (the main channel names it before its PSYNC).
public struct EndOffset: Equatable {
    public let offset: Int
    public let replid: String
    public let db: Int
    public let clientID: Int

    public init(offset: Int, replid: String, db: Int, clientID: Int) {
        self.offset = offset
        self.replid = replid
        self.db = db
        self.clientID = clientID
    }

    /// nil unless the line has the four fields Valkey's sscanf reads (an ID of at most 40 characters).
    public init?(line: String) {
        guard line.hasPrefix("$ENDOFF:") else { return nil }
        let fields = line.dropFirst("$ENDOFF:".count).split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 4, let offset = Int(fields[0]), offset >= 0, (1...40).contains(fields[1].utf8.count),
              let db = Int(fields[2]), (0...Int(Int32.max)).contains(db), let id = Int(fields[3]), id >= 0 else { return nil }
        self.init(offset: offset, replid: String(fields[1]), db: db, clientID: id)
    }
}

/// The RDB channel's opening, as Valkey's fullSyncWithPrimary: no PING; AUTH if configured and `REPLCONF capa
/// eof rdb-only 1 rdb-channel 1 listening-port <port>` pipelined; `SYNC` once both are accepted; then newlines
/// until `$ENDOFF`. The bulk header and the RDB that follow belong to the loader.
public struct RDBChannelHandshake {
    public enum Step: Equatable {
        case wait
        case send([UInt8])
        case endOffset(EndOffset)
        case fail(String)
    }

    private enum Expecting { case auth, replconf, endOffset, done }
    private var expecting: [Expecting] = []
    private let opening: [UInt8]

    public init(user: String?, password: String?, listeningPort: Int) {
        var out: [UInt8] = []
        if let password {
            out += encodeCommand(["AUTH"] + (user.map { [$0] } ?? []) + [password])
            expecting.append(.auth)
        }
        out += encodeCommand(["REPLCONF", "capa", "eof", "rdb-only", "1", "rdb-channel", "1",
                              "listening-port", String(listeningPort)])
        expecting.append(.replconf)
        opening = out
    }

    /// The bytes to send once the connection is up.
    public func begin() -> [UInt8] { opening }

    /// One line from the primary, without its line ending.
    public mutating func receive(line: String) -> Step {
        if line.isEmpty { return .wait }
        guard let first = expecting.first, first != .done else { return .fail("Unexpected reply on the RDB channel: '\(line)'") }
        switch first {
        case .auth:
            expecting.removeFirst()
            return line.hasPrefix("-") ? .fail("Unable to AUTH to Primary: \(line)") : .wait
        case .replconf:
            guard !line.hasPrefix("-") else {
                return .fail("Server does not support sync with offset, dual channel sync approach cannot be used: \(line)")
            }
            expecting = [.endOffset]
            return .send(Array("SYNC\r\n".utf8))
        case .endOffset:
            guard let end = EndOffset(line: line) else { return .fail("Received unexpected $ENDOFF response: \(line)") }
            expecting = [.done]
            return .endOffset(end)
        case .done:
            return .fail("Unexpected reply on the RDB channel: '\(line)'")
        }
    }
}

/// A replication stream kept in arrival order, in chunks so that growing never copies it: a replica's main
/// channel while the RDB loads (Valkey's pending_repl_data; over `client-output-buffer-limit replica`'s hard
/// limit the replica stops reading, so TCP pushes the growth back to the primary, whose own limit then
/// decides), and on a primary the stream held for a replica until its full sync is through.
public struct StreamBuffer {
    public private(set) var chunks: [[UInt8]] = []
    public private(set) var count = 0
    /// The largest `count` since the buffer was made (INFO replicas_repl_buffer_peak).
    public private(set) var peak = 0
    let chunkSize: Int
    /// The first chunk not yet consumed, and how much of it has been.
    var head = 0
    var headOffset = 0

    public init(chunkSize: Int = 1 << 20) { self.chunkSize = chunkSize }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        if chunks.isEmpty || chunks[chunks.count - 1].count >= chunkSize {
            chunks.append([])
            chunks[chunks.count - 1].reserveCapacity(max(chunkSize, bytes.count))
        }
        chunks[chunks.count - 1].append(contentsOf: bytes)
        count += bytes.count
        peak = max(peak, count)
    }

    /// As Valkey checks before taking a new block: once over a non-zero limit, reading stops.
    public func full(limit: Int) -> Bool { limit > 0 && count > limit }

    /// Removes up to `limit` bytes from the front, handing them to `body` in order, a piece of one chunk at a
    /// time; a chunk is freed as soon as it is used up. The peak stays.
    public mutating func consume(upTo limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        var left = limit
        while left > 0 && head < chunks.count {
            let n = min(left, chunks[head].count - headOffset)
            chunks[head].withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[headOffset..<headOffset + n])) }
            headOffset += n
            count -= n
            left -= n
            if headOffset == chunks[head].count {
                chunks[head] = []
                head += 1
                headOffset = 0
            }
        }
        if head == chunks.count {
            chunks.removeAll()
            head = 0
        }
    }
}
