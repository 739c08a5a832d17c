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
    var first = true
    /// What closes the current value: `}` for a hash, `]` for a list, set or sorted set, 0 for none.
    var closer: UInt8 = 0
    var records = 0
    let compressor = LZF.Compressor()
    let tables = BinaryJSON.Tables.shared

    /// Records go straight into `out`'s buffer, which is flushed in large writes at element boundaries, so a
    /// record costs no write of its own and a long value never has to fit in memory.
    init(out: OutputFile, array: Bool) {
        self.out = out
        self.array = array
        if array { out.append(UInt8(ascii: "[")) }
    }

    @inline(__always) func put(_ s: StaticString) { out.append(s) }

    func put(_ n: Int64) { IntegerFormat.withDigits(n) { out.append($0) } }

    /// A delivery count, which only a forged file takes past Int64's range.
    func put(_ n: UInt64) {
        if let small = Int64(exactly: n) { put(small) } else { out.append(String(n)) }
    }

    /// A stream ID as a JSON string, "ms-seq", written from the stack.
    func put(_ id: StreamID) {
        out.append(UInt8(ascii: "\""))
        id.withTextBytes { out.append($0) }
        out.append(UInt8(ascii: "\""))
    }

    /// A JSON string; a long one is escaped a piece at a time with a flush after each, so its escaped form
    /// never has to fit in memory.
    @inline(__always) func string(_ s: UnsafeRawBufferPointer) throws {
        let n = s.count
        if n <= 1 << 16 {
            out.commit(BinaryJSON.write(s, to: out.reserve(BinaryJSON.maxLength(n)), tables: tables))
            return
        }
        out.append(UInt8(ascii: "\""))
        var i = 0
        while i < n {
            let stop = min(n, i + (1 << 16))
            let (next, used) = BinaryJSON.escape(s, i, stop, out.reserve(BinaryJSON.maxLength(stop - i)), tables: tables)
            out.commit(used)
            i = next
            try out.flushIfLarge()
        }
        out.append(UInt8(ascii: "\""))
    }

    func string(_ s: [UInt8]) throws { try s.withUnsafeBytes { try string($0) } }

    mutating func begin(_ k: KeyInfo) throws -> Bool {
        if array { put(records == 0 ? "\n" : ",\n") }
        put("{\"db\":")
        put(Int64(k.db))
        put(",\"key\":")
        try string(k.key)
        put(",\"type\":\"")
        var type = k.type
        type.withUTF8 { out.append(UnsafeRawBufferPointer($0)) }
        put("\",\"expire_at_ms\":")
        if k.expireAt >= 0 { put(k.expireAt) } else { put("null") }
        put(",\"value\":")
        // By the name's length and first letter: "hash" is an object; "list", "zset" and "set" arrays.
        switch (type.utf8.count, type.utf8.first) {
        case (4, UInt8(ascii: "h")): closer = UInt8(ascii: "}")
        case (4, UInt8(ascii: "l")), (4, UInt8(ascii: "z")), (3, UInt8(ascii: "s")): closer = UInt8(ascii: "]")
        default: closer = 0
        }
        if closer != 0 { out.append(closer == UInt8(ascii: "}") ? UInt8(ascii: "{") : UInt8(ascii: "[")) }
        first = true
        return true
    }

    @inline(__always) mutating func comma() {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
    }

    mutating func element(_ e: UnsafeRawBufferPointer) throws {
        comma()
        try string(e)
        try out.flushIfLarge()
    }

    mutating func field(_ f: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) throws {
        comma()
        try string(f)
        out.append(UInt8(ascii: ":"))
        try string(v)
        try out.flushIfLarge()
    }

    mutating func member(_ m: UnsafeRawBufferPointer, score: Double) throws {
        comma()
        out.append(UInt8(ascii: "["))
        try string(m)
        out.append(UInt8(ascii: ","))
        BinaryJSON.appendDouble(score, to: out)
        out.append(UInt8(ascii: "]"))
        try out.flushIfLarge()
    }

    mutating func stream(_ s: StreamValue) throws {
        try stream(s, payload: DumpPayload.create(.stream(s), options: RDBWriteOptions(), compressor: compressor))
    }

    mutating func stream(_ s: StreamValue, payload: [UInt8]) throws {
        out.append(UInt8(ascii: "["))
        var failure: Error? = nil
        var firstEntry = true
        s.forEach { id, e in
            if !firstEntry { out.append(UInt8(ascii: ",")) }
            firstEntry = false
            out.append(UInt8(ascii: "["))
            put(id)
            put(",[")
            var firstField = true
            do {
                try e.forEachPair { f, v in
                    if !firstField { out.append(UInt8(ascii: ",")) }
                    firstField = false
                    try string(f)
                    out.append(UInt8(ascii: ","))
                    try string(v)
                }
                put("]]")
                try out.flushIfLarge()
            } catch {
                failure = error
                return false
            }
            return true
        }
        if let failure { throw failure }
        // Metadata is written from the stack, as entries are: a String built per stream cost the writer thread
        // more than the stream's entries.
        put("],\"stream\":{\"last_id\":")
        put(s.lastID)
        put(",\"first_id\":")
        put(s.firstID)
        put(",\"max_deleted_id\":")
        put(s.maxDeletedID)
        put(",\"entries_added\":")
        put(s.entriesAdded)
        put(",\"groups\":[")
        for (j, (name, g)) in s.sortedGroups.enumerated() {
            if j > 0 { out.append(UInt8(ascii: ",")) }
            put("{\"name\":")
            try string(name)
            put(",\"last_delivered_id\":")
            put(g.lastID)
            put(",\"entries_read\":")
            if g.entriesRead == StreamGroup.invalidEntriesRead { put("null") } else { put(g.entriesRead) }
            put(",\"pending\":[")
            var firstNack = true
            var nackFailure: Error? = nil
            g.pending.forEach { id, nack in
                if !firstNack { out.append(UInt8(ascii: ",")) }
                firstNack = false
                out.append(UInt8(ascii: "["))
                put(id)
                out.append(UInt8(ascii: ","))
                do { try string(nack.consumer) } catch { nackFailure = error; return false }
                out.append(UInt8(ascii: ","))
                put(nack.deliveryTime)
                out.append(UInt8(ascii: ","))
                put(nack.deliveryCount)
                out.append(UInt8(ascii: "]"))
                return true
            }
            if let nackFailure { throw nackFailure }
            put("],\"consumers\":[")
            for (i, c) in g.sortedConsumers.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                put("{\"name\":")
                try string(c.name)
                put(",\"seen_time\":")
                put(c.seenTime)
                put(",\"active_time\":")
                put(c.activeTime)
                out.append(UInt8(ascii: "}"))
            }
            put("]}")
        }
        put("],\"dump\":\"")
        let d = out.reserve(2 * payload.count)
        for (j, b) in payload.enumerated() {
            d.storeBytes(of: BinaryJSON.hexDigit(b >> 4), toByteOffset: 2 * j, as: UInt8.self)
            d.storeBytes(of: BinaryJSON.hexDigit(b & 15), toByteOffset: 2 * j + 1, as: UInt8.self)
        }
        out.commit(2 * payload.count)
        put("\"}")
    }

    mutating func end(_ k: KeyInfo, size: Int) throws {
        if closer != 0 { out.append(closer) }
        out.append(UInt8(ascii: "}"))
        if !array { out.append(10) }
        records += 1
        try out.flushIfLarge()
    }

    mutating func finish() {
        if array { put(records == 0 ? "]\n" : "\n]\n") }
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
