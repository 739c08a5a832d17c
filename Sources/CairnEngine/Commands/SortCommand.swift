#if canImport(Glibc)
import Glibc
#endif
import RESP

extension Engine {
    func registerSortCommands() {
        register("sort", arity: -2, flags: [.write, .denyOOM], keys: .one,
                 categories: ["@write", "@set", "@sortedset", "@list", "@slow", "@dangerous"], group: "generic") { ctx throws(CommandError) in
            try sortCommand(ctx, readonly: false)
        }
        register("sort_ro", arity: -2, flags: [.readonly], keys: .one,
                 categories: ["@read", "@set", "@sortedset", "@list", "@slow", "@dangerous"], group: "generic") { ctx throws(CommandError) in
            try sortCommand(ctx, readonly: true)
        }
    }
}

/// SORT's options, parsed as Redis's sortCommandGeneric does: in any order, the last ASC/DESC winning.
private struct SortOptions {
    var desc = false
    var alpha = false
    var limitStart = 0
    var limitCount = -1
    var store: Bytes? = nil
    var by: Bytes? = nil
    var gets: [Bytes] = []
    /// BY with a pattern lacking `*` means "do not sort" (keep the value's own order).
    var dontSort = false

    init(_ a: Args, readonly: Bool) throws(CommandError) {
        var j = 2
        while j < a.count {
            let left = a.count - j - 1
            if a.isKeyword(j, "asc") {
                desc = false
            } else if a.isKeyword(j, "desc") {
                desc = true
            } else if a.isKeyword(j, "alpha") {
                alpha = true
            } else if a.isKeyword(j, "limit") && left >= 2 {
                limitStart = Int(try a.int64(j + 1))
                limitCount = Int(try a.int64(j + 2))
                j += 2
            } else if !readonly && a.isKeyword(j, "store") && left >= 1 {
                store = a.bytes(j + 1)
                j += 1
            } else if a.isKeyword(j, "by") && left >= 1 {
                by = a.bytes(j + 1)
                dontSort = !by!.contains(UInt8(ascii: "*"))
                j += 1
            } else if a.isKeyword(j, "get") && left >= 1 {
                gets.append(a.bytes(j + 1))
                j += 1
            } else {
                throw CommandError.syntax
            }
            j += 1
        }
    }
}

/// One element being sorted with what it sorts by: a number, or (ALPHA with BY) the referenced string.
private struct SortItem {
    var element: Bytes
    var score = 0.0
    var key: Bytes? = nil
}

private func sortCommand(_ ctx: CommandContext, readonly: Bool) throws(CommandError) {
    var o = try SortOptions(ctx.args, readonly: readonly)
    let value = ctx.db.lookupRead(ctx.args[1])
    switch value {
    case nil, .list?, .set?, .zset?: break
    default: throw CommandError.wrongType
    }
    // A set has no order of its own: a stored result must not depend on hashing, so it is sorted by value.
    if o.dontSort, case .set? = value, o.store != nil {
        o.dontSort = false
        o.alpha = true
        o.by = nil
    }

    let length: Int
    switch value {
    case .list(let l)?: length = l.count
    case .set(let s)?: length = s.count
    case .zset(let z)?: length = z.count
    default: length = 0
    }
    var start = min(max(o.limitStart, 0), length)
    let limitCount = min(max(o.limitCount, -1), length)
    var end = limitCount < 0 ? length - 1 : start + limitCount - 1
    if start >= length {
        start = length - 1
        end = length - 2
    }
    if end >= length { end = length - 1 }

    // Lists and sorted sets keep their own order when not sorting: only the LIMIT window is loaded.
    var items: [SortItem] = []
    switch value {
    case .list(let l)? where o.dontSort:
        if end >= start {
            let n = end - start + 1
            items.reserveCapacity(n)
            if o.desc {
                l.forEach(from: length - 1 - end, through: length - 1 - start) { items.append(SortItem(element: Bytes($0))) }
                items.reverse()
            } else {
                l.forEach(from: start, through: end) { items.append(SortItem(element: Bytes($0))) }
            }
            end -= start
            start = 0
        }
    case .zset(let z)? where o.dontSort:
        if end >= start {
            let n = end - start + 1
            items.reserveCapacity(n)
            z.walk(from: o.desc ? length - 1 - start : start, reverse: o.desc) { m in
                items.append(SortItem(element: m.member))
                return items.count < n
            }
            end -= start
            start = 0
        }
    case .list(let l)?:
        items.reserveCapacity(length)
        l.forEach { items.append(SortItem(element: Bytes($0))) }
    case .set(let s)?:
        items.reserveCapacity(length)
        s.forEach { items.append(SortItem(element: $0)) }
    case .zset(let z)?:
        items.reserveCapacity(length)
        z.forEach { items.append(SortItem(element: $0.member)) }
    default:
        break
    }

    var conversionError = false
    if !o.dontSort {
        for j in items.indices {
            let byValue: Bytes
            if let by = o.by {
                guard let v = lookupByPattern(ctx, by, items[j].element) else { continue }
                byValue = v
            } else {
                byValue = items[j].element
            }
            if o.alpha {
                if o.by != nil { items[j].key = byValue }
            } else if let score = sortScore(byValue) {
                items[j].score = score
            } else {
                conversionError = true
            }
        }
        let desc = o.desc, alpha = o.alpha, byPattern = o.by != nil
        items.sort { x, y in
            let c = compareSortItems(x, y, alpha: alpha, byPattern: byPattern)
            return desc ? c > 0 : c < 0
        }
    }

    if conversionError { throw CommandError("ERR One or more scores can't be converted into double") }
    let window = end >= start ? items[start...end] : items[0..<0]
    let outputCount = o.gets.isEmpty ? window.count : o.gets.count * window.count
    guard let store = o.store else {
        ctx.out.array(outputCount)
        for item in window {
            if o.gets.isEmpty { ctx.out.bulk(item.element) }
            for pattern in o.gets {
                if let v = lookupByPattern(ctx, pattern, item.element) { ctx.out.bulk(v) } else { ctx.out.null() }
            }
        }
        return
    }
    var stored: [Bytes] = []
    stored.reserveCapacity(outputCount)
    for item in window {
        if o.gets.isEmpty { stored.append(item.element) }
        for pattern in o.gets { stored.append(lookupByPattern(ctx, pattern, item.element) ?? []) }
    }
    store.withUnsafeBytes { key in
        if stored.isEmpty {
            ctx.db.storeResult(key, nil, event: KeyspaceEvent(.list, "sortstore"))
        } else {
            ctx.db.set(key, .list(ListValue(resultOf: stored, fill: ctx.engine.settings.listMaxListpackSize)))
            ctx.engine.dirty += stored.count
            ctx.notify(.list, "sortstore", key)
        }
    }
    ctx.out.integer(outputCount)
}

/// Redis's sortCompare: numbers, ties broken by the elements' bytes; ALPHA compares the elements, or with BY
/// the referenced values, a missing one sorting first.
private func compareSortItems(_ x: SortItem, _ y: SortItem, alpha: Bool, byPattern: Bool) -> Int {
    if !alpha {
        if x.score > y.score { return 1 }
        if x.score < y.score { return -1 }
        return compareBytes(x.element, y.element)
    }
    guard byPattern else { return compareBytes(x.element, y.element) }
    switch (x.key, y.key) {
    case (nil, nil): return 0
    case (nil, _): return -1
    case (_, nil): return 1
    case (let a?, let b?): return compareBytes(a, b)
    }
}

private func compareBytes(_ a: Bytes, _ b: Bytes) -> Int {
    a.withUnsafeBytes { x in b.withUnsafeBytes { y in
        let n = min(x.count, y.count)
        if n > 0 {
            let c = memcmp(x.baseAddress!, y.baseAddress!, n)
            if c != 0 { return Int(c) }
        }
        return x.count - y.count
    } }
}

/// A sort weight as Redis reads it: strtod over the whole string (so leading spaces, hex and "inf" are
/// accepted), refusing trailing bytes, overflow and NaN.
private func sortScore(_ b: Bytes) -> Double? {
    var text = b
    text.append(0)
    return text.withUnsafeBufferPointer { buf -> Double? in
        buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { p in
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            let v = strtod(p, &end)
            guard let end, end.pointee == 0, errno != ERANGE, !v.isNaN else { return nil }
            return v
        }
    }
}

/// Redis's lookupKeyByPattern: `#` is the element itself; otherwise the first `*` is replaced by the element
/// and the resulting key read as a string, or with `->field` after the `*` as a hash field. Nil when the
/// pattern has no `*`, the key is missing or of another type.
private func lookupByPattern(_ ctx: CommandContext, _ pattern: Bytes, _ element: Bytes) -> Bytes? {
    if pattern.count == 1 && pattern[0] == UInt8(ascii: "#") { return element }
    guard let star = pattern.firstIndex(of: UInt8(ascii: "*")) else { return nil }
    var fieldStart: Int? = nil
    var i = star + 1
    while i + 1 < pattern.count {
        if pattern[i] == UInt8(ascii: "-") && pattern[i + 1] == UInt8(ascii: ">") {
            if i + 2 < pattern.count { fieldStart = i + 2 }
            break
        }
        i += 1
    }
    let keyEnd = fieldStart.map { $0 - 2 } ?? pattern.count
    let key = pattern[..<star] + element + pattern[(star + 1)..<keyEnd]
    guard let v = key.withUnsafeBytes({ ctx.db.lookupRead($0) }) else { return nil }
    if let fieldStart {
        guard case .hash(let h) = v else { return nil }
        return pattern[fieldStart...].withUnsafeBytes { h.get($0) }
    }
    return v.stringBytes
}
