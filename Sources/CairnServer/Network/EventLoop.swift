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
    public func poll(timeoutMs: Int32, _ handle: (Int32, Bool, Bool) -> Void) {
        let n = epoll_wait(epfd, events, Int32(maxEvents), timeoutMs)
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
