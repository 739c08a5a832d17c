/// A stream: entries in nodes ordered by ID, plus the metadata and consumer groups RDB keeps
/// (RDB_TYPE_STREAM_LISTPACKS_3).
///
/// The nodes mirror the listpacks of Redis's rax: a node takes entries until stream-node-max-entries or
/// stream-node-max-bytes would be exceeded, keeps the ID of its first entry as its key (the master ID), and
/// deleted entries leave tombstones counted against the limit, as in Redis. That keeps approximate trimming,
/// which removes whole nodes only, and XINFO's node count as Redis has them. The nodes are also the
/// copy-on-write chunks: after the value was copied (a snapshot), an XADD copies the spine of node
/// references and the last node, never the whole stream.
public struct StreamValue {
    public private(set) var nodes: [StreamNode] = []
    /// Live entries.
    public internal(set) var count = 0
    public internal(set) var lastID = StreamID.zero
    /// The first live entry's ID, 0-0 when empty.
    public internal(set) var firstID = StreamID.zero
    /// The largest ID ever deleted by XDEL (or set by XSETID); 0-0 when none.
    public internal(set) var maxDeletedID = StreamID.zero
    /// Entries ever added, deletions included.
    public internal(set) var entriesAdded: Int64 = 0
    public internal(set) var groups: [Bytes: StreamGroup] = [:]

    public init() {}

    /// A stream from loaded parts (RDB): nodes are appended in ID order with `appendLoaded`, then the metadata
    /// and groups are set with `setMetadata` and `addGroup`.
    public init(lastID: StreamID, firstID: StreamID, maxDeletedID: StreamID, entriesAdded: Int64) {
        self.lastID = lastID
        self.firstID = firstID
        self.maxDeletedID = maxDeletedID
        self.entriesAdded = entriesAdded
    }

    public var isEmpty: Bool { count == 0 }

    // MARK: node limits

    struct Limits {
        var maxBytes: Int
        var maxEntries: Int
        init(maxBytes: Int, maxEntries: Int) {
            // As Redis: 0 (or too large) means the listpack's own limit of 1GB; entries 0 means no limit.
            self.maxBytes = maxBytes <= 0 || maxBytes > 1 << 30 ? 1 << 30 : maxBytes
            self.maxEntries = maxEntries
        }
    }

    // MARK: appending

    /// Appends an entry whose ID is above `lastID` (the caller chose it), starting a new node when the last one
    /// is full by Redis's rule; `pairs` gives the field/value arguments, field first.
    mutating func append(_ id: StreamID, fieldCount: Int, maxBytes: Int, maxEntries: Int,
                         pair: (Int) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)) {
        let limits = Limits(maxBytes: maxBytes, maxEntries: maxEntries)
        var raw = 0
        for i in 0..<fieldCount {
            let (f, v) = pair(i)
            raw += f.count + v.count
        }
        var needNode = nodes.isEmpty
        if !needNode {
            let last = nodes[nodes.count - 1]
            if last.lpBytes + raw >= limits.maxBytes {
                needNode = true
            } else if limits.maxEntries > 0 && last.liveCount + last.deleted >= limits.maxEntries {
                needNode = true
            }
        }
        if needNode {
            if !nodes.isEmpty { nodes[nodes.count - 1].shrink() }
            nodes.append(StreamNode(master: id))
        }
        nodes[nodes.count - 1].append(id, fieldCount: fieldCount, pair: pair)
        count += 1
        entriesAdded += 1
        lastID = id
        if count == 1 { firstID = id }
    }

    /// RDB loading: appends one entry to the node being loaded (`newNodeMaster` starts one with that master ID);
    /// `pair` gives its field/value pairs. Loaded entries do not touch the metadata, which RDB stores on its own
    /// (`setMetadata`). A `deleted` entry is kept as a tombstone, as the file had it, so that the node fills up
    /// and saves as it did in Redis.
    public mutating func appendLoaded(_ id: StreamID, newNodeMaster: StreamID?, fieldCount: Int, deleted: Bool = false,
                                      pair: (Int) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)) {
        if let m = newNodeMaster ?? (nodes.isEmpty ? id : nil) { nodes.append(StreamNode(master: m)) }
        nodes[nodes.count - 1].append(id, fieldCount: fieldCount, pair: pair)
        if deleted {
            nodes[nodes.count - 1].remove(at: nodes[nodes.count - 1].liveCount - 1)
        } else {
            count += 1
        }
    }

    /// The ID XADD gives an entry: `*` (nil) takes the clock, `ms-*` (seqGiven false) the next sequence.
    /// Nil when the ID is not above the top item.
    func nextID(requested: StreamID?, seqGiven: Bool, now: Int64) -> StreamID? {
        guard let requested else {
            let ms = UInt64(max(now, 0))
            if ms > lastID.ms { return StreamID(ms: ms, seq: 0) }
            return lastID.next
        }
        if !seqGiven {
            if requested.ms == lastID.ms {
                guard lastID.seq < .max else { return nil }
                return StreamID(ms: lastID.ms, seq: lastID.seq + 1)
            }
            return requested.ms > lastID.ms ? StreamID(ms: requested.ms, seq: 0) : nil
        }
        return requested > lastID ? requested : nil
    }

    // MARK: finding entries

    /// The index of the node that could hold `id`: the last whose master ID is ≤ id (0 when none is).
    func nodeIndex(for id: StreamID) -> Int {
        var lo = 0
        var hi = nodes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if nodes[mid].master <= id { lo = mid + 1 } else { hi = mid }
        }
        return Swift.max(lo - 1, 0)
    }

    /// Visits entries with start ≤ ID ≤ end, ascending (or descending when `reverse`), until `body` returns false.
    public func forEach(from start: StreamID = .zero, to end: StreamID = .max, reverse: Bool = false,
                        _ body: (StreamID, StreamEntry) throws -> Bool) rethrows {
        guard !nodes.isEmpty, start <= end else { return }
        if !reverse {
            var n = nodeIndex(for: start)
            while n < nodes.count {
                let node = nodes[n]
                if node.master > end { return }
                let cont = try node.data.withUnsafeBytes { data -> Bool in
                    var i = node.firstIndex(atLeast: start)
                    while i < node.liveCount {
                        let e = node.entry(data, i)
                        let id = e.id
                        if id > end { return false }
                        if try !body(id, e) { return false }
                        i += 1
                    }
                    return true
                }
                if !cont { return }
                n += 1
            }
        } else {
            var n = nodeIndex(for: end)
            while n >= 0 {
                let node = nodes[n]
                let cont = try node.data.withUnsafeBytes { data -> Bool in
                    var i = (end.next.map { node.firstIndex(atLeast: $0) } ?? node.liveCount) - 1
                    while i >= 0 {
                        let e = node.entry(data, i)
                        let id = e.id
                        if id < start { return false }
                        if try !body(id, e) { return false }
                        i -= 1
                    }
                    return true
                }
                if !cont { return }
                n -= 1
            }
        }
    }

    public func contains(_ id: StreamID) -> Bool {
        guard !nodes.isEmpty else { return false }
        let node = nodes[nodeIndex(for: id)]
        let i = node.firstIndex(atLeast: id)
        return i < node.liveCount && node.id(at: i) == id
    }

    /// The last live entry's ID (streamLastValidID), nil when empty.
    var lastLiveID: StreamID? { nodes.last?.lastID }

    // MARK: removing entries

    /// XDEL of one ID; false when it does not exist. Keeps Redis's bookkeeping: a tombstone in the node (or the
    /// node removed when it was its last live entry), max-deleted-entry-id and first-id.
    mutating func delete(_ id: StreamID) -> Bool {
        guard !nodes.isEmpty else { return false }
        let n = nodeIndex(for: id)
        let i = nodes[n].firstIndex(atLeast: id)
        guard i < nodes[n].liveCount, nodes[n].id(at: i) == id else { return false }
        if nodes[n].liveCount == 1 { nodes.remove(at: n) } else { nodes[n].remove(at: i) }
        count -= 1
        if id > maxDeletedID { maxDeletedID = id }
        if id == firstID { firstID = nodes.first?.firstID ?? .zero }
        return true
    }

    /// streamTrim: removes entries from the head while the stream is longer than `maxLen` or (with `minID`)
    /// holds IDs below it. `approximate` removes whole nodes only; `limit` (0 for none) caps the entries
    /// removed, checked a node at a time as Redis does. Returns how many went.
    mutating func trim(maxLen: Int?, minID: StreamID?, approximate: Bool, limit: Int) -> Int {
        var removed = 0
        while !nodes.isEmpty {
            if let maxLen, count <= maxLen { break }
            let entries = nodes[0].liveCount
            if limit > 0 && removed + entries > limit { break }
            let removeNode: Bool
            if let maxLen {
                removeNode = count - entries >= maxLen
            } else {
                removeNode = nodes[0].lastEverID < minID!
            }
            if removeNode {
                nodes.removeFirst()
                count -= entries
                removed += entries
                continue
            }
            if approximate { break }
            var k = 0
            while k < entries {
                if let maxLen, count - k <= maxLen { break }
                if let minID, nodes[0].id(at: k) >= minID { break }
                k += 1
            }
            nodes[0].removeFirst(k)
            count -= k
            removed += k
            break
        }
        firstID = nodes.first?.firstID ?? .zero
        return removed
    }

    // MARK: metadata changes

    /// XSETID: the caller checked the new values against the stream.
    mutating func setMetadata(lastID: StreamID, entriesAdded: Int64?, maxDeletedID: StreamID?) {
        self.lastID = lastID
        if let entriesAdded { self.entriesAdded = entriesAdded }
        if let maxDeletedID { self.maxDeletedID = maxDeletedID }
    }

    /// RDB loading: the stream's counters as stored.
    public mutating func setMetadata(count: Int, lastID: StreamID, firstID: StreamID, maxDeletedID: StreamID,
                                     entriesAdded: Int64) {
        self.count = count
        self.lastID = lastID
        self.firstID = firstID
        self.maxDeletedID = maxDeletedID
        self.entriesAdded = entriesAdded
    }

    // MARK: groups

    /// Adds a group; false when the name is taken.
    @discardableResult
    public mutating func addGroup(_ name: Bytes, _ group: StreamGroup) -> Bool {
        guard groups[name] == nil else { return false }
        groups[name] = group
        return true
    }

    mutating func removeGroup(_ name: UnsafeRawBufferPointer) -> Bool {
        groups.removeValue(forKey: Bytes(name)) != nil
    }

    func group(_ name: UnsafeRawBufferPointer) -> StreamGroup? { groups[Bytes(name)] }

    /// Edits a group in place; nil when it does not exist.
    mutating func withGroup<R>(_ name: Bytes, _ body: (inout StreamGroup) throws(CommandError) -> R) throws(CommandError) -> R? {
        guard groups[name] != nil else { return nil }
        return try body(&groups[name]!)
    }

    /// Groups in rax order (byte-wise), as XINFO and RDB list them.
    public var sortedGroups: [(name: Bytes, group: StreamGroup)] {
        groups.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ($0.key, $0.value) }
    }

    // MARK: consumer-group read counters (Redis 7 lag tracking)

    /// streamRangeHasTombstones: whether a deleted ID may lie in start...end.
    func rangeHasTombstones(from start: StreamID, to end: StreamID = .max) -> Bool {
        if count == 0 || maxDeletedID.isZero { return false }
        if firstID > maxDeletedID { return false }
        return start <= maxDeletedID && maxDeletedID <= end
    }

    /// streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`, nil when it cannot be known.
    public func estimatedEntriesRead(at id: StreamID) -> Int64? {
        if entriesAdded == 0 { return 0 }
        if count == 0 && id <= lastID { return entriesAdded }
        if id == lastID { return entriesAdded }
        if id > lastID { return nil }
        if maxDeletedID.isZero || maxDeletedID < firstID {
            if id < firstID { return entriesAdded - Int64(count) }
            if id == firstID { return entriesAdded - Int64(count) + 1 }
        }
        return nil
    }

    /// The group's lag (streamReplyWithCGLag), nil when it cannot be known.
    func lag(of g: StreamGroup) -> Int64? {
        if entriesAdded == 0 { return 0 }
        if g.entriesRead != StreamGroup.invalidEntriesRead && !rangeHasTombstones(from: g.lastID) {
            return entriesAdded - g.entriesRead
        }
        guard let read = estimatedEntriesRead(at: g.lastID) else { return nil }
        return entriesAdded - read
    }

    /// Moves a group's last-delivered ID forward over an entry it delivers, keeping entries-read as
    /// streamReplyWithRange does.
    func advance(_ g: inout StreamGroup, to id: StreamID) {
        guard id > g.lastID else { return }
        if g.entriesRead != StreamGroup.invalidEntriesRead && !rangeHasTombstones(from: id) {
            g.entriesRead += 1
        } else if entriesAdded != 0 {
            g.entriesRead = estimatedEntriesRead(at: id) ?? StreamGroup.invalidEntriesRead
        }
        g.lastID = id
    }
}

/// One node: the entries appended after its master ID, stored back to back in one byte buffer so that an
/// XADD costs no allocation of its own. Like Redis's listpack node, an entry whose field names equal those of
/// the node's first entry (the master entry) stores only its values.
public struct StreamNode {
    /// The node's key: the ID of the first entry it was given (deleted or not).
    public let master: StreamID
    /// Where each live entry starts in `data`, in ID order.
    var offsets: [UInt32] = []
    /// Per entry, as varints: ms - master.ms, seq, then fieldCount << 1 | sameFields; then for each field (unless
    /// sameFields) and value its length and bytes.
    var data: Bytes = []
    /// Tombstones: entries deleted from this node, which still count against stream-node-max-entries. Their
    /// bytes stay in `data`, so the node saves with them as Redis's listpack has them.
    public internal(set) var deleted = 0
    /// The ID of the last entry ever appended, tombstones included (what Redis reads as the node's last ID).
    var lastEverID: StreamID
    /// An estimate of the bytes Redis's listpack for this node takes, for stream-node-max-bytes.
    var lpBytes: Int

    init(master: StreamID) {
        self.master = master
        lastEverID = master
        // Header, end marker and the master entry's counters.
        lpBytes = 7 + 8
    }

    public var liveCount: Int { offsets.count }

    func id(at i: Int) -> StreamID {
        data.withUnsafeBytes { StreamEntry.decodeID(UnsafeRawBufferPointer($0), Int(offsets[i]), master: master) }
    }

    var firstID: StreamID? { offsets.isEmpty ? nil : id(at: 0) }
    var lastID: StreamID? { offsets.isEmpty ? nil : id(at: offsets.count - 1) }

    /// The first live index whose ID is ≥ id.
    func firstIndex(atLeast id: StreamID) -> Int {
        data.withUnsafeBytes { d in
            var lo = 0
            var hi = offsets.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if StreamEntry.decodeID(d, Int(offsets[mid]), master: master) < id { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    func entry(_ d: UnsafeRawBufferPointer, _ i: Int) -> StreamEntry { StreamEntry(data: d, offset: Int(offsets[i]), master: master) }

    mutating func append(_ id: StreamID, fieldCount: Int, pair: (Int) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)) {
        let first = data.isEmpty
        // Same fields as the master entry (the node's first): compared against the names stored there.
        var same = !first
        if same {
            same = data.withUnsafeBytes { d in
                let m = StreamEntry(data: UnsafeRawBufferPointer(d), offset: 0, master: master)
                guard m.fieldCount == fieldCount else { return false }
                var k = 0
                var equal = true
                m.forEachPair { f, _ in
                    if equal && !bytesEqual(f, pair(k).0) { equal = false }
                    k += 1
                }
                return equal
            }
        }
        offsets.append(UInt32(truncatingIfNeeded: data.count))
        appendVarint(id.ms &- master.ms)
        appendVarint(id.seq)
        appendVarint(UInt64(fieldCount) << 1 | (same ? 1 : 0))
        // Flags, the two ID deltas and the back count, as Redis's listpack entry header costs.
        var size = 8
        for i in 0..<fieldCount {
            let (f, v) = pair(i)
            if !same {
                appendVarint(UInt64(f.count))
                data.append(contentsOf: f)
                size += Self.stringSize(f.count)
                if first { size += Self.stringSize(f.count) }
            }
            appendVarint(UInt64(v.count))
            data.append(contentsOf: v)
            size += Self.stringSize(v.count)
        }
        lpBytes += size
        lastEverID = id
    }

    /// Listpack bytes of a string element of this length with its back-length.
    static func stringSize(_ n: Int) -> Int {
        let body = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n
        return body + Listpack.backlenSize(body)
    }

    private mutating func appendVarint(_ v: UInt64) {
        var x = v
        while x >= 0x80 {
            data.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        data.append(UInt8(x))
    }

    /// A node that will take no more entries gives back its arrays' spare capacity.
    mutating func shrink() {
        var o = [UInt32]()
        o.reserveCapacity(offsets.count)
        o.append(contentsOf: offsets)
        offsets = o
        var d = Bytes()
        d.reserveCapacity(data.count)
        d.append(contentsOf: data)
        data = d
    }

    mutating func remove(at i: Int) {
        offsets.remove(at: i)
        deleted += 1
    }

    mutating func removeFirst(_ k: Int) {
        guard k > 0 else { return }
        offsets.removeFirst(k)
        deleted += k
    }

    /// Visits every stored entry, tombstones included, in ID order (the RDB writer builds its listpack from
    /// them). The first is the master entry: its field names are the node's shared ones.
    public func forEachStored(_ body: (StreamEntry, _ deleted: Bool) throws -> Void) rethrows {
        try data.withUnsafeBytes { d in
            var o = 0
            var live = 0
            while o < d.count {
                let e = StreamEntry(data: d, offset: o, master: master)
                let isLive = live < offsets.count && Int(offsets[live]) == o
                if isLive { live += 1 }
                try body(e, !isLive)
                o = e.end
            }
        }
    }
}

/// A view of one entry inside its node, valid during the iteration that produced it.
public struct StreamEntry {
    let data: UnsafeRawBufferPointer
    let offset: Int
    let master: StreamID

    @inline(__always) static func varint(_ d: UnsafeRawBufferPointer, _ o: inout Int) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = d[o]
            o += 1
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    static func decodeID(_ d: UnsafeRawBufferPointer, _ offset: Int, master: StreamID) -> StreamID {
        var o = offset
        let ms = varint(d, &o)
        return StreamID(ms: master.ms &+ ms, seq: varint(d, &o))
    }

    public var id: StreamID { Self.decodeID(data, offset, master: master) }

    /// Field count and whether names come from the master entry, and where the fields start.
    private var header: (count: Int, same: Bool, body: Int) {
        var o = offset
        _ = Self.varint(data, &o)
        _ = Self.varint(data, &o)
        let h = Self.varint(data, &o)
        return (Int(h >> 1), h & 1 == 1, o)
    }

    public var fieldCount: Int { header.count }

    /// Whether the field names are the master entry's (SAMEFIELDS in Redis's listpack).
    public var sharesMasterFields: Bool { header.same }

    /// Where the next stored entry starts.
    var end: Int {
        let (n, same, start) = header
        var o = start
        for _ in 0..<(same ? n : 2 * n) {
            let length = Int(Self.varint(data, &o))
            o += length
        }
        return o
    }

    /// Visits field/value pairs in insertion order.
    public func forEachPair(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows {
        let (n, same, start) = header
        var o = start
        // With shared names, the master entry (at offset 0) is walked alongside for them.
        var m = 0
        if same {
            var mo = 0
            _ = Self.varint(data, &mo)
            _ = Self.varint(data, &mo)
            _ = Self.varint(data, &mo)
            m = mo
        }
        for _ in 0..<n {
            let f: UnsafeRawBufferPointer
            if same {
                let fl = Int(Self.varint(data, &m))
                f = UnsafeRawBufferPointer(rebasing: data[m..<(m + fl)])
                m += fl
                m += Int(Self.varint(data, &m))
            } else {
                let fl = Int(Self.varint(data, &o))
                f = UnsafeRawBufferPointer(rebasing: data[o..<(o + fl)])
                o += fl
            }
            let vl = Int(Self.varint(data, &o))
            let v = UnsafeRawBufferPointer(rebasing: data[o..<(o + vl)])
            o += vl
            try body(f, v)
        }
    }
}

/// A consumer group: its position in the stream, its pending entries list (PEL) and its consumers.
public struct StreamGroup {
    /// Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is unknown.
    public static let invalidEntriesRead: Int64 = -1

    public var lastID: StreamID
    public var entriesRead: Int64
    /// Delivered but not acknowledged entries, each owned by one consumer.
    public internal(set) var pending = IDMap<PendingEntry>()
    public internal(set) var consumers: [Bytes: StreamConsumer] = [:]

    public init(lastID: StreamID, entriesRead: Int64) {
        self.lastID = lastID
        self.entriesRead = entriesRead
    }

    /// Consumers in rax order (byte-wise).
    public var sortedConsumers: [StreamConsumer] {
        consumers.values.sorted { $0.name.lexicographicallyPrecedes($1.name) }
    }

    /// Adds a consumer (streamCreateConsumer); false when it exists.
    @discardableResult
    public mutating func addConsumer(_ name: Bytes, seenTime: Int64, activeTime: Int64 = -1) -> Bool {
        guard consumers[name] == nil else { return false }
        consumers[name] = StreamConsumer(name: name, seenTime: seenTime, activeTime: activeTime)
        return true
    }

    /// RDB loading: an entry of the group PEL, owned by `consumer` (which must have been added).
    public mutating func addLoadedPending(_ id: StreamID, deliveryTime: Int64, deliveryCount: UInt64, consumer: Bytes) {
        pending.insert(id, PendingEntry(deliveryTime: deliveryTime, deliveryCount: deliveryCount, consumer: consumer))
        consumers[consumer]?.pending.insert(id, ())
    }

    /// Gives a pending entry to `consumer`, creating or moving its NACK. `reset` sets the delivery time and count
    /// to a fresh delivery (XREADGROUP); otherwise only the owner changes.
    mutating func assign(_ id: StreamID, to consumer: Bytes, now: Int64) {
        if let old = pending.find(id) {
            if old.consumer != consumer { consumers[old.consumer]?.pending.remove(id) }
        }
        pending.set(id, PendingEntry(deliveryTime: now, deliveryCount: 1, consumer: consumer))
        consumers[consumer]?.pending.set(id, ())
    }

    /// XCLAIM/XAUTOCLAIM: `consumer` takes a pending entry (`nack` as it is, or a new one for FORCE) with
    /// the given delivery time and count.
    mutating func claim(_ id: StreamID, _ nack: PendingEntry, by consumer: Bytes, deliveryTime: Int64,
                        deliveryCount: UInt64, now: Int64) {
        if nack.consumer != consumer { consumers[nack.consumer]?.pending.remove(id) }
        pending.set(id, PendingEntry(deliveryTime: deliveryTime, deliveryCount: deliveryCount, consumer: consumer))
        consumers[consumer]?.pending.set(id, ())
        consumers[consumer]?.activeTime = now
    }

    /// Removes an entry from the PEL and its owner's list (XACK); false when it was not pending.
    mutating func acknowledge(_ id: StreamID) -> Bool {
        guard let nack = pending.remove(id) else { return false }
        consumers[nack.consumer]?.pending.remove(id)
        return true
    }

    /// Deletes a consumer and its pending entries (streamDelConsumer); returns how many were pending.
    mutating func removeConsumer(_ name: Bytes) -> Int? {
        guard let c = consumers.removeValue(forKey: name) else { return nil }
        c.pending.forEach { id, _ in
            pending.remove(id)
            return true
        }
        return c.pending.count
    }
}

/// A NACK: who has a pending entry, when it was last delivered and how many times.
public struct PendingEntry {
    public var deliveryTime: Int64
    public var deliveryCount: UInt64
    public var consumer: Bytes
}

public struct StreamConsumer {
    public let name: Bytes
    /// Last time the consumer was seen by any command (ms).
    public var seenTime: Int64
    /// Last time it read or claimed successfully (ms), -1 never.
    public var activeTime: Int64
    /// The IDs of its pending entries (their NACKs live in the group PEL).
    public internal(set) var pending = IDMap<Void>()

    public init(name: Bytes, seenTime: Int64, activeTime: Int64) {
        self.name = name
        self.seenTime = seenTime
        self.activeTime = activeTime
    }
}
