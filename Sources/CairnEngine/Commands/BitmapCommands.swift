import RESP

extension Engine {
    func registerBitmapCommands() {
        register("setbit", arity: 4, flags: [.write, .denyOOM], keys: .one, categories: ["@write", "@bitmap", "@slow"], group: "bitmap", handler: setbitCommand)
        register("getbit", arity: 3, flags: [.readonly, .fast], keys: .one, categories: ["@read", "@bitmap", "@fast"], group: "bitmap", handler: getbitCommand)
        register("bitcount", arity: -2, flags: [.readonly], keys: .one, categories: ["@read", "@bitmap", "@slow"], group: "bitmap", handler: bitcountCommand)
        register("bitpos", arity: -3, flags: [.readonly], keys: .one, categories: ["@read", "@bitmap", "@slow"], group: "bitmap", handler: bitposCommand)
        register("bitop", arity: -4, flags: [.write, .denyOOM], keys: .all(from: 2), categories: ["@write", "@bitmap", "@slow"], group: "bitmap", handler: bitopCommand)
        register("bitfield", arity: -2, flags: [.write, .denyOOM], keys: .one, categories: ["@write", "@bitmap", "@slow"], group: "bitmap") { ctx throws(CommandError) in
            try bitfieldCommand(ctx, readOnly: false)
        }
        register("bitfield_ro", arity: -2, flags: [.readonly, .fast], keys: .one, categories: ["@read", "@bitmap", "@fast"], group: "bitmap") { ctx throws(CommandError) in
            try bitfieldCommand(ctx, readOnly: true)
        }
    }
}

extension CommandError {
    static let bitOffset = CommandError("ERR bit offset is not an integer or out of range")
    static let bitValue = CommandError("ERR bit is not an integer or out of range")
    static let bitArgument = CommandError("ERR The bit argument must be 1 or 0.")
    static let bitopNotArity = CommandError("ERR BITOP NOT must be called with a single source key.")
    static let bitfieldType = CommandError("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
    static let bitfieldOverflowType = CommandError("ERR Invalid OVERFLOW type specified")
    static let bitfieldReadOnly = CommandError("ERR BITFIELD_RO only supports the GET subcommand")
}

// MARK: SETBIT / GETBIT

func setbitCommand(_ ctx: CommandContext) throws(CommandError) {
    let offset = try parseBitOffset(ctx.args[2], fieldWidth: 0, maxBytes: ctx.engine.settings.protoMaxBulkLength)
    guard let on = NumberParsing.int64(ctx.args[3]), on & ~1 == 0 else { throw .bitValue }
    let byte = offset >> 3
    let mask = UInt8(0x80) >> UInt8(offset & 7)
    try modifyBitString(ctx, minLength: byte + 1) { p, grew in
        let was = p[byte] & mask != 0
        ctx.out.integer(was ? 1 : 0)
        guard grew || was != (on == 1) else { return 0 }
        p[byte] = on == 1 ? p[byte] | mask : p[byte] & ~mask
        return 1
    }
}

func getbitCommand(_ ctx: CommandContext) throws(CommandError) {
    let offset = try parseBitOffset(ctx.args[2], fieldWidth: 0, maxBytes: ctx.engine.settings.protoMaxBulkLength)
    guard let v = ctx.db.lookupRead(ctx.args[1]) else { ctx.out.integer(0); return }
    let s = try bitString(v)
    let byte = offset >> 3
    ctx.out.integer(byte < s.count && s[byte] & (UInt8(0x80) >> UInt8(offset & 7)) != 0 ? 1 : 0)
}

// MARK: BITCOUNT / BITPOS

func bitcountCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let range = try parseBitRange(a, from: 2)
    let s = try readBitString(ctx.db, a[1])
    let length = Int64(s?.count ?? 0)
    var first = 0, last = Int(length) * 8 - 1
    if let range {
        var start = range.start, end = range.end ?? length - 1
        if start < 0 && end < 0 && start > end { ctx.out.integer(0); return }
        clampRange(&start, &end, length: length << (range.inBits ? 3 : 0))
        guard start <= end else { ctx.out.integer(0); return }
        (first, last) = range.inBits ? (Int(start), Int(end)) : (Int(start) * 8, Int(end) * 8 + 7)
    }
    guard let s, first <= last else { ctx.out.integer(0); return }
    ctx.out.integer(s.withUnsafeBytes { countBits($0, from: first, through: last) })
}

func bitposCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let bit = try a.int64(2)
    guard bit == 0 || bit == 1 else { throw .bitArgument }
    let range = try parseBitRange(a, from: 3)
    // A missing key is an endless run of clear bits.
    guard let s = try readBitString(ctx.db, a[1]) else { ctx.out.integer(bit == 1 ? -1 : 0); return }
    var first = 0, last = s.count * 8 - 1
    if let range {
        var start = range.start, end = range.end ?? Int64(s.count) - 1
        clampRange(&start, &end, length: Int64(s.count) << (range.inBits ? 3 : 0))
        guard start <= end else { ctx.out.integer(-1); return }
        (first, last) = range.inBits ? (Int(start), Int(end)) : (Int(start) * 8, Int(end) * 8 + 7)
    }
    guard first <= last else { ctx.out.integer(-1); return }
    if let pos = s.withUnsafeBytes({ findBit($0, bit == 1, from: first, through: last) }) {
        ctx.out.integer(pos)
    } else if bit == 0 && range?.end == nil {
        // Without an explicit end the string is taken as zero-padded, so the first clear bit is just past it.
        ctx.out.integer(last + 1)
    } else {
        ctx.out.integer(-1)
    }
}

/// BITCOUNT's and BITPOS's optional `start [end [BYTE|BIT]]`. Valkey 8 parses it before reading the key (so
/// a malformed range is an error even on a missing key) and lets `end` default to the string's last byte.
private struct BitRange {
    var start: Int64
    var end: Int64?
    var inBits: Bool
}

private func parseBitRange(_ a: Args, from i: Int) throws(CommandError) -> BitRange? {
    guard a.count > i else { return nil }
    guard a.count <= i + 3 else { throw .syntax }
    let start = try a.int64(i)
    let inBits = a.count == i + 3 ? try parseRangeUnit(a, i + 2) : false
    let end = a.count >= i + 2 ? try a.int64(i + 1) : nil
    return BitRange(start: start, end: end, inBits: inBits)
}

/// BYTE or BIT after a range; true for BIT.
private func parseRangeUnit(_ a: Args, _ i: Int) throws(CommandError) -> Bool {
    if a.isKeyword(i, "bit") { return true }
    if a.isKeyword(i, "byte") { return false }
    throw .syntax
}

/// Resolves negative indexes against `length` and clamps to it; the result may be empty (start > end).
private func clampRange(_ start: inout Int64, _ end: inout Int64, length: Int64) {
    if start < 0 { start = max(length + start, 0) }
    if end < 0 { end = max(length + end, 0) }
    if end >= length { end = length - 1 }
}

// MARK: BITOP

private enum BitOp { case and, or, xor, not }

func bitopCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    let op: BitOp
    if a.isKeyword(1, "and") { op = .and }
    else if a.isKeyword(1, "or") { op = .or }
    else if a.isKeyword(1, "xor") { op = .xor }
    else if a.isKeyword(1, "not") { op = .not }
    else { throw .syntax }
    if op == .not && a.count != 4 { throw .bitopNotArity }

    let db = ctx.db
    var sources: [Bytes] = []
    sources.reserveCapacity(a.count - 3)
    var maxLength = 0, minLength = Int.max
    for j in 3..<a.count {
        let s = try readBitString(db, a[j]) ?? []
        maxLength = max(maxLength, s.count)
        minLength = min(minLength, s.count)
        sources.append(s)
    }

    let target = a[2]
    if maxLength == 0 {
        if db.delete(target) {
            ctx.engine.dirty += 1
            ctx.notify(.generic, "del", target)
        }
        ctx.out.integer(0)
        return
    }
    let result = Bytes(unsafeUninitializedCapacity: maxLength) { buf, initialized in
        let out = UnsafeMutableRawBufferPointer(buf)
        let firstLength = sources[0].count
        sources[0].withUnsafeBytes { out.copyMemory(from: $0) }
        UnsafeMutableRawBufferPointer(rebasing: out[firstLength...]).initializeMemory(as: UInt8.self, repeating: 0)
        switch op {
        case .not:
            combineWords(out, UnsafeRawBufferPointer(out)) { _, s in ~s }
        case .and:
            for s in sources.dropFirst() { s.withUnsafeBytes { combineWords(out, $0) { $0 & $1 } } }
            // Bytes past the shortest source are ANDed with the implicit zero padding.
            UnsafeMutableRawBufferPointer(rebasing: out[minLength...]).initializeMemory(as: UInt8.self, repeating: 0)
        case .or:
            for s in sources.dropFirst() { s.withUnsafeBytes { combineWords(out, $0) { $0 | $1 } } }
        case .xor:
            for s in sources.dropFirst() { s.withUnsafeBytes { combineWords(out, $0) { $0 ^ $1 } } }
        }
        initialized = maxLength
    }
    // Redis stores the result as a fresh raw string with no TTL.
    db.set(target, .rawBytes(result))
    ctx.engine.dirty += 1
    ctx.notify(.string, "set", target)
    ctx.out.integer(maxLength)
}

/// dst[i] = f(dst[i], src[i]) over the first src.count bytes, a word at a time.
@inline(__always)
private func combineWords(_ dst: UnsafeMutableRawBufferPointer, _ src: UnsafeRawBufferPointer,
                          _ f: (UInt64, UInt64) -> UInt64) {
    let n = src.count
    guard n > 0, let d = dst.baseAddress, let s = src.baseAddress else { return }
    var i = 0
    while i + 8 <= n {
        let w = f(d.loadUnaligned(fromByteOffset: i, as: UInt64.self), s.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        d.storeBytes(of: w, toByteOffset: i, as: UInt64.self)
        i += 8
    }
    while i < n {
        d.storeBytes(of: UInt8(truncatingIfNeeded: f(UInt64(d.load(fromByteOffset: i, as: UInt8.self)),
                                                      UInt64(s.load(fromByteOffset: i, as: UInt8.self)))),
                     toByteOffset: i, as: UInt8.self)
        i += 1
    }
}

// MARK: BITFIELD

private struct BitfieldOp {
    enum Kind { case get, set, incrby }
    var kind: Kind
    var overflow: BitfieldOverflow
    var signed: Bool
    var bits: Int
    var offset: Int
    /// SET value or INCRBY increment.
    var operand: Int64
}

private enum BitfieldOverflow { case wrap, sat, fail }

func bitfieldCommand(_ ctx: CommandContext, readOnly: Bool) throws(CommandError) {
    let a = ctx.args
    let maxBytes = ctx.engine.settings.protoMaxBulkLength
    var ops: [BitfieldOp] = []
    var overflow = BitfieldOverflow.wrap
    var writes = false
    var highestWrittenBit = 0
    var j = 2
    while j < a.count {
        let remaining = a.count - j - 1
        let kind: BitfieldOp.Kind
        if a.isKeyword(j, "get") && remaining >= 2 { kind = .get }
        else if a.isKeyword(j, "set") && remaining >= 3 { kind = .set }
        else if a.isKeyword(j, "incrby") && remaining >= 3 { kind = .incrby }
        else if a.isKeyword(j, "overflow") && remaining >= 1 {
            if a.isKeyword(j + 1, "wrap") { overflow = .wrap }
            else if a.isKeyword(j + 1, "sat") { overflow = .sat }
            else if a.isKeyword(j + 1, "fail") { overflow = .fail }
            else { throw .bitfieldOverflowType }
            j += 2
            continue
        } else {
            throw .syntax
        }
        let (signed, bits) = try parseBitfieldType(a[j + 1])
        let offset = try parseBitOffset(a[j + 2], fieldWidth: bits, maxBytes: maxBytes)
        var operand: Int64 = 0
        if kind != .get {
            writes = true
            highestWrittenBit = max(highestWrittenBit, offset + bits - 1)
            operand = try a.int64(j + 3)
        }
        ops.append(BitfieldOp(kind: kind, overflow: overflow, signed: signed, bits: bits, offset: offset, operand: operand))
        j += kind == .get ? 3 : 4
    }

    if !writes {
        let s = try readBitString(ctx.db, a[1]) ?? []
        ctx.out.array(ops.count)
        s.withUnsafeBytes { p in
            for op in ops { ctx.out.integer(Int(truncatingIfNeeded: readField(p, op))) }
        }
        return
    }
    if readOnly { throw .bitfieldReadOnly }
    try modifyBitString(ctx, minLength: (highestWrittenBit >> 3) + 1) { p, grew in
        ctx.out.array(ops.count)
        var changes = 0
        for op in ops {
            let old = readField(UnsafeRawBufferPointer(p), op)
            guard op.kind != .get else {
                ctx.out.integer(Int(truncatingIfNeeded: old))
                continue
            }
            let (new, reply, overflowed) = op.signed
                ? signedUpdate(Int64(bitPattern: old), op)
                : unsignedUpdate(old, op)
            if overflowed && op.overflow == .fail {
                ctx.out.null()
                continue
            }
            ctx.out.integer(Int(reply))
            writeBits(p, offset: op.offset, bits: op.bits, value: new)
            if grew || new != old { changes += 1 }
        }
        return changes
    }
}

/// `i<bits>` (1...64) or `u<bits>` (1...63); u64 is refused because its values do not fit a RESP integer.
private func parseBitfieldType(_ p: UnsafeRawBufferPointer) throws(CommandError) -> (signed: Bool, bits: Int) {
    guard p.count > 0, p[0] == UInt8(ascii: "i") || p[0] == UInt8(ascii: "u") else { throw .bitfieldType }
    let signed = p[0] == UInt8(ascii: "i")
    // Redis reads the width as a C string, so it ends at an embedded NUL.
    var digits = UnsafeRawBufferPointer(rebasing: p[1...])
    if let nul = digits.firstIndex(of: 0) { digits = UnsafeRawBufferPointer(rebasing: digits[..<nul]) }
    guard let bits = NumberParsing.int64(digits), bits >= 1, bits <= (signed ? 64 : 63) else { throw .bitfieldType }
    return (signed, Int(bits))
}

/// The field as stored, sign-extended to 64 bits for signed types.
@inline(__always)
private func readField(_ p: UnsafeRawBufferPointer, _ op: BitfieldOp) -> UInt64 {
    let v = readBits(p, offset: op.offset, bits: op.bits)
    if op.signed && op.bits < 64 && v & (1 << (op.bits - 1)) != 0 { return v | (UInt64.max << op.bits) }
    return v
}

/// The new field value, the reply, and whether the operation overflowed the field.
private func signedUpdate(_ old: Int64, _ op: BitfieldOp) -> (UInt64, Int64, Bool) {
    if op.kind == .incrby {
        let (limit, overflowed) = signedOverflow(old, op.operand, bits: op.bits, mode: op.overflow)
        let new = overflowed ? limit : old &+ op.operand
        return (UInt64(bitPattern: new), new, overflowed)
    }
    let (limit, overflowed) = signedOverflow(op.operand, 0, bits: op.bits, mode: op.overflow)
    return (UInt64(bitPattern: overflowed ? limit : op.operand), old, overflowed)
}

private func unsignedUpdate(_ old: UInt64, _ op: BitfieldOp) -> (UInt64, Int64, Bool) {
    if op.kind == .incrby {
        let (limit, overflowed) = unsignedOverflow(old, op.operand, bits: op.bits, mode: op.overflow)
        let new = overflowed ? limit : old &+ UInt64(bitPattern: op.operand)
        return (new, Int64(bitPattern: new), overflowed)
    }
    let (limit, overflowed) = unsignedOverflow(UInt64(bitPattern: op.operand), 0, bits: op.bits, mode: op.overflow)
    return (overflowed ? limit : UInt64(bitPattern: op.operand), Int64(bitPattern: old), overflowed)
}

/// Whether `value + incr` leaves the range of a `bits`-wide unsigned field, and if so the value to store
/// instead: wrapped modulo 2^bits, or saturated at the bound crossed (meaningless for FAIL).
private func unsignedOverflow(_ value: UInt64, _ incr: Int64, bits: Int, mode: BitfieldOverflow) -> (UInt64, Bool) {
    let max: UInt64 = bits == 64 ? .max : (1 << bits) - 1
    let wrapped = (value &+ UInt64(bitPattern: incr)) & max
    if value > max || (incr > 0 && UInt64(incr) > max - value) {
        return (mode == .sat ? max : wrapped, true)
    }
    if incr < 0 && incr.magnitude > value {
        return (mode == .sat ? 0 : wrapped, true)
    }
    return (0, false)
}

/// The signed counterpart: wrapping keeps the low `bits` bits and sign-extends them. The range tests are
/// Redis's, including its wrapping subtractions, so that a SET value far below an i<64 field's range reports
/// an overflow upwards (SAT stores the maximum), as Redis does.
private func signedOverflow(_ value: Int64, _ incr: Int64, bits: Int, mode: BitfieldOverflow) -> (Int64, Bool) {
    let max: Int64 = bits == 64 ? .max : (1 << (bits - 1)) - 1
    let min = -max - 1
    let maxIncr = Int64(bitPattern: UInt64(bitPattern: max) &- UInt64(bitPattern: value))
    let minIncr = min &- value
    let above = value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr)
    let below = !above && (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr))
    guard above || below else { return (0, false) }
    if mode == .sat { return (above ? max : min, true) }
    var c = UInt64(bitPattern: value) &+ UInt64(bitPattern: incr)
    if bits < 64 {
        let high = UInt64.max << bits
        c = c & (1 << (bits - 1)) != 0 ? c | high : c & ~high
    }
    return (Int64(bitPattern: c), true)
}

// MARK: shared helpers

/// A bit offset argument, in bits. With a field width, `#n` means the n-th field of that width.
/// Offsets whose byte lies at or beyond proto-max-bulk-len are refused, which bounds how far SETBIT and
/// BITFIELD can grow a string.
private func parseBitOffset(_ p: UnsafeRawBufferPointer, fieldWidth: Int, maxBytes: Int) throws(CommandError) -> Int {
    let positional = fieldWidth > 0 && p.count > 0 && p[0] == UInt8(ascii: "#")
    guard var v = NumberParsing.int64(positional ? UnsafeRawBufferPointer(rebasing: p[1...]) : p) else { throw .bitOffset }
    // Redis multiplies without an overflow check and the product wraps; a wrapped negative is refused below.
    if positional { v = v &* Int64(fieldWidth) }
    guard v >= 0, v >> 3 < Int64(maxBytes) else { throw .bitOffset }
    return Int(v)
}

/// The bytes of a string value (an int-encoded one as its decimal text); WRONGTYPE for other types.
@inline(__always)
private func bitString(_ v: Value) throws(CommandError) -> Bytes {
    guard v.isString, let s = v.stringBytes else { throw .wrongType }
    return s
}

/// The string at `key` for reading (counting a keyspace hit or miss); nil when the key is missing.
private func readBitString(_ db: Database, _ key: UnsafeRawBufferPointer) throws(CommandError) -> Bytes? {
    guard let v = db.lookupRead(key) else { return nil }
    return try bitString(v)
}

/// Runs `body` on the string at the command's key, created or zero-padded to at least `minLength` bytes and
/// re-encoded as raw, as Redis's lookupStringForBitCommand does. `body` gets whether the string was created
/// or grown and returns how many changes it made; only then is the key signalled as modified and counted in
/// `dirty`, so a write that changes nothing leaves WATCH intact.
private func modifyBitString(_ ctx: CommandContext, minLength: Int,
                             _ body: (UnsafeMutableRawBufferPointer, Bool) -> Int) throws(CommandError) {
    let db = ctx.db
    let key = ctx.args[1]
    let existed = db.lookupWrite(key) != nil
    if !existed { ctx.notify(.newKey, "new", key) }
    let changes = try db.withEntry(key) { (e: inout Entry?) throws(CommandError) -> Int in
        guard e != nil else {
            var s = Bytes(repeating: 0, count: minLength)
            let n = s.withUnsafeMutableBytes { body($0, true) }
            e = Entry(key: key, value: .rawBytes(s))
            return n
        }
        var s = try bitString(e!.value)
        // Dropping the entry's reference leaves `s` uniquely owned, so it is modified without a copy.
        e!.value = .int(0)
        let grew = s.count < minLength
        if grew { s.append(contentsOf: repeatElement(0, count: minLength - s.count)) }
        let n = s.withUnsafeMutableBytes { body($0, grew) }
        e!.value = .rawBytes(s)
        return n
    }
    if changes > 0 {
        db.signalModified(key)
        ctx.engine.dirty += changes
        ctx.notify(.string, "setbit", key)
    }
}

/// Reads `bits` (1...64) bits starting at bit `offset`, most significant first; bits past the end read as 0.
@inline(__always)
private func readBits(_ p: UnsafeRawBufferPointer, offset: Int, bits: Int) -> UInt64 {
    var v: UInt64 = 0
    var pos = offset
    var left = bits
    while left > 0 {
        let byte = pos >> 3
        let skip = pos & 7
        let take = min(8 - skip, left)
        let b = byte < p.count ? UInt64(p[byte]) : 0
        v = (v << take) | ((b >> (8 - skip - take)) & ((1 << take) - 1))
        pos += take
        left -= take
    }
    return v
}

/// Stores the low `bits` bits of `value` at bit `offset`; the buffer must cover them.
@inline(__always)
private func writeBits(_ p: UnsafeMutableRawBufferPointer, offset: Int, bits: Int, value: UInt64) {
    var pos = offset
    var left = bits
    while left > 0 {
        let byte = pos >> 3
        let skip = pos & 7
        let take = min(8 - skip, left)
        let shift = 8 - skip - take
        let mask = UInt8(truncatingIfNeeded: ((1 << take) - 1) << shift)
        let chunk = UInt8(truncatingIfNeeded: (value >> (left - take)) << shift) & mask
        p[byte] = (p[byte] & ~mask) | chunk
        pos += take
        left -= take
    }
}

/// Set bits in bits `first...last` of `p` (both within it).
private func countBits(_ p: UnsafeRawBufferPointer, from first: Int, through last: Int) -> Int {
    let lo = first >> 3, hi = last >> 3
    let base = p.baseAddress! + lo
    let n = hi - lo + 1
    var c0 = 0, c1 = 0, c2 = 0, c3 = 0
    var i = 0
    while i + 32 <= n {
        c0 += base.loadUnaligned(fromByteOffset: i, as: UInt64.self).nonzeroBitCount
        c1 += base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self).nonzeroBitCount
        c2 += base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self).nonzeroBitCount
        c3 += base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self).nonzeroBitCount
        i += 32
    }
    while i + 8 <= n {
        c0 += base.loadUnaligned(fromByteOffset: i, as: UInt64.self).nonzeroBitCount
        i += 8
    }
    while i < n {
        c0 += base.load(fromByteOffset: i, as: UInt8.self).nonzeroBitCount
        i += 1
    }
    // Whole bytes were counted; take back the bits before `first` and after `last`.
    let before = p[lo] & ~(UInt8(0xFF) >> UInt8(first & 7))
    let after = p[hi] & (UInt8(0xFF) >> UInt8((last & 7) + 1))
    return c0 + c1 + c2 + c3 - before.nonzeroBitCount - after.nonzeroBitCount
}

/// Position of the first bit equal to `bit` in bits `first...last` of `p` (both within it), or nil.
private func findBit(_ p: UnsafeRawBufferPointer, _ bit: Bool, from first: Int, through last: Int) -> Int? {
    // Searching for a clear bit is searching for a set bit in the complement.
    let flip: UInt8 = bit ? 0 : 0xFF
    let flipWord: UInt64 = bit ? 0 : .max
    var i = first >> 3
    let hi = last >> 3
    let tailMask = UInt8(0xFF) << UInt8(7 - (last & 7))
    var m = (p[i] ^ flip) & (UInt8(0xFF) >> UInt8(first & 7))
    if i == hi { m &= tailMask }
    if m != 0 { return i * 8 + m.leadingZeroBitCount }
    if i == hi { return nil }
    i += 1
    let base = p.baseAddress!
    // Bit 0 is the most significant bit of the first byte, so words are read big-endian.
    while i + 8 <= hi {
        let w = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ flipWord
        if w != 0 { return i * 8 + w.leadingZeroBitCount }
        i += 8
    }
    while i < hi {
        let b = p[i] ^ flip
        if b != 0 { return i * 8 + b.leadingZeroBitCount }
        i += 1
    }
    m = (p[hi] ^ flip) & tailMask
    return m != 0 ? hi * 8 + m.leadingZeroBitCount : nil
}
