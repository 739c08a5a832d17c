/// A hash. Small hashes keep Redis's listpack layout, an array of pairs in insertion order (an update keeps its
/// place), because HGETALL, HKEYS and HSCAN answer in that order. Large ones use a `ChunkedHashMap`, whose
/// chunks are the copy-on-write units. Like Redis, a hash never converts back to the compact form.
public struct HashValue {
    public struct Pair {
        public var field: Bytes
        public var value: Bytes
    }

    /// The listpack-encoded contents; unused once `table` exists.
    var pairs: [Pair] = []
    var table: ChunkedHashMap<Bytes>?

    public init() {}

    public var isCompact: Bool { table == nil }
    public var count: Int { table?.count ?? pairs.count }
    public var isEmpty: Bool { count == 0 }

    func compactIndex(_ field: UnsafeRawBufferPointer) -> Int? {
        pairs.firstIndex { $0.field.withUnsafeBytes { bytesEqual($0, field) } }
    }

    public func get(_ field: UnsafeRawBufferPointer) -> Bytes? {
        if let table { return table[field] }
        return compactIndex(field).map { pairs[$0].value }
    }

    /// Sets a field; true when it was new. A field or value longer than hash-max-listpack-value, or more fields
    /// than hash-max-listpack-entries, converts the hash to a table.
    @discardableResult
    public mutating func set(_ field: UnsafeRawBufferPointer, _ value: Bytes, maxEntries: Int, maxValue: Int) -> Bool {
        if table == nil && (field.count > maxValue || value.count > maxValue) { convert() }
        if table != nil { return table!.updateValue(value, forKey: field) == nil }
        if let i = compactIndex(field) {
            pairs[i].value = value
            return false
        }
        pairs.append(Pair(field: Bytes(field), value: value))
        if pairs.count > maxEntries { convert() }
        return true
    }

    @discardableResult
    public mutating func remove(_ field: UnsafeRawBufferPointer) -> Bool {
        if table != nil { return table!.removeValue(forKey: field) != nil }
        guard let i = compactIndex(field) else { return false }
        pairs.remove(at: i)
        return true
    }

    /// Switches to the table encoding (also before a write that Redis sizes up front).
    public mutating func convert() {
        guard table == nil else { return }
        var t = ChunkedHashMap<Bytes>()
        for p in pairs { t.updateValue(p.value, forKey: p.field) }
        pairs = []
        table = t
    }

    /// Every pair: listpack order when compact, table order otherwise.
    public func forEach(_ body: (Bytes, Bytes) throws -> Void) rethrows {
        if let table { try table.forEach(body) } else { for p in pairs { try body(p.field, p.value) } }
    }

    /// A uniformly chosen pair; the hash must not be empty.
    public func randomPair() -> (Bytes, Bytes) {
        if let table { return table.randomElement() }
        let p = pairs[Int.random(in: 0..<pairs.count)]
        return (p.field, p.value)
    }
}
