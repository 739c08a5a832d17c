#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import CSystem

/// Runs a snapshot's serialization on its own named thread; the event loop polls `outcome` from its cron.
/// This is the reusable "snapshot → RDB bytes" step: BGSAVE writes a file with it, and later AOF rewrites and
/// full syncs can hand it another sink.
public final class BackgroundJob: Sendable {
    public enum Outcome: Sendable, Equatable {
        case succeeded
        case failed(String)
    }

    private let state = Mutex<Outcome?>(nil)

    /// Jobs whose threads are running in this process. The event loop does not busy-poll while any is: on a
    /// machine with few cores the spinning would take the core the job needs (see EventLoop.poll).
    public static var running: Int { active.load(ordering: .relaxed) }
    private static let active = Atomic<Int>(0)

    /// Starts `work` on a new detached thread called `name` (visible in top -H and /proc). A `yielding` thread
    /// runs at a lower priority than the event loop; one the server waits on to do anything useful (a replica's
    /// loader) keeps the normal priority, or other processes on a busy machine starve it while the primary waits.
    /// With `wake` the thread signals the event loop once the outcome is set. With `role` the thread moves to
    /// the CPUs configured for it (ThreadPlacement); without, it keeps its creator's.
    public init(name: String, yielding: Bool = true, role: ThreadRole? = nil, wake: WakeEvent? = nil,
                _ work: @escaping @Sendable () throws -> Void) {
        let job = self
        let body: @Sendable () -> Void = {
            var outcome = Outcome.succeeded
            do { try work() } catch { outcome = .failed("\(error)") }
            BackgroundJob.active.subtract(1, ordering: .relaxed)
            job.state.withLock { $0 = outcome }
            wake?.signal()
        }
        // Counted before the thread exists, so that the loop's next turn already leaves the core to it.
        Self.active.add(1, ordering: .relaxed)
        let box = Unmanaged.passRetained(ThreadBody(name: name, yielding: yielding, role: role, body)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            let b = Unmanaged<ThreadBody>.fromOpaque(arg!).takeRetainedValue()
            csystem_set_thread_name(b.name)
            if let role = b.role { ThreadPlacement.placeCurrentThread(role) }
            // A snapshot shares the cores with the event loop; clients' latency must not pay for it.
            if b.yielding { csystem_yield_to_foreground() }
            b.body()
            return nil
        }, box)
        if rc == 0 {
            pthread_detach(tid)
        } else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            Self.active.subtract(1, ordering: .relaxed)
            state.withLock { $0 = .failed("can't create thread: \(String(cString: strerror(rc)))") }
        }
    }

    /// nil while the job runs.
    public var outcome: Outcome? { state.withLock { $0 } }
}

private final class ThreadBody: Sendable {
    let name: String
    let yielding: Bool
    let role: ThreadRole?
    let body: @Sendable () -> Void
    init(name: String, yielding: Bool, role: ThreadRole?, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        self.yielding = yielding
        self.role = role
        self.body = body
    }
}
