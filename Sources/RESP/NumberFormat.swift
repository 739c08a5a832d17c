#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum IntegerFormat {
    /// Writes the decimal form of `v` right-aligned at the end of `buf`; returns how many bytes it used.
    @inlinable @inline(__always)
    public static func write(_ v: Int64, into buf: UnsafeMutableRawBufferPointer) -> Int {
        var i = buf.count
        var u = v.magnitude
        repeat {
            i -= 1
            buf[i] = UInt8(truncatingIfNeeded: u % 10) &+ 48
            u /= 10
        } while u != 0
        if v < 0 { i -= 1; buf[i] = UInt8(ascii: "-") }
        return buf.count - i
    }

    /// How many bytes the decimal form of a non-negative `v` takes (to size a buffer before writing it).
    @inlinable @inline(__always)
    public static func width(_ v: Int) -> Int {
        var w = 1
        var u = v
        while u >= 10 { u /= 10; w += 1 }
        return w
    }

    /// Hands `body` the decimal form of `v` in a buffer on the stack: no allocation.
    @inlinable @inline(__always)
    public static func withDigits<R>(_ v: Int64, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return try withUnsafeMutableBytes(of: &tmp) { buf in
            let n = write(v, into: buf)
            return try body(UnsafeRawBufferPointer(rebasing: buf[(buf.count - n)...]))
        }
    }

    public static func bytes(_ v: Int64) -> [UInt8] { withDigits(v) { Array($0) } }
}

public enum DoubleFormat {
    /// %.17g with "inf", "-inf" and "nan": the form Redis gives a skiplist's scores in ZSCAN.
    public static func human(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        return cFormat("%.17g", d)
    }

    /// One double through C's printf, for the fixed formats Redis writes into text replies. "%f" of a large
    /// double is hundreds of digits, so the buffer is sized from what printf says it needs.
    public static func cFormat(_ fmt: String, _ d: Double) -> String {
        var capacity = 64
        while true {
            var buf = [CChar](repeating: 0, count: capacity)
            let n = Int(buf.withUnsafeMutableBufferPointer { p in
                withVaList([d]) { vsnprintf(p.baseAddress, capacity, fmt, $0) }
            })
            if n < 0 { return "" }
            if n < capacity { return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            capacity = n + 1
        }
    }
}
