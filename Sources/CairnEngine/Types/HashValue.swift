/// A hash. Small hashes keep Redis's listpack order, pairs in insertion order (an update keeps its place),
/// because HGETALL, HKEYS and HSCAN answer in that order; their fields and values alternate in one
/// `PackedEntries`. Large ones use a `ChunkedHashMap`, whose chunks are the copy-on-write units. Like Redis, a
/// hash never converts back to the compact form.
public struct HashValue {
    /// The listpack-encoded contents, field then value; unused once `table` exists.
    var packed = PackedEntries()
    var table: ChunkedHashMap<Bytes>?

    public init() {}

    public var isCompact: Bool { table == nil }
    public var count: Int { table?.count ?? packed.count / 2 }
    public var isEmpty: Bool { count == 0 }

    /// Visits the compact pairs in order, each with the spans of its field entry and value entry, until `body`
    /// returns false.
    private func walkPairs(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Range<Int>, Range<Int>) throws -> Bool) rethrows {
        var field: (bytes: UnsafeRawBufferPointer, span: Range<Int>)?
        try packed.walk { e, span in
            guard let f = field else {
                field = (e, span)
                return true
            }
            field = nil
            return try body(f.bytes, e, f.span, span)
        }
    }

    /// The spans of a compact hash's field entry and value entry.
    private func compactSpans(_ field: UnsafeRawBufferPointer) -> (field: Range<Int>, value: Range<Int>)? {
        var found: (Range<Int>, Range<Int>)?
        walkPairs { f, _, fieldSpan, valueSpan in
            if bytesEqual(f, field) { found = (fieldSpan, valueSpan) }
            return found == nil
        }
        return found
    }

    public func get(_ field: UnsafeRawBufferPointer) -> Bytes? {
        if let table { return table[field] }
        var value: Bytes?
        walkPairs { f, v, _, _ in
            if bytesEqual(f, field) { value = Bytes(v) }
            return value == nil
        }
        return value
    }

    /// Sets a field; true when it was new. A field or value longer than hash-max-listpack-value, or more fields
    /// than hash-max-listpack-entries, converts the hash to a table.
    @discardableResult
    public mutating func set(_ field: UnsafeRawBufferPointer, _ value: Bytes, maxEntries: Int, maxValue: Int) -> Bool {
        if table == nil && (field.count > maxValue || value.count > maxValue) { convert() }
        if table != nil { return table!.updateValue(value, forKey: field) == nil }
        if let spans = compactSpans(field) {
            value.withUnsafeBytes { packed.replace(spans.value, with: $0) }
            return false
        }
        packed.append(field)
        value.withUnsafeBytes { packed.append($0) }
        if count > maxEntries { convert() }
        return true
    }

    @discardableResult
    public mutating func remove(_ field: UnsafeRawBufferPointer) -> Bool {
        if table != nil { return table!.removeValue(forKey: field) != nil }
        guard let spans = compactSpans(field) else { return false }
        packed.remove(spans.field.lowerBound..<spans.value.upperBound, entries: 2)
        return true
    }

    /// Switches to the table encoding (also before a write that Redis sizes up front).
    public mutating func convert() {
        guard table == nil else { return }
        var t = ChunkedHashMap<Bytes>()
        walkPairs { f, v, _, _ in
            t.updateValue(Bytes(v), forKey: f)
            return true
        }
        packed = PackedEntries()
        table = t
    }

    /// Every pair: listpack order when compact, table order otherwise.
    public func forEach(_ body: (Bytes, Bytes) throws -> Void) rethrows {
        if let table { return try table.forEach(body) }
        try walkPairs { f, v, _, _ in
            try body(Bytes(f), Bytes(v))
            return true
        }
    }

    /// Every pair as borrowed bytes, valid only during `body`: a compact hash's pairs need no copies then.
    public func forEachBorrowed(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows {
        if let table {
            return try table.forEach { f, v in
                try f.withUnsafeBytes { fb in try v.withUnsafeBytes { vb in try body(fb, vb) } }
            }
        }
        try walkPairs { f, v, _, _ in
            try body(f, v)
            return true
        }
    }

    /// A uniformly chosen pair; the hash must not be empty.
    public func randomPair() -> (Bytes, Bytes) {
        if let table { return table.randomElement() }
        let i = Int.random(in: 0..<count) * 2
        return (packed.entry(at: i), packed.entry(at: i + 1))
    }
}
