/// A value stored under a key. String values keep Redis's three encodings because OBJECT ENCODING reports them
/// and the RDB writer chooses its string form from them.
public enum Value {
    /// A string that is the canonical decimal form of a 64-bit integer (encoding `int`).
    case int(Int64)
    /// A string as SET creates it, up to `InlineBytes22.capacity` bytes, held inside the Value (`embstr`): a
    /// short string costs no heap block, which is most of what a small key-value pair would otherwise weigh.
    case short(InlineBytes22)
    /// A string as SET creates it, too long for `short`: `embstr` up to 44 bytes, `raw` beyond.
    case bytes(PackedBytes)
    /// A string modified in place (APPEND, SETRANGE, SETBIT...): always `raw`, as in Redis.
    case rawBytes(Bytes)
    // Collections are boxed: their fields would otherwise widen every Value, and so every keyspace entry,
    // to the size of the largest collection header; a box keeps Value one word plus its tag. A list's header
    // fits in the inline string's room, so it is stored unboxed: a box would be allocated anew on every
    // LPUSH or RPOP, since an edit takes the value out of its entry and puts it back.
    indirect case set(SetValue)
    indirect case zset(SortedSetValue)
    case list(ListValue)
    indirect case hash(HashValue)
    indirect case stream(StreamValue)

    /// The string value a client would write, choosing the integer encoding when Redis would (tryObjectEncoding).
    public static func string(_ b: UnsafeRawBufferPointer) -> Value {
        if b.count <= 20, let v = NumberParsing.int64(b) { return .int(v) }
        return embedded(b)
    }

    public static func string(_ b: Bytes) -> Value {
        if b.count <= 20, let v = NumberParsing.int64(b) { return .int(v) }
        return embedded(b)
    }

    /// A string kept as written, never as an integer (Redis's createStringObject): inline when short.
    public static func embedded(_ b: UnsafeRawBufferPointer) -> Value {
        if let s = InlineBytes22(b) { return .short(s) }
        return .bytes(PackedBytes(b))
    }

    public static func embedded(_ b: Bytes) -> Value {
        b.withUnsafeBytes { embedded($0) }
    }

    public var typeName: StaticString {
        switch self {
        case .int, .short, .bytes, .rawBytes: return "string"
        case .set: return "set"
        case .zset: return "zset"
        case .list: return "list"
        case .hash: return "hash"
        case .stream: return "stream"
        }
    }

    public var encodingName: StaticString {
        switch self {
        case .int: return "int"
        case .short: return "embstr"
        case .bytes(let b): return b.count <= 44 ? "embstr" : "raw"
        case .rawBytes: return "raw"
        case .set(let s): return s.encodingName
        case .zset(let z): return z.encodingName
        case .list(let l): return l.isQuicklist ? "quicklist" : "listpack"
        case .hash(let h): return h.isCompact ? "listpack" : "hashtable"
        case .stream: return "stream"
        }
    }

    /// The bytes of a string value; nil for other types.
    @inlinable public var stringBytes: Bytes? {
        switch self {
        case .int(let v): return IntegerFormat.bytes(v)
        case .short(let s): return s.bytes
        case .bytes(let b): return b.bytes
        case .rawBytes(let b): return b
        case .set, .zset, .list, .hash, .stream: return nil
        }
    }

    @inlinable public var isString: Bool {
        switch self {
        case .int, .short, .bytes, .rawBytes: return true
        case .set, .zset, .list, .hash, .stream: return false
        }
    }
}

import RESP
