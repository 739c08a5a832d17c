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

/// Up to 15 bytes: a short key.
public struct InlineBytes15: InlineBytes {
    @usableFromInline var w0: UInt64 = 0
    @usableFromInline var w1: UInt64 = 0
    @inlinable public init() {}
}

/// Up to 23 bytes: a short string value.
public struct InlineBytes23: InlineBytes {
    @usableFromInline var w0: UInt64 = 0
    @usableFromInline var w1: UInt64 = 0
    @usableFromInline var w2: UInt64 = 0
    @inlinable public init() {}
}
