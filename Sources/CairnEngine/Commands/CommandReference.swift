/// What Cairn knows about a Redis command beyond its command table entry: the documentation COMMAND DOCS
/// returns and the key specs, tips and extra flags COMMAND INFO reports. Facts (versions, argument syntax, key
/// spec flags) follow Redis 7; summaries and notes are Cairn's own words.
struct CommandReference: Sendable {
    let since: String
    /// Empty when there is no meaningful complexity to state.
    let complexity: String
    let summary: String
    let keySpecs: [KeySpecTemplate]
    let tips: [String]
    /// COMMAND INFO flags Cairn's CommandFlags has no bit for ("asking", "no_async_loading").
    let extraFlags: [String]
    let docFlags: [String]
    let deprecatedSince: String?
    /// What to use instead of a deprecated command.
    let replacedBy: String?
    /// Nil for commands that take no arguments at all, which COMMAND DOCS shows by omitting the field.
    let arguments: [CommandArgument]?

    /// Keyed by full name ("get", "config|get").
    static let table: [String: CommandReference] = {
        var b = CommandReferenceBuilder()
        b.addBitmapCommands()
        b.addClusterCommands()
        b.addConnectionCommands()
        b.addGenericCommands()
        b.addGeoCommands()
        b.addHashCommands()
        b.addHyperloglogCommands()
        b.addListCommands()
        b.addPubsubCommands()
        b.addScriptingCommands()
        b.addServerCommands()
        b.addSetCommands()
        b.addSortedSetCommands()
        b.addStreamCommands()
        b.addStringCommands()
        b.addTransactionsCommands()
        return b.entries
    }()
}

/// A Redis 7 key spec: where the search for keys starts, how keys are found from there, and how the command
/// uses them.
struct KeySpec: Sendable, Equatable {
    enum BeginSearch: Sendable, Equatable {
        case index(Int)
        case keyword(String, startFrom: Int)
        case unknown
    }
    enum FindKeys: Sendable, Equatable {
        /// `lastKey` is relative to the first key, or counts from the end when negative.
        case range(lastKey: Int, keyStep: Int, limit: Int)
        case keynum(keyNumIndex: Int, firstKey: Int, keyStep: Int)
        case unknown
    }
    var flags: [String]
    var notes: String?
    var beginSearch: BeginSearch
    var findKeys: FindKeys
}

/// A key spec as the reference table states it. Without an explicit search, its positions come from the
/// command's KeyPositions, so the table repeats only what KeyPositions cannot express (keyword and keynum
/// searches, unknown positions).
struct KeySpecTemplate: Sendable {
    var flags: [String]
    var notes: String?
    var search: (KeySpec.BeginSearch, KeySpec.FindKeys)?

    /// Parses "FLAG,FLAG[ BEGIN FIND][ -- notes]" where BEGIN is index:N, keyword:WORD,N or unknown and FIND is
    /// range:LAST,STEP,LIMIT, keynum:INDEX,FIRST,STEP or unknown.
    init(_ text: String) {
        var body = Substring(text)
        if let r = text.firstRange(of: " -- ") {
            notes = String(text[r.upperBound...])
            body = text[..<r.lowerBound]
        }
        let parts = body.split(separator: " ")
        flags = parts[0].split(separator: ",").map(String.init)
        guard parts.count == 3 else {
            precondition(parts.count == 1, "bad key spec \(text)")
            return
        }
        search = (Self.beginSearch(parts[1]), Self.findKeys(parts[2]))
    }

    private static func numbers(_ s: Substring) -> [Int] { s.split(separator: ",").map { Int($0)! } }

    private static func beginSearch(_ s: Substring) -> KeySpec.BeginSearch {
        if s == "unknown" { return .unknown }
        let (kind, value) = (s.prefix { $0 != ":" }, s.drop { $0 != ":" }.dropFirst())
        if kind == "index" { return .index(Int(value)!) }
        precondition(kind == "keyword", "bad begin_search \(s)")
        let comma = value.lastIndex(of: ",")!
        return .keyword(String(value[..<comma]), startFrom: Int(value[value.index(after: comma)...])!)
    }

    private static func findKeys(_ s: Substring) -> KeySpec.FindKeys {
        if s == "unknown" { return .unknown }
        let kind = s.prefix { $0 != ":" }
        let n = numbers(s.drop { $0 != ":" }.dropFirst())
        if kind == "range" { return .range(lastKey: n[0], keyStep: n[1], limit: n[2]) }
        precondition(kind == "keynum", "bad find_keys \(s)")
        return .keynum(keyNumIndex: n[0], firstKey: n[1], keyStep: n[2])
    }
}

/// One argument of a command's syntax as COMMAND DOCS describes it; `oneof` and `block` arguments nest others.
struct CommandArgument: Sendable {
    var name: String
    var type: String
    var keySpecIndex: Int?
    var token: String?
    /// What documentation shows for the argument when it differs from its name (Redis 7.2's display_text).
    var displayText: String?
    var since: String?
    var deprecatedSince: String?
    var optional = false
    var multiple = false
    var multipleToken = false
    var arguments: [CommandArgument] = []

    /// The flag names Redis lists for an argument, in its order.
    var flagNames: [String] {
        var names: [String] = []
        if optional { names.append("optional") }
        if multiple { names.append("multiple") }
        if multipleToken { names.append("multiple_token") }
        return names
    }

    /// Parses the table's compact syntax: arguments separated by spaces, each written
    /// `name:type` followed by modifiers `@TOKEN`, `#keySpecIndex`, `^since`, `!deprecatedSince`, `?` (optional),
    /// `*` (multiple), `+` (multiple_token), `~display` and, for oneof and block, `(nested arguments)`. A pure token whose name
    /// is its lowercase token is just `@TOKEN`; `'...'` quotes names and tokens with special characters.
    static func parseList(_ text: String) -> [CommandArgument] {
        var p = Parser(bytes: Array(text.utf8))
        let list = p.list()
        precondition(p.i == p.bytes.count, "bad argument syntax at \(p.i): \(text)")
        return list
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        static let special = Set(":@#^!?*+()~ '".utf8)

        mutating func list() -> [CommandArgument] {
            var out: [CommandArgument] = []
            while true {
                while i < bytes.count && bytes[i] == UInt8(ascii: " ") { i += 1 }
                if i == bytes.count || bytes[i] == UInt8(ascii: ")") { return out }
                out.append(argument())
            }
        }

        mutating func word() -> String {
            if i < bytes.count && bytes[i] == UInt8(ascii: "'") {
                let start = i + 1
                i = start
                while bytes[i] != UInt8(ascii: "'") { i += 1 }
                defer { i += 1 }
                return String(decoding: bytes[start..<i], as: UTF8.self)
            }
            let start = i
            while i < bytes.count && !Self.special.contains(bytes[i]) { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func argument() -> CommandArgument {
            var arg = CommandArgument(name: "", type: "")
            if bytes[i] == UInt8(ascii: "@") {
                i += 1
                let token = word()
                arg.name = token.lowercased()
                arg.token = token
                arg.type = "pure-token"
            } else {
                arg.name = word()
            }
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: ":"): i += 1; arg.type = word()
                case UInt8(ascii: "@"): i += 1; arg.token = word()
                case UInt8(ascii: "#"): i += 1; arg.keySpecIndex = Int(word())
                case UInt8(ascii: "~"): i += 1; arg.displayText = word()
                case UInt8(ascii: "^"): i += 1; arg.since = word()
                case UInt8(ascii: "!"): i += 1; arg.deprecatedSince = word()
                case UInt8(ascii: "?"): i += 1; arg.optional = true
                case UInt8(ascii: "*"): i += 1; arg.multiple = true
                case UInt8(ascii: "+"): i += 1; arg.multipleToken = true
                case UInt8(ascii: "("):
                    i += 1
                    arg.arguments = list()
                    precondition(i < bytes.count, "unclosed argument group")
                    i += 1
                default:
                    return arg.completed()
                }
            }
            return arg.completed()
        }
    }

    private func completed() -> CommandArgument {
        var a = self
        if a.type.isEmpty {
            precondition(a.token != nil, "argument \(name) has neither type nor token")
            a.type = "pure-token"
        }
        if a.type == "key" && a.keySpecIndex == nil { a.keySpecIndex = 0 }
        return a
    }
}

/// Collects the table; one statement per command keeps type-checking of this large table cheap.
struct CommandReferenceBuilder {
    var entries: [String: CommandReference] = [:]

    mutating func add(_ name: String, _ since: String, _ complexity: String, _ summary: String,
                      keys: [String] = [], tips: [String] = [], flags: [String] = [], doc: [String] = [],
                      deprecated: String? = nil, replaced: String? = nil, args: String? = nil) {
        entries[name] = CommandReference(
            since: since, complexity: complexity, summary: summary, keySpecs: keys.map(KeySpecTemplate.init),
            tips: tips, extraFlags: flags, docFlags: doc, deprecatedSince: deprecated, replacedBy: replaced,
            arguments: args.map(CommandArgument.parseList))
    }
}

// The table, one group of Redis's command groups per function.
extension CommandReferenceBuilder {
    mutating func addBitmapCommands() {
        add("bitcount", "2.6.0", "O(N)", "Counts the set bits of a string, optionally within a byte or bit range.", keys: ["RO,access"], args: "key:key index:block?(start:integer end:integer index_unit:oneof^7.0.0?(@BYTE @BIT))")
        add("bitfield", "3.2.0", "O(1)", "Reads and writes integer fields of arbitrary width inside a string.", keys: ["RW,access,update,variable_flags -- Reads and writes the key; calls made only of GET operations just read."], args: "key:key operation:oneof?*(encoding_offset:block@GET(encoding:string offset:integer) write:block(wrap_sat_fail:oneof@OVERFLOW?(@WRAP @SAT @FAIL) write_operation:oneof(encoding_offset_value:block@SET(encoding:string offset:integer value:integer) encoding_offset_increment:block@INCRBY(encoding:string offset:integer increment:integer))))")
        add("bitfield_ro", "6.0.0", "O(1)", "Reads integer fields of arbitrary width inside a string.", keys: ["RO,access"], args: "key:key encoding_offset:block@GET?*+(encoding:string offset:integer)")
        add("bitop", "2.6.0", "O(N)", "Combines strings bitwise (AND, OR, XOR, NOT) into a destination key.", keys: ["OW,update", "RO,access"], args: "operation:string destkey:key key:key#1*")
        add("bitpos", "2.8.7", "O(N)", "Finds the first bit set to 0 or 1 in a string.", keys: ["RO,access"], args: "key:key bit:integer index:block?(start:integer end_index:block?(end:integer index_unit:oneof^7.0.0?(@BYTE @BIT)))")
        add("getbit", "2.2.0", "O(1)", "Reads the bit at an offset of a string.", keys: ["RO,access"], args: "key:key offset:integer")
        add("setbit", "2.2.0", "O(1)", "Sets or clears the bit at an offset of a string and returns its old value.", keys: ["RW,access,update"], args: "key:key offset:integer value:integer")
    }

    mutating func addClusterCommands() {
        add("asking", "3.0.0", "O(1)", "Marks the next command as allowed for a slot being imported (cluster redirection).")
        add("cluster", "3.0.0", "Varies by subcommand.", "Container for the cluster management subcommands.")
        add("cluster|addslots", "3.0.0", "O(N)", "Assigns hash slots to this node.", flags: ["no_async_loading"], args: "slot:integer*")
        add("cluster|addslotsrange", "7.0.0", "O(N)", "Assigns ranges of hash slots to this node.", flags: ["no_async_loading"], args: "start-slot_end-slot:block*(start-slot:integer end-slot:integer)")
        add("cluster|bumpepoch", "3.0.0", "O(1)", "Moves this node's config epoch ahead of the cluster's.", tips: ["nondeterministic_output"], flags: ["no_async_loading"])
        add("cluster|count-failure-reports", "3.0.0", "O(N)", "Counts the failure reports about a node.", tips: ["nondeterministic_output"], args: "node-id:string")
        add("cluster|countkeysinslot", "3.0.0", "O(1)", "Counts the keys in a hash slot.", args: "slot:integer")
        add("cluster|delslots", "3.0.0", "O(N)", "Removes hash slots from this node.", flags: ["no_async_loading"], args: "slot:integer*")
        add("cluster|delslotsrange", "7.0.0", "O(N)", "Removes ranges of hash slots from this node.", flags: ["no_async_loading"], args: "start-slot_end-slot:block*(start-slot:integer end-slot:integer)")
        add("cluster|failover", "3.0.0", "O(1)", "Makes a replica take over from its master.", flags: ["no_async_loading"], args: "options:oneof?(@FORCE @TAKEOVER)")
        add("cluster|flushslots", "3.0.0", "O(1)", "Removes every hash slot from this node.", flags: ["no_async_loading"])
        add("cluster|forget", "3.0.0", "O(1)", "Drops a node from this node's view of the cluster.", flags: ["no_async_loading"], args: "node-id:string")
        add("cluster|getkeysinslot", "3.0.0", "O(log(N))", "Lists key names stored in a hash slot.", tips: ["nondeterministic_output"], args: "slot:integer count:integer")
        add("cluster|help", "5.0.0", "O(1)", "Lists the CLUSTER subcommands.")
        add("cluster|info", "3.0.0", "O(1)", "Reports the state of the cluster.", tips: ["nondeterministic_output"])
        add("cluster|keyslot", "3.0.0", "O(N)", "Computes the hash slot of a key name.", args: "key:string")
        add("cluster|links", "7.0.0", "O(N)", "Lists this node's links to its peers.", tips: ["nondeterministic_output"])
        add("cluster|meet", "3.0.0", "O(1)", "Connects this node to another cluster node.", flags: ["no_async_loading"], args: "ip:string port:integer cluster_bus_port:integer^4.0.0?")
        add("cluster|myid", "3.0.0", "O(1)", "Returns this node's ID.")
        add("cluster|nodes", "3.0.0", "O(N)", "Reports the cluster configuration as this node sees it.", tips: ["nondeterministic_output"])
        add("cluster|replicas", "5.0.0", "O(1)", "Lists the replicas of a master node.", tips: ["nondeterministic_output"], args: "node-id:string")
        add("cluster|replicate", "3.0.0", "O(1)", "Turns this node into a replica of another node.", flags: ["no_async_loading"], args: "node-id:string")
        add("cluster|reset", "3.0.0", "O(N)", "Resets this node's cluster state.", args: "hard_soft:oneof?(@HARD @SOFT)")
        add("cluster|saveconfig", "3.0.0", "O(1)", "Writes the cluster configuration to disk.", flags: ["no_async_loading"])
        add("cluster|set-config-epoch", "3.0.0", "O(1)", "Sets the config epoch of a fresh node.", flags: ["no_async_loading"], args: "config-epoch:integer")
        add("cluster|setslot", "3.0.0", "O(1)", "Changes the migration state or owner of a hash slot.", flags: ["no_async_loading"], args: "slot:integer subcommand:oneof(importing:string@IMPORTING~node-id migrating:string@MIGRATING~node-id node:string@NODE~node-id @STABLE)")
        add("cluster|shards", "7.0.0", "O(N)", "Reports how slots are spread across shards.", tips: ["nondeterministic_output"])
        add("cluster|slaves", "3.0.0", "O(1)", "Lists the replicas of a master node (old name of CLUSTER REPLICAS).", tips: ["nondeterministic_output"], doc: ["deprecated"], deprecated: "5.0.0", replaced: "`CLUSTER REPLICAS`", args: "node-id:string")
        add("cluster|slots", "3.0.0", "O(N)", "Maps slot ranges to nodes (superseded by CLUSTER SHARDS).", tips: ["nondeterministic_output"], doc: ["deprecated"], deprecated: "7.0.0", replaced: "`CLUSTER SHARDS`")
        add("readonly", "3.0.0", "O(1)", "Allows reads from a cluster replica on this connection.")
        add("readwrite", "3.0.0", "O(1)", "Stops reads from a cluster replica on this connection.")
    }

    mutating func addConnectionCommands() {
        add("auth", "1.0.0", "O(N)", "Authenticates the connection.", args: "username:string^6.0.0? password:string")
        add("client", "2.4.0", "Varies by subcommand.", "Container for the client connection subcommands.")
        add("client|caching", "6.0.0", "O(1)", "Tells tracking whether to remember the keys read by the next command.", args: "mode:oneof(@YES @NO)")
        add("client|getname", "2.6.9", "O(1)", "Returns the connection's name.")
        add("client|getredir", "6.0.0", "O(1)", "Returns the client ID that receives tracking invalidations for this connection.")
        add("client|help", "5.0.0", "O(1)", "Lists the CLIENT subcommands.")
        add("client|id", "5.0.0", "O(1)", "Returns the connection's unique ID.")
        add("client|info", "6.2.0", "O(1)", "Describes the calling connection.", tips: ["nondeterministic_output"])
        add("client|kill", "2.4.0", "O(N)", "Closes connections matching an address or filters.", args: "filter:oneof(old-format:string~'ip:port'!2.8.12 new-format:oneof*(client-id:integer@ID^2.8.12? client-type:oneof@TYPE^2.8.12?(@normal @master^3.2.0 @slave @replica^5.0.0 @pubsub) username:string@USER? addr:string@ADDR~'ip:port'? laddr:string@LADDR~'ip:port'^6.2.0? skipme:oneof@SKIPME?(@YES @NO)))")
        add("client|list", "2.4.0", "O(N)", "Describes the open connections.", tips: ["nondeterministic_output"], args: "normal_master_replica_pubsub:oneof@TYPE^5.0.0?(@NORMAL @MASTER @REPLICA @PUBSUB) id:block@ID^6.2.0?(client-id:integer*)")
        add("client|no-evict", "7.0.0", "O(1)", "Exempts the connection from client eviction.", args: "enabled:oneof(@ON @OFF)")
        add("client|no-touch", "7.2.0", "O(1)", "Keeps this connection's reads from updating key access times.", args: "enabled:oneof(@ON @OFF)")
        add("client|pause", "2.9.50", "O(1)", "Suspends command processing for a while.", args: "timeout:integer mode:oneof^6.2.0?(@WRITE @ALL)")
        add("client|reply", "3.2.0", "O(1)", "Turns replies on or off for this connection.", args: "on_off_skip:oneof(@ON @OFF @SKIP)")
        add("client|setinfo", "7.2.0", "O(1)", "Records the client library name or version on the connection.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], args: "attr:oneof(libname:string@lib-name libver:string@lib-ver)")
        add("client|setname", "2.6.9", "O(1)", "Names the connection.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], args: "connection-name:string")
        add("client|tracking", "6.0.0", "O(1)", "Turns client-side caching key tracking on or off.", args: "status:oneof(@ON @OFF) client-id:integer@REDIRECT? prefix:string@PREFIX?*+ @BCAST? @OPTIN? @OPTOUT? @NOLOOP?")
        add("client|trackinginfo", "6.2.0", "O(1)", "Reports the connection's tracking settings.")
        add("client|unblock", "5.0.0", "O(log N)", "Wakes a client blocked in another command.", args: "client-id:integer timeout_error:oneof?(@TIMEOUT @ERROR)")
        add("client|unpause", "6.2.0", "O(N)", "Ends a CLIENT PAUSE early.")
        add("echo", "1.0.0", "O(1)", "Replies with the given message.", args: "message:string")
        add("hello", "6.0.0", "O(1)", "Negotiates the protocol version and optionally authenticates and names the connection.", args: "arguments:block?(protover:integer username_password:block@AUTH?(username:string password:string) clientname:string@SETNAME?)")
        add("ping", "1.0.0", "O(1)", "Checks the connection; replies PONG or echoes the argument.", tips: ["request_policy:all_shards", "response_policy:all_succeeded"], args: "message:string?")
        add("quit", "1.0.0", "O(1)", "Closes the connection after replying.")
        add("reset", "6.2.0", "O(1)", "Returns the connection to its initial state.")
        add("select", "1.0.0", "O(1)", "Switches the connection to another database.", args: "index:integer")
    }

    mutating func addGenericCommands() {
        add("copy", "6.2.0", "O(N)", "Copies a key's value to another key.", keys: ["RO,access", "OW,update"], args: "source:key destination:key#1 destination-db:integer@DB? @REPLACE?")
        add("del", "1.0.0", "O(N)", "Removes keys.", keys: ["RM,delete"], tips: ["request_policy:multi_shard", "response_policy:agg_sum"], args: "key:key*")
        add("dump", "2.6.0", "O(1)", "Serializes a key's value.", keys: ["RO,access"], tips: ["nondeterministic_output"], args: "key:key")
        add("exists", "1.0.0", "O(N)", "Counts how many of the given keys exist.", keys: ["RO"], tips: ["request_policy:multi_shard", "response_policy:agg_sum"], args: "key:key*")
        add("expire", "1.0.0", "O(1)", "Sets a key's time to live in seconds.", keys: ["RW,update"], args: "key:key seconds:integer condition:oneof^7.0.0?(@NX @XX @GT @LT)")
        add("expireat", "1.2.0", "O(1)", "Sets a key's expiry as a Unix time in seconds.", keys: ["RW,update"], args: "key:key unix-time-seconds:unix-time condition:oneof^7.0.0?(@NX @XX @GT @LT)")
        add("expiretime", "7.0.0", "O(1)", "Returns a key's expiry as a Unix time in seconds.", keys: ["RO,access"], args: "key:key")
        add("keys", "1.0.0", "O(N)", "Lists the key names matching a glob pattern.", tips: ["request_policy:all_shards", "nondeterministic_output_order"], args: "pattern:pattern")
        add("migrate", "2.6.0", "O(N)", "Moves keys to another server atomically.", keys: ["RW,access,delete", "RW,access,delete,incomplete keyword:KEYS,-2 range:-1,1,0"], tips: ["nondeterministic_output"], args: "host:string port:integer key-selector:oneof(key:key empty-string@'\"\"') destination-db:integer timeout:integer @COPY^3.0.0? @REPLACE^3.0.0? authentication:oneof?(auth:string@AUTH~password^4.0.7 auth2:block@AUTH2^6.0.0(username:string password:string)) keys:key@KEYS~key#1^3.0.6?*")
        add("move", "1.0.0", "O(1)", "Moves a key to another database.", keys: ["RW,access,update"], args: "key:key db:integer")
        add("object", "2.2.3", "Varies by subcommand.", "Container for the object introspection subcommands.")
        add("object|encoding", "2.2.3", "O(1)", "Returns the internal encoding of a key's value.", keys: ["RO"], tips: ["nondeterministic_output"], args: "key:key")
        add("object|freq", "4.0.0", "O(1)", "Returns the LFU access counter of a key.", keys: ["RO"], tips: ["nondeterministic_output"], args: "key:key")
        add("object|help", "6.2.0", "O(1)", "Lists the OBJECT subcommands.")
        add("object|idletime", "2.2.3", "O(1)", "Returns the seconds since a key was last accessed.", keys: ["RO"], tips: ["nondeterministic_output"], args: "key:key")
        add("object|refcount", "2.2.3", "O(1)", "Returns the reference count of a key's value.", keys: ["RO"], tips: ["nondeterministic_output"], args: "key:key")
        add("persist", "2.2.0", "O(1)", "Removes a key's expiry.", keys: ["RW,update"], args: "key:key")
        add("pexpire", "2.6.0", "O(1)", "Sets a key's time to live in milliseconds.", keys: ["RW,update"], args: "key:key milliseconds:integer condition:oneof^7.0.0?(@NX @XX @GT @LT)")
        add("pexpireat", "2.6.0", "O(1)", "Sets a key's expiry as a Unix time in milliseconds.", keys: ["RW,update"], args: "key:key unix-time-milliseconds:unix-time condition:oneof^7.0.0?(@NX @XX @GT @LT)")
        add("pexpiretime", "7.0.0", "O(1)", "Returns a key's expiry as a Unix time in milliseconds.", keys: ["RO,access"], args: "key:key")
        add("pttl", "2.6.0", "O(1)", "Returns a key's remaining time to live in milliseconds.", keys: ["RO,access"], tips: ["nondeterministic_output"], args: "key:key")
        add("randomkey", "1.0.0", "O(1)", "Returns a random key name from the database.", tips: ["request_policy:all_shards", "response_policy:special", "nondeterministic_output"])
        add("rename", "1.0.0", "O(1)", "Renames a key, replacing any key with the new name.", keys: ["RW,access,delete", "OW,update"], args: "key:key newkey:key#1")
        add("renamenx", "1.0.0", "O(1)", "Renames a key only when the new name is free.", keys: ["RW,access,delete", "OW,insert"], args: "key:key newkey:key#1")
        add("restore", "2.6.0", "O(1)", "Creates a key from a DUMP payload.", keys: ["OW,update"], args: "key:key ttl:integer serialized-value:string @REPLACE^3.0.0? @ABSTTL^5.0.0? seconds:integer@IDLETIME^5.0.0? frequency:integer@FREQ^5.0.0?")
        add("scan", "2.8.0", "O(1)", "Iterates over the key names of the database with a cursor.", tips: ["nondeterministic_output", "request_policy:special", "response_policy:special"], args: "cursor:integer pattern:pattern@MATCH? count:integer@COUNT? type:string@TYPE^6.0.0?")
        add("sort", "1.0.0", "O(N+M*log(M))", "Sorts a list, set or sorted set, optionally storing the result.", keys: ["RO,access", "RO,access unknown unknown -- BY and GET patterns name keys derived from the sorted values, so their positions are unknown.", "OW,update unknown unknown -- STORE may appear anywhere among the options, so its position is unknown."], args: "key:key by-pattern:pattern@BY~pattern#1? limit:block@LIMIT?(offset:integer count:integer) get-pattern:pattern@GET~pattern#1?*+ order:oneof?(@ASC @DESC) sorting@ALPHA? destination:key@STORE#2?")
        add("sort_ro", "7.0.0", "O(N+M*log(M))", "Sorts a list, set or sorted set without storing.", keys: ["RO,access", "RO,access unknown unknown -- BY and GET patterns name keys derived from the sorted values, so their positions are unknown."], args: "key:key by-pattern:pattern@BY~pattern#1? limit:block@LIMIT?(offset:integer count:integer) get-pattern:pattern@GET~pattern#1?*+ order:oneof?(@ASC @DESC) sorting@ALPHA?")
        add("touch", "3.2.1", "O(N)", "Updates the access time of keys and counts those that exist.", keys: ["RO"], tips: ["request_policy:multi_shard", "response_policy:agg_sum"], args: "key:key*")
        add("ttl", "1.0.0", "O(1)", "Returns a key's remaining time to live in seconds.", keys: ["RO,access"], tips: ["nondeterministic_output"], args: "key:key")
        add("type", "1.0.0", "O(1)", "Returns the type of the value stored at a key.", keys: ["RO"], args: "key:key")
        add("unlink", "4.0.0", "O(1)", "Removes keys, freeing their memory in the background.", keys: ["RM,delete"], tips: ["request_policy:multi_shard", "response_policy:agg_sum"], args: "key:key*")
        add("wait", "3.0.0", "O(1)", "Blocks until earlier writes reach a number of replicas.", tips: ["request_policy:all_shards", "response_policy:agg_min"], args: "numreplicas:integer timeout:integer")
        add("waitaof", "7.2.0", "O(1)", "Blocks until earlier writes are fsynced to the AOF locally or on replicas.", tips: ["request_policy:all_shards", "response_policy:agg_min"], args: "numlocal:integer numreplicas:integer timeout:integer")
    }

    mutating func addGeoCommands() {
        add("geoadd", "3.2.0", "O(log(N))", "Adds members with coordinates to a geospatial index.", keys: ["RW,update"], args: "key:key condition:oneof^6.2.0?(@NX @XX) change@CH^6.2.0? longitude_latitude_member:block*(longitude:double latitude:double member:string)")
        add("geodist", "3.2.0", "O(log(N))", "Measures the distance between two members of a geospatial index.", keys: ["RO,access"], args: "key:key member1:string member2:string unit:oneof?(@M @KM @FT @MI)")
        add("geohash", "3.2.0", "O(log(N))", "Returns the geohash strings of members.", keys: ["RO,access"], args: "key:key member:string*")
        add("geopos", "3.2.0", "O(N)", "Returns the coordinates of members.", keys: ["RO,access"], args: "key:key member:string*")
        add("georadius", "3.2.0", "O(N+log(M))", "Finds members within a radius of a point, optionally storing them.", keys: ["RO,access", "OW,update keyword:STORE,6 range:0,1,0", "OW,update keyword:STOREDIST,6 range:0,1,0"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`GEOSEARCH` or `GEOSEARCHSTORE` with `BYRADIUS`", args: "key:key longitude:double latitude:double radius:double unit:oneof(@m @km @ft @mi) @WITHCOORD? @WITHDIST? @WITHHASH? count-block:block?(count:integer@COUNT @ANY^6.2.0?) order:oneof?(@ASC @DESC) store:oneof?(storekey:key@STORE~key#1 storedistkey:key@STOREDIST~key#2)")
        add("georadius_ro", "3.2.10", "O(N+log(M))", "Finds members within a radius of a point.", keys: ["RO,access"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`GEOSEARCH ... BYRADIUS ...`", args: "key:key longitude:double latitude:double radius:double unit:oneof(@M @KM @FT @MI) @WITHCOORD? @WITHDIST? @WITHHASH? count:block?(count:integer@COUNT @ANY^6.2.0?) order:oneof?(@ASC @DESC)")
        add("georadiusbymember", "3.2.0", "O(N+log(M))", "Finds members within a radius of another member, optionally storing them.", keys: ["RO,access", "OW,update keyword:STORE,5 range:0,1,0", "OW,update keyword:STOREDIST,5 range:0,1,0"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`GEOSEARCH` or `GEOSEARCHSTORE` with `FROMMEMBER` and `BYRADIUS`", args: "key:key member:string radius:double unit:oneof(@m @km @ft @mi) @WITHCOORD? @WITHDIST? @WITHHASH? count-block:block?(count:integer@COUNT @ANY?) order:oneof?(@ASC @DESC) store:oneof?(storekey:key@STORE~key#1 storedistkey:key@STOREDIST~key#2)")
        add("georadiusbymember_ro", "3.2.10", "O(N+log(M))", "Finds members within a radius of another member.", keys: ["RO,access"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`GEOSEARCH ... FROMMEMBER ... BYRADIUS ...`", args: "key:key member:string radius:double unit:oneof(@M @KM @FT @MI) @WITHCOORD? @WITHDIST? @WITHHASH? count:block?(count:integer@COUNT @ANY?) order:oneof?(@ASC @DESC)")
        add("geosearch", "6.2.0", "O(N+log(M))", "Finds members inside a circle or box.", keys: ["RO,access"], args: "key:key from:oneof(member:string@FROMMEMBER longitude_latitude:block@FROMLONLAT(longitude:double latitude:double)) by:oneof(circle:block(radius:double@BYRADIUS unit:oneof(@M @KM @FT @MI)) box:block(width:double@BYBOX height:double unit:oneof(@M @KM @FT @MI))) order:oneof?(@ASC @DESC) count:block?(count:integer@COUNT @ANY?) @WITHCOORD? @WITHDIST? @WITHHASH?")
        add("geosearchstore", "6.2.0", "O(N+log(M))", "Finds members inside a circle or box and stores them.", keys: ["OW,update", "RO,access"], args: "destination:key source:key#1 from:oneof(member:string@FROMMEMBER longitude_latitude:block@FROMLONLAT(longitude:double latitude:double)) by:oneof(circle:block(radius:double@BYRADIUS unit:oneof(@M @KM @FT @MI)) box:block(width:double@BYBOX height:double unit:oneof(@M @KM @FT @MI))) order:oneof?(@ASC @DESC) count:block?(count:integer@COUNT @ANY?) @STOREDIST?")
    }

    mutating func addHashCommands() {
        add("hdel", "2.0.0", "O(N)", "Removes fields from a hash.", keys: ["RW,delete"], args: "key:key field:string*")
        add("hexists", "2.0.0", "O(1)", "Tells whether a hash has a field.", keys: ["RO"], args: "key:key field:string")
        add("hget", "2.0.0", "O(1)", "Reads one field of a hash.", keys: ["RO,access"], args: "key:key field:string")
        add("hgetall", "2.0.0", "O(N)", "Returns every field and value of a hash.", keys: ["RO,access"], tips: ["nondeterministic_output_order"], args: "key:key")
        add("hincrby", "2.0.0", "O(1)", "Adds an integer to a hash field.", keys: ["RW,access,update"], args: "key:key field:string increment:integer")
        add("hincrbyfloat", "2.6.0", "O(1)", "Adds a floating point number to a hash field.", keys: ["RW,access,update"], args: "key:key field:string increment:double")
        add("hkeys", "2.0.0", "O(N)", "Returns the field names of a hash.", keys: ["RO,access"], tips: ["nondeterministic_output_order"], args: "key:key")
        add("hlen", "2.0.0", "O(1)", "Counts the fields of a hash.", keys: ["RO"], args: "key:key")
        add("hmget", "2.0.0", "O(N)", "Reads several fields of a hash.", keys: ["RO,access"], args: "key:key field:string*")
        add("hmset", "2.0.0", "O(N)", "Sets several hash fields (older form of HSET).", keys: ["RW,update"], doc: ["deprecated"], deprecated: "4.0.0", replaced: "`HSET`, which takes several field-value pairs", args: "key:key field_value:block*(field:string value:string)")
        add("hrandfield", "6.2.0", "O(N)", "Returns random fields of a hash.", keys: ["RO,access"], tips: ["nondeterministic_output"], args: "key:key options:block?(count:integer @WITHVALUES?)")
        add("hscan", "2.8.0", "O(1)", "Iterates over the fields of a hash with a cursor.", keys: ["RO,access"], tips: ["nondeterministic_output"], args: "key:key cursor:integer pattern:pattern@MATCH? count:integer@COUNT?")
        add("hset", "2.0.0", "O(1)", "Sets fields of a hash.", keys: ["RW,update"], args: "key:key field_value:block*(field:string value:string)")
        add("hsetnx", "2.0.0", "O(1)", "Sets a hash field only if it is absent.", keys: ["RW,insert"], args: "key:key field:string value:string")
        add("hstrlen", "3.2.0", "O(1)", "Returns the length of a hash field's value.", keys: ["RO"], args: "key:key field:string")
        add("hvals", "2.0.0", "O(N)", "Returns the values of a hash.", keys: ["RO,access"], tips: ["nondeterministic_output_order"], args: "key:key")
    }

    mutating func addHyperloglogCommands() {
        add("pfadd", "2.8.9", "O(1)", "Adds elements to a HyperLogLog.", keys: ["RW,insert"], args: "key:key element:string?*")
        add("pfcount", "2.8.9", "O(1)", "Estimates the number of distinct elements in HyperLogLogs.", keys: ["RW,access -- Counts as a write because it may rewrite the key's encoding, which is replicated."], args: "key:key*")
        add("pfdebug", "2.8.9", "N/A", "Inspects the internals of a HyperLogLog (for tests).", keys: ["RW,access"], doc: ["syscmd"], args: "subcommand:string key:key")
        add("pfmerge", "2.8.9", "O(N)", "Merges HyperLogLogs into a destination.", keys: ["RW,access,insert", "RO,access"], args: "destkey:key sourcekey:key#1*")
        add("pfselftest", "2.8.9", "N/A", "Runs the HyperLogLog self test.", doc: ["syscmd"])
    }

    mutating func addListCommands() {
        add("blmove", "6.2.0", "O(1)", "Pops from one list and pushes onto another, waiting for an element if needed.", keys: ["RW,access,delete", "RW,insert"], args: "source:key destination:key#1 wherefrom:oneof(@LEFT @RIGHT) whereto:oneof(@LEFT @RIGHT) timeout:double")
        add("blmpop", "7.0.0", "O(N+M)", "Pops elements from the first non-empty list, waiting if all are empty.", keys: ["RW,access,delete index:2 keynum:0,1,1"], args: "timeout:double numkeys:integer key:key* where:oneof(@LEFT @RIGHT) count:integer@COUNT?")
        add("blpop", "2.0.0", "O(N)", "Pops the first element of the first non-empty list, waiting if all are empty.", keys: ["RW,access,delete"], args: "key:key* timeout:double")
        add("brpop", "2.0.0", "O(N)", "Pops the last element of the first non-empty list, waiting if all are empty.", keys: ["RW,access,delete"], args: "key:key* timeout:double")
        add("brpoplpush", "2.2.0", "O(1)", "Pops the last element of a list onto the head of another, waiting if needed.", keys: ["RW,access,delete", "RW,insert"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`BLMOVE source destination RIGHT LEFT timeout`", args: "source:key destination:key#1 timeout:double")
        add("lindex", "1.0.0", "O(N)", "Reads a list element by index.", keys: ["RO,access"], args: "key:key index:integer")
        add("linsert", "2.2.0", "O(N)", "Inserts an element before or after a pivot element.", keys: ["RW,insert"], args: "key:key where:oneof(@BEFORE @AFTER) pivot:string element:string")
        add("llen", "1.0.0", "O(1)", "Returns the length of a list.", keys: ["RO"], args: "key:key")
        add("lmove", "6.2.0", "O(1)", "Pops from one end of a list and pushes onto an end of another.", keys: ["RW,access,delete", "RW,insert"], args: "source:key destination:key#1 wherefrom:oneof(@LEFT @RIGHT) whereto:oneof(@LEFT @RIGHT)")
        add("lmpop", "7.0.0", "O(N+M)", "Pops elements from the first non-empty list.", keys: ["RW,access,delete index:1 keynum:0,1,1"], args: "numkeys:integer key:key* where:oneof(@LEFT @RIGHT) count:integer@COUNT?")
        add("lpop", "1.0.0", "O(N)", "Removes and returns elements from the head of a list.", keys: ["RW,access,delete"], args: "key:key count:integer^6.2.0?")
        add("lpos", "6.0.6", "O(N)", "Finds the positions of an element in a list.", keys: ["RO,access"], args: "key:key element:string rank:integer@RANK? num-matches:integer@COUNT? len:integer@MAXLEN?")
        add("lpush", "1.0.0", "O(1)", "Prepends elements to a list.", keys: ["RW,insert"], args: "key:key element:string*")
        add("lpushx", "2.2.0", "O(1)", "Prepends elements to a list only if it exists.", keys: ["RW,insert"], args: "key:key element:string*")
        add("lrange", "1.0.0", "O(S+N)", "Returns a range of list elements.", keys: ["RO,access"], args: "key:key start:integer stop:integer")
        add("lrem", "1.0.0", "O(N+M)", "Removes occurrences of an element from a list.", keys: ["RW,delete"], args: "key:key count:integer element:string")
        add("lset", "1.0.0", "O(N)", "Replaces the list element at an index.", keys: ["RW,update"], args: "key:key index:integer element:string")
        add("ltrim", "1.0.0", "O(N)", "Keeps only a range of a list's elements.", keys: ["RW,delete"], args: "key:key start:integer stop:integer")
        add("rpop", "1.0.0", "O(N)", "Removes and returns elements from the tail of a list.", keys: ["RW,access,delete"], args: "key:key count:integer^6.2.0?")
        add("rpoplpush", "1.2.0", "O(1)", "Pops the tail of a list onto the head of another.", keys: ["RW,access,delete", "RW,insert"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`LMOVE source destination RIGHT LEFT`", args: "source:key destination:key#1")
        add("rpush", "1.0.0", "O(1)", "Appends elements to a list.", keys: ["RW,insert"], args: "key:key element:string*")
        add("rpushx", "2.2.0", "O(1)", "Appends elements to a list only if it exists.", keys: ["RW,insert"], args: "key:key element:string*")
    }

    mutating func addPubsubCommands() {
        add("psubscribe", "2.0.0", "O(N)", "Subscribes to channels matching patterns.", args: "pattern:block*(pattern:pattern)")
        add("publish", "2.0.0", "O(N+M)", "Sends a message to a channel.", args: "channel:string message:string")
        add("pubsub", "2.8.0", "Varies by subcommand.", "Container for the Pub/Sub introspection subcommands.")
        add("pubsub|channels", "2.8.0", "O(N)", "Lists channels with subscribers.", args: "pattern:pattern?")
        add("pubsub|help", "6.2.0", "O(1)", "Lists the PUBSUB subcommands.")
        add("pubsub|numpat", "2.8.0", "O(1)", "Counts the pattern subscriptions.")
        add("pubsub|numsub", "2.8.0", "O(N)", "Counts the subscribers of channels.", args: "channel:string?*")
        add("pubsub|shardchannels", "7.0.0", "O(N)", "Lists shard channels with subscribers.", args: "pattern:pattern?")
        add("pubsub|shardnumsub", "7.0.0", "O(N)", "Counts the subscribers of shard channels.", args: "shardchannel:string?*")
        add("punsubscribe", "2.0.0", "O(N+M)", "Drops pattern subscriptions.", args: "pattern:pattern?*")
        add("spublish", "7.0.0", "O(N)", "Sends a message to a shard channel.", keys: ["not_key"], args: "shardchannel:string message:string")
        add("ssubscribe", "7.0.0", "O(N)", "Subscribes to shard channels.", keys: ["not_key"], args: "shardchannel:string*")
        add("subscribe", "2.0.0", "O(N)", "Subscribes to channels.", args: "channel:string*")
        add("sunsubscribe", "7.0.0", "O(N)", "Drops shard channel subscriptions.", keys: ["not_key"], args: "shardchannel:string?*")
        add("unsubscribe", "2.0.0", "O(N)", "Drops channel subscriptions.", args: "channel:string?*")
    }

    mutating func addScriptingCommands() {
        add("eval", "2.6.0", "Depends on the script.", "Runs a Lua script.", keys: ["RW,access,update index:2 keynum:0,1,1 -- Key use is up to the script, so the widest read-write flags are assumed."], args: "script:string numkeys:integer key:key?* arg:string?*")
        add("eval_ro", "7.0.0", "Depends on the script.", "Runs a read-only Lua script.", keys: ["RO,access index:2 keynum:0,1,1 -- Key use is up to the script, so every key is assumed to be read."], args: "script:string numkeys:integer key:key?* arg:string?*")
        add("evalsha", "2.6.0", "Depends on the script.", "Runs a cached Lua script by its SHA1.", keys: ["RW,access,update index:2 keynum:0,1,1"], args: "sha1:string numkeys:integer key:key?* arg:string?*")
        add("evalsha_ro", "7.0.0", "Depends on the script.", "Runs a cached read-only Lua script by its SHA1.", keys: ["RO,access index:2 keynum:0,1,1"], args: "sha1:string numkeys:integer key:key?* arg:string?*")
        add("fcall", "7.0.0", "Depends on the function.", "Calls a library function.", keys: ["RW,access,update index:2 keynum:0,1,1 -- Key use is up to the function, so the widest read-write flags are assumed."], args: "function:string numkeys:integer key:key?* arg:string?*")
        add("fcall_ro", "7.0.0", "Depends on the function.", "Calls a read-only library function.", keys: ["RO,access index:2 keynum:0,1,1 -- Key use is up to the function, so every key is assumed to be read."], args: "function:string numkeys:integer key:key?* arg:string?*")
        add("function", "7.0.0", "Varies by subcommand.", "Container for the function library subcommands.")
        add("function|delete", "7.0.0", "O(1)", "Removes a function library.", tips: ["request_policy:all_shards", "response_policy:all_succeeded"], args: "library-name:string")
        add("function|dump", "7.0.0", "O(N)", "Serializes all function libraries.")
        add("function|flush", "7.0.0", "O(N)", "Removes all function libraries.", tips: ["request_policy:all_shards", "response_policy:all_succeeded"], args: "async:oneof?(@ASYNC @SYNC)")
        add("function|help", "7.0.0", "O(1)", "Lists the FUNCTION subcommands.")
        add("function|kill", "7.0.0", "O(1)", "Stops the running function.", tips: ["request_policy:all_shards", "response_policy:one_succeeded"])
        add("function|list", "7.0.0", "O(N)", "Describes the loaded libraries and their functions.", tips: ["nondeterministic_output_order"], args: "library-name-pattern:string@LIBRARYNAME? @WITHCODE?")
        add("function|load", "7.0.0", "O(1)", "Loads a function library.", tips: ["request_policy:all_shards", "response_policy:all_succeeded"], args: "@REPLACE? function-code:string")
        add("function|restore", "7.0.0", "O(N)", "Loads libraries from a FUNCTION DUMP payload.", tips: ["request_policy:all_shards", "response_policy:all_succeeded"], args: "serialized-value:string policy:oneof?(@FLUSH @APPEND @REPLACE)")
        add("function|stats", "7.0.0", "O(1)", "Reports on the running function and the engines.", tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"])
        add("script", "2.6.0", "Varies by subcommand.", "Container for the Lua script cache subcommands.")
        add("script|debug", "3.2.0", "O(1)", "Sets the debug mode of scripts.", args: "mode:oneof(@YES @SYNC @NO)")
        add("script|exists", "2.6.0", "O(N)", "Tells whether scripts are in the cache.", tips: ["request_policy:all_shards", "response_policy:agg_logical_and"], args: "sha1:string*")
        add("script|flush", "2.6.0", "O(N)", "Empties the script cache.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], args: "async:oneof^6.2.0?(@ASYNC @SYNC)")
        add("script|help", "5.0.0", "O(1)", "Lists the SCRIPT subcommands.")
        add("script|kill", "2.6.0", "O(1)", "Stops the running script.", tips: ["request_policy:all_shards", "response_policy:one_succeeded"])
        add("script|load", "2.6.0", "O(N)", "Caches a script without running it.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], args: "script:string")
    }

    mutating func addServerCommands() {
        add("acl", "6.0.0", "Varies by subcommand.", "Container for the access control subcommands.")
        add("acl|cat", "6.0.0", "O(1)", "Lists ACL categories, or the commands of one category.", args: "categoryname:string?")
        add("acl|deluser", "6.0.0", "O(1)", "Removes ACL users.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], args: "username:string*")
        add("acl|dryrun", "7.0.0", "O(1)", "Checks whether a user may run a command, without running it.", args: "username:string command:string arg:string?*")
        add("acl|genpass", "6.0.0", "O(1)", "Generates a random password.", args: "bits:integer?")
        add("acl|getuser", "6.0.0", "O(N)", "Describes an ACL user's rules.", args: "username:string")
        add("acl|help", "6.0.0", "O(1)", "Lists the ACL subcommands.")
        add("acl|list", "6.0.0", "O(N)", "Lists the ACL rules of every user.")
        add("acl|load", "6.0.0", "O(N)", "Reloads the ACL file.")
        add("acl|log", "6.0.0", "O(N)", "Shows or clears the log of denied commands.", args: "operation:oneof?(count:integer @RESET)")
        add("acl|save", "6.0.0", "O(N)", "Writes the ACL rules to the ACL file.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"])
        add("acl|setuser", "6.0.0", "O(N)", "Creates or changes an ACL user.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], args: "username:string rule:string?*")
        add("acl|users", "6.0.0", "O(N)", "Lists the ACL user names.")
        add("acl|whoami", "6.0.0", "O(1)", "Returns the user of the connection.")
        add("bgrewriteaof", "1.0.0", "O(1)", "Rewrites the append-only file in the background.", flags: ["no_async_loading"])
        add("bgsave", "1.0.0", "O(1)", "Saves the dataset to disk in the background.", flags: ["no_async_loading"], args: "@SCHEDULE^3.2.2?")
        add("command", "2.8.13", "O(N)", "Describes every command; see the subcommands for more.", tips: ["nondeterministic_output_order"])
        add("command|count", "2.8.13", "O(1)", "Counts the commands.")
        add("command|docs", "7.0.0", "O(N)", "Returns documentation for commands.", tips: ["nondeterministic_output_order"], args: "command-name:string?*")
        add("command|getkeys", "2.8.13", "O(N)", "Extracts the key names from a full command line.")
        add("command|getkeysandflags", "7.0.0", "O(N)", "Extracts the key names and their access flags from a full command line.")
        add("command|help", "5.0.0", "O(1)", "Lists the COMMAND subcommands.")
        add("command|info", "2.8.13", "O(N)", "Describes commands: arity, flags, keys, categories.", tips: ["nondeterministic_output_order"], args: "command-name:string?*")
        add("command|list", "7.0.0", "O(N)", "Lists command names, optionally filtered.", tips: ["nondeterministic_output_order"], args: "filterby:oneof@FILTERBY?(module-name:string@MODULE category:string@ACLCAT pattern:pattern@PATTERN)")
        add("config", "2.0.0", "Varies by subcommand.", "Container for the configuration subcommands.")
        add("config|get", "2.0.0", "O(N)", "Reads configuration parameters matching patterns.", args: "parameter:block*(parameter:string)")
        add("config|help", "5.0.0", "O(1)", "Lists the CONFIG subcommands.")
        add("config|resetstat", "2.0.0", "O(1)", "Zeroes the statistics INFO reports.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"])
        add("config|rewrite", "2.8.0", "O(1)", "Writes the running configuration to the config file.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"])
        add("config|set", "2.0.0", "O(N)", "Changes configuration parameters at run time.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], args: "parameter_value:block*(parameter:string value:string)")
        add("dbsize", "1.0.0", "O(1)", "Counts the keys of the database.", tips: ["request_policy:all_shards", "response_policy:agg_sum"])
        add("debug", "1.0.0", "Varies by subcommand.", "Debugging and testing helpers.", doc: ["syscmd"])
        add("failover", "6.2.0", "O(1)", "Hands the master role to a replica.", args: "target:block@TO?(host:string port:integer @FORCE?) @ABORT? milliseconds:integer@TIMEOUT?")
        add("flushall", "1.0.0", "O(N)", "Removes every key of every database.", tips: ["request_policy:all_shards", "response_policy:all_succeeded"], args: "async:oneof?(@ASYNC^4.0.0 @SYNC^6.2.0)")
        add("flushdb", "1.0.0", "O(N)", "Removes every key of the current database.", tips: ["request_policy:all_shards", "response_policy:all_succeeded"], args: "async:oneof?(@ASYNC^4.0.0 @SYNC^6.2.0)")
        add("info", "1.0.0", "O(1)", "Reports server information and statistics.", tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"], args: "section:string?*")
        add("lastsave", "1.0.0", "O(1)", "Returns the Unix time of the last successful save.", tips: ["nondeterministic_output"])
        add("latency", "2.8.13", "Varies by subcommand.", "Container for the latency monitor subcommands.")
        add("latency|doctor", "2.8.13", "O(1)", "Explains the recorded latency events in plain words.", tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"])
        add("latency|graph", "2.8.13", "O(1)", "Draws an ASCII chart of an event's latency samples.", tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"], args: "event:string")
        add("latency|help", "2.8.13", "O(1)", "Lists the LATENCY subcommands.")
        add("latency|histogram", "7.0.0", "O(N)", "Returns per-command latency histograms.", tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"], args: "command:string?*")
        add("latency|history", "2.8.13", "O(1)", "Returns the samples recorded for an event.", tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"], args: "event:string")
        add("latency|latest", "2.8.13", "O(1)", "Returns the newest sample of every event.", tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"])
        add("latency|reset", "2.8.13", "O(1)", "Clears the samples of some or all events.", tips: ["request_policy:all_nodes", "response_policy:agg_sum"], args: "event:string?*")
        add("lolwut", "5.0.0", "", "Draws some computer art along with the version.", args: "version:integer@VERSION?")
        add("memory", "4.0.0", "Varies by subcommand.", "Container for the memory introspection subcommands.")
        add("memory|doctor", "4.0.0", "O(1)", "Explains the memory usage in plain words.", tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"])
        add("memory|help", "4.0.0", "O(1)", "Lists the MEMORY subcommands.")
        add("memory|malloc-stats", "4.0.0", "Grows with the allocated memory.", "Returns the allocator's statistics.", tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"])
        add("memory|purge", "4.0.0", "Grows with the allocated memory.", "Asks the allocator to release unused memory.", tips: ["request_policy:all_shards", "response_policy:all_succeeded"])
        add("memory|stats", "4.0.0", "O(1)", "Reports memory usage details.", tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"])
        add("memory|usage", "4.0.0", "O(N)", "Estimates the memory a key uses.", keys: ["RO"], args: "key:key count:integer@SAMPLES?")
        add("module", "4.0.0", "Varies by subcommand.", "Container for the module subcommands.")
        add("module|help", "5.0.0", "O(1)", "Lists the MODULE subcommands.")
        add("module|list", "4.0.0", "O(N)", "Lists the loaded modules.", tips: ["nondeterministic_output_order"])
        add("module|load", "4.0.0", "O(1)", "Loads a module.", flags: ["no_async_loading"], args: "path:string arg:string?*")
        add("module|loadex", "7.0.0", "O(1)", "Loads a module with configuration and arguments.", flags: ["no_async_loading"], args: "path:string configs:block@CONFIG?*+(name:string value:string) args:block@ARGS?*(arg:string)")
        add("module|unload", "4.0.0", "O(1)", "Unloads a module.", flags: ["no_async_loading"], args: "name:string")
        add("monitor", "1.0.0", "", "Streams every command the server executes.")
        add("psync", "2.8.0", "", "Synchronizes a replica with its master, partially when possible.", flags: ["no_async_loading"], args: "replicationid:string offset:integer")
        add("replconf", "3.0.0", "O(1)", "Internal command replicas use to configure the replication link.", doc: ["syscmd"])
        add("replicaof", "5.0.0", "O(1)", "Makes the server a replica of another, or a master again.", flags: ["no_async_loading"], args: "args:oneof(host-port:block(host:string port:integer) no-one:block(@NO @ONE))")
        add("restore-asking", "3.0.0", "O(1)", "Internal form of RESTORE used during cluster migration.", keys: ["OW,update"], flags: ["asking"], doc: ["syscmd"], args: "key:key ttl:integer serialized-value:string @REPLACE^3.0.0? @ABSTTL^5.0.0? seconds:integer@IDLETIME^5.0.0? frequency:integer@FREQ^5.0.0?")
        add("role", "2.8.12", "O(1)", "Reports the replication role and its state.")
        add("save", "1.0.0", "O(N)", "Saves the dataset to disk, blocking the server.", flags: ["no_async_loading"])
        add("shutdown", "1.0.0", "O(N)", "Stops the server, saving first unless told otherwise.", args: "nosave_save:oneof?(@NOSAVE @SAVE) @NOW^7.0.0? @FORCE^7.0.0? @ABORT^7.0.0?")
        add("slaveof", "1.0.0", "O(1)", "Makes the server a replica of another (old name of REPLICAOF).", flags: ["no_async_loading"], doc: ["deprecated"], deprecated: "5.0.0", replaced: "`REPLICAOF`", args: "args:oneof(host-port:block(host:string port:integer) no-one:block(@NO @ONE))")
        add("slowlog", "2.2.12", "Varies by subcommand.", "Container for the slow log subcommands.")
        add("slowlog|get", "2.2.12", "O(N)", "Returns recent slow log entries.", tips: ["request_policy:all_nodes", "nondeterministic_output"], args: "count:integer?")
        add("slowlog|help", "6.2.0", "O(1)", "Lists the SLOWLOG subcommands.")
        add("slowlog|len", "2.2.12", "O(1)", "Counts the slow log entries.", tips: ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"])
        add("slowlog|reset", "2.2.12", "O(N)", "Empties the slow log.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"])
        add("swapdb", "4.0.0", "O(N)", "Swaps the contents of two databases.", args: "index1:integer index2:integer")
        add("sync", "1.0.0", "", "Internal command used by replicas for a full synchronization.", flags: ["no_async_loading"])
        add("time", "2.6.0", "O(1)", "Returns the server's clock as seconds and microseconds.", tips: ["nondeterministic_output"])
    }

    mutating func addSetCommands() {
        add("sadd", "1.0.0", "O(1)", "Adds members to a set.", keys: ["RW,insert"], args: "key:key member:string*")
        add("scard", "1.0.0", "O(1)", "Counts the members of a set.", keys: ["RO"], args: "key:key")
        add("sdiff", "1.0.0", "O(N)", "Returns the members of the first set that are in none of the others.", keys: ["RO,access"], tips: ["nondeterministic_output_order"], args: "key:key*")
        add("sdiffstore", "1.0.0", "O(N)", "Stores the difference of sets in a destination.", keys: ["OW,update", "RO,access"], args: "destination:key key:key#1*")
        add("sinter", "1.0.0", "O(N*M)", "Returns the members common to all sets.", keys: ["RO,access"], tips: ["nondeterministic_output_order"], args: "key:key*")
        add("sintercard", "7.0.0", "O(N*M)", "Counts the members common to all sets.", keys: ["RO,access index:1 keynum:0,1,1"], args: "numkeys:integer key:key* limit:integer@LIMIT?")
        add("sinterstore", "1.0.0", "O(N*M)", "Stores the intersection of sets in a destination.", keys: ["RW,update", "RO,access"], args: "destination:key key:key#1*")
        add("sismember", "1.0.0", "O(1)", "Tells whether a value is a member of a set.", keys: ["RO"], args: "key:key member:string")
        add("smembers", "1.0.0", "O(N)", "Returns every member of a set.", keys: ["RO,access"], tips: ["nondeterministic_output_order"], args: "key:key")
        add("smismember", "6.2.0", "O(N)", "Tells for each value whether it is a member of a set.", keys: ["RO,access"], args: "key:key member:string*")
        add("smove", "1.0.0", "O(1)", "Moves a member from one set to another.", keys: ["RW,access,delete", "RW,insert"], args: "source:key destination:key#1 member:string")
        add("spop", "1.0.0", "O(1)", "Removes and returns random members of a set.", keys: ["RW,access,delete"], tips: ["nondeterministic_output"], args: "key:key count:integer^3.2.0?")
        add("srandmember", "1.0.0", "O(1)", "Returns random members of a set.", keys: ["RO,access"], tips: ["nondeterministic_output"], args: "key:key count:integer^2.6.0?")
        add("srem", "1.0.0", "O(N)", "Removes members from a set.", keys: ["RW,delete"], args: "key:key member:string*")
        add("sscan", "2.8.0", "O(1)", "Iterates over the members of a set with a cursor.", keys: ["RO,access"], tips: ["nondeterministic_output"], args: "key:key cursor:integer pattern:pattern@MATCH? count:integer@COUNT?")
        add("sunion", "1.0.0", "O(N)", "Returns the members of any of the sets.", keys: ["RO,access"], tips: ["nondeterministic_output_order"], args: "key:key*")
        add("sunionstore", "1.0.0", "O(N)", "Stores the union of sets in a destination.", keys: ["OW,update", "RO,access"], args: "destination:key key:key#1*")
    }

    mutating func addSortedSetCommands() {
        add("bzmpop", "7.0.0", "O(K)", "Pops members by score from the first non-empty sorted set, waiting if all are empty.", keys: ["RW,access,delete index:2 keynum:0,1,1"], args: "timeout:double numkeys:integer key:key* where:oneof(@MIN @MAX) count:integer@COUNT?")
        add("bzpopmax", "5.0.0", "O(log(N))", "Pops the highest-scored member of the first non-empty sorted set, waiting if needed.", keys: ["RW,access,delete"], args: "key:key* timeout:double")
        add("bzpopmin", "5.0.0", "O(log(N))", "Pops the lowest-scored member of the first non-empty sorted set, waiting if needed.", keys: ["RW,access,delete"], args: "key:key* timeout:double")
        add("zadd", "1.2.0", "O(log(N))", "Adds members to a sorted set or updates their scores.", keys: ["RW,update"], args: "key:key condition:oneof^3.0.2?(@NX @XX) comparison:oneof^6.2.0?(@GT @LT) change@CH^3.0.2? increment@INCR^3.0.2? score_member:block*(score:double member:string)")
        add("zcard", "1.2.0", "O(1)", "Counts the members of a sorted set.", keys: ["RO"], args: "key:key")
        add("zcount", "2.0.0", "O(log(N))", "Counts the members with scores in a range.", keys: ["RO,access"], args: "key:key min:double max:double")
        add("zdiff", "6.2.0", "O(L + (N-K)log(N))", "Returns the members of the first sorted set that are in none of the others.", keys: ["RO,access index:1 keynum:0,1,1"], args: "numkeys:integer key:key* @WITHSCORES?")
        add("zdiffstore", "6.2.0", "O(L + (N-K)log(N))", "Stores the difference of sorted sets in a destination.", keys: ["OW,update", "RO,access index:2 keynum:0,1,1"], args: "destination:key numkeys:integer key:key#1*")
        add("zincrby", "1.2.0", "O(log(N))", "Adds to the score of a sorted set member.", keys: ["RW,access,update"], args: "key:key increment:integer member:string")
        add("zinter", "6.2.0", "O(N*K)", "Returns the intersection of sorted sets.", keys: ["RO,access index:1 keynum:0,1,1"], args: "numkeys:integer key:key* weight:integer@WEIGHTS?* aggregate:oneof@AGGREGATE?(@SUM @MIN @MAX) @WITHSCORES?")
        add("zintercard", "7.0.0", "O(N*K)", "Counts the members common to all sorted sets.", keys: ["RO,access index:1 keynum:0,1,1"], args: "numkeys:integer key:key* limit:integer@LIMIT?")
        add("zinterstore", "2.0.0", "O(N*K)", "Stores the intersection of sorted sets in a destination.", keys: ["OW,update", "RO,access index:2 keynum:0,1,1"], args: "destination:key numkeys:integer key:key#1* weight:integer@WEIGHTS?* aggregate:oneof@AGGREGATE?(@SUM @MIN @MAX)")
        add("zlexcount", "2.8.9", "O(log(N))", "Counts the members in a lexicographical range.", keys: ["RO,access"], args: "key:key min:string max:string")
        add("zmpop", "7.0.0", "O(K)", "Pops members by score from the first non-empty sorted set.", keys: ["RW,access,delete index:1 keynum:0,1,1"], args: "numkeys:integer key:key* where:oneof(@MIN @MAX) count:integer@COUNT?")
        add("zmscore", "6.2.0", "O(N)", "Returns the scores of several members.", keys: ["RO,access"], args: "key:key member:string*")
        add("zpopmax", "5.0.0", "O(log(N)*M)", "Removes and returns the highest-scored members.", keys: ["RW,access,delete"], args: "key:key count:integer?")
        add("zpopmin", "5.0.0", "O(log(N)*M)", "Removes and returns the lowest-scored members.", keys: ["RW,access,delete"], args: "key:key count:integer?")
        add("zrandmember", "6.2.0", "O(N)", "Returns random members of a sorted set.", keys: ["RO,access"], tips: ["nondeterministic_output"], args: "key:key options:block?(count:integer @WITHSCORES?)")
        add("zrange", "1.2.0", "O(log(N)+M)", "Returns members by rank, score or lexicographical range.", keys: ["RO,access"], args: "key:key start:string stop:string sortby:oneof^6.2.0?(@BYSCORE @BYLEX) @REV^6.2.0? offset_count:block@LIMIT^6.2.0?(offset:integer count:integer) @WITHSCORES?")
        add("zrangebylex", "2.8.9", "O(log(N)+M)", "Returns members in a lexicographical range.", keys: ["RO,access"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`ZRANGE ... BYLEX`", args: "key:key min:string max:string offset_count:block@LIMIT?(offset:integer count:integer)")
        add("zrangebyscore", "1.0.5", "O(log(N)+M)", "Returns members in a score range.", keys: ["RO,access"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`ZRANGE ... BYSCORE`", args: "key:key min:double max:double @WITHSCORES^2.0.0? offset_count:block@LIMIT?(offset:integer count:integer)")
        add("zrangestore", "6.2.0", "O(log(N)+M)", "Stores a range of a sorted set in a destination.", keys: ["OW,update", "RO,access"], args: "dst:key src:key#1 min:string max:string sortby:oneof?(@BYSCORE @BYLEX) @REV? offset_count:block@LIMIT?(offset:integer count:integer)")
        add("zrank", "2.0.0", "O(log(N))", "Returns a member's rank, lowest score first.", keys: ["RO,access"], args: "key:key member:string @WITHSCORE?")
        add("zrem", "1.2.0", "O(M*log(N))", "Removes members from a sorted set.", keys: ["RW,delete"], args: "key:key member:string*")
        add("zremrangebylex", "2.8.9", "O(log(N)+M)", "Removes members in a lexicographical range.", keys: ["RW,delete"], args: "key:key min:string max:string")
        add("zremrangebyrank", "2.0.0", "O(log(N)+M)", "Removes members in a rank range.", keys: ["RW,delete"], args: "key:key start:integer stop:integer")
        add("zremrangebyscore", "1.2.0", "O(log(N)+M)", "Removes members in a score range.", keys: ["RW,delete"], args: "key:key min:double max:double")
        add("zrevrange", "1.2.0", "O(log(N)+M)", "Returns members by rank, highest score first.", keys: ["RO,access"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`ZRANGE ... REV`", args: "key:key start:integer stop:integer @WITHSCORES?")
        add("zrevrangebylex", "2.8.9", "O(log(N)+M)", "Returns members in a lexicographical range, in reverse order.", keys: ["RO,access"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`ZRANGE ... BYLEX REV`", args: "key:key max:string min:string offset_count:block@LIMIT?(offset:integer count:integer)")
        add("zrevrangebyscore", "2.2.0", "O(log(N)+M)", "Returns members in a score range, highest first.", keys: ["RO,access"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`ZRANGE ... BYSCORE REV`", args: "key:key max:double min:double @WITHSCORES? offset_count:block@LIMIT?(offset:integer count:integer)")
        add("zrevrank", "2.0.0", "O(log(N))", "Returns a member's rank, highest score first.", keys: ["RO,access"], args: "key:key member:string @WITHSCORE?")
        add("zscan", "2.8.0", "O(1)", "Iterates over the members of a sorted set with a cursor.", keys: ["RO,access"], tips: ["nondeterministic_output"], args: "key:key cursor:integer pattern:pattern@MATCH? count:integer@COUNT?")
        add("zscore", "1.2.0", "O(1)", "Returns the score of a member.", keys: ["RO,access"], args: "key:key member:string")
        add("zunion", "6.2.0", "O(N)", "Returns the union of sorted sets.", keys: ["RO,access index:1 keynum:0,1,1"], args: "numkeys:integer key:key* weight:integer@WEIGHTS?* aggregate:oneof@AGGREGATE?(@SUM @MIN @MAX) @WITHSCORES?")
        add("zunionstore", "2.0.0", "O(N)", "Stores the union of sorted sets in a destination.", keys: ["OW,update", "RO,access index:2 keynum:0,1,1"], args: "destination:key numkeys:integer key:key#1* weight:integer@WEIGHTS?* aggregate:oneof@AGGREGATE?(@SUM @MIN @MAX)")
    }

    mutating func addStreamCommands() {
        add("xack", "5.0.0", "O(1)", "Acknowledges messages of a consumer group.", keys: ["RW,update"], args: "key:key group:string id:string*")
        add("xadd", "5.0.0", "O(1)", "Appends an entry to a stream.", keys: ["RW,update -- Trimming options can remove entries, hence update rather than insert."], tips: ["nondeterministic_output"], args: "key:key @NOMKSTREAM^6.2.0? trim:block?(strategy:oneof(@MAXLEN @MINID^6.2.0) operator:oneof?(equal@= approximately@~) threshold:string count:integer@LIMIT^6.2.0?) id_or_auto:oneof(auto_id@'*' id:string) field_value:block*(field:string value:string)")
        add("xautoclaim", "6.2.0", "O(1)", "Claims idle pending messages for a consumer, scanning with a cursor.", keys: ["RW,delete"], tips: ["nondeterministic_output"], args: "key:key group:string consumer:string min-idle-time:string start:string count:integer@COUNT? @JUSTID?")
        add("xclaim", "5.0.0", "O(log N)", "Claims pending messages for a consumer.", keys: ["RW,update"], tips: ["nondeterministic_output"], args: "key:key group:string consumer:string min-idle-time:string id:string* ms:integer@IDLE? unix-time-milliseconds:unix-time@TIME? count:integer@RETRYCOUNT? @FORCE? @JUSTID? id:string@LASTID?")
        add("xdel", "5.0.0", "O(1)", "Removes entries from a stream.", keys: ["RW,delete"], args: "key:key id:string*")
        add("xgroup", "5.0.0", "Varies by subcommand.", "Container for the consumer group subcommands.")
        add("xgroup|create", "5.0.0", "O(1)", "Creates a consumer group.", keys: ["RW,insert"], args: "key:key groupname:string id:oneof(id:string new_id@$) @MKSTREAM? entries_read:integer@ENTRIESREAD?")
        add("xgroup|createconsumer", "6.2.0", "O(1)", "Creates a consumer in a group.", keys: ["RW,insert"], args: "key:key groupname:string consumername:string")
        add("xgroup|delconsumer", "5.0.0", "O(1)", "Removes a consumer from a group.", keys: ["RW,delete"], args: "key:key groupname:string consumername:string")
        add("xgroup|destroy", "5.0.0", "O(N)", "Removes a consumer group.", keys: ["RW,delete"], args: "key:key groupname:string")
        add("xgroup|help", "5.0.0", "O(1)", "Lists the XGROUP subcommands.")
        add("xgroup|setid", "5.0.0", "O(1)", "Moves a group's last delivered ID.", keys: ["RW,update"], args: "key:key group:string id-selector:oneof(id:string new-id@$) entriesread:integer@ENTRIESREAD~entries-read?")
        add("xinfo", "5.0.0", "Varies by subcommand.", "Container for the stream introspection subcommands.")
        add("xinfo|consumers", "5.0.0", "O(1)", "Describes the consumers of a group.", keys: ["RO,access"], tips: ["nondeterministic_output"], args: "key:key groupname:string")
        add("xinfo|groups", "5.0.0", "O(1)", "Describes the groups of a stream.", keys: ["RO,access"], args: "key:key")
        add("xinfo|help", "5.0.0", "O(1)", "Lists the XINFO subcommands.")
        add("xinfo|stream", "5.0.0", "O(1)", "Describes a stream.", keys: ["RO,access"], args: "key:key full:block@FULL?(count:integer@COUNT?)")
        add("xlen", "5.0.0", "O(1)", "Counts the entries of a stream.", keys: ["RO"], args: "key:key")
        add("xpending", "5.0.0", "O(N)", "Inspects the pending messages of a group.", keys: ["RO,access"], tips: ["nondeterministic_output"], args: "key:key group:string filters:block?(min-idle-time:integer@IDLE^6.2.0? start:string end:string count:integer consumer:string?)")
        add("xrange", "5.0.0", "O(N)", "Returns stream entries in an ID range.", keys: ["RO,access"], args: "key:key start:string end:string count:integer@COUNT?")
        add("xread", "5.0.0", "O(N)", "Reads entries from streams, optionally waiting for new ones.", keys: ["RO,access keyword:STREAMS,1 range:-1,1,2"], args: "count:integer@COUNT? milliseconds:integer@BLOCK? streams:block@STREAMS(key:key* id:string*)")
        add("xreadgroup", "5.0.0", "O(M)", "Reads entries for a consumer of a group, optionally waiting.", keys: ["RO,access keyword:STREAMS,4 range:-1,1,2"], args: "group_consumer:block@GROUP(group:string consumer:string) count:integer@COUNT? milliseconds:integer@BLOCK? @NOACK? streams:block@STREAMS(key:key* id:string*)")
        add("xrevrange", "5.0.0", "O(N)", "Returns stream entries in an ID range, newest first.", keys: ["RO,access"], args: "key:key end:string start:string count:integer@COUNT?")
        add("xsetid", "5.0.0", "O(1)", "Sets the last entry ID of a stream.", keys: ["RW,update"], args: "key:key last-id:string entries_added:integer@ENTRIESADDED^7.0.0? max_deleted_entry_id:string@MAXDELETEDID^7.0.0?")
        add("xtrim", "5.0.0", "O(N)", "Removes old entries from a stream.", keys: ["RW,delete"], tips: ["nondeterministic_output"], args: "key:key trim:block(strategy:oneof(@MAXLEN @MINID^6.2.0) operator:oneof?(equal@= approximately@~) threshold:string count:integer@LIMIT^6.2.0?)")
    }

    mutating func addStringCommands() {
        add("append", "2.0.0", "O(1)", "Appends to the string stored at a key.", keys: ["RW,insert"], args: "key:key value:string")
        add("decr", "1.0.0", "O(1)", "Subtracts one from an integer string.", keys: ["RW,access,update"], args: "key:key")
        add("decrby", "1.0.0", "O(1)", "Subtracts an amount from an integer string.", keys: ["RW,access,update"], args: "key:key decrement:integer")
        add("get", "1.0.0", "O(1)", "Reads the string stored at a key.", keys: ["RO,access"], args: "key:key")
        add("getdel", "6.2.0", "O(1)", "Reads a string and removes its key.", keys: ["RW,access,delete"], args: "key:key")
        add("getex", "6.2.0", "O(1)", "Reads a string and changes its expiry.", keys: ["RW,access,update -- Counts as a write because it may change the expiry."], args: "key:key expiration:oneof?(seconds:integer@EX milliseconds:integer@PX unix-time-seconds:unix-time@EXAT unix-time-milliseconds:unix-time@PXAT @PERSIST)")
        add("getrange", "2.4.0", "O(N)", "Returns part of a string.", keys: ["RO,access"], args: "key:key start:integer end:integer")
        add("getset", "1.0.0", "O(1)", "Replaces a string and returns the previous one.", keys: ["RW,access,update"], doc: ["deprecated"], deprecated: "6.2.0", replaced: "`SET key value GET`", args: "key:key value:string")
        add("incr", "1.0.0", "O(1)", "Adds one to an integer string.", keys: ["RW,access,update"], args: "key:key")
        add("incrby", "1.0.0", "O(1)", "Adds an amount to an integer string.", keys: ["RW,access,update"], args: "key:key increment:integer")
        add("incrbyfloat", "2.6.0", "O(1)", "Adds a floating point amount to a numeric string.", keys: ["RW,access,update"], args: "key:key increment:double")
        add("lcs", "7.0.0", "O(N*M)", "Finds the longest common subsequence of two strings.", keys: ["RO,access"], args: "key1:key key2:key @LEN? @IDX? len:integer@MINMATCHLEN? @WITHMATCHLEN?")
        add("mget", "1.0.0", "O(N)", "Reads the strings of several keys.", keys: ["RO,access"], tips: ["request_policy:multi_shard"], args: "key:key*")
        add("mset", "1.0.1", "O(N)", "Stores several strings at once.", keys: ["OW,update"], tips: ["request_policy:multi_shard", "response_policy:all_succeeded"], args: "key_value:block*(key:key value:string)")
        add("msetnx", "1.0.1", "O(N)", "Stores several strings only if none of the keys exist.", keys: ["OW,insert"], args: "key_value:block*(key:key value:string)")
        add("psetex", "2.6.0", "O(1)", "Stores a string with a time to live in milliseconds.", keys: ["OW,update"], args: "key:key milliseconds:integer value:string")
        add("set", "1.0.0", "O(1)", "Stores a string, with optional expiry and conditions.", keys: ["RW,access,update,variable_flags -- Reads the old value only when GET is given."], args: "key:key value:string condition:oneof^2.6.12?(@NX @XX) @GET^6.2.0? expiration:oneof?(seconds:integer@EX^2.6.12 milliseconds:integer@PX^2.6.12 unix-time-seconds:unix-time@EXAT^6.2.0 unix-time-milliseconds:unix-time@PXAT^6.2.0 @KEEPTTL^6.0.0)")
        add("setex", "2.0.0", "O(1)", "Stores a string with a time to live in seconds.", keys: ["OW,update"], args: "key:key seconds:integer value:string")
        add("setnx", "1.0.0", "O(1)", "Stores a string only if the key is absent.", keys: ["OW,insert"], args: "key:key value:string")
        add("setrange", "2.2.0", "O(1)", "Overwrites part of a string at an offset.", keys: ["RW,update"], args: "key:key offset:integer value:string")
        add("strlen", "2.2.0", "O(1)", "Returns the length of a string.", keys: ["RO"], args: "key:key")
        add("substr", "1.0.0", "O(N)", "Returns part of a string (old name of GETRANGE).", keys: ["RO,access"], doc: ["deprecated"], deprecated: "2.0.0", replaced: "`GETRANGE`", args: "key:key start:integer end:integer")
    }

    mutating func addTransactionsCommands() {
        add("discard", "2.0.0", "O(N)", "Abandons a transaction.")
        add("exec", "1.2.0", "The sum of the queued commands.", "Runs the queued commands of a transaction.")
        add("multi", "1.2.0", "O(1)", "Starts a transaction.")
        add("unwatch", "2.2.0", "O(1)", "Forgets every watched key.")
        add("watch", "2.2.0", "O(1)", "Makes the next transaction fail if the keys change.", keys: ["RO"], args: "key:key*")
    }
}
