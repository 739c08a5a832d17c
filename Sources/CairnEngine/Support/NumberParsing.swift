#if canImport(Glibc)
import Glibc
#endif

/// Number parsing with Redis's exact acceptance rules, which decide both replies ("value is not an integer")
/// and whether a string value is stored with the integer encoding.
public enum NumberParsing {
    /// Redis's string2ll: optional '-', no leading zeros (except "0"), no '+', no spaces, at most 20 chars, no overflow.
    @inlinable
    public static func int64(_ p: UnsafeRawBufferPointer) -> Int64? {
        let n = p.count
        if n == 0 || n > 20 { return nil }
        if n == 1 && p[0] == 48 { return 0 }
        var i = 0
        var negative = false
        if p[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
            if n == 1 { return nil }
        }
        let first = p[i]
        guard first >= 49 && first <= 57 else { return nil }
        var v: UInt64 = UInt64(first - 48)
        i += 1
        // Eighteen digits stay below 10^18 < 2^63, so neither a step nor the sign can overflow: the common short
        // number is parsed without the checks (they cost a full sync's sender ~100 instructions a hash value).
        if n - i <= 17 {
            while i < n {
                let d = p[i] &- 48
                guard d <= 9 else { return nil }
                v = v &* 10 &+ UInt64(d)
                i += 1
            }
            return negative ? 0 &- Int64(bitPattern: v) : Int64(bitPattern: v)
        }
        while i < n {
            let d = p[i] &- 48
            guard d <= 9 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = s
            i += 1
        }
        if negative {
            if v > UInt64(Int64.max) + 1 { return nil }
            return v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v)
        }
        return v > UInt64(Int64.max) ? nil : Int64(v)
    }

    public static func int64(_ b: [UInt8]) -> Int64? { b.withUnsafeBytes { int64($0) } }

    /// Redis's string2d / getDoubleFromObject.
    public static func double(_ p: UnsafeRawBufferPointer) -> Double? {
        if let v = shortInteger(p) { return v }
        return parseFloat(p) { strtod($0, $1) }
    }

    /// Most scores are short decimal integers: up to 15 digits (optionally after '-') are exactly a double, the
    /// one strtod would give, at a fraction of its cost. Anything else is left to strtod.
    @inline(__always)
    private static func shortInteger(_ p: UnsafeRawBufferPointer) -> Double? {
        let negative = p.count > 0 && p[0] == UInt8(ascii: "-")
        var i = negative ? 1 : 0
        guard p.count - i > 0 && p.count - i <= 15 else { return nil }
        var v: Int64 = 0
        while i < p.count {
            let d = p[i] &- 48
            guard d <= 9 else { return nil }
            v = v * 10 + Int64(d)
            i += 1
        }
        // -0 must stay a negative zero, as strtod reads it.
        return negative ? -Double(v) : Double(v)
    }

    /// Redis's string2ld for INCRBYFLOAT / HINCRBYFLOAT: long double precision.
    public static func longDouble(_ p: UnsafeRawBufferPointer) -> Float80? {
        parseFloat(p) { strtold($0, $1) }
    }

    /// The acceptance rules string2d and string2ld share: the C parser must consume the whole string, which may
    /// not start with a space; NaN is refused, and out of range only counts when it overflowed or underflowed
    /// to zero.
    private static func parseFloat<F: FloatingPoint>(
        _ p: UnsafeRawBufferPointer,
        _ parse: (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> F
    ) -> F? {
        let n = p.count
        guard n > 0, n < 5120 else { return nil }
        if isspaceC(p[0]) { return nil }
        return withCString(p) { cstr in
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            let v = parse(cstr, &end)
            guard let e = end, UnsafePointer(e) - cstr == n else { return nil }
            if v.isNaN || (errno == ERANGE && (v.isInfinite || v == 0)) { return nil }
            return v
        }
    }

    @inline(__always) static func isspaceC(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }

    static func withCString<R>(_ p: UnsafeRawBufferPointer, _ body: (UnsafePointer<CChar>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: p.count + 1) { buf in
            if p.count > 0 { memcpy(buf.baseAddress!, p.baseAddress!, p.count) }
            buf[p.count] = 0
            // An embedded NUL would let strtod stop early and still "consume" everything it saw.
            if memchr(buf.baseAddress!, 0, p.count) != nil {
                buf[0] = CChar(bitPattern: UInt8(ascii: "x"))
            }
            return body(buf.baseAddress!)
        }
    }
}

public enum NumberFormatting {
    /// Redis's ld2string in LD_STR_HUMAN mode (INCRBYFLOAT): %.17Lf, trailing zeros and dot trimmed.
    public static func longDoubleHuman(_ v: Float80) -> [UInt8]? {
        if v.isInfinite || v.isNaN { return nil }
        var buf = [CChar](repeating: 0, count: 5600)
        let n = buf.withUnsafeMutableBufferPointer { p -> Int32 in
            withVaList([v]) { vsnprintf(p.baseAddress!, p.count, "%.17Lf", $0) }
        }
        guard n > 0, Int(n) < buf.count else { return nil }
        var out = Array(buf[0..<Int(n)].map { UInt8(bitPattern: $0) })
        if out.contains(UInt8(ascii: ".")) {
            while out.last == UInt8(ascii: "0") { out.removeLast() }
            if out.last == UInt8(ascii: ".") { out.removeLast() }
        }
        if out == [UInt8(ascii: "-"), UInt8(ascii: "0")] { out = [UInt8(ascii: "0")] }
        return out
    }
}
