/// A hash. Small hashes keep Redis's listpack layout: fields and values alternately in insertion order (an
/// update keeps its place), packed into one buffer, because HGETALL, HKEYS and HSCAN answer in that order and
/// a small hash then weighs about what Redis's listpack does. Large ones use a `ChunkedHashMap`, whose chunks
/// are the copy-on-write units. Like Redis, a hash never converts back to the compact form.
public struct HashValue {
    /// The listpack-encoded contents, field then value; unused once `table` exists.
    var packed = PackedStrings()
    var table: ChunkedHashMap<Bytes>?

    public init() {}

    /// A compact hash of loaded pairs (field then value), checked by the loader.
    public init(loadedCompact packed: PackedStrings) { self.packed = packed }

    public var isCompact: Bool { table == nil }
    public var count: Int { table?.count ?? packed.count / 2 }
    public var isEmpty: Bool { count == 0 }

    /// The position of the field in `packed`; its value follows it.
    func compactPosition(_ field: UnsafeRawBufferPointer) -> Int? { packed.firstPosition(of: field, stride: 2) }

    public func get(_ field: UnsafeRawBufferPointer) -> Bytes? {
        if let table { return table[field] }
        return compactPosition(field).map { packed.bytes(at: packed.position(after: $0)) }
    }

    /// Sets a field; true when it was new. A field or value longer than hash-max-listpack-value, or more fields
    /// than hash-max-listpack-entries, converts the hash to a table.
    @discardableResult
    public mutating func set(_ field: UnsafeRawBufferPointer, _ value: Bytes, maxEntries: Int, maxValue: Int) -> Bool {
        if table == nil && (field.count > maxValue || value.count > maxValue) { convert() }
        if table != nil { return table!.updateValue(value, forKey: field) == nil }
        return value.withUnsafeBytes { setCompact(field, $0, maxEntries: maxEntries) }
    }

    /// As `set`, for a value read in place (a loaded listpack's elements).
    @discardableResult
    public mutating func set(_ field: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, maxEntries: Int, maxValue: Int) -> Bool {
        if table == nil && (field.count > maxValue || value.count > maxValue) { convert() }
        if table != nil { return table!.updateValue(Bytes(value), forKey: field) == nil }
        return setCompact(field, value, maxEntries: maxEntries)
    }

    /// Room for `bytes` of compact contents, for a hash about to be built from a blob of about that size.
    public mutating func reserveCompact(_ bytes: Int) { packed.reserveCapacity(bytes) }

    /// Loading: adds a pair, or returns false, changing nothing, when the field is here already (the blob is
    /// corrupt). `filter` spares the search for a field that cannot be. Converts where `set` does.
    public mutating func addLoaded(_ field: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                                   filter: inout PackedDuplicateFilter, maxEntries: Int, maxValue: Int) -> Bool {
        if table != nil || field.count > maxValue || value.count > maxValue {
            return set(field, value, maxEntries: maxEntries, maxValue: maxValue)
        }
        if filter.mayRepeat(field) && compactPosition(field) != nil { return false }
        packed.append(field)
        packed.append(value)
        if packed.count / 2 > maxEntries { convert() }
        return true
    }

    private mutating func setCompact(_ field: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, maxEntries: Int) -> Bool {
        if let p = compactPosition(field) {
            packed.replace(at: packed.position(after: p), with: value)
            return false
        }
        packed.append(field)
        packed.append(value)
        if packed.count / 2 > maxEntries { convert() }
        return true
    }

    @discardableResult
    public mutating func remove(_ field: UnsafeRawBufferPointer) -> Bool {
        if table != nil { return table!.removeValue(forKey: field) != nil }
        guard let p = compactPosition(field) else { return false }
        packed.remove(at: p, elements: 2)
        return true
    }

    /// Switches to the table encoding (also before a write that Redis sizes up front).
    public mutating func convert() {
        guard table == nil else { return }
        var t = ChunkedHashMap<Bytes>()
        forEachCompact { f, v in t.updateValue(Bytes(v), forKey: f) }
        packed = PackedStrings()
        table = t
    }

    /// The compact pairs in place, in listpack order.
    private func forEachCompact(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows {
        var field: UnsafeRawBufferPointer? = nil
        try packed.forEach { e in
            if let f = field {
                try body(f, e)
                field = nil
            } else {
                field = e
            }
        }
    }

    /// Every pair: listpack order when compact, table order otherwise.
    public func forEach(_ body: (Bytes, Bytes) throws -> Void) rethrows {
        if let table { try table.forEach(body) } else { try forEachCompact { try body(Bytes($0), Bytes($1)) } }
    }

    /// Every pair as borrowed bytes, valid only during `body`: a compact hash's pairs need no copies then.
    public func forEachBorrowed(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows {
        if let table {
            return try table.forEachRaw { f, v in try v.withUnsafeBytes { try body(f, $0) } }
        }
        try forEachCompact(body)
    }

    /// A uniformly chosen pair; the hash must not be empty.
    public func randomPair() -> (Bytes, Bytes) {
        if let table { return table.randomElement() }
        let p = packed.position(ofElement: 2 * Int.random(in: 0..<count))
        return (packed.bytes(at: p), packed.bytes(at: packed.position(after: p)))
    }
}
