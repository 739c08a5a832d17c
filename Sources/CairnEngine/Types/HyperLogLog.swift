/// Errors of the PF* commands, one per Redis reply.
public enum HyperLogLogError: Error, Sendable {
    /// "WRONGTYPE Key is not a valid HyperLogLog string value."
    case invalidObject
    /// "INVALIDOBJ Corrupted HLL object detected"
    case corrupted
}

/// Redis's HyperLogLog as the plain string it stores (and writes to RDB files). Every mutation reproduces Redis's
/// exact byte sequence, including its opcode-splitting and merge heuristics, because a dump from either server must
/// load into the other and PFCOUNT must give the same number for the same string.
///
/// Layout: 16-byte header `"HYLL"`, encoding (0 dense, 1 sparse), 3 unused bytes, 8-byte little-endian cached
/// cardinality whose top bit marks it stale; then either 16384 six-bit registers packed LSB-first (dense) or a
/// run-length opcode stream (sparse): `00xxxxxx` ZERO run of 1...64, `01xxxxxx yyyyyyyy` XZERO run of 1...16384,
/// `1vvvvvxx` VAL run of 1...4 registers holding 1...32.
public enum HyperLogLog {
    @usableFromInline static let headerSize = 16
    static let registerCount = 1 << 14
    static let registerBytes = registerCount * 6 / 8
    @usableFromInline static let denseSize = headerSize + registerBytes
    @usableFromInline static let encodingDense: UInt8 = 0
    @usableFromInline static let encodingSparse: UInt8 = 1
    static let sparseMaxValue: UInt8 = 32
    static let sparseMaxValRun = 4
    static let sparseMaxZeroRun = 64
    /// Bits of the hash above the register index that feed the run of zeroes; the run is capped at q + 1.
    static let q = 64 - 14
    static let hashSeed: UInt64 = 0xadc8_3b19
    static let staleCacheBit: UInt8 = 0x80

    // MARK: - Public API

    /// A new empty HLL exactly as Redis's createHLLObject builds it: sparse, one XZERO covering every register,
    /// cached cardinality 0 and valid. PFADD on a missing key counts the creation as an update, so the command layer
    /// must still call `invalidateCache` afterwards to match Redis.
    public static func makeEmpty() -> [UInt8] {
        [0x48, 0x59, 0x4C, 0x4C, encodingSparse, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0xFF]
    }

    /// The shape checks of Redis's isHLLObjectOrReply. A string that passes may still be corrupted inside; the
    /// operations report that as `.corrupted`.
    @inlinable
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= headerSize,
              bytes[0] == 0x48, bytes[1] == 0x59, bytes[2] == 0x4C, bytes[3] == 0x4C else { return false }
        let encoding = bytes[4]
        if encoding == encodingDense { return bytes.count == denseSize }
        return encoding == encodingSparse
    }

    /// PFADD of one element. Returns true when a register grew, and then also marks the cached cardinality stale
    /// (PFADD does so anyway). Like Redis, a sparse HLL becomes dense when the register value exceeds 32 or the grown
    /// opcode stream would exceed `sparseMaxBytes` (header included). On `.corrupted` the HLL is left as it was.
    public static func add(_ hll: inout [UInt8], element: UnsafeRawBufferPointer,
                           sparseMaxBytes: Int) throws(HyperLogLogError) -> Bool {
        guard isValid(hll) else { throw .invalidObject }
        let (index, count) = patternLength(element)
        if hll[4] == encodingDense {
            let changed = hll.withUnsafeMutableBufferPointer { denseSet($0.baseAddress! + headerSize, index, count) }
            if changed { invalidateCache(&hll) }
            return changed
        }
        return try sparseSet(&hll, index, count, sparseMaxBytes)
    }

    public static func invalidateCache(_ hll: inout [UInt8]) {
        guard hll.count >= headerSize else { return }
        hll[15] |= staleCacheBit
    }

    /// PFCOUNT of one key. A stale cache is recomputed and stored back into the header (Redis then treats the key
    /// as modified), which the second element of the result reports.
    public static func count(_ hll: inout [UInt8]) throws(HyperLogLogError) -> (UInt64, Bool) {
        guard isValid(hll) else { throw .invalidObject }
        if hll[15] & staleCacheBit == 0 {
            var cached: UInt64 = 0
            for i in (8..<16).reversed() { cached = cached << 8 | UInt64(hll[i]) }
            return (cached, false)
        }
        guard let card = estimate(hll) else { throw .corrupted }
        for i in 0..<8 { hll[8 + i] = UInt8(truncatingIfNeeded: card >> (8 * i)) }
        return (card, true)
    }

    /// The cardinality from the registers, whatever the cache says; nil when a sparse stream is corrupted.
    static func estimate(_ hll: [UInt8]) -> UInt64? {
        hll.withUnsafeBufferPointer { b in
            withHistogram { histo in
                let regs = b.baseAddress! + headerSize
                if b[4] == encodingDense {
                    denseHistogram(regs, histo)
                } else if !sparseHistogram(regs, b.count - headerSize, histo) {
                    return nil
                }
                return estimate(histo)
            }
        }
    }

    /// PFCOUNT over several keys: the cardinality of their union, nothing written back. Pass only existing keys
    /// (Redis treats missing ones as empty), in command order so the first bad key decides the error.
    public static func countUnion(_ hlls: [[UInt8]]) throws(HyperLogLogError) -> UInt64 {
        var registers = [UInt8](repeating: 0, count: registerCount)
        for hll in hlls {
            guard isValid(hll) else { throw .invalidObject }
            guard maxMerge(into: &registers, hll) else { throw .corrupted }
        }
        return registers.withUnsafeBufferPointer { regs in
            withHistogram { histo in
                for v in regs { histo[Int(v)] += 1 }
                return estimate(histo)
            }
        }
    }

    /// PFMERGE. `dest` is the destination's current value (nil when the key is missing) and takes part in the
    /// union, as in Redis; `sources` are the existing source keys in command order. As Redis 7.0 does, the result
    /// is dense when any input is dense; otherwise the registers are written into the sparse destination one by
    /// one, which promotes it only under the same rules as PFADD.
    public static func merge(into dest: [UInt8]?, sources: [[UInt8]],
                             sparseMaxBytes: Int) throws(HyperLogLogError) -> [UInt8] {
        var registers = [UInt8](repeating: 0, count: registerCount)
        var useDense = false
        func absorb(_ hll: [UInt8]) throws(HyperLogLogError) {
            guard isValid(hll) else { throw .invalidObject }
            if hll[4] == encodingDense { useDense = true }
            guard maxMerge(into: &registers, hll) else { throw .corrupted }
        }
        if let dest { try absorb(dest) }
        for source in sources { try absorb(source) }

        var result = dest ?? makeEmpty()
        if useDense { result = try sparseToDense(result) }
        for j in 0..<registerCount where registers[j] != 0 {
            if result[4] == encodingDense {
                _ = result.withUnsafeMutableBufferPointer { denseSet($0.baseAddress! + headerSize, j, registers[j]) }
            } else {
                _ = try sparseSet(&result, j, registers[j], sparseMaxBytes)
            }
        }
        invalidateCache(&result)
        return result
    }

    // MARK: - Hashing

    /// Austin Appleby's MurmurHash64A reading words little-endian, as Redis does on every platform.
    static func murmurHash64A(_ key: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let m: UInt64 = 0xc6a4_a793_5bd1_e995
        let r: UInt64 = 47
        let len = key.count
        var h = seed ^ (UInt64(len) &* m)
        if let base = key.baseAddress {
            let wordBytes = len & ~7
            var i = 0
            while i < wordBytes {
                var k = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                k &*= m
                k ^= k >> r
                k &*= m
                h ^= k
                h &*= m
                i += 8
            }
            if len & 7 != 0 {
                var tail: UInt64 = 0
                for j in 0..<(len & 7) {
                    tail |= UInt64(base.load(fromByteOffset: wordBytes + j, as: UInt8.self)) << (8 * UInt64(j))
                }
                h ^= tail
                h &*= m
            }
        }
        h ^= h >> r
        h &*= m
        h ^= h >> r
        return h
    }

    /// The register an element selects (low 14 hash bits) and the value it proposes: 1 + the number of trailing
    /// zero bits in the remaining 50, so at most 51.
    static func patternLength(_ element: UnsafeRawBufferPointer) -> (index: Int, count: UInt8) {
        let hash = murmurHash64A(element, seed: hashSeed)
        let index = Int(truncatingIfNeeded: hash & UInt64(registerCount - 1))
        let rest = (hash >> 14) | (1 << UInt64(q))
        return (index, UInt8(rest.trailingZeroBitCount + 1))
    }

    // MARK: - Dense registers

    /// Registers straddle bytes; only registers starting in the low 3 bits of a byte fit in it entirely, and the
    /// last register is one of them, so the byte after the array is never touched.
    @inline(__always)
    static func denseGet(_ regs: UnsafePointer<UInt8>, _ index: Int) -> UInt8 {
        let byte = index * 6 / 8
        let shift = UInt8(index * 6 & 7)
        if shift <= 2 { return (regs[byte] >> shift) & 63 }
        return ((regs[byte] >> shift) | (regs[byte + 1] << (8 - shift))) & 63
    }

    @inline(__always)
    static func denseSet(_ regs: UnsafeMutablePointer<UInt8>, _ index: Int, _ value: UInt8) -> Bool {
        guard value > denseGet(regs, index) else { return false }
        denseWrite(regs, index, value)
        return true
    }

    /// Stores `value` (0...63) whether or not it is larger.
    @inline(__always)
    static func denseWrite(_ regs: UnsafeMutablePointer<UInt8>, _ index: Int, _ value: UInt8) {
        let byte = index * 6 / 8
        let shift = UInt8(index * 6 & 7)
        regs[byte] = regs[byte] & ~(63 << shift) | (value << shift)
        if shift > 2 {
            regs[byte + 1] = regs[byte + 1] & ~(63 >> (8 - shift)) | (value >> (8 - shift))
        }
    }

    /// Four registers per three bytes.
    static func denseHistogram(_ regs: UnsafePointer<UInt8>, _ histo: UnsafeMutablePointer<Int>) {
        var i = 0
        while i < registerBytes {
            let w = UInt32(regs[i]) | UInt32(regs[i + 1]) << 8 | UInt32(regs[i + 2]) << 16
            histo[Int(w & 63)] += 1
            histo[Int(w >> 6 & 63)] += 1
            histo[Int(w >> 12 & 63)] += 1
            histo[Int(w >> 18)] += 1
            i += 3
        }
    }

    // MARK: - Sparse opcodes

    @inline(__always) static func isZero(_ op: UInt8) -> Bool { op & 0xC0 == 0 }
    @inline(__always) static func isXZero(_ op: UInt8) -> Bool { op & 0xC0 == 0x40 }
    @inline(__always) static func isVal(_ op: UInt8) -> Bool { op & 0x80 != 0 }
    @inline(__always) static func zeroLen(_ op: UInt8) -> Int { Int(op & 0x3F) + 1 }
    @inline(__always) static func valLen(_ op: UInt8) -> Int { Int(op & 3) + 1 }
    @inline(__always) static func valValue(_ op: UInt8) -> UInt8 { (op >> 2 & 0x1F) + 1 }
    @inline(__always) static func valOp(_ value: UInt8, _ len: Int) -> UInt8 {
        0x80 | (value - 1) << 2 | UInt8(len - 1)
    }

    /// XZERO length at `p`. A truncated final XZERO reads 0 as its second byte, which is what Redis sees there
    /// (the string's NUL terminator), so corrupted input is judged the same way.
    @inline(__always)
    static func xzeroLen(_ s: UnsafePointer<UInt8>, _ p: Int, _ end: Int) -> Int {
        (Int(s[p] & 0x3F) << 8 | Int(p + 1 < end ? s[p + 1] : 0)) + 1
    }

    /// Register histogram of a sparse stream; false when it is corrupted.
    static func sparseHistogram(_ s: UnsafePointer<UInt8>, _ len: Int, _ histo: UnsafeMutablePointer<Int>) -> Bool {
        var nonZero = 0
        let ok = forEachSparseRun(s, len) { _, run, value in
            histo[Int(value)] += run
            nonZero += run
        }
        histo[0] = registerCount - nonZero
        return ok
    }

    /// Redis's hllMerge: registers[i] = max(registers[i], hll[i]); false when a sparse stream is corrupted.
    static func maxMerge(into registers: inout [UInt8], _ hll: [UInt8]) -> Bool {
        registers.withUnsafeMutableBufferPointer { maxBuf in
            let max = maxBuf.baseAddress!
            return hll.withUnsafeBufferPointer { b in
                let regs = b.baseAddress! + headerSize
                if b[4] == encodingDense {
                    for i in 0..<registerCount {
                        let v = denseGet(regs, i)
                        if v > max[i] { max[i] = v }
                    }
                    return true
                }
                return forEachSparseRun(regs, b.count - headerSize) { i, run, value in
                    for r in i..<(i + run) where value > max[r] { max[r] = value }
                }
            }
        }
    }

    /// Walks a sparse stream calling `body(firstRegister, run, value)` for each VAL run. The stream is valid only
    /// if its runs cover exactly 16384 registers; as in Redis since the CVE-2025-32023 fix, the walk stops at the
    /// first opcode that would run past the last register.
    @inline(__always)
    static func forEachSparseRun(_ s: UnsafePointer<UInt8>, _ len: Int,
                                 _ body: (Int, Int, UInt8) -> Void) -> Bool {
        var p = 0
        var idx = 0
        while p < len {
            let op = s[p]
            let run: Int
            if isZero(op) {
                run = zeroLen(op)
                p += 1
            } else if isXZero(op) {
                run = xzeroLen(s, p, len)
                p += 2
            } else {
                run = valLen(op)
                p += 1
            }
            if idx + run > registerCount { return false }
            if isVal(op) { body(idx, run, valValue(op)) }
            idx += run
        }
        return idx == registerCount
    }

    /// Redis's hllSparseToDense: the header (magic, unused bytes and cached cardinality, stale bit included) is
    /// carried over unchanged apart from the encoding.
    static func sparseToDense(_ hll: [UInt8]) throws(HyperLogLogError) -> [UInt8] {
        if hll[4] == encodingDense { return hll }
        var dense = [UInt8](repeating: 0, count: denseSize)
        let ok = dense.withUnsafeMutableBufferPointer { d in
            hll.withUnsafeBufferPointer { s in
                let out = d.baseAddress!
                out.update(from: s.baseAddress!, count: headerSize)
                out[4] = encodingDense
                let regs = out + headerSize
                return forEachSparseRun(s.baseAddress! + headerSize, s.count - headerSize) { i, run, value in
                    for r in i..<(i + run) { _ = denseSet(regs, r, value) }
                }
            }
        }
        guard ok else { throw .corrupted }
        return dense
    }

    /// Redis's hllSparseSet: raises register `index` to `count` in place, splitting the opcode that covers it and
    /// re-merging equal neighbouring VALs, or promotes to dense.
    static func sparseSet(_ hll: inout [UInt8], _ index: Int, _ count: UInt8,
                          _ sparseMaxBytes: Int) throws(HyperLogLogError) -> Bool {
        if count > sparseMaxValue { return try promote(&hll, index, count) }

        // Step 1: find the opcode covering `index`.
        let len = hll.count
        var p = headerSize
        var first = 0
        var span = 0
        var prev = -1
        let found = hll.withUnsafeBufferPointer { b in
            let s = b.baseAddress!
            while p < len {
                let op = s[p]
                let opLen: Int
                if isZero(op) {
                    span = zeroLen(op)
                    opLen = 1
                } else if isVal(op) {
                    span = valLen(op)
                    opLen = 1
                } else {
                    span = xzeroLen(s, p, len)
                    opLen = 2
                }
                if index <= first + span - 1 { return true }
                prev = p
                p += opLen
                first += span
            }
            return false
        }
        guard found else { throw .corrupted }
        let op = hll[p]
        let oldLen = isXZero(op) ? 2 : 1
        // Redis would write past the string's end when splitting a truncated XZERO; refuse instead.
        guard p + oldLen <= len else { throw .corrupted }

        // Step 2: the cases that update one opcode byte in place.
        if isVal(op) {
            if valValue(op) >= count { return false }
            if span == 1 {
                hll[p] = valOp(count, 1)
                return updated(&hll, from: prev)
            }
        } else if isZero(op) && span == 1 {
            hll[p] = valOp(count, 1)
            return updated(&hll, from: prev)
        }

        // General case: replace the opcode by up to three (at most 5 bytes, packed little-endian in `seq`).
        var seq: UInt64 = 0
        var seqLen = 0
        func emit(_ byte: UInt8) {
            seq |= UInt64(byte) << (8 * UInt64(seqLen))
            seqLen += 1
        }
        func emitZeroRun(_ run: Int) {
            if run > sparseMaxZeroRun {
                emit(0x40 | UInt8((run - 1) >> 8))
                emit(UInt8(truncatingIfNeeded: run - 1))
            } else {
                emit(UInt8(run - 1))
            }
        }
        let last = first + span - 1
        if isVal(op) {
            let current = valValue(op)
            if index != first { emit(valOp(current, index - first)) }
            emit(valOp(count, 1))
            if index != last { emit(valOp(current, last - index)) }
        } else {
            if index != first { emitZeroRun(index - first) }
            emit(valOp(count, 1))
            if index != last { emitZeroRun(last - index) }
        }

        // Step 3: splice the sequence in, unless growing would pass the sparse size limit.
        let delta = seqLen - oldLen
        if delta > 0 && len + delta > sparseMaxBytes { return try promote(&hll, index, count) }
        for _ in 0..<max(delta, 0) { hll.append(0) }
        hll.withUnsafeMutableBufferPointer { b in
            let s = b.baseAddress!
            let next = p + oldLen
            if delta != 0 && next < len {
                (s + next + delta).update(from: s + next, count: len - next)
            }
            for i in 0..<seqLen { s[p + i] = UInt8(truncatingIfNeeded: seq >> (8 * UInt64(i))) }
        }
        if delta < 0 { hll.removeLast(-delta) }
        return updated(&hll, from: prev)
    }

    /// Step 4 of hllSparseSet: merges equal adjacent VALs in a window of five opcode visits starting at the opcode
    /// before the change (Redis's bound, which leaves some mergeable pairs alone), then marks the cache stale.
    static func updated(_ hll: inout [UInt8], from prev: Int) -> Bool {
        var end = hll.count
        hll.withUnsafeMutableBufferPointer { b in
            let s = b.baseAddress!
            var p = prev >= 0 ? prev : headerSize
            var visits = 5
            while p < end && visits > 0 {
                visits -= 1
                let op = s[p]
                if isXZero(op) {
                    p += 2
                    continue
                }
                if isZero(op) {
                    p += 1
                    continue
                }
                if p + 1 < end, isVal(s[p + 1]), valValue(op) == valValue(s[p + 1]) {
                    let run = valLen(op) + valLen(s[p + 1])
                    if run <= sparseMaxValRun {
                        s[p + 1] = valOp(valValue(op), run)
                        (s + p).update(from: s + p + 1, count: end - p - 1)
                        end -= 1
                        continue
                    }
                }
                p += 1
            }
        }
        hll.removeLast(hll.count - end)
        invalidateCache(&hll)
        return true
    }

    /// The promotion path of hllSparseSet. Redis marks the cache stale only later, in PFADD and PFMERGE, which
    /// always follow a promotion, so doing it here gives the same bytes.
    static func promote(_ hll: inout [UInt8], _ index: Int, _ count: UInt8) throws(HyperLogLogError) -> Bool {
        hll = try sparseToDense(hll)
        _ = hll.withUnsafeMutableBufferPointer { denseSet($0.baseAddress! + headerSize, index, count) }
        invalidateCache(&hll)
        return true
    }

    // MARK: - Estimator

    @inline(__always)
    static func withHistogram<R>(_ body: (UnsafeMutablePointer<Int>) -> R) -> R {
        // Registers hold up to 63; Redis sizes its histogram for that and ignores buckets above q + 1.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 64) { buf in
            let histo = buf.baseAddress!
            histo.initialize(repeating: 0, count: 64)
            return body(histo)
        }
    }

    /// Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog sketches",
    /// arXiv:1702.01284) with the same floating-point operation order as Redis, so results agree to the unit.
    static func estimate(_ histo: UnsafeMutablePointer<Int>) -> UInt64 {
        let m = Double(registerCount)
        var z = m * tau((m - Double(histo[q + 1])) / m)
        for j in stride(from: q, through: 1, by: -1) {
            z += Double(histo[j])
            z *= 0.5
        }
        z += m * sigma(Double(histo[0]) / m)
        let alphaInf = 0.721347520444481703680 // 0.5 / ln 2
        return UInt64((alphaInf * m * m / z).rounded(.toNearestOrAwayFromZero))
    }

    static func sigma(_ x: Double) -> Double {
        if x == 1 { return .infinity }
        var x = x
        var y = 1.0
        var z = x
        var previous: Double
        repeat {
            x *= x
            previous = z
            z += x * y
            y += y
        } while previous != z
        return z
    }

    static func tau(_ x: Double) -> Double {
        if x == 0 || x == 1 { return 0 }
        var x = x
        var y = 1.0
        var z = 1 - x
        var previous: Double
        repeat {
            x = x.squareRoot()
            previous = z
            y *= 0.5
            // Redis writes pow(1 - x, 2); compilers emit exactly this multiplication for it.
            let d = 1 - x
            z -= d * d * y
        } while previous != z
        return z / 3
    }
}

// MARK: - PFDEBUG and PFSELFTEST

extension HyperLogLog {
    /// Whether a valid HLL uses the sparse encoding.
    public static func isSparse(_ hll: [UInt8]) -> Bool { hll[4] == encodingSparse }

    /// The dense form of a valid HLL (itself when already dense); `.corrupted` when its sparse stream is.
    public static func dense(_ hll: [UInt8]) throws(HyperLogLogError) -> [UInt8] { try sparseToDense(hll) }

    /// All 16384 registers of a dense HLL, in index order.
    public static func registers(ofDense hll: [UInt8]) -> [UInt8] {
        precondition(hll[4] == encodingDense && hll.count == denseSize, "not a dense HLL")
        return hll.withUnsafeBufferPointer { b in
            (0..<registerCount).map { denseGet(b.baseAddress! + headerSize, $0) }
        }
    }

    /// PFDEBUG DECODE's listing of a sparse stream: "z:LEN" ZERO, "Z:LEN" XZERO and "v:VALUE,LEN" VAL opcodes,
    /// space-separated. It reads opcodes without judging them, so it also shows corrupted streams.
    public static func sparseOpcodes(_ hll: [UInt8]) -> String {
        var parts: [String] = []
        hll.withUnsafeBufferPointer { b in
            let s = b.baseAddress!
            var p = headerSize
            while p < b.count {
                let op = s[p]
                if isZero(op) {
                    parts.append("z:\(zeroLen(op))")
                    p += 1
                } else if isXZero(op) {
                    parts.append("Z:\(xzeroLen(s, p, b.count))")
                    p += 2
                } else {
                    parts.append("v:\(valValue(op)),\(valLen(op))")
                    p += 1
                }
            }
        }
        return parts.joined(separator: " ")
    }

    /// PFSELFTEST: the checks Redis runs, with its failure messages; nil when all pass.
    ///
    /// 1. 1000 rounds of random values written into every dense register must read back unchanged, so no
    ///    register overlaps its neighbours.
    /// 2. `elements` distinct 8-byte elements go into a dense HLL and a sparse one side by side. At 1, 10, 100...
    ///    elements the sparse one must still be sparse while below half of `sparseMaxBytes`, both must give the
    ///    same count, and the count must lie within six standard errors (within 1 at 10 elements, where
    ///    collisions are likely enough to fail a wider test by chance).
    public static func selfTest(elements: Int = 10_000_000, sparseMaxBytes: Int) -> String? {
        var registers = [UInt8](repeating: 0, count: registerCount)
        var dense = [UInt8](repeating: 0, count: denseSize)
        // 16 million draws: the system generator's one system call per draw would dominate the test.
        var rng = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))
        let mismatch: String? = dense.withUnsafeMutableBufferPointer { d in
            let regs = d.baseAddress! + headerSize
            for _ in 0..<1000 {
                for i in 0..<registerCount {
                    let r = UInt8(truncatingIfNeeded: rng.next() & 63)
                    registers[i] = r
                    denseWrite(regs, i, r)
                }
                for i in 0..<registerCount where denseGet(regs, i) != registers[i] {
                    return "TESTFAILED Register \(i) should be \(registers[i]) but is \(denseGet(regs, i))"
                }
            }
            regs.update(repeating: 0, count: registerBytes)
            return nil
        }
        if let mismatch { return mismatch }
        dense.replaceSubrange(0..<headerSize, with: makeEmpty()[0..<headerSize])
        dense[4] = encodingDense
        var sparse = makeEmpty()

        let relativeError = 1.04 / Double(registerCount).squareRoot()
        var checkpoint = 1
        let seed = rng.next()
        for j in 1...elements {
            var element = (UInt64(j) ^ seed).littleEndian
            withUnsafeBytes(of: &element) { e in
                _ = try? add(&dense, element: e, sparseMaxBytes: sparseMaxBytes)
                _ = try? add(&sparse, element: e, sparseMaxBytes: sparseMaxBytes)
            }
            guard j == checkpoint else { continue }
            if j < sparseMaxBytes / 2 && !isSparse(sparse) { return "TESTFAILED sparse encoding not used" }
            let count = estimate(dense) ?? 0
            if count != estimate(sparse) { return "TESTFAILED dense/sparse disagree" }
            let maxError = j == 10 ? 1 : UInt64((relativeError * 6 * Double(checkpoint)).rounded(.up))
            let error = UInt64(abs(Int64(checkpoint) - Int64(count)))
            if error > maxError { return "TESTFAILED Too big error. card:\(checkpoint) abserr:\(error)" }
            checkpoint *= 10
        }
        return nil
    }
}
