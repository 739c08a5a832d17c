/// When the AOF writer may start the next sync under `appendfsync always` (see AOFWriter: a sync waits, for a
/// bounded time, for the clients the previous one answered).
///
/// Each batch of replies a sync releases opens a generation; the clients released in it are outstanding until
/// they write again or disconnect. Once none is, every write the next sync can expect soon is queued and the
/// sync may start. A released client that only reads or idles instead costs the writer's bounded wait.
struct GroupCommit {
    private var generation = 0
    private(set) var outstanding = 0
    /// The durable offset up to which replies were released.
    private var releasedAt = 0

    /// For AOFWriter.append: the durable offset whose clients have all written again, or nil while the
    /// writer should wait for some of them.
    var commitAt: Int? { outstanding == 0 ? releasedAt : nil }

    /// Whether the loop can expect nothing but the writer's next sync: `held` clients wait for one and every
    /// client the last sync answered has written again (clients that only read may still come).
    func awaitsOnlyTheWriter(held: Int) -> Bool { held > 0 && outstanding == 0 }

    /// A sync (durable up to `durable`) released these clients' replies.
    mutating func released(_ conns: some Sequence<Connection>, durable: Int) {
        releasedAt = durable
        generation += 1
        outstanding = 0
        for conn in conns {
            conn.commitGeneration = generation
            outstanding += 1
        }
    }

    /// A client produced a write whose reply waits for a sync, or disconnected: the next sync has its write or
    /// will never get one.
    mutating func settled(_ conn: Connection) {
        guard conn.commitGeneration == generation, outstanding > 0 else { return }
        conn.commitGeneration = 0
        outstanding -= 1
    }
}
