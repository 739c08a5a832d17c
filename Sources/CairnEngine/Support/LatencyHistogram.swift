/// A log-linear histogram of nanosecond latencies with the layout Redis 7 uses for its per-command histograms:
/// values from 1 ns to 1 s kept to two significant digits. Each power of two above 256 ns is split into 128
/// equal sub-buckets (256 below that), so every recorded value lands in a slot whose width is under 1% of it.
///
/// Slots have the same boundaries as Redis's, so LATENCY HISTOGRAM and INFO latencystats derive the same
/// numbers from the same samples. Recording is two shifts, a count-leading-zeros and an increment in a buffer
/// allocated once.
public final class LatencyHistogram {
    public static let lowestValue: Int64 = 1
    public static let highestValue: Int64 = 1_000_000_000

    /// log2 of the sub-buckets per power of two: 256 of them give two significant decimal digits.
    static let subBucketBits = 8
    static let subBucketCount: Int64 = 1 << subBucketBits
    static let subBucketHalfBits = subBucketBits - 1
    static let subBucketHalfCount: Int64 = 1 << subBucketHalfBits
    /// Powers of two needed above the first 256 values to reach `highestValue`.
    static let bucketCount: Int = {
        var n = 1
        var limit = subBucketCount
        while limit <= highestValue {
            limit <<= 1
            n += 1
        }
        return n
    }()
    public static let slotCount = (bucketCount + 1) << subBucketHalfBits

    private let counts: UnsafeMutablePointer<Int64>
    public private(set) var totalCount: Int64 = 0

    public init() {
        counts = .allocate(capacity: Self.slotCount)
        counts.initialize(repeating: 0, count: Self.slotCount)
    }

    deinit { counts.deallocate() }

    /// Counts one sample; values outside 1 ns...1 s count as the nearest bound.
    public func record(nanoseconds: Int64) {
        counts[Self.slot(of: min(max(nanoseconds, Self.lowestValue), Self.highestValue))] &+= 1
        totalCount &+= 1
    }

    public func count(at slot: Int) -> Int64 { counts[slot] }

    // MARK: Slot arithmetic

    static func bucket(of v: Int64) -> Int {
        (64 - (UInt64(v) | UInt64(subBucketCount - 1)).leadingZeroBitCount) - (subBucketHalfBits + 1)
    }

    static func slot(of v: Int64) -> Int {
        let b = bucket(of: v)
        let sub = Int(v >> Int64(b))
        return ((b + 1) << subBucketHalfBits) + sub - Int(subBucketHalfCount)
    }

    /// The smallest value that lands in `slot`.
    static func value(at slot: Int) -> Int64 {
        var b = (slot >> subBucketHalfBits) - 1
        var sub = Int64(slot & Int(subBucketHalfCount - 1)) + subBucketHalfCount
        if b < 0 {
            sub -= subBucketHalfCount
            b = 0
        }
        return sub << Int64(b)
    }

    static func lowestEquivalent(_ v: Int64) -> Int64 {
        let b = bucket(of: v)
        return (v >> Int64(b)) << Int64(b)
    }

    static func highestEquivalent(_ v: Int64) -> Int64 {
        lowestEquivalent(v) + (1 << Int64(bucket(of: v))) - 1
    }

    // MARK: Queries

    /// The latency at or below which `percentile` % of the samples fall, to the histogram's precision: the top
    /// of the slot holding that sample (its bottom for the 0th percentile), or 0 when empty.
    public func value(atPercentile percentile: Double) -> Int64 {
        let p = min(percentile, 100)
        let wanted = max(Int64(p / 100 * Double(totalCount) + 0.5), 1)
        var seen: Int64 = 0
        var found: Int64 = 0
        for slot in 0..<Self.slotCount {
            seen += counts[slot]
            if seen >= wanted {
                found = Self.value(at: slot)
                break
            }
        }
        return percentile == 0 ? Self.lowestEquivalent(found) : Self.highestEquivalent(found)
    }

    /// LATENCY HISTOGRAM's cumulative distribution: reporting levels 1024 ns, 2048 ns, ... and, at each, the top
    /// of the first slot reached at or past the level (in µs) with the samples counted up to
    /// and including that slot. Rows that add no samples are left out.
    public func cumulativeRows() -> [(micros: Int64, cumulative: Int64)] {
        var rows: [(Int64, Int64)] = []
        var level: Int64 = 1024
        var levelLowest = Self.lowestEquivalent(level)
        var slot = -1
        var cumulative: Int64 = 0
        var value: Int64 = 0
        var highest: Int64 = 0
        var reported: Int64 = 0
        func emit() {
            if cumulative > reported { rows.append((highest / 1000, cumulative)) }
            reported = cumulative
        }
        // The walk stops once every sample is counted and the next slot lies below the next level.
        while cumulative < totalCount || (slot < Self.slotCount && Self.value(at: slot + 1) > levelLowest) {
            while true {
                if value >= levelLowest {
                    emit()
                    level *= 2
                    levelLowest = Self.lowestEquivalent(level)
                    break
                }
                slot += 1
                if slot >= Self.slotCount {
                    emit()
                    break
                }
                cumulative += counts[slot]
                value = Self.value(at: slot)
                highest = Self.highestEquivalent(value)
            }
        }
        return rows
    }
}
