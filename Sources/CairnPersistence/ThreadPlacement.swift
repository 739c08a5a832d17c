#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import CSystem

/// A set of CPUs written as taskset and Redis's `*_cpulist` directives write it: "0,2,3", "0,2-3", "0-20:2"
/// (a range with a step). Unlike Redis, which quietly leaves a thread where it was when the text does not
/// parse, a malformed list is refused when the configuration is read.
public struct CPUList: Equatable, Sendable {
    /// Linux's CPU_SETSIZE: the kernel's affinity calls take no CPU number beyond it.
    public static let limit: Int32 = 1024

    public let cpus: [Int32]

    public init?(_ text: String) {
        var cpus: [Int32] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { return nil }
            let bounds = stepParts[0].split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, let first = Self.number(bounds[0]) else { return nil }
            let last = bounds.count == 2 ? Self.number(bounds[1]) : first
            // A step only follows a range, as in util-linux's lists.
            let step = stepParts.count == 2 ? Self.number(stepParts[1]) : 1
            guard let last, let step, step > 0, first <= last, bounds.count == 2 || stepParts.count == 1 else {
                return nil
            }
            cpus.append(contentsOf: stride(from: first, through: last, by: Int(step)))
        }
        self.cpus = Array(Set(cpus)).sorted()
    }

    private static func number(_ text: Substring) -> Int32? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let n = Int32(text), n < limit else { return nil }
        return n
    }
}

/// The kinds of thread Redis's `server_cpulist`, `bio_cpulist`, `aof_rewrite_cpulist` and `bgsave_cpulist`
/// place.
public enum ThreadRole: Sendable {
    /// The event loop (server_cpulist).
    case eventLoop
    /// The AOF writer, Cairn's counterpart of Redis's bio threads (bio_cpulist).
    case background
    /// An AOF rewrite's snapshot thread (aof_rewrite_cpulist).
    case aofRewrite
    /// A BGSAVE's or a full sync's snapshot thread, where Redis forks its child (bgsave_cpulist).
    case snapshot
}

/// Which CPUs each role's threads run on. Configured once at startup; each thread places itself as it starts.
/// A thread inherits its creator's CPUs, and the event loop creates the others once it is placed, so a role
/// without a list keeps Redis's arrangement: snapshot threads share the loop's CPUs (Redis's children inherit
/// the main thread's), and the AOF writer keeps the CPUs the process started with (Redis's bio threads exist
/// before the main thread is placed).
public enum ThreadPlacement {
    private struct Table {
        var lists: [ThreadRole: CPUList] = [:]
        var startup: [Int32] = []
    }
    private static let table = Mutex(Table())

    /// Records the lists and the CPUs the process may use now, before any thread is placed.
    public static func configure(_ lists: [ThreadRole: CPUList]) {
        let startup = currentCPUs()
        table.withLock { $0 = Table(lists: lists, startup: startup) }
    }

    /// Moves the calling thread to its role's CPUs; returns why the kernel refused, if it did.
    @discardableResult
    public static func placeCurrentThread(_ role: ThreadRole) -> String? {
        let (list, startup) = table.withLock { ($0.lists[role]?.cpus, $0.startup) }
        guard let cpus = list ?? (role == .background && !startup.isEmpty ? startup : nil) else { return nil }
        let rc = cpus.withUnsafeBufferPointer { csystem_set_thread_affinity($0.baseAddress, Int32($0.count)) }
        return rc == 0 ? nil : String(cString: strerror(rc))
    }

    /// The calling thread's CPUs.
    public static func currentCPUs() -> [Int32] {
        var buffer = [Int32](repeating: 0, count: Int(CPUList.limit))
        let n = buffer.withUnsafeMutableBufferPointer { csystem_thread_affinity($0.baseAddress, Int32($0.count)) }
        return n > 0 ? Array(buffer[0..<Int(n)]) : []
    }
}
