import RESP

/// A command as the replica sends it to its primary: a RESP array of bulk strings.
public func encodeCommand(_ args: [String]) -> [UInt8] {
    var w = ReplyWriter(capacity: 64)
    w.array(args.count)
    for a in args { w.bulk(a) }
    return w.bytes
}

/// The primary's answer to PSYNC.
public enum PsyncReply: Equatable {
    /// A full sync follows on this connection, starting a history at `offset`. An ID that is not 40
    /// characters is blanked, so that a later PSYNC cannot match anything by mistake.
    case fullResync(replid: String, offset: Int)
    /// A partial resync: the stream from the requested offset follows. nil from a pre-PSYNC2 primary.
    case resume(replid: String?)
    /// Valkey's dual-channel full sync: the RDB comes over a second connection.
    case dualChannel
    /// The primary cannot serve a sync right now (-NOMASTERLINK, -LOADING): retry later.
    case retryLater(String)
    /// The primary does not know PSYNC: fall back to SYNC.
    case unsupported(String)
    case invalid(String)

    public init(line: String) {
        if line.hasPrefix("+FULLRESYNC") {
            let parts = line.split(separator: " ")
            let id = parts.count > 1 && parts[1].utf8.count == 40 ? String(parts[1]) : ""
            let offset = parts.count > 2 ? Int(parts[2]) ?? -1 : -1
            self = .fullResync(replid: id, offset: offset)
        } else if line.hasPrefix("+CONTINUE") {
            let rest = line.dropFirst("+CONTINUE".count).trimmingSpaces
            self = .resume(replid: rest.utf8.count == 40 ? rest : nil)
        } else if line.hasPrefix("+DUALCHANNELSYNC") {
            self = .dualChannel
        } else if line.hasPrefix("-NOMASTERLINK") || line.hasPrefix("-LOADING") {
            self = .retryLater(line)
        } else if line.hasPrefix("-") {
            self = .unsupported(line)
        } else {
            self = .invalid(line)
        }
    }
}

/// How the RDB of a full sync is framed: `$<length>` (disk-based) or `$EOF:<40-byte mark>` … mark (diskless).
public enum BulkFraming: Equatable {
    case length(Int)
    case eofMark([UInt8])

    public static let markLength = 40

    /// nil when the line is not a bulk header.
    public init?(line: String) {
        guard line.hasPrefix("$") else { return nil }
        if line.hasPrefix("$EOF:") {
            let mark = Array(line.utf8.dropFirst(5))
            guard mark.count == Self.markLength else { return nil }
            self = .eofMark(mark)
        } else {
            guard let n = Int(line.dropFirst()), n >= 0 else { return nil }
            self = .length(n)
        }
    }

    /// A fresh random mark for a diskless transfer.
    public static func randomMark() -> [UInt8] { Array(ReplicationHistory.randomID().utf8) }
}

extension Substring {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}

/// What a replica says of its version in `REPLCONF version`.
public enum ReplicaVersion {
    /// Valkey 9 primaries pick the RDB version they send from this (RDB 11 below 9.0.0), so Cairn names the
    /// Valkey release whose formats it speaks. Redis 7 primaries answer an error, which the handshake ignores.
    public static let announced = "8.0.1"

    /// Valkey's rule for the value: three dot-separated decimal parts, each at most 255.
    public static func isValid(_ text: String) -> Bool {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else { return false }
        return parts.allSatisfy { part in
            var value = 0
            for c in part {
                guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return false }
                value = value * 10 + Int(c - UInt8(ascii: "0"))
                if value > 255 { return false }
            }
            return true
        }
    }
}

/// The replica's side of the handshake (Redis's syncWithPrimary), without I/O: it says what to send and
/// interprets each reply line the primary sends back. The server drives it from the event loop.
public struct ReplicaHandshake {
    public struct Options {
        public var user: String?
        public var password: String?
        public var listeningPort: Int
        public var announceIP: String?
        /// The history to continue, as PSYNC's arguments: replid and the first offset not yet received.
        public var resumeFrom: (replid: String, offset: Int)?
        /// dual-channel-replication-enabled: offer `capa dual-channel`.
        public var dualChannel: Bool
        public init(user: String?, password: String?, listeningPort: Int, announceIP: String?,
                    resumeFrom: (replid: String, offset: Int)?, dualChannel: Bool = false) {
            self.user = user
            self.password = password
            self.listeningPort = listeningPort
            self.announceIP = announceIP
            self.resumeFrom = resumeFrom
            self.dualChannel = dualChannel
        }
    }

    public enum Step: Equatable {
        /// Keep waiting (a keep-alive newline, or a reply that needs no action).
        case wait
        case send([UInt8])
        case psync(PsyncReply)
        case fail(String)
    }

    private enum Expecting { case pong, reply(String), psync, done }
    private var options: Options
    private var expecting: [Expecting] = []
    /// What the replica reports as its state meanwhile (ROLE's "handshake" vs "connecting").
    public private(set) var sentPsync = false

    public init(options: Options) { self.options = options }

    /// The first bytes to send once connected.
    public mutating func begin() -> [UInt8] {
        expecting = [.pong]
        return encodeCommand(["PING"])
    }

    /// One reply line from the primary, without its line ending.
    public mutating func receive(line: String) -> Step {
        // A newline is the primary's keep-alive while it prepares the sync: not a reply.
        if line.isEmpty { return .wait }
        guard let first = expecting.first else { return .fail("Unexpected reply from master: '\(line)'") }
        expecting.removeFirst()
        switch first {
        case .pong:
            let acceptable = line.hasPrefix("+") || line.hasPrefix("-NOAUTH") || line.hasPrefix("-NOPERM")
                || line.hasPrefix("-ERR operation not permitted")
            guard acceptable else { return .fail("Error reply to PING from master: '\(line)'") }
            return .send(pipelinedHandshake())
        case .reply(let what):
            if line.hasPrefix("-") && what == "AUTH" { return .fail("Unable to AUTH to MASTER: \(line)") }
            if line.hasPrefix("-") && what == "set-rdb-client-id" {
                return .fail("Primary does not understand REPLCONF identify: \(line)")
            }
            guard expecting.isEmpty else { return .wait }
            return .send(psync())
        case .psync:
            expecting = [.done]
            return .psync(PsyncReply(line: line))
        case .done:
            return .fail("Unexpected reply from master: '\(line)'")
        }
    }

    private mutating func pipelinedHandshake() -> [UInt8] {
        var out: [UInt8] = []
        if let password = options.password {
            out += encodeCommand(["AUTH"] + (options.user.map { [$0] } ?? []) + [password])
            expecting.append(.reply("AUTH"))
        }
        out += encodeCommand(["REPLCONF", "listening-port", String(options.listeningPort)])
        expecting.append(.reply("listening-port"))
        if let ip = options.announceIP {
            out += encodeCommand(["REPLCONF", "ip-address", ip])
            expecting.append(.reply("ip-address"))
        }
        out += encodeCommand(["REPLCONF", "capa", "eof", "capa", "psync2"] + (options.dualChannel ? ["capa", "dual-channel"] : []))
        expecting.append(.reply("capa"))
        out += encodeCommand(["REPLCONF", "version", ReplicaVersion.announced])
        expecting.append(.reply("version"))
        return out
    }

    /// A dual-channel sync's main channel, once the RDB channel read `$ENDOFF`: it names the RDB channel's
    /// client, then PSYNCs from the first byte after the snapshot; the reply comes back as `.psync`.
    public mutating func continueAfterSnapshot(_ end: EndOffset) -> [UInt8] {
        options.resumeFrom = (end.replid, end.offset + 1)
        expecting = [.reply("set-rdb-client-id")]
        return encodeCommand(["REPLCONF", "set-rdb-client-id", String(end.clientID)])
    }

    private mutating func psync() -> [UInt8] {
        expecting = [.psync]
        sentPsync = true
        if let r = options.resumeFrom { return encodeCommand(["PSYNC", r.replid, String(r.offset)]) }
        return encodeCommand(["PSYNC", "?", "-1"])
    }
}
