/// JSON strings for arbitrary bytes. Valid UTF-8 is written as text (with JSON's escapes for `"`, `\` and
/// control characters); every byte that is not part of a valid UTF-8 sequence is written as `\udcXX`, the lone
/// low surrogate U+DC00 + byte (PEP 383's "surrogateescape"). No valid UTF-8 text produces a lone surrogate,
/// so the mapping is reversible: Python gets the bytes back with `s.encode("utf-8", "surrogateescape")`, and
/// cairn-dump's own reader does the same.
public enum BinaryJSON {
    /// The most bytes `write` produces for `n` input bytes: 6 a byte, the quotes, and slack for 8-byte stores.
    @inline(__always) public static func maxLength(_ n: Int) -> Int { 6 * n + 10 }

    /// Writes `s` as a quoted JSON string at `d`, which has room for `maxLength(s.count)` bytes; returns the
    /// bytes written.
    @inline(__always) public static func write(_ s: UnsafeRawBufferPointer, to d: UnsafeMutableRawPointer,
                                               tables: Tables = .shared) -> Int {
        d.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        let (_, used) = escape(s, 0, s.count, d + 1, tables: tables)
        (d + 1 + used).storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        return used + 2
    }

    /// Appends `s` as a quoted JSON string.
    public static func appendString(_ s: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let start = out.count, room = maxLength(s.count)
        out.append(contentsOf: repeatElement(0, count: room))
        let used = out.withUnsafeMutableBytes { write(s, to: $0.baseAddress! + start) }
        out.removeLast(room - used)
    }

    /// What each byte becomes, for the escaping loop: its output bytes in the low 7 bytes (little-endian) and
    /// their count in the top byte. A byte that may start a multi-byte UTF-8 sequence has its `\udcXX` form,
    /// taken when the sequence turns out not to be well formed (`sequences`), and the top bit set (`leadFlag`),
    /// so the loop tells the two kinds apart without a second load.
    static let escapes: [UInt64] = (0...255).map { (b: Int) -> UInt64 in
        func entry(_ bytes: [UInt8]) -> UInt64 {
            let flag = sequences[b] != 0 ? leadFlag : 0
            return bytes.enumerated().reduce(flag | UInt64(bytes.count) << 56) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
        let hex = { (v: Int) in hexDigit(UInt8(v)) }
        switch b {
        case 0x22, 0x5C: return entry([92, UInt8(b)])
        case 10: return entry([92, UInt8(ascii: "n")])
        case 13: return entry([92, UInt8(ascii: "r")])
        case 9: return entry([92, UInt8(ascii: "t")])
        case 0..<0x20: return entry([92, UInt8(ascii: "u"), 48, 48, hex(b >> 4), hex(b & 15)])
        case 0x20...0x7F: return entry([UInt8(b)])
        default: return entry([92, UInt8(ascii: "u"), UInt8(ascii: "d"), UInt8(ascii: "c"), hex(b >> 4), hex(b & 15)])
        }
    }

    /// The two tables in memory of their own, never freed: a writer keeps this (`JSONRecordWriter`), so escaping
    /// a string does not go through the lazy globals' initialization check each time.
    public struct Tables {
        let escapes: UnsafePointer<UInt64>
        let sequences: UnsafePointer<UInt32>

        public static let shared = Tables(escapes: pinned(BinaryJSON.escapes), sequences: pinned(BinaryJSON.sequences))

        static func pinned<T>(_ a: [T]) -> UnsafePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: a.count)
            p.initialize(from: a, count: a.count)
            return UnsafePointer(p)
        }
    }

    static let leadFlag: UInt64 = 1 << 63
    static let countMask: UInt64 = 0x7F

    /// For a byte that may start a well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates,
    /// ≤ U+10FFFF): the sequence's length in the low byte, the lowest allowed second byte in the next and the
    /// width of the allowed range above it in the third; 0 for every other byte.
    static let sequences: [UInt32] = (0...255).map { (b: Int) -> UInt32 in
        func entry(_ length: UInt32, _ lo: UInt32, _ hi: UInt32) -> UInt32 { length | lo << 8 | (hi - lo) << 16 }
        switch b {
        case 0xC2...0xDF: return entry(2, 0x80, 0xBF)
        case 0xE0: return entry(3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE, 0xEF: return entry(3, 0x80, 0xBF)
        case 0xED: return entry(3, 0x80, 0x9F)
        case 0xF0: return entry(4, 0x90, 0xBF)
        case 0xF1...0xF3: return entry(4, 0x80, 0xBF)
        case 0xF4: return entry(4, 0x80, 0x8F)
        default: return 0
        }
    }

    /// Escapes `s[from..<stop]` at `d` (a UTF-8 sequence may run past `stop`), which has room for 6 bytes a
    /// byte and 8 more; returns where it stopped and the bytes written. Eight bytes a step: a word JSON takes as
    /// it is is copied whole. Otherwise only a byte of 0xC0 or above followed by a continuation byte (0x80-0xBF)
    /// can start a multi-byte sequence: the bytes before the first such byte (all eight in three words of four
    /// of random bytes) take their table entries with no branch between them, and that byte goes through `step`.
    /// A byte-at-a-time branch per byte, which random bytes mispredict, cost half again as much. The last few
    /// bytes go a byte at a time. Bytes past what a step counts are overwritten by the next step, or lie past
    /// the end.
    @inline(__always)
    static func escape(_ s: UnsafeRawBufferPointer, _ from: Int, _ stop: Int, _ d: UnsafeMutableRawPointer,
                       tables: Tables = .shared) -> (Int, Int) {
        guard let p = s.baseAddress else { return (from, 0) }
        let n = s.count
        var i = from, o = 0
        let table = tables.escapes, seq = tables.sequences
        let highs: UInt64 = 0x8080_8080_8080_8080
        // A word ends by `stop` (what the caller made room for), and a byte of it that `step` takes may read
        // three bytes on, within the string.
        let words = min(stop &- 7, n &- 11)
        while i < words {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if isPlain(w) {
                d.storeBytes(of: w, toByteOffset: o, as: UInt64.self)
                i &+= 8
                o &+= 8
                continue
            }
            let next = p.loadUnaligned(fromByteOffset: i &+ 1, as: UInt64.self)
            let starts = w & (w << 1) & next & ~(next << 1) & highs
            let k = starts.trailingZeroBitCount &>> 3
            // Bytes from that one on are stored at the same place and not counted: `step` writes over them.
            var v = w
            for j in 0..<8 {
                let e = table[Int(truncatingIfNeeded: v & 0xFF)]
                d.storeBytes(of: e.littleEndian, toByteOffset: o, as: UInt64.self)
                o &+= Int(truncatingIfNeeded: (e >> 56) & countMask) & ((j &- k) &>> 63)
                v >>= 8
            }
            i &+= k
            if k < 8 { step(p, &i, d, &o, table, seq) }
        }
        let fast = min(stop, n &- 3)
        while i < fast { step(p, &i, d, &o, table, seq) }
        while i < stop {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            let k = seq[Int(b)] == 0 ? 0 : validSequenceLength(p, i, n)
            if k > 0 {
                for j in 0..<k { d.storeBytes(of: p.load(fromByteOffset: i + j, as: UInt8.self), toByteOffset: o + j, as: UInt8.self) }
                o += k
                i += k
            } else {
                let e = table[Int(b)]
                d.storeBytes(of: e.littleEndian, toByteOffset: o, as: UInt64.self)
                o += Int((e >> 56) & countMask)
                i += 1
            }
        }
        return (i, o)
    }

    /// One byte, or the UTF-8 sequence it starts, from `p + i` (at least four bytes readable there) to `d + o`:
    /// a table load and an 8-byte store; a byte that may start a sequence is checked on its second byte (which
    /// random bytes fail three times in four), then without further branches, and either its sequence is
    /// written as it is or its `\udcXX` form stays.
    @inline(__always)
    static func step(_ p: UnsafeRawPointer, _ i: inout Int, _ d: UnsafeMutableRawPointer, _ o: inout Int,
                     _ table: UnsafePointer<UInt64>, _ seq: UnsafePointer<UInt32>) {
        let b = Int(p.load(fromByteOffset: i, as: UInt8.self))
        let e = table[b]
        d.storeBytes(of: e.littleEndian, toByteOffset: o, as: UInt64.self)
        if e & leadFlag == 0 {
            o &+= Int(truncatingIfNeeded: e >> 56)
            i &+= 1
            return
        }
        let w = p.loadUnaligned(fromByteOffset: i, as: UInt32.self)
        let m = seq[b]
        guard ((w >> 8) & 0xFF) &- ((m >> 8) & 0xFF) <= (m >> 16) else {
            o &+= 6
            i &+= 1
            return
        }
        let length = m & 0xFF
        var ok: UInt32 = 1
        ok &= UInt32(length < 3 || (w >> 16) & 0xC0 == 0x80 ? 1 : 0)
        ok &= UInt32(length < 4 || (w >> 24) & 0xC0 == 0x80 ? 1 : 0)
        let keep = 0 &- UInt64(ok)
        d.storeBytes(of: (UInt64(w) & keep) | (e.littleEndian & ~keep), toByteOffset: o, as: UInt64.self)
        o &+= Int(truncatingIfNeeded: (UInt64(length) & keep) | ((e >> 56) & countMask & ~keep))
        i &+= Int(truncatingIfNeeded: (UInt64(length) & keep) | (1 & ~keep))
    }

    /// A nibble's lower-case hex digit, without a branch.
    @inline(__always) static func hexDigit(_ v: UInt8) -> UInt8 { v &+ 48 &+ ((9 &- v) >> 7) &* 39 }

    /// Whether none of eight bytes needs escaping: none has its high bit, is below 0x20, is 0x7F, '"' or '\\'.
    @inline(__always) static func isPlain(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        return w & highs == 0 && (w &- ones &* 0x20) & ~w & highs == 0 && !hasZero(w ^ (ones &* 0x7F))
            && !hasZero(w ^ (ones &* 0x22)) && !hasZero(w ^ (ones &* 0x5C))
    }

    public static func appendString(_ s: [UInt8], to out: inout [UInt8]) {
        s.withUnsafeBytes { appendString($0, to: &out) }
    }

    /// The length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF)
    /// starting at `i` of the `n` bytes at `p`, or 0.
    @inline(__always)
    static func validSequenceLength(_ p: UnsafeRawPointer, _ i: Int, _ n: Int) -> Int {
        let b0 = p.load(fromByteOffset: i, as: UInt8.self)
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            guard i + k < n else { return false }
            let c = p.load(fromByteOffset: i + k, as: UInt8.self)
            return c >= lo && c <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE, 0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }

    /// A double as a JSON number (shortest round-trip digits, as Swift's `description` writes them); infinities,
    /// which JSON lacks, as "inf"/"-inf".
    public static func appendDouble(_ d: Double, to out: inout [UInt8]) {
        withDoubleText(d) { out.append(contentsOf: $0) }
    }

    public static func appendDouble(_ d: Double, to out: OutputFile) {
        withDoubleText(d) { out.append($0) }
    }

    /// `d`'s JSON text, valid during the call.
    static func withDoubleText(_ d: Double, _ body: (UnsafeRawBufferPointer) -> Void) {
        if d.isInfinite {
            let text: StaticString = d > 0 ? "\"inf\"" : "\"-inf\""
            return body(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        // Scores are mostly integers or have a few decimals. With at most 3 decimals below 1e12, the one
        // candidate that reads back as `d` is the shortest text, so it is written from integers without a
        // String; anything else takes `description`.
        if d == 0 {
            let text: StaticString = d.sign == .minus ? "-0.0" : "0.0"
            return body(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        if d.magnitude >= 0.001 && d.magnitude < 1e12 {
            var scale = 1.0
            for places in 0...3 {
                let m = (d * scale).rounded()
                if m / scale == d { return withDecimal(Int64(m), places: places, body) }
                scale *= 10
            }
        }
        Array(d.description.utf8).withUnsafeBytes(body)
    }

    /// `m` / 10^places in decimal with exactly `places` digits after the point (at least one).
    static func withDecimal(_ m: Int64, places: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buf in
            var i = buf.count
            var u = m.magnitude
            if places == 0 {
                i -= 1
                buf[i] = 48
            }
            for _ in 0..<places {
                i -= 1
                buf[i] = UInt8(truncatingIfNeeded: u % 10) &+ 48
                u /= 10
            }
            i -= 1
            buf[i] = UInt8(ascii: ".")
            repeat {
                i -= 1
                buf[i] = UInt8(truncatingIfNeeded: u % 10) &+ 48
                u /= 10
            } while u != 0
            if m < 0 {
                i -= 1
                buf[i] = UInt8(ascii: "-")
            }
            body(UnsafeRawBufferPointer(rebasing: buf[i...]))
        }
    }
}

/// A parsed JSON value with strings as bytes (escapes, including `\udcXX`, undone).
public indirect enum JSONValue {
    case null
    case bool(Bool)
    case number([UInt8])
    case string([UInt8])
    case array([JSONValue])
    case object([(key: [UInt8], value: JSONValue)])

    public subscript(_ name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        let k = Array(name.utf8)
        return members.first { $0.key == k }?.value
    }

    public var bytes: [UInt8]? {
        if case .string(let b) = self { return b }
        return nil
    }

    public var int: Int64? {
        guard case .number(let t) = self else { return nil }
        return Int64(String(decoding: t, as: UTF8.self))
    }

    public var double: Double? {
        switch self {
        case .number(let t): return Double(String(decoding: t, as: UTF8.self))
        case .string(let s): return s == Array("inf".utf8) ? .infinity : s == Array("-inf".utf8) ? -.infinity : nil
        default: return nil
        }
    }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// A strict JSON parser over bytes. Depth is bounded, so hostile input cannot exhaust the stack.
public struct JSONParser {
    public struct Failure: Error {
        public let offset: Int
        public let reason: String
    }

    static let maxDepth = 64
    private let s: [UInt8]
    private var i = 0

    public static func parse(_ text: [UInt8]) throws(Failure) -> JSONValue {
        var p = JSONParser(s: text)
        let v = try p.value(depth: 0)
        p.space()
        guard p.i == p.s.count else { throw Failure(offset: p.i, reason: "text after the JSON value") }
        return v
    }

    private init(s: [UInt8]) { self.s = s }

    private func fail(_ reason: String) -> Failure { Failure(offset: i, reason: reason) }

    private mutating func space() {
        while i < s.count, s[i] == 32 || s[i] == 9 || s[i] == 10 || s[i] == 13 { i += 1 }
    }

    private mutating func literal(_ word: String, _ v: JSONValue) throws(Failure) -> JSONValue {
        let w = Array(word.utf8)
        guard i + w.count <= s.count, Array(s[i..<(i + w.count)]) == w else { throw fail("invalid literal") }
        i += w.count
        return v
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard depth < Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth)") }
        space()
        guard i < s.count else { throw fail("unexpected end of JSON") }
        switch s[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(key: [UInt8], value: JSONValue)] = []
            space()
            if i < s.count, s[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                space()
                guard i < s.count, s[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let k = try string()
                space()
                guard i < s.count, s[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                members.append((k, try value(depth: depth + 1)))
                space()
                guard i < s.count else { throw fail("unexpected end of JSON") }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                guard s[i] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                i += 1
                return .object(members)
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONValue] = []
            space()
            if i < s.count, s[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                space()
                guard i < s.count else { throw fail("unexpected end of JSON") }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                guard s[i] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
                i += 1
                return .array(items)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default:
            let start = i
            while i < s.count, (s[i] >= 48 && s[i] <= 57) || s[i] == 45 || s[i] == 43 || s[i] == 46 || s[i] == 101 || s[i] == 69 { i += 1 }
            guard i > start else { throw fail("unexpected character") }
            return .number(Array(s[start..<i]))
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= s.count else { throw fail("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = s[i]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 97...102: d = UInt32(c - 87)
            case 65...70: d = UInt32(c - 55)
            default: throw fail("bad \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func string() throws(Failure) -> [UInt8] {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < s.count else { throw fail("unterminated string") }
            let c = s[i]
            if c == UInt8(ascii: "\"") { i += 1; return out }
            if c != 92 { out.append(c); i += 1; continue }
            i += 1
            guard i < s.count else { throw fail("unterminated string") }
            let e = s[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), 92, UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"):
                var cp = try hex4()
                if cp >= 0xDC80 && cp <= 0xDCFF {
                    out.append(UInt8(cp - 0xDC00))
                    continue
                }
                if cp >= 0xD800 && cp <= 0xDBFF, i + 6 <= s.count, s[i] == 92, s[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let lo = try hex4()
                    guard lo >= 0xDC00 && lo <= 0xDFFF else { throw fail("unpaired surrogate") }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                } else if cp >= 0xD800 && cp <= 0xDFFF {
                    throw fail("unpaired surrogate")
                }
                out += Array(String(Character(Unicode.Scalar(cp)!)).utf8)
            default: throw fail("bad escape")
            }
        }
    }
}
