#if canImport(Glibc)
import CSystem
import Glibc
#endif

/// Socket setup: listening sockets on TCP (IPv4/IPv6) and unix paths, and per-connection options.
enum Sockets {
    struct Failure: Error { let message: String }

    static func errorText() -> String { String(cString: strerror(errno)) }

    /// Binds one address. An address written "-addr" (Redis's optional form) that cannot be bound
    /// returns nil instead of failing.
    static func listenTCP(address rawAddress: String, port: Int, backlog: Int32) throws(Failure) -> Int32? {
        let optional = rawAddress.hasPrefix("-")
        let address = optional ? String(rawAddress.dropFirst()) : rawAddress
        let isV6 = address.contains(":")
        let fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(message: "Could not create server TCP listening socket \(address):\(port): \(errorText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var rc: Int32
        if isV6 {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = in_port_t(UInt16(port).bigEndian)
            let host = address == "*" || address == "::*" ? "::" : address
            guard inet_pton(AF_INET6, host, &sa.sin6_addr) == 1 else {
                close(fd)
                if optional { return nil }
                throw Failure(message: "Invalid bind address '\(address)'")
            }
            rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(port).bigEndian)
            let host = address == "*" ? "0.0.0.0" : address
            guard inet_pton(AF_INET, host, &sa.sin_addr) == 1 else {
                close(fd)
                if optional { return nil }
                throw Failure(message: "Invalid bind address '\(address)'")
            }
            rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        if rc != 0 || listen(fd, backlog) != 0 {
            let err = errno
            close(fd)
            if optional && (err == EADDRNOTAVAIL || err == EAFNOSUPPORT || err == EPROTONOSUPPORT) { return nil }
            errno = err
            throw Failure(message: "Failed listening on port \(port) (tcp), aborting.: \(errorText())")
        }
        return fd
    }

    static func listenUnix(path: String, permissions: Int, backlog: Int32) throws(Failure) -> Int32 {
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(message: "Could not create server unix socket: \(errorText())") }
        var sa = sockaddr_un()
        sa.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: sa.sun_path) else {
            close(fd)
            throw Failure(message: "unixsocket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &sa.sun_path) { p in
            for (i, b) in bytes.enumerated() { p[i] = b }
        }
        let rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        if rc != 0 || listen(fd, backlog) != 0 {
            let msg = errorText()
            close(fd)
            throw Failure(message: "Failed opening Unix socket: \(msg)")
        }
        if permissions > 0 { chmod(path, mode_t(permissions)) }
        return fd
    }

    /// Accepts one connection; returns the descriptor and the peer as "ip:port" (or the unix path form).
    static func accept(_ listener: Int32, unixPath: String?) -> (Int32, String)? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { csystem_accept4(listener, $0, &len, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)) }
        }
        guard fd >= 0 else { return nil }
        if let unixPath { return (fd, "\(unixPath):0") }
        return (fd, describe(&storage))
    }

    static func describe(_ storage: inout sockaddr_storage) -> String {
        var host = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    var a = p.pointee.sin6_addr
                    inet_ntop(AF_INET6, &a, &host, socklen_t(host.count))
                    return "\(String(cString: host)):\(UInt16(bigEndian: p.pointee.sin6_port))"
                }
            }
        }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                var a = p.pointee.sin_addr
                inet_ntop(AF_INET, &a, &host, socklen_t(host.count))
                return "\(String(cString: host)):\(UInt16(bigEndian: p.pointee.sin_port))"
            }
        }
    }

    static func localAddress(_ fd: Int32) -> String {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return rc == 0 ? describe(&storage) : ""
    }

    /// TCP_NODELAY always; keepalive probes every `keepalive` seconds when positive, as Redis's anetKeepAlive.
    static func configureClient(_ fd: Int32, keepalive: Int) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        guard keepalive > 0 else { return }
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        var idle = Int32(keepalive)
        var interval = Int32(max(keepalive / 3, 1))
        var count: Int32 = 3
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, &idle, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, &interval, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, &count, socklen_t(MemoryLayout<Int32>.size))
    }
}
