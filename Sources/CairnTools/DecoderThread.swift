#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import RESP
import CairnEngine
import CairnPersistence

/// Reads a source on a thread of its own ("cairn-decode": file reads, LZF, listpack walking; an RDB file's CRC-64
/// on a third, "cairn-crc") while the calling thread formats and writes what it decoded, so an export takes
/// about the time of the slower half instead of the sum. The decoder records each consumer call into a few
/// fixed, reused batches; the caller replays them in order into its consumer, so the output is byte for byte
/// what a single thread writes.
enum DecoderThread {
    /// Batches in the ring: enough for the decoder to run ahead while a batch is formatted, few enough that
    /// memory stays flat (a batch grows past `KeyEventBatch.size` only for a larger element, and shrinks back).
    static let slots = 6

    /// Scans `source` into `consumer`, decoding on the decoder thread. An error of either side ends the run:
    /// the decoder's after every event it recorded before the error was replayed, the consumer's at once.
    static func scan<C: KeyConsumer>(_ source: DumpSource, into consumer: inout C) throws {
        let ring = KeyEventRing(slots: slots)
        source.checksumOnOwnThread = true
        defer { source.checksumOnOwnThread = false }
        let job = DecoderJob(source: source, ring: ring)
        let thread = BackgroundJob(name: "cairn-decode", yielding: false) { job.run() }
        // The work never throws: a failure here can only be the thread's creation.
        if case .failed(let reason)? = thread.outcome { throw ToolError(.io, reason) }
        var replay = KeyEventReplay()
        var index = 0
        while true {
            let batch = ring.nextFilled(&index)
            do {
                try replay.run(batch, into: &consumer)
            } catch {
                ring.cancelled.store(true, ordering: .relaxed)
                var done = batch.last
                ring.release()
                while !done {
                    let b = ring.nextFilled(&index)
                    done = b.last
                    ring.release()
                }
                throw error
            }
            let (last, failure) = (batch.last, batch.failure)
            ring.release()
            if last {
                if let failure { throw failure }
                return
            }
        }
    }
}

/// The decoder's side. The source is read on the decoder thread only until the last batch is handed over,
/// and the caller touches it again only after receiving that batch (the semaphore orders the two).
private final class DecoderJob: @unchecked Sendable {
    let source: DumpSource
    let ring: KeyEventRing

    init(source: DumpSource, ring: KeyEventRing) {
        self.source = source
        self.ring = ring
    }

    func run() {
        var recorder = KeyEventRecorder(ring: ring)
        do {
            try source.scan(&recorder)
        } catch {
            recorder.batch.failure = error
        }
        recorder.batch.last = true
        ring.handOff(recorder.batch, index: &recorder.index)
    }
}

/// One batch of recorded events: a tag byte, then the event's fields, byte strings as a length and the bytes.
/// Whole streams (built by the reader, not streamed) travel beside the bytes.
final class KeyEventBatch {
    static let size = 1 << 18
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity = KeyEventBatch.size
    var count = 0
    /// Streams, with their DUMP payload when the reader made it from the file's bytes.
    var streams: [(StreamValue, [UInt8]?)] = []
    var failure: Error? = nil
    var last = false

    init() { base = .allocate(byteCount: capacity, alignment: 16) }
    deinit { base.deallocate() }

    /// Empties the batch for reuse, giving back the room a huge element took.
    func reset() {
        count = 0
        streams.removeAll(keepingCapacity: true)
        if capacity > Self.size { resize(Self.size) }
    }

    /// Room for `n` more bytes in a batch holding nothing else.
    func grow(_ n: Int) { resize(n) }

    private func resize(_ n: Int) {
        base.deallocate()
        capacity = n
        base = .allocate(byteCount: n, alignment: 16)
    }
}

/// A fixed ring of batches passed from the decoder to the caller in order. The decoder holds one batch,
/// fills it, hands it over and takes the next free one; the caller replays filled batches in the same cyclic
/// order and frees them. Each batch belongs to one thread at a time, and the semaphores order every hand-over.
final class KeyEventRing: @unchecked Sendable {
    let batches: [KeyEventBatch]
    private let filled = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    /// Set by the caller when it stops early; the decoder then ends at its next hand-over.
    let cancelled = Atomic<Bool>(false)

    init(slots: Int) {
        batches = (0..<slots).map { _ in KeyEventBatch() }
        // The decoder starts out holding batch 0.
        free = DispatchSemaphore(value: slots - 1)
    }

    /// Gives batch `index` to the caller and returns the next one, emptied (the decoder's side).
    func handOff(_ batch: KeyEventBatch, index: inout Int) {
        filled.signal()
        if batch.last { return }
        free.wait()
        index = (index + 1) % batches.count
        batches[index].reset()
    }

    /// The next filled batch (the caller's side); `release` gives it back once replayed.
    func nextFilled(_ index: inout Int) -> KeyEventBatch {
        filled.wait()
        defer { index = (index + 1) % batches.count }
        return batches[index]
    }

    func release() { free.signal() }
}

private enum KeyEvent {
    static let begin: UInt8 = 1, string: UInt8 = 2, element: UInt8 = 3, field: UInt8 = 4, member: UInt8 = 5
    static let stream: UInt8 = 6, end: UInt8 = 7
}

struct DecoderCancelled: Error {}

/// The decoder's consumer: writes each call into the current batch, handing it over when it is full.
private struct KeyEventRecorder: KeyConsumer {
    let ring: KeyEventRing
    var index = 0
    var batch: KeyEventBatch

    init(ring: KeyEventRing) {
        self.ring = ring
        batch = ring.batches[0]
    }

    /// Where the next `n` bytes go; a full batch is handed over first.
    @inline(__always) mutating func room(_ n: Int) throws -> UnsafeMutableRawPointer {
        if batch.capacity - batch.count < n {
            if batch.count > 0 {
                ring.handOff(batch, index: &index)
                batch = ring.batches[index]
                if ring.cancelled.load(ordering: .relaxed) { throw DecoderCancelled() }
            }
            if batch.capacity < n { batch.grow(n) }
        }
        return batch.base + batch.count
    }

    @inline(__always) static func put(_ b: UnsafeRawBufferPointer, at p: UnsafeMutableRawPointer) -> Int {
        p.storeBytes(of: b.count, as: Int.self)
        if let from = b.baseAddress { (p + 8).copyMemory(from: from, byteCount: b.count) }
        return 8 + b.count
    }

    mutating func begin(_ k: KeyInfo) throws -> Bool {
        var type = k.type, encoding = k.encoding
        let n = 1 + 4 * 8 + 3 * 8 + k.key.count + type.utf8.count + encoding.utf8.count
        let p = try room(n)
        p.storeBytes(of: KeyEvent.begin, as: UInt8.self)
        (p + 1).storeBytes(of: k.db, as: Int.self)
        (p + 9).storeBytes(of: k.expireAt, as: Int64.self)
        (p + 17).storeBytes(of: k.offset ?? -1, as: Int.self)
        (p + 25).storeBytes(of: k.rdbType.map(Int.init) ?? -1, as: Int.self)
        var o = 33
        o += k.key.withUnsafeBytes { Self.put($0, at: p + o) }
        // An RDB source's names are those of its type byte (`rdbKeys`), which the other side looks up again.
        if k.rdbType == nil {
            o += type.withUTF8 { Self.put(UnsafeRawBufferPointer($0), at: p + o) }
            o += encoding.withUTF8 { Self.put(UnsafeRawBufferPointer($0), at: p + o) }
        }
        batch.count += o
        return true
    }

    @inline(__always) mutating func bytes(_ tag: UInt8, _ s: UnsafeRawBufferPointer) throws {
        let p = try room(9 + s.count)
        p.storeBytes(of: tag, as: UInt8.self)
        batch.count += 1 + Self.put(s, at: p + 1)
    }

    mutating func string(_ s: UnsafeRawBufferPointer) throws { try bytes(KeyEvent.string, s) }
    mutating func element(_ e: UnsafeRawBufferPointer) throws { try bytes(KeyEvent.element, e) }

    mutating func field(_ f: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) throws {
        let p = try room(17 + f.count + v.count)
        p.storeBytes(of: KeyEvent.field, as: UInt8.self)
        let o = 1 + Self.put(f, at: p + 1)
        batch.count += o + Self.put(v, at: p + o)
    }

    mutating func member(_ m: UnsafeRawBufferPointer, score: Double) throws {
        let p = try room(17 + m.count)
        p.storeBytes(of: KeyEvent.member, as: UInt8.self)
        (p + 1).storeBytes(of: score, as: Double.self)
        batch.count += 9 + Self.put(m, at: p + 9)
    }

    mutating func stream(_ s: StreamValue) throws { try stream(s, nil) }
    mutating func stream(_ s: StreamValue, payload: [UInt8]) throws { try stream(s, Optional(payload)) }

    mutating func stream(_ s: StreamValue, _ payload: [UInt8]?) throws {
        let p = try room(1)
        p.storeBytes(of: KeyEvent.stream, as: UInt8.self)
        batch.count += 1
        batch.streams.append((s, payload))
    }

    mutating func end(_ k: KeyInfo, size: Int) throws {
        let p = try room(9)
        p.storeBytes(of: KeyEvent.end, as: UInt8.self)
        (p + 1).storeBytes(of: size, as: Int.self)
        batch.count += 9
    }
}

/// The caller's side: calls the consumer as the decoder's scan called the recorder. A key's events may span
/// batches, so the key being replayed is kept across them.
private struct KeyEventReplay {
    var info = KeyInfo(db: 0, key: [], type: "", encoding: "", expireAt: -1, rdbType: nil)
    /// The consumer refused the key (`begin` returned false): its events are dropped, as `scan` skips them.
    var skipping = false
    var stream = 0

    mutating func run<C: KeyConsumer>(_ b: KeyEventBatch, into c: inout C) throws {
        var p = UnsafeRawPointer(b.base)
        let end = p + b.count
        stream = 0
        @inline(__always) func int(_ p: inout UnsafeRawPointer) -> Int {
            defer { p += 8 }
            return p.loadUnaligned(as: Int.self)
        }
        @inline(__always) func bytes(_ p: inout UnsafeRawPointer) -> UnsafeRawBufferPointer {
            let n = int(&p)
            defer { p += n }
            return UnsafeRawBufferPointer(start: p, count: n)
        }
        while p < end {
            let tag = p.load(as: UInt8.self)
            p += 1
            switch tag {
            case KeyEvent.begin:
                info.db = int(&p)
                info.expireAt = Int64(int(&p))
                let offset = int(&p), rdbType = int(&p)
                info.offset = offset < 0 ? nil : offset
                info.rdbType = rdbType < 0 ? nil : UInt8(rdbType)
                let key = bytes(&p)
                // One buffer serves every key: overwritten in place when the length repeats (`user:1234`), else
                // refilled within its capacity instead of costing an allocation and a release (a consumer that
                // keeps a key gets it copied on write).
                if info.key.count == key.count {
                    info.key.withUnsafeMutableBytes { $0.copyMemory(from: key) }
                } else {
                    info.key.removeAll(keepingCapacity: true)
                    info.key.append(contentsOf: key)
                }
                if let t = info.rdbType {
                    (info.type, info.encoding) = RDBType.describe(t)
                } else {
                    Self.assign(&info.type, bytes(&p))
                    Self.assign(&info.encoding, bytes(&p))
                }
                skipping = !(try c.begin(info))
            case KeyEvent.string:
                let s = bytes(&p)
                if !skipping { try c.string(s) }
            case KeyEvent.element:
                let e = bytes(&p)
                if !skipping { try c.element(e) }
            case KeyEvent.field:
                let f = bytes(&p), v = bytes(&p)
                if !skipping { try c.field(f, v) }
            case KeyEvent.member:
                let score = p.loadUnaligned(as: Double.self)
                p += 8
                let m = bytes(&p)
                if !skipping { try c.member(m, score: score) }
            case KeyEvent.stream:
                if !skipping {
                    let (s, payload) = b.streams[stream]
                    if let payload { try c.stream(s, payload: payload) } else { try c.stream(s) }
                }
                stream += 1
            default:
                let size = int(&p)
                if !skipping { try c.end(info, size: size) }
            }
        }
    }

    /// Type and encoding names repeat from key to key: a String is made only when the name changes.
    static func assign(_ s: inout String, _ bytes: UnsafeRawBufferPointer) {
        let same = s.withUTF8 { u in u.count == bytes.count && (u.isEmpty || memcmp(u.baseAddress!, bytes.baseAddress!, u.count) == 0) }
        if !same { s = String(decoding: bytes, as: UTF8.self) }
    }
}
