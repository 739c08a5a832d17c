/// Redis's sdscatrepr: a byte string in double quotes with C escapes and \\xHH for anything unprintable.
/// MONITOR lines, config rewrites and command-line re-quoting all use it, and InlineSplitter reads it back.
public enum ByteRepr {
    public static func appendQuoted(_ b: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        out.append(UInt8(ascii: "\""))
        for c in b {
            switch c {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(contentsOf: [92, c])
            case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 7: out.append(contentsOf: [92, UInt8(ascii: "a")])
            case 8: out.append(contentsOf: [92, UInt8(ascii: "b")])
            case 32...126: out.append(c)
            default:
                out.append(contentsOf: [92, UInt8(ascii: "x"), hex.utf8Start[Int(c >> 4)], hex.utf8Start[Int(c & 15)]])
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    public static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        var s = s
        s.withUTF8 { appendQuoted(UnsafeRawBufferPointer($0), to: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}
