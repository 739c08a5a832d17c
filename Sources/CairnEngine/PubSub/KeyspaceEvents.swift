/// The classes of notify-keyspace-events, with Redis's bit values.
public struct KeyspaceEventClasses: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let keyspace = KeyspaceEventClasses(rawValue: 1 << 0)   // K
    public static let keyevent = KeyspaceEventClasses(rawValue: 1 << 1)   // E
    public static let generic = KeyspaceEventClasses(rawValue: 1 << 2)    // g
    public static let string = KeyspaceEventClasses(rawValue: 1 << 3)     // $
    public static let list = KeyspaceEventClasses(rawValue: 1 << 4)       // l
    public static let set = KeyspaceEventClasses(rawValue: 1 << 5)        // s
    public static let hash = KeyspaceEventClasses(rawValue: 1 << 6)       // h
    public static let zset = KeyspaceEventClasses(rawValue: 1 << 7)       // z
    public static let expired = KeyspaceEventClasses(rawValue: 1 << 8)    // x
    public static let evicted = KeyspaceEventClasses(rawValue: 1 << 9)    // e
    public static let stream = KeyspaceEventClasses(rawValue: 1 << 10)    // t
    public static let keyMiss = KeyspaceEventClasses(rawValue: 1 << 11)   // m, not part of A
    public static let module = KeyspaceEventClasses(rawValue: 1 << 13)    // d
    public static let newKey = KeyspaceEventClasses(rawValue: 1 << 14)    // n, not part of A
    public static let all: KeyspaceEventClasses = [.generic, .string, .list, .set, .hash, .zset, .expired, .evicted, .stream, .module]
    /// Without K or E nothing is published whatever classes are on.
    static let channels: KeyspaceEventClasses = [.keyspace, .keyevent]

    private static let letters: [(Character, KeyspaceEventClasses)] = [
        ("g", .generic), ("$", .string), ("l", .list), ("s", .set), ("h", .hash), ("z", .zset), ("x", .expired),
        ("e", .evicted), ("t", .stream), ("d", .module), ("n", .newKey),
    ]

    /// Parses the letters of the directive; nil for an unknown letter.
    public init?(letters: String) {
        var v: KeyspaceEventClasses = []
        for ch in letters {
            switch ch {
            case "A": v.formUnion(.all)
            case "K": v.insert(.keyspace)
            case "E": v.insert(.keyevent)
            case "m": v.insert(.keyMiss)
            default:
                guard let (_, flag) = Self.letters.first(where: { $0.0 == ch }) else { return nil }
                v.insert(flag)
            }
        }
        self = v
    }

    /// The canonical spelling CONFIG GET shows: "A" when every class of A is on, then K, E, m. Redis drops
    /// "n" after "A", so that CONFIG REWRITE loses it; here it is kept.
    public var letters: String {
        var out = ""
        if isSuperset(of: .all) {
            out = "A"
            if contains(.newKey) { out += "n" }
        } else {
            for (ch, flag) in Self.letters where contains(flag) { out.append(ch) }
        }
        if contains(.keyspace) { out += "K" }
        if contains(.keyevent) { out += "E" }
        if contains(.keyMiss) { out += "m" }
        return out
    }
}

extension Engine {
    /// notifyKeyspaceEvent: publishes `event` about `key` on `__keyspace@<db>__:<key>` and/or
    /// `__keyevent@<db>__:<event>` when its class is enabled. The check is inlined so that a server with
    /// notifications off pays one test per write.
    @inline(__always)
    public func notify(_ cls: KeyspaceEventClasses, _ event: StaticString, _ key: UnsafeRawBufferPointer, db: Int) {
        let enabled = settings.notifyKeyspaceEvents
        guard enabled.rawValue & cls.rawValue != 0,
              enabled.rawValue & KeyspaceEventClasses.channels.rawValue != 0 else { return }
        publishKeyspaceEvent(event, key, db: db, enabled: enabled)
    }

    @inline(never)
    func publishKeyspaceEvent(_ event: StaticString, _ key: UnsafeRawBufferPointer, db: Int, enabled: KeyspaceEventClasses) {
        let eventBytes = Bytes(UnsafeRawBufferPointer(start: event.utf8Start, count: event.utf8CodeUnitCount))
        let dbPart = Bytes("@\(db)__:".utf8)
        if enabled.contains(.keyspace) {
            _ = pubsub.publish(Bytes("__keyspace".utf8) + dbPart + Bytes(key), eventBytes, shard: false, engine: self)
        }
        if enabled.contains(.keyevent) {
            _ = pubsub.publish(Bytes("__keyevent".utf8) + dbPart + eventBytes, Bytes(key), shard: false, engine: self)
        }
    }
}

extension CommandContext {
    /// Announces a write to the command's key in the client's database.
    @inline(__always)
    public func notify(_ cls: KeyspaceEventClasses, _ event: StaticString, _ key: UnsafeRawBufferPointer) {
        engine.notify(cls, event, key, db: client.db)
    }
}
