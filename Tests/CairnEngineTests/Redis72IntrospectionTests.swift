import XCTest
@testable import CairnEngine
import RESP

/// What Redis 7.2 / Valkey 8 changed from 7.0 in introspection and debugging: command tips and arities, COMMAND
/// DOCS display_text, SCAN's type check, DEBUG PROTOCOL, per-command latency histograms, PFDEBUG and
/// PFSELFTEST. Expected bytes come from redis-server 7.0.15 where 7.0 and 7.2 agree, and from 7.2's command
/// table and sources where they differ.
final class Redis72IntrospectionTests: XCTestCase {
    private var engine: Engine!
    private var client: ClientSession!

    override func setUp() {
        engine = Engine()
        engine.settings.debugCommand = .yes
        client = engine.makeClient()
    }

    @discardableResult
    private func r(_ parts: String...) -> String {
        client.reply.bytes.removeAll()
        OwnedArgs(parts.map { Bytes($0.utf8) }).withArgs { engine.execute(client, $0) }
        return String(decoding: client.reply.bytes, as: UTF8.self)
    }

    // MARK: COMMAND

    func testTipsChangedIn72() {
        let expected: [String: [String]] = [
            "msetnx": [],
            "scan": ["nondeterministic_output", "request_policy:special", "response_policy:special"],
            "randomkey": ["request_policy:all_shards", "response_policy:special", "nondeterministic_output"],
            "latency|reset": ["request_policy:all_nodes", "response_policy:agg_sum"],
            "config|rewrite": ["request_policy:all_nodes", "response_policy:all_succeeded"],
            "config|resetstat": ["request_policy:all_nodes", "response_policy:all_succeeded"],
            "client|setname": ["request_policy:all_nodes", "response_policy:all_succeeded"],
            "acl|setuser": ["request_policy:all_nodes", "response_policy:all_succeeded"],
        ]
        for (name, tips) in expected {
            XCTAssertEqual(CommandReference.table[name]?.tips, tips, name)
        }
    }

    func testGetKeysArityIsMinus3() {
        XCTAssertEqual(engine.command(fullName: "command|getkeys")?.arity, -3)
        XCTAssertEqual(engine.command(fullName: "command|getkeysandflags")?.arity, -3)
        XCTAssertEqual(r("COMMAND", "GETKEYS", "PING"), "-ERR The command has no key arguments\r\n")
        XCTAssertEqual(r("COMMAND", "GETKEYSANDFLAGS", "PING"), "-ERR The command has no key arguments\r\n")
        XCTAssertEqual(r("COMMAND", "GETKEYS", "GET"), "-ERR Invalid number of arguments specified for command\r\n")
        XCTAssertEqual(r("COMMAND", "GETKEYS"), "-ERR wrong number of arguments for 'command|getkeys' command\r\n")
    }

    func testDocsDisplayText() {
        client.resp3 = true
        XCTAssertEqual(r("COMMAND", "DOCS", "get"),
                       "%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$\(CommandReference.table["get"]!.summary.utf8.count)\r\n"
                       + CommandReference.table["get"]!.summary + "\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n"
                       + "$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%4\r\n$4\r\nname\r\n$3\r\nkey\r\n"
                       + "$4\r\ntype\r\n$3\r\nkey\r\n$12\r\ndisplay_text\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n")
        // An argument's display text differs from its name where 7.2's table says so.
        let sort = CommandReference.table["sort"]!.arguments!
        XCTAssertEqual(sort[1].name, "by-pattern")
        XCTAssertEqual(sort[1].displayText, "pattern")
        let kill = CommandReference.table["client|kill"]!.arguments![0].arguments
        XCTAssertEqual(kill[0].displayText, "ip:port")
        XCTAssertEqual(CommandReference.table["migrate"]!.arguments![2].arguments[1].token, "\"\"")
        // oneof and block arguments carry nested arguments instead of a display text.
        let bitcount = r("COMMAND", "DOCS", "bitcount")
        XCTAssertTrue(bitcount.contains("$4\r\nname\r\n$5\r\nindex\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n"), bitcount)
        XCTAssertTrue(bitcount.contains("$4\r\nname\r\n$5\r\nstart\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$12\r\ndisplay_text\r\n$5\r\nstart\r\n"))
    }

    // MARK: SCAN

    func testScanRejectsUnknownType() {
        r("SET", "a", "1")
        XCTAssertEqual(r("SCAN", "0", "TYPE", "nosuchtype"), "-ERR unknown type name 'nosuchtype'\r\n")
        XCTAssertEqual(r("SCAN", "0", "TYPE", "STRING"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n")
        for type in ["list", "set", "zset", "hash", "stream"] {
            XCTAssertEqual(r("SCAN", "0", "TYPE", type), "*2\r\n$1\r\n0\r\n*0\r\n", type)
        }
    }

    // MARK: DEBUG PROTOCOL

    func testDebugProtocolRESP2() {
        let expected: [(String, String)] = [
            ("string", "$11\r\nHello World\r\n"),
            ("integer", ":12345\r\n"),
            ("double", "$5\r\n3.141\r\n"),
            ("bignum", "$37\r\n1234567999999999999999999999999999999\r\n"),
            ("null", "$-1\r\n"),
            ("array", "*3\r\n:0\r\n:1\r\n:2\r\n"),
            ("set", "*3\r\n:0\r\n:1\r\n:2\r\n"),
            ("map", "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n"),
            ("attrib", "$39\r\nSome real reply following the attribute\r\n"),
            ("verbatim", "$25\r\nThis is a verbatim\nstring\r\n"),
            ("true", ":1\r\n"),
            ("false", ":0\r\n"),
            ("push", "-ERR RESP2 is not supported by this command\r\n"),
            ("BOGUS", "-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n"),
        ]
        for (type, reply) in expected { XCTAssertEqual(r("DEBUG", "PROTOCOL", type), reply, type) }
    }

    func testDebugProtocolRESP3() {
        client.resp3 = true
        let expected: [(String, String)] = [
            ("STRING", "$11\r\nHello World\r\n"),
            ("double", ",3.141\r\n"),
            ("bignum", "(1234567999999999999999999999999999999\r\n"),
            ("null", "_\r\n"),
            ("set", "~3\r\n:0\r\n:1\r\n:2\r\n"),
            ("map", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"),
            ("attrib", "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n"),
            ("verbatim", "=29\r\ntxt:This is a verbatim\nstring\r\n"),
            ("true", "#t\r\n"),
            ("false", "#f\r\n"),
            ("push", ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n"),
        ]
        for (type, reply) in expected { XCTAssertEqual(r("DEBUG", "PROTOCOL", type), reply, type) }
        XCTAssertTrue(r("DEBUG", "PROTOCOL").hasPrefix("-ERR unknown subcommand or wrong number of arguments for 'PROTOCOL'"))
    }

    // MARK: Latency histograms

    func testHistogramSlotsKeepTwoSignificantDigits() {
        typealias H = LatencyHistogram
        XCTAssertEqual(H.slotCount, 3072)
        XCTAssertEqual(H.slot(of: 1), 1)
        XCTAssertEqual(H.slot(of: 255), 255)
        XCTAssertEqual(H.value(at: H.slot(of: 1024)), 1024)
        for v: Int64 in [1, 200, 255, 256, 1000, 2000, 3000, 123_456, 999_999_999, 1_000_000_000] {
            let low = H.lowestEquivalent(v), high = H.highestEquivalent(v)
            XCTAssertTrue(low <= v && v <= high, "\(v)")
            if v < 256 {
                XCTAssertEqual(high, low, "exact below 256 ns")
            } else {
                XCTAssertLessThan(Double(high - low + 1) / Double(low), 0.01, "\(v)")
            }
            XCTAssertEqual(H.value(at: H.slot(of: v)), low)
        }
        XCTAssertEqual(H.highestEquivalent(2000), 2007)
        XCTAssertEqual(H.highestEquivalent(3000), 3007)
        XCTAssertLessThan(H.slot(of: H.highestValue), H.slotCount)
    }

    /// Four 2 µs calls and one 3 µs call, as redis-server 7.0 reported them for five PINGs.
    func testHistogramPercentilesAndCumulativeRows() {
        let h = LatencyHistogram()
        for _ in 0..<4 { h.record(nanoseconds: 2000) }
        h.record(nanoseconds: 3000)
        XCTAssertEqual(h.totalCount, 5)
        XCTAssertEqual(h.value(atPercentile: 0), 2000)
        XCTAssertEqual(h.value(atPercentile: 50), 2007)
        XCTAssertEqual(h.value(atPercentile: 50.5), 2007)
        XCTAssertEqual(h.value(atPercentile: 99), 3007)
        XCTAssertEqual(h.value(atPercentile: 100), 3007)
        XCTAssertEqual(h.cumulativeRows().map { [$0.micros, $0.cumulative] }, [[2, 4], [4, 5]])

        let fast = LatencyHistogram()
        fast.record(nanoseconds: 0)
        fast.record(nanoseconds: 5_000_000_000)
        XCTAssertEqual(fast.count(at: 1), 1, "below 1 ns counts as 1 ns")
        XCTAssertEqual(fast.value(atPercentile: 100), LatencyHistogram.highestEquivalent(LatencyHistogram.highestValue))
        XCTAssertEqual(fast.cumulativeRows().first.map { [$0.micros, $0.cumulative] }, [1, 1])
        XCTAssertEqual(fast.cumulativeRows().last?.cumulative, 2)
        XCTAssertTrue(LatencyHistogram().cumulativeRows().isEmpty)
        XCTAssertEqual(LatencyHistogram().value(atPercentile: 50), 0)
    }

    func testLatencyHistogramCommand() {
        XCTAssertEqual(r("LATENCY", "HISTOGRAM"), "*0\r\n", "nothing recorded yet")
        r("PING")
        r("PING")
        client.resp3 = true
        let reply = r("LATENCY", "HISTOGRAM", "ping", "nosuchcommand")
        XCTAssertTrue(reply.hasPrefix("%1\r\n$4\r\nping\r\n%2\r\n$5\r\ncalls\r\n:2\r\n$14\r\nhistogram_usec\r\n%"), reply)
        let all = r("LATENCY", "HISTOGRAM")
        XCTAssertTrue(all.hasPrefix("%2\r\n"), all)
        XCTAssertTrue(all.contains("$4\r\nping\r\n") && all.contains("$17\r\nlatency|histogram\r\n"), all)
        // Naming a container lists its subcommands that ran.
        r("LATENCY", "LATEST")
        XCTAssertTrue(r("LATENCY", "HISTOGRAM", "LATENCY").contains("$14\r\nlatency|latest\r\n"))
    }

    func testLatencyTrackingOffRecordsNothing() {
        engine.settings.latencyTracking = false
        r("PING")
        XCTAssertNil(engine.commands.lookup("ping")?.latencyHistogram)
        XCTAssertEqual(engine.commands.lookup("ping")?.calls, 1)
    }

    func testInfoLatencyStatsLines() {
        engine.commands.lookup("ping")!.latencyHistogram = {
            let h = LatencyHistogram()
            for _ in 0..<4 { h.record(nanoseconds: 2000) }
            h.record(nanoseconds: 3000)
            return h
        }()
        XCTAssertEqual(engine.latencyStatsLines(), ["latency_percentiles_usec_ping:p50=2.007,p99=3.007,p99.9=3.007"])
        engine.settings.latencyTrackingInfoPercentiles = [0, 50.5, 100]
        XCTAssertEqual(engine.latencyStatsLines(), ["latency_percentiles_usec_ping:p0=2.000,p50.5=2.007,p100=3.007"])
        engine.settings.latencyTrackingInfoPercentiles = []
        XCTAssertEqual(engine.latencyStatsLines(), ["latency_percentiles_usec_ping:"])
        XCTAssertEqual([50, 99.9, 0.001, 100].map(percentileName), ["50", "99.9", "0.001", "100"])
    }

    /// Recording sits on every command's path, so it must stay a few nanoseconds.
    func testHistogramCountsEveryRecord() {
        let h = LatencyHistogram()
        let n = 1_000_000
        for i in 0..<n { h.record(nanoseconds: Int64(i & 0xFFFF) &* 1000) }
        XCTAssertEqual(h.totalCount, Int64(n))
    }

    // MARK: PFDEBUG / PFSELFTEST

    func testPfdebug() {
        XCTAssertEqual(r("PFDEBUG", "ENCODING", "h"), "-ERR The specified key does not exist\r\n")
        r("SET", "s", "abc")
        XCTAssertEqual(r("PFDEBUG", "ENCODING", "s"), "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n")
        r("SET", "i", "12")
        XCTAssertEqual(r("PFDEBUG", "ENCODING", "i"), "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n")
        r("SADD", "set", "x")
        XCTAssertEqual(r("PFDEBUG", "ENCODING", "set"), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        r("PFADD", "h", "a", "b", "c")
        XCTAssertEqual(r("PFDEBUG", "ENCODING", "h"), "+sparse\r\n")
        XCTAssertEqual(r("PFDEBUG", "DECODE", "h"), "$44\r\nZ:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\r\n")
        XCTAssertEqual(r("PFDEBUG", "BOGUS", "h"), "-ERR Unknown PFDEBUG subcommand 'BOGUS'\r\n")
        XCTAssertEqual(r("PFDEBUG", "bogus", "nokey"), "-ERR The specified key does not exist\r\n")
        let dirty = engine.dirty
        XCTAssertEqual(r("PFDEBUG", "TODENSE", "h"), ":1\r\n")
        XCTAssertEqual(engine.dirty, dirty + 1)
        XCTAssertEqual(r("PFDEBUG", "TODENSE", "h"), ":0\r\n")
        XCTAssertEqual(engine.dirty, dirty + 1)
        XCTAssertEqual(r("PFDEBUG", "ENCODING", "h"), "+dense\r\n")
        XCTAssertEqual(r("PFDEBUG", "DECODE", "h"), "-ERR HLL encoding is not sparse\r\n")
        XCTAssertEqual(r("PFCOUNT", "h"), ":3\r\n")
        XCTAssertEqual(r("PFDEBUG", "GETREG"), "-ERR wrong number of arguments for 'pfdebug' command\r\n")

        r("PFADD", "g", "a", "b", "c")
        var expected = "*16384\r\n"
        for i in 0..<16384 { expected += [8436: ":1\r\n", 12711: ":2\r\n", 15780: ":1\r\n"][i] ?? ":0\r\n" }
        XCTAssertEqual(r("PFDEBUG", "GETREG", "g"), expected)
        XCTAssertEqual(r("PFDEBUG", "ENCODING", "g"), "+dense\r\n", "GETREG leaves the HLL dense")
    }

    func testPfdebugCorruptedSparse() {
        var bad = HyperLogLog.makeEmpty()
        bad[bad.count - 1] = 0xFE // XZERO of 16383 registers: one short
        Bytes("bad".utf8).withUnsafeBytes { engine.dbs[0].set($0, .rawBytes(bad)) }
        XCTAssertEqual(r("PFDEBUG", "ENCODING", "bad"), "+sparse\r\n")
        XCTAssertEqual(r("PFDEBUG", "DECODE", "bad"), "$7\r\nZ:16383\r\n")
        XCTAssertEqual(r("PFDEBUG", "TODENSE", "bad"), "-INVALIDOBJ Corrupted HLL object detected\r\n")
    }

    func testSelfTest() {
        XCTAssertNil(HyperLogLog.selfTest(elements: 20_000, sparseMaxBytes: 3000))
        XCTAssertNotNil(engine.commands.lookup("pfselftest"))
        XCTAssertEqual(engine.commands.lookup("pfdebug")?.arity, 3)
    }
}
