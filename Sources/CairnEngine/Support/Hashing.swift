/// The keyspace's hash: a fast multiply-mix over 8-byte words with a per-process seed, so clients cannot
/// precompute colliding keys. The full 64-bit result also orders SCAN, so it must never change for a key
/// while the process runs.
public enum KeyHash {
    public static let seed: UInt64 = {
        UInt64.random(in: 1...UInt64.max)
    }()

    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    /// Never returns 0: the keyspace uses 0 to mark empty slots.
    @inlinable @inline(__always)
    public static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        let h = hashRaw(p)
        return h == 0 ? 1 : h
    }

    @usableFromInline
    static func hashRaw(_ p: UnsafeRawBufferPointer) -> UInt64 {
        let k0: UInt64 = 0xa076_1d64_78bd_642f
        let k1: UInt64 = 0xe703_7ed1_a0b4_28db
        let n = p.count
        var h = seed ^ (UInt64(truncatingIfNeeded: n) &* k0)
        guard let base = p.baseAddress else { return mix(h, k1) }
        var i = 0
        while i + 16 <= n {
            let a = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let b = base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
            h = mix(a ^ k0 ^ h, b ^ k1)
            i += 16
        }
        var a: UInt64 = 0
        var b: UInt64 = 0
        let rest = n - i
        if rest >= 8 {
            a = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            b = base.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        } else if rest > 0 {
            // Three bytes that together cover every tail length from 1 to 7.
            a = UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << 16
                | UInt64(base.load(fromByteOffset: i + rest / 2, as: UInt8.self)) << 8
                | UInt64(base.load(fromByteOffset: n - 1, as: UInt8.self))
            if rest >= 4 {
                b = UInt64(base.loadUnaligned(fromByteOffset: i, as: UInt32.self)) << 32
                    | UInt64(base.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            }
        }
        return mix(mix(a ^ k1 ^ h, b ^ k0 ^ UInt64(truncatingIfNeeded: n)), k1 ^ seed)
    }
}
