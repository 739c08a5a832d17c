#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Redis's log line format: `pid:role dd Mon yyyy hh:mm:ss.mmm <level char> message`.
public final class Logger {
    public enum Level: Int, Comparable, Sendable {
        case debug = 0, verbose, notice, warning, nothing
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var mark: Character {
            switch self {
            case .debug: return "."
            case .verbose: return "-"
            case .notice: return "*"
            case .warning, .nothing: return "#"
            }
        }
        public init?(name: String) {
            switch name.lowercased() {
            case "debug": self = .debug
            case "verbose": self = .verbose
            case "notice": self = .notice
            case "warning": self = .warning
            case "nothing": self = .nothing
            default: return nil
            }
        }
    }

    public var level: Level = .notice
    /// "M" for a primary, "S" for a replica, "C" for a child process, as Redis marks its lines.
    public var role: Character = "M"
    private var fd: Int32 = 1
    private var path = ""
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public init() {}

    /// Empty path logs to standard output. Returns an error text when the file cannot be opened.
    public func setFile(_ newPath: String) -> String? {
        if newPath.isEmpty {
            if fd > 2 { close(fd) }
            fd = 1
            path = ""
            return nil
        }
        let f = open(newPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if f < 0 { return "Can't open the log file: \(String(cString: strerror(errno)))" }
        if fd > 2 { close(fd) }
        fd = f
        path = newPath
        return nil
    }

    public func log(_ lvl: Level, _ message: @autoclosure () -> String) {
        guard lvl >= level, level != .nothing else { return }
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = time_t(tv.tv_sec)
        var tmv = tm()
        localtime_r(&t, &tmv)
        let ms = Int(tv.tv_usec) / 1000
        let line = "\(getpid()):\(role) \(pad2(Int(tmv.tm_mday))) \(Self.months[Int(tmv.tm_mon)]) \(1900 + Int(tmv.tm_year)) "
            + "\(pad2(Int(tmv.tm_hour))):\(pad2(Int(tmv.tm_min))):\(pad2(Int(tmv.tm_sec))).\(pad3(ms)) \(lvl.mark) \(message())\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { b in
            var off = 0
            while off < b.count {
                let n = write(fd, b.baseAddress! + off, b.count - off)
                if n <= 0 { break }
                off += n
            }
        }
    }

    public func debug(_ m: @autoclosure () -> String) { log(.debug, m()) }
    public func verbose(_ m: @autoclosure () -> String) { log(.verbose, m()) }
    public func notice(_ m: @autoclosure () -> String) { log(.notice, m()) }
    public func warning(_ m: @autoclosure () -> String) { log(.warning, m()) }

    private func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    private func pad3(_ v: Int) -> String { v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)" }
}
