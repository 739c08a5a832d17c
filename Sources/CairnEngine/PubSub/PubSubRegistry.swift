import RESP

/// Who listens to what: channels, patterns and shard channels, each mapped to its subscribers in
/// subscription order. Lives on the event loop like everything else in the engine.
public final class PubSubRegistry {
    public enum Kind {
        case channel, pattern, shard

        /// The push message kind for subscribe replies and deliveries.
        var subscribeName: String {
            switch self {
            case .channel: return "subscribe"
            case .pattern: return "psubscribe"
            case .shard: return "ssubscribe"
            }
        }
        var unsubscribeName: String {
            switch self {
            case .channel: return "unsubscribe"
            case .pattern: return "punsubscribe"
            case .shard: return "sunsubscribe"
            }
        }
    }

    private(set) var channels: [Bytes: [ClientSession]] = [:]
    private(set) var patterns: [Bytes: [ClientSession]] = [:]
    private(set) var shardChannels: [Bytes: [ClientSession]] = [:]

    /// INFO stats' pubsub_channels, pubsub_patterns and pubsubshard_channels.
    public var channelCount: Int { channels.count }
    public var patternCount: Int { patterns.count }
    public var shardChannelCount: Int { shardChannels.count }

    func table(_ kind: Kind) -> [Bytes: [ClientSession]] {
        switch kind {
        case .channel: return channels
        case .pattern: return patterns
        case .shard: return shardChannels
        }
    }

    /// Returns false when the client was already subscribed.
    func subscribe(_ client: ClientSession, _ name: Bytes, _ kind: Kind) -> Bool {
        guard client.withSubscriptions(kind, { $0.insert(name) }) else { return false }
        switch kind {
        case .channel: channels[name, default: []].append(client)
        case .pattern: patterns[name, default: []].append(client)
        case .shard: shardChannels[name, default: []].append(client)
        }
        return true
    }

    /// Returns false when the client was not subscribed.
    func unsubscribe(_ client: ClientSession, _ name: Bytes, _ kind: Kind) -> Bool {
        guard client.withSubscriptions(kind, { $0.remove(name) }) else { return false }
        func drop(_ t: inout [Bytes: [ClientSession]]) {
            t[name]?.removeAll { $0 === client }
            if t[name]?.isEmpty == true { t[name] = nil }
        }
        switch kind {
        case .channel: drop(&channels)
        case .pattern: drop(&patterns)
        case .shard: drop(&shardChannels)
        }
        return true
    }

    /// Delivers a message; returns how many clients received it (channel subscribers plus pattern matches).
    func publish(_ channel: Bytes, _ message: Bytes, shard: Bool, engine: Engine) -> Int {
        var receivers = 0
        let direct = shard ? shardChannels[channel] : channels[channel]
        for c in direct ?? [] {
            c.reply.push(3)
            c.reply.bulk(shard ? "smessage" : "message")
            c.reply.bulk(channel)
            c.reply.bulk(message)
            engine.woken.append(c)
            receivers += 1
        }
        guard !shard else { return receivers }
        for (pattern, clients) in patterns {
            let matches = pattern.withUnsafeBytes { p in channel.withUnsafeBytes { globMatch(pattern: p, string: $0, nocase: false) } }
            guard matches else { continue }
            for c in clients {
                c.reply.push(4)
                c.reply.bulk("pmessage")
                c.reply.bulk(pattern)
                c.reply.bulk(channel)
                c.reply.bulk(message)
                engine.woken.append(c)
                receivers += 1
            }
        }
        return receivers
    }

    /// Drops every subscription of a client (disconnect, RESET).
    func removeAll(_ client: ClientSession) {
        for kind in [Kind.channel, .pattern, .shard] {
            for name in client.withSubscriptions(kind, { $0.ordered }) { _ = unsubscribe(client, name, kind) }
        }
    }
}

/// A client's subscriptions of one kind, in the order it made them.
public struct SubscriptionSet {
    public private(set) var ordered: [Bytes] = []
    private var members: Set<Bytes> = []

    public var count: Int { ordered.count }

    mutating func insert(_ name: Bytes) -> Bool {
        guard members.insert(name).inserted else { return false }
        ordered.append(name)
        return true
    }

    mutating func remove(_ name: Bytes) -> Bool {
        guard members.remove(name) != nil else { return false }
        ordered.removeAll { $0 == name }
        return true
    }
}
