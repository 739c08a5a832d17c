import RESP
import CairnEngine
import CairnPersistence

/// `export --format jsonl|json` and `convert --to jsonl`: one JSON object per key,
/// `{"db":0,"key":"k","type":"hash","expire_at_ms":null,"value":{...}}`, written as the elements arrive.
/// Values: a string; a list or set as an array of strings; a hash as an object; a sorted set as an array of
/// `[member, score]` (scores are JSON numbers, or "inf"/"-inf"); a stream as an array of `[id, [field, value,
/// ...]]` plus a `stream` object with its metadata, groups, PEL and consumers, and `dump`, the hex DUMP payload
/// that restores it exactly. Strings are binary-safe (`BinaryJSON`).
struct JSONRecordWriter: KeyConsumer {
    let out: OutputFile
    /// One JSON array of records instead of one record per line.
    let array: Bool
    /// Records are built here and handed to `out` in large pieces, so a record costs no write of its own and a
    /// long value never has to fit in memory.
    var line: [UInt8] = []
    var first = true
    var records = 0
    let compressor = LZF.Compressor()

    init(out: OutputFile, array: Bool) {
        self.out = out
        self.array = array
        line.reserveCapacity(1 << 17)
        if array { out.append(UInt8(ascii: "[")) }
    }

    mutating func put(_ s: StaticString) {
        line.append(contentsOf: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func put(_ n: Int64) {
        IntegerFormat.withDigits(n) { line.append(contentsOf: $0) }
    }

    /// A stream ID as a JSON string, "ms-seq".
    mutating func put(_ id: StreamID) {
        line.append(UInt8(ascii: "\""))
        line.append(contentsOf: id.bytes)
        line.append(UInt8(ascii: "\""))
    }

    mutating func begin(_ k: KeyInfo) throws -> Bool {
        if array { put(records == 0 ? "\n" : ",\n") }
        put("{\"db\":")
        put(Int64(k.db))
        put(",\"key\":")
        BinaryJSON.appendString(k.key, to: &line)
        put(",\"type\":\"")
        line.append(contentsOf: k.type.utf8)
        put("\",\"expire_at_ms\":")
        if k.expireAt >= 0 { put(k.expireAt) } else { put("null") }
        put(",\"value\":")
        switch k.type {
        case "hash": line.append(UInt8(ascii: "{"))
        case "list", "set", "zset": line.append(UInt8(ascii: "["))
        default: break
        }
        first = true
        return true
    }

    mutating func spill() throws {
        if line.count >= 1 << 16 {
            out.append(line)
            line.removeAll(keepingCapacity: true)
            try out.flush()
        }
    }

    mutating func comma() {
        if !first { line.append(UInt8(ascii: ",")) }
        first = false
    }

    mutating func string(_ s: UnsafeRawBufferPointer) throws { BinaryJSON.appendString(s, to: &line) }

    mutating func element(_ e: UnsafeRawBufferPointer) throws {
        comma()
        BinaryJSON.appendString(e, to: &line)
        try spill()
    }

    mutating func field(_ f: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) throws {
        comma()
        BinaryJSON.appendString(f, to: &line)
        line.append(UInt8(ascii: ":"))
        BinaryJSON.appendString(v, to: &line)
        try spill()
    }

    mutating func member(_ m: UnsafeRawBufferPointer, score: Double) throws {
        comma()
        line.append(UInt8(ascii: "["))
        BinaryJSON.appendString(m, to: &line)
        line.append(UInt8(ascii: ","))
        BinaryJSON.appendDouble(score, to: &line)
        line.append(UInt8(ascii: "]"))
        try spill()
    }

    mutating func stream(_ s: StreamValue) throws {
        line.append(UInt8(ascii: "["))
        var failure: Error? = nil
        var firstEntry = true
        s.forEach { id, e in
            if !firstEntry { line.append(UInt8(ascii: ",")) }
            firstEntry = false
            line.append(UInt8(ascii: "["))
            put(id)
            put(",[")
            var firstField = true
            e.forEachPair { f, v in
                if !firstField { line.append(UInt8(ascii: ",")) }
                firstField = false
                BinaryJSON.appendString(f, to: &line)
                line.append(UInt8(ascii: ","))
                BinaryJSON.appendString(v, to: &line)
            }
            put("]]")
            do { try spill() } catch { failure = error; return false }
            return true
        }
        if let failure { throw failure }
        line += Array("],\"stream\":{\"last_id\":\"\(idText(s.lastID))\",\"first_id\":\"\(idText(s.firstID))\",\"max_deleted_id\":\"\(idText(s.maxDeletedID))\",\"entries_added\":\(s.entriesAdded),\"groups\":[".utf8)
        for (j, (name, g)) in s.sortedGroups.enumerated() {
            if j > 0 { line.append(UInt8(ascii: ",")) }
            line += Array("{\"name\":".utf8)
            BinaryJSON.appendString(name, to: &line)
            let read = g.entriesRead == StreamGroup.invalidEntriesRead ? "null" : String(g.entriesRead)
            line += Array(",\"last_delivered_id\":\"\(idText(g.lastID))\",\"entries_read\":\(read),\"pending\":[".utf8)
            var firstNack = true
            g.pending.forEach { id, nack in
                if !firstNack { line.append(UInt8(ascii: ",")) }
                firstNack = false
                line += Array("[\"\(idText(id))\",".utf8)
                BinaryJSON.appendString(nack.consumer, to: &line)
                line += Array(",\(nack.deliveryTime),\(nack.deliveryCount)]".utf8)
                return true
            }
            line += Array("],\"consumers\":[".utf8)
            for (i, c) in g.sortedConsumers.enumerated() {
                if i > 0 { line.append(UInt8(ascii: ",")) }
                line += Array("{\"name\":".utf8)
                BinaryJSON.appendString(c.name, to: &line)
                line += Array(",\"seen_time\":\(c.seenTime),\"active_time\":\(c.activeTime)}".utf8)
            }
            line += Array("]}".utf8)
        }
        line += Array("],\"dump\":\"".utf8)
        for b in try DumpPayload.create(.stream(s), options: RDBWriteOptions(), compressor: compressor) {
            line.append(BinaryJSON.hexDigit(b >> 4))
            line.append(BinaryJSON.hexDigit(b & 15))
        }
        line += Array("\"}".utf8)
    }

    mutating func end(_ k: KeyInfo, size: Int) throws {
        switch k.type {
        case "hash": line.append(UInt8(ascii: "}"))
        case "list", "set", "zset": line.append(UInt8(ascii: "]"))
        default: break
        }
        line.append(UInt8(ascii: "}"))
        if !array { line.append(10) }
        records += 1
        try spill()
    }

    mutating func finish() {
        out.append(line)
        line.removeAll(keepingCapacity: true)
        if array { out.append(Array((records == 0 ? "]\n" : "\n]\n").utf8)) }
    }
}

func idText(_ id: StreamID) -> String { String(decoding: id.bytes, as: UTF8.self) }

/// Reads the records `JSONRecordWriter` writes back into keys.
struct JSONLRecord {
    let builder: ValueBuilder
    let settings: EngineSettings

    init(settings: EngineSettings) {
        self.settings = settings
        builder = ValueBuilder(settings: settings)
    }

    func entry(_ line: [UInt8]) throws -> KeyEntry {
        let r = try JSONParser.parse(line)
        guard let db = r["db"]?.int, db >= 0, db < 16 else { throw ToolError(.badInput, "missing or invalid \"db\"") }
        guard let key = r["key"]?.bytes else { throw ToolError(.badInput, "missing \"key\"") }
        guard case .string(let typeBytes)? = r["type"], let v = r["value"] else { throw ToolError(.badInput, "missing \"type\" or \"value\"") }
        var expireAt: Int64 = -1
        if let e = r["expire_at_ms"], !e.isNull {
            guard let t = e.int else { throw ToolError(.badInput, "invalid \"expire_at_ms\"") }
            expireAt = t
        }
        let type = String(decoding: typeBytes, as: UTF8.self)
        func strings(_ v: JSONValue) throws -> [[UInt8]] {
            guard let a = v.array else { throw ToolError(.badInput, "\(type) value is not an array") }
            return try a.map { x throws -> [UInt8] in
                guard let b = x.bytes else { throw ToolError(.badInput, "\(type) element is not a string") }
                return b
            }
        }
        func built(_ b: Built) throws -> Value {
            switch b {
            case .value(let v?): return v
            case .value(nil): throw ToolError(.badInput, "empty \(type)")
            case .corrupt(let reason): throw ToolError(.badInput, reason)
            }
        }
        let value: Value
        switch type {
        case "string":
            guard let s = v.bytes else { throw ToolError(.badInput, "string value is not a string") }
            value = Value.string(s)
        case "list":
            guard let l = builder.list(try strings(v)) else { throw ToolError(.badInput, "empty list") }
            value = l
        case "set":
            let m = try strings(v)
            value = try built(builder.set(m, sizeHint: m.count))
        case "zset":
            guard let a = v.array else { throw ToolError(.badInput, "zset value is not an array") }
            value = try built(builder.zset(try a.map { x throws -> ScoredMember in
                guard let pair = x.array, pair.count == 2, let m = pair[0].bytes, let s = pair[1].double, !s.isNaN else {
                    throw ToolError(.badInput, "zset element is not [member, score]")
                }
                return ScoredMember(m, s)
            }))
        case "hash":
            guard case .object(let members) = v else { throw ToolError(.badInput, "hash value is not an object") }
            var pairs: [[UInt8]] = []
            for (f, x) in members {
                guard let b = x.bytes else { throw ToolError(.badInput, "hash value is not a string") }
                pairs.append(f)
                pairs.append(b)
            }
            value = try built(builder.hash(pairs))
        case "stream":
            guard let hex = r["stream"]?["dump"]?.bytes, hex.count % 2 == 0 else {
                throw ToolError(.badInput, "stream without its \"dump\" payload")
            }
            var payload: [UInt8] = []
            payload.reserveCapacity(hex.count / 2)
            for j in stride(from: 0, to: hex.count, by: 2) {
                guard let hi = hexDigit(hex[j]), let lo = hexDigit(hex[j + 1]) else { throw ToolError(.badInput, "stream dump is not hex") }
                payload.append(hi << 4 | lo)
            }
            guard let s = payload.withUnsafeBytes({ p -> Value? in
                DumpPayload.verify(p) ? DumpPayload.decode(p, settings: settings) : nil
            }) else { throw ToolError(.badInput, "stream dump payload is invalid") }
            value = s
        default:
            throw ToolError(.badInput, "unknown type '\(type)'")
        }
        return KeyEntry(db: Int(db), key: key, value: value, expireAt: expireAt)
    }

    func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
