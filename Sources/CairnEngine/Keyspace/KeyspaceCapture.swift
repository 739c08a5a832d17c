#if canImport(Glibc)
import Glibc
#endif
import CSystem
import Synchronization

/// The point-in-time image of one keyspace that a snapshot serializes: the segments the keyspace held when
/// the capture began, as they were then.
///
/// Retaining every segment in one loop turn cost a cache miss per segment (1.35 ms for a million keys on a
/// loaded machine, several times that at five million), so the event loop takes them a bounded number per turn
/// (`Keyspace.continueCapture`), and a write about to change a segment not yet taken takes it first
/// (`Keyspace.uniqueSegment`), which leaves it shared and makes the write copy it as after any capture.
/// Segments a split adds during the capture are left out: their keys were in a segment taken before the split.
public final class KeyspaceImage: @unchecked Sendable {
    // @unchecked: filled on the event loop while the capture runs; a snapshot thread reads it only after
    // DatasetCapture published its completion, and from then on the two touch disjoint positions of `held`,
    // handed over through `returned`.
    /// The segments taken, in positions below `taken`; allocated on the loop, so that neither thread grows it.
    private let held: UnsafeMutablePointer<Segment?>
    private var taken = 0
    /// Positions below this one have not been visited by `drain` yet.
    private var unvisited = 0
    /// Keys and keys with a deadline at capture time (RDB's RESIZEDB).
    public let count: Int
    public let volatileCount: Int
    /// How many segments the live table had when the capture began: the ones the image is made of.
    let total: Int
    /// Every segment below this position is in the image; the loop takes the next ones from here.
    private(set) var cursor = 0
    /// Segments at or past the cursor that a write took early, one bit each.
    private var takenEarly: [UInt64]
    /// Whether `drain` hands the segments it holds alone back to the event loop (see `drain`).
    let returnsShells: Bool
    /// Emptied segments handed back, in the positions from `taken - 1` down; the loop freed the first `freed`.
    private let returned = Atomic<Int>(0)
    private var freed = 0

    init(total: Int, count: Int, volatileCount: Int, returnsShells: Bool = false) {
        self.total = total
        self.count = count
        self.volatileCount = volatileCount
        self.returnsShells = returnsShells
        takenEarly = [UInt64](repeating: 0, count: (total + 63) / 64)
        held = .allocate(capacity: max(total, 1))
    }

    deinit {
        held.deinitialize(count: taken)
        held.deallocate()
    }

    var isComplete: Bool { cursor == total }

    /// Whether segment `si` of the live table must be taken before the keyspace changes it.
    @inline(__always)
    func needs(_ si: Int) -> Bool {
        si >= cursor && si < total && takenEarly[si >> 6] & (1 << UInt64(si & 63)) == 0
    }

    func takeEarly(_ si: Int, _ segment: Segment) {
        takenEarly[si >> 6] |= 1 << UInt64(si & 63)
        hold(segment)
    }

    @inline(__always)
    private func hold(_ segment: Segment) {
        (held + taken).initialize(to: segment)
        taken += 1
        unvisited = taken
    }

    /// Takes up to `budget` more segments from `live` in table order; returns how many positions it covered.
    func advance(over live: [Segment], budget: Int) -> Int {
        let end = budget >= total - cursor ? total : cursor + budget
        let start = cursor
        live.withUnsafeBufferPointer { s in
            for si in start..<end {
                // Each retain waits for the segment's header; fetched ahead, the misses overlap.
                if si + 16 < end { csystem_prefetch(Unmanaged.passUnretained(s[si + 16]).toOpaque()) }
                if takenEarly[si >> 6] & (1 << UInt64(si & 63)) == 0 { hold(s[si]) }
            }
        }
        cursor = end
        return end - start
    }

    /// Visits every entry of the image, letting go of each segment once visited: the event loop's next write
    /// to a segment the image no longer holds need not copy it.
    ///
    /// A segment the loop has replaced by its copy is the image's alone, and freeing it from this thread took
    /// the event loop's malloc arena lock (glibc returns a chunk to the arena that allocated it). This thread
    /// runs at a low priority, so when it was preempted holding that lock, the loop's next allocation slept
    /// until it ran again (PINGs of 41, 43 and 179 ms in BGSAVEs at five million keys under 50 writers, on a
    /// loaded machine). Such a
    /// segment's entries are released here (short values go to this thread's cache, lock-free), and the empty
    /// segment is handed back for the loop to free (`freeReturned`) when `returnsShells`.
    public func drain(_ body: (Entry) throws -> Void) rethrows {
        while unvisited > 0 {
            unvisited -= 1
            guard var seg = held[unvisited].take() else { continue }
            for j in 0..<seg.count { try body(Entry(seg.slots[j], expireAt: seg.expireAt(j))) }
            guard returnsShells, isKnownUniquelyReferenced(&seg) else { continue }
            seg.releaseEntries()
            // Visited positions are empty, and the shells returned so far fill the top ones; the next goes below.
            let r = returned.load(ordering: .relaxed)
            held[taken - 1 - r] = seg
            returned.store(r + 1, ordering: .releasing)
        }
    }

    /// On the event loop: whether the draining thread has handed back segments not freed yet.
    var hasReturned: Bool { returned.load(ordering: .relaxed) > freed }

    /// On the event loop: frees up to `budget` segments handed back by `drain`; returns how many.
    func freeReturned(budget: Int) -> Int {
        let start = freed
        let available = returned.load(ordering: .acquiring) - start
        let end = available <= budget ? start + available : start + budget
        for k in start..<end { held[taken - 1 - k] = nil }
        freed = end
        return end - start
    }
}

/// The images of every non-empty database, for one snapshot. The event loop completes them over a few turns
/// (Engine.advanceCaptures); the thread that serializes them waits for that first (`waitUntilComplete`).
public final class DatasetCapture: @unchecked Sendable {
    // @unchecked: `databases` is only read by another thread once `complete` was published through `ready`.
    public let databases: [(id: Int, image: KeyspaceImage)]
    private let complete = Atomic<Bool>(false)
    private let ready: UnsafeMutablePointer<sem_t>

    init(_ databases: [(id: Int, image: KeyspaceImage)]) {
        self.databases = databases
        ready = .allocate(capacity: 1)
        sem_init(ready, 0, 0)
    }

    deinit {
        sem_destroy(ready)
        ready.deallocate()
    }

    /// On the event loop: whether every image is complete.
    var isCaptured: Bool { databases.allSatisfy { $0.image.isComplete } }

    /// On the event loop, once `isCaptured`: hands the images to the waiting thread.
    func publish() {
        complete.store(true, ordering: .releasing)
        sem_post(ready)
    }

    /// Wakes a thread waiting in `waitUntilComplete` without completing the capture (the snapshot was
    /// cancelled while the loop, which completes it, may be waiting for that thread).
    public func interrupt() { sem_post(ready) }

    /// Blocks until the loop published the images (true) or `interrupt` was called first (false).
    public func waitUntilComplete() -> Bool {
        while !complete.load(ordering: .acquiring) {
            if sem_wait(ready) != 0 { continue }
            if !complete.load(ordering: .acquiring) { return false }
        }
        return true
    }
}
