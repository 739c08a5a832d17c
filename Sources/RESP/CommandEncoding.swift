/// Commands as a client sends them: a RESP array of bulk strings. The AOF rewriter and the offline tools
/// (repair, restore) write commands this way.
public enum CommandEncoding {
    public static func append(_ args: [[UInt8]], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        out += IntegerFormat.bytes(Int64(args.count))
        out += [13, 10]
        for a in args {
            out.append(UInt8(ascii: "$"))
            out += IntegerFormat.bytes(Int64(a.count))
            out += [13, 10]
            out += a
            out += [13, 10]
        }
    }
}
