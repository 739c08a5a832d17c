import CairnEngine
#if canImport(Glibc)
import CSystem
import Glibc
#endif

/// A thin epoll wrapper. The event loop runs on the main thread and is the only thread that touches clients
/// and the keyspace.
public final class EventLoop {
    public let epfd: Int32
    private var events: UnsafeMutablePointer<epoll_event>
    private let maxEvents = 1024
    private var hadEvents = false

    public init() {
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epfd >= 0, "epoll_create1 failed")
        events = .allocate(capacity: maxEvents)
    }

    deinit {
        events.deallocate()
        close(epfd)
    }

    public func add(_ fd: Int32, readable: Bool, writable: Bool) {
        var ev = epoll_event()
        ev.events = mask(readable, writable)
        ev.data.fd = fd
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)
    }

    public func modify(_ fd: Int32, readable: Bool, writable: Bool) {
        var ev = epoll_event()
        ev.events = mask(readable, writable)
        ev.data.fd = fd
        epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev)
    }

    public func remove(_ fd: Int32) {
        var ev = epoll_event()
        epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev)
    }

    private func mask(_ r: Bool, _ w: Bool) -> UInt32 {
        (r ? EPOLLIN.rawValue : 0) | (w ? EPOLLOUT.rawValue : 0)
    }

    /// Waits up to `timeoutMs` and calls `handle(fd, readable, writable)` for each ready descriptor.
    ///
    /// After a turn that had events, the loop first polls without sleeping for up to `spinMicros`. A thread
    /// asleep in epoll_wait must be woken by whoever writes to its socket, and on a virtual machine an idle
    /// vCPU halts: the wake-up then costs an interrupt to the host and a reschedule, tens of microseconds
    /// that a client sending one request at a time waits for on every request. Polling only after busy turns
    /// keeps an idle server asleep.
    public func poll(timeoutMs: Int32, spinMicros: Int = 0, _ handle: (Int32, Bool, Bool) -> Void) {
        var n: Int32
        if spinMicros > 0 && hadEvents && timeoutMs != 0 {
            n = epoll_wait(epfd, events, Int32(maxEvents), 0)
            if n == 0 {
                let deadline = Engine.monotonicMicros() + spinMicros
                repeat {
                    n = epoll_wait(epfd, events, Int32(maxEvents), 0)
                } while n == 0 && Engine.monotonicMicros() < deadline
                if n == 0 { n = epoll_wait(epfd, events, Int32(maxEvents), timeoutMs) }
            }
        } else {
            n = epoll_wait(epfd, events, Int32(maxEvents), timeoutMs)
        }
        hadEvents = n > 0
        guard n > 0 else { return }
        let errMask = EPOLLERR.rawValue | EPOLLHUP.rawValue
        for i in 0..<Int(n) {
            let e = events[i]
            let readable = e.events & (EPOLLIN.rawValue | errMask) != 0
            let writable = e.events & (EPOLLOUT.rawValue | errMask) != 0
            handle(e.data.fd, readable, writable)
        }
    }
}
