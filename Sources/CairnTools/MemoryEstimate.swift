import RESP
import CairnEngine
import CairnPersistence

/// Element statistics of one value, gathered as its elements stream past, and from them the memory the key
/// would take in a Redis 7.2 server with the default encoding thresholds (64-bit, jemalloc size classes).
/// It is an estimate: allocator slack and hash-table fill vary, but it ranks keys and prefixes reliably.
struct ValueStats: KeyConsumer {
    var elements = 0
    /// Bytes of every string in the value (members, fields, values, entries).
    var payload = 0
    var maxLength = 0
    var allIntegers = true
    /// The listpack a server would build for the value, and the per-element cost of its hash table form.
    var listpackBytes = 7
    var tableBytes = 0
    var streamBytes = 0
    var type = ""

    mutating func begin(_ k: KeyInfo) throws -> Bool {
        self = ValueStats()
        type = k.type
        return true
    }

    mutating func end(_ k: KeyInfo, size: Int) throws {}

    mutating func add(_ s: UnsafeRawBufferPointer) {
        payload += s.count
        maxLength = max(maxLength, s.count)
        let isInt = s.count <= 20 && NumberParsing.int64(s) != nil
        if !isInt { allIntegers = false }
        listpackBytes += Self.listpackEntry(s, isInt: isInt)
        tableBytes += Self.sds(s.count)
    }

    mutating func string(_ s: UnsafeRawBufferPointer) throws {
        elements = 1
        payload = s.count
        maxLength = s.count
        allIntegers = s.count <= 20 && NumberParsing.int64(s) != nil
    }

    mutating func element(_ e: UnsafeRawBufferPointer) throws {
        elements += 1
        add(e)
        tableBytes += 32
    }

    mutating func field(_ f: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) throws {
        elements += 1
        add(f)
        add(v)
        tableBytes += 32
    }

    mutating func member(_ m: UnsafeRawBufferPointer, score: Double) throws {
        elements += 1
        add(m)
        listpackBytes += 10
        // dict entry, skiplist node (average level 1.33) and the member's sds
        tableBytes += 32 + 64
    }

    mutating func stream(_ s: StreamValue) throws {
        elements = s.count
        s.forEach { _, e in
            e.forEachPair { f, v in payload += f.count + v.count }
            return true
        }
        var pel = 0
        for (_, g) in s.sortedGroups { pel += g.pending.count }
        // entries packed in node listpacks (about 16 bytes of framing each), rax nodes, and per-NACK structures
        streamBytes = payload + 16 * s.count + 100 * s.nodes.count + 120 * pel + 200
    }

    /// The encoding Redis 7.2 would give the value (default thresholds).
    var encoding: String {
        switch type {
        case "string": return allIntegers ? "int" : payload <= 44 ? "embstr" : "raw"
        case "list": return listpackBytes <= 8192 && elements <= 128 * 1024 ? "listpack" : "quicklist"
        case "set":
            if allIntegers && elements <= 512 { return "intset" }
            return elements <= 128 && maxLength <= 64 ? "listpack" : "hashtable"
        case "hash": return elements <= 512 && maxLength <= 64 ? "listpack" : "hashtable"
        case "zset": return elements <= 128 && maxLength <= 64 ? "listpack" : "skiplist"
        default: return type
        }
    }

    /// Estimated bytes for the key: its dict entry, key string and object, the value, and an expires entry.
    func estimate(keyLength: Int, expires: Bool) -> Int {
        var total = 32 + Self.sds(keyLength) + 8 + (expires ? 32 + 8 : 0)
        let robj = 16
        switch encoding {
        case "int": total += payload <= 4 && allIntegers ? 0 : robj
        case "embstr": total += Self.jemalloc(16 + 3 + payload + 1)
        case "raw": total += robj + Self.sds(payload)
        case "listpack": total += robj + Self.jemalloc(listpackBytes)
        case "quicklist":
            let nodes = max(1, (listpackBytes + 8191) / 8192)
            total += robj + 48 + nodes * (32 + Self.jemalloc(min(listpackBytes, 8192)))
        case "intset":
            let width = payload / max(elements, 1) > 9 ? 8 : payload / max(elements, 1) > 4 ? 4 : 2
            total += robj + Self.jemalloc(8 + elements * width)
        case "hashtable": total += robj + 64 + Self.table(elements) + tableBytes
        case "skiplist": total += robj + 16 + 64 + Self.table(elements) + Self.jemalloc(32 + 32 * 16) + tableBytes
        case "stream": total += robj + streamBytes
        default: break
        }
        return total
    }

    static func table(_ n: Int) -> Int {
        var size = 4
        while size < n { size <<= 1 }
        return size * 8
    }

    static func listpackEntry(_ s: UnsafeRawBufferPointer, isInt: Bool) -> Int {
        if isInt, let v = NumberParsing.int64(s) {
            switch v {
            case 0...127: return 2
            case -4096...4095: return 3
            case -32768...32767: return 4
            case -8_388_608...8_388_607: return 5
            case Int64(Int32.min)...Int64(Int32.max): return 6
            default: return 10
            }
        }
        let header = s.count < 64 ? 1 : s.count < 4096 ? 2 : 5
        let body = header + s.count
        return body + (body < 128 ? 1 : body < 16384 ? 2 : 3)
    }

    static func sds(_ n: Int) -> Int {
        jemalloc((n < 256 ? 3 : n < 65536 ? 5 : 9) + n + 1)
    }

    /// jemalloc's size class for an allocation of `n` bytes.
    static func jemalloc(_ n: Int) -> Int {
        if n <= 8 { return 8 }
        if n <= 128 { return (n + 15) & ~15 }
        var p = 128
        while p * 2 < n { p *= 2 }
        let step = p / 4
        return (n + step - 1) / step * step
    }
}

/// A consumer that needs each value's `ValueStats`: the element callbacks feed them.
protocol StatsConsumer: KeyConsumer {
    var stats: ValueStats { get set }
}

extension StatsConsumer {
    mutating func begin(_ k: KeyInfo) throws -> Bool { try stats.begin(k) }
    mutating func string(_ s: UnsafeRawBufferPointer) throws { try stats.string(s) }
    mutating func element(_ e: UnsafeRawBufferPointer) throws { try stats.element(e) }
    mutating func field(_ f: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) throws { try stats.field(f, v) }
    mutating func member(_ m: UnsafeRawBufferPointer, score: Double) throws { try stats.member(m, score: score) }
    mutating func stream(_ s: StreamValue) throws { try stats.stream(s) }
}
