/// Copying a key from an RDB reader to an RDB writer element by element, for the encodings with no size bound
/// (linked lists, quicklists, hashtable sets, hashes and sorted sets), so converting or repairing a file never
/// holds a whole collection. The other encodings are one bounded blob (or a stream) and are built whole.
extension RDBReader {
    public enum CopyOutcome {
        /// The key and its value were written.
        case copied
        /// The collection has no element: nothing was written (the loader skips such a key).
        case empty
        /// Nothing was read: build the value with `value(type:at:)` and write it whole.
        case notStreamed
    }

    /// Copies the value of `h` (whose header was just read) with its key to `w`, in the source's own layout:
    /// the same type byte, the same element order. A version 3 sorted set goes out as type 5 (binary scores),
    /// which every version from 8 on reads; a type 18 quicklist for a target before version 10 goes out as
    /// type 14, each listpack node rewritten as a ziplist (a plain node as a ziplist of its one element), so
    /// the node count it starts with still holds. Semantic checks that need the whole collection (duplicate
    /// members) are left to the loader that reads the result.
    public mutating func copyValue(_ h: RDBKeyHeader, to w: RDBWriter) throws -> CopyOutcome {
        let t = h.type
        let target: UInt8
        switch t {
        case RDBType.list, RDBType.set, RDBType.hash, RDBType.zset2, RDBType.listQuicklist: target = t
        case RDBType.zset: target = RDBType.zset2
        case RDBType.listQuicklist2: target = w.options.version >= 10 ? t : RDBType.listQuicklist
        default: return .notStreamed
        }
        let n = try count()
        guard n > 0 else { return .empty }
        try h.key.withUnsafeBytes { try w.keyHeader(key: $0, type: target, expireAt: h.expireAt) }
        w.length(n)
        for _ in 0..<n {
            switch t {
            case RDBType.list, RDBType.set:
                try withString { try w.string($0) }
            case RDBType.hash:
                try withString { try w.string($0) }
                try withString { try w.string($0) }
            case RDBType.zset, RDBType.zset2:
                try withString { try w.string($0) }
                let score = t == RDBType.zset ? try stringDouble() : try binaryDouble()
                if score.isNaN { throw fail("Zset with NAN score detected") }
                w.out.uint(score.bitPattern, 8)
            default:
                let plain = try quicklistNodeIsPlain(type: t)
                if target == RDBType.listQuicklist2 { w.length(plain ? 1 : 2) }
                let nodeAt = input.offset
                try withString { blob in
                    guard blob.count > 0 else { throw fail("Quicklist integrity check failed: empty node", at: nodeAt) }
                    if target != t {
                        var zl = ZiplistBuilder()
                        if plain { zl.append(blob) } else { try forEachListpackElement(blob, at: nodeAt) { zl.append($0) } }
                        try w.string(zl.finish())
                        return
                    }
                    // A packed node is checked before it is copied: the output must load.
                    if !plain {
                        if t == RDBType.listQuicklist {
                            _ = try packed(blob, at: nodeAt, ZiplistCodec.decode)
                        } else {
                            try packed(blob, at: nodeAt) { (p: UnsafeRawBufferPointer) throws(PackedFormatError) in try ListpackCodec.forEach(p) { _, _ in } }
                        }
                    }
                    try w.string(blob)
                }
            }
            try w.out.flushIfLarge()
        }
        return .copied
    }
}
