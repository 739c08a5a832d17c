import RESP

extension Engine {
    func registerStringCommands() {
        register("get", arity: 2, flags: [.readonly, .fast], keys: .one, categories: ["@read", "@string", "@fast"], group: "string") { ctx throws(CommandError) in
            guard let v = ctx.db.lookupRead(ctx.args[1]) else { ctx.out.null(); return }
            try replyString(ctx, v)
        }
        register("set", arity: -3, flags: [.write, .denyOOM], keys: .one, categories: ["@write", "@string", "@slow"], group: "string", handler: setCommand)
    }
}

/// Writes a string value as a bulk reply; WRONGTYPE for other types.
@inlinable
func replyString(_ ctx: CommandContext, _ v: Value) throws(CommandError) {
    switch v {
    case .int(let i): ctx.out.bulk(integer: i)
    case .bytes(let b), .rawBytes(let b): ctx.out.bulk(b)
    }
}

/// Expiry options shared by SET and GETEX.
struct ExpiryOption {
    enum Kind { case none, ex, px, exat, pxat, keepTTL, persist }
    var kind = Kind.none
    var at: Int64 = -1

    /// Converts the relative or absolute amount to an absolute deadline in ms, with Redis's range checks.
    static func deadline(kind: Kind, amount: Int64, now: Int64, command: String) throws(CommandError) -> Int64 {
        guard amount > 0 else { throw CommandError.invalidExpire(command) }
        let ms: Int64
        switch kind {
        case .ex, .exat:
            let (m, o) = amount.multipliedReportingOverflow(by: 1000)
            if o { throw CommandError.invalidExpire(command) }
            ms = m
        default: ms = amount
        }
        if kind == .ex || kind == .px {
            let (d, o) = ms.addingReportingOverflow(now)
            if o { throw CommandError.invalidExpire(command) }
            return d
        }
        return ms
    }
}

func setCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    var nx = false, xx = false, get = false
    var exp = ExpiryOption()
    var i = 3
    while i < a.count {
        let hasNext = i + 1 < a.count
        if a.isKeyword(i, "nx") && !xx { nx = true }
        else if a.isKeyword(i, "xx") && !nx { xx = true }
        else if a.isKeyword(i, "get") { get = true }
        else if a.isKeyword(i, "keepttl") && exp.kind == .none { exp.kind = .keepTTL }
        else if hasNext && exp.kind == .none && (a.isKeyword(i, "ex") || a.isKeyword(i, "px") || a.isKeyword(i, "exat") || a.isKeyword(i, "pxat")) {
            let kind: ExpiryOption.Kind = a.isKeyword(i, "ex") ? .ex : a.isKeyword(i, "px") ? .px : a.isKeyword(i, "exat") ? .exat : .pxat
            let amount = try a.int64(i + 1)
            exp.kind = kind
            exp.at = try ExpiryOption.deadline(kind: kind, amount: amount, now: ctx.engine.now, command: "set")
            i += 1
        } else {
            throw CommandError.syntax
        }
        i += 1
    }
    let db = ctx.db
    let key = a[1]
    let old = db.lookupWrite(key)
    if get, let old, !old.isString { throw CommandError.wrongType }
    if (nx && old != nil) || (xx && old == nil) {
        if get { try replyOld(ctx, old) } else { ctx.out.null() }
        return
    }
    let value = Value.string(a[2])
    if exp.kind == .keepTTL { db.setKeepingTTL(key, value) } else { db.set(key, value, expireAt: exp.at) }
    ctx.engine.dirty += 1
    if get { try replyOld(ctx, old) } else { ctx.out.ok() }
}

private func replyOld(_ ctx: CommandContext, _ old: Value?) throws(CommandError) {
    if let old { try replyString(ctx, old) } else { ctx.out.null() }
}
