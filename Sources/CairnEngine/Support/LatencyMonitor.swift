/// The latency monitor behind LATENCY: for each event ("command", "fast-command"...), the worst latency of
/// each second in which the event reached latency-monitor-threshold, for the last 160 such seconds, plus the
/// all-time maximum.
public final class LatencyMonitor {
    public struct Sample: Equatable {
        /// Unix seconds.
        public let time: Int64
        public var latencyMs: Int
    }

    /// Per-event statistics over the kept samples, for LATENCY DOCTOR.
    public struct Stats {
        public var samples = 0
        public var average = 0
        public var min = 0
        public var max = 0
        /// Mean absolute deviation from the average.
        public var meanDeviation = 0
        /// Seconds from the oldest kept sample to now.
        public var period: Int64 = 0
        public var allTimeHigh = 0
    }

    /// Samples kept per event, as many as Redis keeps.
    public static let historyLength = 160

    final class Series {
        /// A ring once full; `next` is where the following sample goes.
        var samples: [Sample] = []
        var next = 0
        var allTimeHigh = 0

        var last: Sample? { samples.isEmpty ? nil : samples[(next + samples.count - 1) % samples.count] }

        var chronological: [Sample] { Array(samples[next...] + samples[..<next]) }
    }

    /// Events in the order they first occurred, so LATEST and DOCTOR list them stably.
    private(set) var events: [(name: String, series: Series)] = []

    public init() {}

    public var eventNames: [String] { events.map(\.name) }

    /// Records that `event` took `latencyMs` at Unix second `now`. Several occurrences within one second keep
    /// only the worst.
    public func add(event: String, latencyMs: Int, now: Int64) {
        let series: Series
        if let found = events.first(where: { $0.name == event })?.series {
            series = found
        } else {
            series = Series()
            events.append((event, series))
        }
        series.allTimeHigh = max(series.allTimeHigh, latencyMs)
        if let last = series.last, last.time == now {
            if latencyMs > last.latencyMs {
                series.samples[(series.next + series.samples.count - 1) % series.samples.count].latencyMs = latencyMs
            }
            return
        }
        let sample = Sample(time: now, latencyMs: latencyMs)
        if series.samples.count < Self.historyLength {
            series.samples.append(sample)
            series.next = series.samples.count % Self.historyLength
        } else {
            series.samples[series.next] = sample
            series.next = (series.next + 1) % Self.historyLength
        }
    }

    /// The kept samples of an event, oldest first; nil for an event never recorded. Names match exactly.
    public func history(_ event: String) -> [Sample]? {
        events.first { $0.name == event }?.series.chronological
    }

    /// Every event's newest sample and all-time high.
    public func latest() -> [(event: String, sample: Sample, allTimeHigh: Int)] {
        events.compactMap { e in e.series.last.map { (e.name, $0, e.series.allTimeHigh) } }
    }

    /// Forgets the named events (ASCII case-insensitively, like Redis) or, with nil, all of them; returns how
    /// many were dropped.
    @discardableResult
    public func reset(_ event: String?) -> Int {
        let before = events.count
        if let event {
            let lower = event.lowercased()
            events.removeAll { $0.name.lowercased() == lower }
        } else {
            events.removeAll()
        }
        return before - events.count
    }

    public func stats(_ event: String, now: Int64) -> Stats? {
        guard let series = events.first(where: { $0.name == event })?.series, !series.samples.isEmpty else {
            return nil
        }
        var s = Stats()
        let values = series.samples.map(\.latencyMs)
        s.samples = values.count
        s.min = values.min()!
        s.max = values.max()!
        s.average = values.reduce(0, +) / values.count
        s.meanDeviation = values.reduce(0) { $0 + abs($1 - s.average) } / values.count
        s.period = Swift.max(1, now - series.samples.map(\.time).min()!)
        s.allTimeHigh = series.allTimeHigh
        return s
    }
}
