import CSystem

/// Whole-keyspace walks: SCAN, KEYS, RANDOMKEY, the active expire cycle and snapshot serialization.
extension Keyspace {
    /// Visits every entry in storage order.
    public func forEach(_ body: (Entry) throws -> Void) rethrows {
        for seg in segments {
            for i in 0..<seg.count { try body(Entry(seg.slots[i], expireAt: seg.expireAt(i))) }
        }
    }

    /// A SCAN step (see hashOrderScan). Returns the next cursor, 0 when done.
    public func scan(cursor: UInt64, count: Int, _ visit: (Entry) -> Void) -> UInt64 {
        hashOrderScan(cursor: cursor, count: count, collect: { c, batch in
            let seg = segments[segmentIndex(c)]
            for i in 0..<seg.count {
                let h = seg.hash(at: i)
                if h >= c { batch.append((h, Entry(seg.slots[i], expireAt: seg.expireAt(i)))) }
            }
            return seg.depth
        }, visit: visit)
    }

    /// An entry chosen about uniformly, or nil for an empty keyspace.
    public func randomEntry() -> Entry? {
        guard count > 0 else { return nil }
        while true {
            let seg = segments[Int.random(in: 0..<segments.count)]
            guard seg.count > 0 else { continue }
            // Accepting a segment with probability proportional to its count makes each key about equally likely.
            if Int.random(in: 0..<Segment.maxEntries) >= seg.count { continue }
            let i = Int.random(in: 0..<seg.count)
            return Entry(seg.slots[i], expireAt: seg.expireAt(i))
        }
    }

    /// Up to `count` entries from a random place, for eviction to compare their access fields (as Redis's
    /// dictGetSomeKeys): consecutive entries from a random one on, spilling into the following segments, so a
    /// sample costs `count` visits however large the keyspace. `volatileOnly` takes only keys with a deadline
    /// (Redis samples its expires dict), skipping segments that hold none. `body` reads each slot in place (a
    /// copy would retain and release its key and value), given its deadline; it must not change the keyspace.
    ///
    /// Each sample's starting place is drawn two samples ahead and fetched in two steps (the segment's header,
    /// then, a sample later, the slots it points at): at maxmemory every write evicts, and its sample would
    /// otherwise wait on two cache misses in a row, which perf put at a fifth of a SET's time.
    mutating func sample<G: RandomNumberGenerator>(_ count: Int, volatileOnly: Bool = false, using rng: inout G,
                                                   _ body: (UnsafePointer<Slot>, Int64) -> Void) {
        let available = volatileOnly ? volatileCount : self.count
        guard available > 0 else { return }
        let wanted = Swift.min(count, available)
        var (si, i) = nextSample
        // The keyspace may have changed since the place was drawn.
        if si < 0 || si >= segments.count || (i > 0 && i >= segments[si].count) {
            si = Int.random(in: 0..<segments.count, using: &rng)
            i = segments[si].count > 0 ? Int.random(in: 0..<segments[si].count, using: &rng) : 0
        }
        defer { stageSamples(wanted, using: &rng) }
        var taken = 0
        // Bounded like dictGetSomeKeys (count * 10 steps): a sparse spread of deadlines yields a short sample.
        var budget = Swift.max(wanted * 10, segments.count)
        while taken < wanted && budget > 0 {
            let seg = segments[si]
            if !volatileOnly || seg.volatileCount > 0 {
                while i < seg.count && taken < wanted {
                    let at = seg.expireAt(i)
                    if !volatileOnly || at >= 0 {
                        body(seg.slots + i, at)
                        taken += 1
                    }
                    i += 1
                }
            }
            si = (si + 1) % segments.count
            i = 0
            budget -= 1
        }
    }

    /// Draws the place of the sample after next and starts fetching its segment's header; the one drawn last
    /// time, whose header has arrived since, gets its entry drawn and its slots fetched.
    private mutating func stageSamples<G: RandomNumberGenerator>(_ wanted: Int, using rng: inout G) {
        nextSample = (-1, 0)
        let n = segments.count
        segments.withUnsafeBufferPointer { segs in
            if sampleAfterNext >= 0 && sampleAfterNext < n {
                Unmanaged.passUnretained(segs[sampleAfterNext])._withUnsafeGuaranteedRef { seg in
                    let i = seg.count > 0 ? Int.random(in: 0..<seg.count, using: &rng) : 0
                    nextSample = (sampleAfterNext, i)
                    let first = UnsafeRawPointer(seg.slots + i)
                    let end = UnsafeRawPointer(seg.slots + Swift.min(i + wanted, Swift.max(seg.count, 1)))
                    var line = first
                    while line < end {
                        csystem_prefetch(line)
                        line += 64
                    }
                }
            }
            sampleAfterNext = Int.random(in: 0..<n, using: &rng)
            csystem_prefetch(Unmanaged.passUnretained(segs[sampleAfterNext]).toOpaque())
        }
    }

    /// Removes keys whose deadline has passed, starting at segment `from`, until `budget` segments with
    /// expiring keys were examined. Calls `expired` for each removed entry; returns where to resume.
    public mutating func removeExpired(now: Int64, from: Int, budget: Int, _ expired: (Entry) -> Void) -> Int {
        guard volatileCount > 0, !segments.isEmpty else { return 0 }
        var si = from % segments.count
        var examined = 0
        var visited = 0
        while examined < budget && visited < segments.count {
            if segments[si].volatileCount > 0 {
                examined += 1
                var seg = segments[si]
                var i = 0
                while i < seg.count {
                    if Entry.isExpired(seg.expireAt(i), now: now) {
                        seg = uniqueSegment(si)
                        let e = seg.remove(at: i, hash: seg.hash(at: i))
                        count -= 1
                        volatileCount -= 1
                        expired(e)
                        // The last entry moved into position i.
                        continue
                    }
                    i += 1
                }
            }
            si = (si + 1) % segments.count
            visited += 1
        }
        return si
    }

    /// The number of segments: a snapshot's unit of work and the active expire cycle's position space.
    public var segmentCount: Int { segments.count }
}
