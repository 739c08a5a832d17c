/// A string value's bytes in one heap block of exactly their size: a bare Swift object (its 16-byte header)
/// followed by the bytes, with the length kept beside the reference, inside the Value. A [UInt8] adds a
/// 16-byte count-and-capacity header to that, which glibc's 16-byte size classes turn into 16 more bytes a value
/// most of the time (100 bytes: a 128-byte chunk instead of 144; 200 bytes: 224 instead of 240).
///
/// The bytes never change once written, so the block is shared freely (with a snapshot, a reply, a
/// transaction) without copy-on-write checks; edits turn the value into a growable `.rawBytes` array first, as
/// Redis turns an embstr into a raw sds with spare room.
public struct PackedBytes {
    @usableFromInline let storage: ManagedBuffer<Void, UInt8>
    public let count: Int

    @inlinable public init(_ b: UnsafeRawBufferPointer) {
        storage = ManagedBuffer<Void, UInt8>.create(minimumCapacity: b.count) { _ in }
        count = b.count
        if let src = b.baseAddress {
            storage.withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0).copyMemory(from: src, byteCount: b.count) }
        }
    }

    @inlinable public init(_ b: Bytes) {
        self = b.withUnsafeBytes { PackedBytes($0) }
    }

    @inlinable public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeMutablePointerToElements { try body(UnsafeRawBufferPointer(start: $0, count: count)) }
    }

    /// The bytes, copied out.
    @inlinable public var bytes: Bytes { withUnsafeBytes { Bytes($0) } }
}
