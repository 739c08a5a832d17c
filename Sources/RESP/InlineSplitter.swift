/// Splits an inline command line into arguments with the quoting rules redis-cli and Redis use
/// (sdssplitargs): double quotes with C escapes and \xHH, single quotes with only \' escaped,
/// a closing quote must be followed by a space or the end of the line. Config files use the same rules.
public enum InlineSplitter {
    /// Splits one line into owned arguments; nil for unbalanced quotes.
    public static func split(_ line: [UInt8]) -> [[UInt8]]? {
        var work = line
        let args = ArgBuffer()
        let ok = work.withUnsafeMutableBytes { split($0, end: $0.count, into: args) }
        guard ok else { return nil }
        return args.view.map { Array(work[$0.start..<($0.start + $0.count)]) }
    }

    /// Unescapes in place (output never outruns input) and appends one range per argument.
    /// Returns false for unbalanced quotes.
    static func split(_ b: UnsafeMutableRawBufferPointer, end: Int, into args: ArgBuffer) -> Bool {
        var r = 0
        var w = 0
        while true {
            while r < end && isSpace(b[r]) { r += 1 }
            if r >= end { return true }
            let argStart = w
            var inDouble = false
            var inSingle = false
            var done = false
            while !done {
                if inDouble {
                    guard r < end else { return false }
                    let c = b[r]
                    if c == UInt8(ascii: "\\") && r + 3 < end && b[r + 1] == UInt8(ascii: "x"),
                       let hi = hexValue(b[r + 2]), let lo = hexValue(b[r + 3]) {
                        b[w] = hi << 4 | lo; w += 1; r += 4
                    } else if c == UInt8(ascii: "\\") && r + 1 < end {
                        let e = b[r + 1]
                        let out: UInt8
                        switch e {
                        case UInt8(ascii: "n"): out = 10
                        case UInt8(ascii: "r"): out = 13
                        case UInt8(ascii: "t"): out = 9
                        case UInt8(ascii: "b"): out = 8
                        case UInt8(ascii: "a"): out = 7
                        default: out = e
                        }
                        b[w] = out; w += 1; r += 2
                    } else if c == UInt8(ascii: "\"") {
                        r += 1
                        if r < end && !isSpace(b[r]) { return false }
                        done = true
                    } else {
                        b[w] = c; w += 1; r += 1
                    }
                } else if inSingle {
                    guard r < end else { return false }
                    let c = b[r]
                    if c == UInt8(ascii: "\\") && r + 1 < end && b[r + 1] == UInt8(ascii: "'") {
                        b[w] = UInt8(ascii: "'"); w += 1; r += 2
                    } else if c == UInt8(ascii: "'") {
                        r += 1
                        if r < end && !isSpace(b[r]) { return false }
                        done = true
                    } else {
                        b[w] = c; w += 1; r += 1
                    }
                } else {
                    if r >= end { done = true; break }
                    let c = b[r]
                    if c == 32 || c == 10 || c == 13 || c == 9 { r += 1; done = true }
                    else if c == UInt8(ascii: "\"") { inDouble = true; r += 1 }
                    else if c == UInt8(ascii: "'") { inSingle = true; r += 1 }
                    else { b[w] = c; w += 1; r += 1 }
                }
            }
            args.append(ArgRange(start: argStart, count: w - argStart))
        }
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool {
        c == 32 || c == 9 || c == 10 || c == 13 || c == 11 || c == 12
    }

    @inline(__always) static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
