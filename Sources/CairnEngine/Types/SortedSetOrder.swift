import Glibc

/// Members in sorted-set order: a spine of small sorted leaves, each shared copy-on-write on its own, so a write
/// to a big sorted set held by a snapshot copies one leaf and the spine. What a search reads sits in the spine's
/// one contiguous array — each leaf's last score and a Fenwick tree of leaf sizes — so placing an entry touches
/// no leaf but the one it lands in, and ranks cost O(log n) rather than a walk over the leaves.
struct OrderedChunks {
    /// Up to `chunkCapacity` entries in order. A slot holds the score (what a search compares) and where the
    /// member sits in the chunk's byte arena (a 4-byte length, then the bytes). Members are appended to the
    /// arena in arrival order, so an insert moves 16-byte slots, never member bytes; removed members stay in the
    /// arena as garbage until it is half of it.
    final class Chunk {
        struct Slot {
            var score: Double
            var offset: Int
        }

        private(set) var count = 0
        private var slots: UnsafeMutablePointer<Slot>? = nil
        private var slotCapacity = 0
        private var arena: UnsafeMutableRawPointer? = nil
        private var used = 0
        private var capacity = 0
        private var garbage = 0

        init() {}

        /// A copy of entries `range` of `c`, with no garbage.
        init(_ c: Chunk, _ range: Range<Int>) {
            reserveSlots(range.count)
            var bytes = 0
            for i in range { bytes += 4 + c.member(i).count }
            reserveArena(bytes)
            for i in range { insert(c.score(i), c.member(i), at: count) }
        }

        deinit {
            free(arena)
            free(slots)
        }

        @inline(__always) func score(_ i: Int) -> Double { slots![i].score }

        @inline(__always) func member(_ i: Int) -> UnsafeRawBufferPointer {
            let p = arena! + slots![i].offset
            return UnsafeRawBufferPointer(start: p + 4, count: Int(p.loadUnaligned(as: UInt32.self)))
        }

        func entry(_ i: Int) -> ScoredMember { ScoredMember(Bytes(member(i)), score(i)) }

        /// Whether entry i sorts before (s, m).
        @inline(__always) func isBefore(_ i: Int, _ s: Double, _ m: UnsafeRawBufferPointer) -> Bool {
            let t = slots![i].score
            if t != s { return t < s }
            return bytesCompare(member(i), m) < 0
        }

        /// The number of entries sorting before (s, m).
        func lowerBound(_ s: Double, _ m: UnsafeRawBufferPointer) -> Int {
            var lo = 0, hi = count
            while lo < hi {
                let mid = (lo + hi) / 2
                if isBefore(mid, s, m) { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }

        private func reserveSlots(_ n: Int) {
            guard n > slotCapacity else { return }
            slotCapacity = min(max(n, slotCapacity * 2, 8), max(n, OrderedChunks.chunkCapacity + 1))
            slots = realloc(slots, slotCapacity * MemoryLayout<Slot>.stride)!
                .bindMemory(to: Slot.self, capacity: slotCapacity)
        }

        /// Room for `n` more arena bytes; grows by half so a chunk wastes little.
        private func reserveArena(_ n: Int) {
            guard used + n > capacity else { return }
            capacity = max(used + n, capacity + capacity / 2, 64)
            arena = realloc(arena, capacity)
        }

        func insert(_ s: Double, _ m: UnsafeRawBufferPointer, at i: Int) {
            reserveSlots(count + 1)
            reserveArena(4 + m.count)
            let p = arena! + used
            p.storeBytes(of: UInt32(m.count), as: UInt32.self)
            if let b = m.baseAddress { (p + 4).copyMemory(from: b, byteCount: m.count) }
            if i < count { memmove(slots! + i + 1, slots! + i, (count - i) * MemoryLayout<Slot>.stride) }
            slots![i] = Slot(score: s, offset: used)
            used += 4 + m.count
            count += 1
        }

        func remove(at i: Int) {
            garbage += 4 + member(i).count
            count -= 1
            if i < count { memmove(slots! + i, slots! + i + 1, (count - i) * MemoryLayout<Slot>.stride) }
            compactIfWasteful()
        }

        /// Drops entries from `n` on: a chunk is truncated when it splits.
        func truncate(_ n: Int) {
            for i in n..<count { garbage += 4 + member(i).count }
            count = n
            compactIfWasteful()
        }

        func append(contentsOf c: Chunk) {
            reserveSlots(count + c.count)
            reserveArena(c.used - c.garbage)
            for i in 0..<c.count { insert(c.score(i), c.member(i), at: count) }
        }

        /// Rewrites the arena without its garbage once that is half of it, giving the room back.
        private func compactIfWasteful() {
            guard garbage > 256 && garbage * 2 > used else { return }
            let fresh = malloc(used - garbage)!
            var at = 0
            for i in 0..<count {
                let size = 4 + member(i).count
                (fresh + at).copyMemory(from: arena! + slots![i].offset, byteCount: size)
                slots![i].offset = at
                at += size
            }
            free(arena)
            arena = fresh
            used = at
            capacity = at
            garbage = 0
        }
    }

    /// One leaf of the spine.
    struct Leaf {
        var chunk: Chunk
        /// The score of the chunk's last entry, so a search picks a leaf without reading the others.
        var last: Double
        /// This leaf's node of the Fenwick tree over leaf sizes.
        var sizes: Int
    }

    static var chunkCapacity: Int { 128 }

    private(set) var leaves: [Leaf] = []
    private(set) var count = 0

    init() {}

    /// Builds the order from entries already in sorted-set order, leaving each chunk room to grow.
    init(sorted entries: [ScoredMember]) {
        var i = 0
        while i < entries.count {
            let end = min(i + Self.chunkCapacity / 2, entries.count)
            let c = Chunk()
            for e in entries[i..<end] { e.member.withUnsafeBytes { c.insert(e.score, $0, at: c.count) } }
            leaves.append(Leaf(chunk: c, last: entries[end - 1].score, sizes: c.count))
            i = end
        }
        count = entries.count
        buildSizes()
    }

    private mutating func uniqueChunk(_ i: Int) -> Chunk {
        if !isKnownUniquelyReferenced(&leaves[i].chunk) {
            leaves[i].chunk = Chunk(leaves[i].chunk, 0..<leaves[i].chunk.count)
        }
        return leaves[i].chunk
    }

    // MARK: Fenwick tree over leaf sizes

    /// The number of entries in the leaves before leaf `i`.
    private func entriesBefore(_ i: Int) -> Int {
        leaves.withUnsafeBufferPointer { l in
            var n = 0, j = i
            while j > 0 {
                n += l[j - 1].sizes
                j &= j - 1
            }
            return n
        }
    }

    private mutating func addSize(_ delta: Int, at i: Int) {
        leaves.withUnsafeMutableBufferPointer { l in
            var j = i + 1
            while j <= l.count {
                l[j - 1].sizes += delta
                j += j & -j
            }
        }
    }

    /// The leaf holding `rank` and the rank's position in it; (leaf count, 0) past the end.
    private func locate(_ rank: Int) -> (leaf: Int, offset: Int) {
        leaves.withUnsafeBufferPointer { l in
            var pos = 0, rest = rank
            var step = l.count == 0 ? 0 : 1 << (Int.bitWidth - 1 - l.count.leadingZeroBitCount)
            while step > 0 {
                if pos + step <= l.count && l[pos + step - 1].sizes <= rest {
                    pos += step
                    rest -= l[pos - 1].sizes
                }
                step >>= 1
            }
            return pos < l.count ? (pos, rest) : (l.count, 0)
        }
    }

    /// Turns plain leaf sizes into the Fenwick tree, in O(leaves).
    private mutating func buildSizes() {
        leaves.withUnsafeMutableBufferPointer { l in
            var i = 1
            while i <= l.count {
                let j = i + (i & -i)
                if j <= l.count { l[j - 1].sizes += l[i - 1].sizes }
                i += 1
            }
        }
    }

    /// Undoes `buildSizes`, so leaves can be inserted or removed with their plain sizes.
    private mutating func unbuildSizes() {
        leaves.withUnsafeMutableBufferPointer { l in
            var i = l.count
            while i > 0 {
                let j = i + (i & -i)
                if j <= l.count { l[j - 1].sizes -= l[i - 1].sizes }
                i -= 1
            }
        }
    }

    /// Adds, splits, merges or drops leaves: the Fenwick tree is undone around `body`, which must leave each
    /// leaf it touches with its chunk's plain count in `sizes`.
    private mutating func restructure(_ body: (inout [Leaf]) -> Void) {
        unbuildSizes()
        body(&leaves)
        buildSizes()
    }

    // MARK: Searches

    /// The first leaf whose last entry does not sort before (s, m); the last leaf when every one does.
    private func leafFor(_ s: Double, _ m: UnsafeRawBufferPointer) -> Int {
        leaves.withUnsafeBufferPointer { l in
            var lo = 0, hi = l.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                let t = l[mid].last
                let before = t != s ? t < s : l[mid].chunk.isBefore(l[mid].chunk.count - 1, s, m)
                if before { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    /// The number of entries for which `isBefore` holds; `isBefore` must hold for a prefix of the order.
    func partitionRank(_ isBefore: (ScoredMember) -> Bool) -> Int {
        guard !leaves.isEmpty else { return 0 }
        var lo = 0, hi = leaves.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let c = leaves[mid].chunk
            if isBefore(c.entry(c.count - 1)) { lo = mid + 1 } else { hi = mid }
        }
        guard lo < leaves.count else { return count }
        let c = leaves[lo].chunk
        var a = 0, b = c.count
        while a < b {
            let mid = (a + b) / 2
            if isBefore(c.entry(mid)) { a = mid + 1 } else { b = mid }
        }
        return entriesBefore(lo) + a
    }

    /// The score of `member` found by walking the order, as a listpack is searched.
    func firstScore(of member: UnsafeRawBufferPointer) -> Double? {
        for leaf in leaves {
            let c = leaf.chunk
            for i in 0..<c.count where bytesEqual(c.member(i), member) { return c.score(i) }
        }
        return nil
    }

    subscript(rank: Int) -> ScoredMember {
        let (l, o) = locate(rank)
        return leaves[l].chunk.entry(o)
    }

    /// The rank of an entry known to be present.
    func rank(of member: Bytes, score: Double) -> Int {
        member.withUnsafeBytes { m in
            let l = leafFor(score, m)
            return entriesBefore(l) + leaves[l].chunk.lowerBound(score, m)
        }
    }

    // MARK: Edits

    mutating func insert(_ s: Double, _ m: UnsafeRawBufferPointer) {
        count += 1
        guard !leaves.isEmpty else {
            let c = Chunk()
            c.insert(s, m, at: 0)
            leaves = [Leaf(chunk: c, last: s, sizes: 1)]
            return
        }
        let l = leafFor(s, m)
        let c = uniqueChunk(l)
        let at = c.lowerBound(s, m)
        c.insert(s, m, at: at)
        if at == c.count - 1 { leaves[l].last = s }
        guard c.count > Self.chunkCapacity else {
            addSize(1, at: l)
            return
        }
        // An entry appended after the last one (rising scores, as timestamps give) starts a chunk of its own and
        // leaves the full one full; elsewhere the chunk splits in half.
        let half = l == leaves.count - 1 && at == c.count - 1 ? c.count - 1 : c.count / 2
        let tail = Chunk(c, half..<c.count)
        c.truncate(half)
        restructure { leaves in
            leaves[l].sizes = half
            leaves[l].last = c.score(half - 1)
            leaves.insert(Leaf(chunk: tail, last: tail.score(tail.count - 1), sizes: tail.count), at: l + 1)
        }
    }

    /// Removes an entry known to be present.
    mutating func remove(_ s: Double, _ m: UnsafeRawBufferPointer) {
        let l = leafFor(s, m)
        remove(leaf: l, offset: leaves[l].chunk.lowerBound(s, m))
    }

    mutating func remove(at rank: Int) {
        let (l, o) = locate(rank)
        remove(leaf: l, offset: o)
    }

    private mutating func remove(leaf l: Int, offset o: Int) {
        count -= 1
        guard leaves[l].chunk.count > 1 else {
            restructure { $0.remove(at: l) }
            return
        }
        let c = uniqueChunk(l)
        c.remove(at: o)
        if o == c.count { leaves[l].last = c.score(o - 1) }
        // A small chunk joins a neighbour when both fit half a chunk, so deletes cannot leave a long list of
        // nearly empty chunks behind.
        let half = Self.chunkCapacity / 2
        if c.count < Self.chunkCapacity / 4 && l + 1 < leaves.count && c.count + leaves[l + 1].chunk.count <= half {
            restructure { leaves in
                c.append(contentsOf: leaves[l + 1].chunk)
                leaves[l].sizes = c.count
                leaves[l].last = leaves[l + 1].last
                leaves.remove(at: l + 1)
            }
        } else if c.count < Self.chunkCapacity / 4 && l > 0 && leaves[l - 1].chunk.count + c.count <= half {
            let p = uniqueChunk(l - 1)
            restructure { leaves in
                p.append(contentsOf: c)
                leaves[l - 1].sizes = p.count
                leaves[l - 1].last = leaves[l].last
                leaves.remove(at: l)
            }
        } else {
            addSize(-1, at: l)
        }
    }

    /// Visits entries from rank `from` forwards (or backwards with `reverse`) until `body` returns false.
    func walk(from: Int, reverse: Bool, _ body: (ScoredMember) -> Bool) {
        guard from >= 0 && from < count else { return }
        var (l, o) = locate(from)
        if reverse {
            while l >= 0 {
                let c = leaves[l].chunk
                while o >= 0 {
                    if !body(c.entry(o)) { return }
                    o -= 1
                }
                l -= 1
                if l >= 0 { o = leaves[l].chunk.count - 1 }
            }
        } else {
            while l < leaves.count {
                let c = leaves[l].chunk
                while o < c.count {
                    if !body(c.entry(o)) { return }
                    o += 1
                }
                l += 1
                o = 0
            }
        }
    }

    var chunkIdentities: [ObjectIdentifier] { leaves.map { ObjectIdentifier($0.chunk) } }
}
