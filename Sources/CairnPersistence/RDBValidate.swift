import RESP
import CairnEngine

/// Buffers a validating or visiting reader reuses from key to key, so reading a file allocates per key only
/// for the rare encodings that are still built (streams, ziplists, zipmaps).
final class RDBScratch {
    var key: [UInt8] = []
    var value: [UInt8] = []
    /// The first of a pair while a visitor reads the second (RDBVisit).
    var field: [UInt8] = []
    var compressed: [UInt8] = []
    var members = DuplicateFinder()
    /// A small collection's elements while they are loaded (ValueBuilder).
    let collection = PackedScratch()
    /// LZF output lent in place (`lendString`); it only grows.
    private var inflatedBytes = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// The first `n` bytes of the LZF output buffer, grown when it is smaller.
    func inflated(_ n: Int) -> UnsafeMutableRawBufferPointer {
        if inflatedBytes.count < n {
            inflatedBytes.deallocate()
            inflatedBytes = .allocate(byteCount: max(n, 2 * inflatedBytes.count, 4096), alignment: 16)
        }
        return UnsafeMutableRawBufferPointer(rebasing: inflatedBytes[0..<n])
    }

    deinit { inflatedBytes.deallocate() }
}

/// Finds a repeated member of one collection without an allocation per member: members are copied back to
/// back into one buffer, their hashes sorted, and only members with equal hashes compared byte for byte.
struct DuplicateFinder {
    /// Members back to back in `flat[..<used]`; the array only grows, so adding a member is one memcpy.
    var flat: [UInt8] = []
    var used = 0
    var ends: [Int] = []
    var hashes: [(hash: UInt64, index: Int)] = []

    mutating func reset() {
        used = 0
        ends.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
    }

    mutating func add(_ member: UnsafeRawBufferPointer) {
        hashes.append((KeyHash.hash(member), ends.count))
        let end = used + member.count
        if end > flat.count { flat.append(contentsOf: repeatElement(0, count: max(end - flat.count, flat.count))) }
        if let from = member.baseAddress {
            flat.withUnsafeMutableBytes { ($0.baseAddress! + used).copyMemory(from: from, byteCount: member.count) }
        }
        used = end
        ends.append(end)
    }

    /// An integer member counts as its decimal text, as the collections store it.
    mutating func add(int v: Int64) {
        IntegerFormat.withDigits(v) { add($0) }
    }

    mutating func hasDuplicate() -> Bool {
        guard hashes.count > 1 else { return false }
        hashes.sort { $0.hash < $1.hash }
        return flat.withUnsafeBytes { f in
            func member(_ i: Int) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: f[(i == 0 ? 0 : ends[i - 1])..<ends[i]])
            }
            for j in 1..<hashes.count where hashes[j].hash == hashes[j - 1].hash {
                if member(hashes[j].index).elementsEqual(member(hashes[j - 1].index)) { return true }
            }
            return false
        }
    }
}

/// Validate-only reading (`validateOnly`), for cairn-check-rdb: every value is decoded and checked as the
/// loader checks it (encodings, LZF, counts, scores, duplicate members, empty collections) but the common
/// encodings are not built into Cairn values. Entries then carry an empty string as a stand-in value.
extension RDBReader {
    /// Reads the next string into `out` (replacing its contents, keeping its capacity).
    func string(into out: inout [UInt8]) throws(RDBError) {
        let at = input.offset
        try string(try stringHeader(), at: at, into: &out)
    }

    /// Passes over the next string, decompressing an LZF one to check it, without copying a plain one.
    func skipString() throws(RDBError) {
        let at = input.offset
        let header = try stringHeader()
        if case .raw(let n) = header {
            try input.skip(n)
        } else {
            try string(header, at: at, into: &scratch.value)
        }
    }

    func string(_ header: StringHeader, at: Int, into out: inout [UInt8]) throws(RDBError) {
        switch header {
        case .raw(let n):
            // Most keys of a file are as long as the one before: those are copied over it in place, which costs a
            // fraction of emptying the array and appending to it.
            if out.count == n, let p = try input.take(n) {
                out.withUnsafeMutableBytes { $0.copyMemory(from: p) }
            } else {
                out.removeAll(keepingCapacity: true)
                try input.read(n, appendingTo: &out)
            }
        case .int(let v):
            out.removeAll(keepingCapacity: true)
            out.append(contentsOf: IntegerFormat.bytes(v))
        case .lzf(let clen, let ulen):
            let inflated = try inflate(compressed: clen, length: ulen, at: at)
            out.removeAll(keepingCapacity: true)
            out.append(contentsOf: inflated)
        }
    }

    /// An LZF string's bytes, decompressed into the scratch buffer reused from string to string (valid until the
    /// next one), read in place from the input's buffer when they fit it.
    func inflate(compressed clen: Int, length ulen: Int, at: Int) throws(RDBError) -> UnsafeRawBufferPointer {
        let out = scratch.inflated(ulen)
        let ok: Bool
        if let c = try input.take(clen) {
            ok = LZF.decompress(c, into: out)
        } else {
            scratch.compressed.removeAll(keepingCapacity: true)
            try input.read(clen, appendingTo: &scratch.compressed)
            ok = scratch.compressed.withUnsafeBytes { LZF.decompress($0, into: out) }
        }
        guard ok else { throw fail("Invalid LZF compressed string", at: at) }
        return UnsafeRawBufferPointer(out)
    }

    /// The stand-in value for a valid non-empty collection, or nil for an empty one (as `value(type:at:)`).
    mutating func validatedValue(type t: UInt8, at: Int) throws(RDBError) -> Value? {
        let present = Value.string([])
        let s = scratch
        switch t {
        case RDBType.string:
            try skipString()
            return present
        case RDBType.list:
            let n = try count()
            for _ in 0..<n { try skipString() }
            return n > 0 ? present : nil
        case RDBType.set, RDBType.hash, RDBType.zset, RDBType.zset2:
            let n = try count()
            s.members.reset()
            for _ in 0..<n {
                try string(into: &s.value)
                s.value.withUnsafeBytes { s.members.add($0) }
                if t == RDBType.hash {
                    try skipString()
                } else if t != RDBType.set {
                    if (t == RDBType.zset ? try stringDouble() : try binaryDouble()).isNaN { throw fail("Zset with NAN score detected") }
                }
            }
            if s.members.hasDuplicate() {
                throw fail(t == RDBType.set ? "Duplicate set members detected" : t == RDBType.hash ? "Duplicate hash fields detected" : "Duplicate zset fields detected")
            }
            return n > 0 ? present : nil
        case RDBType.setListpack, RDBType.hashListpack, RDBType.zsetListpack:
            try string(into: &s.value)
            s.members.reset()
            var k = 0
            let everyElement = t == RDBType.setListpack
            try packed(s.value, at: at) { (p: UnsafeRawBufferPointer) throws(PackedFormatError) in
                try ListpackCodec.forEach(p) { int, string throws(PackedFormatError) in
                    if everyElement || k % 2 == 0 {
                        if let int { s.members.add(int: int) } else { s.members.add(string) }
                    } else if t == RDBType.zsetListpack, int == nil {
                        guard let d = NumberParsing.double(string), !d.isNaN else { throw PackedFormatError("bad sorted set score") }
                    }
                    k += 1
                }
            }
            if !everyElement && k % 2 != 0 {
                throw fail(t == RDBType.hashListpack ? "hash blob with an odd element count" : "sorted set blob with an odd element count")
            }
            if s.members.hasDuplicate() {
                throw fail(t == RDBType.setListpack ? "Duplicate set members detected" : t == RDBType.hashListpack ? "Duplicate hash fields detected" : "Duplicate zset fields detected")
            }
            return k > 0 ? present : nil
        case RDBType.setIntset:
            try string(into: &s.value)
            // Decoding checks the values strictly ascend, so there is no duplicate; an empty intset fails.
            _ = try packed(s.value, at: at, IntsetCodec.decode)
            return present
        case RDBType.listQuicklist2:
            let nodes = try count()
            var elements = 0
            for _ in 0..<nodes {
                let container = try length()
                guard container == 1 || container == 2 else { throw fail("Quicklist integrity check failed: unknown container \(container)") }
                let nodeAt = input.offset
                try string(into: &s.value)
                guard !s.value.isEmpty else { throw fail("Quicklist integrity check failed: empty node", at: nodeAt) }
                if container == 1 {
                    elements += 1
                } else {
                    try packed(s.value, at: nodeAt) { (p: UnsafeRawBufferPointer) throws(PackedFormatError) in
                        try ListpackCodec.forEach(p) { _, _ in elements += 1 }
                    }
                }
            }
            return elements > 0 ? present : nil
        default:
            return try value(type: t, at: at)
        }
    }
}
