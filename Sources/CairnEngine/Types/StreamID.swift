#if canImport(Glibc)
import Glibc
#endif
import RESP

/// A stream entry ID: milliseconds and a sequence number, ordered as Redis orders them (ms first).
public struct StreamID: Comparable, Hashable, Sendable {
    public var ms: UInt64
    public var seq: UInt64

    public init(ms: UInt64, seq: UInt64) {
        self.ms = ms
        self.seq = seq
    }

    public static let zero = StreamID(ms: 0, seq: 0)
    public static let max = StreamID(ms: .max, seq: .max)

    @inlinable public static func < (a: StreamID, b: StreamID) -> Bool {
        a.ms != b.ms ? a.ms < b.ms : a.seq < b.seq
    }

    public var isZero: Bool { ms == 0 && seq == 0 }

    /// The next ID (streamIncrID); nil after the last possible one.
    public var next: StreamID? {
        if seq < .max { return StreamID(ms: ms, seq: seq + 1) }
        if ms < .max { return StreamID(ms: ms + 1, seq: 0) }
        return nil
    }

    /// The previous ID (streamDecrID); nil before 0-0.
    public var previous: StreamID? {
        if seq > 0 { return StreamID(ms: ms, seq: seq - 1) }
        if ms > 0 { return StreamID(ms: ms - 1, seq: .max) }
        return nil
    }

    /// "ms-seq" written right-aligned at the end of `buf` (at least 41 bytes); returns the length.
    func write(into buf: UnsafeMutableRawBufferPointer) -> Int {
        var i = buf.count
        func digits(_ v: UInt64) {
            var u = v
            repeat {
                i -= 1
                buf[i] = UInt8(truncatingIfNeeded: u % 10) &+ 48
                u /= 10
            } while u != 0
        }
        digits(seq)
        i -= 1
        buf[i] = UInt8(ascii: "-")
        digits(ms)
        return buf.count - i
    }

    public var bytes: Bytes {
        withTextBytes { Bytes($0) }
    }

    public var text: String { withTextBytes { String(decoding: $0, as: UTF8.self) } }

    public func withTextBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var tmp: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &tmp) { buf in
            let n = write(into: buf)
            return body(UnsafeRawBufferPointer(rebasing: buf[(buf.count - n)...]))
        }
    }

    /// The 16-byte big-endian form RDB uses for node keys and PEL IDs, whose byte order is ID order.
    public var encoded: Bytes {
        var out = Bytes()
        out.reserveCapacity(16)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: ms >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: seq >> UInt64(shift))) }
        return out
    }

    public init?(encoded b: UnsafeRawBufferPointer) {
        guard b.count == 16 else { return nil }
        var ms: UInt64 = 0
        var seq: UInt64 = 0
        for i in 0..<8 { ms = ms << 8 | UInt64(b[i]) }
        for i in 8..<16 { seq = seq << 8 | UInt64(b[i]) }
        self.init(ms: ms, seq: seq)
    }

    /// Parses an ID argument as streamGenericParseIDOrReply does: "ms-seq", or "ms" with `missingSeq`;
    /// "-" and "+" unless `strict`; "ms-*" only when `allowAutoSeq` (then `seqGiven` is false).
    static func parse(_ p: UnsafeRawBufferPointer, missingSeq: UInt64 = 0, strict: Bool = true,
                      allowAutoSeq: Bool = false) -> (id: StreamID, seqGiven: Bool)? {
        guard p.count <= 127 else { return nil }
        if p.count == 1 && (p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+")) {
            if strict { return nil }
            return (p[0] == UInt8(ascii: "-") ? .zero : .max, true)
        }
        let dash = p.firstIndex(of: UInt8(ascii: "-"))
        guard let ms = parseUnsigned(UnsafeRawBufferPointer(rebasing: p[0..<(dash ?? p.count)])) else { return nil }
        guard let dash else { return (StreamID(ms: ms, seq: missingSeq), true) }
        let rest = UnsafeRawBufferPointer(rebasing: p[(dash + 1)...])
        if allowAutoSeq && rest.count == 1 && rest[0] == UInt8(ascii: "*") { return (StreamID(ms: ms, seq: 0), false) }
        guard let seq = parseUnsigned(rest) else { return nil }
        return (StreamID(ms: ms, seq: seq), true)
    }

    /// Redis's string2ull: string2ll's strict form, else what strtoull accepts whole (leading spaces, a sign).
    static func parseUnsigned(_ p: UnsafeRawBufferPointer) -> UInt64? {
        if let v = NumberParsing.int64(p) { return v >= 0 ? UInt64(v) : nil }
        guard !p.isEmpty else { return nil }
        return NumberParsing.withCString(p) { s -> UInt64? in
            errno = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtoull(s, &end, 10)
            guard errno == 0, let end, end.pointee == 0, end != UnsafeMutablePointer(mutating: s) else { return nil }
            return UInt64(v)
        }
    }
}

extension ReplyWriter {
    mutating func bulk(_ id: StreamID) {
        id.withTextBytes { bulk($0) }
    }
}
