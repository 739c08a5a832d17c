import RESP
import CairnEngine

/// Streams in RDB (types 15, 19 and 21): the nodes as listpacks keyed by their master ID, then the
/// metadata, the consumer groups with their PEL and consumers (spec rdb.md 9.8 and 10.5).
extension RDBReader {
    /// Stream IDs stored raw: 16 bytes, ms then seq, both big-endian.
    func rawID() throws(RDBError) -> StreamID {
        let b = try input.bytes(16)
        return b.withUnsafeBytes { StreamID(encoded: $0)! }
    }

    func idLengths() throws(RDBError) -> StreamID {
        let ms = try length()
        return StreamID(ms: ms, seq: try length())
    }

    func stream(type t: UInt8) throws(RDBError) -> Value {
        var s = StreamValue()
        var lastStored: StreamID? = nil
        var lastMaster: StreamID? = nil
        let nodeCount = try count()
        for _ in 0..<nodeCount {
            let keyAt = input.offset
            let key = try string()
            guard let master = key.withUnsafeBytes({ StreamID(encoded: $0) }) else {
                throw fail("Stream node key entry is not the size of a stream ID", at: keyAt)
            }
            // Binary searches over the nodes rely on ascending keys; Redis's rax would refuse a duplicate.
            if let lastMaster, master <= lastMaster { throw fail("Stream node keys are duplicated or out of order", at: keyAt) }
            lastMaster = master
            let lpAt = input.offset
            let blob = try string()
            let (flat, ends) = try packed(blob, at: lpAt, flatten)
            let failure = flat.withUnsafeBytes { d -> RDBError? in
                do throws(RDBError) {
                    try loadNode(d, ends, master: master, at: lpAt, lastStored: &lastStored, into: &s)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw failure }
        }
        let lengthAt = input.offset
        guard try length() == UInt64(s.count) else { throw fail("Stream length does not match its entries", at: lengthAt) }
        let lastAt = input.offset
        let lastID = try idLengths()
        if let lastStored, lastID < lastStored { throw fail("Stream last ID is below its last entry", at: lastAt) }
        var firstID = StreamID.zero
        s.forEach { id, _ in
            firstID = id
            return false
        }
        var maxDeleted = StreamID.zero
        var entriesAdded = Int64(s.count)
        if t != RDBType.streamListpacks {
            firstID = try idLengths()
            maxDeleted = try idLengths()
            entriesAdded = Int64(bitPattern: try length())
        }
        s.setMetadata(count: s.count, lastID: lastID, firstID: firstID, maxDeletedID: maxDeleted, entriesAdded: entriesAdded)

        let groupCount = try count()
        for _ in 0..<groupCount {
            let nameAt = input.offset
            let name = try string()
            let delivered = try idLengths()
            // Files before Redis 7.0 have no read counter: estimated as Redis does when it loads them.
            let entriesRead = t == RDBType.streamListpacks
                ? s.estimatedEntriesRead(at: delivered) ?? StreamGroup.invalidEntriesRead
                : Int64(bitPattern: try length())
            var group = StreamGroup(lastID: delivered, entriesRead: entriesRead)
            // The PEL comes first without owners; each consumer then names the entries it owns.
            var unowned: [StreamID: (time: Int64, count: UInt64)] = [:]
            let pelCount = try count()
            for _ in 0..<pelCount {
                let at = input.offset
                let id = try rawID()
                let time = Int64(bitPattern: try input.uint(8))
                let deliveries = try length()
                guard unowned.updateValue((time, deliveries), forKey: id) == nil else {
                    throw fail("Duplicated global PEL entry loading stream consumer group", at: at)
                }
            }
            let consumerCount = try count()
            for _ in 0..<consumerCount {
                let at = input.offset
                let consumer = try string()
                let seen = Int64(bitPattern: try input.uint(8))
                // Before Redis 7.2 there is no active time; Redis takes the seen time for it.
                let active = t == RDBType.streamListpacks3 ? Int64(bitPattern: try input.uint(8)) : seen
                guard group.addConsumer(consumer, seenTime: seen, activeTime: active) else {
                    throw fail("Duplicate stream consumer detected", at: at)
                }
                let owned = try count()
                for _ in 0..<owned {
                    let idAt = input.offset
                    let id = try rawID()
                    guard let nack = unowned.removeValue(forKey: id) else {
                        throw fail("Consumer PEL entry not found in the group PEL or owned twice", at: idAt)
                    }
                    group.addLoadedPending(id, deliveryTime: nack.time, deliveryCount: nack.count, consumer: consumer)
                }
            }
            guard unowned.isEmpty else { throw fail("Stream group PEL entry without a consumer", at: nameAt) }
            guard s.addGroup(name, group) else { throw fail("Duplicated consumer group name", at: nameAt) }
        }
        return .stream(s)
    }

    /// A node's listpack as its elements' text back to back (integers written out) and where each ends: two
    /// allocations per node rather than one per element.
    func flatten(_ blob: UnsafeRawBufferPointer) throws(PackedFormatError) -> (Bytes, [Int]) {
        var flat = Bytes()
        flat.reserveCapacity(blob.count * 2)
        var ends: [Int] = []
        // Every element takes at least two bytes of the blob (its encoding and its back length): one allocation
        // instead of one per doubling.
        ends.reserveCapacity(blob.count / 2)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        try ListpackCodec.forEach(blob) { int, string in
            if let int {
                withUnsafeMutableBytes(of: &digits) { buf in
                    let n = IntegerFormat.write(int, into: buf)
                    flat.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[(buf.count - n)...]))
                }
            } else {
                flat.append(contentsOf: string)
            }
            ends.append(flat.count)
        }
        return (flat, ends)
    }

    /// One node's listpack (flattened): the master entry (counts and shared field names), then every entry,
    /// tombstones included, each closed by its element count.
    func loadNode(_ d: UnsafeRawBufferPointer, _ ends: [Int], master: StreamID, at: Int, lastStored: inout StreamID?,
                  into s: inout StreamValue) throws(RDBError) {
        var i = 0
        func element(_ k: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: d[(k == 0 ? 0 : ends[k - 1])..<ends[k]])
        }
        func skip(_ n: Int) throws(RDBError) -> Int {
            guard n <= ends.count - i else { throw fail("Stream node listpack ends inside an entry", at: at) }
            i += n
            return i - n
        }
        func integer() throws(RDBError) -> Int64 {
            guard let v = NumberParsing.int64(element(try skip(1))) else {
                throw fail("Stream node listpack holds text where a number belongs", at: at)
            }
            return v
        }
        func fieldCount() throws(RDBError) -> Int {
            let n = try integer()
            guard n >= 0, n <= ends.count else { throw fail("Stream node field count out of range", at: at) }
            return Int(n)
        }
        let live = try integer()
        let deleted = try integer()
        guard live > 0, deleted >= 0, live <= ends.count, deleted <= ends.count, live + deleted <= ends.count else {
            throw fail("Stream node entry counts out of range", at: at)
        }
        let masterFieldCount = try fieldCount()
        let masterFields = try skip(masterFieldCount)
        guard try integer() == 0 else { throw fail("Stream node master entry is not terminated", at: at) }
        var liveSeen: Int64 = 0
        for k in 0..<Int(live + deleted) {
            let flags = try integer()
            let msDelta = try integer()
            let seqDelta = try integer()
            let id = StreamID(ms: master.ms &+ UInt64(bitPattern: msDelta), seq: master.seq &+ UInt64(bitPattern: seqDelta))
            if let lastStored, id <= lastStored { throw fail("Stream entry IDs are not ascending", at: at) }
            lastStored = id
            let same = flags & 2 != 0
            let n = same ? masterFieldCount : try fieldCount()
            let values = try skip(same ? n : 2 * n)
            guard try integer() == (same ? Int64(n) + 3 : Int64(2 * n) + 4) else {
                throw fail("Stream entry element count is wrong", at: at)
            }
            let isDeleted = flags & 1 != 0
            if !isDeleted { liveSeen += 1 }
            s.appendLoaded(id, newNodeMaster: k == 0 ? master : nil, fieldCount: n, deleted: isDeleted) { f in
                same ? (element(masterFields + f), element(values + f)) : (element(values + 2 * f), element(values + 2 * f + 1))
            }
        }
        guard liveSeen == live, i == ends.count else { throw fail("Stream node counts do not match its entries", at: at) }
    }
}

extension RDBWriter {
    /// Version 11 writes Redis 7.2's type 21, version 10 Redis 7.0's type 19 (no consumer active time),
    /// older versions type 15 (no metadata or read counters).
    var streamType: UInt8 {
        options.version >= 11 ? RDBType.streamListpacks3 : options.version >= 10 ? RDBType.streamListpacks2 : RDBType.streamListpacks
    }

    func stream(_ s: StreamValue) throws {
        let type = streamType
        length(s.nodes.count)
        for node in s.nodes {
            try string(node.master.encoded)
            let lp = listpack
            lp.reset()
            lp.append(int: Int64(node.liveCount))
            lp.append(int: Int64(node.deleted))
            var first = true
            node.forEachStored { e, deleted in
                let n = e.fieldCount
                if first {
                    lp.append(int: Int64(n))
                    e.forEachPair { f, _ in lp.append(f) }
                    lp.append(int: 0)
                }
                // The master entry's own fields are the shared ones, so Redis flags it SAMEFIELDS too.
                let same = first || e.sharesMasterFields
                first = false
                lp.append(int: (deleted ? 1 : 0) | (same ? 2 : 0))
                lp.append(int: Int64(bitPattern: e.id.ms &- node.master.ms))
                lp.append(int: Int64(bitPattern: e.id.seq &- node.master.seq))
                if same {
                    e.forEachPair { _, v in lp.append(v) }
                    lp.append(int: Int64(n) + 3)
                } else {
                    lp.append(int: Int64(n))
                    e.forEachPair { f, v in
                        lp.append(f)
                        lp.append(v)
                    }
                    lp.append(int: Int64(2 * n) + 4)
                }
            }
            try lp.withFinished { try string($0) }
        }
        length(s.count)
        ids(s.lastID)
        if type != RDBType.streamListpacks {
            ids(s.firstID)
            ids(s.maxDeletedID)
            length(UInt64(bitPattern: s.entriesAdded))
        }
        let groups = s.sortedGroups
        length(groups.count)
        for (name, g) in groups {
            try string(name)
            ids(g.lastID)
            if type != RDBType.streamListpacks { length(UInt64(bitPattern: g.entriesRead)) }
            length(g.pending.count)
            try g.pending.forEach { id, nack in
                try out.append(id.encoded)
                out.uint(UInt64(bitPattern: nack.deliveryTime), 8)
                length(nack.deliveryCount)
                return true
            }
            let consumers = g.sortedConsumers
            length(consumers.count)
            for c in consumers {
                try string(c.name)
                out.uint(UInt64(bitPattern: c.seenTime), 8)
                if type == RDBType.streamListpacks3 { out.uint(UInt64(bitPattern: c.activeTime), 8) }
                length(c.pending.count)
                try c.pending.forEach { id, _ in
                    try out.append(id.encoded)
                    return true
                }
            }
        }
    }

    func ids(_ id: StreamID) {
        length(id.ms)
        length(id.seq)
    }
}
