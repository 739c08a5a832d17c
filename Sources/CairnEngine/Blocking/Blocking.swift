/// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN...): the queue of waiters per key, the keys that became
/// ready during a command, and serving waiters in the order they blocked.
///
/// A blocked command is simply run again when one of its keys is written, as Redis 7 does: it either
/// completes (and replies), fails (WRONGTYPE after a type change), or finds nothing and keeps its place.
struct BlockKey: Hashable {
    let db: Int
    let key: Bytes
}

/// What a blocked client is waiting for; the command and its arguments are kept to run it again.
public struct BlockedCommand {
    let command: Command
    let args: OwnedArgs
    let db: Int
    let keys: [Bytes]
    /// The type that serves this command ("list", "zset"): only a write leaving such a value wakes it.
    let valueType: String
    /// Unix ms after which the client gets its timeout reply; 0 waits forever.
    let deadline: Int64
    /// XREADGROUP's waiters run again when the key is deleted or changes type, so they learn that their group
    /// is gone (Redis's unblock_on_nokey).
    let unblockOnNoKey: Bool
}

extension Engine {
    public var blockedClientCount: Int { blockedClients.count }

    /// Called by a blocking command that found nothing to serve. Inside MULTI a blocking command must not
    /// block, so it replies as on timeout instead. `timeout` is in ms, 0 for ever. `args` replaces the
    /// arguments kept for the re-run (XREAD turns `$` into the ID it stood for, so later entries are not missed).
    public func block(_ ctx: CommandContext, keys: [Bytes], timeoutMs: Int64, valueType: String,
                      args: OwnedArgs? = nil, unblockOnNoKey: Bool = false) {
        let client = ctx.client
        if client.inExec {
            ctx.out.nullArray()
            return
        }
        // Re-running for a ready key: the client keeps its original place in every queue.
        if client.blocked != nil {
            client.blockedStillWaiting = true
            return
        }
        let deadline = timeoutMs > 0 ? now + timeoutMs : 0
        client.blocked = BlockedCommand(command: ctx.command, args: args ?? ctx.args.owned(), db: client.db, keys: keys,
                                        valueType: valueType, deadline: deadline, unblockOnNoKey: unblockOnNoKey)
        blockedClients.append(client)
        for k in keys { blockingKeys[BlockKey(db: client.db, key: k), default: []].append(client) }
    }

    /// A write touched `key`: if someone waits on it, serve them after the current command.
    /// As Redis's signalKeyAsReady, only a value of the awaited type makes the key ready: a waiter on a key
    /// that was deleted or now holds another type keeps waiting, except XREADGROUP's (unblockOnNoKey).
    func keyTouched(db: Int, _ key: UnsafeRawBufferPointer) {
        let bk = BlockKey(db: db, key: Bytes(key))
        guard let waiters = blockingKeys[bk], !readyKeySet.contains(bk) else { return }
        let type = dbs[db].keys.lookup(key)?.value.typeName.description
        guard waiters.contains(where: { $0.blocked?.valueType == type || $0.blocked?.unblockOnNoKey == true }) else { return }
        readyKeySet.insert(bk)
        readyKeys.append(bk)
    }

    /// FLUSHDB, FLUSHALL or SWAPDB replaced a database's contents: every key waited on there is checked again,
    /// as Redis's scanDatabaseForReadyKeys and scanDatabaseForDeletedKeys do.
    func databaseReplaced(_ db: Int) {
        for bk in blockingKeys.keys where bk.db == db { bk.key.withUnsafeBytes { keyTouched(db: db, $0) } }
    }

    /// Runs the commands of clients waiting on keys written by the last command, oldest waiter first, until
    /// no ready keys remain (serving one client may make another key ready).
    public func serveReadyKeys() {
        while !readyKeys.isEmpty {
            let batch = readyKeys
            readyKeys.removeAll()
            readyKeySet.removeAll()
            for bk in batch {
                for client in blockingKeys[bk] ?? [] {
                    guard let state = client.blocked else { continue }
                    // Each waiter checks the type for itself, as Redis's handleClientsBlockedOnKey does.
                    let type = bk.key.withUnsafeBytes { dbs[bk.db].keys.lookup($0)?.value.typeName.description }
                    guard state.valueType == type || state.unblockOnNoKey else { continue }
                    let savedDB = client.db
                    client.db = state.db
                    state.args.withArgs { args in call(state.command, client, args) }
                    client.db = savedDB
                    // Still nothing for it: the handler called block() again and kept its place.
                    if client.blockedStillWaiting { client.blockedStillWaiting = false; continue }
                    unblock(client)
                    woken.append(client)
                }
            }
        }
    }

    /// Takes a client out of every wait queue without replying.
    func unblock(_ client: ClientSession) {
        guard let state = client.blocked else { return }
        client.blocked = nil
        blockedClients.removeAll { $0 === client }
        for k in state.keys {
            let bk = BlockKey(db: state.db, key: k)
            blockingKeys[bk]?.removeAll { $0 === client }
            if blockingKeys[bk]?.isEmpty == true { blockingKeys[bk] = nil }
        }
    }

    /// Replies to clients whose timeout passed; returns ms until the next deadline (nil when none).
    public func expireBlockedClients() -> Int64? {
        guard !blockedClients.isEmpty else { return nil }
        refreshTime()
        var next: Int64? = nil
        for client in blockedClients {
            guard let d = client.blocked?.deadline, d > 0 else { continue }
            if d <= now {
                unblock(client)
                client.reply.nullArray()
                woken.append(client)
            } else {
                next = min(next ?? Int64.max, d - now)
            }
        }
        return next
    }

    /// Ends a wait whose reply the caller writes itself (WAIT, which no key wakes).
    public func resumeBlocked(_ client: ClientSession) {
        guard client.blocked != nil else { return }
        unblock(client)
        woken.append(client)
    }

    /// CLIENT UNBLOCK: ends a wait as a timeout would, or with an UNBLOCKED error. False if not blocked.
    public func unblockByRequest(_ client: ClientSession, withError: Bool) -> Bool {
        guard client.blocked != nil else { return false }
        unblock(client)
        if withError { replyError(client, "UNBLOCKED client unblocked via CLIENT UNBLOCK") } else { client.reply.nullArray() }
        woken.append(client)
        return true
    }
}
