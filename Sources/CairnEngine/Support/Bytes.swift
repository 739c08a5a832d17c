#if canImport(Glibc)
import Glibc
#endif

/// Keys, values and collection members are raw bytes; Strings appear only at the edges (error texts, INFO).
public typealias Bytes = [UInt8]

@inlinable @inline(__always)
public func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
}

/// memcmp order with the shorter string first on a tie, which is how Redis compares sds strings.
@inlinable
public func bytesCompare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = min(a.count, b.count)
    if n > 0 {
        let c = memcmp(a.baseAddress!, b.baseAddress!, n)
        if c != 0 { return Int(c) }
    }
    return a.count - b.count
}

extension Array where Element == UInt8 {
    @inlinable public init(_ s: StaticString) {
        self.init(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
    public init(string s: String) { self.init(s.utf8) }
    /// Lossy text view for log lines and error messages only.
    public var text: String { String(decoding: self, as: UTF8.self) }
}

extension UnsafeRawBufferPointer {
    public var text: String { String(decoding: self, as: UTF8.self) }
    @inlinable public var bytes: [UInt8] { [UInt8](self) }

    /// ASCII case-insensitive comparison with a lowercase literal, for option keywords.
    @inlinable
    public func equalsLowercase(_ s: StaticString) -> Bool {
        guard count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for i in 0..<count {
            var c = self[i]
            if c >= 65 && c <= 90 { c |= 0x20 }
            if c != p[i] { return false }
        }
        return true
    }
}
