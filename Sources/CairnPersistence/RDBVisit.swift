import RESP
import CairnEngine

/// A key's record up to its name, the name aside: where it starts, its RDB type byte and the opcodes that
/// preceded it. Plain values only, so the loader's optional one per key costs no retain or release (holding the
/// name, it was copied and destroyed through the runtime's generic witnesses, ~370 instructions a key).
public struct RDBKeyPlace {
    public var db: Int
    public var type: UInt8
    /// Offset of the record's type byte (an expiry opcode before it is not included).
    public var offset: Int
    public var expireAt: Int64
    public var idle: Int64?
    public var freq: UInt8?
}

/// A key's record up to its name, with the name.
public struct RDBKeyHeader {
    public let place: RDBKeyPlace
    public let key: [UInt8]

    init(_ place: RDBKeyPlace, key: [UInt8]) {
        self.place = place
        self.key = key
    }

    public var db: Int { place.db }
    public var type: UInt8 { place.type }
    public var offset: Int { place.offset }
    public var expireAt: Int64 { place.expireAt }
    public var idle: Int64? { place.idle }
    public var freq: UInt8? { place.freq }
}

public enum RDBItem {
    case record(RDBRecord)
    /// The value follows in the input and must be read or visited before the next item.
    case key(RDBKeyHeader)
}

/// Receives a value's elements one at a time, in file order. Byte buffers are valid during the call only.
public protocol RDBValueVisitor {
    mutating func string(_ s: UnsafeRawBufferPointer) throws
    /// A list item or set member.
    mutating func element(_ e: UnsafeRawBufferPointer) throws
    mutating func field(_ f: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) throws
    mutating func member(_ m: UnsafeRawBufferPointer, score: Double) throws
    /// Streams are built whole: their groups refer back to entries, and nodes are bounded by the server.
    mutating func stream(_ s: StreamValue) throws
    /// A stream read from a file, with its DUMP payload made of the bytes the file holds (`payload`), so a
    /// visitor that wants both need not serialize the stream again.
    mutating func stream(_ s: StreamValue, payload: [UInt8]) throws
}

extension RDBValueVisitor {
    public mutating func stream(_ s: StreamValue, payload: [UInt8]) throws { try stream(s) }
}

extension RDBType {
    /// The Redis type name and the encoding a loader reports for a key of RDB type `t`.
    public static func describe(_ t: UInt8) -> (type: String, encoding: String) {
        switch t {
        case string: return ("string", "string")
        case list: return ("list", "linkedlist")
        case set: return ("set", "hashtable")
        case zset, zset2: return ("zset", "skiplist")
        case hash: return ("hash", "hashtable")
        case modulePreGA, module2: return ("module", "module")
        case hashZipmap: return ("hash", "zipmap")
        case listZiplist: return ("list", "ziplist")
        case setIntset: return ("set", "intset")
        case zsetZiplist: return ("zset", "ziplist")
        case hashZiplist: return ("hash", "ziplist")
        case listQuicklist: return ("list", "quicklist")
        case streamListpacks, streamListpacks2, streamListpacks3: return ("stream", "stream")
        case hashListpack: return ("hash", "listpack")
        case zsetListpack: return ("zset", "listpack")
        case listQuicklist2: return ("list", "quicklist")
        case setListpack: return ("set", "listpack")
        default: return ("unknown", "type \(t)")
        }
    }
}

/// Visiting values element by element: the same wire decoding as `value(type:at:)` without building Cairn's
/// collections, so a million-element list costs one element of memory at a time. Structure is checked (a
/// blob must decode); semantic checks that need the whole value (duplicate members) are the loader's.
extension RDBReader {
    public mutating func visitValue<V: RDBValueVisitor>(_ h: RDBKeyHeader, _ v: inout V) throws {
        let t = h.type
        // Strings are handed over in place (`withString`); only the first of a pair read from the file is
        // copied, into a buffer reused from key to key, so visiting allocates nothing per element for the
        // common encodings.
        let s = scratch
        switch t {
        case RDBType.string:
            try withString { try v.string($0) }
        case RDBType.list, RDBType.set:
            for _ in 0..<(try count()) { try withString { try v.element($0) } }
        case RDBType.zset, RDBType.zset2:
            for _ in 0..<(try count()) {
                try string(into: &s.field)
                let score = t == RDBType.zset ? try stringDouble() : try binaryDouble()
                if score.isNaN { throw fail("Zset with NAN score detected") }
                try s.field.withUnsafeBytes { try v.member($0, score: score) }
            }
        case RDBType.hash:
            for _ in 0..<(try count()) {
                try string(into: &s.field)
                try s.field.withUnsafeBytes { f in try withString { try v.field(f, $0) } }
            }
        case RDBType.hashZipmap:
            let items = try packedString(at: h.offset, ZipmapCodec.decode)
            try visitPairs(items, &v)
        case RDBType.listZiplist:
            for e in try packedString(at: h.offset, ZiplistCodec.decode) { try e.bytes.withUnsafeBytes { try v.element($0) } }
        case RDBType.setIntset:
            let values = try packedString(at: h.offset, IntsetCodec.decode)
            for n in values { try IntegerFormat.withDigits(n) { try v.element($0) } }
        case RDBType.zsetZiplist:
            let items = try packedString(at: h.offset, ZiplistCodec.decode)
            guard items.count % 2 == 0 else { throw fail("sorted set blob with an odd element count") }
            for j in stride(from: 0, to: items.count, by: 2) {
                try items[j].bytes.withUnsafeBytes { try v.member($0, score: try score(items[j + 1].bytes)) }
            }
        case RDBType.hashZiplist:
            let items = try packedString(at: h.offset, ZiplistCodec.decode)
            try visitPairs(items.map(\.bytes), &v)
        case RDBType.hashListpack, RDBType.zsetListpack, RDBType.setListpack:
            try visitListpackValue(type: t, at: h.offset, &v)
        case RDBType.listQuicklist, RDBType.listQuicklist2:
            for _ in 0..<(try count()) {
                let plain = try quicklistNodeIsPlain(type: t)
                let nodeAt = input.offset
                try withString { blob in
                    guard blob.count > 0 else { throw fail("Quicklist integrity check failed: empty node", at: nodeAt) }
                    if plain {
                        try v.element(blob)
                    } else if t == RDBType.listQuicklist {
                        for e in try packed(blob, at: nodeAt, ZiplistCodec.decode) { try e.bytes.withUnsafeBytes { try v.element($0) } }
                    } else {
                        try forEachListpackElement(blob, at: nodeAt) { try v.element($0) }
                    }
                }
            }
        default:
            // Streams, and the types `value` refuses with their reason.
            input.startCapture()
            let value: Value?
            do {
                value = try self.value(type: t, at: h.offset)
            } catch {
                _ = input.endCapture()
                throw error
            }
            var payload = input.endCapture()
            guard let value, case .stream(let s) = value else { return }
            payload.insert(t, at: 0)
            // The file's version, which every reader of its stream types accepts; a newer or Valkey file's
            // streams have the layout of version 11.
            DumpPayload.seal(&payload, version: magic == "REDIS" ? min(version, RDBType.version) : RDBType.version)
            try v.stream(s, payload: payload)
        }
    }

    /// `lendString` for a body with errors of its own (a visitor's output), which wait outside the reader's typed
    /// throws.
    func withString<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        var failure: Error? = nil
        let r: R? = try lendString { p throws(RDBError) -> R? in
            do { return try body(p) } catch { failure = error; return nil }
        }
        if let failure { throw failure }
        return r!
    }

    /// A listpack hash, sorted set or set. The first of a pair stays valid in the blob while the second is read.
    private func visitListpackValue<V: RDBValueVisitor>(type t: UInt8, at: Int, _ v: inout V) throws {
        var odd = false
        var firstInt: Int64? = nil
        var first = UnsafeRawBufferPointer(start: nil, count: 0)
        // The visitor's own errors (an output that cannot be written) wait outside the codec's typed throws.
        var failure: Error? = nil
        try withString { blob in
            try packed(blob, at: at) { (p: UnsafeRawBufferPointer) throws(PackedFormatError) in
                try ListpackCodec.forEach(p) { int, string throws(PackedFormatError) in
                    guard failure == nil else { return }
                    if t != RDBType.setListpack && !odd {
                        firstInt = int
                        first = string
                        odd = true
                        return
                    }
                    odd = false
                    do {
                        if t == RDBType.setListpack {
                            if let int { try IntegerFormat.withDigits(int) { try v.element($0) } } else { try v.element(string) }
                        } else if t == RDBType.hashListpack {
                            try Self.withBytes(firstInt, first) { f in
                                if let int { try IntegerFormat.withDigits(int) { try v.field(f, $0) } } else { try v.field(f, string) }
                            }
                        } else {
                            let score: Double
                            if let int {
                                score = Double(int)
                            } else {
                                guard let d = Self.decimal(string) ?? NumberParsing.double(string), !d.isNaN else { throw fail("bad sorted set score") }
                                score = d
                            }
                            try Self.withBytes(firstInt, first) { try v.member($0, score: score) }
                        }
                    } catch {
                        failure = error
                    }
                }
            }
        }
        if let failure { throw failure }
        if odd { throw fail("\(t == RDBType.hashListpack ? "hash" : "sorted set") blob with an odd element count") }
    }

    /// A listpack element as bytes, an integer as its decimal digits.
    private static func withBytes(_ int: Int64?, _ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let int { try IntegerFormat.withDigits(int, body) } else { try body(bytes) }
    }

    /// Plain decimal text (`-?digits[.digits]`, at most 15 digits) as the double strtod reads: the digits as an
    /// integer and the power of ten are both exact, so one division rounds correctly. Nil for anything else.
    static func decimal(_ text: UnsafeRawBufferPointer) -> Double? {
        let n = text.count
        guard n > 0, n <= 17 else { return nil }
        var i = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        var m: Int64 = 0
        var digits = 0
        var places = -1
        while i < n {
            let c = text[i]
            if c == UInt8(ascii: "."), places < 0, digits > 0 {
                places = 0
            } else if c &- 48 < 10 {
                m = m &* 10 &+ Int64(c &- 48)
                digits += 1
                if places >= 0 { places += 1 }
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0, digits <= 15, places != 0 else { return nil }
        let d = Double(m) / powersOfTen[max(places, 0)]
        return negative ? -d : d
    }

    static let powersOfTen: [Double] = (0...15).map { (k: Int) -> Double in (0..<k).reduce(1.0) { a, _ in a * 10 } }

    private func visitPairs<V: RDBValueVisitor>(_ items: [[UInt8]], _ v: inout V) throws {
        guard items.count % 2 == 0 else { throw fail("hash blob with an odd element count") }
        for j in stride(from: 0, to: items.count, by: 2) {
            try items[j].withUnsafeBytes { f in try items[j + 1].withUnsafeBytes { try v.field(f, $0) } }
        }
    }

    private func score(_ text: [UInt8]) throws(RDBError) -> Double {
        guard let d = text.withUnsafeBytes({ NumberParsing.double($0) }), !d.isNaN else { throw fail("bad sorted set score") }
        return d
    }

    /// A listpack's elements as bytes, integers written out in decimal (as stream nodes flatten them), each
    /// valid during the call only.
    func forEachListpackElement(_ blob: UnsafeRawBufferPointer, at: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var failure: Error? = nil
        try packed(blob, at: at) { (p: UnsafeRawBufferPointer) throws(PackedFormatError) in
            try ListpackCodec.forEach(p) { int, string throws(PackedFormatError) in
                guard failure == nil else { return }
                do {
                    if let int { try IntegerFormat.withDigits(int, body) } else { try body(string) }
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
    }
}
