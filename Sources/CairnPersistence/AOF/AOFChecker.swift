#if canImport(Glibc)
import Glibc
#endif

/// The checks redis-check-aof makes on one AOF file, with its verdicts and wording: strict RESP records
/// (`*argc`, `$len`, exact CRLFs), `#` annotations, MULTI/EXEC pairing; the offset up to which the file is
/// sound; truncation at a `#TS:` annotation. Reads through a fixed buffer, so any file size is fine.
public struct AOFChecker {
    public enum Outcome: Equatable {
        case ok
        case empty
        /// Damaged after `okUpTo` bytes (the start of the first bad record, or of an unfinished MULTI).
        case damaged(okUpTo: Int, size: Int)
        /// Cut at the first annotation later than the timestamp asked for.
        case truncatedToTimestamp
    }

    public struct Failure: Error { public let message: String }

    /// What the check printed before its verdict (error lines and the "AOF analyzed" summary).
    public private(set) var report: [String] = []
    /// Lines read so far, as redis-check-aof counts them (one more than the CRLFs consumed).
    public private(set) var line = 1
    private var error = ""
    /// Where the last line or bulk read began: the C tool reports errors there (its `epos`).
    private var lastReadAt = 0
    private var reader: LineReader

    /// Checks `fd` from its current position (after an RDB preamble, `startOffset` bytes in). `line` carries
    /// the count on from the previous file of a set: the C tool counts lines across all of them.
    public init(fd: Int32, startOffset: Int = 0, line: Int = 1) {
        reader = LineReader(fd: fd, position: startOffset)
        self.line = line
    }

    /// Walks the records. `truncateAfter` is --truncate-to-timestamp: the file is cut before the first
    /// `#TS:` annotation later than it (only allowed on the last file of a set).
    public mutating func check(name: String, size: Int, isLast: Bool, truncateAfter: Int64? = nil, fd: Int32) throws(Failure) -> Outcome {
        if size == 0 { return .empty }
        var pos = reader.position
        var multi = 0
        while true {
            if multi == 0 { pos = reader.position }
            guard let first = reader.peek() else { break }
            if first == UInt8(ascii: "#") {
                let at = reader.position
                guard let text = reader.gets(max: 1024) else {
                    throw Failure(message: "Failed to read annotations from AOF \(name), aborting...")
                }
                if let ts = truncateAfter, text.starts(with: Array("#TS:".utf8)) {
                    let digits = text.dropFirst(4).prefix { $0 >= 48 && $0 <= 57 }
                    guard let stamp = Int64(String(decoding: digits, as: UTF8.self)),
                          text.dropFirst(4 + digits.count).first == 13 else {
                        throw Failure(message: "Invalid timestamp annotation")
                    }
                    if stamp <= ts { continue }
                    if at == 0 { throw Failure(message: "AOF \(name) has nothing before timestamp \(ts), aborting...") }
                    guard isLast else {
                        throw Failure(message: "Failed to truncate AOF \(name) to timestamp \(ts) to offset \(at) because it is not the last file.\nIf you insist, please delete all files after this file according to the manifest file and delete the corresponding records in manifest file manually. Then re-run cairn-check-aof.")
                    }
                    guard ftruncate(fd, off_t(at)) == 0 else { throw Failure(message: "Failed to truncate AOF \(name) to timestamp \(ts)") }
                    return .truncatedToTimestamp
                }
            } else if first == UInt8(ascii: "*") {
                if !record(name: name, multi: &multi) { break }
            } else {
                report.append("AOF \(name) format error")
                break
            }
        }
        if reader.atEOF && multi != 0 && error.isEmpty { fail(at: lastReadAt, "Reached EOF before reading EXEC for MULTI") }
        if !error.isEmpty { report.append(error) }
        let diff = size - pos
        if diff == 0, let ts = truncateAfter {
            report.append("Truncate nothing in AOF \(name) to timestamp \(ts)")
            return .ok
        }
        report.append("AOF analyzed: filename=\(name), size=\(size), ok_up_to=\(pos), ok_up_to_line=\(line), diff=\(diff)")
        return diff > 0 ? .damaged(okUpTo: pos, size: size) : .ok
    }

    /// One `*argc` record; false (with `error` set, or at end of file) when it is not whole.
    private mutating func record(name: String, multi: inout Int) -> Bool {
        guard let argc = readLong(prefix: UInt8(ascii: "*")) else { return false }
        var i = 0
        while i < argc {
            let at = reader.position
            guard let len = readLong(prefix: UInt8(ascii: "$")) else { return false }
            guard len >= 0 && len <= Int.max - 2 else {
                fail(at: at, "Expected to read string of \(len) bytes, which is not in the suitable range")
                return false
            }
            let start = reader.position
            lastReadAt = start
            let got = reader.read(len + 2)
            guard got.count == len + 2 else {
                fail(at: start, "Expected to read \(len + 2) bytes, got \(got.count) bytes")
                return false
            }
            guard got[len] == 13 && got[len + 1] == 10 else {
                fail(at: start, "Expected \\r\\n, got: \(hex(got[len]))\(hex(got[len + 1]))")
                return false
            }
            line += 1
            if i == 0 {
                let word = String(decoding: got[0..<len], as: UTF8.self).lowercased()
                if word == "multi" {
                    multi += 1
                    if multi > 1 { fail(at: start, "Unexpected MULTI in AOF \(name)"); return false }
                } else if word == "exec" {
                    multi -= 1
                    if multi != 0 { fail(at: start, "Unexpected EXEC in AOF \(name)"); return false }
                }
            }
            i += 1
        }
        return true
    }

    /// A `<prefix><number>\r\n` line, as readLong: nil at end of file or with `error` set.
    private mutating func readLong(prefix: UInt8) -> Int? {
        let at = reader.position
        lastReadAt = at
        guard let text = reader.gets(max: 128) else { return nil }
        guard text.first == prefix else {
            fail(at: at, "Expected prefix '\(Character(Unicode.Scalar(prefix)))', got: '\(Character(Unicode.Scalar(text[0])))'")
            return nil
        }
        var j = 1
        var negative = false
        while j < text.count && text[j] == 32 { j += 1 }
        if j < text.count && (text[j] == UInt8(ascii: "-") || text[j] == UInt8(ascii: "+")) {
            negative = text[j] == UInt8(ascii: "-")
            j += 1
        }
        var value = 0
        while j < text.count && text[j] >= 48 && text[j] <= 57 {
            value = value &* 10 &+ Int(text[j] - 48)
            j += 1
        }
        guard j + 1 < text.count && text[j] == 13 && text[j + 1] == 10 else {
            let a = j < text.count ? text[j] : 0, b = j + 1 < text.count ? text[j + 1] : 0
            fail(at: at, "Expected \\r\\n, got: \(hex(a))\(hex(b))")
            return nil
        }
        line += 1
        return negative ? -value : value
    }

    private mutating func fail(at offset: Int, _ message: String) {
        let h = String(offset, radix: 16)
        error = "0x" + String(repeating: " ", count: max(0, 16 - h.count)) + h + ": " + message
    }

    private func hex(_ b: UInt8) -> String {
        let s = String(b, radix: 16)
        return s.count == 1 ? "0" + s : s
    }
}

/// fgets/fread over a file descriptor with a position, as the C checker reads.
struct LineReader {
    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var start = 0
    private var end = 0
    private(set) var position: Int
    private(set) var atEOF = false

    init(fd: Int32, position: Int) {
        self.fd = fd
        self.position = position
    }

    private mutating func fill() -> Bool {
        if start < end { return true }
        guard !atEOF else { return false }
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
        if n <= 0 { atEOF = true; return false }
        start = 0
        end = n
        return true
    }

    mutating func peek() -> UInt8? { fill() ? buffer[start] : nil }

    /// Up to `max - 1` bytes, through the first newline; nil at end of file.
    mutating func gets(max: Int) -> [UInt8]? {
        var out: [UInt8] = []
        while out.count < max - 1 {
            guard fill() else { break }
            let b = buffer[start]
            start += 1
            position += 1
            out.append(b)
            if b == 10 { break }
        }
        return out.isEmpty ? nil : out
    }

    /// Up to `n` bytes (fewer at end of file).
    mutating func read(_ n: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(n, 1 << 20))
        while out.count < n {
            guard fill() else { break }
            let take = min(n - out.count, end - start)
            out.append(contentsOf: buffer[start..<(start + take)])
            start += take
            position += take
        }
        return out
    }
}
