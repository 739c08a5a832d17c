import RESP

/// The arguments of the command being executed: views into the client's query buffer (or a MULTI queue),
/// valid only while the handler runs. Handlers copy what they keep.
public struct Args {
    public let base: UnsafeRawPointer
    public let ranges: UnsafeBufferPointer<ArgRange>
    /// The arguments are a request whose bytes, from `base`, are their canonical RESP array (see
    /// RequestParser.verbatim).
    public let verbatim: Bool

    @inlinable public init(base: UnsafeRawPointer, ranges: UnsafeBufferPointer<ArgRange>, verbatim: Bool = false) {
        self.base = base
        self.ranges = ranges
        self.verbatim = verbatim
    }

    @inlinable public var count: Int { ranges.count }

    @inlinable public subscript(i: Int) -> UnsafeRawBufferPointer {
        let r = ranges[i]
        return UnsafeRawBufferPointer(start: base + r.start, count: r.count)
    }

    @inlinable public func bytes(_ i: Int) -> Bytes { Bytes(self[i]) }
    public func text(_ i: Int) -> String { String(decoding: self[i], as: UTF8.self) }

    /// Case-insensitive keyword test against a lowercase literal.
    @inlinable public func isKeyword(_ i: Int, _ lower: StaticString) -> Bool { self[i].equalsLowercase(lower) }

    @inlinable public func int64(_ i: Int) throws(CommandError) -> Int64 {
        guard let v = NumberParsing.int64(self[i]) else { throw .notInteger }
        return v
    }

    public func int(_ i: Int) throws(CommandError) -> Int { Int(try int64(i)) }

    public func double(_ i: Int) throws(CommandError) -> Double {
        guard let v = NumberParsing.double(self[i]) else { throw .notFloat }
        return v
    }

    /// Copies all arguments out, for MULTI queues and other places that outlive the query buffer.
    public func owned() -> OwnedArgs { OwnedArgs(self) }
}

/// Arguments that own their bytes in one contiguous buffer.
public struct OwnedArgs {
    public private(set) var storage: Bytes
    public private(set) var ranges: [ArgRange]

    public init(_ args: Args) {
        var total = 0
        for i in 0..<args.count { total += args.ranges[i].count }
        storage = []
        storage.reserveCapacity(total)
        ranges = []
        ranges.reserveCapacity(args.count)
        for i in 0..<args.count {
            ranges.append(ArgRange(start: storage.count, count: args.ranges[i].count))
            storage.append(contentsOf: args[i])
        }
    }

    public init(_ parts: [Bytes]) {
        storage = []
        ranges = []
        for p in parts {
            ranges.append(ArgRange(start: storage.count, count: p.count))
            storage.append(contentsOf: p)
        }
    }

    public var count: Int { ranges.count }
    public func bytes(_ i: Int) -> Bytes { Array(storage[ranges[i].start..<(ranges[i].start + ranges[i].count)]) }

    public func withArgs<R>(_ body: (Args) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { s in
            try ranges.withUnsafeBufferPointer { r in
                // An empty storage has no base address; any non-nil pointer is fine as no range reaches into it.
                try body(Args(base: s.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, ranges: r))
            }
        }
    }
}
