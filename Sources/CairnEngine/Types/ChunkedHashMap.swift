/// A hash map keyed by byte strings, split by the top bits of each key's hash into chunks that are shared
/// copy-on-write one by one: a write to a map still referenced by a snapshot copies the one chunk it touches,
/// never the whole map. Backs large sets and the member index of large sorted sets.
public struct ChunkedHashMap<V> {
    final class Chunk {
        var items: [Bytes: V]
        init(_ items: [Bytes: V]) { self.items = items }
    }

    /// A chunk grows to about this many entries before the map doubles its chunk count.
    static var chunkLoad: Int { 1024 }

    private(set) var chunks: [Chunk] = [Chunk([:])]
    /// There are 2^depth chunks; chunk i holds the keys whose hash starts with the depth bits of i.
    private var depth = 0
    public private(set) var count = 0

    public init() {}

    @inline(__always) private func chunkIndex(_ hash: UInt64) -> Int {
        depth == 0 ? 0 : Int(truncatingIfNeeded: hash >> UInt64(64 - depth))
    }

    private mutating func uniqueChunk(_ i: Int) -> Chunk {
        if !isKnownUniquelyReferenced(&chunks[i]) { chunks[i] = Chunk(chunks[i].items) }
        return chunks[i]
    }

    public subscript(key: Bytes) -> V? {
        key.withUnsafeBytes { chunks[chunkIndex(KeyHash.hash($0))].items[key] }
    }

    public func contains(_ key: Bytes) -> Bool { self[key] != nil }

    /// Inserts or replaces; returns the previous value.
    @discardableResult
    public mutating func updateValue(_ value: V, forKey key: Bytes) -> V? {
        let i = key.withUnsafeBytes { chunkIndex(KeyHash.hash($0)) }
        let old = uniqueChunk(i).items.updateValue(value, forKey: key)
        if old == nil {
            count += 1
            if count > chunks.count * Self.chunkLoad { split() }
        }
        return old
    }

    @discardableResult
    public mutating func removeValue(forKey key: Bytes) -> V? {
        let i = key.withUnsafeBytes { chunkIndex(KeyHash.hash($0)) }
        guard chunks[i].items[key] != nil else { return nil }
        let old = uniqueChunk(i).items.removeValue(forKey: key)
        count -= 1
        return old
    }

    /// Doubles the chunk count; each chunk's keys go to the two chunks that split its hash prefix.
    private mutating func split() {
        var next: [Chunk] = []
        next.reserveCapacity(chunks.count * 2)
        let bit = UInt64(1) << UInt64(63 - depth)
        for c in chunks {
            var low: [Bytes: V] = [:], high: [Bytes: V] = [:]
            for (k, v) in c.items {
                if k.withUnsafeBytes({ KeyHash.hash($0) }) & bit == 0 { low[k] = v } else { high[k] = v }
            }
            next.append(Chunk(low))
            next.append(Chunk(high))
        }
        chunks = next
        depth += 1
    }

    public func forEach(_ body: (Bytes, V) throws -> Void) rethrows {
        for c in chunks { for (k, v) in c.items { try body(k, v) } }
    }

    /// A uniformly chosen entry; the map must not be empty.
    public func randomElement() -> (key: Bytes, value: V) {
        var n = Int.random(in: 0..<count)
        for c in chunks {
            if n < c.items.count {
                let e = c.items[c.items.index(c.items.startIndex, offsetBy: n)]
                return (e.key, e.value)
            }
            n -= c.items.count
        }
        preconditionFailure("count out of step with chunks")
    }

    /// One step of SSCAN/ZSCAN/HSCAN (see hashOrderScan). Returns the next cursor, 0 at the end.
    public func scan(cursor: UInt64, count: Int, _ visit: (Bytes, V) -> Void) -> UInt64 {
        hashOrderScan(cursor: cursor, count: count, collect: { c, batch in
            for (k, v) in chunks[chunkIndex(c)].items {
                let h = k.withUnsafeBytes { KeyHash.hash($0) }
                if h >= c { batch.append((h, (k, v))) }
            }
            return depth
        }, visit: { visit($0.0, $0.1) })
    }

    /// The identity of each chunk, so tests can see which chunks a write copied.
    var chunkIdentities: [ObjectIdentifier] { chunks.map(ObjectIdentifier.init) }
}
