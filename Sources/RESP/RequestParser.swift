/// Where one argument of the command being parsed lies, relative to the start of that command in the query buffer.
public struct ArgRange: Sendable {
    public var start: Int
    public var count: Int
    @inlinable public init(start: Int, count: Int) { self.start = start; self.count = count }
}

public enum ParseOutcome: Equatable, Sendable {
    /// More bytes are needed. `hint` is the total size the command is known to need so far (0 when unknown),
    /// so the caller can grow its buffer once for a large bulk instead of many times.
    case incomplete(hint: Int)
    /// A whole command was parsed: its arguments are in `args`; `consumed` bytes belong to it.
    case command(consumed: Int)
    /// A blank line or a zero-length multibulk: nothing to run, but the bytes are used up.
    case nothing(consumed: Int)
    /// Malformed input: the text after "-ERR " that Redis sends before closing the connection.
    case protocolError(String)
}

/// Incremental parser for client requests: RESP multibulk frames and inline (telnet) commands.
///
/// It keeps its position inside a partially received multibulk command, so a command arriving a few bytes at
/// a time costs linear work in total. The caller owns the bytes; positions are relative to the command's first
/// byte, so the caller may move the unparsed tail of its buffer between calls.
public struct RequestParser {
    /// Longest inline command or length header accepted without its line end, as Redis's PROTO_INLINE_MAX_SIZE.
    public static let inlineMaxSize = 64 * 1024
    public static let maxMultibulkLength = 1024 * 1024

    private let argBuffer = ArgBuffer()
    /// The arguments of the command just parsed; valid until the next call to `parse` or `reset`.
    public var args: UnsafeBufferPointer<ArgRange> { argBuffer.view }
    /// `args` and `verbatim` together: one access to a parser stored in a class, not two.
    public var command: (args: UnsafeBufferPointer<ArgRange>, verbatim: Bool) { (argBuffer.view, verbatim) }
    public var maxBulkLength: Int

    private var pendingArgs = 0      // arguments still expected in the current multibulk command; 0 = none started
    private var pos = 0              // parse position relative to the command start
    private var bulkLength = -1      // length of the bulk being waited for, -1 when its header is not yet read
    /// When set, a multibulk count above 10 or a bulk above 16 KB is refused, as Redis does before AUTH.
    public var unauthenticated = false
    /// Whether the command just parsed is a multibulk request in canonical RESP: every length header in its
    /// shortest digits and CR LF after each header and each value, the bytes a RESP encoder gives for its
    /// arguments. The parser reads those bytes anyway; the AOF and replication stream then copy the request
    /// instead of checking or encoding it again. What Redis tolerates (leading zeros, any byte after a CR)
    /// is accepted but not canonical.
    public private(set) var verbatim = false

    public init(maxBulkLength: Int = 512 * 1024 * 1024) {
        self.maxBulkLength = maxBulkLength
    }

    /// Forgets any partial command; the next call starts at a command boundary.
    public mutating func reset() {
        pendingArgs = 0
        pos = 0
        bulkLength = -1
        argBuffer.count = 0
    }

    /// Parses one command from `buffer`, which starts at the first byte of the command.
    /// Inline commands are unescaped in place, which is why the buffer is mutable.
    public mutating func parse(_ buffer: UnsafeMutableRawBufferPointer) -> ParseOutcome {
        guard buffer.count > 0 else { return .incomplete(hint: 0) }
        if pendingArgs == 0 && pos == 0 {
            argBuffer.count = 0
            if buffer[0] != UInt8(ascii: "*") { return parseInline(buffer) }
        }
        return parseMultibulk(UnsafeRawBufferPointer(buffer))
    }

    private mutating func parseMultibulk(_ b: UnsafeRawBufferPointer) -> ParseOutcome {
        if pendingArgs == 0, let (n, cr) = Self.shortHeader(b, from: 1), n > 0, n <= 10 {
            // The usual request: a small count read in one pass, no limit it could break.
            verbatim = Self.isShortestHeader(b, digitsFrom: 1, cr: cr)
            pos = cr + 2
            pendingArgs = n
            bulkLength = -1
        } else if pendingArgs == 0 {
            guard let cr = Self.findCR(b, from: 0) else {
                return b.count > Self.inlineMaxSize ? .protocolError("Protocol error: too big mbulk count string") : .incomplete(hint: 0)
            }
            guard cr + 1 < b.count else { return .incomplete(hint: 0) }
            guard let n = Self.parseInt(b, from: 1, to: cr), n <= Int(Int32.max) else {
                return .protocolError("Protocol error: invalid multibulk length")
            }
            if n > 10 && unauthenticated { return .protocolError("Protocol error: unauthenticated multibulk length") }
            if n > Self.maxMultibulkLength { return .protocolError("Protocol error: invalid multibulk length") }
            if n <= 0 {
                reset()
                return .nothing(consumed: cr + 2)
            }
            verbatim = Self.isShortestHeader(b, digitsFrom: 1, cr: cr)
            pos = cr + 2
            pendingArgs = n
            bulkLength = -1
        }
        while pendingArgs > 0 {
            if bulkLength < 0, b.count - pos > 1, b[pos] == UInt8(ascii: "$"),
               let (n, cr) = Self.shortHeader(b, from: pos + 1), n <= 16384, n <= maxBulkLength {
                if !Self.isShortestHeader(b, digitsFrom: pos + 1, cr: cr) { verbatim = false }
                bulkLength = n
                pos = cr + 2
            } else if bulkLength < 0 {
                guard let cr = Self.findCR(b, from: pos) else {
                    return b.count - pos > Self.inlineMaxSize ? .protocolError("Protocol error: too big bulk count string") : .incomplete(hint: 0)
                }
                guard cr + 1 < b.count else { return .incomplete(hint: 0) }
                let marker = b[pos]
                guard marker == UInt8(ascii: "$") else {
                    return .protocolError("Protocol error: expected '$', got '\(Character(Unicode.Scalar(marker)))'")
                }
                guard let n = Self.parseInt(b, from: pos + 1, to: cr), n >= 0, n <= maxBulkLength else {
                    return .protocolError("Protocol error: invalid bulk length")
                }
                if n > 16384 && unauthenticated { return .protocolError("Protocol error: unauthenticated bulk length") }
                if !Self.isShortestHeader(b, digitsFrom: pos + 1, cr: cr) { verbatim = false }
                bulkLength = n
                pos = cr + 2
            }
            if b.count - pos < bulkLength + 2 { return .incomplete(hint: pos + bulkLength + 2) }
            argBuffer.append(ArgRange(start: pos, count: bulkLength))
            if b.loadUnaligned(fromByteOffset: pos + bulkLength, as: UInt16.self) != Self.crlf { verbatim = false }
            pos += bulkLength + 2
            bulkLength = -1
            pendingArgs -= 1
        }
        let consumed = pos
        pos = 0
        return .command(consumed: consumed)
    }

    private mutating func parseInline(_ b: UnsafeMutableRawBufferPointer) -> ParseOutcome {
        verbatim = false
        guard let nl = Self.find(UInt8(ascii: "\n"), in: UnsafeRawBufferPointer(b), from: 0) else {
            return b.count > Self.inlineMaxSize ? .protocolError("Protocol error: too big inline request") : .incomplete(hint: 0)
        }
        var end = nl
        if end > 0 && b[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard InlineSplitter.split(b, end: end, into: argBuffer) else {
            argBuffer.count = 0
            return .protocolError("Protocol error: unbalanced quotes in request")
        }
        return argBuffer.count == 0 ? .nothing(consumed: nl + 1) : .command(consumed: nl + 1)
    }

    @inline(__always)
    static func findCR(_ b: UnsafeRawBufferPointer, from: Int) -> Int? {
        find(UInt8(ascii: "\r"), in: b, from: from)
    }

    @inline(__always)
    static func find(_ byte: UInt8, in b: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard from < b.count, let base = b.baseAddress else { return nil }
        guard let p = memchr(base + from, Int32(byte), b.count - from) else { return nil }
        return UnsafeRawPointer(p) - base
    }

    /// A header of one to five digits followed by CR LF, both in the buffer: its value and the CR's offset.
    /// Anything else (a sign, more digits, a header not fully read yet) is left to the general path, which
    /// finds the CR with memchr and words any error.
    @inline(__always)
    static func shortHeader(_ b: UnsafeRawBufferPointer, from start: Int) -> (Int, Int)? {
        var i = start
        var v = 0
        while i < b.count && i - start <= 5 {
            let d = Int(b[i]) &- 48
            if d < 0 || d > 9 { break }
            v = v &* 10 &+ d
            i += 1
        }
        guard i > start, i - start <= 5, i + 1 < b.count, b[i] == 13, b[i + 1] == 10 else { return nil }
        return (v, i)
    }

    /// CR LF as one little-endian 16-bit load sees it.
    public static let crlf = UInt16(13) | UInt16(10) << 8

    /// Whether the validated, non-negative header digits from `digitsFrom` up to the CR at `cr` have no leading
    /// zero and are followed by LF.
    @inline(__always)
    static func isShortestHeader(_ b: UnsafeRawBufferPointer, digitsFrom start: Int, cr: Int) -> Bool {
        b[cr + 1] == 10 && b[start] != UInt8(ascii: "-") && (b[start] != UInt8(ascii: "0") || cr - start == 1)
    }

    /// Strict decimal parse of a length header: optional '-', digits only, no overflow.
    static func parseInt(_ b: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard to > from, to - from <= 20 else { return nil }
        var i = from
        var negative = false
        if b[i] == UInt8(ascii: "-") { negative = true; i += 1; if i == to { return nil } }
        var v = 0
        while i < to {
            let d = Int(b[i]) &- 48
            guard d >= 0 && d <= 9 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            v = s
            i += 1
        }
        return negative ? -v : v
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Growable storage for argument ranges that is reused for every command, so parsing allocates nothing
/// once it has seen the widest command of a connection.
final class ArgBuffer {
    private var base: UnsafeMutablePointer<ArgRange>
    private var capacity = 16
    var count = 0

    init() { base = .allocate(capacity: capacity) }
    deinit { base.deallocate() }

    var view: UnsafeBufferPointer<ArgRange> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    func append(_ r: ArgRange) {
        if count == capacity { grow() }
        base[count] = r
        count += 1
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<ArgRange>.allocate(capacity: capacity * 2)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}
