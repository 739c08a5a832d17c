#if canImport(Glibc)
import Glibc
#endif

/// What a cairn-dump input holds, told from its bytes (never from its name alone).
public enum InputFormat: String {
    case rdb
    /// A single append-only file, possibly starting with an RDB preamble.
    case aof
    /// A multi-part AOF: its manifest (given directly, or found in the directory given).
    case aofManifest = "aof-manifest"
    case jsonl

    /// Detects the format of `path` and returns the file to read: for a directory, the manifest in it.
    public static func detect(_ path: String) throws(ToolError) -> (InputFormat, String) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw ToolError(.io, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            guard let dir = opendir(path) else { throw ToolError(.io, "cannot read directory \(path): \(String(cString: strerror(errno)))") }
            defer { closedir(dir) }
            while let e = readdir(dir) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name.hasSuffix(".manifest") { return (.aofManifest, path + "/" + name) }
            }
            throw ToolError(.badInput, "\(path) is a directory without an AOF manifest (*.manifest); give an RDB, AOF or JSONL file, or an appendonlydir")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ToolError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 16)
        let n = max(0, pread(fd, &head, head.count, 0))
        var tail = [UInt8](repeating: 0, count: 9)
        let size = Int(st.st_size)
        let tn = size >= 9 ? pread(fd, &tail, 9, off_t(size - 9)) : 0
        guard let format = classify(Array(head[0..<n]), tail: tn == 9 ? tail : []) else {
            let shown = head[0..<min(n, 8)].map { String($0, radix: 16) }.joined(separator: " ")
            throw ToolError(.badInput, "cannot tell the format of \(path) (it starts with bytes \(shown.isEmpty ? "<empty file>" : shown)): expected an RDB file (REDIS/VALKEY magic), an AOF file ('*' or '#'), an AOF manifest ('file ...') or JSONL ('{')")
        }
        return (format, path)
    }

    /// The format of a file that starts with `head` and ends with `tail` (its last 9 bytes, when it has them).
    /// An RDB ends with EOF (0xFF) and its 8-byte checksum (or just EOF before version 5); an AOF whose
    /// RDB preamble is followed by commands ends with a command's CRLF.
    public static func classify(_ head: [UInt8], tail: [UInt8]) -> InputFormat? {
        // An empty file is an AOF without commands, as Redis creates an empty incr file.
        guard let first = head.first else { return .aof }
        if head.starts(with: Array("REDIS".utf8)) || head.starts(with: Array("VALKEY".utf8)) {
            if tail.count == 9, tail[7] == 13, tail[8] == 10, tail[0] != 0xFF { return .aof }
            return .rdb
        }
        if head.starts(with: Array("file ".utf8)) { return .aofManifest }
        switch first {
        case UInt8(ascii: "*"), UInt8(ascii: "#"): return .aof
        case UInt8(ascii: "{"): return .jsonl
        default: return nil
        }
    }
}
