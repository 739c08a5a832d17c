import CSystem
import RESP

/// maxmemory-policy; the raw values are the directive's words, in the order Redis lists them in errors.
public enum EvictionPolicy: String, Sendable, CaseIterable {
    case volatileLRU = "volatile-lru", volatileLFU = "volatile-lfu", volatileRandom = "volatile-random"
    case volatileTTL = "volatile-ttl", allkeysLRU = "allkeys-lru", allkeysLFU = "allkeys-lfu"
    case allkeysRandom = "allkeys-random", noeviction

    var allKeys: Bool { self == .allkeysLRU || self == .allkeysLFU || self == .allkeysRandom }
    var random: Bool { self == .allkeysRandom || self == .volatileRandom }
    /// Redis's MAXMEMORY_FLAG_LRU: the policies whose saves record each key's idle time (RDB IDLE).
    public var isLRU: Bool { self == .allkeysLRU || self == .volatileLRU }
    /// The LFU policies keep an access counter in each key instead of its last access time.
    public var isLFU: Bool { self == .allkeysLFU || self == .volatileLFU }
}

/// What performEvictions achieved, as Redis's EVICT_OK / EVICT_RUNNING / EVICT_FAIL.
public enum EvictionResult { case ok, running, failed }

/// Redis's eviction pool: the best candidates seen so far across samples, ordered by ascending score (idle
/// time, 255 - LFU counter, or the inverted deadline), so each eviction takes the highest-scoring one that
/// still exists. Keeping candidates between evictions is what makes 5 samples approach true LRU.
///
/// Candidates live in 16 fixed slots whose key bytes are copied into buffers allocated once (keys up to
/// `cachedKeyBytes`, as Redis caches one sds per slot); `order` lists the occupied slots by ascending score.
/// Filling the pool then neither allocates nor touches a reference count, and an insertion shifts at most
/// 15 bytes.
final class EvictionPool {
    static let size = 16
    static let cachedKeyBytes = 255

    private let scores = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
    private let dbs = UnsafeMutablePointer<Int>.allocate(capacity: size)
    private let keyLengths = UnsafeMutablePointer<Int>.allocate(capacity: size)
    private let keyBytes = UnsafeMutableRawPointer.allocate(byteCount: size * cachedKeyBytes, alignment: 8)
    /// Keys longer than `cachedKeyBytes`, by slot: rare, so they may allocate.
    private var longKeys = [Bytes](repeating: [], count: size)
    /// Occupied slots, ascending by score, in `order[0..<count]`; the free ones after them.
    private let order = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
    private(set) var count = 0

    init() {
        for i in 0..<Self.size { order[i] = UInt8(i) }
    }

    deinit {
        scores.deallocate()
        dbs.deallocate()
        keyLengths.deallocate()
        keyBytes.deallocate()
        order.deallocate()
    }

    func accepts(_ score: UInt64) -> Bool { count < Self.size || scores[Int(order[0])] < score }

    /// Redis's evictionPoolPopulate insertion: a candidate worse than every pooled one is dropped when the
    /// pool is full; otherwise it goes in order, pushing out the lowest score when there is no room.
    func offer(score: UInt64, key: UnsafeRawBufferPointer, db: Int) {
        var k = 0
        while k < count && scores[Int(order[k])] < score { k += 1 }
        let slot: UInt8
        if count == Self.size {
            if k == 0 { return }
            k -= 1
            slot = order[0]
            (order).update(from: order + 1, count: k)
        } else {
            slot = order[count]
            (order + k + 1).update(from: order + k, count: count - k)
            count += 1
        }
        order[k] = slot
        let i = Int(slot)
        scores[i] = score
        dbs[i] = db
        keyLengths[i] = key.count
        if key.count <= Self.cachedKeyBytes {
            if key.count > 0 { (keyBytes + i * Self.cachedKeyBytes).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        } else {
            longKeys[i] = Bytes(key)
        }
    }

    /// Takes out the highest-scoring candidate and gives `body` its key and database; nil when empty.
    func popBest<R>(_ body: (UnsafeRawBufferPointer, Int) -> R) -> R? {
        guard count > 0 else { return nil }
        count -= 1
        let i = Int(order[count])
        let n = keyLengths[i]
        if n <= Self.cachedKeyBytes { return body(UnsafeRawBufferPointer(start: keyBytes + i * Self.cachedKeyBytes, count: n), dbs[i]) }
        defer { longKeys[i] = [] }
        return longKeys[i].withUnsafeBytes { body($0, dbs[i]) }
    }

    /// The pooled scores, lowest first.
    var orderedScores: [UInt64] { (0..<count).map { scores[Int(order[$0])] } }
}

/// The state eviction keeps between calls.
public struct EvictionState {
    var pool = EvictionPool()
    /// The database the random policies try next (Redis's static next_db).
    var nextDB = 0
    /// Eviction stopped at its time limit with memory still over: the server resumes it each loop turn, and
    /// meanwhile writes are not refused (EVICT_RUNNING).
    public internal(set) var pending = false

    /// CONFIG RESETSTAT.
    public mutating func resetStatistics() {
        evictedKeys = 0
        exceededMicros = 0
        if exceededSince != 0 { exceededSince = Engine.monotonicMicros() }
    }

    /// Makes the next loop turn check memory (maxmemory was lowered).
    public mutating func scheduleRun() { pending = true }
    /// Set while the AOF or a replica stream is being loaded: a load evicts nothing, as in Redis.
    public var suspended = false
    public internal(set) var evictedKeys = 0
    /// Microseconds spent over the limit (INFO total_eviction_exceeded_time), and when the current stretch began.
    public internal(set) var exceededMicros = 0
    public internal(set) var exceededSince = 0
}

extension Engine {
    /// INFO's used_memory: all the process has allocated (every thread, through the counting malloc in
    /// CSystem), less the keyspaces' empty entry slots, which the next inserts reuse without allocating, as an
    /// allocator's freed chunks are not in Redis's figure either.
    public func usedMemory() -> Int {
        var used = Int(csystem_used_memory())
        for db in dbs where db.keys.entrySlots != 0 { used -= db.keys.slackBytes }
        return used
    }

    /// What Redis also leaves out of the memory that counts against maxmemory (freeMemoryGetNotCountedMemory:
    /// AOF and replica output buffers, reported through `memoryNotCounted`).
    public var memoryNotCountedForEviction: Int { memoryNotCounted.reduce(0) { $0 + $1() } }

    /// Redis's evictionTimeLimitUs: how long one call may evict before deferring to the next loop turn.
    var evictionTimeLimitMicros: Int {
        let tenacity = settings.maxmemoryEvictionTenacity
        if tenacity <= 10 { return 50 * tenacity }
        if tenacity < 100 { return Int(500 * pow115(tenacity - 10)) }
        return Int.max
    }

    private func pow115(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<n { r *= 1.15 }
        return r
    }

    /// Redis's performEvictions: while memory is over maxmemory, deletes the keys the policy picks. Each
    /// eviction is its own propagated DEL and fires an `evicted` event.
    @discardableResult
    public func performEvictions() -> EvictionResult {
        let limit = settings.maxmemory
        // The allocator's count is never below the figure that counts, so under the limit it answers alone:
        // walking the databases and reporters is only for a process over it.
        let allocated = Int(csystem_used_memory())
        if allocated <= limit && !eviction.pending && eviction.exceededSince == 0 { return .ok }
        // A replica mirrors its primary (replica-ignore-maxmemory), and a loading server evicts nothing.
        guard limit > 0, !eviction.suspended, role == "master" else { eviction.pending = false; return .ok }
        // Each step only lowers the figure, so the reporters of uncounted memory (closures over the AOF and the
        // replicas) are asked only when the keyspaces' free slots do not bring it under the limit.
        var used = allocated
        if used > limit { used = usedMemory() }
        if used > limit { used -= memoryNotCountedForEviction }
        guard used > limit else {
            eviction.pending = false
            if eviction.exceededSince != 0 {
                eviction.exceededMicros += Self.monotonicMicros() - eviction.exceededSince
                eviction.exceededSince = 0
            }
            return .ok
        }
        if eviction.exceededSince == 0 { eviction.exceededSince = Self.monotonicMicros() }
        let policy = settings.evictionPolicy
        guard policy != .noeviction else { return .failed }
        let toFree = used - limit
        var freed = 0
        var evicted = 0
        let start = Self.monotonicMicros()
        let timeLimit = evictionTimeLimitMicros
        let volatileOnly = !policy.allKeys
        while freed < toFree {
            guard fillPool(policy) else {
                eviction.pending = false
                return .failed
            }
            let removed = eviction.pool.popBest { k, dbIndex in
                let db = dbs[dbIndex]
                // Only this database's slack moves: its slot now counts as free.
                let before = Int(csystem_used_memory()) - db.keys.slackBytes
                // A pooled key may have gone since it was sampled (deleted, or its deadline removed).
                guard db.keys.remove(k, volatileOnly: volatileOnly) else { return false }
                freed += before - (Int(csystem_used_memory()) - db.keys.slackBytes)
                eviction.evictedKeys += 1
                db.signalModified(k)
                notify(.evicted, "evicted", k, db: dbIndex)
                propagateDel(db: dbIndex, k)
                return true
            } ?? false
            guard removed else { continue }
            evicted += 1
            if evicted % 16 == 0 && Self.monotonicMicros() - start > timeLimit {
                eviction.pending = true
                return .running
            }
        }
        eviction.pending = false
        return .ok
    }

    /// Puts the next key to evict under `policy` at the top of the pool; false when no key qualifies. A pooled
    /// key may be gone by now: the caller's removal finds out.
    private func fillPool(_ policy: EvictionPolicy) -> Bool {
        let allKeys = policy.allKeys
        if policy.random {
            for _ in 0..<dbs.count {
                eviction.nextDB = (eviction.nextDB + 1) % dbs.count
                let db = dbs[eviction.nextDB]
                guard (allKeys ? db.count : db.volatileCount) > 0 else { continue }
                var found = false
                // The top score puts the random pick above anything a former LRU/LFU policy left pooled.
                db.keys.sample(1, volatileOnly: !allKeys, using: &accessRandom) { e, _ in
                    Slot.withKey(at: e) { eviction.pool.offer(score: .max, key: $0, db: db.id) }
                    found = true
                }
                if found { return true }
            }
            return false
        }
        let clock = accessClock
        let samples = settings.maxmemorySamples
        // Read once: each `eviction.pool` inside the sampling closure retained and released the pool.
        let pool = eviction.pool
        while true {
            var total = 0
            for db in dbs {
                let n = allKeys ? db.count : db.volatileCount
                guard n > 0 else { continue }
                total += n
                db.keys.sample(samples, volatileOnly: !allKeys, using: &accessRandom) { e, expireAt in
                    let score: UInt64
                    switch policy {
                    case .allkeysLFU, .volatileLFU: score = UInt64(255 - clock.frequency(e.pointee.access))
                    case .volatileTTL: score = UInt64.max - UInt64(expireAt)
                    default: score = UInt64(clock.idleMilliseconds(e.pointee.access))
                    }
                    // Checked first: reading a key from the heap is a cache miss.
                    guard pool.accepts(score) else { return }
                    Slot.withKey(at: e) { pool.offer(score: score, key: $0, db: db.id) }
                }
            }
            if total == 0 { return false }
            // A sparse spread of deadlines can leave a volatile sample empty: sample again.
            if pool.count > 0 { return true }
        }
    }

    /// Whether `cmd` must be refused with -OOM, as Redis's processCommand decides: evictions run first; then a
    /// denyoom command (or an EXEC queueing one, or anything queued inside MULTI) is refused if memory is
    /// still over the limit and nothing was left to evict.
    func refusedForMemory(_ client: ClientSession, _ cmd: Command) -> Bool {
        guard performEvictions() == .failed else { return false }
        if cmd.flags.contains(.denyOOM) { return true }
        if client.inMulti {
            switch cmd.name {
            case "exec": return client.multiQueue.contains { $0.0.flags.contains(.denyOOM) }
            case "discard", "quit", "reset": return false
            default: return true
            }
        }
        return false
    }

    static let outOfMemoryMessage = "OOM command not allowed when used memory > 'maxmemory'."
}
