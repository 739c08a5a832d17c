/// Redis's 24-bit per-object `lru` field, kept in each entry's `access`, and the rules that read and update it.
///
/// Under an LRU or no-eviction policy the field is the LRU clock at the key's last access: unix seconds modulo
/// 2^24 (LRU_CLOCK_RESOLUTION is one second). Under an LFU policy it holds the minute of the last access
/// (16 bits, modulo 2^16) above a logarithmic access counter (8 bits, a Morris counter). Eviction reads
/// `idleMilliseconds` and `frequency` from it.
public struct AccessClock {
    /// Unix milliseconds.
    public var now: Int64
    /// An LFU maxmemory policy is selected.
    public var lfu: Bool
    /// lfu-log-factor: how many accesses it takes to raise the counter as it grows.
    public var logFactor: Int
    /// lfu-decay-time: minutes without access that take one off the counter; 0 never decays.
    public var decayTime: Int
    /// A uniformly random value that decides whether the next `touched` raises the LFU counter.
    public var draw: UInt64

    public static let lruClockMax: UInt32 = (1 << 24) - 1
    /// LFU_INIT_VAL: the counter of a new key, so it is not the first evicted before it had a chance.
    public static let lfuInitialCounter: UInt32 = 5

    @inlinable public init(now: Int64, lfu: Bool = false, logFactor: Int = 10, decayTime: Int = 1, draw: UInt64 = 0) {
        self.now = now
        self.lfu = lfu
        self.logFactor = logFactor
        self.decayTime = decayTime
        self.draw = draw
    }

    @inlinable public var lruClock: UInt32 { UInt32(truncatingIfNeeded: now / 1000) & Self.lruClockMax }

    @inlinable var minutes: UInt32 { UInt32(truncatingIfNeeded: now / 60_000) & 0xFFFF }

    /// The field of a key created now (Redis's createObject).
    @inlinable public var fresh: UInt32 { lfu ? minutes << 8 | Self.lfuInitialCounter : lruClock }

    /// The field after an access (Redis's lookupKey): the clock now, or the decayed counter, raised with
    /// probability 1/((counter - 5) * lfu-log-factor + 1) as `draw` decides.
    @inlinable public func touched(_ access: UInt32) -> UInt32 {
        guard lfu else { return lruClock }
        var counter = frequency(access)
        if counter < 255 {
            let base = Double(counter > Self.lfuInitialCounter ? counter - Self.lfuInitialCounter : 0)
            let r = Double(draw >> 11) * 0x1p-53
            if r < 1 / (base * Double(logFactor) + 1) { counter += 1 }
        }
        return minutes << 8 | counter
    }

    /// The field of a key loaded with an RDB IDLE or FREQ hint, or restored with IDLETIME or FREQ (Redis's
    /// objectSetLRUOrLFU): only the hint the current policy uses applies; without it the key is fresh.
    @inlinable public func restored(idleSeconds: Int64?, frequency: UInt8?) -> UInt32 {
        if lfu, let frequency { return minutes << 8 | UInt32(frequency) }
        if !lfu, let idleSeconds {
            let stamp = Int64(lruClock) - idleSeconds
            // Before the clock's last wrap, as estimateObjectIdleTime reads it back.
            return UInt32(truncatingIfNeeded: stamp < 0 ? stamp + Int64(Self.lruClockMax) : stamp) & Self.lruClockMax
        }
        return fresh
    }

    /// Milliseconds since the last access of an LRU-stamped field; the clock wraps about every 194 days, and a
    /// stamp ahead of the clock is taken as one from before the wrap (Redis's estimateObjectIdleTime).
    @inlinable public func idleMilliseconds(_ access: UInt32) -> Int64 {
        let clock = lruClock
        let seconds = clock >= access ? clock - access : clock + (Self.lruClockMax - access)
        return Int64(seconds) * 1000
    }

    /// The LFU counter after the decay owed for the minutes since the last access (Redis's LFUDecrAndReturn).
    @inlinable public func frequency(_ access: UInt32) -> UInt32 {
        let counter = access & 0xFF
        guard decayTime > 0 else { return counter }
        let last = access >> 8, nowMinutes = minutes
        let elapsed = nowMinutes >= last ? nowMinutes - last : 0xFFFF - last + nowMinutes
        let periods = Int(elapsed) / decayTime
        return periods >= Int(counter) ? 0 : counter - UInt32(periods)
    }
}
