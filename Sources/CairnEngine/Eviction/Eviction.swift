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
struct EvictionPool {
    static let size = 16
    struct Candidate {
        var score: UInt64
        var key: Bytes
        var db: Int
    }
    /// Ascending by score; the array never grows past `size`, so inserts shift at most 15 candidates.
    var candidates: [Candidate] = []
    /// Key buffers of dropped candidates, reused so filling the pool does not allocate.
    var spare: [Bytes] = []

    init() {
        candidates.reserveCapacity(Self.size)
        spare.reserveCapacity(Self.size)
    }

    func accepts(_ score: UInt64) -> Bool { candidates.count < Self.size || candidates[0].score < score }

    /// Redis's evictionPoolPopulate insertion: a candidate worse than every pooled one is dropped when the
    /// pool is full; otherwise it goes in order, pushing out the lowest score when there is no room.
    mutating func offer(score: UInt64, key: UnsafeRawBufferPointer, db: Int) {
        var k = 0
        while k < candidates.count && candidates[k].score < score { k += 1 }
        if candidates.count == Self.size {
            if k == 0 { return }
            k -= 1
            recycle(candidates.removeFirst().key)
        }
        var buffer = spare.popLast() ?? Bytes()
        buffer.append(contentsOf: key)
        candidates.insert(Candidate(score: score, key: buffer, db: db), at: k)
    }

    mutating func popBest() -> (key: Bytes, db: Int)? {
        guard let best = candidates.popLast() else { return nil }
        return (best.key, best.db)
    }

    mutating func recycle(_ key: Bytes) {
        guard spare.count < Self.size else { return }
        var k = key
        k.removeAll(keepingCapacity: true)
        spare.append(k)
    }
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

    /// The memory that counts against maxmemory: used_memory less what Redis also leaves out
    /// (freeMemoryGetNotCountedMemory: AOF and replica output buffers, reported through `memoryNotCounted`).
    public func memoryForEviction() -> Int {
        var used = usedMemory()
        for notCounted in memoryNotCounted { used -= notCounted() }
        return used
    }

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
        let used = allocated > limit ? memoryForEviction() : allocated
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
        while freed < toFree {
            guard let (key, dbIndex) = pickVictim(policy) else {
                eviction.pending = false
                return .failed
            }
            let db = dbs[dbIndex]
            key.withUnsafeBytes { k in
                // Only this database's slack moves: its slot now counts as free.
                let before = Int(csystem_used_memory()) - db.keys.slackBytes
                db.keys.remove(k)
                freed += before - (Int(csystem_used_memory()) - db.keys.slackBytes)
                eviction.evictedKeys += 1
                db.signalModified(k)
                notify(.evicted, "evicted", k, db: dbIndex)
            }
            alsoPropagate(db: dbIndex, [Bytes("DEL".utf8), key])
            eviction.pool.recycle(key)
            evicted += 1
            if evicted % 16 == 0 && Self.monotonicMicros() - start > timeLimit {
                eviction.pending = true
                return .running
            }
        }
        eviction.pending = false
        return .ok
    }

    /// The next key to evict under `policy`, or nil when no key qualifies.
    private func pickVictim(_ policy: EvictionPolicy) -> (Bytes, Int)? {
        let allKeys = policy.allKeys
        if policy.random {
            for _ in 0..<dbs.count {
                eviction.nextDB = (eviction.nextDB + 1) % dbs.count
                let db = dbs[eviction.nextDB]
                guard (allKeys ? db.count : db.volatileCount) > 0 else { continue }
                var victim: Bytes?
                db.keys.sample(1, volatileOnly: !allKeys, using: &accessRandom) { victim = $0.key }
                if let victim { return (victim, db.id) }
            }
            return nil
        }
        let clock = accessClock
        let samples = settings.maxmemorySamples
        while true {
            var total = 0
            for db in dbs {
                let n = allKeys ? db.count : db.volatileCount
                guard n > 0 else { continue }
                total += n
                db.keys.sample(samples, volatileOnly: !allKeys, using: &accessRandom) { e in
                    let score: UInt64
                    switch policy {
                    case .allkeysLFU, .volatileLFU: score = UInt64(255 - clock.frequency(e.access))
                    case .volatileTTL: score = UInt64.max - UInt64(e.expireAt)
                    default: score = UInt64(clock.idleMilliseconds(e.access))
                    }
                    // Checked first: reading a key from the heap is a cache miss.
                    guard eviction.pool.accepts(score) else { return }
                    e.withKey { eviction.pool.offer(score: score, key: $0, db: db.id) }
                }
            }
            if total == 0 { return nil }
            // Pooled keys may have gone since they were sampled (deleted, or their deadline removed).
            while let (key, dbIndex) = eviction.pool.popBest() {
                let present = key.withUnsafeBytes { k in
                    guard let exp = dbs[dbIndex].keys.expireAt(k) else { return false }
                    return allKeys || exp >= 0
                }
                if present { return (key, dbIndex) }
                eviction.pool.recycle(key)
            }
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
