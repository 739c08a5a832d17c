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
/// writes to `wakeFD` (an eventfd the loop polls) after each sync, so replies held for durability go out as
/// soon as one fdatasync covers them — group commit: every write queued before the sync shares it.
public final class AOFWriter: @unchecked Sendable {
    // Shared with the writer thread: guarded by `state`'s mutex, except the atomics.
    private struct State {
        var queue: [[UInt8]] = []
        var fd: Int32
        var stopping = false
        var syncRequested = false
        /// The thread waits for work, so the next append must wake it. While it is busy, appends only queue:
        /// a burst of loop iterations costs one wake-up, not one each.
        var idle = false
    }
    /// With everysec and no, nobody waits for a write, so the thread lets a burst gather for this long before
    /// writing it: one write and no wake-ups per interval however fast the loop turns. It bounds what a
    /// crash of the process (not of the machine) can lose beyond what the policy already allows.
    private static let gatherMicros: useconds_t = 500
    private let state: Mutex<State>
    private let wakeup = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let policy: AOFSyncPolicy
    /// Bytes handed over so far (event loop only).
    public private(set) var queuedOffset = 0
    private let written = Atomic<Int>(0)
    private let durable = Atomic<Int>(0)
    private let failure = Mutex<String?>(nil)
    /// The writer thread's buffer for joining a batch (touched by that thread only).
    private var joined: [UInt8] = []
    /// fdatasync calls made, for INFO (group commit shows as many writes per sync).
    public let syncCount = Atomic<Int>(0)
    /// Set while a rewrite runs with no-appendfsync-on-rewrite: bytes are written but not synced.
    public let syncSuppressed = Atomic<Bool>(false)
    /// Readable when a sync finished (always policy); the event loop drains and polls it.
    public let wakeFD: Int32

    public init(fd: Int32, policy: AOFSyncPolicy) {
        state = Mutex(State(fd: fd))
        self.policy = policy
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        let thread = Thread { [self] in run() }
        thread.name = "aof-writer"
        thread.start()
    }

    /// Bytes on stable storage (or, with `no`, written to the file).
    public var durableOffset: Int { durable.load(ordering: .acquiring) }
    /// Bytes handed over but not yet written to the file (the disk is behind).
    public var unwrittenBytes: Int { queuedOffset - written.load(ordering: .acquiring) }
    /// The last write or sync error, if the disk refused; Redis then refuses writes (MISCONF).
    public var lastError: String? { failure.withLock { $0 } }

    /// Hands over bytes to append; returns the offset that covers them.
    @discardableResult
    public func append(_ bytes: [UInt8]) -> Int {
        guard !bytes.isEmpty else { return queuedOffset }
        queuedOffset += bytes.count
        let wake = state.withLock { s -> Bool in
            s.queue.append(bytes)
            defer { s.idle = false }
            return s.idle
        }
        if wake { wakeup.signal() }
        return queuedOffset
    }

    /// Switches appends to another file (a new incremental file after a rewrite started): what was queued
    /// before goes to the old file, which is synced; the caller closes it once this returns.
    public func switchFile(to fd: Int32) -> Int32 {
        flush()
        return state.withLock { s in
            let old = s.fd
            s.fd = fd
            return old
        }
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
        close(wakeFD)
        return state.withLock { $0.fd }
    }

    private func run() {
        var lastSync = Engine.monotonicMicros() / 1000
        var unsynced = false
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
            let (batch, fd, stopping, syncRequested) = state.withLock { s -> ([[UInt8]], Int32, Bool, Bool) in
                let b = s.queue
                s.queue.removeAll(keepingCapacity: true)
                s.idle = false
                let r = s.syncRequested
                s.syncRequested = false
                return (b, s.fd, s.stopping, r)
            }
            let whole = writeAll(fd, batch)
            if whole < batch.count {
                // Kept, in order, for the next attempt; the file was cut back to its last whole chunk.
                let rest = Array(batch[whole...])
                state.withLock { $0.queue.insert(contentsOf: rest, at: 0) }
            } else if !batch.isEmpty {
                failure.withLock { $0 = nil }
            }
            var total = 0
            for chunk in batch[..<whole] { total += chunk.count }
            let writtenNow = written.add(total, ordering: .releasing).newValue
            if total > 0 { unsynced = true }
            let now = Engine.monotonicMicros() / 1000
            switch policy {
            case .always:
                if unsynced { sync(fd, upTo: writtenNow) }
                unsynced = false
                var one: UInt64 = 1
                _ = Glibc.write(wakeFD, &one, 8)
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
            if stopping && state.withLock({ $0.queue.isEmpty }) { break }
            if policy != .always && total > 0 && !stopping { usleep(Self.gatherMicros) }
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

    /// Writes a batch with one system call (chunks joined first when there are several); returns how many
    /// chunks were written whole. On an error the file is cut back to the end of the last whole chunk, as
    /// Redis does, so that the retry does not follow a partial record.
    private func writeAll(_ fd: Int32, _ batch: [[UInt8]]) -> Int {
        guard !batch.isEmpty else { return 0 }
        let start = lseek(fd, 0, SEEK_END)
        var done = 0
        let ok: Bool
        if batch.count == 1 {
            ok = writeFully(fd, batch[0], done: &done)
        } else {
            if joined.capacity > 4 << 20 { joined = [] }
            joined.removeAll(keepingCapacity: true)
            for chunk in batch { joined.append(contentsOf: chunk) }
            ok = writeFully(fd, joined, done: &done)
        }
        if ok { return batch.count }
        var whole = 0
        var covered = 0
        while whole < batch.count && covered + batch[whole].count <= done {
            covered += batch[whole].count
            whole += 1
        }
        if start >= 0 { _ = ftruncate(fd, start + off_t(covered)) }
        return whole
    }

    private func writeFully(_ fd: Int32, _ bytes: [UInt8], done: inout Int) -> Bool {
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                failure.withLock { $0 = reason }
                return false
            }
            done += n
        }
        return true
    }
}
