/// PSYNC2's identity of a replication history: the current replication ID, the previous one (replid2) and
/// the offset up to which the previous one is valid. A replica promoted with REPLICAOF NO ONE keeps its old
/// primary's ID as replid2, so the other replicas of that primary can continue from it by partial resync.
public struct ReplicationHistory: Equatable, Sendable {
    public var replid: String
    public var replid2: String = ReplicationHistory.noID
    /// second_repl_offset: the first offset that the previous ID does not cover, -1 without one.
    public var secondOffset = -1

    public static let noID = String(repeating: "0", count: 40)

    public init(replid: String = ReplicationHistory.randomID()) { self.replid = replid }

    /// 40 random hex digits, as Redis's getRandomHexChars.
    public static func randomID() -> String {
        var g = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: (0..<40).map { _ in digits[Int(g.next() % 16)] }, as: UTF8.self)
    }

    /// Whether a replica's PSYNC ID designates this history up to `offset`, as Redis's
    /// primaryTryPartialResynchronization checks it (case-insensitively).
    public func accepts(_ id: String, offset: Int) -> Bool {
        let id = id.lowercased()
        if id == replid.lowercased() { return true }
        return id == replid2.lowercased() && id != Self.noID && offset <= secondOffset
    }

    /// The history continues under a new ID from `offset + 1` on (promotion, a primary that changed IDs).
    public mutating func shift(to newID: String = ReplicationHistory.randomID(), offset: Int) {
        replid2 = replid
        secondOffset = offset + 1
        replid = newID
    }

    /// A new history: nothing before it can be continued.
    public mutating func reset(to newID: String = ReplicationHistory.randomID()) {
        replid = newID
        replid2 = Self.noID
        secondOffset = -1
    }
}
