#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import CairnPersistence

/// A host name's lookup: the address to connect to, or getaddrinfo's reason.
enum Resolution: Sendable {
    case address(SocketAddress)
    case failed(String)
}

/// A socket address for connect(2), as getaddrinfo gave it.
struct SocketAddress: Sendable {
    let family: Int32
    let bytes: [UInt8]

    /// A numeric address resolves at once; a host name returns nil here, since resolving it may block.
    static func numeric(host: String, port: Int) -> SocketAddress? {
        if case .address(let address) = lookup(host: host, port: port, numericOnly: true) { return address }
        return nil
    }

    static func lookup(host: String, port: Int, numericOnly: Bool) -> Resolution {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        if numericOnly { hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &res)
        guard rc == 0, let ai = res else { return .failed(String(cString: gai_strerror(rc))) }
        defer { freeaddrinfo(res) }
        let bytes = Array(UnsafeRawBufferPointer(start: ai.pointee.ai_addr, count: Int(ai.pointee.ai_addrlen)))
        return .address(SocketAddress(family: ai.pointee.ai_family, bytes: bytes))
    }
}

/// getaddrinfo for a host name on its own thread ("cairn-resolve"), so a slow or unreachable DNS server never
/// stalls the event loop; the loop polls `result`.
final class HostResolver: Sendable {
    private final class Slot: Sendable {
        let value = Mutex<Resolution?>(nil)
    }
    private let slot = Slot()

    init(host: String, port: Int) {
        let slot = self.slot
        _ = BackgroundJob(name: "cairn-resolve") {
            let result = SocketAddress.lookup(host: host, port: port, numericOnly: false)
            slot.value.withLock { $0 = result }
        }
    }

    /// nil while the lookup runs.
    var result: Resolution? { slot.value.withLock { $0 } }
}
