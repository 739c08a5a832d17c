#if canImport(Glibc)
import Glibc
#endif
import RESP

extension Engine {
    func registerDebugCommands() {
        register("debug", arity: -2, flags: [.admin, .noscript, .loading, .stale, .protected], categories: ["@admin", "@slow", "@dangerous"], group: "server", handler: debugCommand)
    }
}

/// DEBUG PROTOCOL: one fixed sample of each reply type, the same values Redis sends, so clients can test their
/// parsers against either server.
private func debugProtocol(_ ctx: CommandContext, _ type: UnsafeRawBufferPointer) throws(CommandError) {
    if type.equalsLowercase("string") {
        ctx.out.bulk("Hello World")
    } else if type.equalsLowercase("integer") {
        ctx.out.integer(12345)
    } else if type.equalsLowercase("double") {
        ctx.out.double(3.141)
    } else if type.equalsLowercase("bignum") {
        ctx.out.bigNumber("1234567999999999999999999999999999999")
    } else if type.equalsLowercase("null") {
        ctx.out.null()
    } else if type.equalsLowercase("array") {
        ctx.out.array(3)
        for j in 0..<3 { ctx.out.integer(j) }
    } else if type.equalsLowercase("set") {
        ctx.out.set(3)
        for j in 0..<3 { ctx.out.integer(j) }
    } else if type.equalsLowercase("map") {
        ctx.out.map(3)
        for j in 0..<3 {
            ctx.out.integer(j)
            ctx.out.bool(j == 1)
        }
    } else if type.equalsLowercase("attrib") {
        if ctx.out.resp3 {
            ctx.out.attribute(1)
            ctx.out.bulk("key-popularity")
            ctx.out.array(2)
            ctx.out.bulk("key:123")
            ctx.out.integer(90)
        }
        ctx.out.bulk("Some real reply following the attribute")
    } else if type.equalsLowercase("push") {
        guard ctx.out.resp3 else { throw CommandError("ERR RESP2 is not supported by this command") }
        ctx.out.push(2)
        ctx.out.bulk("server-cpu-usage")
        ctx.out.integer(42)
        // A client that drops push messages still needs a reply to this command.
        ctx.out.bulk("Some real reply following the push reply")
    } else if type.equalsLowercase("verbatim") {
        ctx.out.verbatim("This is a verbatim\nstring")
    } else if type.equalsLowercase("true") {
        ctx.out.bool(true)
    } else if type.equalsLowercase("false") {
        ctx.out.bool(false)
    } else {
        throw CommandError("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
    }
}

/// DEBUG parses its own subcommands, as Redis's does, so an unknown one or a wrong argument count gets the
/// single "unknown subcommand or wrong number of arguments" error.
private func debugCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let argc = a.count
    if argc == 2 && a.isKeyword(1, "help") {
        replyHelp(ctx, [
            "CHANGE-REPL-ID",
            "    Give the instance a new replication ID and forget the previous one (for replication tests).",
            "DIGEST",
            "    Return a hex fingerprint of the whole dataset (all databases, values and deadlines).",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Return a hex fingerprint of the value of each given key.",
            "OBJECT <key>",
            "    Show internal details of the value stored at <key>.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>, or <prefix>:<num>, holding value:<num> (padded with",
            "    zero bytes or cut to <size> bytes when given). Keys that exist are left alone. Not propagated.",
            "PROTOCOL <type>",
            "    Reply with a sample of a protocol type: string, integer, double, bignum, null, array, set, map,",
            "    attrib, push, verbatim, true or false.",
            "RELOAD",
            "    Save the RDB on disk and reload it back to memory.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    0 stops the background removal of expired keys; 1 turns it back on.",
            "SLEEP <seconds>",
            "    Block the server for <seconds>, which may be fractional.",
        ])
    } else if argc == 2 && a.isKeyword(1, "digest") {
        ctx.out.status(DatasetDigest.hex(DatasetDigest.dataset(ctx.engine)))
    } else if a.isKeyword(1, "digest-value") {
        ctx.out.array(argc - 2)
        for j in 2..<argc {
            // Like Redis, a logically expired key that is still stored is digested too.
            var digest = DatasetDigest.zero
            if let (value, at) = ctx.db.keys.lookup(a[j]) { DatasetDigest.addValue(value, expireAt: at, to: &digest) }
            ctx.out.status(DatasetDigest.hex(digest))
        }
    } else if argc == 3 && a.isKeyword(1, "object") {
        guard let (value, _) = ctx.db.keys.lookup(a[2]), let access = ctx.db.keys.access(a[2]) else {
            throw CommandError.noSuchKey
        }
        let idle = ctx.engine.accessClock.idleMilliseconds(access) / 1000
        ctx.out.status("Value at:\(valueAddress(value, key: a[2])) refcount:\(value.refcount) encoding:\(value.encodingName) serializedlength:\(value.serializedLength) lru:\(access) lru_seconds_idle:\(idle)")
    } else if argc == 2 && a.isKeyword(1, "reload") {
        guard let reload = ctx.engine.debugReload else { throw CommandError("ERR DEBUG RELOAD is not available") }
        if let error = reload() { throw CommandError(error) }
        ctx.out.ok()
    } else if argc == 2 && a.isKeyword(1, "change-repl-id") {
        ctx.engine.debugChangeReplicationID?()
        ctx.out.ok()
    } else if argc == 3 && a.isKeyword(1, "sleep") {
        let seconds = NumberParsing.withCString(a[2]) { strtod($0, nil) }
        let micros = seconds * 1_000_000
        if micros >= 1 && micros < Double(Int64.max) {
            let us = Int64(micros)
            var ts = timespec(tv_sec: Int(us / 1_000_000), tv_nsec: Int(us % 1_000_000) * 1000)
            nanosleep(&ts, nil)
        }
        ctx.out.ok()
    } else if argc >= 3 && argc <= 5 && a.isKeyword(1, "populate") {
        try debugPopulate(ctx)
    } else if argc == 3 && a.isKeyword(1, "protocol") {
        try debugProtocol(ctx, a[2])
    } else if argc == 3 && a.isKeyword(1, "set-active-expire") {
        ctx.engine.activeExpireEnabled = NumberParsing.withCString(a[2]) { atoi($0) } != 0
        ctx.out.ok()
    } else {
        throw CommandError("ERR unknown subcommand or wrong number of arguments for '\(String(cString(a[1]).prefix(128)))'. Try DEBUG HELP.")
    }
}

/// DEBUG POPULATE, as Redis fills a test dataset: names and values are formatted into 128-byte buffers there, so
/// a name is cut at 127 bytes and a prefix ends at its first zero byte. Like Redis, it neither counts as a change
/// for save points nor propagates.
private func debugPopulate(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let count = try nonNegativeArgument(a, 2)
    if ctx.engine.loadingRefusal != nil { throw CommandError("LOADING Redis is loading the dataset in memory") }
    let size = a.count == 5 ? try nonNegativeArgument(a, 4) : 0
    var prefix: Bytes = a.count >= 4 ? a.bytes(3) : Array("key".utf8)
    if let zero = prefix.firstIndex(of: 0) { prefix.removeSubrange(zero...) }
    let nameLimit = 127
    var name = Bytes()
    var value = Bytes()
    let valuePrefix = Array("value:".utf8)
    for j in 0..<count {
        name.removeAll(keepingCapacity: true)
        name.append(contentsOf: prefix)
        name.append(UInt8(ascii: ":"))
        IntegerFormat.withDigits(Int64(j)) { name.append(contentsOf: $0) }
        if name.count > nameLimit { name.removeSubrange(nameLimit...) }
        let exists = name.withUnsafeBytes { ctx.db.lookupWrite($0) != nil }
        if exists { continue }
        value.removeAll(keepingCapacity: true)
        value.append(contentsOf: valuePrefix)
        IntegerFormat.withDigits(Int64(j)) { value.append(contentsOf: $0) }
        if size > 0 {
            if value.count > size { value.removeSubrange(size...) }
            value.append(contentsOf: repeatElement(0, count: size - value.count))
        }
        name.withUnsafeBytes { key in
            value.withUnsafeBytes { ctx.db.set(key, Value.embedded($0)) }
            ctx.db.signalModified(key)
        }
    }
    ctx.out.ok()
}

/// DEBUG OBJECT's "Value at:" field. Byte strings show where their storage lives; an integer or a short string
/// is stored inline in its entry, so the key's hash stands in to keep the field's form.
private func valueAddress(_ value: Value, key: UnsafeRawBufferPointer) -> String {
    var address = UInt(truncatingIfNeeded: KeyHash.hash(key)) & 0x7FFF_FFFF_FFF0
    switch value {
    case .bytes(let b):
        if let p = b.withUnsafeBytes({ $0.baseAddress }) { address = UInt(bitPattern: p) }
    case .rawBytes(let b):
        if let p = b.withUnsafeBufferPointer({ $0.baseAddress }) { address = UInt(bitPattern: p) }
    case .int, .short, .set, .zset, .list, .hash, .stream:
        break
    }
    return "0x" + String(address, radix: 16)
}

/// Redis's DEBUG DIGEST: SHA-1 based fingerprints that equal real Redis's for the same data, so replication and
/// persistence tests can compare datasets across servers.
///
/// Order-free collections (the keyspace, sets, hashes) combine members by XOR of their SHA-1s; ordered data
/// (a key's type, key then value, list elements) is chained so that reordering changes the result.
enum DatasetDigest {
    static let zero = [UInt8](repeating: 0, count: SHA1.digestLength)

    /// XORs SHA1(data) into the digest.
    static func xor(_ digest: inout [UInt8], _ data: UnsafeRawBufferPointer) {
        let h = SHA1.hash(data)
        for j in 0..<SHA1.digestLength { digest[j] ^= h[j] }
    }

    static func xor(_ digest: inout [UInt8], _ data: [UInt8]) {
        data.withUnsafeBytes { xor(&digest, $0) }
    }

    /// digest = SHA1(digest XOR SHA1(data)).
    static func mix(_ digest: inout [UInt8], _ data: UnsafeRawBufferPointer) {
        xor(&digest, data)
        digest = SHA1.hash(digest)
    }

    static func mix(_ digest: inout [UInt8], _ data: [UInt8]) {
        data.withUnsafeBytes { mix(&digest, $0) }
    }

    /// Mixes a 32-bit number in as Redis does, in network byte order.
    static func mix(_ digest: inout [UInt8], uint32 v: UInt32) {
        mix(&digest, [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16),
                      UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)])
    }

    /// Redis's object type numbers, which enter every value's digest.
    static func typeCode(_ v: Value) -> UInt32 {
        switch v {
        case .int, .short, .bytes, .rawBytes: return 0
        case .set: return 2
        case .zset: return 3
        case .list: return 1
        case .hash: return 4
        case .stream: return 6
        }
    }

    /// A value's contribution (DEBUG DIGEST-VALUE, and each key's part of DEBUG DIGEST).
    static func addValue(_ v: Value, expireAt: Int64, to digest: inout [UInt8]) {
        mix(&digest, uint32: typeCode(v))
        switch v {
        case .int(let n): mix(&digest, IntegerFormat.bytes(n))
        case .short(let b): mix(&digest, b.bytes)
        case .bytes(let b): b.withUnsafeBytes { mix(&digest, $0) }
        case .rawBytes(let b): mix(&digest, b)
        case .set(let s): s.forEach { xor(&digest, $0) }
        case .zset(let z):
            // Each member and its score (in fpconv_dtoa form, as Valkey 8) are chained, then the pairs combined order-free.
            z.forEach { e in
                var element = zero
                mix(&element, e.member)
                ShortestDouble.withText(e.score, .plain) { mix(&element, $0) }
                xor(&digest, element)
            }
        case .list(let l): l.forEach { mix(&digest, $0) }
        case .hash(let h):
            h.forEach { field, value in
                var pair = zero
                mix(&pair, field)
                mix(&pair, value)
                xor(&digest, pair)
            }
        case .stream(let st):
            // Entries are chained in ID order: the ID as "ms.seq", then each field and value.
            st.forEach { id, entry in
                mix(&digest, Bytes("\(id.ms).\(id.seq)".utf8))
                entry.forEachPair { f, v in
                    mix(&digest, f)
                    mix(&digest, v)
                }
                return true
            }
        }
        if expireAt != -1 { xor(&digest, Bytes("!!expire!!")) }
    }

    /// The whole dataset: each non-empty database mixes in its index, then XORs in one digest per key.
    /// Twenty zero bytes when every database is empty.
    static func dataset(_ engine: Engine) -> [UInt8] {
        var final = zero
        for (index, db) in engine.dbs.enumerated() where db.count > 0 {
            mix(&final, uint32: UInt32(index))
            db.keys.forEach { e in
                var digest = zero
                mix(&digest, e.key)
                addValue(e.value, expireAt: e.expireAt, to: &digest)
                xor(&final, digest)
            }
        }
        return final
    }

    static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var s = [UInt8]()
        s.reserveCapacity(digest.count * 2)
        for b in digest {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 15)])
        }
        return String(decoding: s, as: UTF8.self)
    }
}

extension Value {
    /// The bytes this value would take in an RDB file (DEBUG OBJECT's serializedlength), following Redis's
    /// string rules: integers in 8, 16 or 32 bits take 2, 3 or 5 bytes; anything else is a length prefix and
    /// the bytes. Redis also LZF-compresses strings over 20 bytes when that saves space, which is not
    /// modelled here, so such strings report their uncompressed size.
    var serializedLength: Int {
        switch self {
        case .int(let v):
            if let n = Self.rdbIntegerLength(v) { return n }
            let digits = IntegerFormat.bytes(v).count
            return Self.rdbLengthPrefix(digits) + digits
        case .short, .bytes, .rawBytes:
            let b = stringBytes!
            if b.count <= 11, let v = NumberParsing.int64(b), let n = Self.rdbIntegerLength(v) { return n }
            return Self.rdbLengthPrefix(b.count) + b.count
        // Collections are sized as their plain RDB forms (length-prefixed members, binary scores), not as the
        // compact blobs Redis writes for small ones.
        case .set(let s):
            var n = Self.rdbLengthPrefix(s.count)
            s.forEach { n += Self.rdbLengthPrefix($0.count) + $0.count }
            return n
        case .zset(let z):
            var n = Self.rdbLengthPrefix(z.count)
            z.forEach { n += Self.rdbLengthPrefix($0.member.count) + $0.member.count + 8 }
            return n
        case .list(let l):
            var n = Self.rdbLengthPrefix(l.count)
            l.forEach { n += Self.rdbLengthPrefix($0.count) + $0.count }
            return n
        case .hash(let h):
            var n = Self.rdbLengthPrefix(h.count)
            h.forEach { n += Self.rdbLengthPrefix($0.count) + $0.count + Self.rdbLengthPrefix($1.count) + $1.count }
            return n
        case .stream(let st):
            // Entries as length-prefixed fields and values plus 16-byte IDs; groups are not counted.
            var n = Self.rdbLengthPrefix(st.count)
            st.forEach { _, entry in
                n += 16
                entry.forEachPair { n += Self.rdbLengthPrefix($0.count) + $0.count + Self.rdbLengthPrefix($1.count) + $1.count }
                return true
            }
            return n
        }
    }

    private static func rdbIntegerLength(_ v: Int64) -> Int? {
        if v >= -128 && v <= 127 { return 2 }
        if v >= -32768 && v <= 32767 { return 3 }
        if v >= -2_147_483_648 && v <= 2_147_483_647 { return 5 }
        return nil
    }

    private static func rdbLengthPrefix(_ n: Int) -> Int {
        if n < 1 << 6 { return 1 }
        if n < 1 << 14 { return 2 }
        if UInt64(n) <= UInt64(UInt32.max) { return 5 }
        return 9
    }
}
