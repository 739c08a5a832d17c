/// Redis's CRC-64 ("Jones" polynomial, reflected, initial value 0), which guards RDB files and DUMP payloads.
public enum CRC64 {
    static let table: [UInt64] = (0..<256).map { i -> UInt64 in
        var c = UInt64(i)
        for _ in 0..<8 { c = (c >> 1) ^ ((c & 1) != 0 ? 0x95AC_9329_AC4B_C9B5 : 0) }
        return c
    }

    /// Continues `crc` over `bytes`; feeding chunks one after another equals feeding their concatenation.
    public static func update(_ crc: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var c = crc
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int(UInt8(truncatingIfNeeded: c) ^ b)] ^ (c >> 8) }
        }
        return c
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { update(0, $0) }
    }
}
