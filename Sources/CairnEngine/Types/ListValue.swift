/// A list: a sequence of nodes, each its elements packed in one copy-on-write buffer as a listpack packs
/// them, that mirrors the node layout of Redis 7.2's quicklist.
///
/// Modelling Redis's nodes (their fill rule, splits and merges) is what makes OBJECT ENCODING exact: 7.2
/// converts a quicklist back to a listpack only when a single node remains and it is small enough, so the
/// layout, not just the length, decides the encoding. The nodes are also the copy-on-write chunks: a write
/// after the list was copied (a snapshot) copies the spine of node references and the one node it touches.
public struct ListValue {
    struct Node {
        /// The elements packed in one buffer, as a listpack holds them, with back-lengths so that either end
        /// is reached without a walk.
        var items: PackedStrings
        /// An element too large for a packed node, kept alone as Redis's plain nodes are.
        var plain: Bool
        /// The bytes Redis's listpack for these items takes (header and end marker included); for a plain
        /// node, the element's length.
        var size: Int

        init(_ element: UnsafeRawBufferPointer, plain: Bool) {
            items = PackedStrings(backLinked: true)
            items.append(element)
            self.plain = plain
            size = plain ? element.count : Listpack.emptySize + Listpack.entrySize(element)
        }

        init(items: PackedStrings) {
            self.items = items
            plain = false
            var total = Listpack.emptySize
            items.forEach { total += Listpack.entrySize($0) }
            size = total
        }

        mutating func insert(_ e: UnsafeRawBufferPointer, at i: Int) {
            size += Listpack.entrySize(e)
            items.insert(e, at: i == items.count ? items.endPosition : items.position(ofElement: i))
        }

        /// Removes the element at byte position `p`, handing it to `body` first.
        mutating func remove<R>(atPosition p: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
            let (r, entry) = items.withElement(at: p) { (body($0), plain ? 0 : Listpack.entrySize($0)) }
            size -= entry
            items.remove(at: p)
            return r
        }

        mutating func remove(at i: Int) { remove(atPosition: items.position(ofElement: i)) { _ in } }

        /// The position of the last element.
        var lastPosition: Int { items.position(before: items.endPosition) }
    }

    var nodes: [Node] = []
    public private(set) var count = 0
    /// True once the list has the quicklist encoding; a listpack-encoded list has at most one node.
    public private(set) var isQuicklist = false

    public init() {}

    /// A list built the way Redis builds a command's result list (SORT ... STORE): as a quicklist, converted
    /// to a listpack afterwards only if it ended up small enough.
    public init(resultOf elements: [Bytes], fill: Int) {
        isQuicklist = true
        for e in elements { e.withUnsafeBytes { pushOne($0, atHead: false, fill: fill) } }
        convertToListpackIfFits(fill: fill, divisor: 1)
    }

    /// A list with a given node layout (elements and whether the node is plain), as Redis's loader keeps a
    /// quicklist's nodes; a single packed node within the fill limits becomes a listpack, as on RDB load.
    /// The nodes' elements come packed as `emptyNode` starts them, so a loaded node is one buffer from the start.
    public init(nodes layout: [(items: PackedStrings, plain: Bool)], fill: Int) {
        for n in layout where !n.items.isEmpty {
            var node = Node(items: n.items)
            if n.plain {
                node.plain = true
                node.size = n.items.withElement(at: n.items.startPosition) { $0.count }
            }
            nodes.append(node)
            count += n.items.count
        }
        isQuicklist = nodes.count != 1 || nodes[0].plain || Self.exceeds(fill, size: nodes[0].size, count: count)
    }

    public var isEmpty: Bool { count == 0 }

    /// An empty node's elements, for building the nodes `init(nodes:fill:)` takes.
    public static var emptyNode: PackedStrings { PackedStrings(backLinked: true) }

    // MARK: Redis's node limits (list-max-listpack-size is the fill)

    /// Byte limits of the negative fill values -1 ... -5.
    static let sizeLimits = [4096, 8192, 16384, 32768, 65536]
    /// A count-limited node still never grows beyond this many bytes.
    static let safetyLimit = 8192
    /// The estimated per-entry overhead Redis adds when checking whether an element fits a node.
    static let insertOverhead = 8

    static func limits(_ fill: Int) -> (size: Int, count: Int) {
        if fill >= 0 { return (Int.max, fill == 0 ? 1 : fill) }
        return (sizeLimits[min(-fill - 1, sizeLimits.count - 1)], Int.max)
    }

    static func exceeds(_ fill: Int, size: Int, count: Int) -> Bool {
        let (sizeLimit, countLimit) = limits(fill)
        if fill < 0 { return size > sizeLimit }
        return size > safetyLimit || count > countLimit
    }

    /// Elements beyond a negative fill's byte limit get a plain node of their own; count fills allow up to 1GB.
    static func isLarge(_ length: Int, _ fill: Int) -> Bool {
        fill >= 0 ? length > 1 << 30 : length > limits(fill).size
    }

    static func allowsInsert(_ node: Node, _ fill: Int, _ length: Int) -> Bool {
        if node.plain || isLarge(length, fill) { return false }
        return !exceeds(fill, size: node.size + length + insertOverhead, count: node.items.count + 1)
    }

    static func allowsMerge(_ a: Node, _ b: Node, _ fill: Int) -> Bool {
        if a.plain || b.plain { return false }
        return !exceeds(fill, size: a.size + b.size - Listpack.emptySize, count: a.items.count + b.items.count)
    }

    // MARK: encoding changes

    /// Before adding elements of these lengths: a listpack that would outgrow one node becomes a quicklist.
    mutating func prepareGrowth(adding lengths: Int, elements: Int, fill: Int) {
        guard !isQuicklist else { return }
        let size = (nodes.first?.size ?? Listpack.emptySize) + lengths
        if Self.exceeds(fill, size: size, count: count + elements) { isQuicklist = true }
    }

    /// After removing elements: a quicklist reduced to one packed node below half the limits becomes a
    /// listpack again (the half keeps a list near the limit from converting back and forth).
    public mutating func shrinkEncoding(fill: Int) { convertToListpackIfFits(fill: fill, divisor: 2) }

    /// A quicklist of one packed node within the limits divided by `divisor` becomes a listpack.
    mutating func convertToListpackIfFits(fill: Int, divisor: Int) {
        guard isQuicklist, nodes.count == 1, !nodes[0].plain else { return }
        let (sizeLimit, countLimit) = Self.limits(fill)
        if nodes[0].size <= sizeLimit / divisor && count <= countLimit / divisor { isQuicklist = false }
    }

    // MARK: reads

    /// The node holding index `i` (0 ≤ i < count) and the offset inside it, walking from the nearer end.
    func locate(_ i: Int) -> (node: Int, offset: Int) {
        if i < count / 2 {
            var rest = i
            var n = 0
            while rest >= nodes[n].items.count { rest -= nodes[n].items.count; n += 1 }
            return (n, rest)
        }
        var rest = count - 1 - i
        var n = nodes.count - 1
        while rest >= nodes[n].items.count { rest -= nodes[n].items.count; n -= 1 }
        return (n, nodes[n].items.count - 1 - rest)
    }

    public subscript(i: Int) -> Bytes { withElement(at: i) { Bytes($0) } }

    /// Reads the element at index `i` (a valid index) in place.
    public func withElement<R>(at i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let (n, o) = locate(i)
        return try nodes[n].items.withElement(at: nodes[n].items.position(ofElement: o), body)
    }

    /// Visits elements start...end (valid indexes, start ≤ end) in order, in place.
    public func forEach(from start: Int, through end: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard start <= end else { return }
        var (n, o) = locate(start)
        var left = end - start + 1
        var p = nodes[n].items.position(ofElement: o)
        while true {
            try nodes[n].items.walk(from: p) { e in
                try body(e)
                left -= 1
                return left > 0
            }
            if left == 0 { return }
            n += 1
            p = nodes[n].items.startPosition
        }
    }

    public func forEach(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        for node in nodes { try node.items.forEach(body) }
    }

    /// Visits elements in place from the head, or from the tail when `reversed`, until `body` returns false.
    public func walk(reversed: Bool = false, _ body: (UnsafeRawBufferPointer) -> Bool) {
        if reversed {
            for node in nodes.reversed() where !node.items.walk(from: node.lastPosition, reversed: true, body) { return }
        } else {
            for node in nodes where !node.items.walk(from: node.items.startPosition, body) { return }
        }
    }

    /// Each node's elements and whether it is a plain node, head first: the RDB writer emits one quicklist
    /// node per node, as Redis does.
    public func forEachNode(_ body: (_ items: PackedStrings, _ plain: Bool) throws -> Void) rethrows {
        for node in nodes { try body(node.items, node.plain) }
    }

    public var nodeCount: Int { nodes.count }

    // MARK: writes

    /// LPUSH / RPUSH of several elements, checking the encoding once for all of them as Redis does.
    public mutating func push<C: Collection>(_ elements: C, atHead: Bool, fill: Int) where C.Element == Bytes {
        prepareGrowth(adding: elements.reduce(0) { $0 + $1.count }, elements: elements.count, fill: fill)
        for e in elements { e.withUnsafeBytes { pushOne($0, atHead: atHead, fill: fill) } }
    }

    /// As `push`, for borrowed bytes (a command's arguments), which are copied straight into the nodes.
    public mutating func push<C: Collection>(copying elements: C, atHead: Bool, fill: Int)
    where C.Element == UnsafeRawBufferPointer {
        prepareGrowth(adding: elements.reduce(0) { $0 + $1.count }, elements: elements.count, fill: fill)
        for e in elements { pushOne(e, atHead: atHead, fill: fill) }
    }

    mutating func pushOne(_ e: UnsafeRawBufferPointer, atHead: Bool, fill: Int) {
        count += 1
        let end = atHead ? 0 : nodes.count - 1
        if !isQuicklist && !nodes.isEmpty {
            nodes[0].insert(e, at: atHead ? 0 : nodes[0].items.count)
        } else if !nodes.isEmpty && Self.allowsInsert(nodes[end], fill, e.count) {
            nodes[end].insert(e, at: atHead ? 0 : nodes[end].items.count)
        } else {
            let node = Node(e, plain: isQuicklist && Self.isLarge(e.count, fill))
            if atHead { nodes.insert(node, at: 0) } else { nodes.append(node) }
        }
    }

    /// Removes the first or last element, handing it to `body` in place before it goes, so a reply can be
    /// written from the node without a copy. Call `shrinkEncoding` once the command's removals are done.
    @discardableResult
    public mutating func pop<R>(atHead: Bool, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard count > 0 else { return nil }
        let n = atHead ? 0 : nodes.count - 1
        return remove(node: n, position: atHead ? nodes[n].items.startPosition : nodes[n].lastPosition, body)
    }

    /// Removes and returns the first or last element.
    public mutating func pop(atHead: Bool) -> Bytes? { pop(atHead: atHead) { Bytes($0) } }

    mutating func remove<R>(node n: Int, position p: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let r = nodes[n].remove(atPosition: p, body)
        if nodes[n].items.isEmpty { nodes.remove(at: n) }
        count -= 1
        return r
    }

    public mutating func remove(at i: Int) {
        let (n, o) = locate(i)
        remove(node: n, position: nodes[n].items.position(ofElement: o)) { _ in }
    }

    /// Removes `k` elements from the head and `m` from the tail (LTRIM), node by node as Redis deletes ranges.
    public mutating func trim(head k: Int, tail m: Int) {
        var k = k, m = m
        while k > 0 {
            let c = nodes[0].items.count
            if c <= k {
                nodes.removeFirst()
                count -= c
                k -= c
            } else {
                for _ in 0..<k { nodes[0].remove(at: 0) }
                count -= k
                k = 0
            }
        }
        while m > 0 {
            let last = nodes.count - 1
            let c = nodes[last].items.count
            if c <= m {
                nodes.removeLast()
                count -= c
                m -= c
            } else {
                for _ in 0..<m { nodes[last].remove(at: nodes[last].items.count - 1) }
                count -= m
                m = 0
            }
        }
    }

    /// LSET: replaces the element at `i` (a valid index).
    public mutating func replace(at i: Int, with e: Bytes, fill: Int) {
        e.withUnsafeBytes { replace(at: i, with: $0, fill: fill) }
    }

    mutating func replace(at i: Int, with e: UnsafeRawBufferPointer, fill: Int) {
        prepareGrowth(adding: e.count, elements: 1, fill: fill)
        let (n, o) = locate(i)
        let large = Self.isLarge(e.count, fill)
        if !isQuicklist || (!nodes[n].plain && !large) {
            nodes[n].remove(at: o)
            nodes[n].insert(e, at: o)
        } else if nodes[n].plain {
            if large {
                nodes[n].items.replace(at: nodes[n].items.startPosition, with: e)
                nodes[n].size = e.count
            } else if n + 1 < nodes.count && Self.allowsInsert(nodes[n + 1], fill, e.count) {
                // Redis inserts after the plain node (at the next node's head when it has room), then drops it.
                nodes[n + 1].insert(e, at: 0)
                nodes.remove(at: n)
            } else {
                nodes[n] = Node(e, plain: false)
            }
        } else {
            // A large element inside a packed node: split after the entry, put the element in a node of its
            // own after it, then drop the replaced entry and merge around the new node.
            var at = n
            if o != nodes[n].items.count - 1 { split(n, at: o, after: true) }
            nodes.insert(Node(e, plain: true), at: at + 1)
            if nodes[at].items.count == 1 {
                nodes.remove(at: at)
            } else {
                nodes[at].remove(at: nodes[at].items.count - 1)
                at += 1
                mergeAround(at, fill: fill)
            }
        }
    }

    /// LINSERT: inserts `e` before or after the element at `i` (a valid index), following quicklist's rules
    /// for where the element lands: the pivot's node, a neighbour with room, a new node, or a split.
    public mutating func insert(_ e: Bytes, pivot i: Int, after: Bool, fill: Int) {
        e.withUnsafeBytes { insert($0, pivot: i, after: after, fill: fill) }
    }

    mutating func insert(_ e: UnsafeRawBufferPointer, pivot i: Int, after: Bool, fill: Int) {
        prepareGrowth(adding: e.count, elements: 1, fill: fill)
        let (n, o) = locate(i)
        count += 1
        guard isQuicklist else {
            nodes[0].insert(e, at: after ? o + 1 : o)
            return
        }
        let full = !Self.allowsInsert(nodes[n], fill, e.count)
        let atTail = after && o == nodes[n].items.count - 1
        let atHead = !after && o == 0
        let nextHasRoom = atTail && n + 1 < nodes.count && Self.allowsInsert(nodes[n + 1], fill, e.count)
        let prevHasRoom = atHead && n > 0 && Self.allowsInsert(nodes[n - 1], fill, e.count)
        if Self.isLarge(e.count, fill) {
            if nodes[n].plain || atTail || atHead {
                nodes.insert(Node(e, plain: true), at: after ? n + 1 : n)
            } else {
                split(n, at: o, after: after)
                nodes.insert(Node(e, plain: true), at: n + 1)
            }
        } else if !full {
            nodes[n].insert(e, at: after ? o + 1 : o)
        } else if atTail && nextHasRoom {
            nodes[n + 1].insert(e, at: 0)
        } else if atHead && prevHasRoom {
            nodes[n - 1].insert(e, at: nodes[n - 1].items.count)
        } else if atTail || atHead {
            nodes.insert(Node(e, plain: false), at: after ? n + 1 : n)
        } else {
            split(n, at: o, after: after)
            let created = after ? n + 1 : n
            nodes[created].insert(e, at: after ? 0 : nodes[created].items.count)
            mergeAround(after ? n : n + 1, fill: fill)
        }
    }

    /// Splits node `n` around `offset`: with `after` the new node (at n + 1) takes what follows the offset;
    /// otherwise the new node (at n, the original moving to n + 1) takes what precedes it.
    mutating func split(_ n: Int, at offset: Int, after: Bool) {
        var rest = nodes[n].items
        if after {
            let head = rest.split(at: offset + 1)
            nodes[n] = Node(items: head)
            nodes.insert(Node(items: rest), at: n + 1)
        } else {
            let head = rest.split(at: offset)
            nodes[n] = Node(items: rest)
            nodes.insert(Node(items: head), at: n)
        }
    }

    /// Quicklist's merge after a split: the two nodes before the centre, the two after it, then the centre
    /// with its neighbours, each pair only when the merged node stays within the limits.
    mutating func mergeAround(_ center: Int, fill: Int) {
        var c = center
        if c >= 2 && Self.allowsMerge(nodes[c - 2], nodes[c - 1], fill) {
            merge(c - 2)
            c -= 1
        }
        if c + 2 < nodes.count && Self.allowsMerge(nodes[c + 1], nodes[c + 2], fill) { merge(c + 1) }
        if c >= 1 && Self.allowsMerge(nodes[c - 1], nodes[c], fill) {
            merge(c - 1)
            c -= 1
        }
        if c + 1 < nodes.count && Self.allowsMerge(nodes[c], nodes[c + 1], fill) { merge(c) }
    }

    /// Joins node n + 1 into node n.
    mutating func merge(_ n: Int) {
        let next = nodes.remove(at: n + 1)
        nodes[n].items.append(contentsOf: next.items)
        nodes[n].size += next.size - Listpack.emptySize
    }

    // MARK: test hooks

    /// The storage of each node, so tests can tell which nodes a write copied.
    var nodeIdentities: [UnsafeRawPointer?] {
        nodes.map { $0.items.storageIdentity }
    }
}

/// Sizes of Redis's listpack encoding, which decide when compact encodings convert.
public enum Listpack {
    /// A listpack's header (total bytes, element count) and end marker.
    static let emptySize = 7

    /// The bytes one element takes: its encoding and data, then the back-length that lets Redis walk backwards.
    static func entrySize(_ e: UnsafeRawBufferPointer) -> Int {
        let body = encodedSize(e)
        return body + backlenSize(body)
    }

    static func encodedSize(_ e: UnsafeRawBufferPointer) -> Int {
        if let v = NumberParsing.int64(e) {
            switch v {
            case 0...127: return 1
            case -4096...4095: return 2
            case -32768...32767: return 3
            case -8_388_608...8_388_607: return 4
            case Int64(Int32.min)...Int64(Int32.max): return 5
            default: return 9
            }
        }
        if e.count < 64 { return 1 + e.count }
        if e.count < 4096 { return 2 + e.count }
        return 5 + e.count
    }

    /// listpack.c's thresholds (one below the true 7-bit capacities): forward walks and the RDB codec
    /// depend on them.
    public static func backlenSize(_ n: Int) -> Int {
        if n <= 127 { return 1 }
        if n < 16383 { return 2 }
        if n < 2_097_151 { return 3 }
        if n < 268_435_455 { return 4 }
        return 5
    }
}
