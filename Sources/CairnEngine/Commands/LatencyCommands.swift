import RESP

extension Engine {
    func registerLatencyCommands() {
        let latency = registerContainer("latency", group: "server")
        let flags: CommandFlags = [.admin, .noscript, .loading, .stale]
        let cats = ["@admin", "@slow", "@dangerous"]
        register("latest", arity: 2, flags: flags, categories: cats, group: "server", parent: latency) { ctx throws(CommandError) in
            let latest = ctx.engine.latency.latest()
            ctx.out.array(latest.count)
            for e in latest {
                ctx.out.array(4)
                ctx.out.bulk(e.event)
                ctx.out.integer(Int(e.sample.time))
                ctx.out.integer(e.sample.latencyMs)
                ctx.out.integer(e.allTimeHigh)
            }
        }
        register("history", arity: 3, flags: flags, categories: cats, group: "server", parent: latency) { ctx throws(CommandError) in
            let samples = ctx.engine.latency.history(ctx.args.text(2)) ?? []
            ctx.out.array(samples.count)
            for s in samples {
                ctx.out.array(2)
                ctx.out.integer(Int(s.time))
                ctx.out.integer(s.latencyMs)
            }
        }
        register("reset", arity: -2, flags: flags, categories: cats, group: "server", parent: latency) { ctx throws(CommandError) in
            let monitor = ctx.engine.latency
            if ctx.args.count == 2 {
                ctx.out.integer(monitor.reset(nil))
            } else {
                ctx.out.integer((2..<ctx.args.count).reduce(0) { $0 + monitor.reset(ctx.args.text($1)) })
            }
        }
        register("graph", arity: 3, flags: flags, categories: cats, group: "server", parent: latency) { ctx throws(CommandError) in
            let event = ctx.args.text(2)
            guard let samples = ctx.engine.latency.history(event), !samples.isEmpty,
                  let stats = ctx.engine.latency.stats(event, now: ctx.engine.now / 1000) else {
                throw CommandError("ERR No samples available for event '\(event)'")
            }
            ctx.out.verbatim(latencyGraph(event: event, samples: samples, stats: stats, now: ctx.engine.now / 1000))
        }
        register("doctor", arity: 2, flags: flags, categories: cats, group: "server", parent: latency) { ctx throws(CommandError) in
            ctx.out.verbatim(ctx.engine.latencyReport())
        }
        register("histogram", arity: -2, flags: flags, categories: cats, group: "server", parent: latency) { ctx throws(CommandError) in
            ctx.engine.latencyHistograms(ctx)
        }
        register("help", arity: 2, flags: [.loading, .stale], group: "server", parent: latency) { ctx throws(CommandError) in
            replyHelp(ctx, [
                "DOCTOR",
                "    Describe the recorded latency events in plain words.",
                "GRAPH <event>",
                "    Draw the samples of <event> as an ASCII chart.",
                "HISTORY <event>",
                "    Return the samples of <event> as [unix-time, milliseconds] pairs.",
                "LATEST",
                "    Return the newest sample and the all-time high of every event.",
                "RESET [<event> ...]",
                "    Forget the samples of the given events, or of every event.",
                "HISTOGRAM [<command> ...]",
                "    Return the cumulative latency distribution of the given commands, or of every command that ran.",
            ])
        }
    }

    /// LATENCY HISTOGRAM: a map from command name to its call count and cumulative µs distribution. Naming a
    /// container includes its subcommands; unknown names and commands without samples are left out.
    func latencyHistograms(_ ctx: CommandContext) {
        var chosen: [(Command, LatencyHistogram)] = []
        func add(_ c: Command, withSubcommands: Bool) {
            if let h = c.latencyHistogram { chosen.append((c, h)) }
            if withSubcommands { for s in c.sortedSubcommands { add(s, withSubcommands: false) } }
        }
        if ctx.args.count == 2 {
            for c in commands.all { add(c, withSubcommands: true) }
        } else {
            for i in 2..<ctx.args.count {
                if let c = command(fullName: ctx.args.text(i)) { add(c, withSubcommands: true) }
            }
        }
        ctx.out.map(chosen.count)
        for (c, h) in chosen {
            let rows = h.cumulativeRows()
            ctx.out.bulk(c.fullName)
            ctx.out.map(2)
            ctx.out.bulk("calls")
            ctx.out.integer(Int(h.totalCount))
            ctx.out.bulk("histogram_usec")
            ctx.out.map(rows.count)
            for r in rows {
                ctx.out.integer(Int(r.micros))
                ctx.out.integer(Int(r.cumulative))
            }
        }
    }

    /// INFO latencystats: one line per command with samples, its percentiles in µs.
    public func latencyStatsLines() -> [String] {
        var lines: [String] = []
        func visit(_ c: Command) {
            if let h = c.latencyHistogram {
                let values = settings.latencyTrackingInfoPercentiles.map { p in
                    "p\(percentileName(p))=\(DoubleFormat.cFormat("%.3f", Double(h.value(atPercentile: p)) / 1000))"
                }
                lines.append("latency_percentiles_usec_\(c.fullName):" + values.joined(separator: ","))
            }
            for s in c.sortedSubcommands { visit(s) }
        }
        for c in commands.all.sorted(by: { $0.name < $1.name }) { visit(c) }
        return lines
    }

    /// LATENCY DOCTOR's report.
    func latencyReport() -> String {
        let threshold = settings.latencyMonitorThresholdMs
        let names = latency.eventNames
        guard !names.isEmpty else {
            if threshold <= 0 {
                return "Latency monitoring is off, so there is nothing to report. Set latency-monitor-threshold "
                    + "to a number of milliseconds (CONFIG SET latency-monitor-threshold <ms>) to record every "
                    + "event that takes at least that long.\n"
            }
            return "No event has reached the latency threshold of \(threshold) ms since monitoring started or was "
                + "last reset.\n"
        }
        var report = "Latency events that reached \(threshold) ms:\n\n"
        for (i, name) in names.enumerated() {
            guard let s = latency.stats(name, now: now / 1000) else { continue }
            report += "\(i + 1). \(name): \(s.samples) sample(s) over \(s.period) s; average \(s.average) ms, "
                + "min \(s.min) ms, max \(s.max) ms, mean deviation \(s.meanDeviation) ms; all-time high "
                + "\(s.allTimeHigh) ms.\n"
        }
        var hints: [String] = []
        if names.contains("command") {
            hints.append("- command: slow commands ran. SLOWLOG GET names them; commands that walk large values "
                + "(KEYS, SMEMBERS, LRANGE over a whole list, SORT...) are the usual cause.")
        }
        if names.contains("fast-command") {
            hints.append("- fast-command: commands that normally take constant or logarithmic time were slow, which "
                + "points at the host: CPU contention, swapping, or the process being paused.")
        }
        if !hints.isEmpty { report += "\nHints:\n" + hints.joined(separator: "\n") + "\n" }
        return report
    }
}

/// LATENCY GRAPH's chart: one column per sample, oldest on the left, bar heights scaled between the lowest and
/// highest sample, and under each column how long ago the sample was taken, written downwards.
func latencyGraph(event: String, samples: [LatencyMonitor.Sample], stats: LatencyMonitor.Stats, now: Int64) -> String {
    let rows = 8
    var out = "\(event): highest \(stats.max) ms, lowest \(stats.min) ms, all-time high \(stats.allTimeHigh) ms\n\n"
    let span = stats.max - stats.min
    let heights = samples.map { span == 0 ? rows : 1 + ($0.latencyMs - stats.min) * (rows - 1) / span }
    for row in stride(from: rows, through: 1, by: -1) {
        out += String(heights.map { $0 >= row ? "#" : " " }) + "\n"
    }
    out += String(repeating: "-", count: samples.count) + "\n"
    let ages = samples.map { s -> [Character] in
        let age = max(0, now - s.time)
        switch age {
        case ..<60: return Array("\(age)s")
        case ..<3600: return Array("\(age / 60)m")
        case ..<86400: return Array("\(age / 3600)h")
        default: return Array("\(age / 86400)d")
        }
    }
    for line in 0..<(ages.map(\.count).max() ?? 0) {
        out += String(ages.map { line < $0.count ? $0[line] : " " }) + "\n"
    }
    return out
}

/// A percentile as Redis names it in INFO and CONFIG GET: %f with trailing zeros (and a bare point) removed.
public func percentileName(_ p: Double) -> String {
    var text = DoubleFormat.cFormat("%f", p)
    guard text.contains(".") else { return text }
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}
