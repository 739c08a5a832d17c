import CairnEngine

/// DUMP / RESTORE payloads: one value as RDB serializes it, the 2-byte RDB version and a CRC-64 of both.
public enum DumpPayload {
    public static func create(_ value: Value, options: RDBWriteOptions, compressor: LZF.Compressor = LZF.Compressor()) throws -> [UInt8] {
        var dumpOptions = options
        dumpOptions.version = RDBType.version
        return try create(value, options: dumpOptions, version: RDBType.version, compressor: compressor)
    }

    /// A payload in an older RDB version (9 or 10), which older servers' RESTORE accepts: cairn-dump restore
    /// writes these for Redis 7.0 and 6.
    public static func create(_ value: Value, options: RDBWriteOptions, version: Int,
                              compressor: LZF.Compressor = LZF.Compressor()) throws -> [UInt8] {
        let out = RDBOutput()
        var dumpOptions = options
        dumpOptions.version = version
        let w = RDBWriter(out: out, options: dumpOptions, compressor: compressor)
        out.byte(w.typeByte(of: value))
        try w.value(value)
        out.uint(UInt64(version), 2)
        out.uint(out.crc, 8)
        return out.buffer
    }

    /// Appends the footer (version and CRC-64) to a value serialized with its type byte first.
    public static func seal(_ body: inout [UInt8], version: Int) {
        body.append(UInt8(version & 0xFF))
        body.append(UInt8(version >> 8))
        let crc = body.withUnsafeBytes { CRC64.update(0, $0) }
        for j in 0..<8 { body.append(UInt8(truncatingIfNeeded: crc >> (8 * UInt64(j)))) }
    }

    /// verifyDumpPayload: a footer whose version this server reads and whose checksum matches.
    public static func verify(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= 10 else { return false }
        let footer = p.count - 10
        let version = Int(readLE(p, footer, 2))
        guard version <= RDBType.version else { return false }
        return CRC64.update(0, UnsafeRawBufferPointer(rebasing: p[..<(p.count - 8)])) == readLE(p, p.count - 8, 8)
    }

    /// The value of a verified payload; nil when its body is not a valid value (or an empty collection).
    public static func decode(_ p: UnsafeRawBufferPointer, settings: EngineSettings) -> Value? {
        let body = Array(p[..<(p.count - 10)])
        var reader = RDBReader(input: RDBInput(bytes: body), settings: settings, version: RDBType.version)
        do {
            let type = try reader.input.byte()
            return try reader.value(type: type, at: 0)
        } catch {
            return nil
        }
    }
}
