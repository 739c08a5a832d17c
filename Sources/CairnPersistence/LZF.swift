/// LZF, the compression RDB applies to strings and list nodes. Any valid stream decodes; the compressor keeps
/// its hash table initialised, so its output is deterministic (Redis's is not, so tests never compare bytes).
public enum LZF {
    public enum Failure: Error { case corrupt }

    /// Decodes `input` into exactly `length` bytes; anything else is corruption.
    public static func decompress(_ input: UnsafeRawBufferPointer, length: Int) throws(Failure) -> [UInt8] {
        var failed = false
        // Uninitialized output: every byte is written before the array is returned; on failure it is empty.
        let out = [UInt8](unsafeUninitializedCapacity: length) { o, initialized in
            failed = !decompress(input, into: UnsafeMutableRawBufferPointer(o))
            initialized = failed ? 0 : length
        }
        if failed { throw .corrupt }
        return out
    }

    /// Decodes `input` into `out`, which it must fill exactly; false when the input is corrupt.
    public static func decompress(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
        let n = input.count
        let length = out.count
        guard let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self),
              let dst = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return n == 0 && length == 0 }
        var op = 0
        var ip = 0
        while ip < n {
            let c = Int(src[ip])
            ip += 1
            if c < 32 {
                let run = c + 1
                guard ip + run <= n, op + run <= length else { return false }
                copy(dst + op, src + ip, run)
                ip += run
                op += run
            } else {
                var len = c >> 5
                if len == 7 {
                    guard ip < n else { return false }
                    len += Int(src[ip])
                    ip += 1
                }
                guard ip < n else { return false }
                let back = ((c & 0x1F) << 8 | Int(src[ip])) + 1
                ip += 1
                len += 2
                guard back <= op, op + len <= length else { return false }
                if back >= len {
                    copy(dst + op, dst + op - back, len)
                } else if back == 1 {
                    (dst + op).update(repeating: dst[op - 1], count: len)
                } else {
                    // The source overlaps what is being written: the last `back` bytes repeat, copied a whole
                    // period at a time (each copy's source lies wholly before its destination).
                    var done = 0
                    while done < len {
                        let chunk = min(back, len - done)
                        copy(dst + op + done, dst + op + done - back, chunk)
                        done += chunk
                    }
                }
                op += len
            }
        }
        return op == length
    }

    /// Most copies are a few bytes long: two loads and two stores that may overlap each other (both loads come
    /// first, and the source ends where the destination starts at the latest) beat a loop or a call to memmove.
    @inline(__always)
    static func copy(_ to: UnsafeMutablePointer<UInt8>, _ from: UnsafePointer<UInt8>, _ n: Int) {
        let d = UnsafeMutableRawPointer(to), s = UnsafeRawPointer(from)
        if n >= 8 && n <= 16 {
            let a = s.loadUnaligned(as: UInt64.self), b = s.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            d.storeBytes(of: a, as: UInt64.self)
            d.storeBytes(of: b, toByteOffset: n - 8, as: UInt64.self)
        } else if n > 16 && n <= 32 {
            // Literal runs are at most 32 bytes: the longer ones took a call to memmove each.
            let a = s.loadUnaligned(as: UInt64.self), b = s.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            let c = s.loadUnaligned(fromByteOffset: n - 16, as: UInt64.self)
            let e = s.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            d.storeBytes(of: a, as: UInt64.self)
            d.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
            d.storeBytes(of: c, toByteOffset: n - 16, as: UInt64.self)
            d.storeBytes(of: e, toByteOffset: n - 8, as: UInt64.self)
        } else if n >= 4 && n < 8 {
            let a = s.loadUnaligned(as: UInt32.self), b = s.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            d.storeBytes(of: a, as: UInt32.self)
            d.storeBytes(of: b, toByteOffset: n - 4, as: UInt32.self)
        } else if n < 4 {
            for j in 0..<n { to[j] = from[j] }
        } else {
            to.update(from: from, count: n)
        }
    }

    /// Compresses `input`; nil when the result would exceed `limit` bytes (the caller then stores it plain).
    public static func compress(_ input: UnsafeRawBufferPointer, limit: Int) -> [UInt8]? {
        let compressor = Compressor()
        // The result points into the compressor's buffer: it must outlive the copy.
        return withExtendedLifetime(compressor) { compressor.compress(input, limit: limit).map { Array($0) } }
    }

    /// Keeps its match table and its output buffer between calls: a snapshot compresses millions of short
    /// strings, and a fresh array for each result cost as much as the compression (callgrind). Positions are
    /// stored offset by a per-call base, so entries left by earlier inputs read as misses and the table is
    /// cleared only when the base wraps, not per string.
    public final class Compressor {
        var table: UnsafeMutablePointer<Int32>? = nil
        var base = 0
        var output: UnsafeMutableRawPointer? = nil
        var outputCapacity = 0

        public init() {}

        deinit {
            table?.deallocate()
            output?.deallocate()
        }

        /// The compressed bytes, valid until the next call; nil when they would exceed `limit`.
        public func compress(_ input: UnsafeRawBufferPointer, limit: Int) -> UnsafeRawBufferPointer? {
            let n = input.count
            guard n >= 4, limit > 0 else { return nil }
            if table == nil || base + n >= Int(Int32.max) {
                if table == nil { table = .allocate(capacity: 1 << 14) }
                table!.initialize(repeating: -1, count: 1 << 14)
                base = 0
            }
            defer { base += n + 1 }
            // A literal run may overshoot the limit by two bytes before it is checked.
            if outputCapacity < limit + 3 {
                output?.deallocate()
                outputCapacity = max(limit + 3, 256)
                output = .allocate(byteCount: outputCapacity, alignment: 8)
            }
            let count = run(input.baseAddress!.assumingMemoryBound(to: UInt8.self), n, limit: limit,
                            table: table!, base: base, out: output!.assumingMemoryBound(to: UInt8.self))
            return count.map { UnsafeRawBufferPointer(start: output!, count: $0) }
        }
    }

    /// The output's length, written to `out` (room for `limit + 3` bytes), or nil over `limit`.
    static func run(_ input: UnsafePointer<UInt8>, _ n: Int, limit: Int, table: UnsafeMutablePointer<Int32>, base: Int,
                    out: UnsafeMutablePointer<UInt8>) -> Int? {
        var o = 0
        var litPos = 0
        var lit = 0
        out[o] = 0
        o += 1
        var ip = 0
        @inline(__always) func slot(_ v: UInt32) -> Int { Int((v &* 2_654_435_761) >> 18) }
        @inline(__always) func word(_ p: Int) -> UInt64 {
            UInt64(littleEndian: UnsafeRawPointer(input + p).loadUnaligned(as: UInt64.self))
        }
        // The three bytes at `ip`, kept rolling: a literal step loads one new byte instead of three.
        var v = UInt32(input[0]) << 8 | UInt32(input[1])
        // Positions plus `base` stay below Int32.max (the compressor resets `base` first), so the per-byte steps
        // use wrapping arithmetic: overflow checks were about a third of a literal byte's instructions.
        while ip &+ 2 < n {
            v = (v << 8 | UInt32(input[ip &+ 2])) & 0xFF_FFFF
            let h = slot(v)
            let stored = Int(table[h])
            let ref = stored >= base ? stored &- base : -1
            table[h] = Int32(truncatingIfNeeded: ip &+ base)
            let back = ip &- ref
            if ref >= 0 && back <= 8192 && input[ref] == input[ip] && input[ref &+ 1] == input[ip &+ 1]
                && input[ref &+ 2] == input[ip &+ 2] {
                let maxLen = min(264, n - ip)
                var len = 3
                // Eight bytes a step: the padding runs in typical values made the byte loop the compressor's
                // largest cost.
                var differs = false
                while len &+ 8 <= maxLen {
                    let x = word(ref &+ len) ^ word(ip &+ len)
                    if x != 0 {
                        len += x.trailingZeroBitCount >> 3
                        differs = true
                        break
                    }
                    len &+= 8
                }
                if !differs { while len < maxLen && input[ref + len] == input[ip + len] { len += 1 } }
                if lit > 0 { out[litPos] = UInt8(lit - 1) } else { o -= 1 }
                let code = len - 2
                let off = back - 1
                // A match needs up to four bytes (with the next literal header) before the check below.
                if o + 4 > limit + 3 { return nil }
                if code < 7 {
                    out[o] = UInt8(code << 5 | off >> 8)
                    o += 1
                } else {
                    out[o] = UInt8(7 << 5 | off >> 8)
                    out[o + 1] = UInt8(code - 7)
                    o += 2
                }
                out[o] = UInt8(off & 0xFF)
                o += 1
                litPos = o
                out[o] = 0
                o += 1
                lit = 0
                ip += len
                if o > limit { return nil }
                // Only the match's last two positions enter the table, as liblzf's fast mode does: hashing every
                // position inside a match cost more than the matches it found.
                var p = ip - 2
                while p < ip && p + 2 < n {
                    table[slot(UInt32(input[p]) << 16 | UInt32(input[p + 1]) << 8 | UInt32(input[p + 2]))] = Int32(p + base)
                    p += 1
                }
                if ip + 1 < n { v = UInt32(input[ip]) << 8 | UInt32(input[ip + 1]) }
                continue
            }
            literal(input[ip], &o, &lit, &litPos, out)
            if o > limit + 1 { return nil }
            ip &+= 1
        }
        while ip < n {
            literal(input[ip], &o, &lit, &litPos, out)
            if o > limit + 1 { return nil }
            ip &+= 1
        }
        if lit > 0 { out[litPos] = UInt8(lit - 1) } else { o -= 1 }
        return o <= limit ? o : nil
    }

    /// Appends one literal byte, closing the run at 32 (the longest a header can describe).
    @inline(__always)
    static func literal(_ byte: UInt8, _ o: inout Int, _ lit: inout Int, _ litPos: inout Int,
                        _ out: UnsafeMutablePointer<UInt8>) {
        out[o] = byte
        o &+= 1
        lit &+= 1
        if lit == 32 {
            out[litPos] = 31
            litPos = o
            out[o] = 0
            o &+= 1
            lit = 0
        }
    }
}
