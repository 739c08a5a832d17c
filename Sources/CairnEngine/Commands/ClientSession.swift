import RESP

/// The protocol-independent state of one client: selected db, protocol version, reply buffer, transaction and
/// WATCH state. The server's connection object owns the socket and the query buffer.
public final class ClientSession {
    public let id: Int
    public var db = 0
    public var reply: ReplyWriter
    public var name: Bytes? = nil
    public var libName: String = ""
    public var libVersion: String = ""
    public var authenticated = true
    /// The ACL user the client runs as; changes to the user apply at its next command.
    public var user: ACLUser
    /// "ip:port" of the peer, or the unix socket path form Redis shows.
    public var address: String = ""
    public var localAddress: String = ""
    public let createdAt: Int64
    public var lastInteraction: Int64
    /// The last command run, for CLIENT LIST's cmd field. Commands live as long as the table, so no retain.
    public unowned(unsafe) var lastCommand: Command? = nil
    /// Set when the connection should close once its pending replies are written (QUIT, protocol errors).
    public var closeAfterReply = false
    public var replyMode: ReplyMode = .on
    public var noEvict = false
    /// CLIENT NO-TOUCH: this client's reads leave key access fields alone.
    public var noTouch = false
    public var isMonitor = false
    public var isReplica = false
    /// The AOF loader: its commands replay what a server already did, so limits meant for users (XADD's
    /// LIMIT without ~) are not enforced, as Redis's mustObeyClient.
    public var mustObey = false

    // MULTI / WATCH
    public var inMulti = false
    public var multiQueue: [(Command, OwnedArgs)] = []
    public var multiAborted = false
    public var watchBroken = false
    var watched: [(db: Int, key: Bytes, expiredAtWatch: Bool)] = []

    public enum ReplyMode { case on, off, skipNext, skipThis }

    public var resp3: Bool {
        get { reply.resp3 }
        set { reply.resp3 = newValue }
    }

    public init(id: Int, now: Int64, user: ACLUser) {
        self.id = id
        self.user = user
        reply = ReplyWriter()
        createdAt = now
        lastInteraction = now
    }

    /// Loopback or unix-socket peers, which enable-debug-command local and protected configs trust.
    public var isLocal: Bool { isUnixSocket || Self.isLoopback(address) }

    /// An "ip:port" Redis counts as local: exactly 127.0.0.1 or ::1 (so not 127.0.0.2).
    public static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.0.0.1:") || address.hasPrefix("::1:")
    }
    public var isUnixSocket = false

    /// Arguments of the running command that MONITOR and SLOWLOG must not show (passwords), as a bit set.
    public var redactedArgs: UInt64 = 0
    public func redact(_ i: Int) { if i < 64 { redactedArgs |= 1 << UInt64(i) } }
    public func isRedacted(_ i: Int) -> Bool { i < 64 && redactedArgs & (1 << UInt64(i)) != 0 }

    // Blocking commands
    public internal(set) var blocked: BlockedCommand? = nil
    public var isBlocked: Bool { blocked != nil }
    /// Set while EXEC runs its queue: blocking commands then answer at once instead of blocking.
    public internal(set) var inExec = false
    var blockedStillWaiting = false

    // Pub/Sub
    public var channels = SubscriptionSet()
    public var patterns = SubscriptionSet()
    public var shardChannels = SubscriptionSet()

    func withSubscriptions<R>(_ kind: PubSubRegistry.Kind, _ body: (inout SubscriptionSet) -> R) -> R {
        switch kind {
        case .channel: return body(&channels)
        case .pattern: return body(&patterns)
        case .shard: return body(&shardChannels)
        }
    }

    /// In RESP2 a client with any subscription may only run the subscription commands, PING, QUIT and RESET.
    public var isSubscribed: Bool { channels.count + patterns.count + shardChannels.count > 0 }

    public var isWatching: Bool { !watched.isEmpty }
    public var watchCount: Int { watched.count }
}
