#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine

/// A buffered byte sink (a file descriptor or memory) that keeps a running CRC-64 of everything written. The
/// buffer is raw memory written in place: an array's append cost a uniqueness and capacity check per byte and a
/// generic sequence copy per string, about a tenth of a full sync's sender.
public final class RDBOutput {
    private let bytes = ScratchBytes()
    private let fd: Int32
    private var crcFrom = 0
    private var runningCRC: UInt64 = 0
    public private(set) var written = 0
    /// A full sync's socket sees one write per flush: 256 KiB keeps that a few hundred a second at most.
    static let flushThreshold = 1 << 18
    /// The step of `incrementalSync`, Redis's REDIS_AUTOSYNC_BYTES.
    static let syncStep = 4 << 20
    private let incrementalSync: Bool
    /// The file's bytes below this offset were synced by `incrementalSync`.
    private var syncedTo = 0

    /// Collects the bytes in `buffer`.
    public init() {
        fd = -1
        incrementalSync = false
    }

    /// Writes to `fd` (not closed here) whenever the buffer grows past `flushThreshold`. With
    /// `incrementalSync` (rdb-save-incremental-fsync, as Redis) the file is fdatasync'ed every 4 MB written.
    /// Synced only at the end, a dump reached the disk in one flush of tens of megabytes: on the development
    /// VM the host's work for that flush took the CPU from the guest, and the event loop, on a CPU by the
    /// scheduler's account, went 10-17 ms without a single 4 kHz profile sample (1M-key BGSAVE under 50
    /// writers: a 54 ms cache flush ending the final fsync); a 4 MB flush takes ~6 ms, and the gaps seen
    /// around one (3-4 ms) were no longer than the machine's own outside saves. (1 MB steps were no better.)
    public init(fileDescriptor: Int32, incrementalSync: Bool = false) {
        fd = fileDescriptor
        self.incrementalSync = incrementalSync
    }

    /// Bytes buffered, not yet written to `fd` (all of them for a memory output).
    public var bufferedCount: Int { bytes.count }

    /// The buffered bytes, copied out.
    public var buffer: [UInt8] { bytes.withBytes(0..<bytes.count) { Array($0) } }

    public var crc: UInt64 {
        foldCRC()
        return runningCRC
    }

    private func foldCRC() {
        if bytes.count > crcFrom {
            runningCRC = bytes.withBytes(crcFrom..<bytes.count) { CRC64.update(runningCRC, $0) }
            crcFrom = bytes.count
        }
    }

    @inline(__always) func byte(_ b: UInt8) {
        bytes.append(1) { $0.storeBytes(of: b, as: UInt8.self) }
    }

    func append(_ p: UnsafeRawBufferPointer) throws {
        let n = p.count
        if n > 0 { bytes.append(n) { $0.copyMemory(from: p.baseAddress!, byteCount: n) } }
        try flushIfLarge()
    }

    func append(_ b: [UInt8]) throws {
        try b.withUnsafeBytes { p throws in try append(p) }
    }

    /// `v`'s low `width` bytes, little-endian.
    func uint(_ v: UInt64, _ width: Int) {
        bytes.append(width) { storeLE(v, width, at: $0) }
    }

    func flushIfLarge() throws {
        if fd >= 0 && bytes.count >= Self.flushThreshold { try flush() }
    }

    /// A point of the output to come back to with `rewind`: the bytes before it and their CRC.
    public struct Mark {
        let at: Int
        let crc: UInt64
    }

    public func mark() -> Mark { Mark(at: written + bytes.count, crc: crc) }

    /// Drops everything written after `m`, truncating the file when it was flushed past it: a record that turns
    /// out damaged halfway through its value is taken back whole (a regular file only; else it throws).
    public func rewind(to m: Mark) throws {
        if m.at >= written {
            bytes.removeLast(from: m.at - written)
        } else {
            let end = lseek(fd, 0, SEEK_CUR)
            let target = off_t(Int(end) - (written - m.at))
            guard end >= 0, ftruncate(fd, target) == 0, lseek(fd, target, SEEK_SET) == target else {
                throw RDBError(offset: m.at, reason: "cannot take back a damaged record: \(String(cString: strerror(errno)))")
            }
            written = m.at
            bytes.removeAll()
        }
        runningCRC = m.crc
        crcFrom = bytes.count
    }

    /// Sends buffered bytes to the file; memory outputs keep them.
    public func flush() throws {
        guard fd >= 0 else { return }
        foldCRC()
        try bytes.withBytes(0..<bytes.count) { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw RDBError(offset: written + done, reason: "write error: \(String(cString: strerror(errno)))")
                }
                done += n
            }
            written += done
        }
        bytes.removeAll()
        crcFrom = 0
        if incrementalSync { try syncIfStepWritten() }
    }

    private func syncIfStepWritten() throws {
        guard written - syncedTo >= Self.syncStep else { return }
        guard fdatasync(fd) == 0 else {
            throw RDBError(offset: written, reason: "sync error: \(String(cString: strerror(errno)))")
        }
        syncedTo = written
    }
}

public struct RDBWriteOptions: Sendable {
    public var compression = true
    public var checksum = true
    /// rdb-save-incremental-fsync: a dump file is fdatasync'ed every 4 MB as it is written (RDBOutput).
    public var incrementalSync = false
    /// 11 (Redis 7.2, Valkey 8), 10 (Redis 7.0: no listpack sets, streams without consumer active times) or 9
    /// (Redis 5/6: no listpacks at all, streams without metadata or read counters).
    public var version = RDBType.version
    public init(compression: Bool = true, checksum: Bool = true, version: Int = RDBType.version,
                incrementalSync: Bool = false) {
        self.compression = compression
        self.checksum = checksum
        self.version = version
        self.incrementalSync = incrementalSync
    }
}

/// Serializes values in RDB version 11 exactly as Valkey 8 lays them out.
public struct RDBWriter {
    public let out: RDBOutput
    let options: RDBWriteOptions
    let compressor: LZF.Compressor
    /// Every listpack value is built here in turn (one value at a time: none nests another).
    let listpack = ListpackCodec.Builder()

    /// A caller that writes many small payloads passes one compressor to them all, so its match table is made
    /// once (the output does not depend on what the table held before).
    public init(out: RDBOutput, options: RDBWriteOptions, compressor: LZF.Compressor = LZF.Compressor()) {
        self.out = out
        self.options = options
        self.compressor = compressor
    }

    /// Builds one listpack in `listpack` with `fill` and writes it as a string.
    func listpackString(_ fill: (ListpackCodec.Builder) throws -> Void) throws {
        let lp = listpack
        lp.reset()
        try fill(lp)
        try lp.withFinished { try string($0) }
    }

    // MARK: primitives

    func length(_ v: UInt64) {
        if v < 64 {
            out.byte(UInt8(v))
        } else if v < 16384 {
            out.byte(0x40 | UInt8(v >> 8))
            out.byte(UInt8(v & 0xFF))
        } else if v <= 0xFFFF_FFFF {
            out.byte(0x80)
            for s in stride(from: 24, through: 0, by: -8) { out.byte(UInt8(truncatingIfNeeded: v >> UInt64(s))) }
        } else {
            out.byte(0x81)
            for s in stride(from: 56, through: 0, by: -8) { out.byte(UInt8(truncatingIfNeeded: v >> UInt64(s))) }
        }
    }

    func length(_ v: Int) { length(UInt64(v)) }

    /// rdbEncodeInteger: the 1, 2 or 4 byte integer forms; false when `v` does not fit 32 bits.
    func integer(_ v: Int64) -> Bool {
        if v >= -(1 << 7) && v <= (1 << 7) - 1 {
            out.byte(0xC0)
            out.uint(UInt64(bitPattern: v), 1)
        } else if v >= -(1 << 15) && v <= (1 << 15) - 1 {
            out.byte(0xC1)
            out.uint(UInt64(bitPattern: v), 2)
        } else if v >= -(1 << 31) && v <= (1 << 31) - 1 {
            out.byte(0xC2)
            out.uint(UInt64(bitPattern: v), 4)
        } else {
            return false
        }
        return true
    }

    /// rdbSaveRawString: short canonical integers as integers, LZF over 20 bytes when it saves space.
    func string(_ s: UnsafeRawBufferPointer) throws {
        if let v = canonicalInteger(s, maxLength: 11), integer(v) { return }
        if options.compression && s.count > 20, let packed = compressor.compress(s, limit: s.count - 4) {
            out.byte(0xC3)
            length(packed.count)
            length(s.count)
            try out.append(packed)
            return
        }
        length(s.count)
        try out.append(s)
    }

    func string(_ s: [UInt8]) throws {
        try s.withUnsafeBytes { p throws in try string(p) }
    }

    func string(_ s: String) throws { try string(Array(s.utf8)) }

    // MARK: records

    public func header() throws {
        let v = String(options.version)
        try out.append(Array(("REDIS" + String(repeating: "0", count: 4 - v.count) + v).utf8))
    }

    public func aux(_ key: String, _ value: [UInt8]) throws {
        out.byte(RDBType.opAux)
        try string(key)
        try string(value)
    }

    public func selectDB(_ id: Int, keys: Int, expires: Int) {
        out.byte(RDBType.opSelectDB)
        length(id)
        out.byte(RDBType.opResizeDB)
        length(keys)
        length(expires)
    }

    public func function(_ source: [UInt8]) throws {
        out.byte(RDBType.opFunction2)
        try string(source)
    }

    /// One key, preceded as Redis's rdbSaveKeyValuePair does by its deadline and the access hint the policy
    /// keeps: idle seconds under an LRU policy, the decayed counter under an LFU one.
    public func entry(key: [UInt8], value: Value, expireAt: Int64, idleSeconds: Int64? = nil, frequency: UInt8? = nil) throws {
        try key.withUnsafeBytes { k in
            try entry(key: k, value: value, expireAt: expireAt, idleSeconds: idleSeconds, frequency: frequency)
        }
    }

    /// The key read in place (a snapshot's inline keys would otherwise be copied to an array each).
    public func entry(key: UnsafeRawBufferPointer, value: Value, expireAt: Int64, idleSeconds: Int64? = nil,
                      frequency: UInt8? = nil) throws {
        try keyHeader(key: key, type: typeByte(of: value), expireAt: expireAt, idleSeconds: idleSeconds, frequency: frequency)
        try self.value(value)
    }

    /// A key's record up to its value: the deadline and access hints, the type byte and the name.
    func keyHeader(key: UnsafeRawBufferPointer, type: UInt8, expireAt: Int64, idleSeconds: Int64? = nil, frequency: UInt8? = nil) throws {
        if expireAt >= 0 {
            out.byte(RDBType.opExpireTimeMs)
            out.uint(UInt64(bitPattern: expireAt), 8)
        }
        if let idleSeconds {
            out.byte(RDBType.opIdle)
            length(UInt64(idleSeconds))
        }
        if let frequency {
            out.byte(RDBType.opFreq)
            out.byte(frequency)
        }
        out.byte(type)
        try string(key)
    }

    /// EOF and the checksum (zero when checksums are off); flushes.
    public func end() throws {
        out.byte(RDBType.opEOF)
        out.uint(options.checksum ? out.crc : 0, 8)
        try out.flush()
    }

    // MARK: values

    /// The type byte rdbSaveObjectType writes for the value's encoding.
    public func typeByte(of v: Value) -> UInt8 {
        switch v {
        case .int, .short, .bytes, .rawBytes: return RDBType.string
        case .list: return listpacks ? RDBType.listQuicklist2 : RDBType.list
        case .set(let s):
            if s.isIntset { return RDBType.setIntset }
            return isListpackSet(s) ? RDBType.setListpack : RDBType.set
        case .zset(let z): return listpacks && !z.isSkiplist ? RDBType.zsetListpack : RDBType.zset2
        case .hash(let h): return listpacks && h.isCompact ? RDBType.hashListpack : RDBType.hash
        case .stream: return streamType
        }
    }

    public func value(_ v: Value) throws {
        switch v {
        case .stream(let s):
            try stream(s)
        case .int(let n):
            if !integer(n) { try string(IntegerFormat.bytes(n)) }
        case .bytes(let b):
            try b.withUnsafeBytes { try string($0) }
        case .rawBytes(let b):
            try string(b)
        case .short(let s):
            try s.withUnsafeBytes { try string($0) }
        case .list(let l) where !listpacks:
            length(l.count)
            try l.forEach { (e) throws in try string(e) }
        case .list(let l):
            length(l.nodeCount)
            try l.forEachNode { (items, plain) throws in
                if plain {
                    length(1)
                    try items.withElement(at: items.startPosition) { try string($0) }
                } else {
                    length(2)
                    try listpackString { lp in items.forEach { lp.append($0) } }
                }
            }
        case .set(let s):
            if let ints = s.intsetValues {
                try string(IntsetCodec.encode(ints))
            } else if isListpackSet(s) {
                try listpackString { lp in s.forEachBorrowed { lp.append($0) } }
            } else {
                length(s.count)
                try s.forEachBorrowed { (m) throws in try string(m) }
            }
        case .zset(let z):
            if listpacks && !z.isSkiplist {
                try listpackString { lp in
                    z.forEachBorrowed { member, score in
                        lp.append(member)
                        Self.appendScore(score, to: lp)
                    }
                }
            } else {
                length(z.count)
                var failure: Error? = nil
                // Valkey walks the skiplist from the tail, so members go out in descending order.
                z.walk(from: z.count - 1, reverse: true) { e in
                    do {
                        try string(e.member)
                        out.uint(e.score.bitPattern, 8)
                        return true
                    } catch {
                        failure = error
                        return false
                    }
                }
                if let failure { throw failure }
            }
        case .hash(let h):
            if listpacks && h.isCompact {
                try listpackString { lp in
                    h.forEachBorrowed { f, v in
                        lp.append(f)
                        lp.append(v)
                    }
                }
            } else {
                length(h.count)
                try h.forEachBorrowed { (f, v) throws in
                    try string(f)
                    try string(v)
                }
            }
        }
    }

    /// Listpacks appeared in RDB 10; older files hold those values in the plain types, which every loader reads.
    var listpacks: Bool { options.version >= 10 }

    func isListpackSet(_ s: SetValue) -> Bool {
        options.version >= 11 && s.isListpack
    }

    /// A listpack score as zzlInsertAt stores it: integral values within ±2^62 as integers, others as d2string's
    /// text.
    static func appendScore(_ d: Double, to lp: ListpackCodec.Builder) {
        if let n = ShortestDouble.integral(d) {
            lp.append(int: n)
        } else {
            lp.append(ShortestDouble.bytes(d, .reply))
        }
    }
}
