import CairnEngine

/// CLIENT PAUSE: while a pause is active, matching commands stay unparsed in their clients' query buffers and
/// run, in order, when the pause ends.
struct PauseState {
    var untilMicros = 0
    var writesOnly = false
    var waiting: [Connection] = []

    var isActive: Bool { untilMicros > 0 }
}

extension Server {
    func pause(until: Int, writesOnly: Bool) {
        // A new pause may extend an existing one but never shortens it, and ALL wins over WRITE.
        if pauseState.isActive {
            pauseState.untilMicros = max(pauseState.untilMicros, until)
            pauseState.writesOnly = pauseState.writesOnly && writesOnly
        } else {
            pauseState.untilMicros = until
            pauseState.writesOnly = writesOnly
        }
    }

    func unpause() {
        guard pauseState.isActive else { return }
        pauseState.untilMicros = 0
        let waiting = pauseState.waiting
        pauseState.waiting.removeAll()
        for conn in waiting where !conn.closed { processInput(conn) }
    }

    /// Whether this command must wait for the pause to end.
    func mustWaitForPause(_ session: ClientSession, _ args: Args) -> Bool {
        guard pauseState.isActive, !session.isReplica else { return false }
        if Engine.monotonicMicros() >= pauseState.untilMicros {
            unpauseLater = true
            return false
        }
        guard pauseState.writesOnly else { return true }
        guard let cmd = engine.commands.lookup(args[0]) else { return false }
        if cmd.flags.contains(.write) || cmd.flags.contains(.mayReplicate) { return true }
        if cmd.name == "exec" { return session.multiQueue.contains { $0.0.flags.contains(.write) } }
        return false
    }
}
