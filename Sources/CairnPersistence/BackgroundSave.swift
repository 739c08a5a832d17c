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

    /// Starts `work` on a new detached thread called `name` (visible in top -H and /proc). `whenIdle` runs it
    /// only on CPU time nothing else wants (a BGSAVE); otherwise at background priority.
    public init(name: String, whenIdle: Bool = false, _ work: @escaping @Sendable () throws -> Void) {
        let job = self
        let body: @Sendable () -> Void = {
            var outcome = Outcome.succeeded
            do { try work() } catch { outcome = .failed("\(error)") }
            job.state.withLock { $0 = outcome }
        }
        let box = Unmanaged.passRetained(ThreadBody(name: name, whenIdle: whenIdle, body)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            let b = Unmanaged<ThreadBody>.fromOpaque(arg!).takeRetainedValue()
            csystem_set_thread_name(b.name)
            // A snapshot shares the cores with the event loop; clients' latency must not pay for it.
            if b.whenIdle { csystem_run_when_idle() } else { csystem_yield_to_foreground() }
            b.body()
            return nil
        }, box)
        if rc == 0 {
            pthread_detach(tid)
        } else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            state.withLock { $0 = .failed("can't create thread: \(String(cString: strerror(rc)))") }
        }
    }

    /// nil while the job runs.
    public var outcome: Outcome? { state.withLock { $0 } }
}

private final class ThreadBody: Sendable {
    let name: String
    let whenIdle: Bool
    let body: @Sendable () -> Void
    init(name: String, whenIdle: Bool, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        self.whenIdle = whenIdle
        self.body = body
    }
}
