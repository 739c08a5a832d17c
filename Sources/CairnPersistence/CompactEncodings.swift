import RESP
import CairnEngine

/// One element of a packed blob: listpacks and ziplists store canonical integers as integers.
public enum PackedElement: Equatable {
    case int(Int64)
    case string([UInt8])

    public var bytes: [UInt8] {
        switch self {
        case .int(let v): return IntegerFormat.bytes(v)
        case .string(let b): return b
        }
    }
}

/// Why a packed blob was refused; the RDB reader adds the offset and key.
public struct PackedFormatError: Error, Equatable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}

@inline(__always) func readLE(_ p: UnsafeRawBufferPointer, _ at: Int, _ width: Int) -> UInt64 {
    var v: UInt64 = 0
    for j in 0..<width { v |= UInt64(p[at + j]) << UInt64(8 * j) }
    return v
}

@inline(__always) func signExtend(_ v: UInt64, bits: Int) -> Int64 {
    let shift = UInt64(64 - bits)
    return Int64(bitPattern: v << shift) >> Int64(shift)
}

/// `v`'s low `width` bytes at `p`, little-endian: how RDB and its packed blobs store fixed-width integers.
@inline(__always) func storeLE(_ v: UInt64, _ width: Int, at p: UnsafeMutableRawPointer) {
    for j in 0..<width { p.storeBytes(of: UInt8(truncatingIfNeeded: v >> UInt64(8 * j)), toByteOffset: j, as: UInt8.self) }
}

func appendLE(_ v: UInt64, _ width: Int, to out: inout [UInt8]) {
    let at = out.count
    out.append(contentsOf: repeatElement(0, count: width))
    out.withUnsafeMutableBytes { storeLE(v, width, at: $0.baseAddress! + at) }
}

/// `s` as Redis stores a canonical integer of at most `maxLength` characters, else nil. A canonical integer starts
/// with a digit or '-': most names and members are refused on that byte, without the parse (a sender spent 45
/// instructions an element, and 31 a string, calling it).
@inline(__always) func canonicalInteger(_ s: UnsafeRawBufferPointer, maxLength: Int) -> Int64? {
    guard s.count <= maxLength, let first = s.first, first &- UInt8(ascii: "0") <= 9 || first == UInt8(ascii: "-") else {
        return nil
    }
    return NumberParsing.int64(s)
}

/// Listpack (Redis ≥ 7 small collections and quicklist nodes).
public enum ListpackCodec {
    static let headerSize = 6

    public static func decode(_ blob: UnsafeRawBufferPointer) throws(PackedFormatError) -> [PackedElement] {
        var out: [PackedElement] = []
        if blob.count >= headerSize {
            let declared = Int(readLE(blob, 4, 2))
            out.reserveCapacity(declared == 65535 ? 16 : min(declared, blob.count))
        }
        try forEach(blob) { int, string in out.append(int.map { .int($0) } ?? .string(Array(string))) }
        return out
    }

    /// Checks a listpack and visits its elements in order: `int` for the integer encodings, else the string's
    /// bytes (valid during the call).
    public static func forEach(_ blob: UnsafeRawBufferPointer,
                               _ visit: (_ int: Int64?, _ string: UnsafeRawBufferPointer) throws(PackedFormatError) -> Void) throws(PackedFormatError) {
        let size = blob.count
        guard size >= 7 else { throw PackedFormatError("listpack shorter than its header") }
        guard Int(readLE(blob, 0, 4)) == size else { throw PackedFormatError("listpack size header mismatch") }
        guard blob[size - 1] == 0xFF else { throw PackedFormatError("listpack without terminator") }
        let declared = Int(readLE(blob, 4, 2))
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        var count = 0
        var p = headerSize
        while true {
            guard p < size else { throw PackedFormatError("listpack entry runs past its end") }
            let b = blob[p]
            if b == 0xFF { break }
            var body = 0
            func need(_ n: Int) throws(PackedFormatError) {
                guard p + n <= size - 1 else { throw PackedFormatError("listpack entry runs past its end") }
            }
            if b & 0x80 == 0 {
                try visit(Int64(b & 0x7F), none)
                body = 1
            } else if b & 0xC0 == 0x80 {
                let len = Int(b & 0x3F)
                body = 1 + len
                try need(body)
                try visit(nil, UnsafeRawBufferPointer(rebasing: blob[(p + 1)..<(p + body)]))
            } else if b & 0xE0 == 0xC0 {
                body = 2
                try need(body)
                let u = (Int(b & 0x1F) << 8) | Int(blob[p + 1])
                try visit(Int64(u < 4096 ? u : u - 8192), none)
            } else if b == 0xF1 || b == 0xF2 || b == 0xF3 || b == 0xF4 {
                let width = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8
                body = 1 + width
                try need(body)
                try visit(signExtend(readLE(blob, p + 1, width), bits: width * 8), none)
            } else if b & 0xF0 == 0xE0 {
                try need(2)
                let len = (Int(b & 0x0F) << 8) | Int(blob[p + 1])
                body = 2 + len
                try need(body)
                try visit(nil, UnsafeRawBufferPointer(rebasing: blob[(p + 2)..<(p + body)]))
            } else if b == 0xF0 {
                try need(5)
                let len = Int(readLE(blob, p + 1, 4))
                body = 5 + len
                try need(body)
                try visit(nil, UnsafeRawBufferPointer(rebasing: blob[(p + 5)..<(p + body)]))
            } else {
                throw PackedFormatError("invalid listpack entry encoding")
            }
            let back = Listpack.backlenSize(body)
            try need(body + back)
            guard decodeBacklen(blob, end: p + body + back - 1) == body else {
                throw PackedFormatError("listpack back-length mismatch")
            }
            p += body + back
            count += 1
        }
        guard p == size - 1 else { throw PackedFormatError("listpack terminator before its end") }
        if declared != 65535 && declared != count { throw PackedFormatError("listpack element count mismatch") }
    }

    /// The back length ending at `end`, or -1 when its continuation bits run on past the 5 bytes a back length
    /// can take (a corrupt entry would otherwise walk off the front of the blob).
    static func decodeBacklen(_ blob: UnsafeRawBufferPointer, end: Int) -> Int {
        var v = 0
        var shift = 0
        var p = end
        while true {
            let b = Int(blob[p])
            v |= (b & 0x7F) << shift
            if b & 0x80 == 0 { return v }
            shift += 7
            p -= 1
            if shift > 28 || p < 0 { return -1 }
        }
    }

    /// Builds listpacks element by element, choosing the encodings lpAppend chooses. A writer keeps one and
    /// `reset`s it for each value: its buffer grows once to the largest value, where an array per value was
    /// allocated, regrown from six bytes and freed each time (a fifth of a full sync's sender).
    public final class Builder {
        /// Header included; the terminator is added only when the listpack is read (`withFinished`).
        private let bytes = ScratchBytes()
        private var elements = 0

        public init() { reset() }

        /// Empty again, keeping the buffer.
        public func reset() {
            bytes.removeAll()
            bytes.append(ListpackCodec.headerSize) { $0.initializeMemory(as: UInt8.self, repeating: 0, count: ListpackCodec.headerSize) }
            elements = 0
        }

        /// An entry whose encoding and data take `body` bytes, written by `fill`, then its back length.
        @inline(__always)
        private func entry(_ body: Int, _ fill: (UnsafeMutableRawPointer) -> Void) {
            let n = body <= 127 ? 1 : Listpack.backlenSize(body)
            bytes.append(body + n) { p in
                fill(p)
                // Most significant 7-bit group first; every byte after it carries the continuation bit.
                for j in 0..<n {
                    let group = n - 1 - j
                    p.storeBytes(of: UInt8((body >> (7 * group)) & 0x7F) | (j == 0 ? 0 : 0x80), toByteOffset: body + j, as: UInt8.self)
                }
            }
            elements += 1
        }

        public func append(_ e: [UInt8]) {
            e.withUnsafeBytes { append($0) }
        }

        public func append(_ e: UnsafeRawBufferPointer) {
            if let v = canonicalInteger(e, maxLength: 20) {
                append(int: v)
                return
            }
            let n = e.count
            if n < 64 {
                // The common short string: one header byte, and an entry of at most 64 bytes has a one-byte back
                // length, which is its size.
                bytes.append(n &+ 2) { p in
                    p.storeBytes(of: 0x80 | UInt8(truncatingIfNeeded: n), as: UInt8.self)
                    if n > 0 { (p + 1).copyMemory(from: e.baseAddress!, byteCount: n) }
                    p.storeBytes(of: UInt8(truncatingIfNeeded: n &+ 1), toByteOffset: n &+ 1, as: UInt8.self)
                }
                elements += 1
                return
            }
            let header = n < 4096 ? 2 : 5
            entry(header + n) { p in
                if n < 4096 {
                    p.storeBytes(of: 0xE0 | UInt8(n >> 8), as: UInt8.self)
                    p.storeBytes(of: UInt8(n & 0xFF), toByteOffset: 1, as: UInt8.self)
                } else {
                    p.storeBytes(of: 0xF0, as: UInt8.self)
                    storeLE(UInt64(n), 4, at: p + 1)
                }
                (p + header).copyMemory(from: e.baseAddress!, byteCount: n)
            }
        }

        public func append(int v: Int64) {
            switch v {
            case 0...127:
                entry(1) { $0.storeBytes(of: UInt8(v), as: UInt8.self) }
            case -4096...4095:
                let u = UInt16(bitPattern: Int16(v)) & 0x1FFF
                entry(2) { p in
                    p.storeBytes(of: 0xC0 | UInt8(u >> 8), as: UInt8.self)
                    p.storeBytes(of: UInt8(u & 0xFF), toByteOffset: 1, as: UInt8.self)
                }
            case -32768...32767: tagged(0xF1, v, 2)
            case -8_388_608...8_388_607: tagged(0xF2, v, 3)
            case Int64(Int32.min)...Int64(Int32.max): tagged(0xF3, v, 4)
            default: tagged(0xF4, v, 8)
            }
        }

        /// An integer entry: its encoding byte, then `width` bytes little-endian.
        private func tagged(_ tag: UInt8, _ v: Int64, _ width: Int) {
            entry(1 + width) { p in
                p.storeBytes(of: tag, as: UInt8.self)
                storeLE(UInt64(bitPattern: v), width, at: p + 1)
            }
        }

        /// The finished listpack (header, entries, terminator), valid during `body` and until the builder changes.
        public func withFinished<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            let total = bytes.count + 1
            bytes.reserve(1) { $0.storeBytes(of: 0xFF, as: UInt8.self) }
            bytes.withMutableBytes { p in
                storeLE(UInt64(total), 4, at: p.baseAddress!)
                storeLE(UInt64(min(elements, 65535)), 2, at: p.baseAddress! + 4)
            }
            return try bytes.withBytes(0..<total, body)
        }
    }
}

/// Ziplist (Redis 2.6–6.2 small collections and quicklist v1 nodes); read only.
public enum ZiplistCodec {
    public static func decode(_ blob: UnsafeRawBufferPointer) throws(PackedFormatError) -> [PackedElement] {
        let size = blob.count
        guard size >= 11 else { throw PackedFormatError("ziplist shorter than its header") }
        guard Int(readLE(blob, 0, 4)) == size else { throw PackedFormatError("ziplist size header mismatch") }
        guard blob[size - 1] == 0xFF else { throw PackedFormatError("ziplist without terminator") }
        let tail = Int(readLE(blob, 4, 4))
        guard tail <= size - 1 else { throw PackedFormatError("ziplist tail offset out of range") }
        let declared = Int(readLE(blob, 8, 2))
        var out: [PackedElement] = []
        var p = 10
        var prevSize = 0
        var lastStart = -1
        while true {
            guard p < size else { throw PackedFormatError("ziplist entry runs past its end") }
            if blob[p] == 0xFF { break }
            let start = p
            func need(_ n: Int) throws(PackedFormatError) {
                guard p + n <= size - 1 else { throw PackedFormatError("ziplist entry runs past its end") }
            }
            var prevlen: Int
            try need(1)
            if blob[p] < 254 {
                prevlen = Int(blob[p])
                p += 1
            } else {
                try need(5)
                prevlen = Int(readLE(blob, p + 1, 4))
                p += 5
            }
            guard prevlen == prevSize else { throw PackedFormatError("ziplist prevlen mismatch") }
            try need(1)
            let b = blob[p]
            switch b >> 6 {
            case 0:
                let len = Int(b & 0x3F)
                try need(1 + len)
                out.append(.string(Array(blob[(p + 1)..<(p + 1 + len)])))
                p += 1 + len
            case 1:
                try need(2)
                let len = Int(b & 0x3F) << 8 | Int(blob[p + 1])
                try need(2 + len)
                out.append(.string(Array(blob[(p + 2)..<(p + 2 + len)])))
                p += 2 + len
            case 2:
                try need(5)
                let len = Int(blob[p + 1]) << 24 | Int(blob[p + 2]) << 16 | Int(blob[p + 3]) << 8 | Int(blob[p + 4])
                try need(5 + len)
                out.append(.string(Array(blob[(p + 5)..<(p + 5 + len)])))
                p += 5 + len
            default:
                let width: Int
                switch b {
                case 0xC0: width = 2
                case 0xD0: width = 4
                case 0xE0: width = 8
                case 0xF0: width = 3
                case 0xFE: width = 1
                case 0xF1...0xFD: width = 0
                default: throw PackedFormatError("invalid ziplist entry encoding")
                }
                try need(1 + width)
                if width == 0 {
                    out.append(.int(Int64(b & 0x0F) - 1))
                } else {
                    out.append(.int(signExtend(readLE(blob, p + 1, width), bits: width * 8)))
                }
                p += 1 + width
            }
            prevSize = p - start
            lastStart = start
        }
        guard p == size - 1 else { throw PackedFormatError("ziplist terminator before its end") }
        if lastStart >= 0 && tail != lastStart { throw PackedFormatError("ziplist tail offset mismatch") }
        if declared != 65535 && declared != out.count { throw PackedFormatError("ziplist entry count mismatch") }
        return out
    }
}

/// Writes a ziplist, for RDB versions before listpacks (a type 18 quicklist's node downgraded for RDB 9).
/// Every element is a string entry: Redis would store some as integers to save bytes, but reads either kind.
struct ZiplistBuilder {
    private(set) var bytes = [UInt8](repeating: 0, count: 10)
    private var previous = 0
    private var tail = 10
    private var count = 0

    mutating func append(_ e: UnsafeRawBufferPointer) {
        let start = bytes.count
        if previous < 254 {
            bytes.append(UInt8(previous))
        } else {
            bytes.append(0xFE)
            appendLE(UInt64(previous), 4, to: &bytes)
        }
        let n = e.count
        if n <= 63 {
            bytes.append(UInt8(n))
        } else if n <= 16383 {
            bytes.append(0x40 | UInt8(n >> 8))
            bytes.append(UInt8(n & 0xFF))
        } else {
            bytes.append(0x80)
            for shift in [24, 16, 8, 0] { bytes.append(UInt8(truncatingIfNeeded: n >> shift)) }
        }
        bytes.append(contentsOf: e)
        tail = start
        previous = bytes.count - start
        count += 1
    }

    /// The header (total bytes, tail offset, count: 65535 when larger) and the terminator.
    mutating func finish() -> [UInt8] {
        bytes.append(0xFF)
        for (at, v) in [(0, bytes.count), (4, tail)] {
            for j in 0..<4 { bytes[at + j] = UInt8(truncatingIfNeeded: v >> (8 * j)) }
        }
        let n = min(count, 65535)
        bytes[8] = UInt8(n & 0xFF)
        bytes[9] = UInt8(n >> 8)
        return bytes
    }
}

/// Zipmap (Redis ≤ 2.6 small hashes); read only. Returns field, value, field, value...
public enum ZipmapCodec {
    public static func decode(_ blob: UnsafeRawBufferPointer) throws(PackedFormatError) -> [[UInt8]] {
        let size = blob.count
        guard size >= 2, blob[size - 1] == 0xFF else { throw PackedFormatError("zipmap without terminator") }
        let declared = Int(blob[0])
        var p = 1
        var out: [[UInt8]] = []
        func length() throws(PackedFormatError) -> Int {
            guard p < size - 1 else { throw PackedFormatError("zipmap entry runs past its end") }
            if blob[p] < 254 {
                p += 1
                return Int(blob[p - 1])
            }
            guard blob[p] == 254, p + 5 <= size - 1 else { throw PackedFormatError("invalid zipmap length") }
            let v = Int(readLE(blob, p + 1, 4))
            p += 5
            return v
        }
        func take(_ n: Int) throws(PackedFormatError) -> [UInt8] {
            guard n >= 0, p + n <= size - 1 else { throw PackedFormatError("zipmap entry runs past its end") }
            defer { p += n }
            return Array(blob[p..<(p + n)])
        }
        while p < size - 1 {
            let field = try take(try length())
            let vlen = try length()
            guard p < size - 1 else { throw PackedFormatError("zipmap entry runs past its end") }
            let free = Int(blob[p])
            p += 1
            let value = try take(vlen)
            _ = try take(free)
            out.append(field)
            out.append(value)
        }
        guard !out.isEmpty else { throw PackedFormatError("empty zipmap") }
        if declared < 254 && declared != out.count / 2 { throw PackedFormatError("zipmap pair count mismatch") }
        return out
    }
}

/// Intset (sorted distinct integers of one width).
public enum IntsetCodec {
    public static func decode(_ blob: UnsafeRawBufferPointer) throws(PackedFormatError) -> [Int64] {
        guard blob.count >= 8 else { throw PackedFormatError("intset shorter than its header") }
        let width = Int(readLE(blob, 0, 4))
        guard width == 2 || width == 4 || width == 8 else { throw PackedFormatError("invalid intset encoding") }
        let n = Int(readLE(blob, 4, 4))
        guard n > 0 else { throw PackedFormatError("empty intset") }
        guard 8 + n * width == blob.count else { throw PackedFormatError("intset size mismatch") }
        var out: [Int64] = []
        out.reserveCapacity(n)
        for j in 0..<n {
            let v = signExtend(readLE(blob, 8 + j * width, width), bits: width * 8)
            if let last = out.last, v <= last { throw PackedFormatError("intset not strictly ascending") }
            out.append(v)
        }
        return out
    }

    /// `sorted` must be strictly ascending; the width is the smallest that holds every value.
    public static func encode(_ sorted: [Int64]) -> [UInt8] {
        var width = 2
        if let lo = sorted.first, let hi = sorted.last {
            if lo < Int64(Int32.min) || hi > Int64(Int32.max) { width = 8 }
            else if lo < Int64(Int16.min) || hi > Int64(Int16.max) { width = 4 }
        }
        var out: [UInt8] = []
        out.reserveCapacity(8 + sorted.count * width)
        appendLE(UInt64(width), 4, to: &out)
        appendLE(UInt64(sorted.count), 4, to: &out)
        for v in sorted { appendLE(UInt64(bitPattern: v), width, to: &out) }
        return out
    }
}
