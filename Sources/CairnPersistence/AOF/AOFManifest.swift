#if canImport(Glibc)
import Glibc
#endif
import RESP

/// The multi-part AOF manifest (Redis 7): which base and incremental files make up the append-only file,
/// one `file <name> seq <n> type b|h|i` line each.
public struct AOFManifest: Equatable, Sendable {
    public enum FileType: UInt8, Sendable { case base = 98, history = 104, incr = 105 }   // 'b', 'h', 'i'

    public struct File: Equatable, Sendable {
        public var name: String
        public var seq: Int64
        public var type: FileType
        public init(name: String, seq: Int64, type: FileType) { self.name = name; self.seq = seq; self.type = type }
    }

    public var base: File?
    public var incrs: [File] = []
    public var history: [File] = []

    public init() {}

    public var isEmpty: Bool { base == nil && incrs.isEmpty }
    /// The files to load, in order: the base, then the incremental files.
    public var loadOrder: [File] { (base.map { [$0] } ?? []) + incrs }
    public var lastBaseSeq: Int64 { base?.seq ?? history.filter { $0.name.hasSuffix(".base.rdb") || $0.name.hasSuffix(".base.aof") }.map(\.seq).max() ?? 0 }
    public var lastIncrSeq: Int64 { incrs.last?.seq ?? 0 }

    public struct ParseError: Error, Equatable, Sendable {
        public let message: String
    }

    /// Parses a manifest with the rules Redis's aofLoadManifestFromFile applies; any violation is an error,
    /// in Redis's words.
    public init(parsing bytes: [UInt8]) throws(ParseError) {
        guard !bytes.isEmpty else { throw ParseError(message: "Found an empty AOF manifest") }
        var start = 0
        while start < bytes.count {
            guard let nl = bytes[start...].firstIndex(of: 10) else {
                throw ParseError(message: "The AOF manifest file contains too long line")
            }
            let line = Array(bytes[start..<nl])
            start = nl + 1
            guard line.count < 1024 else { throw ParseError(message: "The AOF manifest file contains too long line") }
            if line.first == UInt8(ascii: "#") { continue }
            let trimmed = line.drop { Self.isSpace($0) }.reversed().drop { Self.isSpace($0) }.reversed()
            guard !trimmed.isEmpty else { throw ParseError(message: "Invalid AOF manifest file format") }
            guard let words = InlineSplitter.split(Array(trimmed)), words.count >= 6, words.count % 2 == 0 else {
                throw ParseError(message: "Invalid AOF manifest file format")
            }
            var name: String? = nil, seq: Int64 = 0, type: FileType? = nil
            for i in stride(from: 0, to: words.count, by: 2) {
                let key = String(decoding: words[i], as: UTF8.self).lowercased()
                let value = words[i + 1]
                switch key {
                case "file":
                    name = String(decoding: value, as: UTF8.self)
                    if value.contains(UInt8(ascii: "/")) {
                        throw ParseError(message: "File can't be a path, just a filename")
                    }
                case "seq": seq = Int64(String(decoding: value.prefix { $0 >= 48 && $0 <= 57 }, as: UTF8.self)) ?? 0
                case "type": type = value.first.flatMap(FileType.init(rawValue:))
                default: break   // unknown keys are kept for forward compatibility, as Redis does
                }
            }
            guard let name, seq != 0, let type else { throw ParseError(message: "Invalid AOF manifest file format") }
            let file = File(name: name, seq: seq, type: type)
            switch type {
            case .base:
                guard base == nil else { throw ParseError(message: "Found duplicate base file information") }
                base = file
            case .history:
                history.append(file)
            case .incr:
                if let last = incrs.last, seq <= last.seq {
                    throw ParseError(message: "Found a non-monotonic sequence number")
                }
                incrs.append(file)
            }
        }
    }

    /// Reads and parses the manifest file at `path`; nil when there is none.
    public static func load(path: String) throws(ParseError) -> AOFManifest? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return try AOFManifest(parsing: bytes)
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 || b == 10 }

    /// The manifest's text: base, history, then incremental files, names quoted only when they need it.
    public var text: [UInt8] {
        var out: [UInt8] = []
        for f in (base.map { [$0] } ?? []) + history + incrs {
            out += Array("file ".utf8) + Self.formatName(f.name) + Array(" seq \(f.seq) type ".utf8) + [f.type.rawValue, 10]
        }
        return out
    }

    private static func formatName(_ name: String) -> [UInt8] {
        let bytes = Array(name.utf8)
        let plain = bytes.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "'") }
        if plain { return bytes }
        var out: [UInt8] = []
        bytes.withUnsafeBytes { ByteRepr.appendQuoted($0, to: &out) }
        return out
    }
}
