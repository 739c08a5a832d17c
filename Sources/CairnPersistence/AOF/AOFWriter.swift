#if canImport(Glibc)
import CSystem
import Glibc
#endif
import Foundation
import Synchronization
import CairnEngine

/// When the AOF writer makes appended bytes durable.
public enum AOFSyncPolicy: Sendable { case always, everysec, no }

/// The AOF writer thread: appends the propagation stream's bytes to the current incremental file and syncs
/// them by policy, so the event loop never waits on the disk.
///
/// The event loop hands over each iteration's bytes with `append` and learns progress from `durableOffset`
/// (bytes known to be on stable storage; with `no`, bytes handed to the kernel). With `always`, the thread
/// signals `wake` (an eventfd the loop polls) after each sync, so replies held for durability go out as
/// soon as one fdatasync covers them — group commit: every write queued before the sync shares it.
///
/// Under `always` a sync does not start the moment the previous one ends: the clients that sync just answered
/// are about to write again, and a sync started without them leaves them for the next one, so the clients
/// settle into groups that take turns at the disk and each sync covers only a fraction of them. The thread
/// waits instead until the loop says the writes it expects are in (`append(_:commitAt:)`), in slices of half
/// the previous sync's duration (PostgreSQL's commit_delay, measured rather than configured) for as long as
/// each slice brings new writes: a lone client never waits; answered clients that return slowly but steadily,
/// because the loop is still working through them, are waited for (a fixed half-sync limit cut such a group
/// in two, and the part left behind waited a whole extra sync); one that does not return at all costs a
/// slice once the others are in.
///
/// Gathering keeps the disk idle while the loop answers a group and reads its next writes (R), and the loop
/// idle during the sync (F), so it looks wasteful when F < R. Measured on 2 vCPUs (2026-11, 50 clients SET
/// -P 1, server on one core): F 0.31 ms, R 0.67 ms (the writer waits 0.35 ms for the first write back and
/// gathers 0.31 ms more), 1,050 syncs/s of 49.9 writes, 53.7k SET/s. Starting each sync as soon as the
/// previous ends instead made 2,330 syncs/s of 20 writes and 47.5k SET/s (Redis 49.8k), in every one of four
/// interleaved rounds; trying both in turn (64 syncs each) and keeping the faster made 54.0k, no better than
/// always gathering. R is the loop's own CPU (about 13 µs a client for reply, read and parse), so a sync
/// overlapped with it buys nothing while each extra sync costs the loop a wake-up and a release pass, and
/// split groups wait for two syncs instead of one. Nor was the loss the chained sync's late start (the writer
/// waiting for the core while the loop answered the last sync's clients): with the next batch written before
/// the loop was told of a sync, and the loop yielding until the writer was in fdatasync, the disk idled 15 µs
/// between chained syncs (p50; 548 µs gathering) and chaining still lost (2,955 syncs/s, 43.3k against 51.5k
/// SET/s under perf): on the core they share, the loop's CPU a write rose from 11 to 17 µs and the writer's
/// ~75 µs a sync came 2.5 times as often. Three quarters of the loop's time is in the kernel (perf, gathering),
/// 40% in the replies' write calls: on loopback the sender runs the receiver's TCP path and wakes its task.
///
/// Nor does this thread write the replies its syncs release, although it is idle from a sync's end to the next
/// gather (tried 2026-11, branch aof14-lent-experiment: the loop lent a held client's output to the thread and
/// took it back after the write). With the server on one core, as the benchmarks run both servers, the writes
/// only moved between threads of that core: CPU a sync, loop plus writer, 770 and 814 µs before, 780 and 940
/// after (tools/aof-cycle, two runs each), 0.93 of the throughput with more context switches (paired rounds,
/// syncs faked at 300 µs); unpinned, the writer took the core the single-threaded benchmark client needs, 0.72.
/// The gathering cycle is bound by F plus the client's own ~10 µs a request for the whole group (0.31 + 0.5 ms
/// for 50 clients, about 60k SET/s), whatever the server does in between.
///
/// F itself shrinks when the sync has only data to flush. An append that grows the file makes fdatasync commit
/// the ext4 journal as well (the new size and blocks); so under `always` the thread keeps the file written
/// `reserveBytes` ahead of the appends with AOFPadding's `#` lines and writes records over them, at explicit
/// offsets: the size changes once a reservation, not once a sync. fdatasync of 1.5 KB took 270 µs appended
/// and 186 µs over written blocks on this VM (ext4 on virtio, 2026-11), and SET -c 50 -P 1 rose by a fifth.
/// The reservation is cut off when the thread stops or leaves the file; a crash leaves it, as padding that
/// Redis, Valkey and Cairn's loaders read as annotations (PostgreSQL pre-writes its WAL segments likewise).
public final class AOFWriter: @unchecked Sendable {
    // Shared with the writer thread: guarded by `state`'s mutex, except the atomics.
    private struct State {
        /// Buffers handed over and not yet taken by the thread, in order. The loop hands over the memory its
        /// iteration's bytes were encoded in and continues in a spare buffer's: copying them cost the loop a
        /// memcpy of every byte of the stream (about 1.5% of a SET at -P 16).
        var queue: [ScratchBytes] = []
        /// The bytes in `queue`.
        var queuedBytes = 0
        /// Emptied buffers the thread gives back for the loop to continue in, so that neither side allocates in
        /// the steady state.
        var spares: [ScratchBytes] = []
        var fd: Int32
        var stopping = false
        var syncRequested = false
        /// The thread waits for work, so the next append must wake it. While it is busy, appends only queue:
        /// a burst of loop iterations costs one wake-up, not one each.
        var idle = false
        /// The durable offset as the loop last saw it when it said that the writes the next sync should cover
        /// are queued (always policy). A commit given before the latest sync ended counts for nothing: the
        /// loop had not yet answered that sync's clients, whose next writes the following sync waits for.
        var committedAt = -1
        /// The thread waits for a commit, so a commit must wake the thread.
        var gathering = false
        /// The thread lets a burst gather (everysec, no), so the append that makes the queue reach
        /// `burstBytes` must wake it.
        var gatheringBurst = false
    }
    /// With everysec and no, nobody waits for a write, so the thread lets a burst gather for this long before
    /// writing it: one write and one wake-up per interval however fast the loop turns. Both cost the core the
    /// loop runs on, and ext4 charges each append that grows the file a few microseconds besides the copy (an
    /// 11 KB write costs twice as much per byte as a 45 KB one). The interval bounds what a crash of the
    /// process (not of the machine) can lose beyond what the policy already allows.
    private static let gatherMicros = 2000
    /// A burst this large is written without waiting for the rest of the interval, so that a fast writer
    /// does not build up a large queue.
    private static let burstBytes = 1 << 20
    /// The longest slice `gather` waits for the answered clients' next writes (eight of them at most).
    private static let maxSliceMicros = 5000
    private let state: Mutex<State>
    private let wakeup = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let policy: AOFSyncPolicy
    /// Bytes handed over so far (event loop only), counted from the stream offset the writer started at.
    public private(set) var queuedOffset: Int
    private let written: Atomic<Int>
    private let durable: Atomic<Int>
    private let failure = Mutex<String?>(nil)
    /// The buffers the thread is writing (touched by that thread only); after a failed write they stay here, in
    /// front of what is handed over meanwhile, for the retry.
    private var batch: [ScratchBytes] = []
    /// At most this many emptied buffers wait for the loop: more were made only while the disk fell behind.
    private static let maxSpares = 8
    /// The I/O vectors of the batch being written (this thread only), at most `maxVectors` a call.
    private var vectors: [iovec] = []
    private static let maxVectors = 64
    /// Where the thread's file ends as records see it, and where its reserved padding ends (this thread only;
    /// `fileFd` is the file they describe).
    private var fileEnd = 0
    private var reservedEnd = 0
    private var fileFd: Int32 = -1
    /// Padding for the reservation, made on first use, and AOFPadding's filler.
    private var padding: [UInt8] = []
    private let fillerBuffer: ScratchBytes = {
        let b = ScratchBytes()
        b.append(AOFPadding.filler.count) { p in AOFPadding.filler.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        return b
    }()
    /// How far the reservation reaches past the appends; a batch larger than a quarter of it is simply
    /// appended, which saves writing its space twice.
    private static let reserveBytes = 256 * 1024
    /// Bytes written besides the stream: the fillers that keep the padding after a record readable.
    private let fillerBytes = Atomic<Int>(0)
    /// The size of the current file, as the loop counts it: its size when the writer took it (`fileOrigin`)
    /// plus what was handed over and the fillers written since (`countedAtOrigin` was their sum then).
    private var fileOrigin = 0
    private var countedAtOrigin = 0
    /// fdatasync calls made, for INFO (group commit shows as many writes per sync).
    public let syncCount = Atomic<Int>(0)
    /// Set while a rewrite runs with no-appendfsync-on-rewrite: bytes are written but not synced.
    public let syncSuppressed = Atomic<Bool>(false)
    /// Signalled when a sync finished (always policy).
    public let wake = WakeEvent()

    /// Writes at explicit offsets from `fd`'s current end (O_APPEND, which would make them ignored, is
    /// cleared). The stream's offsets go on from `streamOffset`, where the previous writer left them: replies
    /// held under `always` wait for an offset, which must not go back when the writer is replaced.
    public init(fd: Int32, policy: AOFSyncPolicy, streamOffset: Int = 0) {
        queuedOffset = streamOffset
        written = Atomic(streamOffset)
        durable = Atomic(streamOffset)
        countedAtOrigin = streamOffset
        fileOrigin = Self.adopt(fd)
        state = Mutex(State(fd: fd))
        self.policy = policy
        // Named for the kernel (ps, top, perf): Foundation's Thread.name does not reach it.
        Thread { [self] in
            csystem_set_thread_name("aof-writer")
            ThreadPlacement.placeCurrentThread(.background)
            run()
        }.start()
    }

    /// Bytes on stable storage (or, with `no`, written to the file).
    public var durableOffset: Int { durable.load(ordering: .acquiring) }
    /// Bytes handed over but not yet written to the file (the disk is behind).
    public var unwrittenBytes: Int { queuedOffset - written.load(ordering: .acquiring) }
    /// The current file's size once what was handed over is written, reservation aside (aof_current_size).
    public var fileSize: Int { fileOrigin + queuedOffset + fillerBytes.load(ordering: .relaxed) - countedAtOrigin }
    /// The last write or sync error, if the disk refused; Redis then refuses writes (MISCONF).
    public var lastError: String? { failure.withLock { $0 } }

    /// Hands over bytes to append (copied); returns the offset that covers them. `commitAt` (always policy):
    /// the loop has answered every client whose writes are durable up to this offset and expects no further
    /// writes for the next sync to wait for; nil when it does.
    @discardableResult
    public func append(_ bytes: UnsafeRawBufferPointer, commitAt: Int? = nil) -> Int {
        guard !bytes.isEmpty else { return queuedOffset }
        return enqueue(bytes.count, commitAt: commitAt) { s in
            if s.queue.isEmpty { s.queue.append(s.spares.popLast() ?? ScratchBytes()) }
            s.queue[s.queue.count - 1].append(bytes.count) { $0.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        }
    }

    /// Hands over `buffer`'s bytes by taking its memory (they are not copied) and leaving it empty memory in
    /// exchange; returns the offset that covers them. `commitAt` as for `append(_:commitAt:)`.
    @discardableResult
    public func append(takingContentsOf buffer: ScratchBytes, commitAt: Int? = nil) -> Int {
        guard buffer.count > 0 else { return queuedOffset }
        return enqueue(buffer.count, commitAt: commitAt) { s in
            let taken = s.spares.popLast() ?? ScratchBytes()
            taken.exchangeContents(with: buffer)
            s.queue.append(taken)
        }
    }

    private func enqueue(_ count: Int, commitAt: Int?, _ put: (inout State) -> Void) -> Int {
        queuedOffset += count
        let wakeThread = state.withLock { s -> Bool in
            put(&s)
            s.queuedBytes += count
            defer { s.idle = false }
            if let commitAt { s.committedAt = commitAt }
            if s.gatheringBurst && s.queuedBytes >= Self.burstBytes {
                s.gatheringBurst = false
                return true
            }
            return s.idle || (commitAt != nil && s.gathering)
        }
        if wakeThread { wakeup.signal() }
        return queuedOffset
    }

    /// Switches appends to another file (a new incremental file after a rewrite started): what was queued
    /// before goes to the old file, which is synced and cut back to its records; the caller closes it once
    /// this returns. Returns the old file and its size.
    public func switchFile(to fd: Int32) -> (fd: Int32, size: Int) {
        flush()
        // The thread is idle until the next append: the old file's end and its reservation are settled.
        let size = fileSize
        fileOrigin = Self.adopt(fd)
        countedAtOrigin = queuedOffset + fillerBytes.load(ordering: .relaxed)
        let old = state.withLock { s in
            let old = s.fd
            s.fd = fd
            return old
        }
        // After a failed write the bytes counted are not all in the file: cutting it to their count could
        // lengthen it instead, so the reservation then stays (padding is harmless).
        var st = stat()
        if lastError == nil && fstat(old, &st) == 0 && Int(st.st_size) > size { _ = ftruncate(old, off_t(size)) }
        return (old, size)
    }

    /// Prepares a file handed over for writing at explicit offsets (O_APPEND would make pwritev ignore them);
    /// returns its size.
    private static func adopt(_ fd: Int32) -> Int {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_APPEND)
        return Int(lseek(fd, 0, SEEK_END))
    }

    /// Waits until everything queued is written and synced (shutdown, file switches).
    public func flush() {
        state.withLock { $0.syncRequested = true }
        wakeup.signal()
        while durableOffset < queuedOffset && lastError == nil { usleep(200) }
    }

    /// Flushes, stops the thread and closes the file.
    public func stop() {
        close(detach())
    }

    /// Flushes and stops the thread, handing the still open file back to the caller (a policy change
    /// starts a new writer on it).
    public func detach() -> Int32 {
        flush()
        state.withLock { $0.stopping = true }
        wakeup.signal()
        done.wait()
        wake.close()
        return state.withLock { $0.fd }
    }

    /// Waits, after a sync, until the loop commits the writes queued since, for as long as they keep coming:
    /// a slice in which nothing was queued ends the wait, and so do eight slices in all.
    private func gather(sliceMicros: Int) {
        let synced = durableOffset
        let slice = DispatchTimeInterval.microseconds(sliceMicros)
        var deadline = DispatchTime.now() + slice
        var queued = state.withLock { $0.queuedBytes }
        for _ in 0..<8 {
            while true {
                let ready = state.withLock { s -> Bool in
                    s.gathering = !(s.committedAt >= synced || s.stopping || s.syncRequested)
                    return !s.gathering
                }
                if ready || wakeup.wait(timeout: deadline) == .timedOut { break }
            }
            let (committed, now) = state.withLock { s in (!s.gathering, s.queuedBytes) }
            if committed || now == queued { break }
            queued = now
            deadline = deadline + slice
        }
        state.withLock { $0.gathering = false }
    }

    /// Waits, after a write under everysec or no, for the interval to pass or the queue to reach
    /// `burstBytes`, whichever comes first.
    private func gatherBurst() {
        let start = state.withLock { s -> Bool in
            s.gatheringBurst = s.queuedBytes < Self.burstBytes && !s.stopping && !s.syncRequested
            return s.gatheringBurst
        }
        if start { _ = wakeup.wait(timeout: .now() + .microseconds(Self.gatherMicros)) }
        state.withLock { $0.gatheringBurst = false }
    }

    private func run() {
        var lastSync = Engine.monotonicMicros() / 1000
        var unsynced = false
        /// How long the last fdatasync took, which bounds how long the next one waits for company.
        var lastSyncMicros = 0
        /// Buffers written since the thread last held the lock, to give back as spares then.
        var emptied: [ScratchBytes] = []
        while true {
            // After a failed write the queue is not empty, yet the retry waits for the timeout below.
            let failing = lastError != nil
            let waitForWork = state.withLock { s -> Bool in
                s.idle = (s.queue.isEmpty || failing) && !s.stopping && !s.syncRequested
                return s.idle
            }
            if waitForWork {
                // everysec wakes at least once a second to sync what was written, and a failed write is retried
                // every second; otherwise the thread waits for work.
                if (policy == .everysec && unsynced) || lastError != nil {
                    _ = wakeup.wait(timeout: .now() + .milliseconds(1000))
                } else {
                    wakeup.wait()
                }
            }
            // Also when the thread was idle: the first write back after a sync would otherwise go alone.
            if policy == .always && !failing && lastSyncMicros > 0 {
                // One sync held up by a stalled disk must not hold the following ones for seconds.
                gather(sliceMicros: min(lastSyncMicros / 2, Self.maxSliceMicros))
            }
            let (fd, stopping, syncRequested) = state.withLock { s -> (Int32, Bool, Bool) in
                for emptied in emptied where s.spares.count < Self.maxSpares { s.spares.append(emptied) }
                batch.append(contentsOf: s.queue)
                s.queue.removeAll(keepingCapacity: true)
                s.queuedBytes = 0
                s.idle = false
                let r = s.syncRequested
                s.syncRequested = false
                return (s.fd, s.stopping, r)
            }
            emptied.removeAll(keepingCapacity: true)
            var total = 0
            if !batch.isEmpty, let count = writeBatch(fd) {
                failure.withLock { $0 = nil }
                total = count
                for buffer in batch {
                    buffer.removeAll()
                    emptied.append(buffer)
                }
                batch.removeAll(keepingCapacity: true)
            }
            let writtenNow = written.add(total, ordering: .releasing).newValue
            if total > 0 { unsynced = true }
            let now = Engine.monotonicMicros() / 1000
            switch policy {
            case .always:
                if unsynced {
                    let start = Engine.monotonicMicros()
                    sync(fd, upTo: writtenNow)
                    lastSyncMicros = Engine.monotonicMicros() - start
                }
                unsynced = false
                wake.signal()
            case .everysec:
                if unsynced && (now - lastSync >= 1000 || syncRequested || stopping) {
                    sync(fd, upTo: writtenNow)
                    lastSync = now
                    unsynced = false
                }
            case .no:
                if syncRequested || stopping { _ = fdatasync(fd) }
                durable.store(writtenNow, ordering: .releasing)
                unsynced = false
            }
            if stopping && batch.isEmpty && state.withLock({ $0.queue.isEmpty }) {
                if fileFd == fd && reservedEnd > fileEnd { _ = ftruncate(fd, off_t(fileEnd)) }
                break
            }
            if policy != .always && total > 0 && !stopping { gatherBurst() }
        }
        done.signal()
    }

    private func sync(_ fd: Int32, upTo offset: Int) {
        if syncSuppressed.load(ordering: .relaxed) {
            durable.store(offset, ordering: .releasing)
            return
        }
        syncCount.add(1, ordering: .relaxed)
        if fdatasync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            failure.withLock { $0 = reason }
            return
        }
        durable.store(offset, ordering: .releasing)
    }

    /// Writes the buffers whole, in order, and returns how many bytes of the stream that was; on an error the
    /// file is cut back to where the batch began, as Redis does, so that the retry does not follow a partial
    /// record (a reservation goes with it and is made again).
    private func writeBatch(_ fd: Int32) -> Int? {
        if fd != fileFd {
            fileFd = fd
            fileEnd = Int(lseek(fd, 0, SEEK_END))
            reservedEnd = fileEnd
        }
        let total = batch.reduce(0) { $0 + $1.count }
        let reserving = policy == .always && total <= Self.reserveBytes / 4
        if reserving && fileEnd + total + AOFPadding.filler.count > reservedEnd { reserve(fd, upTo: fileEnd + total) }
        let filler = reserving && AOFPadding.needsFiller(at: fileEnd + total)
        if filler { batch.append(fillerBuffer) }
        defer { if filler { batch.removeLast() } }
        var done = 0
        if writeFully(fd, batch, done: &done) {
            fileEnd += done
            reservedEnd = max(reservedEnd, fileEnd)
            if filler { fillerBytes.add(AOFPadding.filler.count, ordering: .relaxed) }
            return total
        }
        _ = ftruncate(fd, off_t(fileEnd))
        reservedEnd = fileEnd
        return nil
    }

    /// Writes padding from the reservation's end to `reserveBytes` past `offset` (a page boundary). A disk
    /// that refuses it (full) leaves the file as it was: the batch is then appended as without a reservation.
    private func reserve(_ fd: Int32, upTo offset: Int) {
        if padding.isEmpty { padding = AOFPadding.buffer(count: Self.reserveBytes + 4096) }
        if reservedEnd == fileEnd && AOFPadding.needsFiller(at: fileEnd) {
            // The file's last record ends on a padding line's CR or LF (the file was not reserved before).
            let ok = AOFPadding.filler.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(fileEnd)) } == AOFPadding.filler.count
            guard ok else { _ = ftruncate(fd, off_t(fileEnd)); return }
            fileEnd += AOFPadding.filler.count
            reservedEnd = fileEnd
            fillerBytes.add(AOFPadding.filler.count, ordering: .relaxed)
        }
        let target = (offset + Self.reserveBytes + 4095) / 4096 * 4096
        var at = reservedEnd
        while at < target {
            let phase = at % AOFPadding.lineLength
            let n = padding.withUnsafeBytes { p in
                pwrite(fd, p.baseAddress! + phase, min(target - at, p.count - phase), off_t(at))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                _ = ftruncate(fd, off_t(fileEnd))
                reservedEnd = fileEnd
                return
            }
            at += n
        }
        reservedEnd = target
    }

    /// One writev for a batch as a rule: a batch holds a buffer for each loop iteration since the last write.
    private func writeFully(_ fd: Int32, _ buffers: [ScratchBytes], done: inout Int) -> Bool {
        var first = 0
        var offset = 0
        while first < buffers.count {
            vectors.removeAll(keepingCapacity: true)
            for buffer in buffers[first..<min(buffers.count, first + Self.maxVectors)] {
                let from = vectors.isEmpty ? offset : 0
                buffer.withBytes(from..<buffer.count) {
                    vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count))
                }
            }
            var n = pwritev(fd, vectors, Int32(vectors.count), off_t(fileEnd + done))
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                failure.withLock { $0 = reason }
                return false
            }
            done += n
            while first < buffers.count && n >= buffers[first].count - offset {
                n -= buffers[first].count - offset
                first += 1
                offset = 0
            }
            offset += n
        }
        return true
    }
}
