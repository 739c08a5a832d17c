/// An ordered map keyed by stream ID, stored as a sequence of small sorted chunks: the consumer group PEL and
/// each consumer's list of pending IDs. Chunks keep inserts cheap in a large PEL and are the copy-on-write unit,
/// so a write after a snapshot copies one chunk and the spine.
public struct IDMap<V> {
    static var chunkCapacity: Int { 64 }

    var chunks: [[(id: StreamID, value: V)]] = []
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// The chunk that holds or would hold `id`: the first whose last ID is ≥ id (the last chunk when none is).
    private func chunkIndex(_ id: StreamID) -> Int {
        var lo = 0
        var hi = chunks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if chunks[mid][chunks[mid].count - 1].id < id { lo = mid + 1 } else { hi = mid }
        }
        return Swift.min(lo, chunks.count - 1)
    }

    private static func position(_ chunk: [(id: StreamID, value: V)], _ id: StreamID) -> Int {
        var lo = 0
        var hi = chunk.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if chunk[mid].id < id { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    public func find(_ id: StreamID) -> V? {
        guard !chunks.isEmpty else { return nil }
        let c = chunks[chunkIndex(id)]
        let i = Self.position(c, id)
        return i < c.count && c[i].id == id ? c[i].value : nil
    }

    /// Inserts or replaces.
    public mutating func set(_ id: StreamID, _ value: V) {
        guard !chunks.isEmpty else {
            chunks.append([(id, value)])
            count = 1
            return
        }
        let ci = chunkIndex(id)
        let i = Self.position(chunks[ci], id)
        if i < chunks[ci].count && chunks[ci][i].id == id {
            chunks[ci][i].value = value
            return
        }
        chunks[ci].insert((id, value), at: i)
        count += 1
        if chunks[ci].count > Self.chunkCapacity {
            let tail = Array(chunks[ci][(Self.chunkCapacity / 2)...])
            chunks[ci].removeSubrange((Self.chunkCapacity / 2)...)
            chunks.insert(tail, at: ci + 1)
        }
    }

    /// Inserts only when absent; false when the ID was there.
    @discardableResult
    public mutating func insert(_ id: StreamID, _ value: V) -> Bool {
        if find(id) != nil { return false }
        set(id, value)
        return true
    }

    /// Edits a value in place; false when absent.
    @discardableResult
    mutating func update(_ id: StreamID, _ body: (inout V) -> Void) -> Bool {
        guard !chunks.isEmpty else { return false }
        let ci = chunkIndex(id)
        let i = Self.position(chunks[ci], id)
        guard i < chunks[ci].count && chunks[ci][i].id == id else { return false }
        body(&chunks[ci][i].value)
        return true
    }

    @discardableResult
    public mutating func remove(_ id: StreamID) -> V? {
        guard !chunks.isEmpty else { return nil }
        let ci = chunkIndex(id)
        let i = Self.position(chunks[ci], id)
        guard i < chunks[ci].count && chunks[ci][i].id == id else { return nil }
        let v = chunks[ci].remove(at: i).value
        count -= 1
        if chunks[ci].isEmpty { chunks.remove(at: ci) }
        return v
    }

    public var first: (id: StreamID, value: V)? { chunks.first?.first }
    public var last: (id: StreamID, value: V)? { chunks.last?.last }

    /// Visits entries with ID ≥ start in order until `body` returns false.
    public func forEach(from start: StreamID = .zero, _ body: (StreamID, V) throws -> Bool) rethrows {
        guard !chunks.isEmpty else { return }
        var ci = chunkIndex(start)
        var i = Self.position(chunks[ci], start)
        while ci < chunks.count {
            let c = chunks[ci]
            while i < c.count {
                if try !body(c[i].id, c[i].value) { return }
                i += 1
            }
            ci += 1
            i = 0
        }
    }
}
