#if canImport(Glibc)
import Glibc
#endif
import RESP

extension Engine {
    func registerStringCommands() {
        let readFast: [String] = ["@read", "@string", "@fast"]
        let readSlow: [String] = ["@read", "@string", "@slow"]
        let writeFast: [String] = ["@write", "@string", "@fast"]
        let writeSlow: [String] = ["@write", "@string", "@slow"]
        register("get", arity: 2, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "string") { ctx throws(CommandError) in
            try replyGet(ctx)
        }
        register("set", arity: -3, flags: [.write, .denyOOM], keys: .one, categories: writeSlow, group: "string", handler: setCommand)
        register("setnx", arity: 3, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "string", handler: setnxCommand)
        register("setex", arity: 4, flags: [.write, .denyOOM], keys: .one, categories: writeSlow, group: "string") { ctx throws(CommandError) in
            try setWithExpire(ctx, .ex)
        }
        register("psetex", arity: 4, flags: [.write, .denyOOM], keys: .one, categories: writeSlow, group: "string") { ctx throws(CommandError) in
            try setWithExpire(ctx, .px)
        }
        register("getset", arity: 3, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "string", handler: getsetCommand)
        register("getdel", arity: 2, flags: [.write, .fast], keys: .one, categories: writeFast, group: "string", handler: getdelCommand)
        register("getex", arity: -2, flags: [.write, .fast], keys: .one, categories: writeFast, group: "string", handler: getexCommand)
        register("mget", arity: -2, flags: [.readonly, .fast], keys: .all(), categories: readFast, group: "string", handler: mgetCommand)
        register("mset", arity: -3, flags: [.write, .denyOOM], keys: KeyPositions(first: 1, last: -1, step: 2), categories: writeSlow, group: "string") { ctx throws(CommandError) in
            try msetCommand(ctx, nx: false)
        }
        register("msetnx", arity: -3, flags: [.write, .denyOOM], keys: KeyPositions(first: 1, last: -1, step: 2), categories: writeSlow, group: "string") { ctx throws(CommandError) in
            try msetCommand(ctx, nx: true)
        }
        register("append", arity: 3, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "string", handler: appendCommand)
        register("strlen", arity: 2, flags: [.readonly, .fast], keys: .one, categories: readFast, group: "string") { ctx throws(CommandError) in
            guard let v = ctx.db.lookupRead(ctx.args[1]) else { ctx.out.integer(0); return }
            ctx.out.integer(try withStringBytes(v) { $0.count })
        }
        register("incr", arity: 2, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "string") { ctx throws(CommandError) in
            try incrDecr(ctx, by: 1)
        }
        register("decr", arity: 2, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "string") { ctx throws(CommandError) in
            try incrDecr(ctx, by: -1)
        }
        register("incrby", arity: 3, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "string") { ctx throws(CommandError) in
            try incrDecr(ctx, by: try ctx.args.int64(2))
        }
        register("decrby", arity: 3, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "string") { ctx throws(CommandError) in
            let decrement = try ctx.args.int64(2)
            guard decrement != .min else { throw CommandError("ERR decrement would overflow") }
            try incrDecr(ctx, by: -decrement)
        }
        register("incrbyfloat", arity: 3, flags: [.write, .denyOOM, .fast], keys: .one, categories: writeFast, group: "string", handler: incrbyfloatCommand)
        register("getrange", arity: 4, flags: [.readonly], keys: .one, categories: readSlow, group: "string", handler: getrangeCommand)
        register("substr", arity: 4, flags: [.readonly], keys: .one, categories: readSlow, group: "string", handler: getrangeCommand)
        register("setrange", arity: 4, flags: [.write, .denyOOM], keys: .one, categories: writeSlow, group: "string", handler: setrangeCommand)
        register("lcs", arity: -3, flags: [.readonly], keys: KeyPositions(first: 1, last: 2, step: 1), categories: readSlow, group: "string", handler: lcsCommand)
    }
}

// MARK: - Shared helpers

/// Writes a string value as a bulk reply; WRONGTYPE for other types.
func replyString(_ ctx: CommandContext, _ v: Value) throws(CommandError) {
    switch v {
    case .int(let i): ctx.out.bulk(integer: i)
    case .short(let b): b.withUnsafeBytes { ctx.out.bulk($0) }
    case .bytes(let b): b.withUnsafeBytes { ctx.out.bulk($0) }
    case .rawBytes(let b): ctx.out.bulk(b)
    case .set, .zset, .list, .hash, .stream: throw CommandError.wrongType
    }
}

/// GET's reply for the key in args[1] (also the first half of SET GET, GETSET and GETDEL): the value, null when
/// missing, WRONGTYPE before anything is written for other types.
func replyGet(_ ctx: CommandContext) throws(CommandError) {
    guard let v = ctx.db.lookupRead(ctx.args[1]) else { ctx.out.null(); return }
    try replyString(ctx, v)
}

/// Calls `body` with a string value's bytes. An int-encoded value is formatted on the stack, so reading a string
/// never allocates. WRONGTYPE for other types.
@inline(__always)
func withStringBytes<R>(_ v: Value, _ body: (UnsafeRawBufferPointer) -> R) throws(CommandError) -> R {
    switch v {
    case .int(let i):
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { buf in
            let n = IntegerFormat.write(i, into: buf)
            return body(UnsafeRawBufferPointer(rebasing: buf[(buf.count - n)...]))
        }
    case .short(let b):
        return b.withUnsafeBytes(body)
    case .bytes(let b):
        return b.withUnsafeBytes(body)
    case .rawBytes(let b):
        return b.withUnsafeBytes(body)
    case .set, .zset, .list, .hash, .stream:
        throw CommandError.wrongType
    }
}

/// Moves a string's bytes out of its entry, leaving a placeholder, so the caller holds the only reference and can
/// grow or patch the buffer in place before storing it back. Call only once every check that can fail has passed.
func takeStringBytes(_ e: inout Entry) -> Bytes {
    let s: Bytes
    switch e.value {
    case .int(let i): s = IntegerFormat.bytes(i)
    case .short(let b): s = b.bytes
    case .bytes(let b): s = b.bytes
    case .rawBytes(let b): s = b
    case .set, .zset, .list, .hash, .stream: preconditionFailure("takeStringBytes called on a non-string")
    }
    e.value = .int(0)
    return s
}

/// Redis's checkStringLength: a string may not grow beyond proto-max-bulk-len.
func checkStringLength(_ ctx: CommandContext, _ size: Int, _ growth: Int) throws(CommandError) {
    let (total, overflow) = size.addingReportingOverflow(growth)
    if overflow || total > ctx.engine.settings.protoMaxBulkLength { throw CommandError.tooLarge }
}

/// The options of SET (from argument 3) and GETEX (from argument 2), accepted in the combinations Redis accepts:
/// each expiry form may repeat (the last amount wins) but excludes the others. Only the syntax is checked here;
/// `deadline` validates the amount later, where Redis does.
struct StringOptions {
    enum Expiry { case none, ex, px, exat, pxat, keepTTL, persist }
    var nx = false
    var xx = false
    var get = false
    var expiry = Expiry.none
    var amountIndex = 0

    init(_ a: Args, from start: Int, forSet: Bool) throws(CommandError) {
        var i = start
        while i < a.count {
            let hasNext = i + 1 < a.count
            let form: Expiry? = a.isKeyword(i, "ex") ? .ex : a.isKeyword(i, "px") ? .px
                : a.isKeyword(i, "exat") ? .exat : a.isKeyword(i, "pxat") ? .pxat : nil
            if forSet && a.isKeyword(i, "nx") && !xx {
                nx = true
            } else if forSet && a.isKeyword(i, "xx") && !nx {
                xx = true
            } else if forSet && a.isKeyword(i, "get") {
                get = true
            } else if forSet && a.isKeyword(i, "keepttl") && (expiry == .none || expiry == .keepTTL) {
                expiry = .keepTTL
            } else if !forSet && a.isKeyword(i, "persist") && (expiry == .none || expiry == .persist) {
                expiry = .persist
            } else if let form, hasNext && (expiry == .none || expiry == form) {
                expiry = form
                amountIndex = i + 1
                i += 1
            } else {
                throw CommandError.syntax
            }
            i += 1
        }
    }

    /// The absolute deadline in unix ms, or -1 when no amount was given; Redis's range checks and error text.
    func deadline(_ ctx: CommandContext) throws(CommandError) -> Int64 {
        switch expiry {
        case .none, .keepTTL, .persist: return -1
        case .ex, .px, .exat, .pxat:
            return try Self.deadline(expiry, amount: ctx.args.int64(amountIndex), ctx)
        }
    }

    static func deadline(_ form: Expiry, amount: Int64, _ ctx: CommandContext) throws(CommandError) -> Int64 {
        guard amount > 0 else { throw CommandError.invalidExpire(ctx.name) }
        var ms = amount
        if form == .ex || form == .exat {
            let (m, overflow) = amount.multipliedReportingOverflow(by: 1000)
            if overflow { throw CommandError.invalidExpire(ctx.name) }
            ms = m
        }
        if form == .ex || form == .px {
            let (d, overflow) = ms.addingReportingOverflow(ctx.engine.now)
            if overflow { throw CommandError.invalidExpire(ctx.name) }
            ms = d
        }
        return ms
    }
}

// MARK: - SET family

/// How a SET with a relative or second-based deadline propagates: the absolute deadline in ms, as Redis 7.
func setWithDeadline(_ key: Bytes, _ value: Bytes, _ at: Int64) -> [Bytes] {
    [Bytes("SET".utf8), key, value, Bytes("PXAT".utf8), IntegerFormat.bytes(at)]
}

func setCommand(_ ctx: CommandContext) throws(CommandError) {
    let opts = try StringOptions(ctx.args, from: 3, forSet: true)
    let at = try opts.deadline(ctx)
    if opts.get { try replyGet(ctx) }
    let db = ctx.db
    let key = ctx.args[1]
    // Plain SET skips the lookup: Database.set handles a stale entry itself.
    let found = (opts.nx || opts.xx) && db.lookupWrite(key) != nil
    if (opts.nx && found) || (opts.xx && !found) {
        if !opts.get { ctx.out.null() }
        return
    }
    let value = Value.string(ctx.args[2])
    if opts.expiry == .keepTTL { db.setKeepingTTL(key, value) } else { db.set(key, value, expireAt: at) }
    ctx.engine.dirty += 1
    ctx.notify(.string, "set", key)
    if at >= 0 { ctx.notify(.generic, "expire", key) }
    if at >= 0 && opts.expiry != .pxat {
        ctx.propagate(as: [setWithDeadline(ctx.args.bytes(1), ctx.args.bytes(2), at)])
    } else if opts.get && at < 0 {
        // The old value only matters to the caller: replicas and the AOF get the SET without GET.
        let a = ctx.args
        ctx.propagate(as: [(0..<a.count).filter { $0 < 3 || !a.isKeyword($0, "get") }.map { a.bytes($0) }])
    }
    if !opts.get { ctx.out.ok() }
}

func setnxCommand(_ ctx: CommandContext) throws(CommandError) {
    let key = ctx.args[1]
    if ctx.db.lookupWrite(key) != nil {
        ctx.out.integer(0)
        return
    }
    ctx.db.set(key, Value.string(ctx.args[2]))
    ctx.engine.dirty += 1
    ctx.notify(.string, "set", key)
    ctx.out.integer(1)
}

/// SETEX and PSETEX: key, amount, value.
func setWithExpire(_ ctx: CommandContext, _ form: StringOptions.Expiry) throws(CommandError) {
    let at = try StringOptions.deadline(form, amount: ctx.args.int64(2), ctx)
    let key = ctx.args[1]
    _ = ctx.db.lookupWrite(key) // expires a stale key first, counted in expired_keys as Redis counts it
    ctx.db.set(key, Value.string(ctx.args[3]), expireAt: at)
    ctx.engine.dirty += 1
    ctx.notify(.string, "set", key)
    ctx.notify(.generic, "expire", key)
    ctx.propagate(as: [setWithDeadline(ctx.args.bytes(1), ctx.args.bytes(3), at)])
    ctx.out.ok()
}

func getsetCommand(_ ctx: CommandContext) throws(CommandError) {
    try replyGet(ctx)
    ctx.db.set(ctx.args[1], Value.string(ctx.args[2]))
    ctx.engine.dirty += 1
    ctx.notify(.string, "set", ctx.args[1])
    ctx.propagate(as: [[Bytes("SET".utf8), ctx.args.bytes(1), ctx.args.bytes(2)]])
}

func getdelCommand(_ ctx: CommandContext) throws(CommandError) {
    try replyGet(ctx)
    if ctx.db.delete(ctx.args[1]) {
        ctx.engine.dirty += 1
        ctx.notify(.generic, "del", ctx.args[1])
        ctx.propagate(as: [[Bytes("DEL".utf8), ctx.args.bytes(1)]])
    }
}

func getexCommand(_ ctx: CommandContext) throws(CommandError) {
    let opts = try StringOptions(ctx.args, from: 2, forSet: false)
    let db = ctx.db
    let key = ctx.args[1]
    guard let v = db.lookupRead(key) else { ctx.out.null(); return }
    guard v.isString else { throw CommandError.wrongType }
    let at = try opts.deadline(ctx)
    try replyString(ctx, v)
    switch opts.expiry {
    case .ex, .px, .exat, .pxat:
        applyDeadline(ctx, key, at)
        ctx.engine.dirty += 1
    case .persist:
        if db.expireAt(key) ?? -1 >= 0 {
            db.setExpire(key, -1)
            ctx.engine.dirty += 1
            ctx.notify(.generic, "persist", key)
            ctx.propagate(as: [[Bytes("PERSIST".utf8), Bytes(key)]])
        }
    case .none, .keepTTL:
        break
    }
}

func mgetCommand(_ ctx: CommandContext) throws(CommandError) {
    let db = ctx.db
    ctx.out.array(ctx.args.count - 1)
    for i in 1..<ctx.args.count {
        if let v = db.lookupRead(ctx.args[i]), v.isString { try replyString(ctx, v) } else { ctx.out.null() }
    }
}

func msetCommand(_ ctx: CommandContext, nx: Bool) throws(CommandError) {
    let a = ctx.args
    guard a.count % 2 == 1 else { throw CommandError.wrongArity(ctx.name) }
    let db = ctx.db
    if nx {
        for i in stride(from: 1, to: a.count, by: 2) where db.lookupWrite(a[i]) != nil {
            ctx.out.integer(0)
            return
        }
    }
    for i in stride(from: 1, to: a.count, by: 2) {
        db.set(a[i], Value.string(a[i + 1]))
        ctx.notify(.string, "set", a[i])
    }
    ctx.engine.dirty += a.count / 2
    if nx { ctx.out.integer(1) } else { ctx.out.ok() }
}

// MARK: - In-place edits

func appendCommand(_ ctx: CommandContext) throws(CommandError) {
    let key = ctx.args[1]
    let suffix = ctx.args[2]
    let length = try ctx.db.mutate(key) { (e: inout Entry?) throws(CommandError) -> Int in
        guard e != nil else {
            e = Entry(key: key, value: Value.string(suffix))
            return suffix.count
        }
        try checkStringLength(ctx, withStringBytes(e!.value) { $0.count }, suffix.count)
        var s = takeStringBytes(&e!)
        s.append(contentsOf: suffix)
        e!.value = .rawBytes(s)
        return s.count
    }
    ctx.engine.dirty += 1
    ctx.notify(.string, "append", key)
    ctx.out.integer(length)
}

func setrangeCommand(_ ctx: CommandContext) throws(CommandError) {
    let offset64 = try ctx.args.int64(2)
    guard offset64 >= 0 else { throw CommandError("ERR offset is out of range") }
    let offset = Int(offset64)
    let db = ctx.db
    let key = ctx.args[1]
    let patch = ctx.args[3]
    if patch.count == 0 {
        // Writing nothing reports the current length and touches nothing.
        guard let v = db.lookupWrite(key) else { ctx.out.integer(0); return }
        ctx.out.integer(try withStringBytes(v) { $0.count })
        return
    }
    let length = try db.mutate(key) { (e: inout Entry?) throws(CommandError) -> Int in
        if let v = e?.value, !v.isString { throw CommandError.wrongType }
        try checkStringLength(ctx, offset, patch.count)
        var s: Bytes = e != nil ? takeStringBytes(&e!) : []
        let end = offset + patch.count
        if s.count < end { s.append(contentsOf: repeatElement(0, count: end - s.count)) }
        s.withUnsafeMutableBytes { UnsafeMutableRawBufferPointer(rebasing: $0[offset..<end]).copyMemory(from: patch) }
        if e != nil { e!.value = .rawBytes(s) } else { e = Entry(key: key, value: .rawBytes(s)) }
        return s.count
    }
    ctx.engine.dirty += 1
    ctx.notify(.string, "setrange", key)
    ctx.out.integer(length)
}

// MARK: - Counters

/// The integer a string holds, parsed with Redis's strict string2ll rules.
func integerValue(_ v: Value) throws(CommandError) -> Int64 {
    if case .int(let i) = v { return i }
    guard let i = try withStringBytes(v, { NumberParsing.int64($0) }) else { throw CommandError.notInteger }
    return i
}

func incrDecr(_ ctx: CommandContext, by increment: Int64) throws(CommandError) {
    let key = ctx.args[1]
    let result = try ctx.db.mutate(key) { (e: inout Entry?) throws(CommandError) -> Int64 in
        guard e != nil else {
            e = Entry(key: key, value: .int(increment))
            return increment
        }
        let (sum, overflow) = try integerValue(e!.value).addingReportingOverflow(increment)
        if overflow { throw CommandError.overflow }
        e!.value = .int(sum)
        return sum
    }
    ctx.engine.dirty += 1
    ctx.notify(.string, "incrby", key)
    ctx.out.integer(Int(result))
}

func incrbyfloatCommand(_ ctx: CommandContext) throws(CommandError) {
    let key = ctx.args[1]
    let text = try ctx.db.mutate(key) { (e: inout Entry?) throws(CommandError) -> Bytes in
        var current: Float80 = 0
        if let v = e?.value {
            guard let parsed = try withStringBytes(v, { NumberParsing.longDouble($0) }) else { throw CommandError.notFloat }
            current = parsed
        }
        guard let increment = NumberParsing.longDouble(ctx.args[2]) else { throw CommandError.notFloat }
        let sum = current + increment
        guard let text = NumberFormatting.longDoubleHuman(sum) else {
            throw CommandError("ERR increment would produce NaN or Infinity")
        }
        // Redis stores the formatted result as a plain string object, never int-encoded.
        if e != nil { e!.value = .embedded(text) } else { e = Entry(key: key, value: .embedded(text)) }
        return text
    }
    ctx.engine.dirty += 1
    ctx.notify(.string, "incrbyfloat", key)
    ctx.propagate(as: [[Bytes("SET".utf8), Bytes(key), text, Bytes("KEEPTTL".utf8)]])
    ctx.out.bulk(text)
}

// MARK: - Reading parts

func getrangeCommand(_ ctx: CommandContext) throws(CommandError) {
    var start = try ctx.args.int64(2)
    var end = try ctx.args.int64(3)
    guard let v = ctx.db.lookupRead(ctx.args[1]) else { ctx.out.raw("$0\r\n\r\n"); return }
    try withStringBytes(v) { s in
        let n = Int64(s.count)
        if start < 0 && end < 0 && start > end { ctx.out.raw("$0\r\n\r\n"); return }
        if start < 0 { start = max(n + start, 0) }
        if end < 0 { end = max(n + end, 0) }
        if end >= n { end = n - 1 }
        if start > end || n == 0 {
            ctx.out.raw("$0\r\n\r\n")
        } else {
            ctx.out.bulk(UnsafeRawBufferPointer(rebasing: s[Int(start)...Int(end)]))
        }
    }
}

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the classic dynamic-programming table, walked back
/// from the end in Redis's order so the string and the match ranges come out exactly as Redis reports them.
func lcsCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let va = ctx.db.lookupRead(a[1])
    let vb = ctx.db.lookupRead(a[2])
    if (va.map { !$0.isString } ?? false) || (vb.map { !$0.isString } ?? false) {
        throw CommandError("ERR The specified keys must contain string values")
    }
    var wantLen = false, wantIdx = false, withMatchLen = false
    var minMatchLen = 0
    var i = 3
    while i < a.count {
        if a.isKeyword(i, "idx") {
            wantIdx = true
        } else if a.isKeyword(i, "len") {
            wantLen = true
        } else if a.isKeyword(i, "withmatchlen") {
            withMatchLen = true
        } else if a.isKeyword(i, "minmatchlen") && i + 1 < a.count {
            minMatchLen = max(0, try a.int(i + 1))
            i += 1
        } else {
            throw CommandError.syntax
        }
        i += 1
    }
    if wantLen && wantIdx {
        throw CommandError("ERR If you want both the length and indexes, please just use IDX.")
    }
    let x = va?.stringBytes ?? []
    let y = vb?.stringBytes ?? []
    if x.count >= Int(UInt32.max) - 1 || y.count >= Int(UInt32.max) - 1 {
        throw CommandError("ERR String too long for LCS")
    }
    let (cells, o1) = (x.count + 1).multipliedReportingOverflow(by: y.count + 1)
    let (tableBytes, o2) = cells.multipliedReportingOverflow(by: MemoryLayout<UInt32>.stride)
    if o1 || o2 { throw CommandError("ERR Insufficient memory, failed allocating transient memory for LCS") }
    if tableBytes > ctx.engine.settings.protoMaxBulkLength {
        throw CommandError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
    }

    // table[i * width + j] is the LCS length of x[..<i] and y[..<j].
    let width = y.count + 1
    let table = UnsafeMutablePointer<UInt32>.allocate(capacity: cells)
    defer { table.deallocate() }
    x.withUnsafeBufferPointer { xp in
        y.withUnsafeBufferPointer { yp in
            table.initialize(repeating: 0, count: width)
            for i in stride(from: 1, through: xp.count, by: 1) {
                let row = table + i * width
                let above = row - width
                let c = xp[i - 1]
                row[0] = 0
                for j in stride(from: 1, through: yp.count, by: 1) {
                    row[j] = c == yp[j - 1] ? above[j - 1] + 1 : max(above[j], row[j - 1])
                }
            }
        }
    }
    let total = Int(table[cells - 1])

    if wantLen {
        ctx.out.integer(total)
        return
    }
    var common = Bytes(repeating: 0, count: wantIdx ? 0 : total)
    var ranges: [(aStart: Int, aEnd: Int, bStart: Int, bEnd: Int)] = []
    // A match either opens a range or extends the open one backwards: any mismatch step in between closes it.
    let unset = x.count
    var aStart = unset, aEnd = 0, bStart = 0, bEnd = 0
    var remaining = total
    var xi = x.count, yj = y.count
    while xi > 0 && yj > 0 {
        var close = false
        if x[xi - 1] == y[yj - 1] {
            if !wantIdx { common[remaining - 1] = x[xi - 1] }
            if aStart == unset {
                aStart = xi - 1; aEnd = xi - 1
                bStart = yj - 1; bEnd = yj - 1
            } else {
                aStart -= 1
                bStart -= 1
            }
            if aStart == 0 || bStart == 0 { close = true }
            remaining -= 1; xi -= 1; yj -= 1
        } else {
            if table[(xi - 1) * width + yj] > table[xi * width + yj - 1] { xi -= 1 } else { yj -= 1 }
            if aStart != unset { close = true }
        }
        if close {
            if wantIdx && aEnd - aStart + 1 >= minMatchLen { ranges.append((aStart, aEnd, bStart, bEnd)) }
            aStart = unset
        }
    }

    guard wantIdx else {
        ctx.out.bulk(common)
        return
    }
    ctx.out.map(2)
    ctx.out.raw("$7\r\nmatches\r\n")
    ctx.out.array(ranges.count)
    for r in ranges {
        ctx.out.array(withMatchLen ? 3 : 2)
        ctx.out.array(2)
        ctx.out.integer(r.aStart)
        ctx.out.integer(r.aEnd)
        ctx.out.array(2)
        ctx.out.integer(r.bStart)
        ctx.out.integer(r.bEnd)
        if withMatchLen { ctx.out.integer(r.aEnd - r.aStart + 1) }
    }
    ctx.out.raw("$3\r\nlen\r\n")
    ctx.out.integer(total)
}
