/// Double-to-text conversion the way Redis 7.2 and Valkey 8 print sorted-set scores: Loitsch's Grisu2
/// ("Printing Floating-Point Numbers Quickly and Accurately with Integers", PLDI 2010) with the same cached
/// powers, the same choice among them and the same digit weeding as their fpconv_dtoa, so every reply,
/// listpack score, AOF argument and DEBUG DIGEST matches theirs byte for byte. Grisu2 gives the shortest
/// round-trip digits for all but about one double in a thousand, where it gives one digit more or a
/// neighbouring last digit; plain shortest-digit printing would differ from those servers there.
public enum ShortestDouble {
    /// fpconv_dtoa's text for `d` into `out`; returns the length.
    private static func writePlain(_ d: Double, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        if d.sign == .minus {
            out[0] = UInt8(ascii: "-")
            n = 1
        }
        if d == 0 {
            out[n] = UInt8(ascii: "0")
            return n + 1
        }
        if !d.isFinite {
            let word: StaticString = d.isNaN ? "nan" : "inf"
            for i in 0..<3 { out[n + i] = word.utf8Start[i] }
            return n + 3
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { raw in
            let buf = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let (count, exponent) = generate(abs(d), into: buf)
            return n + layout(buf, count: count, exponent: exponent, negative: n == 1, into: out + n)
        }
    }

    /// Which of the two forms those servers print.
    public enum Style {
        /// d2string's, for replies and listpack scores: "nan" unsigned, integral values within ±2^62 as
        /// integers, everything else as `plain`.
        case reply
        /// fpconv_dtoa's, for DEBUG DIGEST and the scores an AOF rewrite writes.
        case plain
    }

    /// `d` in `style` into `out`; returns the length.
    private static func write(_ d: Double, _ style: Style, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard style == .reply else { return writePlain(d, into: out) }
        // d2string prints every NaN unsigned.
        if d.isNaN { return writePlain(d.magnitude, into: out) }
        if d != 0, let v = integral(d) {
            let width = IntegerFormat.width(Int(v.magnitude)) + (v < 0 ? 1 : 0)
            _ = IntegerFormat.write(v, into: UnsafeMutableRawBufferPointer(start: out, count: width))
            return width
        }
        return writePlain(d, into: out)
    }

    /// `d` as an integer when it is integral and within ±2^62, the range Redis's double2ll trusts.
    @inline(__always)
    public static func integral(_ d: Double) -> Int64? {
        let limit = Double(Int64(1) << 62)
        guard d >= -limit, d <= limit, d == d.rounded(.towardZero) else { return nil }
        return Int64(d)
    }

    /// Hands `body` the text of `d` in `style` from a buffer on the stack (32 bytes: a sign, 17 digits, a
    /// point, "e-308"): no allocation.
    @inline(__always)
    public static func withText<R>(_ d: Double, _ style: Style, _ body: (UnsafeRawBufferPointer) throws -> R)
        rethrows -> R
    {
        var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return try withUnsafeMutableBytes(of: &storage) { raw in
            let p = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return try body(UnsafeRawBufferPointer(start: p, count: write(d, style, into: p)))
        }
    }

    public static func bytes(_ d: Double, _ style: Style) -> [UInt8] { withText(d, style) { Array($0) } }

    public static func string(_ d: Double, _ style: Style) -> String {
        withText(d, style) { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: - Grisu2

    /// A 64-bit significand and a binary exponent: value = f * 2^e.
    private struct DiyFp {
        var f: UInt64
        var e: Int

        /// The product rounded to 64 bits, as the cached-power scaling needs.
        func times(_ o: DiyFp) -> DiyFp {
            let (hi, lo) = f.multipliedFullWidth(by: o.f)
            return DiyFp(f: hi &+ (lo >> 63), e: e + o.e + 64)
        }

        var normalized: DiyFp {
            let shift = f.leadingZeroBitCount
            return DiyFp(f: f << UInt64(shift), e: e - shift)
        }
    }

    /// The digits of `d` (> 0) into `buf` and the decimal exponent K of the last one: d ≈ digits × 10^K.
    private static func generate(_ d: Double, into buf: UnsafeMutablePointer<UInt8>) -> (Int, Int) {
        let bits = d.bitPattern
        let fraction = bits & 0x000F_FFFF_FFFF_FFFF
        let biased = Int(bits >> 52)
        let hidden: UInt64 = 1 << 52
        let v = biased == 0 ? DiyFp(f: fraction, e: -1074) : DiyFp(f: fraction | hidden, e: biased - 1075)

        // The neighbours' midpoints bound the interval of texts that read back as d; the lower gap is half as
        // wide when d is a power of two.
        let upper = DiyFp(f: (v.f << 1) + 1, e: v.e - 1).normalized
        let lowerShift = v.f == hidden ? 2 : 1
        var lower = DiyFp(f: (v.f << UInt64(lowerShift)) - 1, e: v.e - lowerShift)
        lower = DiyFp(f: lower.f << UInt64(lower.e - upper.e), e: upper.e)

        let (power, k) = cachedPower(forExponent: upper.e)
        let w = v.normalized.times(power)
        var hi = upper.times(power)
        var lo = lower.times(power)
        lo.f += 1
        hi.f -= 1
        return digits(w: w, hi: hi, lo: lo, k: -k, into: buf)
    }

    /// The cached power of ten that brings `e` into [-60, -32], searched from the same first guess as
    /// fpconv so that, where two powers fit, the same one is taken.
    private static func cachedPower(forExponent e: Int) -> (DiyFp, Int) {
        let guess = Int(Double(-(e + 87)) * 0.30102999566398114)
        var index = (guess + 348) / 8
        while true {
            let scaled = e + cachedPowers[index].1 + 64
            if scaled < -60 {
                index += 1
            } else if scaled > -32 {
                index -= 1
            } else {
                return (DiyFp(f: cachedPowers[index].0, e: cachedPowers[index].1), -348 + index * 8)
            }
        }
    }

    private static let powersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
        1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
        10_000_000_000_000_000_000,
    ]

    /// Digits of the scaled upper bound, stopping as soon as the rest fits inside the interval, then walking the
    /// last digit down towards w while that stays inside it and gets closer.
    private static func digits(w: DiyFp, hi: DiyFp, lo: DiyFp, k: Int, into buf: UnsafeMutablePointer<UInt8>)
        -> (Int, Int)
    {
        let shift = UInt64(-hi.e)
        let one = UInt64(1) << shift
        let distance = hi.f &- w.f
        var delta = hi.f &- lo.f
        var integral = hi.f >> shift
        var fractional = hi.f & (one - 1)
        var count = 0
        var kappa = 10
        for p in stride(from: 9, through: 0, by: -1) {
            let divisor = powersOfTen[p]
            let digit = integral / divisor
            if digit != 0 || count > 0 {
                buf[count] = UInt8(truncatingIfNeeded: digit) + 48
                count += 1
            }
            integral -= digit * divisor
            kappa -= 1
            let rest = (integral << shift) &+ fractional
            if rest <= delta {
                weed(buf, count: count, delta: delta, rest: rest, step: divisor << shift, distance: distance)
                return (count, k + kappa)
            }
        }
        var scale = 1
        while true {
            fractional = fractional &* 10
            delta = delta &* 10
            kappa -= 1
            let digit = fractional >> shift
            if digit != 0 || count > 0 {
                buf[count] = UInt8(truncatingIfNeeded: digit) + 48
                count += 1
            }
            fractional &= one - 1
            if fractional < delta {
                weed(buf, count: count, delta: delta, rest: fractional, step: one,
                     distance: distance &* powersOfTen[scale])
                return (count, k + kappa)
            }
            scale += 1
        }
    }

    private static func weed(_ buf: UnsafeMutablePointer<UInt8>, count: Int, delta: UInt64, rest: UInt64,
                             step: UInt64, distance: UInt64) {
        var rest = rest
        while rest < distance, delta &- rest >= step,
              rest &+ step < distance || distance &- rest > rest &+ step &- distance {
            buf[count - 1] -= 1
            rest = rest &+ step
        }
    }

    /// Plain integer, plain decimal, or `d.ddde±x`, by fpconv's rules.
    private static func layout(_ digits: UnsafeMutablePointer<UInt8>, count: Int, exponent k: Int, negative: Bool,
                               into out: UnsafeMutablePointer<UInt8>) -> Int {
        let magnitude = abs(k + count - 1)
        if k >= 0 && magnitude < count + 7 {
            out.update(from: digits, count: count)
            (out + count).update(repeating: UInt8(ascii: "0"), count: k)
            return count + k
        }
        if k < 0 && (k > -7 || magnitude < 4) {
            let point = count + k
            if point <= 0 {
                out[0] = UInt8(ascii: "0")
                out[1] = UInt8(ascii: ".")
                (out + 2).update(repeating: UInt8(ascii: "0"), count: -point)
                (out + 2 - point).update(from: digits, count: count)
                return count + 2 - point
            }
            out.update(from: digits, count: point)
            out[point] = UInt8(ascii: ".")
            (out + point + 1).update(from: digits + point, count: count - point)
            return count + 1
        }
        let kept = min(count, negative ? 17 : 18)
        var n = 0
        out[n] = digits[0]
        n += 1
        if kept > 1 {
            out[n] = UInt8(ascii: ".")
            (out + n + 1).update(from: digits + 1, count: kept - 1)
            n += kept
        }
        out[n] = UInt8(ascii: "e")
        out[n + 1] = k + kept - 1 < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
        n += 2
        let width = IntegerFormat.width(magnitude)
        _ = IntegerFormat.write(Int64(magnitude), into: UnsafeMutableRawBufferPointer(start: out + n, count: width))
        return n + width
    }

    /// 10^(-348 + 8i) as normalized 64-bit significands rounded to nearest, with their binary exponents.
    /// Computed exactly with rational arithmetic; these are the powers Grisu2 implementations share.
    private static let cachedPowers: [(UInt64, Int)] = [
        (0xfa8fd5a0081c0288, -1220), (0xbaaee17fa23ebf76, -1193), (0x8b16fb203055ac76, -1166),
        (0xcf42894a5dce35ea, -1140), (0x9a6bb0aa55653b2d, -1113), (0xe61acf033d1a45df, -1087),
        (0xab70fe17c79ac6ca, -1060), (0xff77b1fcbebcdc4f, -1034), (0xbe5691ef416bd60c, -1007),
        (0x8dd01fad907ffc3c, -980), (0xd3515c2831559a83, -954), (0x9d71ac8fada6c9b5, -927),
        (0xea9c227723ee8bcb, -901), (0xaecc49914078536d, -874), (0x823c12795db6ce57, -847),
        (0xc21094364dfb5637, -821), (0x9096ea6f3848984f, -794), (0xd77485cb25823ac7, -768),
        (0xa086cfcd97bf97f4, -741), (0xef340a98172aace5, -715), (0xb23867fb2a35b28e, -688),
        (0x84c8d4dfd2c63f3b, -661), (0xc5dd44271ad3cdba, -635), (0x936b9fcebb25c996, -608),
        (0xdbac6c247d62a584, -582), (0xa3ab66580d5fdaf6, -555), (0xf3e2f893dec3f126, -529),
        (0xb5b5ada8aaff80b8, -502), (0x87625f056c7c4a8b, -475), (0xc9bcff6034c13053, -449),
        (0x964e858c91ba2655, -422), (0xdff9772470297ebd, -396), (0xa6dfbd9fb8e5b88f, -369),
        (0xf8a95fcf88747d94, -343), (0xb94470938fa89bcf, -316), (0x8a08f0f8bf0f156b, -289),
        (0xcdb02555653131b6, -263), (0x993fe2c6d07b7fac, -236), (0xe45c10c42a2b3b06, -210),
        (0xaa242499697392d3, -183), (0xfd87b5f28300ca0e, -157), (0xbce5086492111aeb, -130),
        (0x8cbccc096f5088cc, -103), (0xd1b71758e219652c, -77), (0x9c40000000000000, -50),
        (0xe8d4a51000000000, -24), (0xad78ebc5ac620000, 3), (0x813f3978f8940984, 30),
        (0xc097ce7bc90715b3, 56), (0x8f7e32ce7bea5c70, 83), (0xd5d238a4abe98068, 109),
        (0x9f4f2726179a2245, 136), (0xed63a231d4c4fb27, 162), (0xb0de65388cc8ada8, 189),
        (0x83c7088e1aab65db, 216), (0xc45d1df942711d9a, 242), (0x924d692ca61be758, 269),
        (0xda01ee641a708dea, 295), (0xa26da3999aef774a, 322), (0xf209787bb47d6b85, 348),
        (0xb454e4a179dd1877, 375), (0x865b86925b9bc5c2, 402), (0xc83553c5c8965d3d, 428),
        (0x952ab45cfa97a0b3, 455), (0xde469fbd99a05fe3, 481), (0xa59bc234db398c25, 508),
        (0xf6c69a72a3989f5c, 534), (0xb7dcbf5354e9bece, 561), (0x88fcf317f22241e2, 588),
        (0xcc20ce9bd35c78a5, 614), (0x98165af37b2153df, 641), (0xe2a0b5dc971f303a, 667),
        (0xa8d9d1535ce3b396, 694), (0xfb9b7cd9a4a7443c, 720), (0xbb764c4ca7a44410, 747),
        (0x8bab8eefb6409c1a, 774), (0xd01fef10a657842c, 800), (0x9b10a4e5e9913129, 827),
        (0xe7109bfba19c0c9d, 853), (0xac2820d9623bf429, 880), (0x80444b5e7aa7cf85, 907),
        (0xbf21e44003acdd2d, 933), (0x8e679c2f5e44ff8f, 960), (0xd433179d9c8cb841, 986),
        (0x9e19db92b4e31ba9, 1013), (0xeb96bf6ebadf77d9, 1039), (0xaf87023b9bf0ee6b, 1066),
    ]
}
