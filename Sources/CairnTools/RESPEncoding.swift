import RESP

/// Commands as RESP arrays of bulk strings, for the tools that write commands (repair, restore).
enum RESPEncoding {
    static func append(_ args: [[UInt8]], to out: inout [UInt8]) {
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
