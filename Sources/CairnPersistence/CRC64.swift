/// Redis's CRC-64 ("Jones" polynomial, reflected, initial value 0), which guards RDB files and DUMP payloads.
public enum CRC64 {
    /// Slicing-by-16 tables, 256 entries each back to back: slice 0 is the byte-at-a-time table and slice k
    /// advances a byte's contribution past k more zero bytes, so sixteen input bytes fold in with sixteen
    /// independent lookups instead of a chain of dependent ones (several times faster on RDB loads and checks).
    static let tables: [UInt64] = {
        var t = [UInt64](repeating: 0, count: 16 * 256)
        for i in 0..<256 {
            var c = UInt64(i)
            for _ in 0..<8 { c = (c >> 1) ^ ((c & 1) != 0 ? 0x95AC_9329_AC4B_C9B5 : 0) }
            t[i] = c
        }
        for k in 1..<16 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()

    /// Continues `crc` over `bytes`; feeding chunks one after another equals feeding their concatenation.
    public static func update(_ crc: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress else { return crc }
        var c = crc
        let n = bytes.count
        var i = 0
        tables.withUnsafeBufferPointer { tb in
            let t = tb.baseAddress!
            @inline(__always) func slice(_ k: Int, _ v: UInt64, _ shift: UInt64) -> UInt64 {
                t[k &* 256 &+ Int(truncatingIfNeeded: (v &>> shift) & 0xFF)]
            }
            while i &+ 16 <= n {
                let a = c ^ UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let b = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self))
                c = slice(15, a, 0) ^ slice(14, a, 8) ^ slice(13, a, 16) ^ slice(12, a, 24)
                    ^ slice(11, a, 32) ^ slice(10, a, 40) ^ slice(9, a, 48) ^ slice(8, a, 56)
                    ^ slice(7, b, 0) ^ slice(6, b, 8) ^ slice(5, b, 16) ^ slice(4, b, 24)
                    ^ slice(3, b, 32) ^ slice(2, b, 40) ^ slice(1, b, 48) ^ slice(0, b, 56)
                i &+= 16
            }
            while i < n {
                c = t[Int(UInt8(truncatingIfNeeded: c) ^ base.load(fromByteOffset: i, as: UInt8.self))] ^ (c >> 8)
                i &+= 1
            }
        }
        return c
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { update(0, $0) }
    }
}
