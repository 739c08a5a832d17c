import RESP

/// The thresholds that pick a set's encoding (set-max-intset-entries, set-max-listpack-entries/value).
public struct SetLimits {
    public var intsetEntries: Int
    public var listpackEntries: Int
    public var listpackValue: Int

    public init(_ s: EngineSettings) {
        // Redis caps intsets at 2^30 entries whatever the configuration says.
        intsetEntries = min(s.setMaxIntsetEntries, 1 << 30)
        listpackEntries = s.setMaxListpackEntries
        listpackValue = s.setMaxListpackValue
    }
}

/// A set of byte strings with Redis 7.2's three encodings, which OBJECT ENCODING reports and which decide
/// SMEMBERS order for small sets: a sorted array of integers (`intset`), members packed in insertion order
/// (`listpack`), and a chunked hash table (`hashtable`). A set only moves towards `hashtable`, except where
/// SPOP rebuilds one from scratch.
public struct SetValue {
    enum Storage {
        case intset([Int64])
        case listpack(PackedStrings)
        case hashtable(ChunkedHashMap<NoValue>)
    }

    var storage: Storage

    /// An empty set in the encoding Redis's setTypeCreate picks for `first` when about `sizeHint` members
    /// are coming.
    public init(first: Bytes, sizeHint: Int, limits: SetLimits) {
        if NumberParsing.int64(first) != nil && sizeHint <= limits.intsetEntries {
            storage = .intset([])
        } else if sizeHint <= limits.listpackEntries {
            storage = .listpack(PackedStrings())
        } else {
            storage = .hashtable(ChunkedHashMap())
        }
    }

    /// An intset holding `ascending`, strictly increasing values (a loaded intset blob's, checked there).
    public init(ascending: [Int64]) { storage = .intset(ascending) }

    /// An empty intset, which is how SUNIONSTORE and SDIFFSTORE begin building a set.
    public init() { storage = .intset([]) }

    /// An empty listpack, where SINTERSTORE and SPOP begin.
    public static var emptyListpack: SetValue {
        var s = SetValue()
        s.storage = .listpack(PackedStrings())
        return s
    }

    /// A listpack set of loaded members, checked by the loader.
    public static func listpack(loaded packed: PackedStrings) -> SetValue {
        var s = SetValue()
        s.storage = .listpack(packed)
        return s
    }

    /// An empty listpack with room for `bytes` of members, for a set about to be loaded from a blob that size.
    public static func listpack(reserving bytes: Int) -> SetValue {
        var packed = PackedStrings()
        packed.reserveCapacity(bytes)
        var s = SetValue()
        s.storage = .listpack(packed)
        return s
    }

    public var encodingName: StaticString {
        switch storage {
        case .intset: return "intset"
        case .listpack: return "listpack"
        case .hashtable: return "hashtable"
        }
    }

    public var isIntset: Bool {
        if case .intset = storage { return true }
        return false
    }

    public var isListpack: Bool {
        if case .listpack = storage { return true }
        return false
    }

    /// The members of an intset-encoded set in ascending order; nil for the other encodings.
    public var intsetValues: [Int64]? {
        if case .intset(let a) = storage { return a }
        return nil
    }

    public var count: Int {
        switch storage {
        case .intset(let a): return a.count
        case .listpack(let a): return a.count
        case .hashtable(let h): return h.count
        }
    }

    public var isEmpty: Bool { count == 0 }

    public func contains(_ member: Bytes) -> Bool {
        switch storage {
        case .intset(let a):
            guard let v = NumberParsing.int64(member) else { return false }
            return Self.search(a, v).found
        case .listpack(let a): return member.withUnsafeBytes { a.firstPosition(of: $0) } != nil
        case .hashtable(let h): return h.contains(member)
        }
    }

    /// Adds a member, converting the encoding exactly where Redis 7.2's setTypeAdd does. Returns false when the
    /// member was already there.
    @discardableResult
    public mutating func add(_ member: Bytes, limits: SetLimits) -> Bool {
        switch storage {
        case .intset(var a):
            if let v = NumberParsing.int64(member) {
                let (found, at) = Self.search(a, v)
                if found { return false }
                storage = .intset([])
                a.insert(v, at: at)
                storage = .intset(a)
                if a.count > limits.intsetEntries { convertToHashtable() }
                return true
            }
            // The listpack check bounds every integer by the longer of the smallest and largest.
            let widest = a.isEmpty ? 0 : max(IntegerFormat.bytes(a.first!).count, IntegerFormat.bytes(a.last!).count)
            if a.count < limits.listpackEntries && member.count <= limits.listpackValue && widest <= limits.listpackValue {
                var packed = PackedStrings()
                for v in a { packed.append(IntegerFormat.bytes(v)) }
                packed.append(member)
                storage = .listpack(packed)
            } else {
                convertToHashtable()
                _ = add(member, limits: limits)
            }
            return true
        case .listpack(var a):
            if member.withUnsafeBytes({ a.firstPosition(of: $0) }) != nil { return false }
            if a.count < limits.listpackEntries && member.count <= limits.listpackValue {
                storage = .intset([])
                a.append(member)
                storage = .listpack(a)
            } else {
                convertToHashtable()
                _ = add(member, limits: limits)
            }
            return true
        case .hashtable:
            return member.withUnsafeBytes { add($0, limits: limits) }
        }
    }

    /// `add` for a member still in the request buffer: a hashtable takes its bytes without an array copy.
    @discardableResult
    public mutating func add(_ member: UnsafeRawBufferPointer, limits: SetLimits) -> Bool {
        guard case .hashtable(var h) = storage else { return add(Bytes(member), limits: limits) }
        storage = .intset([])
        defer { storage = .hashtable(h) }
        return h.updateValue(NoValue(), forKey: member) == nil
    }

    /// Loading a listpack blob: adds a member, or returns false when it is here already (the blob is corrupt).
    /// `filter` spares the search for a member that cannot be. Converts where `add` does.
    public mutating func addLoaded(_ member: UnsafeRawBufferPointer, filter: inout PackedDuplicateFilter, limits: SetLimits) -> Bool {
        guard case .listpack(var a) = storage, a.count < limits.listpackEntries, member.count <= limits.listpackValue else {
            return add(member, limits: limits)
        }
        if filter.mayRepeat(member) && a.firstPosition(of: member) != nil { return false }
        storage = .intset([])
        a.append(member)
        storage = .listpack(a)
        return true
    }

    @discardableResult
    public mutating func remove(_ member: Bytes) -> Bool {
        switch storage {
        case .intset(var a):
            guard let v = NumberParsing.int64(member) else { return false }
            let (found, at) = Self.search(a, v)
            guard found else { return false }
            storage = .intset([])
            a.remove(at: at)
            storage = .intset(a)
            return true
        case .listpack(var a):
            guard let position = member.withUnsafeBytes({ a.firstPosition(of: $0) }) else { return false }
            storage = .intset([])
            a.remove(at: position)
            storage = .listpack(a)
            return true
        case .hashtable(var h):
            storage = .intset([])
            defer { storage = .hashtable(h) }
            return h.removeValue(forKey: member) != nil
        }
    }

    /// setTypeMaybeConvert: goes to a hash table ahead of a bulk add that will not fit the current encoding.
    public mutating func convertIfOutgrown(sizeHint: Int, limits: SetLimits) {
        switch storage {
        case .intset: if sizeHint > limits.intsetEntries { convertToHashtable() }
        case .listpack: if sizeHint > limits.listpackEntries { convertToHashtable() }
        case .hashtable: break
        }
    }

    /// maybeConvertToIntset, for a set known to hold only integers.
    public mutating func convertToIntsetIfFits(limits: SetLimits) {
        if case .intset = storage { return }
        guard count <= limits.intsetEntries else { return }
        var a: [Int64] = []
        forEach { a.append(NumberParsing.int64($0)!) }
        storage = .intset(a.sorted())
    }

    private mutating func convertToHashtable() {
        var h = ChunkedHashMap<NoValue>()
        forEach { h.updateValue(NoValue(), forKey: $0) }
        storage = .hashtable(h)
    }

    /// Visits every member: intsets in ascending order, listpacks in insertion order.
    public func forEach(_ body: (Bytes) throws -> Void) rethrows {
        switch storage {
        case .intset(let a): for v in a { try body(IntegerFormat.bytes(v)) }
        case .listpack(let a):
            try a.forEach { try body(Bytes($0)) }
        case .hashtable(let h): try h.forEach { k, _ in try body(k) }
        }
    }

    /// Every member as borrowed bytes, valid only during `body`, in `forEach`'s order: saving a set needs no
    /// copy of each member then.
    public func forEachBorrowed(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        switch storage {
        case .intset(let a): for v in a { try IntegerFormat.withDigits(v, body) }
        case .listpack(let a): try a.forEach(body)
        case .hashtable(let h): try h.forEachRaw { k, _ in try body(k) }
        }
    }

    public var members: [Bytes] {
        var out: [Bytes] = []
        out.reserveCapacity(count)
        forEach { out.append($0) }
        return out
    }

    /// A uniformly chosen member; the set must not be empty.
    public func randomMember() -> Bytes {
        switch storage {
        case .intset(let a): return IntegerFormat.bytes(a.randomElement()!)
        case .listpack(let a): return a.bytes(at: a.position(ofElement: Int.random(in: 0..<a.count)))
        case .hashtable(let h): return h.randomElement().key
        }
    }

    /// SSCAN: compact encodings answer in one step, as Redis does; hash tables resume from a hash cursor.
    public func scan(cursor: UInt64, count: Int, _ visit: (Bytes) -> Void) -> UInt64 {
        switch storage {
        case .intset, .listpack:
            forEach(visit)
            return 0
        case .hashtable(let h):
            return h.scan(cursor: cursor, count: count) { k, _ in visit(k) }
        }
    }

    private static func search(_ a: [Int64], _ v: Int64) -> (found: Bool, at: Int) {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return (lo < a.count && a[lo] == v, lo)
    }

    /// The identity of each hash-table chunk (empty for compact encodings), for copy-on-write tests.
    var chunkIdentities: [ObjectIdentifier] {
        if case .hashtable(let h) = storage { return h.chunkIdentities }
        return []
    }
}
