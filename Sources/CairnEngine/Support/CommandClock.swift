import CSystem
import Glibc

/// Timestamps for the per-command path. Every command reads a clock when it starts (the time expiry is
/// judged by) and when it ends (its duration, for INFO commandstats, SLOWLOG and LATENCY); through the vDSO
/// each clock_gettime still costs tens of nanoseconds, a few percent of a pipelined command. Where the
/// processor's time-stamp counter runs at a constant rate, it is read instead and converted with a rate
/// measured once against the monotonic clock; elsewhere ticks are monotonic-clock nanoseconds.
public enum CommandClock {
    private static let rate: (usesTSC: Bool, ticksPerMicro: Double) = calibrate()

    /// The current tick count.
    @inline(__always) public static func ticks() -> UInt64 {
        rate.usesTSC ? csystem_tsc() : monotonicNanos()
    }

    /// Whole microseconds in a tick interval.
    @inline(__always) public static func micros(_ interval: UInt64) -> Int {
        Int(Double(interval) / rate.ticksPerMicro)
    }

    private static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Counts time-stamp ticks across 5 ms of the monotonic clock: startup pays it once, and the rate it
    /// gives is within a few hundredths of a percent, far finer than the microseconds it converts.
    private static func calibrate() -> (usesTSC: Bool, ticksPerMicro: Double) {
        guard csystem_tsc_is_invariant() != 0 else { return (false, 1000) }
        let startNanos = monotonicNanos()
        let startTicks = csystem_tsc()
        var nanos = startNanos
        while nanos - startNanos < 5_000_000 { nanos = monotonicNanos() }
        let ticks = csystem_tsc() - startTicks
        guard ticks > 0 else { return (false, 1000) }
        return (true, Double(ticks) * 1000 / Double(nanos - startNanos))
    }
}
