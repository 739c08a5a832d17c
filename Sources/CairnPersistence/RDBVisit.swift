import RESP
import CairnEngine

/// A key's record up to its name: where it starts, its RDB type byte and the opcodes that preceded it.
public struct RDBKeyHeader {
    public var db: Int
    public var key: [UInt8]
    public var type: UInt8
    /// Offset of the record's type byte (an expiry opcode before it is not included).
    public var offset: Int
    public var expireAt: Int64
    public var idle: Int64?
    public var freq: UInt8?
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
        // Strings are read into the reader's reused buffers (`value`, and `field` for the first of a pair), so
        // visiting allocates nothing per element for the common encodings.
        let s = scratch
        switch t {
        case RDBType.string:
            try string(into: &s.value)
            try s.value.withUnsafeBytes { try v.string($0) }
        case RDBType.list, RDBType.set:
            for _ in 0..<(try count()) {
                try string(into: &s.value)
                try s.value.withUnsafeBytes { try v.element($0) }
            }
        case RDBType.zset, RDBType.zset2:
            for _ in 0..<(try count()) {
                try string(into: &s.value)
                let score = t == RDBType.zset ? try stringDouble() : try binaryDouble()
                if score.isNaN { throw fail("Zset with NAN score detected") }
                try s.value.withUnsafeBytes { try v.member($0, score: score) }
            }
        case RDBType.hash:
            for _ in 0..<(try count()) {
                try string(into: &s.field)
                try string(into: &s.value)
                try s.field.withUnsafeBytes { f in try s.value.withUnsafeBytes { try v.field(f, $0) } }
            }
        case RDBType.hashZipmap:
            let items = try packed(try string(), at: h.offset, ZipmapCodec.decode)
            try visitPairs(items, &v)
        case RDBType.listZiplist:
            for e in try packed(try string(), at: h.offset, ZiplistCodec.decode) { try e.bytes.withUnsafeBytes { try v.element($0) } }
        case RDBType.setIntset:
            try string(into: &s.value)
            for n in try packed(s.value, at: h.offset, IntsetCodec.decode) { try IntegerFormat.withDigits(n) { try v.element($0) } }
        case RDBType.zsetZiplist:
            let items = try packed(try string(), at: h.offset, ZiplistCodec.decode)
            guard items.count % 2 == 0 else { throw fail("sorted set blob with an odd element count") }
            for j in stride(from: 0, to: items.count, by: 2) {
                try items[j].bytes.withUnsafeBytes { try v.member($0, score: try score(items[j + 1].bytes)) }
            }
        case RDBType.hashZiplist:
            let items = try packed(try string(), at: h.offset, ZiplistCodec.decode)
            try visitPairs(items.map(\.bytes), &v)
        case RDBType.hashListpack, RDBType.zsetListpack, RDBType.setListpack:
            try string(into: &s.value)
            var odd = false
            try forEachListpackElement(s.value, at: h.offset) { e throws in
                if t == RDBType.setListpack { return try v.element(e) }
                guard odd else {
                    s.field.removeAll(keepingCapacity: true)
                    s.field.append(contentsOf: e)
                    odd = true
                    return
                }
                odd = false
                if t == RDBType.hashListpack {
                    try s.field.withUnsafeBytes { try v.field($0, e) }
                } else {
                    guard let d = NumberParsing.double(e), !d.isNaN else { throw fail("bad sorted set score") }
                    try s.field.withUnsafeBytes { try v.member($0, score: d) }
                }
            }
            if odd { throw fail("\(t == RDBType.hashListpack ? "hash" : "sorted set") blob with an odd element count") }
        case RDBType.listQuicklist, RDBType.listQuicklist2:
            // The visitor's own errors (an output that cannot be written) wait outside the reader's typed throws.
            var failure: Error? = nil
            try quicklistNodes(type: t) { blob, plain, nodeAt throws(RDBError) in
                guard failure == nil else { return }
                do {
                    if plain {
                        try blob.withUnsafeBytes { try v.element($0) }
                    } else if t == RDBType.listQuicklist {
                        for e in try packed(blob, at: nodeAt, ZiplistCodec.decode) { try e.bytes.withUnsafeBytes { try v.element($0) } }
                    } else {
                        try forEachListpackElement(blob, at: nodeAt) { e throws in try v.element(e) }
                    }
                } catch let e as RDBError {
                    throw e
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        default:
            // Streams, and the types `value` refuses with their reason.
            guard let value = try value(type: t, at: h.offset), case .stream(let s) = value else { return }
            try v.stream(s)
        }
    }

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
    private func forEachListpackElement(_ blob: [UInt8], at: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var failure: Error? = nil
        try packed(blob, at: at) { (p: UnsafeRawBufferPointer) throws(PackedFormatError) in
            try ListpackCodec.forEach(p) { int, string throws(PackedFormatError) in
                guard failure == nil else { return }
                do {
                    if let int { try IntegerFormat.withDigits(int, body) } else { try body(string) }
                } catch let e as PackedFormatError {
                    throw e
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
    }
}
