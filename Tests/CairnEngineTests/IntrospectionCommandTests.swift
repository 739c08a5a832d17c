import XCTest
@testable import CairnEngine
import RESP

/// COMMAND, SLOWLOG and LATENCY. Where Redis's reply is fixed, the expected bytes were captured from
/// redis-server 7.0 given the same command; where Cairn words things itself (summaries, key spec notes,
/// HELP, DOCTOR) the expectation says so.
final class IntrospectionCommandTests: XCTestCase {
    private var engine: Engine!
    private var client: ClientSession!

    override func setUp() {
        engine = Engine()
        client = engine.makeClient()
    }

    // MARK: helpers

    @discardableResult
    private func r(_ parts: String...) -> String {
        client.reply.bytes.removeAll()
        OwnedArgs(parts.map { Bytes($0.utf8) }).withArgs { engine.execute(client, $0) }
        return String(decoding: client.reply.bytes, as: UTF8.self)
    }

    private func assertReply(_ parts: String..., is expected: String, file: StaticString = #filePath, line: UInt = #line) {
        client.reply.bytes.removeAll()
        OwnedArgs(parts.map { Bytes($0.utf8) }).withArgs { engine.execute(client, $0) }
        XCTAssertEqual(String(decoding: client.reply.bytes, as: UTF8.self), expected, parts.joined(separator: " "),
                       file: file, line: line)
    }

    private func bulk(_ s: String) -> String { "$\(s.utf8.count)\r\n\(s)\r\n" }

    /// Registers a stand-in for a command another part of Cairn may not have registered yet, with Redis's
    /// arity, flags and key positions, so key specs can be checked through the real table.
    private func ensure(_ name: String, arity: Int, flags: CommandFlags, keys: KeyPositions, categories: [String], group: String) {
        guard engine.commands.lookup(name) == nil else { return }
        engine.register(name, arity: arity, flags: flags, keys: keys, categories: categories, group: group) { ctx throws(CommandError) in
            ctx.out.ok()
        }
    }

    private func ensureZunionstoreAndEval() {
        ensure("zunionstore", arity: -4, flags: [.write, .denyOOM], keys: .one, categories: ["@sortedset"], group: "sorted-set")
        ensure("eval", arity: -3, flags: [.noscript, .stale, .skipMonitor, .noMandatoryKeys, .mayReplicate], keys: .none,
               categories: ["@scripting"], group: "scripting")
    }

    // Redis 7.0's COMMAND INFO entries.
    private let getInfo = "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"
    private let slowlogGetInfo = "*10\r\n$11\r\nslowlog|get\r\n:-2\r\n*3\r\n+admin\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*2\r\n$24\r\nrequest_policy:all_nodes\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n"
    private let slowlogHelpInfo = "*10\r\n$12\r\nslowlog|help\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n"
    private let slowlogLenInfo = "*10\r\n$11\r\nslowlog|len\r\n:2\r\n*3\r\n+admin\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*3\r\n$24\r\nrequest_policy:all_nodes\r\n$23\r\nresponse_policy:agg_sum\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n"
    private let slowlogResetInfo = "*10\r\n$13\r\nslowlog|reset\r\n:2\r\n*3\r\n+admin\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*2\r\n$24\r\nrequest_policy:all_nodes\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n"

    // MARK: COMMAND INFO

    func testInfoGetMatchesRedis() {
        assertReply("command", "info", "get", is: "*1\r\n" + getInfo)
        assertReply("COMMAND", "INFO", "GET", is: "*1\r\n" + getInfo)
    }

    func testInfoMsetMatchesRedis() {
        assertReply("command", "info", "mset", is: "*1\r\n*10\r\n$4\r\nmset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:-1\r\n:2\r\n*3\r\n+@write\r\n+@string\r\n+@slow\r\n*2\r\n$26\r\nrequest_policy:multi_shard\r\n$29\r\nresponse_policy:all_succeeded\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:2\r\n$5\r\nlimit\r\n:0\r\n*0\r\n")
    }

    func testInfoSetMatchesRedisExceptTheNoteWording() {
        let note = "Reads the old value only when GET is given."
        assertReply("command", "info", "set", is: "*1\r\n*10\r\n$3\r\nset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@string\r\n+@slow\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n\(bulk(note))$5\r\nflags\r\n*4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n")
    }

    func testInfoOfOtherCommandsMatchesRedis() {
        assertReply("command", "info", "del", is: "*1\r\n*10\r\n$3\r\ndel\r\n:-2\r\n*1\r\n+write\r\n:1\r\n:-1\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n*2\r\n$26\r\nrequest_policy:multi_shard\r\n$23\r\nresponse_policy:agg_sum\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RM\r\n+delete\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n")
        assertReply("command", "info", "exec", is: "*1\r\n*10\r\n$4\r\nexec\r\n:1\r\n*4\r\n+noscript\r\n+loading\r\n+stale\r\n+skip_slowlog\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@transaction\r\n*0\r\n*0\r\n*0\r\n")
        assertReply("command", "info", "watch", is: "*1\r\n*10\r\n$5\r\nwatch\r\n:-2\r\n*6\r\n+noscript\r\n+loading\r\n+stale\r\n+fast\r\n+no_multi\r\n+allow_busy\r\n:1\r\n:-1\r\n:1\r\n*2\r\n+@fast\r\n+@transaction\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*1\r\n+RO\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n")
        assertReply("command", "info", "command|count", is: "*1\r\n*10\r\n$13\r\ncommand|count\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n")
        assertReply("command", "info", "SLOWLOG|GET", is: "*1\r\n" + slowlogGetInfo)
        assertReply("command", "info", "latency|reset", is: "*1\r\n*10\r\n$13\r\nlatency|reset\r\n:-2\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*2\r\n$24\r\nrequest_policy:all_nodes\r\n$23\r\nresponse_policy:agg_sum\r\n*0\r\n*0\r\n")
    }

    func testInfoOfAContainerListsItsSubcommands() {
        // Redis lists subcommands in hash order; Cairn sorts them by name.
        assertReply("command", "info", "slowlog", is: "*1\r\n*10\r\n$7\r\nslowlog\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*4\r\n"
            + slowlogGetInfo + slowlogHelpInfo + slowlogLenInfo + slowlogResetInfo)
    }

    func testInfoSplitsKeyPositionsAcrossSeveralSpecs() {
        // RENAME's source and destination, and SUNIONSTORE's destination and sources, as Redis 7.0 reports them.
        let rename = Command(name: "rename", arity: 3, flags: [.write], keys: KeyPositions(first: 1, last: 2, step: 1),
                             categories: ["@keyspace"], group: "generic") { _ throws(CommandError) in }
        var out = ReplyWriter()
        writeCommandInfo(rename, to: &out)
        XCTAssertEqual(String(decoding: out.bytes, as: UTF8.self), "*10\r\n$6\r\nrename\r\n:3\r\n*1\r\n+write\r\n:1\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n*0\r\n*2\r\n*6\r\n$5\r\nflags\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n")
        let sunionstore = Command(name: "sunionstore", arity: -3, flags: [.write, .denyOOM], keys: .all(),
                                  categories: ["@set"], group: "set") { _ throws(CommandError) in }
        XCTAssertEqual(sunionstore.keySpecs, [
            KeySpec(flags: ["OW", "update"], notes: nil, beginSearch: .index(1), findKeys: .range(lastKey: 0, keyStep: 1, limit: 0)),
            KeySpec(flags: ["RO", "access"], notes: nil, beginSearch: .index(2), findKeys: .range(lastKey: -1, keyStep: 1, limit: 0)),
        ])
        XCTAssertFalse(sunionstore.infoFlagNames(specs: sunionstore.keySpecs).contains("movablekeys"))
    }

    func testInfoOfMovableKeyCommandsMatchesRedis() {
        ensureZunionstoreAndEval()
        assertReply("command", "info", "zunionstore", is: "*1\r\n*10\r\n$11\r\nzunionstore\r\n:-4\r\n*3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@sortedset\r\n+@slow\r\n*0\r\n*2\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n*0\r\n")
        // may_replicate is set but, as in Redis, not shown; the note is Cairn's wording.
        let note = "Key use is up to the script, so the widest read-write flags are assumed."
        assertReply("command", "info", "eval", is: "*1\r\n*10\r\n$4\r\neval\r\n:-3\r\n*5\r\n+noscript\r\n+stale\r\n+skip_monitor\r\n+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@scripting\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n\(bulk(note))$5\r\nflags\r\n*3\r\n+RW\r\n+access\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n*0\r\n")
    }

    func testInfoInResp3UsesSetsAndMaps() {
        client.resp3 = true
        assertReply("command", "info", "get", "nosuch", is: "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n_\r\n")
        assertReply("command", "info", "mset", is: "*1\r\n*10\r\n$4\r\nmset\r\n:-3\r\n~2\r\n+write\r\n+denyoom\r\n:1\r\n:-1\r\n:2\r\n~3\r\n+@write\r\n+@string\r\n+@slow\r\n~2\r\n$26\r\nrequest_policy:multi_shard\r\n$29\r\nresponse_policy:all_succeeded\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:2\r\n$5\r\nlimit\r\n:0\r\n~0\r\n")
    }

    func testInfoOfUnknownNamesIsNull() {
        assertReply("command", "info", "nosuch", "get", is: "*2\r\n$-1\r\n" + getInfo)
        // One level of subcommands only, and only for containers.
        assertReply("command", "info", "get|x", "slowlog|nosuch", "slowlog|get|x", is: "*3\r\n$-1\r\n$-1\r\n$-1\r\n")
    }

    func testCommandAndInfoWithoutNamesDescribeEveryCommand() {
        let all = r("command")
        XCTAssertTrue(all.hasPrefix("*\(engine.commands.all.count)\r\n*10\r\n"))
        XCTAssertEqual(r("command", "info"), all)
        XCTAssertTrue(all.contains(getInfo))
    }

    func testCount() {
        assertReply("command", "count", is: ":\(engine.commands.all.count)\r\n")
        assertReply("command", "count", "x", is: "-ERR wrong number of arguments for 'command|count' command\r\n")
    }

    func testUnknownSubcommandAndHelp() {
        assertReply("command", "nosuch", is: "-ERR unknown subcommand 'nosuch'. Try COMMAND HELP.\r\n")
        let help = r("command", "help")
        XCTAssertTrue(help.hasPrefix("*17\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+(no subcommand)\r\n"))
        XCTAssertTrue(help.hasSuffix("+HELP\r\n+    Print this help.\r\n"))
        assertReply("command", "help", "x", is: "-ERR wrong number of arguments for 'command|help' command\r\n")
    }

    // MARK: COMMAND DOCS

    func testDocsGetHasRedisShapeWithOurSummary() {
        assertReply("command", "docs", "get", is: "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n\(bulk("Reads the string stored at a key."))$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*8\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$12\r\ndisplay_text\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n")
    }

    func testDocsSetArgumentsMatchRedis() {
        // Redis's reply without its history field, which Cairn does not carry, and with Cairn's summary.
        client.resp3 = true
        assertReply("command", "docs", "set", is: "%1\r\n$3\r\nset\r\n%5\r\n$7\r\nsummary\r\n\(bulk("Stores a string, with optional expiry and conditions."))$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*5\r\n%4\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$12\r\ndisplay_text\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%3\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n$12\r\ndisplay_text\r\n$5\r\nvalue\r\n%5\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%4\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$12\r\ndisplay_text\r\n$2\r\nnx\r\n$5\r\ntoken\r\n$2\r\nNX\r\n%4\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$12\r\ndisplay_text\r\n$2\r\nxx\r\n$5\r\ntoken\r\n$2\r\nXX\r\n%6\r\n$4\r\nname\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$12\r\ndisplay_text\r\n$3\r\nget\r\n$5\r\ntoken\r\n$3\r\nGET\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*5\r\n%5\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$12\r\ndisplay_text\r\n$7\r\nseconds\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%5\r\n$4\r\nname\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$12\r\ndisplay_text\r\n$12\r\nmilliseconds\r\n$5\r\ntoken\r\n$2\r\nPX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%5\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$12\r\ndisplay_text\r\n$17\r\nunix-time-seconds\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%5\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$12\r\ndisplay_text\r\n$22\r\nunix-time-milliseconds\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%5\r\n$4\r\nname\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$12\r\ndisplay_text\r\n$7\r\nkeepttl\r\n$5\r\ntoken\r\n$7\r\nKEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n")
    }

    func testDocsOfAContainerNestSubcommandsAndSkipUnknownNames() {
        let docs = r("command", "docs", "nosuch", "slowlog")
        XCTAssertTrue(docs.hasPrefix("*2\r\n$7\r\nslowlog\r\n*10\r\n$7\r\nsummary\r\n"))
        XCTAssertTrue(docs.contains("$11\r\nsubcommands\r\n*8\r\n$11\r\nslowlog|get\r\n"))
        // SLOWLOG GET's single optional argument, as Redis describes it.
        XCTAssertTrue(docs.contains("$9\r\narguments\r\n*1\r\n*8\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$12\r\ndisplay_text\r\n$5\r\ncount\r\n$5\r\nflags\r\n*1\r\n+optional\r\n"))
        assertReply("command", "docs", "nosuch", is: "*0\r\n")
        XCTAssertTrue(r("command", "docs").hasPrefix("*\(2 * engine.commands.all.count)\r\n"))
    }

    func testDocsOfDeprecatedCommands() {
        let docs = r("command", "docs", "getset")
        XCTAssertTrue(docs.contains("$9\r\ndoc_flags\r\n*1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n6.2.0\r\n$11\r\nreplaced_by\r\n"))
    }

    func testEveryReferenceEntryIsConsistent() {
        let table = CommandReference.table
        XCTAssertGreaterThan(table.count, 360)
        func keyIndexes(_ args: [CommandArgument]) -> [Int] {
            args.flatMap { a in (a.keySpecIndex.map { [$0] } ?? []) + keyIndexes(a.arguments) }
        }
        for (name, ref) in table {
            XCTAssertFalse(ref.summary.isEmpty, name)
            for i in keyIndexes(ref.arguments ?? []) {
                XCTAssertLessThan(i, ref.keySpecs.count, "\(name): argument names key spec \(i)")
            }
        }
    }

    // MARK: COMMAND LIST

    func testListAndFilters() {
        let list = r("command", "list")
        XCTAssertTrue(list.contains(bulk("get") ) && list.contains(bulk("slowlog|get")))
        assertReply("command", "list", "filterby", "pattern", "SLOW*", is: "*5\r\n$7\r\nslowlog\r\n$11\r\nslowlog|get\r\n$12\r\nslowlog|help\r\n$11\r\nslowlog|len\r\n$13\r\nslowlog|reset\r\n")
        assertReply("command", "list", "FILTERBY", "ACLCAT", "nosuchcat", is: "*0\r\n")
        assertReply("command", "list", "filterby", "module", "x", is: "*0\r\n")
        let transactions = r("command", "list", "filterby", "aclcat", "Transaction")
        XCTAssertTrue(transactions.hasPrefix("*5\r\n"))
        for name in ["multi", "exec", "discard", "watch", "unwatch"] { XCTAssertTrue(transactions.contains(bulk(name)), name) }
    }

    func testListSyntaxErrors() {
        assertReply("command", "list", "filterby", is: "-ERR syntax error\r\n")
        assertReply("command", "list", "filterby", "nosuch", "x", is: "-ERR syntax error\r\n")
        assertReply("command", "list", "x", is: "-ERR syntax error\r\n")
        assertReply("command", "list", "filterby", "pattern", "a", "b", is: "-ERR syntax error\r\n")
    }

    // MARK: COMMAND GETKEYS / GETKEYSANDFLAGS

    func testGetKeys() {
        assertReply("command", "getkeys", "GET", "a", is: "*1\r\n$1\r\na\r\n")
        assertReply("command", "getkeys", "mset", "a", "1", "b", "2", is: "*2\r\n$1\r\na\r\n$1\r\nb\r\n")
        // The spec's step runs past an odd argument count, as in Redis.
        assertReply("command", "getkeys", "mset", "a", "1", "b", is: "*2\r\n$1\r\na\r\n$1\r\nb\r\n")
        assertReply("command", "getkeys", "exists", "a", "b", "c", is: "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n")
        assertReply("command", "getkeys", "watch", "a", "b", is: "*2\r\n$1\r\na\r\n$1\r\nb\r\n")
    }

    func testGetKeysAndFlags() {
        assertReply("command", "getkeysandflags", "mset", "a", "1", "b", "2", is: "*2\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n*2\r\n$1\r\nb\r\n*2\r\n+OW\r\n+update\r\n")
        assertReply("command", "getkeysandflags", "del", "a", "b", is: "*2\r\n*2\r\n$1\r\na\r\n*2\r\n+RM\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n+RM\r\n+delete\r\n")
        // SET and BITFIELD's flags depend on their arguments.
        assertReply("command", "getkeysandflags", "set", "a", "1", is: "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n")
        assertReply("command", "getkeysandflags", "set", "k", "v", "EX", "10", "GeT", is: "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n")
        assertReply("command", "getkeysandflags", "bitfield", "k", "get", "u8", "0", is: "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n")
        assertReply("command", "getkeysandflags", "bitfield", "k", "overflow", "sat", is: "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n")
        assertReply("command", "getkeysandflags", "bitfield", "k", "get", "u8", "0", "set", "u8", "0", "1", is: "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n")
    }

    func testGetKeysThroughKeynumSpecs() {
        ensureZunionstoreAndEval()
        assertReply("command", "getkeysandflags", "zunionstore", "d", "2", "a", "b", is: "*3\r\n*2\r\n$1\r\nd\r\n*2\r\n+OW\r\n+update\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$1\r\nb\r\n*2\r\n+RO\r\n+access\r\n")
        // numkeys promises more keys than there are.
        assertReply("command", "getkeys", "zunionstore", "d", "2", "a", is: "-ERR Invalid arguments specified for command\r\n")
        // EVAL may have no keys, so a mismatch answers an empty list instead.
        assertReply("command", "getkeys", "eval", "s", "2", "a", is: "*0\r\n")
        assertReply("command", "getkeys", "eval", "s", "0", is: "*0\r\n")
        assertReply("command", "getkeys", "eval", "s", "2", "a", "b", "c", is: "*2\r\n$1\r\na\r\n$1\r\nb\r\n")
    }

    func testGetKeysErrors() {
        assertReply("command", "getkeys", is: "-ERR wrong number of arguments for 'command|getkeys' command\r\n")
        // Redis 7.2 lowered the arity to -3, so a bare command name reaches the target's own checks.
        assertReply("command", "getkeys", "get", is: "-ERR Invalid number of arguments specified for command\r\n")
        assertReply("command", "getkeysandflags", "get", is: "-ERR Invalid number of arguments specified for command\r\n")
        assertReply("command", "getkeysandflags", is: "-ERR wrong number of arguments for 'command|getkeysandflags' command\r\n")
        assertReply("command", "getkeys", "nosuch", "a", is: "-ERR Invalid command specified\r\n")
        assertReply("command", "getkeys", "slowlog", "nosuch", "x", is: "-ERR Invalid command specified\r\n")
        assertReply("command", "getkeys", "ping", "x", is: "-ERR The command has no key arguments\r\n")
        assertReply("command", "getkeys", "slowlog", "get", "x", is: "-ERR The command has no key arguments\r\n")
        assertReply("command", "getkeys", "get", "a", "b", is: "-ERR Invalid number of arguments specified for command\r\n")
        assertReply("command", "getkeysandflags", "set", "k", is: "-ERR Invalid number of arguments specified for command\r\n")
    }

    // MARK: SLOWLOG

    func testSlowlogEntriesHaveRedisShape() {
        engine.settings.slowlogThresholdMicros = 0
        client.address = "127.0.0.1:34828"
        client.name = Bytes("tester".utf8)
        r("slowlog", "reset")
        r("SET", "foo", "bar")
        let records = engine.slowlog.records
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(records[0].id, records[1].id + 1)
        func entry(_ rec: Slowlog.Record, _ args: [String]) -> String {
            "*6\r\n:\(rec.id)\r\n:\(rec.time)\r\n:\(rec.micros)\r\n*\(args.count)\r\n" + args.map(bulk).joined()
                + "$15\r\n127.0.0.1:34828\r\n$6\r\ntester\r\n"
        }
        let expected = "*2\r\n" + entry(records[0], ["SET", "foo", "bar"]) + entry(records[1], ["slowlog", "reset"])
        assertReply("slowlog", "get", is: expected)
        assertReply("slowlog", "len", is: ":3\r\n")
        assertReply("slowlog", "get", "0", is: "*0\r\n")
        XCTAssertTrue(r("slowlog", "get", "-1").hasPrefix("*5\r\n"))
        XCTAssertTrue(r("slowlog", "get", "1").hasPrefix("*1\r\n*6\r\n"))
        XCTAssertTrue(r("slowlog", "get", "99999999999999999").hasPrefix("*7\r\n"))
        assertReply("slowlog", "reset", is: "+OK\r\n")
        assertReply("slowlog", "len", is: ":1\r\n")
    }

    func testSlowlogDefaultsToTenEntries() {
        engine.settings.slowlogThresholdMicros = 0
        for _ in 0..<12 { r("ping") }
        XCTAssertTrue(r("slowlog", "get").hasPrefix("*10\r\n"))
    }

    func testSlowlogErrors() {
        assertReply("slowlog", "get", "x", is: "-ERR count should be greater than or equal to -1\r\n")
        assertReply("slowlog", "get", "-2", is: "-ERR count should be greater than or equal to -1\r\n")
        assertReply("slowlog", "GET", "1", "2", is: "-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n")
        assertReply("slowlog", "len", "x", is: "-ERR wrong number of arguments for 'slowlog|len' command\r\n")
        assertReply("slowlog", "reset", "x", is: "-ERR wrong number of arguments for 'slowlog|reset' command\r\n")
        assertReply("slowlog", "NOSUCH", is: "-ERR unknown subcommand 'NOSUCH'. Try SLOWLOG HELP.\r\n")
        assertReply("slowlog", is: "-ERR wrong number of arguments for 'slowlog' command\r\n")
        let help = r("slowlog", "help")
        XCTAssertTrue(help.hasPrefix("*10\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET [<count>]\r\n"))
    }

    // MARK: LATENCY

    func testLatencyWithoutEvents() {
        assertReply("latency", "latest", is: "*0\r\n")
        assertReply("latency", "history", "command", is: "*0\r\n")
        assertReply("latency", "reset", is: ":0\r\n")
        assertReply("latency", "reset", "a", "b", is: ":0\r\n")
        assertReply("latency", "graph", "x", is: "-ERR No samples available for event 'x'\r\n")
        XCTAssertTrue(r("latency", "doctor").contains("Latency monitoring is off"))
        client.resp3 = true
        XCTAssertTrue(r("latency", "doctor").hasPrefix("="))
    }

    func testLatencyErrors() {
        assertReply("latency", is: "-ERR wrong number of arguments for 'latency' command\r\n")
        assertReply("latency", "history", is: "-ERR wrong number of arguments for 'latency|history' command\r\n")
        assertReply("latency", "graph", is: "-ERR wrong number of arguments for 'latency|graph' command\r\n")
        assertReply("latency", "latest", "x", is: "-ERR wrong number of arguments for 'latency|latest' command\r\n")
        assertReply("latency", "doctor", "x", is: "-ERR wrong number of arguments for 'latency|doctor' command\r\n")
        assertReply("latency", "NOSUCH", is: "-ERR unknown subcommand 'NOSUCH'. Try LATENCY HELP.\r\n")
        XCTAssertTrue(r("latency", "help").hasPrefix("*15\r\n+LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"))
    }

    func testCommandsAreSampledOnlyAboveTheThreshold() {
        engine.register("sleepy", arity: 1, flags: [], group: "server") { ctx throws(CommandError) in
            usleep(3000)
            ctx.out.ok()
        }
        engine.register("sleepyfast", arity: 1, flags: [.fast], group: "server") { ctx throws(CommandError) in
            usleep(3000)
            ctx.out.ok()
        }
        r("sleepy")
        assertReply("latency", "latest", is: "*0\r\n")
        engine.settings.latencyMonitorThresholdMs = 2
        r("sleepy")
        r("sleepyfast")
        r("ping")
        let latest = engine.latency.latest()
        XCTAssertEqual(latest.map(\.event), ["command", "fast-command"])
        for e in latest {
            XCTAssertGreaterThanOrEqual(e.sample.latencyMs, 2)
            XCTAssertLessThanOrEqual(engine.now / 1000 - e.sample.time, 1)
        }
        let s = latest[0].sample
        assertReply("latency", "history", "command", is: "*1\r\n*2\r\n:\(s.time)\r\n:\(s.latencyMs)\r\n")
        assertReply("latency", "latest", is: "*2\r\n" + latest.map {
            "*4\r\n" + bulk($0.event) + ":\($0.sample.time)\r\n:\($0.sample.latencyMs)\r\n:\($0.allTimeHigh)\r\n"
        }.joined())
        XCTAssertTrue(r("latency", "doctor").contains("fast-command"))
        XCTAssertTrue(r("latency", "graph", "command").contains("#"))
        assertReply("latency", "reset", "COMMAND", "nosuch", is: ":1\r\n")
        assertReply("latency", "reset", is: ":1\r\n")
        assertReply("latency", "latest", is: "*0\r\n")
    }

    func testMonitorKeepsTheWorstSamplePerSecondAndTheLast160Seconds() {
        let m = LatencyMonitor()
        m.add(event: "e", latencyMs: 5, now: 100)
        m.add(event: "e", latencyMs: 9, now: 100)
        m.add(event: "e", latencyMs: 3, now: 100)
        m.add(event: "e", latencyMs: 4, now: 101)
        XCTAssertEqual(m.history("e"), [.init(time: 100, latencyMs: 9), .init(time: 101, latencyMs: 4)])
        XCTAssertNil(m.history("E"))
        for t in 0..<200 { m.add(event: "e", latencyMs: t % 7, now: 1000 + Int64(t)) }
        let h = m.history("e")!
        XCTAssertEqual(h.count, LatencyMonitor.historyLength)
        XCTAssertEqual(h.first?.time, 1040)
        XCTAssertEqual(h.last?.time, 1199)
        XCTAssertEqual(m.latest().first?.allTimeHigh, 9)
        let stats = m.stats("e", now: 1200)!
        XCTAssertEqual(stats.samples, 160)
        XCTAssertEqual(stats.min, 0)
        XCTAssertEqual(stats.max, 6)
        XCTAssertEqual(stats.period, 160)
        XCTAssertEqual(m.reset("E"), 1)
    }

    func testGraphLayout() {
        let samples: [LatencyMonitor.Sample] = [.init(time: 100, latencyMs: 1), .init(time: 101, latencyMs: 5)]
        var stats = LatencyMonitor.Stats()
        stats.min = 1
        stats.max = 5
        stats.allTimeHigh = 7
        let graph = latencyGraph(event: "command", samples: samples, stats: stats, now: 130)
        XCTAssertEqual(graph, "command: highest 5 ms, lowest 1 ms, all-time high 7 ms\n\n"
            + String(repeating: " #\n", count: 7) + "##\n--\n32\n09\nss\n")
    }
}
