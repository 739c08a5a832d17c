#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import RESP

extension Engine {
    func registerKeyCommands() {
        register("del", arity: -2, flags: [.write], keys: .all(), categories: ["@keyspace", "@write", "@slow"], group: "generic", handler: deleteKeys)
        // Values are freed where the last reference drops; no type yet is large enough to warrant a lazy free.
        register("unlink", arity: -2, flags: [.write, .fast], keys: .all(), categories: ["@keyspace", "@write", "@fast"], group: "generic", handler: deleteKeys)
        // Without access-time tracking TOUCH has nothing to update beyond what EXISTS does.
        register("exists", arity: -2, flags: [.readonly, .fast], keys: .all(), categories: ["@keyspace", "@read", "@fast"], group: "generic") { ctx throws(CommandError) in
            countLiveKeys(ctx, touch: false)
        }
        register("touch", arity: -2, flags: [.readonly, .fast], keys: .all(), categories: ["@keyspace", "@read", "@fast"], group: "generic") { ctx throws(CommandError) in
            countLiveKeys(ctx, touch: true)
        }
        register("type", arity: 2, flags: [.readonly, .fast], keys: .one, categories: ["@keyspace", "@read", "@fast"], group: "generic") { ctx throws(CommandError) in
            guard let v = ctx.db.lookupRead(ctx.args[1], touch: false) else { ctx.out.raw("+none\r\n"); return }
            ctx.out.raw("+")
            ctx.out.raw(v.typeName)
            ctx.out.raw("\r\n")
        }
        register("rename", arity: 3, flags: [.write], keys: KeyPositions(first: 1, last: 2, step: 1), categories: ["@keyspace", "@write", "@slow"], group: "generic") { ctx throws(CommandError) in
            try rename(ctx, nx: false)
        }
        register("renamenx", arity: 3, flags: [.write, .fast], keys: KeyPositions(first: 1, last: 2, step: 1), categories: ["@keyspace", "@write", "@fast"], group: "generic") { ctx throws(CommandError) in
            try rename(ctx, nx: true)
        }
        register("copy", arity: -3, flags: [.write, .denyOOM], keys: KeyPositions(first: 1, last: 2, step: 1), categories: ["@keyspace", "@write", "@slow"], group: "generic", handler: copyKey)
        register("move", arity: 3, flags: [.write, .fast], keys: .one, categories: ["@keyspace", "@write", "@fast"], group: "generic", handler: moveKey)
        register("keys", arity: 2, flags: [.readonly], categories: ["@keyspace", "@read", "@slow", "@dangerous"], group: "generic", handler: keysCommand)
        register("scan", arity: -2, flags: [.readonly], categories: ["@keyspace", "@read", "@slow"], group: "generic", handler: scanCommand)
        register("randomkey", arity: 1, flags: [.readonly], categories: ["@keyspace", "@read", "@slow"], group: "generic") { ctx throws(CommandError) in
            let db = ctx.db
            while let e = db.keys.randomEntry() {
                // Picking an expired key deletes it, so this loop ends even if every key is past its deadline.
                if Entry.isExpired(e.expireAt, now: ctx.engine.now) {
                    _ = e.withKey { db.lookupWrite($0) }
                    continue
                }
                ctx.out.bulk(e.key)
                return
            }
            ctx.out.null()
        }
        register("dbsize", arity: 1, flags: [.readonly, .fast], categories: ["@keyspace", "@read", "@fast"], group: "server") { ctx throws(CommandError) in
            ctx.out.integer(ctx.db.count)
        }

        for (name, seconds, relative) in [("expire", true, true), ("pexpire", false, true),
                                          ("expireat", true, false), ("pexpireat", false, false)] {
            register(name, arity: -3, flags: [.write, .fast], keys: .one, categories: ["@keyspace", "@write", "@fast"], group: "generic") { ctx throws(CommandError) in
                try expireGeneric(ctx, baseTime: relative ? ctx.engine.now : 0, seconds: seconds)
            }
        }
        for (name, ms, absolute) in [("ttl", false, false), ("pttl", true, false),
                                     ("expiretime", false, true), ("pexpiretime", true, true)] {
            register(name, arity: 2, flags: [.readonly, .fast], keys: .one, categories: ["@keyspace", "@read", "@fast"], group: "generic") { ctx throws(CommandError) in
                replyTTL(ctx, milliseconds: ms, absolute: absolute)
            }
        }
        register("persist", arity: 2, flags: [.write, .fast], keys: .one, categories: ["@keyspace", "@write", "@fast"], group: "generic") { ctx throws(CommandError) in
            let key = ctx.args[1]
            guard ctx.db.lookupWrite(key) != nil, let at = ctx.db.keys.expireAt(key), at >= 0 else {
                ctx.out.integer(0)
                return
            }
            ctx.db.setExpire(key, -1)
            ctx.engine.dirty += 1
            ctx.notify(.generic, "persist", key)
            ctx.out.integer(1)
        }

        registerObjectCommand()

        register("swapdb", arity: 3, flags: [.write, .fast], categories: ["@keyspace", "@write", "@fast", "@dangerous"], group: "server") { ctx throws(CommandError) in
            let first = try int32Argument(ctx.args, 1, error: "ERR invalid first DB index")
            let second = try int32Argument(ctx.args, 2, error: "ERR invalid second DB index")
            guard let a = ctx.engine.database(first), let b = ctx.engine.database(second) else {
                throw CommandError.dbIndexOutOfRange
            }
            if a !== b { a.swapContents(with: b) }
            ctx.engine.dirty += 1
            ctx.out.ok()
        }
        register("flushdb", arity: -1, flags: [.write], categories: ["@keyspace", "@write", "@slow", "@dangerous"], group: "server") { ctx throws(CommandError) in
            let async = try flushIsAsync(ctx.args)
            ctx.engine.flushDatabases([ctx.db], async: async)
            ctx.out.ok()
        }
        register("flushall", arity: -1, flags: [.write], categories: ["@keyspace", "@write", "@slow", "@dangerous"], group: "server") { ctx throws(CommandError) in
            let async = try flushIsAsync(ctx.args)
            ctx.engine.flushDatabases(ctx.engine.dbs, async: async)
            ctx.engine.afterFlushAll?()
            ctx.out.ok()
        }
    }

    private func registerObjectCommand() {
        let object = registerContainer("object", group: "generic")
        let keyAt2 = KeyPositions(first: 2, last: 2, step: 1)
        let cats = ["@keyspace", "@read", "@slow"]
        // OBJECT looks keys up without touching them, as Redis's objectCommandLookup does.
        register("encoding", arity: 3, flags: [.readonly], keys: keyAt2, categories: cats, group: "generic", parent: object) { ctx throws(CommandError) in
            guard let v = ctx.db.lookupRead(ctx.args[2], touch: false) else { ctx.out.null(); return }
            let name = v.encodingName
            ctx.out.bulk(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
        register("refcount", arity: 3, flags: [.readonly], keys: keyAt2, categories: cats, group: "generic", parent: object) { ctx throws(CommandError) in
            guard let v = ctx.db.lookupRead(ctx.args[2], touch: false) else { ctx.out.null(); return }
            ctx.out.integer(v.refcount)
        }
        register("idletime", arity: 3, flags: [.readonly], keys: keyAt2, categories: cats, group: "generic", parent: object) { ctx throws(CommandError) in
            guard let access = objectAccess(ctx) else { ctx.out.null(); return }
            let clock = ctx.engine.accessClock
            if clock.lfu {
                throw CommandError("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
            }
            ctx.out.integer(Int(clock.idleMilliseconds(access) / 1000))
        }
        register("freq", arity: 3, flags: [.readonly], keys: keyAt2, categories: cats, group: "generic", parent: object) { ctx throws(CommandError) in
            guard let access = objectAccess(ctx) else { ctx.out.null(); return }
            let clock = ctx.engine.accessClock
            if !clock.lfu {
                throw CommandError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
            }
            ctx.out.integer(Int(clock.frequency(access)))
        }
        register("help", arity: 2, flags: [.loading, .stale], categories: ["@keyspace", "@slow"], group: "generic", parent: object) { ctx throws(CommandError) in
            replyHelp(ctx, [
                "ENCODING <key>",
                "    Return the internal representation (encoding) of the value stored at <key>.",
                "FREQ <key>",
                "    Return the logarithmic access frequency counter of <key>; needs an LFU maxmemory policy.",
                "IDLETIME <key>",
                "    Return how many seconds have passed since <key> was last read or written.",
                "REFCOUNT <key>",
                "    Return how many references the value stored at <key> has.",
            ])
        }
    }

    /// Empties databases for FLUSHDB and FLUSHALL. With `async` the old contents are freed on a background
    /// thread, as Redis's lazy free does, so dropping millions of keys does not stall the event loop.
    func flushDatabases(_ targets: [Database], async: Bool) {
        var doomed: [Keyspace] = []
        for db in targets {
            dirty += db.count
            if async && db.count > 0 { doomed.append(db.keys) }
            db.flush()
        }
        guard !doomed.isEmpty else { return }
        // The parcel takes the only remaining references, so whichever thread empties it does the freeing.
        let parcel = KeyspaceParcel(doomed)
        doomed.removeAll()
        DispatchQueue.global(qos: .utility).async { parcel.spaces.removeAll() }
    }
}

private final class KeyspaceParcel: @unchecked Sendable {
    var spaces: [Keyspace]
    init(_ spaces: [Keyspace]) { self.spaces = spaces }
}

extension Value {
    /// What OBJECT REFCOUNT reports: Redis shares one object for each integer below 10000 (when no
    /// LRU/LFU eviction needs per-key metadata) and reports those with its "shared" refcount, INT_MAX.
    var refcount: Int {
        if case .int(let v) = self, v >= 0, v < 10000 { return Int(Int32.max) }
        return 1
    }
}

// MARK: handlers

private func deleteKeys(_ ctx: CommandContext) throws(CommandError) {
    var n = 0
    for i in 1..<ctx.args.count where ctx.db.delete(ctx.args[i]) {
        n += 1
        ctx.notify(.generic, "del", ctx.args[i])
    }
    ctx.engine.dirty += n
    ctx.out.integer(n)
}

/// The access field of OBJECT's key (argument 2), nil when it does not exist.
private func objectAccess(_ ctx: CommandContext) -> UInt32? {
    guard ctx.db.lookupRead(ctx.args[2], touch: false) != nil else { return nil }
    return ctx.db.keys.access(ctx.args[2])
}

/// EXISTS and TOUCH. Only TOUCH counts as an access: Redis's EXISTS, TYPE and TTL look keys up with NOTOUCH.
private func countLiveKeys(_ ctx: CommandContext, touch: Bool) {
    var n = 0
    for i in 1..<ctx.args.count where ctx.db.lookupRead(ctx.args[i], touch: touch) != nil { n += 1 }
    ctx.out.integer(n)
}

private func rename(_ ctx: CommandContext, nx: Bool) throws(CommandError) {
    let db = ctx.db
    let src = ctx.args[1], dst = ctx.args[2]
    guard let value = db.lookupWrite(src) else { throw CommandError.noSuchKey }
    if bytesEqual(src, dst) {
        if nx { ctx.out.integer(0) } else { ctx.out.ok() }
        return
    }
    let at = db.keys.expireAt(src) ?? -1
    if nx && db.lookupWrite(dst) != nil {
        ctx.out.integer(0)
        return
    }
    // Replacing deletes the old key and adds a new one, as Redis does (a `new` event announces it).
    let access = db.keys.access(src)
    db.delete(dst)
    db.set(dst, value, expireAt: at, access: access)
    db.delete(src)
    ctx.engine.dirty += 1
    ctx.notify(.generic, "rename_from", src)
    ctx.notify(.generic, "rename_to", dst)
    if nx { ctx.out.integer(1) } else { ctx.out.ok() }
}

private func moveKey(_ ctx: CommandContext) throws(CommandError) {
    let key = ctx.args[1]
    let index = try int32Argument(ctx.args, 2)
    guard let dst = ctx.engine.database(index) else { throw CommandError.dbIndexOutOfRange }
    let src = ctx.db
    if src === dst { throw CommandError.sameObject }
    guard let value = src.lookupWrite(key) else { ctx.out.integer(0); return }
    let at = src.keys.expireAt(key) ?? -1
    if dst.lookupWrite(key) != nil { ctx.out.integer(0); return }
    dst.set(key, value, expireAt: at, access: src.keys.access(key))
    src.delete(key)
    ctx.engine.dirty += 1
    ctx.engine.notify(.generic, "move_from", key, db: src.id)
    ctx.engine.notify(.generic, "move_to", key, db: dst.id)
    ctx.out.integer(1)
}

private func copyKey(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let src = ctx.db
    var dst = ctx.db
    var replace = false
    var i = 3
    while i < a.count {
        if a.isKeyword(i, "replace") {
            replace = true
        } else if a.isKeyword(i, "db") && i + 1 < a.count {
            let index = try int32Argument(a, i + 1)
            guard let d = ctx.engine.database(index) else { throw CommandError.dbIndexOutOfRange }
            dst = d
            i += 1
        } else {
            throw CommandError.syntax
        }
        i += 1
    }
    let key = a[1], newKey = a[2]
    if src === dst && bytesEqual(key, newKey) { throw CommandError.sameObject }
    guard let value = src.lookupRead(key) else { ctx.out.integer(0); return }
    let at = src.keys.expireAt(key) ?? -1
    if !replace && dst.lookupWrite(newKey) != nil { ctx.out.integer(0); return }
    dst.delete(newKey)
    // Values are copy-on-write, so the copy shares storage until either key is modified.
    dst.set(newKey, value, expireAt: at)
    ctx.engine.dirty += 1
    ctx.engine.notify(.generic, "copy_to", newKey, db: dst.id)
    ctx.out.integer(1)
}

private func keysCommand(_ ctx: CommandContext) throws(CommandError) {
    let pattern = ctx.args[1]
    let all = pattern.count == 1 && pattern[0] == UInt8(ascii: "*")
    let now = ctx.engine.now
    let mark = ctx.out.beginDeferred()
    var n = 0
    // KEYS only reads: expired keys are skipped, not deleted, as Redis does.
    ctx.db.keys.forEach { e in
        if Entry.isExpired(e.expireAt, now: now) { return }
        let hit = all || e.withKey { globMatch(pattern: pattern, string: $0, nocase: false) }
        if hit {
            ctx.out.bulk(e.key)
            n += 1
        }
    }
    ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: n)
}


private func scanCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    guard let cursor = parseScanCursor(a[1]) else { throw CommandError("ERR invalid cursor") }
    let options = try ScanOptions(a, from: 2, allowType: true)
    let db = ctx.db
    var found: [Bytes] = []
    let next = db.keys.scan(cursor: cursor, count: options.count) { e in
        if options.matches(e.key) { found.append(e.key) }
    }
    // Expired keys are dropped (and deleted) only after the walk: the keyspace must not change under it.
    found.removeAll { key in
        key.withUnsafeBytes { k in
            if let typeName = options.typeName {
                // A TYPE filter looks every key up as a read, which also counts keyspace hits, as Redis 7.2 does.
                guard let v = db.lookupRead(k) else { return true }
                return typeName != Bytes(v.typeName)
            }
            return db.lookupWrite(k) == nil
        }
    }
    ctx.out.array(2)
    ctx.out.bulk(String(next))
    ctx.out.array(found.count)
    for key in found { ctx.out.bulk(key) }
}

private func expireGeneric(_ ctx: CommandContext, baseTime: Int64, seconds: Bool) throws(CommandError) {
    let a = ctx.args
    var nx = false, xx = false, gt = false, lt = false
    for j in 3..<a.count {
        if a.isKeyword(j, "nx") { nx = true }
        else if a.isKeyword(j, "xx") { xx = true }
        else if a.isKeyword(j, "gt") { gt = true }
        else if a.isKeyword(j, "lt") { lt = true }
        else { throw CommandError("ERR Unsupported option \(cString(a[j]))") }
    }
    if nx && (xx || gt || lt) { throw CommandError("ERR NX and XX, GT or LT options at the same time are not compatible") }
    if gt && lt { throw CommandError("ERR GT and LT options at the same time are not compatible") }

    var when = try a.int64(2)
    if seconds {
        guard when <= Int64.max / 1000 && when >= Int64.min / 1000 else { throw CommandError.invalidExpire(ctx.name) }
        when *= 1000
    }
    guard when <= Int64.max - baseTime else { throw CommandError.invalidExpire(ctx.name) }
    when += baseTime

    let db = ctx.db
    let key = a[1]
    guard db.lookupWrite(key) != nil else { ctx.out.integer(0); return }
    let current = db.keys.expireAt(key) ?? -1
    // A key without a deadline counts as never expiring: GT can never beat it and LT always does.
    if (nx && current != -1) || (xx && current == -1) || (gt && (current == -1 || when <= current))
        || (lt && current != -1 && when >= current) {
        ctx.out.integer(0)
        return
    }
    // The NX/XX/GT/LT flags go along with the propagated PEXPIREAT, as Redis keeps them.
    applyDeadline(ctx, key, when, flags: (3..<a.count).map { a.bytes($0) })
    ctx.engine.dirty += 1
    ctx.out.integer(1)
}

/// Gives an existing key the deadline `at`, or deletes it when `at` has already passed (Redis's
/// checkAlreadyExpired), announcing and propagating either as Redis does.
func applyDeadline(_ ctx: CommandContext, _ key: UnsafeRawBufferPointer, _ at: Int64, flags: [Bytes] = []) {
    if at <= ctx.engine.now {
        ctx.db.delete(key)
        ctx.notify(.generic, "del", key)
        ctx.propagate(as: [[Bytes("DEL".utf8), Bytes(key)]])
    } else {
        ctx.db.setExpire(key, at)
        ctx.notify(.generic, "expire", key)
        ctx.propagate(as: [[Bytes("PEXPIREAT".utf8), Bytes(key), IntegerFormat.bytes(at)] + flags])
    }
}

private func replyTTL(_ ctx: CommandContext, milliseconds: Bool, absolute: Bool) {
    let key = ctx.args[1]
    guard ctx.db.lookupRead(key, touch: false) != nil else { ctx.out.integer(-2); return }
    let at = ctx.db.keys.expireAt(key) ?? -1
    if at < 0 { ctx.out.integer(-1); return }
    let left = max(absolute ? at : at - ctx.engine.now, 0)
    ctx.out.integer(Int(milliseconds ? left : (left + 500) / 1000))
}

private func flushIsAsync(_ a: Args) throws(CommandError) -> Bool {
    if a.count == 1 { return false }
    if a.count == 2 && a.isKeyword(1, "sync") { return false }
    if a.count == 2 && a.isKeyword(1, "async") { return true }
    throw CommandError.syntax
}

// MARK: helpers

extension CommandError {
    static let sameObject = CommandError("ERR source and destination objects are the same")
}

/// An argument that must fit a C int, with Redis's two failure texts, or `error` for both.
func int32Argument(_ a: Args, _ i: Int, error: String? = nil) throws(CommandError) -> Int {
    guard let v = NumberParsing.int64(a[i]) else { throw error.map(CommandError.init) ?? .notInteger }
    guard v >= Int64(Int32.min) && v <= Int64(Int32.max) else {
        throw CommandError(error ?? "ERR value is out of range, value must between -2147483648 and 2147483647")
    }
    return Int(v)
}

/// SCAN's cursor as Valkey 8's string2ull reads it: a plain integer (string2ll) that is not negative, or else
/// whatever C's strtoull takes whole in base 10 — leading blanks, a sign, leading zeros, "-N" wrapping around
/// when it does not fit a long long — without overflow. The empty string is invalid.
func parseScanCursor(_ arg: UnsafeRawBufferPointer) -> UInt64? {
    // C sees the argument only up to its first NUL.
    let n = arg.firstIndex(of: 0) ?? arg.count
    let text = UnsafeRawBufferPointer(rebasing: arg[..<n])
    if let v = NumberParsing.int64(text) { return v < 0 ? nil : UInt64(v) }
    var i = 0
    while i < n, arg[i] == 32 || (arg[i] >= 9 && arg[i] <= 13) { i += 1 }
    var negative = false
    if i < n && (arg[i] == UInt8(ascii: "+") || arg[i] == UInt8(ascii: "-")) {
        negative = arg[i] == UInt8(ascii: "-")
        i += 1
    }
    let digitsStart = i
    var v: UInt64 = 0
    var overflow = false
    while i < n, arg[i] >= 48, arg[i] <= 57 {
        let (m, o1) = v.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.addingReportingOverflow(UInt64(arg[i] - 48))
        overflow = overflow || o1 || o2
        v = s
        i += 1
    }
    if i == digitsStart || i != n || overflow { return nil }
    return negative ? 0 &- v : v
}

/// An argument as C's %s prints it in error texts: up to its first NUL.
func cString(_ arg: UnsafeRawBufferPointer) -> String {
    String(decoding: arg.prefix { $0 != 0 }, as: UTF8.self)
}

/// The HELP reply of commands with subcommands: a header naming the command as the client typed it, the
/// subcommand lines, and the entry for HELP itself.
func replyHelp(_ ctx: CommandContext, _ lines: [String]) {
    ctx.out.array(lines.count + 3)
    ctx.out.status("\(ctx.args.text(0).uppercased()) <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
    for line in lines { ctx.out.status(line) }
    ctx.out.status("HELP")
    ctx.out.status("    Print this help.")
}
