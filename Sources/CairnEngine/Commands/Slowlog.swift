/// SLOWLOG's ring of commands that took longer than slowlog-log-slower-than.
public final class Slowlog {
    public struct Record {
        public let id: Int
        public let time: Int64
        public let micros: Int
        public let args: [Bytes]
        public let address: String
        public let clientName: Bytes
    }

    public private(set) var records: [Record] = []   // newest first
    private var nextID = 0

    /// Redis keeps at most 32 arguments and 128 bytes of each, noting what was cut.
    func record(args: Args, micros: Int, client: ClientSession, now: Int64, maxLength: Int) {
        guard maxLength > 0 else { return }
        var kept: [Bytes] = []
        let n = min(args.count, 32)
        for i in 0..<n {
            if n == 32 && i == 31 && args.count > 32 {
                kept.append(Bytes(string: "... (\(args.count - 31) more arguments)"))
                break
            }
            let a = args[i]
            if client.isRedacted(i) {
                kept.append(Bytes("(redacted)"))
            } else if a.count > 128 {
                var b = Bytes(a.prefix(128))
                b.append(contentsOf: "... (\(a.count - 128) more bytes)".utf8)
                kept.append(b)
            } else {
                kept.append(Bytes(a))
            }
        }
        records.insert(Record(id: nextID, time: now / 1000, micros: micros, args: kept,
                              address: client.address, clientName: client.name ?? []), at: 0)
        nextID += 1
        if records.count > maxLength { records.removeLast(records.count - maxLength) }
    }

    public func reset() { records.removeAll() }

    public func trim(to maxLength: Int) {
        if records.count > maxLength { records.removeLast(records.count - maxLength) }
    }
}
