#if canImport(Glibc)
import Glibc
#endif

/// The bytes an incremental file holds past its last record while the writer keeps space reserved ahead of
/// the appends (`appendfsync always`, see AOFWriter): lines of `#` ending in CRLF, 512 bytes apiece, laid out
/// by absolute file offset. Redis, Valkey and Cairn all skip `#` lines as annotations, so a file cut off by a
/// crash with its reservation still in place loads anywhere unchanged.
///
/// The layout is what makes an append in the middle of it safe: the bytes after any record are the rest of a
/// padding line, which starts with `#` — unless the record ended on the line's CR or LF, the two offsets where
/// the rest would read as an empty line. The writer then follows the record with `filler` (a line of its own),
/// after which the padding resumes on a `#`.
public enum AOFPadding {
    public static let lineLength = 512
    /// Ends a record that would otherwise leave a bare CR or LF at the start of the next line.
    public static let filler: [UInt8] = Array("#\r\n".utf8)

    /// The padding byte at `offset` of the file.
    @inline(__always)
    public static func byte(at offset: Int) -> UInt8 {
        switch offset % lineLength {
        case lineLength - 2: return 13
        case lineLength - 1: return 10
        default: return UInt8(ascii: "#")
        }
    }

    /// Whether appending up to `offset` leaves the padding there unreadable, so that `filler` must follow.
    @inline(__always)
    public static func needsFiller(at offset: Int) -> Bool { byte(at: offset) != UInt8(ascii: "#") }

    /// Padding laid out from offset 0, a line longer than `count`: the bytes for offsets `start..<start + n`
    /// (n ≤ count) begin at index `start % lineLength`.
    public static func buffer(count: Int) -> [UInt8] {
        (0..<(count + lineLength)).map { byte(at: $0) }
    }

    /// Whether an annotation's text (after its `#`, without CRLF) is padding or a filler rather than content.
    public static func isPadding(annotation text: some Collection<UInt8>) -> Bool {
        text.allSatisfy { $0 == UInt8(ascii: "#") }
    }

    /// Where the run of padding that ends the file begins (`size` when the file does not end in padding):
    /// read backwards, so a torn append — the start of a record written over the reservation and cut short by
    /// a crash — can be told from damage, which is followed by records rather than by padding alone.
    public static func trailingRunStart(fd: Int32, size: Int) -> Int {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var end = size
        while end > 0 {
            let start = max(0, end - chunk.count)
            let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, end - start, off_t(start)) }
            guard got == end - start else { return end }
            var i = end - start - 1
            while i >= 0 && chunk[i] == byte(at: start + i) { i -= 1 }
            if i >= 0 { return start + i + 1 }
            end = start
        }
        return 0
    }
}
