import RESP
import CairnEngine
import CairnPersistence

/// `memory FILE [--by-prefix SEP] [-o CSV]`: each key's estimated memory in a server (`ValueStats.estimate`),
/// as CSV rows `db,key,type,encoding,elements,estimated_bytes` when `-o` is given, and a summary by type and by
/// key prefix (the key up to the first SEP) on standard output.
struct MemoryCommand: StatsConsumer {
    /// More distinct prefixes than this are summed under "(other prefixes)", so memory stays bounded.
    static let maxPrefixes = 100_000

    let separator: [UInt8]?
    let rows: OutputFile?
    var stats = ValueStats()
    var byType: [String: (keys: Int, bytes: Int)] = [:]
    var byPrefix: [[UInt8]: (keys: Int, bytes: Int)] = [:]
    var total = 0
    var keys = 0
    var row: [UInt8] = []

    public init(separator: String?, rows: OutputFile?) {
        self.separator = separator.map { Array($0.utf8) }
        self.rows = rows
        rows?.append("db,key,type,encoding,elements,estimated_bytes\n")
    }


    public mutating func end(_ k: KeyInfo, size: Int) throws {
        let bytes = stats.estimate(keyLength: k.key.count, expires: k.expireAt >= 0)
        keys += 1
        total += bytes
        byType[k.type, default: (0, 0)].keys += 1
        byType[k.type, default: (0, 0)].bytes += bytes
        if let separator {
            var prefix = Self.prefix(k.key, separator) ?? Array("(no prefix)".utf8)
            if byPrefix[prefix] == nil && byPrefix.count >= Self.maxPrefixes { prefix = Array("(other prefixes)".utf8) }
            byPrefix[prefix, default: (0, 0)].keys += 1
            byPrefix[prefix, default: (0, 0)].bytes += bytes
        }
        if let rows {
            row.removeAll(keepingCapacity: true)
            row += Array("\(k.db),".utf8)
            CSVWriter.appendField(k.key, to: &row)
            row += Array(",\(k.type),\(stats.encoding),\(stats.elements),\(bytes)\n".utf8)
            rows.append(row)
            try rows.flushIfLarge()
        }
    }

    static func prefix(_ key: [UInt8], _ sep: [UInt8]) -> [UInt8]? {
        guard !sep.isEmpty, key.count >= sep.count else { return nil }
        for i in 0...(key.count - sep.count) where key[i..<(i + sep.count)].elementsEqual(sep) { return Array(key[..<i]) }
        return nil
    }

    public func summary() -> String {
        var t = "keys: \(keys)\nestimated bytes: \(total)\n\nby type:\n"
        for (type, v) in byType.sorted(by: { $0.value.bytes > $1.value.bytes }) {
            t += "  \(type)\t\(v.keys) keys\t\(v.bytes) bytes\n"
        }
        if separator != nil {
            t += "\nby prefix:\n"
            for (p, v) in byPrefix.sorted(by: { $0.value.bytes > $1.value.bytes }) {
                t += "  \(String(decoding: p, as: UTF8.self))\t\(v.keys) keys\t\(v.bytes) bytes\n"
            }
        }
        return t
    }
}
