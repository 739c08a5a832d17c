/// One of the numbered databases: a keyspace plus the bookkeeping Redis attaches to it (lazy expiry, WATCH).
///
/// Every write goes through the methods here, so WATCH invalidation and expiry accounting cannot be forgotten
/// by a command handler.
public final class Database {
    public let id: Int
    public var keys = Keyspace()
    /// The engine owns its databases and outlives them, so this back reference needs no reference counting.
    unowned(unsafe) let engine: Engine
    /// Clients watching each key (WATCH); checked on every write, usually empty.
    var watchers: [Bytes: [ClientSession]] = [:]
    var expireCursor = 0

    init(id: Int, engine: Engine) {
        self.id = id
        self.engine = engine
    }

    public var count: Int { keys.count }
    public var volatileCount: Int { keys.volatileCount }

    // MARK: reads

    /// lookupKeyRead: expires the key if its deadline passed and counts a keyspace hit or miss. `touch: false`
    /// leaves the access field alone (Redis's LOOKUP_NOTOUCH, which OBJECT and DEBUG OBJECT use).
    public func lookupRead(_ key: UnsafeRawBufferPointer, touch: Bool = true) -> Value? {
        let v = lookupWrite(key, touch: touch)
        if v == nil {
            engine.stats.keyspaceMisses += 1
            engine.notify(.keyMiss, "keymiss", key, db: id)
        } else {
            engine.stats.keyspaceHits += 1
        }
        return v
    }

    /// lookupKeyWrite: expires the key if its deadline passed and updates its access field; no hit/miss
    /// accounting.
    public func lookupWrite(_ key: UnsafeRawBufferPointer, touch: Bool = true) -> Value? {
        let found = touch && engine.touchKeys ? keys.lookup(key, touching: engine.accessClock) : keys.lookup(key)
        guard let (v, exp) = found else { return nil }
        if Entry.isExpired(exp, now: engine.now) {
            if engine.expiryFollowsPrimary { return engine.obeying ? v : nil }
            expire(key)
            return nil
        }
        return v
    }

    public func exists(_ key: UnsafeRawBufferPointer) -> Bool { lookupWrite(key) != nil }

    /// Absolute deadline in ms, -1 without one, nil when the key does not exist.
    public func expireAt(_ key: UnsafeRawBufferPointer) -> Int64? {
        guard lookupWrite(key) != nil else { return nil }
        return keys.expireAt(key)
    }

    // MARK: writes

    /// Read-modify-write of one key. The key is expired first if due. When `body` throws nothing changes and
    /// no watcher is disturbed; when it returns, the key counts as modified.
    public func mutate<R>(_ key: UnsafeRawBufferPointer, _ body: (inout Entry?) throws(CommandError) -> R) throws(CommandError) -> R {
        var created = false
        var foundExpired = false
        let lookup = writeLookup
        // The outcome is carried out of the closure so an expired key's bookkeeping happens even when `body`
        // refuses.
        let outcome = withEntry(key) { (e: inout Entry?) -> Result<R, CommandError> in
            foundExpired = lookup.prepare(&e)
            let existed = e != nil
            do throws(CommandError) {
                let r = try body(&e)
                created = !existed && e != nil
                return .success(r)
            } catch {
                return .failure(error)
            }
        }
        if foundExpired { expired(key) }
        let r = try outcome.get()
        if created { engine.notify(.newKey, "new", key, db: id) }
        signalModified(key)
        return r
    }

    /// lookupKeyWrite's rules for single-pass writes (`mutate`, collection edits), where one keyspace lookup
    /// serves the expiry check, the access stamp and the edit itself.
    struct WriteLookup {
        let clock: AccessClock
        let touch: Bool
        /// On a replica the primary's own commands still see a key past its deadline, its DEL being on the
        /// way; anyone else's write drops it first (Redis's expireIfNeeded with a forced delete).
        let keepsExpired: Bool

        /// Drops an expired entry (true: the caller reports it with `expired(key)` once the pass ends) or
        /// stamps a live one's access field.
        @inline(__always) func prepare(_ e: inout Entry?) -> Bool {
            guard e != nil else { return false }
            if Entry.isExpired(e!.expireAt, now: clock.now) {
                if keepsExpired { return false }
                e = nil
                return true
            }
            if touch { e!.access = clock.touched(e!.access) }
            return false
        }
    }

    var writeLookup: WriteLookup {
        WriteLookup(clock: engine.accessClock, touch: engine.touchKeys,
                    keepsExpired: engine.expiryFollowsPrimary && engine.obeying)
    }

    /// The keyspace's withEntry, stamping an inserted entry's access field with the clock now. It neither
    /// expires the key nor tells watchers; callers do.
    public func withEntry<R, E: Error>(_ key: UnsafeRawBufferPointer, _ body: (inout Entry?) throws(E) -> R) throws(E) -> R {
        try keys.withEntry(key, access: engine.accessClock.fresh, body)
    }

    /// Stores a value, replacing any previous one and its deadline (SET semantics). A replaced entry whose
    /// deadline had passed counts as expired, as the lookup Redis does first would have counted it. `access`
    /// carries a moved object's access field along (RENAME, MOVE).
    public func set(_ key: UnsafeRawBufferPointer, _ value: Value, expireAt: Int64 = -1, access: UInt32? = nil) {
        let clock = engine.accessClock
        var stale = false
        var created = false
        keys.withEntry(key, access: access ?? clock.fresh) { e in
            if e != nil {
                stale = Entry.isExpired(e!.expireAt, now: clock.now)
                e!.value = value
                e!.expireAt = expireAt
                // What Redis's lookupKeyWrite and dbOverwrite leave: a new object's clock under LRU, the old
                // counter, after this access, under LFU.
                e!.access = access ?? (stale ? clock.fresh : clock.touched(e!.access))
            } else {
                created = true
                e = Entry(key: key, value: value, expireAt: expireAt)
            }
        }
        if stale {
            engine.stats.expiredKeys += 1
            engine.notify(.expired, "expired", key, db: id)
            propagateExpiry(key)
        }
        if stale || created { engine.notify(.newKey, "new", key, db: id) }
        signalModified(key)
    }

    /// Stores a value and keeps the existing deadline (SET KEEPTTL, and in-place updates).
    public func setKeepingTTL(_ key: UnsafeRawBufferPointer, _ value: Value) {
        let live = lookupWrite(key) != nil
        withEntry(key) { e in
            if live && e != nil { e!.value = value } else { e = Entry(key: key, value: value) }
        }
        if !live { engine.notify(.newKey, "new", key, db: id) }
        signalModified(key)
    }

    @discardableResult
    public func delete(_ key: UnsafeRawBufferPointer) -> Bool {
        guard lookupWrite(key) != nil else { return false }
        keys.remove(key)
        signalModified(key)
        return true
    }

    /// Sets or clears (-1) the deadline of an existing key. Returns false when the key does not exist.
    @discardableResult
    public func setExpire(_ key: UnsafeRawBufferPointer, _ at: Int64) -> Bool {
        guard lookupWrite(key) != nil else { return false }
        withEntry(key) { $0!.expireAt = at }
        signalModified(key)
        return true
    }

    /// Empties the database. Like Redis, a WATCH breaks only if its key existed (FLUSHDB/FLUSHALL).
    public func flush() {
        touchWatched(existingIn: [self])
        keys.removeAll()
        if !engine.blockingKeys.isEmpty { engine.databaseReplaced(id) }
    }

    /// Exchanges contents with another database (SWAPDB). A watched key in either database counts as
    /// modified when it exists on either side, since its value may change underneath the watcher.
    public func swapContents(with other: Database) {
        touchWatched(existingIn: [self, other])
        other.touchWatched(existingIn: [self, other])
        swap(&keys, &other.keys)
        if !engine.blockingKeys.isEmpty {
            engine.databaseReplaced(id)
            engine.databaseReplaced(other.id)
        }
    }

    // MARK: expiry

    /// Deletes a key whose deadline passed, as Redis's deleteExpiredKeyAndPropagate does.
    @usableFromInline
    func expire(_ key: UnsafeRawBufferPointer) {
        keys.remove(key)
        expired(key)
    }

    /// The bookkeeping of a key found expired and already removed: counted, announced, propagated as DEL.
    func expired(_ key: UnsafeRawBufferPointer) {
        engine.stats.expiredKeys += 1
        engine.notify(.expired, "expired", key, db: id)
        propagateExpiry(key)
        signalModified(key)
    }

    /// One step of the active expire cycle; returns how many keys it removed.
    func activeExpire(budget: Int) -> Int {
        guard keys.volatileCount > 0 else { return 0 }
        var removed: [Bytes] = []
        expireCursor = keys.removeExpired(now: engine.now, from: expireCursor, budget: budget) { removed.append($0.key) }
        // Announced once the keyspace is no longer being mutated: watchers and subscribers may read it.
        for key in removed {
            key.withUnsafeBytes { k in
                engine.notify(.expired, "expired", k, db: id)
                propagateExpiry(k)
                signalModified(k)
            }
        }
        engine.stats.expiredKeys += removed.count
        return removed.count
    }

    /// An expired key leaves the AOF and replicas through an explicit DEL: they never expire keys themselves.
    func propagateExpiry(_ key: UnsafeRawBufferPointer) {
        engine.propagateDel(db: id, key)
    }

    // MARK: WATCH

    @inline(__always)
    public func signalModified(_ key: UnsafeRawBufferPointer) {
        if !watchers.isEmpty { touchWatched(key) }
        if !engine.blockingKeys.isEmpty { engine.keyTouched(db: id, key) }
    }

    @usableFromInline
    func touchWatched(_ key: UnsafeRawBufferPointer) {
        let k = Bytes(key)
        guard let clients = watchers[k] else { return }
        let present = keys.lookup(key) != nil
        for c in clients {
            // As Redis: a key already expired when watched that is now merely deleted has not changed.
            if !present, let i = c.watched.firstIndex(where: { $0.db == id && $0.key == k && $0.expiredAtWatch }) {
                c.watched[i].expiredAtWatch = false
                continue
            }
            c.watchBroken = true
        }
    }

    func touchWatched(existingIn dbs: [Database]) {
        for (key, clients) in watchers {
            let exists = key.withUnsafeBytes { k in dbs.contains { $0.keys.lookup(k) != nil } }
            if exists { for c in clients { c.watchBroken = true } }
        }
    }

    func addWatcher(_ key: Bytes, _ client: ClientSession) {
        watchers[key, default: []].append(client)
    }

    func removeWatcher(_ key: Bytes, _ client: ClientSession) {
        guard var list = watchers[key] else { return }
        list.removeAll { $0 === client }
        watchers[key] = list.isEmpty ? nil : list
    }
}
