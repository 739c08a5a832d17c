import RESP
import CairnEngine
import CairnPersistence

/// `info FILE [--json] [--top N]`: what the file holds, read in one streaming pass.
struct InfoCommand: StatsConsumer {
    struct Biggest {
        var db: Int
        var key: [UInt8]
        var type: String
        var size: Int
    }

    let now: Int64
    let top: Int
    var stats = ValueStats()
    /// db → "type encoding" → keys
    var perDB: [Int: [String: Int]] = [:]
    var keys = 0
    var withTTL = 0
    var expired = 0
    var serialized = 0
    var payload = 0
    var biggest: [Biggest] = []

    public init(now: Int64, top: Int) {
        self.now = now
        self.top = top
    }


    public mutating func end(_ k: KeyInfo, size: Int) throws {
        keys += 1
        let encoding = k.rdbType == nil ? stats.encoding : k.encoding
        perDB[k.db, default: [:]]["\(k.type) \(encoding)", default: 0] += 1
        if k.expireAt >= 0 {
            withTTL += 1
            if k.expireAt <= now { expired += 1 }
        }
        serialized += size
        payload += stats.payload + k.key.count
        let weight = size > 0 ? size : stats.payload + k.key.count
        if top > 0 && (biggest.count < top || weight > biggest[biggest.count - 1].size) {
            let b = Biggest(db: k.db, key: k.key, type: k.type, size: weight)
            let at = biggest.firstIndex { $0.size < weight } ?? biggest.count
            biggest.insert(b, at: at)
            if biggest.count > top { biggest.removeLast() }
        }
    }

    public func report(_ source: DumpSource, json: Bool) -> [UInt8] {
        var o: [UInt8] = []
        let ratio = source.fileSize > 0 ? Double(payload) / Double(source.fileSize) : 0
        let ratioText = DoubleFormat.cFormat("%.2f", ratio)
        let largest = biggest.first?.size ?? 0
        if json {
            o += Array("{\"file\":".utf8)
            BinaryJSON.appendString(Array(source.path.utf8), to: &o)
            o += Array(",\"format\":\"\(source.format.rawValue)\",\"file_bytes\":\(source.fileSize)".utf8)
            if source.format == .rdb {
                o += Array(",\"rdb_version\":\(source.rdbVersion),\"dialect\":\"\(source.magic)\",\"aux\":{".utf8)
                for (j, a) in source.aux.enumerated() {
                    if j > 0 { o.append(UInt8(ascii: ",")) }
                    BinaryJSON.appendString(a.key, to: &o)
                    o.append(UInt8(ascii: ":"))
                    BinaryJSON.appendString(a.value, to: &o)
                }
                o += Array("},\"functions\":\(source.functions.count)".utf8)
            }
            o += Array(",\"keys\":\(keys),\"keys_with_ttl\":\(withTTL),\"keys_expired\":\(expired),\"serialized_bytes\":\(serialized),\"largest_key_bytes\":\(largest),\"value_bytes\":\(payload),\"compression_ratio\":\(ratioText),\"databases\":{".utf8)
            for (j, db) in perDB.keys.sorted().enumerated() {
                if j > 0 { o.append(UInt8(ascii: ",")) }
                o += Array("\"\(db)\":{".utf8)
                for (i, (name, n)) in perDB[db]!.sorted(by: { $0.key < $1.key }).enumerated() {
                    o += Array("\(i > 0 ? "," : "")\"\(name)\":\(n)".utf8)
                }
                o.append(UInt8(ascii: "}"))
            }
            o += Array("},\"biggest\":[".utf8)
            for (j, b) in biggest.enumerated() {
                o += Array("\(j > 0 ? "," : ""){\"db\":\(b.db),\"key\":".utf8)
                BinaryJSON.appendString(b.key, to: &o)
                o += Array(",\"type\":\"\(b.type)\",\"bytes\":\(b.size)}".utf8)
            }
            o += Array("]}\n".utf8)
            return o
        }
        var t = "file: \(source.path)\nformat: \(source.format.rawValue)\nfile bytes: \(source.fileSize)\n"
        if source.format == .rdb {
            t += "rdb version: \(source.rdbVersion) (\(source.magic))\n"
            for a in source.aux { t += "aux \(String(decoding: a.key, as: UTF8.self)): \(String(decoding: a.value, as: UTF8.self))\n" }
            if !source.functions.isEmpty { t += "function libraries: \(source.functions.count)\n" }
        }
        t += "keys: \(keys)\nkeys with TTL: \(withTTL)\nkeys already expired: \(expired)\n"
        if source.format == .rdb { t += "serialized bytes of keys: \(serialized)\n" }
        t += "largest key bytes: \(largest)\nvalue bytes (decoded): \(payload)\ncompression ratio (decoded / file): \(ratioText)\n"
        for db in perDB.keys.sorted() {
            t += "db\(db):"
            for (name, n) in perDB[db]!.sorted(by: { $0.key < $1.key }) { t += " \(name)=\(n)" }
            t += "\n"
        }
        if !biggest.isEmpty {
            t += "biggest keys:\n"
            for b in biggest { t += "  db\(b.db) \(b.type) \(b.size) bytes \(String(decoding: b.key, as: UTF8.self))\n" }
        }
        return Array(t.utf8)
    }
}
