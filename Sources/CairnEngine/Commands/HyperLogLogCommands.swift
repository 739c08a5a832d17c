import RESP

extension Engine {
    func registerHyperLogLogCommands() {
        register("pfadd", arity: -2, flags: [.write, .denyOOM, .fast], keys: .one, categories: ["@write", "@hyperloglog", "@fast"], group: "hyperloglog", handler: pfaddCommand)
        register("pfcount", arity: -2, flags: [.readonly, .mayReplicate], keys: .all(), categories: ["@read", "@hyperloglog", "@slow"], group: "hyperloglog", handler: pfcountCommand)
        register("pfmerge", arity: -2, flags: [.write, .denyOOM], keys: .all(), categories: ["@write", "@hyperloglog", "@slow"], group: "hyperloglog", handler: pfmergeCommand)
        register("pfselftest", arity: 1, flags: [.admin], categories: ["@hyperloglog", "@admin", "@slow", "@dangerous"], group: "hyperloglog") { ctx throws(CommandError) in
            if let failure = HyperLogLog.selfTest(sparseMaxBytes: ctx.engine.settings.hllSparseMaxBytes) {
                throw CommandError("ERR " + failure)
            }
            ctx.out.ok()
        }
        register("pfdebug", arity: 3, flags: [.write, .denyOOM, .admin], keys: KeyPositions(first: 2, last: 2, step: 1), categories: ["@write", "@hyperloglog", "@admin", "@slow", "@dangerous"], group: "hyperloglog", handler: pfdebugCommand)
    }
}

extension CommandError {
    static let notHyperLogLog = CommandError("WRONGTYPE Key is not a valid HyperLogLog string value.")
    static let corruptedHyperLogLog = CommandError("INVALIDOBJ Corrupted HLL object detected")

    init(_ e: HyperLogLogError) {
        switch e {
        case .invalidObject: self = .notHyperLogLog
        case .corrupted: self = .corruptedHyperLogLog
        }
    }
}

/// Redis's isHLLObjectOrReply: the HLL's bytes (shared, not copied). An int-encoded string is never an HLL.
private func hyperLogLogBytes(_ v: Value) throws(CommandError) -> Bytes {
    switch v {
    case .int: throw CommandError.notHyperLogLog
    case .short, .bytes, .rawBytes:
        let b = v.stringBytes!
        guard HyperLogLog.isValid(b) else { throw CommandError.notHyperLogLog }
        return b
    case .set, .zset, .list, .hash, .stream: throw CommandError.wrongType
    }
}

/// The existing keys among the arguments from `first` on, looked up in order as Redis's PFCOUNT/PFMERGE loop does.
/// Redis checks and merges key by key, so a bad key fails only once the keys before it merged cleanly: the list stops
/// at the first string that is not an HLL, which stays last so the codec, merging in order, reports it in turn.
private func hyperLogLogOperands(_ ctx: CommandContext, from first: Int) throws(CommandError) -> [(arg: Int, hll: Bytes)] {
    var list: [(arg: Int, hll: Bytes)] = []
    for i in first..<ctx.args.count {
        guard let v = ctx.db.lookupRead(ctx.args[i]) else { continue }
        guard let bytes = v.stringBytes else {
            do throws(HyperLogLogError) {
                _ = try HyperLogLog.countUnion(list.map(\.hll))
            } catch {
                throw CommandError(error)
            }
            throw CommandError.wrongType
        }
        list.append((i, bytes))
        if !HyperLogLog.isValid(bytes) { break }
    }
    return list
}

/// Moves a stored HLL out of its entry, after the same checks, so the caller edits the only copy in place. The caller
/// stores it back as `.rawBytes`: Redis unshares the value to a raw string before touching it.
private func takeHyperLogLog(_ e: inout Entry) throws(CommandError) -> Bytes {
    let hll = try hyperLogLogBytes(e.value)
    e.value = .int(0)
    return hll
}

/// PFADD key [element ...]: 1 when a register changed or the key was created.
func pfaddCommand(_ ctx: CommandContext) throws(CommandError) {
    let db = ctx.db
    let key = ctx.args[1]
    let sparseMax = ctx.engine.settings.hllSparseMaxBytes
    let exists = db.lookupWrite(key) != nil
    if !exists { ctx.notify(.newKey, "new", key) }
    // Edited through the keyspace rather than db.mutate: a PFADD that changes no register is not a write (WATCH).
    let updated = try db.withEntry(key) { (e: inout Entry?) throws(CommandError) -> Int in
        var updated = 0
        var hll: Bytes
        if exists {
            hll = try takeHyperLogLog(&e!)
        } else {
            hll = HyperLogLog.makeEmpty()
            updated = 1
        }
        // Registers already raised stay raised if a later element finds corruption, as in Redis.
        defer {
            if e != nil { e!.value = .rawBytes(hll) } else { e = Entry(key: key, value: .rawBytes(hll)) }
        }
        for i in 2..<ctx.args.count {
            do throws(HyperLogLogError) {
                if try HyperLogLog.add(&hll, element: ctx.args[i], sparseMaxBytes: sparseMax) { updated += 1 }
            } catch {
                throw CommandError(error)
            }
        }
        if updated > 0 { HyperLogLog.invalidateCache(&hll) }
        return updated
    }
    if updated > 0 {
        db.signalModified(key)
        ctx.engine.dirty += updated
        ctx.notify(.string, "pfadd", key)
    }
    ctx.out.integer(updated > 0 ? 1 : 0)
}

/// PFCOUNT key [key ...]: one key answers from (and refreshes) its cached cardinality; several keys count their
/// union without writing anything.
func pfcountCommand(_ ctx: CommandContext) throws(CommandError) {
    let db = ctx.db
    let a = ctx.args
    if a.count > 2 {
        let operands = try hyperLogLogOperands(ctx, from: 1)
        do throws(HyperLogLogError) {
            ctx.out.integer(Int(try HyperLogLog.countUnion(operands.map(\.hll))))
        } catch {
            throw CommandError(error)
        }
        return
    }
    let key = a[1]
    guard db.lookupRead(key) != nil else { ctx.out.integer(0); return }
    // Only a recomputed cache is a write; reading a valid one must not disturb WATCH.
    let (cardinality, recomputed) = try db.withEntry(key) { (e: inout Entry?) throws(CommandError) -> (UInt64, Bool) in
        var hll = try takeHyperLogLog(&e!)
        defer { e!.value = .rawBytes(hll) }
        do throws(HyperLogLogError) {
            return try HyperLogLog.count(&hll)
        } catch {
            throw CommandError(error)
        }
    }
    if recomputed {
        // The refreshed cache is a write to the string, which Redis propagates and counts.
        db.signalModified(key)
        ctx.engine.dirty += 1
    }
    ctx.out.integer(Int(cardinality))
}

/// PFMERGE destkey [sourcekey ...]: the destination takes part in the union and keeps its TTL.
func pfmergeCommand(_ ctx: CommandContext) throws(CommandError) {
    let db = ctx.db
    let a = ctx.args
    let operands = try hyperLogLogOperands(ctx, from: 1)
    let destExists = operands.first?.arg == 1
    let dest = destExists ? operands[0].hll : nil
    let sources = operands.dropFirst(destExists ? 1 : 0).map(\.hll)
    let merged: Bytes
    do throws(HyperLogLogError) {
        merged = try HyperLogLog.merge(into: dest, sources: sources, sparseMaxBytes: ctx.engine.settings.hllSparseMaxBytes)
    } catch {
        throw CommandError(error)
    }
    db.setKeepingTTL(a[1], .rawBytes(merged))
    ctx.engine.dirty += 1
    ctx.notify(.string, "pfadd", a[1])
    ctx.out.ok()
}

/// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key: the key is checked before the subcommand, as in Redis, and a valid
/// HLL is stored back unshared (raw) whatever the subcommand.
func pfdebugCommand(_ ctx: CommandContext) throws(CommandError) {
    let db = ctx.db
    let a = ctx.args
    let key = a[2]
    guard db.lookupWrite(key) != nil else { throw CommandError("ERR The specified key does not exist") }
    let sub = a.text(1)
    let densified = try db.withEntry(key) { (e: inout Entry?) throws(CommandError) -> Bool in
        var hll = try takeHyperLogLog(&e!)
        defer { e!.value = .rawBytes(hll) }
        let lower = sub.lowercased()
        switch lower {
        case "getreg", "todense":
            let wasSparse = HyperLogLog.isSparse(hll)
            do throws(HyperLogLogError) {
                hll = try HyperLogLog.dense(hll)
            } catch {
                throw CommandError.corruptedHyperLogLog
            }
            if lower == "getreg" {
                let registers = HyperLogLog.registers(ofDense: hll)
                ctx.out.array(registers.count)
                for r in registers { ctx.out.integer(Int(r)) }
            } else {
                ctx.out.integer(wasSparse ? 1 : 0)
            }
            return wasSparse
        case "decode":
            guard HyperLogLog.isSparse(hll) else { throw CommandError("ERR HLL encoding is not sparse") }
            ctx.out.bulk(HyperLogLog.sparseOpcodes(hll))
        case "encoding":
            ctx.out.status(HyperLogLog.isSparse(hll) ? "sparse" : "dense")
        default:
            throw CommandError("ERR Unknown PFDEBUG subcommand '\(sub)'")
        }
        return false
    }
    // A changed encoding is a write to replicate, though no register changed.
    if densified { ctx.engine.dirty += 1 }
}
