import RESP

/// A collection type that lives in one case of `Value`. Edits and reads reach it through these static
/// members, so the generic helpers below specialise to direct code for each type.
protocol StoredCollection {
    static func extract(_ v: Value) -> Self?
    static func wrap(_ c: consuming Self) -> Value
    /// True when an edit that leaves the value like this deletes the key: an empty collection, never a stream.
    var deletesKey: Bool { get }
}

/// Names a collection type at call sites (`.list`, `.hash`...).
struct CollectionKind<T: StoredCollection> {
    @inline(__always) func extract(_ v: Value) -> T? { T.extract(v) }
    @inline(__always) func wrap(_ t: consuming T) -> Value { T.wrap(t) }
    @inline(__always) func isEmpty(_ t: T) -> Bool { t.deletesKey }

    static var set: CollectionKind<SetValue> { CollectionKind<SetValue>() }
    static var zset: CollectionKind<SortedSetValue> { CollectionKind<SortedSetValue>() }
}

extension SetValue: StoredCollection {
    static func extract(_ v: Value) -> SetValue? { if case .set(let s) = v { return s } else { return nil } }
    static func wrap(_ c: consuming SetValue) -> Value { .set(c) }
    var deletesKey: Bool { isEmpty }
}

extension SortedSetValue: StoredCollection {
    static func extract(_ v: Value) -> SortedSetValue? { if case .zset(let z) = v { return z } else { return nil } }
    static func wrap(_ c: consuming SortedSetValue) -> Value { .zset(c) }
    var deletesKey: Bool { isEmpty }
}

/// A keyspace notification: its class and event name.
struct KeyspaceEvent {
    let cls: KeyspaceEventClasses
    let name: StaticString
    init(_ cls: KeyspaceEventClasses, _ name: StaticString) { self.cls = cls; self.name = name }
}

extension Database {
    /// Edits the collection at `key` in place. A missing key is created from `create` (or left alone, giving nil,
    /// when it gives nil); another type is WRONGTYPE. `body` reports whether it changed anything: only then are watchers
    /// told and `event` published, as Redis signals only keys a command changed. A collection left empty is
    /// deleted, announced by a `del` event after the command's own, in Redis's order.
    func edit<T: StoredCollection, R>(_ key: UnsafeRawBufferPointer, _ kind: CollectionKind<T>, event: KeyspaceEvent,
                    create: () -> T? = { nil },
                    _ body: (inout T) -> (result: R, changed: Bool)) throws(CommandError) -> R? {
        var created = false
        var deleted = false
        var foundExpired = false
        let lookup = writeLookup
        let outcome = try withEntry(key) { (e: inout Entry?) throws(CommandError) -> (R, Bool)? in
            foundExpired = lookup.prepare(&e)
            var value: T
            if e != nil {
                guard let v = kind.extract(e!.value) else { throw CommandError.wrongType }
                value = v
                // Dropping the entry's reference (with no other copy of the entry alive) leaves `value`
                // unique, so the edit happens in place.
                e!.value = .int(0)
            } else if let v = create() {
                value = v
            } else {
                return nil
            }
            let (r, changed) = body(&value)
            if kind.isEmpty(value) {
                deleted = e != nil
                e = nil
            } else if e == nil {
                created = true
                e = Entry(key: key, value: kind.wrap(value))
            } else {
                e!.value = kind.wrap(value)
            }
            return (r, changed)
        }
        if foundExpired { expired(key) }
        guard let (r, changed) = outcome else { return nil }
        if created { engine.notify(.newKey, "new", key, db: id) }
        if changed {
            signalModified(key)
            engine.notify(event.cls, event.name, key, db: id)
        }
        if deleted { engine.notify(.generic, "del", key, db: id) }
        return r
    }

    /// Stores the result of a STORE command (SINTERSTORE, ZUNIONSTORE...): a non-empty value replaces the key
    /// and its deadline; an empty one deletes the key. Counts `dirty` as Redis does: once for a store, once for
    /// a deletion of a key that existed.
    func storeResult(_ key: UnsafeRawBufferPointer, _ value: Value?, event: KeyspaceEvent) {
        if let value {
            set(key, value)
            engine.dirty += 1
            engine.notify(event.cls, event.name, key, db: id)
        } else if delete(key) {
            engine.dirty += 1
            engine.notify(.generic, "del", key, db: id)
        }
    }
}

/// The value at `key` as type T (nil when missing), WRONGTYPE for another type. A read counts a keyspace hit
/// or miss; `forWrite` looks the key up as Redis's lookupKeyWrite does, without counting.
func readCollection<T: StoredCollection>(_ ctx: CommandContext, _ key: UnsafeRawBufferPointer, _ kind: CollectionKind<T>,
                       forWrite: Bool = false) throws(CommandError) -> T? {
    guard let v = forWrite ? ctx.db.lookupWrite(key) : ctx.db.lookupRead(key) else { return nil }
    guard let t = kind.extract(v) else { throw CommandError.wrongType }
    return t
}

/// SSCAN/ZSCAN's options (after the cursor at args[2]): COUNT n (at least 1) and MATCH pattern.
/// SREM, ZREM and HDEL: removes the members named from argument 2 on, stopping once the collection is empty
/// (which deletes the key), and replies how many went. `remove` takes the argument index.
func removeMembersCommand<T: StoredCollection>(_ ctx: CommandContext, _ kind: CollectionKind<T>, event: KeyspaceEvent,
                             _ remove: (inout T, Int) -> Bool) throws(CommandError) {
    let a = ctx.args
    let removed = try ctx.db.edit(a[1], kind, event: event) { c -> (Int, Bool) in
        var n = 0
        for i in 2..<a.count where remove(&c, i) {
            n += 1
            if kind.isEmpty(c) { break }
        }
        return (n, n > 0)
    } ?? 0
    ctx.engine.dirty += removed
    ctx.out.integer(removed)
}

/// The type names SCAN's TYPE accepts: every value type Redis has.
let scanTypeNames: [StaticString] = ["string", "list", "set", "zset", "hash", "stream"]

struct ScanOptions {
    var count = 10
    var pattern: Bytes? = nil
    /// SCAN's TYPE filter, lowercased; the collection scans take no TYPE.
    var typeName: Bytes? = nil

    init(_ a: Args, from start: Int, allowType: Bool = false) throws(CommandError) {
        var i = start
        while i < a.count {
            guard i + 1 < a.count else { throw CommandError.syntax }
            if a.isKeyword(i, "count") {
                count = Int(try a.int64(i + 1))
                if count < 1 { throw CommandError.syntax }
            } else if a.isKeyword(i, "match") {
                let p = a[i + 1]
                pattern = p.count == 1 && p[0] == UInt8(ascii: "*") ? nil : Bytes(p)
            } else if allowType && a.isKeyword(i, "type") {
                let name = a[i + 1]
                // Valkey 8 rejects a name no value type has, where Redis 7.0 silently matched nothing.
                guard scanTypeNames.contains(where: { name.equalsLowercase($0) }) else {
                    throw CommandError("ERR unknown type name '\(String(decoding: name, as: UTF8.self))'")
                }
                typeName = name.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
            } else {
                throw CommandError.syntax
            }
            i += 2
        }
    }

    func matches(_ member: Bytes) -> Bool {
        guard let pattern else { return true }
        return globMatch(pattern: pattern, string: member)
    }
}

/// Redis's getPositiveLongFromObjectOrReply: a non-negative integer; anything else gets the one message.
func nonNegativeArgument(_ a: Args, _ i: Int, error: String = "ERR value is out of range, must be positive") throws(CommandError) -> Int {
    guard let v = NumberParsing.int64(a[i]), v >= 0 else { throw CommandError(error) }
    return Int(v)
}
