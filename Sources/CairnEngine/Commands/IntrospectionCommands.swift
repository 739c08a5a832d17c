import RESP

extension Engine {
    func registerIntrospectionCommands() {
        let flags: CommandFlags = [.loading, .stale]
        let cats = ["@connection"]
        let command = register("command", arity: -1, flags: flags, categories: cats, group: "server") { ctx throws(CommandError) in
            ctx.engine.replyAllCommandInfo(ctx)
        }
        register("count", arity: 2, flags: flags, categories: cats, group: "server", parent: command) { ctx throws(CommandError) in
            ctx.out.integer(ctx.engine.commands.all.count)
        }
        register("info", arity: -2, flags: flags, categories: cats, group: "server", parent: command) { ctx throws(CommandError) in
            guard ctx.args.count > 2 else { ctx.engine.replyAllCommandInfo(ctx); return }
            ctx.out.array(ctx.args.count - 2)
            for i in 2..<ctx.args.count {
                if let c = ctx.engine.command(fullName: ctx.args.text(i)) {
                    writeCommandInfo(c, to: &ctx.client.reply)
                } else {
                    ctx.out.null()
                }
            }
        }
        register("docs", arity: -2, flags: flags, categories: cats, group: "server", parent: command) { ctx throws(CommandError) in
            if ctx.args.count == 2 {
                ctx.out.map(ctx.engine.commands.all.count)
                for c in ctx.engine.commands.all {
                    ctx.out.bulk(c.fullName)
                    writeCommandDocs(c, to: &ctx.client.reply)
                }
                return
            }
            let mark = ctx.out.beginDeferred()
            var found = 0
            for i in 2..<ctx.args.count {
                guard let c = ctx.engine.command(fullName: ctx.args.text(i)) else { continue }
                ctx.out.bulk(c.fullName)
                writeCommandDocs(c, to: &ctx.client.reply)
                found += 1
            }
            ctx.out.endDeferred(mark, kind: UInt8(ascii: "%"), count: found)
        }
        register("list", arity: -2, flags: flags, categories: cats, group: "server", parent: command) { ctx throws(CommandError) in
            try ctx.engine.commandList(ctx)
        }
        register("getkeys", arity: -3, flags: flags, categories: cats, group: "server", parent: command) { ctx throws(CommandError) in
            try ctx.engine.commandGetKeys(ctx, withFlags: false)
        }
        register("getkeysandflags", arity: -3, flags: flags, categories: cats, group: "server", parent: command) { ctx throws(CommandError) in
            try ctx.engine.commandGetKeys(ctx, withFlags: true)
        }
        register("help", arity: 2, flags: flags, categories: cats, group: "server", parent: command) { ctx throws(CommandError) in
            replyHelp(ctx, [
                "(no subcommand)",
                "    Describe every command.",
                "COUNT",
                "    Count the commands.",
                "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
                "    List command names, all of them or those matching the filter.",
                "INFO [<command-name> ...]",
                "    Describe the named commands, or every command.",
                "DOCS [<command-name> ...]",
                "    Return documentation for the named commands, or for every command.",
                "GETKEYS <full-command>",
                "    Extract the key names from a complete command line.",
                "GETKEYSANDFLAGS <full-command>",
                "    Extract the key names from a complete command line, with how each key is used.",
            ])
        }
    }

    /// Finds "name" or "container|sub" case-insensitively, the forms COMMAND INFO and DOCS accept.
    func command(fullName: String) -> Command? {
        let parts = fullName.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count <= 2, let base = commands.lookup(String(parts[0])) else { return nil }
        return parts.count == 1 ? base : base.subcommands[parts[1].lowercased()]
    }

    func replyAllCommandInfo(_ ctx: CommandContext) {
        ctx.out.array(commands.all.count)
        for c in commands.all { writeCommandInfo(c, to: &ctx.client.reply) }
    }

    func commandList(_ ctx: CommandContext) throws(CommandError) {
        let a = ctx.args
        var filter: ((Command) -> Bool)? = nil
        var i = 2
        while i < a.count {
            // Redis accepts exactly one FILTERBY clause, and only as the last three arguments.
            guard a.isKeyword(i, "filterby"), a.count - 1 - i == 2 else { throw CommandError.syntax }
            let value = a.bytes(i + 2)
            if a.isKeyword(i + 1, "module") {
                // Cairn loads no modules, so no command belongs to one.
                filter = { _ in false }
            } else if a.isKeyword(i + 1, "aclcat") {
                let category = "@" + value.text.lowercased()
                filter = { $0.aclCategories.contains(category) }
            } else if a.isKeyword(i + 1, "pattern") {
                filter = { c in
                    value.withUnsafeBytes { p in
                        Bytes(c.fullName.utf8).withUnsafeBytes { globMatch(pattern: p, string: $0, nocase: true) }
                    }
                }
            } else {
                throw CommandError.syntax
            }
            i += 3
        }
        let mark = ctx.out.beginDeferred()
        var n = 0
        func visit(_ c: Command) {
            if filter?(c) ?? true {
                ctx.out.bulk(c.fullName)
                n += 1
            }
            for sub in c.sortedSubcommands { visit(sub) }
        }
        for c in commands.all { visit(c) }
        ctx.out.endDeferred(mark, kind: UInt8(ascii: "*"), count: n)
    }

    /// COMMAND GETKEYS and GETKEYSANDFLAGS: the keys the target command line would touch, found through the
    /// target's key specs.
    func commandGetKeys(_ ctx: CommandContext, withFlags: Bool) throws(CommandError) {
        let a = ctx.args
        let target = Args(base: a.base, ranges: UnsafeBufferPointer(rebasing: a.ranges[2...]))
        guard var cmd = commands.lookup(target[0]) else { throw CommandError("ERR Invalid command specified") }
        if !cmd.subcommands.isEmpty && target.count >= 2 {
            guard let sub = cmd.subcommand(target[1]) else { throw CommandError("ERR Invalid command specified") }
            cmd = sub
        }
        let specs = cmd.keySpecs
        guard specs.contains(where: { !$0.flags.contains("not_key") }) else {
            throw CommandError("ERR The command has no key arguments")
        }
        if (cmd.arity > 0 && cmd.arity != target.count) || target.count < -cmd.arity {
            throw CommandError("ERR Invalid number of arguments specified for command")
        }
        guard var keys = Self.movableKeyPositions(cmd.fullName, target) ?? Self.keyPositions(in: target, specs: specs),
              !keys.isEmpty else {
            guard cmd.flags.contains(.noMandatoryKeys) else {
                throw CommandError("ERR Invalid arguments specified for command")
            }
            ctx.out.array(0)
            return
        }
        if specs.contains(where: { $0.flags.contains("variable_flags") }),
           let flags = Self.variableKeyFlags(cmd.fullName, target) {
            for k in keys.indices { keys[k].flags = flags }
        }
        ctx.out.array(keys.count)
        for k in keys {
            if withFlags {
                ctx.out.array(2)
                ctx.out.bulk(target[k.index])
                ctx.out.set(k.flags.count)
                for f in k.flags { ctx.out.status(f) }
            } else {
                ctx.out.bulk(target[k.index])
            }
        }
    }

    /// Walks the key specs over a command line (`args[0]` is the command name) the way Redis does. Returns nil
    /// when the arguments contradict a spec. Specs whose search is unknown are skipped: Redis falls back to
    /// per-command key callbacks there, which Cairn does not have.
    static func keyPositions(in args: Args, specs: [KeySpec]) -> [(index: Int, flags: [String])]? {
        let argc = args.count
        var found: [(index: Int, flags: [String])] = []
        for spec in specs where !spec.flags.contains("not_key") {
            var first: Int
            switch spec.beginSearch {
            case .index(let pos):
                first = pos
            case .keyword(let keyword, let startFrom):
                let start = startFrom > 0 ? startFrom : argc + startFrom
                let end = startFrom > 0 ? argc - 1 : 1
                first = 0
                var i = start
                // Like Redis, the search stops before looking at `end` itself.
                while i != end && i >= 1 && i < argc {
                    if args.text(i).lowercased() == keyword.lowercased() {
                        first = i + 1
                        break
                    }
                    i += start <= end ? 1 : -1
                }
                if first == 0 { continue }
            case .unknown:
                continue
            }
            let last: Int, step: Int
            switch spec.findKeys {
            case .range(let lastKey, let keyStep, let limit):
                step = keyStep
                if lastKey >= 0 {
                    last = first + lastKey
                } else if limit == 0 {
                    last = argc + lastKey
                } else {
                    last = first + ((argc - first) / limit + lastKey)
                }
            case .keynum(let keyNumIndex, let firstKey, let keyStep):
                step = keyStep
                guard first + keyNumIndex < argc, let n = NumberParsing.int64(args[first + keyNumIndex]), n >= 0 else {
                    return nil
                }
                first += firstKey
                last = first + Int(n) - 1
            case .unknown:
                continue
            }
            guard last < argc, last >= first, first < argc, step > 0 else { return nil }
            for i in stride(from: first, through: last, by: step) { found.append((i, spec.flags)) }
        }
        return found
    }

    /// Keys of the commands whose specs cannot place them (Redis's per-command getkeys callbacks).
    static func movableKeyPositions(_ command: String, _ args: Args) -> [(index: Int, flags: [String])]? {
        guard command == "sort" else { return nil }
        // sortGetKeys: the sorted key, then the last STORE's key; LIMIT, GET and BY skip their arguments.
        var keys: [(index: Int, flags: [String])] = [(1, ["RO", "access"])]
        var store: Int? = nil
        var i = 2
        while i < args.count {
            if args.isKeyword(i, "limit") {
                i += 2
            } else if args.isKeyword(i, "get") || args.isKeyword(i, "by") {
                i += 1
            } else if args.isKeyword(i, "store") && i + 1 < args.count {
                store = i + 1
            }
            i += 1
        }
        if let store { keys.append((store, ["OW", "update"])) }
        return keys
    }

    /// Key flags of the commands whose specs carry variable_flags: they depend on the arguments.
    static func variableKeyFlags(_ command: String, _ args: Args) -> [String]? {
        switch command {
        case "set":
            for i in stride(from: 3, to: args.count, by: 1) where args.isKeyword(i, "get") {
                return ["RW", "access", "update"]
            }
            return ["OW", "update"]
        case "bitfield":
            // Read-only when every operation is a GET (OVERFLOW alone changes nothing); anything unparsable counts
            // as a write, the safe side.
            var i = 2
            while i < args.count {
                let remaining = args.count - i - 1
                if args.isKeyword(i, "get") && remaining >= 2 {
                    i += 3
                } else if args.isKeyword(i, "overflow") && remaining >= 1 {
                    i += 2
                } else {
                    return ["RW", "access", "update"]
                }
            }
            return ["RO", "access"]
        default:
            return nil
        }
    }
}

// MARK: - what COMMAND INFO and DOCS report about a Command

extension Command {
    /// Redis's ACL category order, which COMMAND INFO lists categories in.
    static let aclCategoryOrder = [
        "@keyspace", "@read", "@write", "@set", "@sortedset", "@list", "@hash", "@string", "@bitmap",
        "@hyperloglog", "@geo", "@stream", "@pubsub", "@admin", "@fast", "@slow", "@blocking", "@dangerous",
        "@connection", "@transaction", "@scripting",
    ]

    /// COMMAND INFO's flag names in Redis's order. may_replicate is absent because Redis 7 leaves it out of
    /// the reply.
    static let infoFlagOrder = [
        "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking", "loading", "stale",
        "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth", "no_mandatory_keys", "no_async_loading",
        "no_multi", "movablekeys", "allow_busy",
    ]

    var reference: CommandReference? { CommandReference.table[fullName] }

    /// The registered categories plus those Redis implies from the flags, in Redis's order.
    var aclCategories: [String] {
        var set = Set(categories)
        if flags.contains(.write) { set.insert("@write") }
        if flags.contains(.readonly) && !set.contains("@scripting") { set.insert("@read") }
        if flags.contains(.admin) { set.formUnion(["@admin", "@dangerous"]) }
        if flags.contains(.pubsub) { set.insert("@pubsub") }
        if flags.contains(.fast) { set.insert("@fast") }
        if flags.contains(.blocking) { set.insert("@blocking") }
        if !set.contains("@fast") { set.insert("@slow") }
        let known = Self.aclCategoryOrder.filter(set.contains)
        return known + categories.filter { !Self.aclCategoryOrder.contains($0) }
    }

    /// The key specs COMMAND INFO reports and GETKEYS follows: the reference table's, with positions taken from
    /// KeyPositions where the table states none. Several such specs split KeyPositions: each but the last
    /// covers one key, the last covers the rest (RENAME's source and destination, SUNIONSTORE's destination
    /// and sources).
    var keySpecs: [KeySpec] {
        guard let templates = reference?.keySpecs else {
            guard keys.first > 0 else { return [] }
            let flags = isWrite ? ["RW", "access", "update"] : ["RO", "access"]
            return [KeySpec(flags: flags, notes: nil, beginSearch: .index(keys.first), findKeys: rangeFind(from: keys.first))]
        }
        let positional = templates.filter { $0.search == nil }.count
        var n = 0
        var specs: [KeySpec] = []
        for t in templates {
            if let (begin, find) = t.search {
                specs.append(KeySpec(flags: t.flags, notes: t.notes, beginSearch: begin, findKeys: find))
                continue
            }
            defer { n += 1 }
            guard keys.first > 0 else { continue }
            let index = keys.first + n * keys.step
            let find = n < positional - 1 ? KeySpec.FindKeys.range(lastKey: 0, keyStep: 1, limit: 0) : rangeFind(from: index)
            specs.append(KeySpec(flags: t.flags, notes: t.notes, beginSearch: .index(index), findKeys: find))
        }
        return specs
    }

    private func rangeFind(from index: Int) -> KeySpec.FindKeys {
        .range(lastKey: keys.last >= 0 ? keys.last - index : keys.last, keyStep: keys.step, limit: 0)
    }

    /// Redis sets movablekeys when the legacy first/last/step cannot describe every key: a spec that is not a
    /// plain index range, an incomplete one, or several ranges that are not consecutive single steps.
    static func hasMovableKeys(_ specs: [KeySpec]) -> Bool {
        if specs.count == 1, case .index = specs[0].beginSearch, case .range = specs[0].findKeys {
            return specs[0].flags.contains("incomplete")
        }
        var movable = false
        var foundRange = false
        // The furthest last key so far, compared unsigned as Redis does: "counts from the end" is furthest.
        var furthest: UInt = 0
        for spec in specs {
            guard case .index(let pos) = spec.beginSearch, case .range(let lastKey, let keyStep, _) = spec.findKeys else {
                movable = true
                continue
            }
            if keyStep != 1 || (furthest != 0 && furthest != UInt(bitPattern: pos - 1)) {
                movable = true
                continue
            }
            if spec.flags.contains("incomplete") { movable = true }
            foundRange = true
            furthest = max(furthest, UInt(bitPattern: lastKey >= 0 ? lastKey + pos : lastKey))
        }
        return movable || !foundRange
    }

    func infoFlagNames(specs: [KeySpec]) -> [String] {
        var present = Set(CommandFlags.names.filter { flags.contains($0.0) }.map { $0.1 })
        present.formUnion(reference?.extraFlags ?? [])
        if !specs.isEmpty && Self.hasMovableKeys(specs) { present.insert("movablekeys") }
        return Self.infoFlagOrder.filter(present.contains)
    }

    /// Subcommands in a stable order: the table keeps them in a dictionary.
    var sortedSubcommands: [Command] { subcommands.values.sorted { $0.name < $1.name } }
}

/// One COMMAND INFO entry, Redis 7's ten fields: name, arity, flags, first key, last key, key step, ACL
/// categories, tips, key specs, subcommands.
func writeCommandInfo(_ cmd: Command, to out: inout ReplyWriter) {
    let specs = cmd.keySpecs
    out.array(10)
    out.bulk(cmd.fullName)
    out.integer(cmd.arity)
    let flags = cmd.infoFlagNames(specs: specs)
    out.set(flags.count)
    for f in flags { out.status(f) }
    out.integer(cmd.keys.first)
    out.integer(cmd.keys.last)
    out.integer(cmd.keys.step)
    let categories = cmd.aclCategories
    out.set(categories.count)
    for c in categories { out.status(c) }
    let tips = cmd.reference?.tips ?? []
    out.set(tips.count)
    for t in tips { out.bulk(t) }
    out.set(specs.count)
    for s in specs { writeKeySpec(s, to: &out) }
    let subs = cmd.sortedSubcommands
    if subs.isEmpty {
        out.set(0)
    } else {
        out.array(subs.count)
        for s in subs { writeCommandInfo(s, to: &out) }
    }
}

private func writeKeySpec(_ spec: KeySpec, to out: inout ReplyWriter) {
    out.map(spec.notes == nil ? 3 : 4)
    if let notes = spec.notes {
        out.bulk("notes")
        out.bulk(notes)
    }
    out.bulk("flags")
    out.set(spec.flags.count)
    for f in spec.flags { out.status(f) }
    out.bulk("begin_search")
    out.map(2)
    out.bulk("type")
    switch spec.beginSearch {
    case .index(let pos):
        out.bulk("index")
        out.bulk("spec")
        out.map(1)
        out.bulk("index"); out.integer(pos)
    case .keyword(let keyword, let startFrom):
        out.bulk("keyword")
        out.bulk("spec")
        out.map(2)
        out.bulk("keyword"); out.bulk(keyword)
        out.bulk("startfrom"); out.integer(startFrom)
    case .unknown:
        out.bulk("unknown")
        out.bulk("spec")
        out.map(0)
    }
    out.bulk("find_keys")
    out.map(2)
    out.bulk("type")
    switch spec.findKeys {
    case .range(let lastKey, let keyStep, let limit):
        out.bulk("range")
        out.bulk("spec")
        out.map(3)
        out.bulk("lastkey"); out.integer(lastKey)
        out.bulk("keystep"); out.integer(keyStep)
        out.bulk("limit"); out.integer(limit)
    case .keynum(let keyNumIndex, let firstKey, let keyStep):
        out.bulk("keynum")
        out.bulk("spec")
        out.map(3)
        out.bulk("keynumidx"); out.integer(keyNumIndex)
        out.bulk("firstkey"); out.integer(firstKey)
        out.bulk("keystep"); out.integer(keyStep)
    case .unknown:
        out.bulk("unknown")
        out.bulk("spec")
        out.map(0)
    }
}

/// One COMMAND DOCS entry: a map with the fields Redis 7 uses, those the reference table has no facts for
/// left out (every command still reports its group).
func writeCommandDocs(_ cmd: Command, to out: inout ReplyWriter) {
    let ref = cmd.reference
    let subs = cmd.sortedSubcommands
    var fields = 1
    if let ref {
        fields += 2
        if !ref.complexity.isEmpty { fields += 1 }
        if !ref.docFlags.isEmpty { fields += 1 }
        if ref.deprecatedSince != nil { fields += 1 }
        if ref.replacedBy != nil { fields += 1 }
        if ref.arguments != nil { fields += 1 }
    }
    if !subs.isEmpty { fields += 1 }
    out.map(fields)
    if let ref {
        out.bulk("summary"); out.bulk(ref.summary)
        out.bulk("since"); out.bulk(ref.since)
    }
    out.bulk("group"); out.bulk(cmd.group)
    if let ref {
        if !ref.complexity.isEmpty { out.bulk("complexity"); out.bulk(ref.complexity) }
        if !ref.docFlags.isEmpty {
            out.bulk("doc_flags")
            out.set(ref.docFlags.count)
            for f in ref.docFlags { out.status(f) }
        }
        if let d = ref.deprecatedSince { out.bulk("deprecated_since"); out.bulk(d) }
        if let r = ref.replacedBy { out.bulk("replaced_by"); out.bulk(r) }
        if let args = ref.arguments {
            out.bulk("arguments")
            writeArguments(args, to: &out)
        }
    }
    if !subs.isEmpty {
        out.bulk("subcommands")
        out.map(subs.count)
        for s in subs {
            out.bulk(s.fullName)
            writeCommandDocs(s, to: &out)
        }
    }
}

private func writeArguments(_ args: [CommandArgument], to out: inout ReplyWriter) {
    out.array(args.count)
    for a in args {
        let flags = a.flagNames
        let nested = a.type == "oneof" || a.type == "block"
        // Redis 7.2 gives every argument but oneof and block a display_text, defaulting to its name.
        var fields = nested ? 2 : 3
        if a.keySpecIndex != nil { fields += 1 }
        if a.token != nil { fields += 1 }
        if a.since != nil { fields += 1 }
        if a.deprecatedSince != nil { fields += 1 }
        if !flags.isEmpty { fields += 1 }
        if nested { fields += 1 }
        out.map(fields)
        out.bulk("name"); out.bulk(a.name)
        out.bulk("type"); out.bulk(a.type)
        if !nested { out.bulk("display_text"); out.bulk(a.displayText ?? a.name) }
        if let k = a.keySpecIndex { out.bulk("key_spec_index"); out.integer(k) }
        if let t = a.token { out.bulk("token"); out.bulk(t) }
        if let s = a.since { out.bulk("since"); out.bulk(s) }
        if let d = a.deprecatedSince { out.bulk("deprecated_since"); out.bulk(d) }
        if !flags.isEmpty {
            out.bulk("flags")
            out.set(flags.count)
            for f in flags { out.status(f) }
        }
        if nested {
            out.bulk("arguments")
            writeArguments(a.arguments, to: &out)
        }
    }
}
