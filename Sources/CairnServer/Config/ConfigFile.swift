#if canImport(Glibc)
import Glibc
#endif
import RESP

/// One directive of a configuration text, after quoting was undone.
public struct ConfigLine: Equatable, Sendable {
    /// The file it came from; nil for text that came from standard input or the command line alone.
    public let file: String?
    /// 1-based, counted within `file` (an included file counts from its own first line).
    public let lineNumber: Int
    /// The line as written, trimmed, for error reports.
    public let text: String
    /// Lowercased: directive names are case-insensitive.
    public let directive: String
    public let args: [String]

    public init(file: String?, lineNumber: Int, text: String, directive: String, args: [String]) {
        self.file = file
        self.lineNumber = lineNumber
        self.text = text
        self.directive = directive
        self.args = args
    }
}

public enum ConfigFileError: Error, Equatable, Sendable {
    /// A line that cannot be accepted; the server reports it with its line and stops.
    case badLine(file: String?, lineNumber: Int, text: String, reason: String)
    /// A configuration file that cannot be read, with the errno of the failure.
    case unreadable(path: String, code: Int32)
}

/// What redis-server's command line says about configuration: an optional file, whether to read standard
/// input, and `--name value` options turned into config text that is parsed after the file.
public struct ServerCommandLine: Equatable, Sendable {
    /// Absolute, so CONFIG REWRITE still finds it after `dir` changes the working directory.
    public var configFile: String?
    public var readStandardInput = false
    /// One directive per line, arguments quoted, exactly as redis-server builds it: error reports quote
    /// these lines, and their line numbers continue those of the file.
    public var options = ""

    public init(configFile: String? = nil, readStandardInput: Bool = false, options: String = "") {
        self.configFile = configFile
        self.readStandardInput = readStandardInput
        self.options = options
    }

    /// `arguments` includes the program name. A first argument not starting with '-' is the config file;
    /// `-` first or last means standard input; `--name` starts a directive and every following argument
    /// up to the next `--name` is one of its values. A `--name` with nothing after it still takes the next
    /// argument, even one starting with `--`, except `--save`, which then means `save ""`.
    public init(arguments: [String]) {
        guard arguments.count >= 2 else { return }
        var j = 1
        if !arguments[1].hasPrefix("-") {
            configFile = ServerCommandLine.absolutePath(arguments[1])
            j = 2
        }
        var lastNameHasValue = true
        while j < arguments.count {
            let arg = arguments[j]
            if arg == "-" && (j == 1 || j == arguments.count - 1) {
                readStandardInput = true
            } else if lastNameHasValue && arg.hasPrefix("--") {
                if !options.isEmpty { options += "\n" }
                options += String(arg.dropFirst(2)) + " "
                // "--port 6380" given as one argument carries its own value.
                if ConfigFile.splitArgs(arg)?.count == 1 {
                    lastNameHasValue = false
                    if arg.lowercased() == "--save" {
                        let last = j == arguments.count - 1
                        if last || arguments[j + 1].hasPrefix("--") {
                            options += "\"\""
                            lastNameHasValue = !last
                        }
                    }
                } else {
                    lastNameHasValue = true
                }
            } else {
                options += ConfigFile.quote(arg) + " "
                lastNameHasValue = true
            }
            j += 1
        }
    }

    static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let cwd = ConfigFile.currentDirectory() else { return path }
        return cwd.hasSuffix("/") ? cwd + path : cwd + "/" + path
    }
}

/// The redis.conf format: one directive per line, `#` comments, arguments split by `splitArgs`, and
/// `include path` pulling in another file (wildcards allowed) at the point where it appears.
public enum ConfigFile {
    /// Deeper nesting is almost certainly a file that includes itself.
    static let maxIncludeDepth = 32

    /// Calls `body` for each directive in order. Includes are read when reached, relative to the working
    /// directory at that moment, so a `dir` applied by `body` earlier in the file affects them as it would
    /// in Redis.
    public static func parse(_ text: String, file: String?,
                             _ body: (ConfigLine) throws(ConfigFileError) -> Void) throws(ConfigFileError) {
        try parse(text, file: file, depth: 0, body)
    }

    /// All directives, includes expanded.
    public static func parse(_ text: String, file: String?) throws(ConfigFileError) -> [ConfigLine] {
        var lines: [ConfigLine] = []
        try parse(text, file: file) { line throws(ConfigFileError) in lines.append(line) }
        return lines
    }

    private static func parse(_ text: String, file: String?, depth: Int,
                              _ body: (ConfigLine) throws(ConfigFileError) -> Void) throws(ConfigFileError) {
        var number = 0
        for raw in lines(text) {
            number += 1
            let line = trim(raw)
            if line.isEmpty || line.utf8.first == UInt8(ascii: "#") { continue }
            guard var args = splitArgs(line) else {
                throw .badLine(file: file, lineNumber: number, text: line, reason: "Unbalanced quotes in configuration line")
            }
            if args.isEmpty { continue }
            let directive = asciiLowercased(args.removeFirst())
            if directive == "include" && args.count == 1 {
                guard depth < maxIncludeDepth else {
                    throw .badLine(file: file, lineNumber: number, text: line, reason: "Too many nested include directives")
                }
                for path in expandInclude(args[0]) {
                    try parse(try read(path: path), file: path, depth: depth + 1, body)
                }
                continue
            }
            try body(ConfigLine(file: file, lineNumber: number, text: line, directive: directive, args: args))
        }
    }

    /// A pattern with wildcards names every file it matches, possibly none (an empty conf.d is fine);
    /// a plain path must exist.
    private static func expandInclude(_ path: String) -> [String] {
        guard path.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else { return [path] }
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(path, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { i in g.gl_pathv[i].map { String(cString: $0) } }
    }

    public static func read(path: String) throws(ConfigFileError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .unreadable(path: path, code: errno) }
        defer { close(fd) }
        guard let bytes = readAll(fd) else { throw .unreadable(path: path, code: errno) }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func readStandardInput() -> String {
        String(decoding: readAll(0) ?? [], as: UTF8.self)
    }

    static func readAll(_ fd: Int32) -> [UInt8]? {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    static func currentDirectory() -> String? {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buf, buf.count) != nil else { return nil }
        return String(cString: buf)
    }

    /// Split at LF bytes: String's own split would keep "\r\n" together as one Character. The text after
    /// the last LF counts as a line, even when empty.
    static func lines(_ text: String) -> [Substring] {
        text.utf8.split(separator: 10, omittingEmptySubsequences: false).map { Substring($0) }
    }

    /// Redis trims config lines of these four characters only.
    static func trim(_ s: Substring) -> String {
        let u = s.utf8
        var start = u.startIndex
        var end = u.endIndex
        func isTrimmed(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 || c == 10 }
        while start < end && isTrimmed(u[start]) { start = u.index(after: start) }
        while end > start && isTrimmed(u[u.index(before: end)]) { end = u.index(before: end) }
        return String(s[start..<end])
    }

    static func asciiLowercased(_ s: String) -> String {
        String(decoding: s.utf8.map { $0 &- 65 < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Splits a line into arguments the way Redis does for config lines and inline commands (sdssplitargs).
    /// Returns nil for unbalanced quotes.
    public static func splitArgs(_ line: some StringProtocol) -> [String]? {
        InlineSplitter.split(Array(line.utf8))?.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Quotes a value so `splitArgs` gives it back unchanged: Redis's sdscatrepr, which CONFIG REWRITE and
    /// the command line use. Bytes outside printable ASCII become \xHH.
    public static func quote(_ s: String) -> String { ByteRepr.quoted(s) }
}
