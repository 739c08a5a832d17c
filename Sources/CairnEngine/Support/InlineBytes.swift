/// A byte string short enough to live inside the value that holds it, so a short key or string value needs no
/// heap block of its own (the idea of Redis's embstr). The storage's last byte holds the count; the bytes
/// before it hold the string.
public protocol InlineBytes {
    init()
}

extension InlineBytes {
    /// The longest string the type holds.
    @inlinable public static var capacity: Int { MemoryLayout<Self>.size - 1 }

    /// nil when `b` is longer than `capacity`.
    @inlinable public init?(_ b: UnsafeRawBufferPointer) {
        guard b.count <= Self.capacity else { return nil }
        self.init()
        Swift.withUnsafeMutableBytes(of: &self) { dst in
            if b.count > 0 { dst.baseAddress!.copyMemory(from: b.baseAddress!, byteCount: b.count) }
            dst[dst.count - 1] = UInt8(truncatingIfNeeded: b.count)
        }
    }

    @inlinable public var count: Int { Swift.withUnsafeBytes(of: self) { Int($0[$0.count - 1]) } }

    @inlinable public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: self) { all in
            try body(UnsafeRawBufferPointer(rebasing: all[..<Int(all[all.count - 1])]))
        }
    }

    @inlinable public var bytes: Bytes { withUnsafeBytes { Bytes($0) } }
}

/// Up to 16 bytes: a short key. Seventeen bytes with the count, so the key's enum tag still leaves room for
/// the access field before the value in a keyspace slot (see Slot).
public struct InlineBytes16: InlineBytes {
    @usableFromInline var w0: UInt64 = 0
    @usableFromInline var w1: UInt64 = 0
    @usableFromInline var n: UInt8 = 0
    @inlinable public init() {}
}

/// Up to 22 bytes: a short string value. Twenty-three bytes with the count, so Value's tag fits in the
/// 24th and a Value stays three words.
public struct InlineBytes22: InlineBytes {
    @usableFromInline var w0: UInt64 = 0
    @usableFromInline var w1: UInt64 = 0
    @usableFromInline var w2: UInt32 = 0
    @usableFromInline var w3: UInt16 = 0
    @usableFromInline var n: UInt8 = 0
    @inlinable public init() {}
}
