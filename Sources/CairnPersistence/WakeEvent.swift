#if canImport(Glibc)
import CSystem
import Glibc
#endif

/// An eventfd through which a worker thread (the AOF writer, a save or transfer thread) tells the event loop
/// that something it waits for has happened: the loop polls `fd` with its sockets, so it wakes at once rather
/// than at its next cron tick. Signals that arrive before the loop looks coalesce into one readable event.
public struct WakeEvent: Sendable {
    public let fd: Int32

    public init() {
        fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    }

    /// Any thread.
    public func signal() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// The event loop, once `fd` polled readable: rearms it before the loop acts on what was signalled.
    public func drain() {
        var n: UInt64 = 0
        _ = read(fd, &n, 8)
    }

    public func close() {
        _ = Glibc.close(fd)
    }
}
