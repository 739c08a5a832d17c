#if canImport(Glibc)
import Glibc
#endif

/// A progress bar on standard error, drawn only when standard error is a terminal, at most ten times a second.
public final class Progress {
    private let total: Int
    private let label: String
    private let enabled: Bool
    private var lastDraw = 0
    private var drawn = false

    public init(label: String, total: Int) {
        self.label = label
        self.total = max(total, 1)
        enabled = isatty(2) != 0
    }

    static func millis() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }

    public func update(bytes: Int, keys: Int) {
        guard enabled else { return }
        let now = Self.millis()
        guard now - lastDraw >= 100 else { return }
        lastDraw = now
        let fraction = min(1.0, Double(bytes) / Double(total))
        let filled = Int(fraction * 30)
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
        let line = "\r\(label) [\(bar)] \(Int(fraction * 100))% \(bytes >> 20)/\(total >> 20) MB, \(keys) keys"
        fputs(line, stderr)
        drawn = true
    }

    public func finish() {
        if drawn { fputs("\r\u{1B}[K", stderr) }
        drawn = false
    }
}
