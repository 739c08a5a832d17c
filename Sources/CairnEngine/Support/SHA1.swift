/// SHA-1 (FIPS 180-4). DEBUG DIGEST must reproduce Redis's dataset digests bit for bit, and Redis builds those
/// from SHA-1, so this is the hash to use whenever a Redis-compatible fingerprint is required; it is not meant
/// for security.
public enum SHA1 {
    public static let digestLength = 20

    public static func hash(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { hash($0) }
    }

    public static func hash(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        var h = Hasher()
        h.update(data)
        return h.finalize()
    }

    /// Incremental form, for input that arrives in pieces.
    public struct Hasher {
        private var state: (UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        private var block = [UInt8](repeating: 0, count: 64)
        private var blockFill = 0
        private var totalBytes: UInt64 = 0

        public init() {}

        public mutating func update(_ data: [UInt8]) {
            data.withUnsafeBytes { update($0) }
        }

        public mutating func update(_ data: UnsafeRawBufferPointer) {
            totalBytes &+= UInt64(data.count)
            var i = 0
            let n = data.count
            if blockFill > 0 {
                let take = min(64 - blockFill, n)
                for k in 0..<take { block[blockFill + k] = data[k] }
                blockFill += take
                i = take
                if blockFill < 64 { return }
                block.withUnsafeBytes { compress($0.baseAddress!) }
                blockFill = 0
            }
            while n - i >= 64 {
                compress(data.baseAddress! + i)
                i += 64
            }
            for k in i..<n { block[k - i] = data[k] }
            blockFill = n - i
        }

        public mutating func finalize() -> [UInt8] {
            let bitLength = totalBytes &* 8
            var pad: [UInt8] = [0x80]
            let afterMarker = (blockFill + 1) % 64
            pad.append(contentsOf: repeatElement(0, count: afterMarker <= 56 ? 56 - afterMarker : 120 - afterMarker))
            for s in stride(from: 56, through: 0, by: -8) { pad.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(s))) }
            let saved = totalBytes
            update(pad)
            totalBytes = saved
            var out = [UInt8]()
            out.reserveCapacity(20)
            for word in [state.0, state.1, state.2, state.3, state.4] {
                out.append(UInt8(truncatingIfNeeded: word >> 24))
                out.append(UInt8(truncatingIfNeeded: word >> 16))
                out.append(UInt8(truncatingIfNeeded: word >> 8))
                out.append(UInt8(truncatingIfNeeded: word))
            }
            return out
        }

        private mutating func compress(_ p: UnsafeRawPointer) {
            var w = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
                     UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
            withUnsafeMutableBytes(of: &w) { raw in
                let words = raw.bindMemory(to: UInt32.self)
                for t in 0..<16 {
                    words[t] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
                }
                var a = state.0, b = state.1, c = state.2, d = state.3, e = state.4
                for t in 0..<80 {
                    let wt: UInt32
                    if t < 16 {
                        wt = words[t]
                    } else {
                        // The schedule only ever looks 16 words back, so it lives in a ring of 16.
                        let x = words[(t - 3) & 15] ^ words[(t - 8) & 15] ^ words[(t - 14) & 15] ^ words[t & 15]
                        wt = rotl(x, 1)
                        words[t & 15] = wt
                    }
                    let f: UInt32, k: UInt32
                    switch t {
                    case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
                    case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
                    case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
                    default: f = b ^ c ^ d; k = 0xCA62_C1D6
                    }
                    let temp = rotl(a, 5) &+ f &+ e &+ k &+ wt
                    e = d
                    d = c
                    c = rotl(b, 30)
                    b = a
                    a = temp
                }
                state.0 &+= a
                state.1 &+= b
                state.2 &+= c
                state.3 &+= d
                state.4 &+= e
            }
        }

        @inline(__always)
        private func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
    }
}
