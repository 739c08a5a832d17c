import RESP
import CairnEngine
import CairnPersistence

/// A key's content reduced to a 64-bit digest, element by element: in order for strings, lists and streams,
/// order-free (a sum of element digests) for sets, hashes and sorted sets, whose order depends on encoding.
struct KeyDigest: KeyConsumer {
    var ordered: UInt64 = 0
    var unordered: UInt64 = 0

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    var value: UInt64 { Self.mix(ordered ^ Self.mix(unordered)) }

    mutating func begin(_ k: KeyInfo) throws -> Bool {
        ordered = 0
        unordered = 0
        return true
    }

    mutating func end(_ k: KeyInfo, size: Int) throws {}

    mutating func ordered(_ p: UnsafeRawBufferPointer) {
        ordered = Self.mix(ordered ^ KeyHash.hash(p) ^ UInt64(p.count))
    }

    mutating func string(_ s: UnsafeRawBufferPointer) throws { ordered(s) }
    mutating func element(_ e: UnsafeRawBufferPointer) throws {
        // lists keep order, sets do not: both digests are kept and the type decides which matters
        ordered(e)
        unordered &+= Self.mix(KeyHash.hash(e))
    }
    mutating func field(_ f: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) throws {
        unordered &+= Self.mix(KeyHash.hash(f) &+ Self.mix(KeyHash.hash(v)))
    }
    mutating func member(_ m: UnsafeRawBufferPointer, score: Double) throws {
        unordered &+= Self.mix(KeyHash.hash(m) ^ Self.mix(score.bitPattern))
    }
    mutating func stream(_ s: StreamValue) throws {
        s.forEach { id, e in
            id.bytes.withUnsafeBytes { ordered($0) }
            e.forEachPair { f, v in
                ordered(f)
                ordered(v)
            }
            return true
        }
        for meta in [s.lastID, s.firstID, s.maxDeletedID] { meta.bytes.withUnsafeBytes { ordered($0) } }
        ordered = Self.mix(ordered ^ UInt64(bitPattern: s.entriesAdded))
        for (name, g) in s.sortedGroups {
            name.withUnsafeBytes { ordered($0) }
            g.lastID.bytes.withUnsafeBytes { ordered($0) }
            ordered = Self.mix(ordered ^ UInt64(bitPattern: g.entriesRead))
            g.pending.forEach { id, nack in
                id.bytes.withUnsafeBytes { ordered($0) }
                nack.consumer.withUnsafeBytes { ordered($0) }
                ordered = Self.mix(ordered ^ UInt64(bitPattern: nack.deliveryTime) ^ Self.mix(nack.deliveryCount))
                return true
            }
            for c in g.sortedConsumers { c.name.withUnsafeBytes { ordered($0) } }
        }
    }

    func digest(type: String) -> UInt64 {
        type == "set" ? Self.mix(unordered) : value
    }
}

/// `diff A B`: keys only in A (`-`), only in B (`+`), and changed (`~`, with what changed: type, value, ttl).
/// A is read first into a table of key → (type, digest, deadline) — a few dozen bytes per key, no values —
/// then B streams past it.
public struct DiffCommand {
    struct Seen {
        var type: String
        var digest: UInt64
        var expireAt: Int64
    }

    struct Collector: KeyConsumer {
        var digest = KeyDigest()
        var onKey: (KeyInfo, UInt64) throws -> Void
        mutating func begin(_ k: KeyInfo) throws -> Bool { try digest.begin(k) }
        mutating func string(_ s: UnsafeRawBufferPointer) throws { try digest.string(s) }
        mutating func element(_ e: UnsafeRawBufferPointer) throws { try digest.element(e) }
        mutating func field(_ f: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) throws { try digest.field(f, v) }
        mutating func member(_ m: UnsafeRawBufferPointer, score: Double) throws { try digest.member(m, score: score) }
        mutating func stream(_ s: StreamValue) throws { try digest.stream(s) }
        mutating func end(_ k: KeyInfo, size: Int) throws { try onKey(k, digest.digest(type: k.type)) }
    }

    public var onlyA = 0, onlyB = 0, changed = 0, same = 0

    public init() {}

    static func slot(_ k: KeyInfo) -> [UInt8] { IntegerFormat.bytes(Int64(k.db)) + [0] + k.key }

    public mutating func run(_ a: DumpSource, _ b: DumpSource, out: OutputFile) throws {
        var table: [[UInt8]: Seen] = [:]
        var ca = Collector { k, d in table[Self.slot(k)] = Seen(type: k.type, digest: d, expireAt: k.expireAt) }
        try a.scan(&ca)
        var changedCount = 0, onlyBCount = 0, sameCount = 0
        var line: [UInt8] = []
        func report(_ mark: String, _ db: Int, _ key: [UInt8], _ what: String) throws {
            line.removeAll(keepingCapacity: true)
            line += Array("\(mark) \(db) ".utf8)
            BinaryJSON.appendString(key, to: &line)
            if !what.isEmpty { line += Array(" \(what)".utf8) }
            line.append(10)
            out.append(line)
            try out.flushIfLarge()
        }
        var cb = Collector { k, d in
            guard let s = table.removeValue(forKey: Self.slot(k)) else {
                onlyBCount += 1
                try report("+", k.db, k.key, "")
                return
            }
            var what: [String] = []
            if s.type != k.type { what.append("type") } else if s.digest != d { what.append("value") }
            if s.expireAt != k.expireAt { what.append("ttl") }
            if what.isEmpty {
                sameCount += 1
            } else {
                changedCount += 1
                try report("~", k.db, k.key, what.joined(separator: ","))
            }
        }
        try b.scan(&cb)
        for (slot, _) in table.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let nul = slot.firstIndex(of: 0)!
            try report("-", Int(String(decoding: slot[..<nul], as: UTF8.self))!, Array(slot[(nul + 1)...]), "")
        }
        onlyA = table.count
        onlyB = onlyBCount
        changed = changedCount
        same = sameCount
    }
}
