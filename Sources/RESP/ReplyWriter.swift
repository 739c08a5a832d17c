/// Encodes replies into a byte buffer in the protocol version the client negotiated (RESP2 or RESP3).
///
/// Aggregate headers degrade the way Redis degrades them for RESP2: maps become flat arrays of twice the length,
/// sets and pushes become arrays, doubles become bulk strings, booleans become integers.
public struct ReplyWriter {
    public var bytes: [UInt8]
    public var resp3: Bool

    public init(resp3: Bool = false, capacity: Int = 16 * 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
        self.resp3 = resp3
    }

    @inlinable public var count: Int { bytes.count }
    @inlinable public var isEmpty: Bool { bytes.isEmpty }

    @inlinable public mutating func raw(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inlinable public mutating func raw(_ b: UnsafeRawBufferPointer) { bytes.append(contentsOf: b) }

    @inlinable public mutating func ok() { raw("+OK\r\n") }

    /// `+text`: the text must not contain CR or LF.
    public mutating func status(_ s: String) {
        bytes.append(UInt8(ascii: "+"))
        bytes.append(contentsOf: s.utf8)
        raw("\r\n")
    }

    /// An error reply. `message` is the whole line after '-', e.g. "ERR syntax error" or "WRONGTYPE ...".
    /// Newlines inside are replaced by spaces, as Redis does, so the reply stays one line.
    public mutating func error(_ message: String) {
        bytes.append(UInt8(ascii: "-"))
        for c in message.utf8 { bytes.append(c == 13 || c == 10 ? 32 : c) }
        raw("\r\n")
    }

    @inlinable public mutating func integer(_ v: Int) { header(UInt8(ascii: ":"), v) }

    @inlinable public mutating func bulk(_ b: UnsafeRawBufferPointer) {
        guard b.count <= Self.shortBulk else {
            header(UInt8(ascii: "$"), b.count)
            bytes.append(contentsOf: b)
            raw("\r\n")
            return
        }
        // A short value (most GETs and pops) is framed on the stack and appended once: each append to the
        // array checks uniqueness and capacity, which cost more than the copy itself.
        var tmp: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { buf in
            buf[0] = UInt8(ascii: "$")
            var i = 1
            if b.count >= 10 {
                buf[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: b.count / 10)
                i += 1
            }
            buf[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: b.count % 10)
            buf[i + 1] = 13
            buf[i + 2] = 10
            i += 3
            if let src = b.baseAddress { (buf.baseAddress! + i).copyMemory(from: src, byteCount: b.count) }
            i += b.count
            buf[i] = 13
            buf[i + 1] = 10
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[..<(i + 2)]))
        }
    }

    /// The longest value `bulk` frames on the stack: `$`, two digits, CRLF, the value and CRLF in 56 bytes.
    @inlinable static var shortBulk: Int { 49 }

    @inlinable public mutating func bulk(_ b: [UInt8]) {
        b.withUnsafeBytes { bulk($0) }
    }

    @inlinable public mutating func bulk<S: Collection>(bytesOf b: S) where S.Element == UInt8 {
        header(UInt8(ascii: "$"), b.count)
        bytes.append(contentsOf: b)
        raw("\r\n")
    }

    public mutating func bulk(_ s: String) {
        var s = s
        s.withUTF8 { bulk(UnsafeRawBufferPointer($0)) }
    }

    /// An integer sent as a bulk string (what GET returns for an int-encoded value).
    @inlinable public mutating func bulk(integer v: Int64) {
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { buf in
            let n = IntegerFormat.write(v, into: buf)
            bulk(UnsafeRawBufferPointer(rebasing: buf[(buf.count - n)...]))
        }
    }

    /// The null bulk: `$-1` in RESP2, `_` in RESP3.
    @inlinable public mutating func null() {
        if resp3 { raw("_\r\n") } else { raw("$-1\r\n") }
    }

    /// The null array: `*-1` in RESP2, `_` in RESP3.
    @inlinable public mutating func nullArray() {
        if resp3 { raw("_\r\n") } else { raw("*-1\r\n") }
    }

    @inlinable public mutating func array(_ n: Int) { header(UInt8(ascii: "*"), n) }

    @inlinable public mutating func map(_ n: Int) {
        if resp3 { header(UInt8(ascii: "%"), n) } else { header(UInt8(ascii: "*"), n * 2) }
    }

    @inlinable public mutating func set(_ n: Int) {
        header(resp3 ? UInt8(ascii: "~") : UInt8(ascii: "*"), n)
    }

    @inlinable public mutating func push(_ n: Int) {
        header(resp3 ? UInt8(ascii: ">") : UInt8(ascii: "*"), n)
    }

    @inlinable public mutating func bool(_ v: Bool) {
        if resp3 { raw(v ? "#t\r\n" : "#f\r\n") } else { raw(v ? ":1\r\n" : ":0\r\n") }
    }

    /// A double: RESP3 `,` type, RESP2 bulk string, both in the shortest form Redis 7.2 and Valkey 8 print.
    public mutating func double(_ d: Double) {
        ShortestDouble.withText(d, .reply) { text in
            if resp3 {
                bytes.append(UInt8(ascii: ","))
                bytes.append(contentsOf: text)
                raw("\r\n")
            } else {
                bulk(text)
            }
        }
    }

    /// An integer of arbitrary size given as its decimal digits: RESP3 `(` type, RESP2 bulk string.
    public mutating func bigNumber(_ digits: String) {
        if resp3 {
            bytes.append(UInt8(ascii: "("))
            bytes.append(contentsOf: digits.utf8)
            raw("\r\n")
        } else {
            bulk(digits)
        }
    }

    /// The header of `n` attribute pairs that precede the reply they describe. RESP2 has no way to carry them,
    /// so callers write attributes only to RESP3 clients.
    public mutating func attribute(_ n: Int) {
        precondition(resp3, "attributes exist only in RESP3")
        header(UInt8(ascii: "|"), n)
    }

    /// Verbatim text (INFO, CLIENT INFO in RESP3); a plain bulk string in RESP2.
    public mutating func verbatim(_ s: String, format: StaticString = "txt") {
        if resp3 {
            let utf8 = s.utf8
            header(UInt8(ascii: "="), utf8.count + 4)
            raw(format)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: utf8)
            raw("\r\n")
        } else {
            bulk(s)
        }
    }

    /// Starts an aggregate whose length is known only after its elements are written.
    /// Returns a mark for `endDeferred`.
    @inlinable public mutating func beginDeferred() -> Int { bytes.count }

    /// Inserts the header for a deferred aggregate. `kind` is '*', '%' (map: pairs) or '~' (set).
    public mutating func endDeferred(_ mark: Int, kind: UInt8, count: Int) {
        var h = ReplyWriter(resp3: resp3, capacity: 24)
        switch kind {
        case UInt8(ascii: "%"): h.map(count)
        case UInt8(ascii: "~"): h.set(count)
        default: h.array(count)
        }
        bytes.insert(contentsOf: h.bytes, at: mark)
    }

    @inlinable public mutating func header(_ type: UInt8, _ n: Int) {
        var tmp: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { buf in
            let end = buf.count
            buf[end - 1] = 10
            buf[end - 2] = 13
            let digits = IntegerFormat.write(Int64(n), into: UnsafeMutableRawBufferPointer(rebasing: buf[0..<(end - 2)]))
            buf[end - 3 - digits] = type
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[(end - 3 - digits)...]))
        }
    }
}
