@testable import CairnEngine
#if canImport(Glibc)
import Glibc
#endif
import XCTest

/// Replies, dirty counts, keyspace hit/miss totals, TTLs and encodings in the transcript tests were recorded from
/// redis-server 7.0.15 running the same commands (t_string.c and hyperloglog.c behave as in 7.2 for these).
final class StringCommandTests: XCTestCase {
    private var engine: Engine!
    private var client: ClientSession!
    private var other: ClientSession!

    override func setUp() {
        engine = Engine()
        client = engine.makeClient()
        other = engine.makeClient()
    }

    /// Runs one command and checks its exact reply, then `engine.dirty` and the keyspace hit/miss totals.
    /// Arguments and replies spell bytes that are not printable ASCII (other than CR and LF) as `\xNN`.
    private func expect(_ args: [String], _ reply: String, dirty: Int, hits: Int, misses: Int,
                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run(client, args), reply, "\(args)", file: file, line: line)
        XCTAssertEqual(engine.dirty, dirty, "dirty after \(args)", file: file, line: line)
        XCTAssertEqual(engine.stats.keyspaceHits, hits, "hits after \(args)", file: file, line: line)
        XCTAssertEqual(engine.stats.keyspaceMisses, misses, "misses after \(args)", file: file, line: line)
    }

    /// The same for a second client (WATCH / MULTI / EXEC), checking only the reply.
    private func expect2(_ args: [String], _ reply: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run(other, args), reply, "\(args)", file: file, line: line)
    }

    private func run(_ c: ClientSession, _ args: [String]) -> String {
        c.reply.bytes.removeAll(keepingCapacity: true)
        OwnedArgs(args.map(TranscriptTestCase.unescape)).withArgs { engine.execute(c, $0) }
        return TranscriptTestCase.escape(c.reply.bytes)
    }

    private func value(_ key: String) -> Value? {
        Bytes(string: key).withUnsafeBytes { engine.dbs[0].lookupWrite($0) }
    }

    private func deadline(_ key: String) -> Int64? {
        Bytes(string: key).withUnsafeBytes { engine.dbs[0].expireAt($0) }
    }

    /// TTL's reply: whole seconds rounded to nearest, -1 without a deadline, -2 for a missing key.
    private func ttl(_ key: String) -> Int64 {
        engine.refreshTime()
        guard let at = deadline(key) else { return -2 }
        return at < 0 ? -1 : (at - engine.now + 500) / 1000
    }

    /// OBJECT ENCODING's reply.
    private func encoding(_ key: String) -> String? {
        value(key).map { "\($0.encodingName)" }
    }

    /// FNV-1a of a string value, to compare long values (dense HLLs) with Redis's.
    private func valueHash(_ key: String) -> UInt64? {
        guard let bytes = value(key)?.stringBytes else { return nil }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    // MARK: command table

    func testCommandTableMatchesRedis() {
        // name, arity, flags, first key, last key, key step, ACL categories (Redis 7.2's COMMAND INFO)
        let expected: [(String, Int, CommandFlags, Int, Int, Int, [String])] = [
            ("get", 2, [.readonly, .fast], 1, 1, 1, ["@read", "@string", "@fast"]),
            ("set", -3, [.write, .denyOOM], 1, 1, 1, ["@write", "@string", "@slow"]),
            ("setnx", 3, [.write, .denyOOM, .fast], 1, 1, 1, ["@write", "@string", "@fast"]),
            ("setex", 4, [.write, .denyOOM], 1, 1, 1, ["@write", "@string", "@slow"]),
            ("psetex", 4, [.write, .denyOOM], 1, 1, 1, ["@write", "@string", "@slow"]),
            ("getset", 3, [.write, .denyOOM, .fast], 1, 1, 1, ["@write", "@string", "@fast"]),
            ("getdel", 2, [.write, .fast], 1, 1, 1, ["@write", "@string", "@fast"]),
            ("getex", -2, [.write, .fast], 1, 1, 1, ["@write", "@string", "@fast"]),
            ("mget", -2, [.readonly, .fast], 1, -1, 1, ["@read", "@string", "@fast"]),
            ("mset", -3, [.write, .denyOOM], 1, -1, 2, ["@write", "@string", "@slow"]),
            ("msetnx", -3, [.write, .denyOOM], 1, -1, 2, ["@write", "@string", "@slow"]),
            ("append", 3, [.write, .denyOOM, .fast], 1, 1, 1, ["@write", "@string", "@fast"]),
            ("strlen", 2, [.readonly, .fast], 1, 1, 1, ["@read", "@string", "@fast"]),
            ("incr", 2, [.write, .denyOOM, .fast], 1, 1, 1, ["@write", "@string", "@fast"]),
            ("decr", 2, [.write, .denyOOM, .fast], 1, 1, 1, ["@write", "@string", "@fast"]),
            ("incrby", 3, [.write, .denyOOM, .fast], 1, 1, 1, ["@write", "@string", "@fast"]),
            ("decrby", 3, [.write, .denyOOM, .fast], 1, 1, 1, ["@write", "@string", "@fast"]),
            ("incrbyfloat", 3, [.write, .denyOOM, .fast], 1, 1, 1, ["@write", "@string", "@fast"]),
            ("getrange", 4, [.readonly], 1, 1, 1, ["@read", "@string", "@slow"]),
            ("substr", 4, [.readonly], 1, 1, 1, ["@read", "@string", "@slow"]),
            ("setrange", 4, [.write, .denyOOM], 1, 1, 1, ["@write", "@string", "@slow"]),
            ("lcs", -3, [.readonly], 1, 2, 1, ["@read", "@string", "@slow"]),
            ("pfadd", -2, [.write, .denyOOM, .fast], 1, 1, 1, ["@write", "@hyperloglog", "@fast"]),
            ("pfcount", -2, [.readonly, .mayReplicate], 1, -1, 1, ["@read", "@hyperloglog", "@slow"]),
            ("pfmerge", -2, [.write, .denyOOM], 1, -1, 1, ["@write", "@hyperloglog", "@slow"]),
        ]
        for (name, arity, flags, first, last, step, categories) in expected {
            guard let c = engine.commands.lookup(name) else { XCTFail("\(name) not registered"); continue }
            XCTAssertEqual(c.arity, arity, name)
            XCTAssertEqual(c.flags, flags, name)
            XCTAssertEqual(c.keys.first, first, name)
            XCTAssertEqual(c.keys.last, last, name)
            XCTAssertEqual(c.keys.step, step, name)
            XCTAssertEqual(c.categories, categories, name)
            XCTAssertEqual(c.group, name.hasPrefix("pf") ? "hyperloglog" : "string", name)
        }
    }

    // MARK: transcripts recorded from redis-server

    /// SET option parsing follows Redis: each expiry form may repeat but excludes the others, NX and XX exclude each other.
    func testGetAndSetOptions() {
        expect(["get", "k"], "$-1\r\n", dirty: 0, hits: 0, misses: 1)
        expect(["set", "k", "v"], "+OK\r\n", dirty: 1, hits: 0, misses: 1)
        expect(["get", "k"], "$1\r\nv\r\n", dirty: 1, hits: 1, misses: 1)
        XCTAssertEqual(encoding("k"), "embstr")
        XCTAssertEqual(ttl("k"), -1)
        expect(["set", "k", "v", "ex", "10", "ex", "20"], "+OK\r\n", dirty: 2, hits: 1, misses: 1)
        XCTAssertEqual(ttl("k"), 20)
        expect(["set", "k", "v", "keepttl", "keepttl"], "+OK\r\n", dirty: 3, hits: 1, misses: 1)
        XCTAssertEqual(ttl("k"), 20)
        expect(["set", "k", "w", "KEEPTTL"], "+OK\r\n", dirty: 4, hits: 1, misses: 1)
        XCTAssertEqual(ttl("k"), 20)
        expect(["set", "k", "v", "px", "100000"], "+OK\r\n", dirty: 5, hits: 1, misses: 1)
        XCTAssertEqual(ttl("k"), 100)
        expect(["set", "k", "v", "exat", "4102444800"], "+OK\r\n", dirty: 6, hits: 1, misses: 1)
        XCTAssertEqual(deadline("k"), 4102444800000)
        expect(["set", "k", "v", "pxat", "4102444800000"], "+OK\r\n", dirty: 7, hits: 1, misses: 1)
        XCTAssertEqual(deadline("k"), 4102444800000)
        expect(["set", "k", "v"], "+OK\r\n", dirty: 8, hits: 1, misses: 1)
        XCTAssertEqual(ttl("k"), -1)
        expect(["set", "k", "v", "nx", "nx"], "$-1\r\n", dirty: 8, hits: 1, misses: 1)
        expect(["set", "k", "v", "xx", "xx"], "+OK\r\n", dirty: 9, hits: 1, misses: 1)
        expect(["set", "n", "v", "xx"], "$-1\r\n", dirty: 9, hits: 1, misses: 1)
        expect(["get", "n"], "$-1\r\n", dirty: 9, hits: 1, misses: 2)
        expect(["set", "n", "v", "NX"], "+OK\r\n", dirty: 10, hits: 1, misses: 2)
        expect(["get", "n"], "$1\r\nv\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "px", "100", "ex", "10"], "-ERR syntax error\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "ex", "10", "keepttl"], "-ERR syntax error\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "keepttl", "pxat", "10"], "-ERR syntax error\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "nx", "xx"], "-ERR syntax error\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "xx", "nx"], "-ERR syntax error\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "ex"], "-ERR syntax error\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "persist"], "-ERR syntax error\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "foo"], "-ERR syntax error\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "ex", "abc", "nx", "xx"], "-ERR syntax error\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "ex", "abc"], "-ERR value is not an integer or out of range\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "ex", "0"], "-ERR invalid expire time in 'set' command\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "ex", "-5"], "-ERR invalid expire time in 'set' command\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "px", "0"], "-ERR invalid expire time in 'set' command\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "exat", "0"], "-ERR invalid expire time in 'set' command\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "pxat", "-1"], "-ERR invalid expire time in 'set' command\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "ex", "9223372036854775"], "-ERR invalid expire time in 'set' command\r\n", dirty: 10, hits: 2, misses: 2)
        XCTAssertEqual(ttl("k"), -1)
        expect(["set", "k", "v", "ex", "9223372036854776"], "-ERR invalid expire time in 'set' command\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "px", "9223372036854775807"], "-ERR invalid expire time in 'set' command\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "exat", "9223372036854776"], "-ERR invalid expire time in 'set' command\r\n", dirty: 10, hits: 2, misses: 2)
        expect(["set", "k", "v", "pxat", "9223372036854775807"], "+OK\r\n", dirty: 11, hits: 2, misses: 2)
        XCTAssertEqual(deadline("k"), 9223372036854775807)
        expect(["set", "k", "1", "get"], "$1\r\nv\r\n", dirty: 12, hits: 3, misses: 2)
        expect(["set", "k", "2", "get"], "$1\r\n1\r\n", dirty: 13, hits: 4, misses: 2)
        expect(["set", "g", "3", "nx", "get"], "$-1\r\n", dirty: 14, hits: 4, misses: 3)
        expect(["set", "g", "4", "nx", "get"], "$1\r\n3\r\n", dirty: 14, hits: 5, misses: 3)
        expect(["get", "g"], "$1\r\n3\r\n", dirty: 14, hits: 6, misses: 3)
        expect(["set", "m", "3", "xx", "get"], "$-1\r\n", dirty: 14, hits: 6, misses: 4)
        expect(["get", "m"], "$-1\r\n", dirty: 14, hits: 6, misses: 5)
        expect(["set", "k", "4", "xx", "get", "ex", "100"], "$1\r\n2\r\n", dirty: 15, hits: 7, misses: 5)
        XCTAssertEqual(ttl("k"), 100)
        expect(["set", "k", "5", "get", "keepttl"], "$1\r\n4\r\n", dirty: 16, hits: 8, misses: 5)
        XCTAssertEqual(ttl("k"), 100)
        expect(["set", "k", "6", "get", "get"], "$1\r\n5\r\n", dirty: 17, hits: 9, misses: 5)
        XCTAssertEqual(ttl("k"), -1)
        expect(["set", "k"], "-ERR wrong number of arguments for 'set' command\r\n", dirty: 17, hits: 9, misses: 5)
        expect(["get"], "-ERR wrong number of arguments for 'get' command\r\n", dirty: 17, hits: 9, misses: 5)
        expect(["get", "a", "b"], "-ERR wrong number of arguments for 'get' command\r\n", dirty: 17, hits: 9, misses: 5)
    }

    func testSetStoresIntegerEncodingLikeRedis() {
        expect(["set", "k", "12345678901234567890"], "+OK\r\n", dirty: 1, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "embstr")
        expect(["set", "k", "9223372036854775807"], "+OK\r\n", dirty: 2, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "int")
        expect(["set", "k", "9223372036854775808"], "+OK\r\n", dirty: 3, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "embstr")
        expect(["set", "k", "-9223372036854775808"], "+OK\r\n", dirty: 4, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "int")
        expect(["set", "k", "123456789012345678901"], "+OK\r\n", dirty: 5, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "embstr")
        expect(["set", "k", "-1"], "+OK\r\n", dirty: 6, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "int")
        expect(["set", "k", "01"], "+OK\r\n", dirty: 7, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "embstr")
        expect(["set", "k", "+1"], "+OK\r\n", dirty: 8, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "embstr")
        expect(["set", "k", " 1"], "+OK\r\n", dirty: 9, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "embstr")
        expect(["set", "k", "0"], "+OK\r\n", dirty: 10, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "int")
        expect(["set", "k", "-0"], "+OK\r\n", dirty: 11, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "embstr")
        expect(["set", "k", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"], "+OK\r\n", dirty: 12, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "embstr")
        expect(["set", "k", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"], "+OK\r\n", dirty: 13, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "raw")
        expect(["get", "k"], "$45\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n", dirty: 13, hits: 1, misses: 0)
    }

    func testSetnxSetexPsetex() {
        expect(["setnx", "k", "v"], ":1\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["setnx", "k", "w"], ":0\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["get", "k"], "$1\r\nv\r\n", dirty: 1, hits: 1, misses: 0)
        XCTAssertEqual(ttl("k"), -1)
        expect(["setnx", "i", "10"], ":1\r\n", dirty: 2, hits: 1, misses: 0)
        XCTAssertEqual(encoding("i"), "int")
        expect(["setnx", "k"], "-ERR wrong number of arguments for 'setnx' command\r\n", dirty: 2, hits: 1, misses: 0)
        expect(["setnx", "k", "a", "b"], "-ERR wrong number of arguments for 'setnx' command\r\n", dirty: 2, hits: 1, misses: 0)
        expect(["setex", "k", "10", "v"], "+OK\r\n", dirty: 3, hits: 1, misses: 0)
        XCTAssertEqual(ttl("k"), 10)
        expect(["get", "k"], "$1\r\nv\r\n", dirty: 3, hits: 2, misses: 0)
        expect(["setex", "k", "0", "v"], "-ERR invalid expire time in 'setex' command\r\n", dirty: 3, hits: 2, misses: 0)
        expect(["setex", "k", "-1", "v"], "-ERR invalid expire time in 'setex' command\r\n", dirty: 3, hits: 2, misses: 0)
        expect(["setex", "k", "abc", "v"], "-ERR value is not an integer or out of range\r\n", dirty: 3, hits: 2, misses: 0)
        expect(["setex", "k", "9223372036854776", "v"], "-ERR invalid expire time in 'setex' command\r\n", dirty: 3, hits: 2, misses: 0)
        expect(["setex", "k", "9223372036854775", "v"], "-ERR invalid expire time in 'setex' command\r\n", dirty: 3, hits: 2, misses: 0)
        XCTAssertEqual(ttl("k"), 10)
        expect(["psetex", "k", "10000", "v2"], "+OK\r\n", dirty: 4, hits: 2, misses: 0)
        XCTAssertEqual(ttl("k"), 10)
        expect(["get", "k"], "$2\r\nv2\r\n", dirty: 4, hits: 3, misses: 0)
        expect(["psetex", "k", "0", "v"], "-ERR invalid expire time in 'psetex' command\r\n", dirty: 4, hits: 3, misses: 0)
        expect(["psetex", "k", "x", "v"], "-ERR value is not an integer or out of range\r\n", dirty: 4, hits: 3, misses: 0)
        expect(["psetex", "k", "9223372036854775807", "v"], "-ERR invalid expire time in 'psetex' command\r\n", dirty: 4, hits: 3, misses: 0)
        expect(["setex", "k", "10"], "-ERR wrong number of arguments for 'setex' command\r\n", dirty: 4, hits: 3, misses: 0)
        expect(["setex", "e", "100", "77"], "+OK\r\n", dirty: 5, hits: 3, misses: 0)
        XCTAssertEqual(encoding("e"), "int")
    }

    func testGetsetAndGetdel() {
        expect(["getset", "k", "v"], "$-1\r\n", dirty: 1, hits: 0, misses: 1)
        expect(["getset", "k", "w"], "$1\r\nv\r\n", dirty: 2, hits: 1, misses: 1)
        expect(["get", "k"], "$1\r\nw\r\n", dirty: 2, hits: 2, misses: 1)
        expect(["setex", "k", "100", "z"], "+OK\r\n", dirty: 3, hits: 2, misses: 1)
        expect(["getset", "k", "12"], "$1\r\nz\r\n", dirty: 4, hits: 3, misses: 1)
        XCTAssertEqual(ttl("k"), -1)
        XCTAssertEqual(encoding("k"), "int")
        expect(["getset", "k", "n"], "$2\r\n12\r\n", dirty: 5, hits: 4, misses: 1)
        expect(["getdel", "k"], "$1\r\nn\r\n", dirty: 6, hits: 5, misses: 1)
        expect(["getdel", "k"], "$-1\r\n", dirty: 6, hits: 5, misses: 2)
        expect(["exists", "k"], ":0\r\n", dirty: 6, hits: 5, misses: 3)
        expect(["set", "k", "12"], "+OK\r\n", dirty: 7, hits: 5, misses: 3)
        expect(["getdel", "k"], "$2\r\n12\r\n", dirty: 8, hits: 6, misses: 3)
        expect(["getdel", "nope"], "$-1\r\n", dirty: 8, hits: 6, misses: 4)
        expect(["getset", "k"], "-ERR wrong number of arguments for 'getset' command\r\n", dirty: 8, hits: 6, misses: 4)
        expect(["getdel", "k", "x"], "-ERR wrong number of arguments for 'getdel' command\r\n", dirty: 8, hits: 6, misses: 4)
    }

    func testGetex() {
        expect(["getex", "k"], "$-1\r\n", dirty: 0, hits: 0, misses: 1)
        expect(["set", "k", "v"], "+OK\r\n", dirty: 1, hits: 0, misses: 1)
        expect(["getex", "k"], "$1\r\nv\r\n", dirty: 1, hits: 1, misses: 1)
        XCTAssertEqual(ttl("k"), -1)
        expect(["getex", "k", "ex", "100"], "$1\r\nv\r\n", dirty: 2, hits: 2, misses: 1)
        XCTAssertEqual(ttl("k"), 100)
        expect(["getex", "k", "persist"], "$1\r\nv\r\n", dirty: 3, hits: 3, misses: 1)
        XCTAssertEqual(ttl("k"), -1)
        expect(["getex", "k", "persist"], "$1\r\nv\r\n", dirty: 3, hits: 4, misses: 1)
        expect(["getex", "k", "px", "5000"], "$1\r\nv\r\n", dirty: 4, hits: 5, misses: 1)
        XCTAssertEqual(ttl("k"), 5)
        expect(["getex", "k", "exat", "4102444800"], "$1\r\nv\r\n", dirty: 5, hits: 6, misses: 1)
        XCTAssertEqual(deadline("k"), 4102444800000)
        expect(["getex", "k", "pxat", "4102444800000"], "$1\r\nv\r\n", dirty: 6, hits: 7, misses: 1)
        XCTAssertEqual(deadline("k"), 4102444800000)
        expect(["getex", "k", "PERSIST", "persist"], "$1\r\nv\r\n", dirty: 7, hits: 8, misses: 1)
        XCTAssertEqual(ttl("k"), -1)
        expect(["getex", "k", "ex", "1", "ex", "100"], "$1\r\nv\r\n", dirty: 8, hits: 9, misses: 1)
        XCTAssertEqual(ttl("k"), 100)
        expect(["getex", "k", "ex", "1", "px", "100"], "-ERR syntax error\r\n", dirty: 8, hits: 9, misses: 1)
        expect(["getex", "k", "persist", "ex", "1"], "-ERR syntax error\r\n", dirty: 8, hits: 9, misses: 1)
        expect(["getex", "k", "ex", "1", "persist"], "-ERR syntax error\r\n", dirty: 8, hits: 9, misses: 1)
        expect(["getex", "k", "nx"], "-ERR syntax error\r\n", dirty: 8, hits: 9, misses: 1)
        expect(["getex", "k", "keepttl"], "-ERR syntax error\r\n", dirty: 8, hits: 9, misses: 1)
        expect(["getex", "k", "get"], "-ERR syntax error\r\n", dirty: 8, hits: 9, misses: 1)
        expect(["getex", "k", "ex"], "-ERR syntax error\r\n", dirty: 8, hits: 9, misses: 1)
        expect(["getex", "k", "ex", "0"], "-ERR invalid expire time in 'getex' command\r\n", dirty: 8, hits: 10, misses: 1)
        expect(["getex", "k", "ex", "abc"], "-ERR value is not an integer or out of range\r\n", dirty: 8, hits: 11, misses: 1)
        expect(["getex", "k", "exat", "-1"], "-ERR invalid expire time in 'getex' command\r\n", dirty: 8, hits: 12, misses: 1)
        expect(["getex", "k", "ex", "9223372036854776"], "-ERR invalid expire time in 'getex' command\r\n", dirty: 8, hits: 13, misses: 1)
        expect(["getex", "k", "pxat", "9223372036854775807"], "$1\r\nv\r\n", dirty: 9, hits: 14, misses: 1)
        XCTAssertEqual(deadline("k"), 9223372036854775807)
        expect(["getex", "missing", "ex", "-1"], "$-1\r\n", dirty: 9, hits: 14, misses: 2)
        expect(["getex", "missing", "foo"], "-ERR syntax error\r\n", dirty: 9, hits: 14, misses: 2)
        expect(["set", "i", "42"], "+OK\r\n", dirty: 10, hits: 14, misses: 2)
        expect(["getex", "i", "ex", "100"], "$2\r\n42\r\n", dirty: 11, hits: 15, misses: 2)
        XCTAssertEqual(encoding("i"), "int")
        expect(["getex", "k", "exat", "1"], "$1\r\nv\r\n", dirty: 12, hits: 16, misses: 2)
        expect(["exists", "k"], ":0\r\n", dirty: 12, hits: 16, misses: 3)
        expect(["set", "k", "v"], "+OK\r\n", dirty: 13, hits: 16, misses: 3)
        expect(["getex", "k", "pxat", "1000"], "$1\r\nv\r\n", dirty: 14, hits: 17, misses: 3)
        expect(["exists", "k"], ":0\r\n", dirty: 14, hits: 17, misses: 4)
        expect(["getex"], "-ERR wrong number of arguments for 'getex' command\r\n", dirty: 14, hits: 17, misses: 4)
    }

    func testMgetMsetMsetnx() {
        expect(["mget", "a", "b", "c"], "*3\r\n$-1\r\n$-1\r\n$-1\r\n", dirty: 0, hits: 0, misses: 3)
        expect(["mset", "a", "1", "b", "2"], "+OK\r\n", dirty: 2, hits: 0, misses: 3)
        expect(["mget", "a", "b", "c", "a"], "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n$1\r\n1\r\n", dirty: 2, hits: 3, misses: 4)
        XCTAssertEqual(encoding("a"), "int")
        expect(["mset", "a", "1", "b"], "-ERR wrong number of arguments for 'mset' command\r\n", dirty: 2, hits: 3, misses: 4)
        expect(["mset", "a"], "-ERR wrong number of arguments for 'mset' command\r\n", dirty: 2, hits: 3, misses: 4)
        expect(["msetnx", "a", "1", "x", "2"], ":0\r\n", dirty: 2, hits: 3, misses: 4)
        expect(["get", "x"], "$-1\r\n", dirty: 2, hits: 3, misses: 5)
        expect(["msetnx", "x", "1", "y", "2"], ":1\r\n", dirty: 4, hits: 3, misses: 5)
        expect(["mget", "x", "y"], "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", dirty: 4, hits: 5, misses: 5)
        expect(["msetnx", "z", "1", "z", "2"], ":1\r\n", dirty: 6, hits: 5, misses: 5)
        expect(["get", "z"], "$1\r\n2\r\n", dirty: 6, hits: 6, misses: 5)
        expect(["msetnx", "q"], "-ERR wrong number of arguments for 'msetnx' command\r\n", dirty: 6, hits: 6, misses: 5)
        expect(["msetnx", "q", "1", "r"], "-ERR wrong number of arguments for 'msetnx' command\r\n", dirty: 6, hits: 6, misses: 5)
        expect(["setex", "a", "100", "v"], "+OK\r\n", dirty: 7, hits: 6, misses: 5)
        expect(["mset", "a", "9", "a", "10"], "+OK\r\n", dirty: 9, hits: 6, misses: 5)
        expect(["get", "a"], "$2\r\n10\r\n", dirty: 9, hits: 7, misses: 5)
        XCTAssertEqual(ttl("a"), -1)
        expect(["mget"], "-ERR wrong number of arguments for 'mget' command\r\n", dirty: 9, hits: 7, misses: 5)
    }

    func testAppendAndStrlen() {
        expect(["append", "k", "12"], ":2\r\n", dirty: 1, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "int")
        expect(["append", "k", "3"], ":3\r\n", dirty: 2, hits: 0, misses: 0)
        expect(["get", "k"], "$3\r\n123\r\n", dirty: 2, hits: 1, misses: 0)
        XCTAssertEqual(encoding("k"), "raw")
        expect(["append", "k", ""], ":3\r\n", dirty: 3, hits: 1, misses: 0)
        expect(["strlen", "k"], ":3\r\n", dirty: 3, hits: 2, misses: 0)
        expect(["strlen", "nope"], ":0\r\n", dirty: 3, hits: 2, misses: 1)
        expect(["set", "k", "12345"], "+OK\r\n", dirty: 4, hits: 2, misses: 1)
        expect(["strlen", "k"], ":5\r\n", dirty: 4, hits: 3, misses: 1)
        expect(["set", "k", "-9"], "+OK\r\n", dirty: 5, hits: 3, misses: 1)
        expect(["strlen", "k"], ":2\r\n", dirty: 5, hits: 4, misses: 1)
        expect(["append", "j", ""], ":0\r\n", dirty: 6, hits: 4, misses: 1)
        expect(["exists", "j"], ":1\r\n", dirty: 6, hits: 5, misses: 1)
        expect(["append", "e", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"], ":50\r\n", dirty: 7, hits: 5, misses: 1)
        XCTAssertEqual(encoding("e"), "raw")
        expect(["append", "s", "abc"], ":3\r\n", dirty: 8, hits: 5, misses: 1)
        XCTAssertEqual(encoding("s"), "embstr")
        expect(["setex", "t", "100", "a"], "+OK\r\n", dirty: 9, hits: 5, misses: 1)
        expect(["append", "t", "b"], ":2\r\n", dirty: 10, hits: 5, misses: 1)
        XCTAssertEqual(ttl("t"), 100)
        XCTAssertEqual(encoding("t"), "raw")
        expect(["set", "n", "12"], "+OK\r\n", dirty: 11, hits: 5, misses: 1)
        expect(["append", "n", "3"], ":3\r\n", dirty: 12, hits: 5, misses: 1)
        expect(["get", "n"], "$3\r\n123\r\n", dirty: 12, hits: 6, misses: 1)
        XCTAssertEqual(encoding("n"), "raw")
        expect(["append", "k"], "-ERR wrong number of arguments for 'append' command\r\n", dirty: 12, hits: 6, misses: 1)
        expect(["strlen"], "-ERR wrong number of arguments for 'strlen' command\r\n", dirty: 12, hits: 6, misses: 1)
    }

    func testIncrDecr() {
        expect(["incr", "k"], ":1\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["incr", "k"], ":2\r\n", dirty: 2, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "int")
        expect(["decr", "k"], ":1\r\n", dirty: 3, hits: 0, misses: 0)
        expect(["decr", "k"], ":0\r\n", dirty: 4, hits: 0, misses: 0)
        expect(["decr", "k"], ":-1\r\n", dirty: 5, hits: 0, misses: 0)
        expect(["incrby", "k", "100"], ":99\r\n", dirty: 6, hits: 0, misses: 0)
        expect(["decrby", "k", "50"], ":49\r\n", dirty: 7, hits: 0, misses: 0)
        expect(["incrby", "k", "abc"], "-ERR value is not an integer or out of range\r\n", dirty: 7, hits: 0, misses: 0)
        expect(["incrby", "k", "1.5"], "-ERR value is not an integer or out of range\r\n", dirty: 7, hits: 0, misses: 0)
        expect(["incrby", "k", "-0"], "-ERR value is not an integer or out of range\r\n", dirty: 7, hits: 0, misses: 0)
        expect(["decrby", "k", " 1"], "-ERR value is not an integer or out of range\r\n", dirty: 7, hits: 0, misses: 0)
        expect(["set", "k", "9223372036854775806"], "+OK\r\n", dirty: 8, hits: 0, misses: 0)
        expect(["incr", "k"], ":9223372036854775807\r\n", dirty: 9, hits: 0, misses: 0)
        expect(["incr", "k"], "-ERR increment or decrement would overflow\r\n", dirty: 9, hits: 0, misses: 0)
        expect(["get", "k"], "$19\r\n9223372036854775807\r\n", dirty: 9, hits: 1, misses: 0)
        expect(["set", "k", "-9223372036854775807"], "+OK\r\n", dirty: 10, hits: 1, misses: 0)
        expect(["decr", "k"], ":-9223372036854775808\r\n", dirty: 11, hits: 1, misses: 0)
        expect(["decr", "k"], "-ERR increment or decrement would overflow\r\n", dirty: 11, hits: 1, misses: 0)
        expect(["decrby", "k", "-9223372036854775808"], "-ERR decrement would overflow\r\n", dirty: 11, hits: 1, misses: 0)
        expect(["decrby", "x", "-9223372036854775808"], "-ERR decrement would overflow\r\n", dirty: 11, hits: 1, misses: 0)
        expect(["decrby", "x", "9223372036854775807"], ":-9223372036854775807\r\n", dirty: 12, hits: 1, misses: 0)
        expect(["incrby", "x", "-2"], "-ERR increment or decrement would overflow\r\n", dirty: 12, hits: 1, misses: 0)
        expect(["incrby", "x", "9223372036854775808"], "-ERR value is not an integer or out of range\r\n", dirty: 12, hits: 1, misses: 0)
        expect(["incrby", "y", "-9223372036854775808"], ":-9223372036854775808\r\n", dirty: 13, hits: 1, misses: 0)
        expect(["decr", "y"], "-ERR increment or decrement would overflow\r\n", dirty: 13, hits: 1, misses: 0)
        expect(["set", "k", "abc"], "+OK\r\n", dirty: 14, hits: 1, misses: 0)
        expect(["incr", "k"], "-ERR value is not an integer or out of range\r\n", dirty: 14, hits: 1, misses: 0)
        expect(["set", "k", " 1"], "+OK\r\n", dirty: 15, hits: 1, misses: 0)
        expect(["incr", "k"], "-ERR value is not an integer or out of range\r\n", dirty: 15, hits: 1, misses: 0)
        expect(["set", "k", "01"], "+OK\r\n", dirty: 16, hits: 1, misses: 0)
        expect(["incr", "k"], "-ERR value is not an integer or out of range\r\n", dirty: 16, hits: 1, misses: 0)
        expect(["set", "k", "+1"], "+OK\r\n", dirty: 17, hits: 1, misses: 0)
        expect(["incr", "k"], "-ERR value is not an integer or out of range\r\n", dirty: 17, hits: 1, misses: 0)
        expect(["set", "k", "111111111111111111111"], "+OK\r\n", dirty: 18, hits: 1, misses: 0)
        expect(["incr", "k"], "-ERR value is not an integer or out of range\r\n", dirty: 18, hits: 1, misses: 0)
        expect(["set", "k", "1.0"], "+OK\r\n", dirty: 19, hits: 1, misses: 0)
        expect(["incr", "k"], "-ERR value is not an integer or out of range\r\n", dirty: 19, hits: 1, misses: 0)
        expect(["set", "k", ""], "+OK\r\n", dirty: 20, hits: 1, misses: 0)
        expect(["incr", "k"], "-ERR value is not an integer or out of range\r\n", dirty: 20, hits: 1, misses: 0)
        expect(["setex", "k", "100", "10"], "+OK\r\n", dirty: 21, hits: 1, misses: 0)
        expect(["incr", "k"], ":11\r\n", dirty: 22, hits: 1, misses: 0)
        XCTAssertEqual(ttl("k"), 100)
        XCTAssertEqual(encoding("k"), "int")
        expect(["append", "k", "1"], ":3\r\n", dirty: 23, hits: 1, misses: 0)
        XCTAssertEqual(encoding("k"), "raw")
        expect(["incr", "k"], ":112\r\n", dirty: 24, hits: 1, misses: 0)
        XCTAssertEqual(encoding("k"), "int")
        XCTAssertEqual(ttl("k"), 100)
        expect(["incr"], "-ERR wrong number of arguments for 'incr' command\r\n", dirty: 24, hits: 1, misses: 0)
        expect(["incrby", "k"], "-ERR wrong number of arguments for 'incrby' command\r\n", dirty: 24, hits: 1, misses: 0)
        expect(["decrby", "k", "1", "2"], "-ERR wrong number of arguments for 'decrby' command\r\n", dirty: 24, hits: 1, misses: 0)
    }

    func testIncrbyfloat() {
        expect(["incrbyfloat", "k", "1.5"], "$3\r\n1.5\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "1.5"], "$1\r\n3\r\n", dirty: 2, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "embstr")
        expect(["incrbyfloat", "k", "0.1"], "$3\r\n3.1\r\n", dirty: 3, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "-3.1"], "$1\r\n0\r\n", dirty: 4, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "1e3"], "$4\r\n1000\r\n", dirty: 5, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "abc"], "-ERR value is not a valid float\r\n", dirty: 5, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "inf"], "-ERR increment would produce NaN or Infinity\r\n", dirty: 5, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "-inf"], "-ERR increment would produce NaN or Infinity\r\n", dirty: 5, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "nan"], "-ERR value is not a valid float\r\n", dirty: 5, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", " 1"], "-ERR value is not a valid float\r\n", dirty: 5, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "1 "], "-ERR value is not a valid float\r\n", dirty: 5, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", ""], "-ERR value is not a valid float\r\n", dirty: 5, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "0x10"], "$4\r\n1016\r\n", dirty: 6, hits: 0, misses: 0)
        expect(["set", "k", "abc"], "+OK\r\n", dirty: 7, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "1"], "-ERR value is not a valid float\r\n", dirty: 7, hits: 0, misses: 0)
        expect(["set", "k", "5"], "+OK\r\n", dirty: 8, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "0"], "$1\r\n5\r\n", dirty: 9, hits: 0, misses: 0)
        XCTAssertEqual(encoding("k"), "embstr")
        expect(["incrbyfloat", "k", "5.0e3"], "$4\r\n5005\r\n", dirty: 10, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "1.1e4931"], "$4932\r\n110000000000000000003886858112527874325341223408092944476733908915854849776402607679232581312541803558181804795870477142250315911090370586632395734366811796002315820294345777876681463519949587152528293897903663380816979759673401096965927321997906987579708740177055775338473651983359138747185829662144781225851529589496253688212271800012687869761955591116331007221745723936317376502855811241187540375552616344924479858519402407270031747564773925920175920982724128768051951951397099254338237399511440191355310751093300163633144781316360240949712354547797895188016085348643799837092394431803044951854848341142161965180697587532756773889414161928511421187534822172050678699603778545011854010460332083249036041649095240649412951211371485516450232902548205292198159325727210168267345583669006064180955565374213227435302863225435093175017296394795341869177251324399363910414933868083441259299232649491822769494161349108416183310914986284505432458129135517652087382961662341819199512956401093436142697760447857324863659378162081682700365577757194459209604909090953536287647700417982239647958040907713275837211014533439477930755722023828949267960593504702848252396025972464285553607334388005950994638489910515868121483332169233941889001765248073829755417112078295904135394939594987009908340731854202945583289073463970648974186003574739116279567302945175748194564162651236847994499904759365137451465330686796312633683212695751409457609105527303788803354874184657596954370461964116064762358294074987606650638157531594504593346006090354689809959615539298451625385764699597020452267238089979900087811663606173445955124673116377489007009725641249965174485100628320909075834551908498292600880421427297809866556126006923927351821458835395159623996593246334287158473545715714404685386571290939549351417985641095737255692222480269749109505382309988141354475960045815155785862128775613451803204655062327548172870432368527703947787578335302693366993536441087777344911834037117066991292147759276338859419610786286038442588141701279561468669026757594856690945757273536631833435701234626148365022998540071108990580351025759351162171786134353035645420327781604867053759264788094934910411554069865127309883192333095475044781192807138794239453266239573967775332449175791721593364295000350839298306254741682397814853801220647736991230681284755840718851434247390679561274861887056065608569715795608435390947287898376547170949113358593559506078236864425934861882338632223450319217526459210024050213115779517593870677079994118456173480029309299241135961360920959123197838773237779285908672819426190728826380522846929302494019272662710394185191079564525397361806932479431060479280334081113930383022927119446275709030629672965957962425791280368284469700522056843742129798246481454270867969616056853832824085940004364093344999001800082909551007503842303187722763440445493737978225088942272664136341194775407773106210045915997431166971356073737180040271465645483966828509414743832699276632711405216544992987860946195290663538830314758322585382069448107389659407317300544970855021135431544894298938909057482418647474212111149257102617374519628476093499684708843700097653544407030761267941430188488370250628981844954952627556031196808617373180389218531127014136681885128207735784598178606599469149574769157271842281112286863375023595099167931309746786332854888150310213138031002556821797041034949179995657941093049218652800370894855152064684406991204841610589066921746190872323623106671844715136299825293648873355485395535322857942181055048077888256038466208536314148569853067881272669209179182029264651638748460268458897907597696280331037300875398455128084236193453112964675013974463315292459925663413190817299333876349366188069167992108638637194861173707458017201250271780363793868620252926759461420305674265978197469537877567062652894680253914252139805244082652675234826975572105391914741059123622998834829697165698298493670148515574729969824079375632522120770534676799986984935196790529704503483684417552589205591618484136306677789780666390660009470909170233842567508628147539236573472791158041616339057649315064050511687871450300724624196902592816253504407229475838196662469252032683293235115471489912273253994016488356936172217818973936853946132919176540319599741267331898658675936505156231592882297448815856570162546648177259264340537523271229995317011674676262622895251424623490557128896475851508830302470182275375636681089564084444070104509471551647958261338914131436497537005759193929500733561665079064582673037799672656205698998097701144237386241603769270159881668896563058186044540394622674229697483191122530652269493799955516454322090766017915341293934753002667806687315286982572397168597877838391994421835021127030917400277909820740197857380148103683092333430966680739471207196412537418112240204615218116656388241480613017348467599364172562143529676287522864952873051181970740898590555131966371871424598962418820767937930116202895312320599752710006243328\r\n", dirty: 11, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "1e4933"], "-ERR value is not a valid float\r\n", dirty: 11, hits: 0, misses: 0)
        expect(["set", "k", "1"], "+OK\r\n", dirty: 12, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "-1"], "$1\r\n0\r\n", dirty: 13, hits: 0, misses: 0)
        expect(["set", "k", "1e308"], "+OK\r\n", dirty: 14, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "1e308"], "$309\r\n199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096\r\n", dirty: 15, hits: 0, misses: 0)
        expect(["set", "k", "0x10"], "+OK\r\n", dirty: 16, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "1"], "$2\r\n17\r\n", dirty: 17, hits: 0, misses: 0)
        expect(["set", "k", "1.5e1"], "+OK\r\n", dirty: 18, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "1"], "$2\r\n16\r\n", dirty: 19, hits: 0, misses: 0)
        expect(["setex", "k", "100", "1"], "+OK\r\n", dirty: 20, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "2.5"], "$3\r\n3.5\r\n", dirty: 21, hits: 0, misses: 0)
        XCTAssertEqual(ttl("k"), 100)
        XCTAssertEqual(encoding("k"), "embstr")
        expect(["incrbyfloat", "k", "0.0000000000000000001"], "$3\r\n3.5\r\n", dirty: 22, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "3.0000000000000000001"], "$3\r\n6.5\r\n", dirty: 23, hits: 0, misses: 0)
        expect(["set", "k", "-0"], "+OK\r\n", dirty: 24, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "0"], "$1\r\n0\r\n", dirty: 25, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "-0.0"], "$1\r\n0\r\n", dirty: 26, hits: 0, misses: 0)
        expect(["set", "k", "0.1"], "+OK\r\n", dirty: 27, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "0.2"], "$3\r\n0.3\r\n", dirty: 28, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "123456789012345678"], "$25\r\n123456789012345678.296875\r\n", dirty: 29, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "-123456789012345678.3"], "$1\r\n0\r\n", dirty: 30, hits: 0, misses: 0)
        expect(["set", "k", "9223372036854775807"], "+OK\r\n", dirty: 31, hits: 0, misses: 0)
        expect(["incrbyfloat", "k", "1"], "$19\r\n9223372036854775808\r\n", dirty: 32, hits: 0, misses: 0)
        expect(["incrbyfloat", "n", "-5"], "$2\r\n-5\r\n", dirty: 33, hits: 0, misses: 0)
        expect(["incrbyfloat", "k"], "-ERR wrong number of arguments for 'incrbyfloat' command\r\n", dirty: 33, hits: 0, misses: 0)
    }

    func testGetrangeAndSubstr() {
        expect(["set", "k", "Hello World"], "+OK\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["getrange", "k", "0", "4"], "$5\r\nHello\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["getrange", "k", "-5", "-1"], "$5\r\nWorld\r\n", dirty: 1, hits: 2, misses: 0)
        expect(["getrange", "k", "-1", "-5"], "$0\r\n\r\n", dirty: 1, hits: 3, misses: 0)
        expect(["getrange", "k", "5", "3"], "$0\r\n\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["getrange", "k", "0", "-1"], "$11\r\nHello World\r\n", dirty: 1, hits: 5, misses: 0)
        expect(["getrange", "k", "0", "100"], "$11\r\nHello World\r\n", dirty: 1, hits: 6, misses: 0)
        expect(["getrange", "k", "-100", "2"], "$3\r\nHel\r\n", dirty: 1, hits: 7, misses: 0)
        expect(["getrange", "k", "100", "200"], "$0\r\n\r\n", dirty: 1, hits: 8, misses: 0)
        expect(["getrange", "k", "-100", "-50"], "$1\r\nH\r\n", dirty: 1, hits: 9, misses: 0)
        expect(["getrange", "k", "3", "3"], "$1\r\nl\r\n", dirty: 1, hits: 10, misses: 0)
        expect(["getrange", "k", "a", "1"], "-ERR value is not an integer or out of range\r\n", dirty: 1, hits: 10, misses: 0)
        expect(["getrange", "k", "1", "b"], "-ERR value is not an integer or out of range\r\n", dirty: 1, hits: 10, misses: 0)
        expect(["getrange", "nope", "0", "1"], "$0\r\n\r\n", dirty: 1, hits: 10, misses: 1)
        expect(["getrange", "nope", "x", "1"], "-ERR value is not an integer or out of range\r\n", dirty: 1, hits: 10, misses: 1)
        expect(["substr", "k", "0", "2"], "$3\r\nHel\r\n", dirty: 1, hits: 11, misses: 1)
        expect(["substr", "k", "-3", "-1"], "$3\r\nrld\r\n", dirty: 1, hits: 12, misses: 1)
        expect(["set", "n", "-12345"], "+OK\r\n", dirty: 2, hits: 12, misses: 1)
        expect(["getrange", "n", "1", "2"], "$2\r\n12\r\n", dirty: 2, hits: 13, misses: 1)
        expect(["getrange", "n", "0", "-1"], "$6\r\n-12345\r\n", dirty: 2, hits: 14, misses: 1)
        expect(["set", "e", ""], "+OK\r\n", dirty: 3, hits: 14, misses: 1)
        expect(["getrange", "e", "0", "-1"], "$0\r\n\r\n", dirty: 3, hits: 15, misses: 1)
        expect(["getrange", "e", "0", "0"], "$0\r\n\r\n", dirty: 3, hits: 16, misses: 1)
        expect(["getrange", "k", "9223372036854775807", "-9223372036854775808"], "$0\r\n\r\n", dirty: 3, hits: 17, misses: 1)
        expect(["getrange", "k", "-9223372036854775808", "9223372036854775807"], "$11\r\nHello World\r\n", dirty: 3, hits: 18, misses: 1)
        expect(["getrange", "k", "0"], "-ERR wrong number of arguments for 'getrange' command\r\n", dirty: 3, hits: 18, misses: 1)
        expect(["substr", "k", "0"], "-ERR wrong number of arguments for 'substr' command\r\n", dirty: 3, hits: 18, misses: 1)
    }

    func testSetrange() {
        expect(["setrange", "k", "5", "hi"], ":7\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["get", "k"], "$7\r\n\\x00\\x00\\x00\\x00\\x00hi\r\n", dirty: 1, hits: 1, misses: 0)
        XCTAssertEqual(encoding("k"), "raw")
        expect(["setrange", "k", "0", "ab"], ":7\r\n", dirty: 2, hits: 1, misses: 0)
        expect(["get", "k"], "$7\r\nab\\x00\\x00\\x00hi\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["setrange", "k", "1", ""], ":7\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["setrange", "k", "-1", "x"], "-ERR offset is out of range\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["setrange", "k", "-1", ""], "-ERR offset is out of range\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["setrange", "k", "a", "x"], "-ERR value is not an integer or out of range\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["setrange", "k", "1.5", "x"], "-ERR value is not an integer or out of range\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["setrange", "n", "3", ""], ":0\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["exists", "n"], ":0\r\n", dirty: 2, hits: 2, misses: 1)
        expect(["setrange", "n", "9223372036854775807", ""], ":0\r\n", dirty: 2, hits: 2, misses: 1)
        expect(["setrange", "k", "536870912", ""], ":7\r\n", dirty: 2, hits: 2, misses: 1)
        expect(["setrange", "k", "9223372036854775807", "x"], "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", dirty: 2, hits: 2, misses: 1)
        expect(["setrange", "k", "536870911", "xy"], "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", dirty: 2, hits: 2, misses: 1)
        expect(["setrange", "n", "536870912", "x"], "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", dirty: 2, hits: 2, misses: 1)
        expect(["exists", "n"], ":0\r\n", dirty: 2, hits: 2, misses: 2)
        expect(["set", "i", "12345"], "+OK\r\n", dirty: 3, hits: 2, misses: 2)
        expect(["setrange", "i", "1", "9"], ":5\r\n", dirty: 4, hits: 2, misses: 2)
        expect(["get", "i"], "$5\r\n19345\r\n", dirty: 4, hits: 3, misses: 2)
        XCTAssertEqual(encoding("i"), "raw")
        expect(["set", "i", "12345"], "+OK\r\n", dirty: 5, hits: 3, misses: 2)
        expect(["setrange", "i", "0", ""], ":5\r\n", dirty: 5, hits: 3, misses: 2)
        XCTAssertEqual(encoding("i"), "int")
        expect(["set", "s", "ab"], "+OK\r\n", dirty: 6, hits: 3, misses: 2)
        expect(["setrange", "s", "0", "c"], ":2\r\n", dirty: 7, hits: 3, misses: 2)
        XCTAssertEqual(encoding("s"), "raw")
        expect(["setex", "t", "100", "abc"], "+OK\r\n", dirty: 8, hits: 3, misses: 2)
        expect(["setrange", "t", "1", "z"], ":3\r\n", dirty: 9, hits: 3, misses: 2)
        XCTAssertEqual(ttl("t"), 100)
        expect(["get", "t"], "$3\r\nazc\r\n", dirty: 9, hits: 4, misses: 2)
        expect(["setrange", "t", "6", "!"], ":7\r\n", dirty: 10, hits: 4, misses: 2)
        expect(["get", "t"], "$7\r\nazc\\x00\\x00\\x00!\r\n", dirty: 10, hits: 5, misses: 2)
        expect(["setrange", "k", "1"], "-ERR wrong number of arguments for 'setrange' command\r\n", dirty: 10, hits: 5, misses: 2)
    }

    func testLcs() {
        expect(["set", "a", "ohmytext"], "+OK\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["set", "b", "mynewtext"], "+OK\r\n", dirty: 2, hits: 0, misses: 0)
        expect(["lcs", "a", "b"], "$6\r\nmytext\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["lcs", "a", "b", "len"], ":6\r\n", dirty: 2, hits: 4, misses: 0)
        expect(["lcs", "a", "b", "LEN", "len"], ":6\r\n", dirty: 2, hits: 6, misses: 0)
        expect(["lcs", "a", "b", "idx"], "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n", dirty: 2, hits: 8, misses: 0)
        expect(["lcs", "a", "b", "idx", "minmatchlen", "4"], "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n", dirty: 2, hits: 10, misses: 0)
        expect(["lcs", "a", "b", "idx", "minmatchlen", "4", "withmatchlen"], "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n", dirty: 2, hits: 12, misses: 0)
        expect(["lcs", "a", "b", "idx", "withmatchlen"], "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n", dirty: 2, hits: 14, misses: 0)
        expect(["lcs", "a", "b", "len", "minmatchlen", "2"], ":6\r\n", dirty: 2, hits: 16, misses: 0)
        expect(["lcs", "a", "b", "len", "idx"], "-ERR If you want both the length and indexes, please just use IDX.\r\n", dirty: 2, hits: 18, misses: 0)
        expect(["lcs", "a", "b", "idx", "len"], "-ERR If you want both the length and indexes, please just use IDX.\r\n", dirty: 2, hits: 20, misses: 0)
        expect(["lcs", "a", "b", "minmatchlen"], "-ERR syntax error\r\n", dirty: 2, hits: 22, misses: 0)
        expect(["lcs", "a", "b", "minmatchlen", "x"], "-ERR value is not an integer or out of range\r\n", dirty: 2, hits: 24, misses: 0)
        expect(["lcs", "a", "b", "minmatchlen", "-5", "idx"], "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n", dirty: 2, hits: 26, misses: 0)
        expect(["lcs", "a", "b", "foo"], "-ERR syntax error\r\n", dirty: 2, hits: 28, misses: 0)
        expect(["lcs", "a", "nope"], "$0\r\n\r\n", dirty: 2, hits: 29, misses: 1)
        expect(["lcs", "nope", "nope2", "idx"], "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n", dirty: 2, hits: 29, misses: 3)
        expect(["lcs", "nope", "nope2"], "$0\r\n\r\n", dirty: 2, hits: 29, misses: 5)
        expect(["set", "c", "12345"], "+OK\r\n", dirty: 3, hits: 29, misses: 5)
        expect(["set", "d", "1234"], "+OK\r\n", dirty: 4, hits: 29, misses: 5)
        expect(["lcs", "c", "d", "idx", "withmatchlen"], "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:3\r\n*2\r\n:0\r\n:3\r\n:4\r\n$3\r\nlen\r\n:4\r\n", dirty: 4, hits: 31, misses: 5)
        expect(["lcs", "a", "a", "idx"], "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:0\r\n:7\r\n*2\r\n:0\r\n:7\r\n$3\r\nlen\r\n:8\r\n", dirty: 4, hits: 33, misses: 5)
        expect(["lcs", "a"], "-ERR wrong number of arguments for 'lcs' command\r\n", dirty: 4, hits: 33, misses: 5)
        expect(["set", "x", "ABCBDAB"], "+OK\r\n", dirty: 5, hits: 33, misses: 5)
        expect(["set", "y", "BDCABA"], "+OK\r\n", dirty: 6, hits: 33, misses: 5)
        expect(["lcs", "x", "y"], "$4\r\nBDAB\r\n", dirty: 6, hits: 35, misses: 5)
        expect(["lcs", "x", "y", "idx", "withmatchlen"], "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:5\r\n:6\r\n*2\r\n:3\r\n:4\r\n:2\r\n*3\r\n*2\r\n:3\r\n:4\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:4\r\n", dirty: 6, hits: 37, misses: 5)
        expect(["lcs", "y", "x", "idx", "withmatchlen"], "*4\r\n$7\r\nmatches\r\n*4\r\n*3\r\n*2\r\n:5\r\n:5\r\n*2\r\n:5\r\n:5\r\n:1\r\n*3\r\n*2\r\n:4\r\n:4\r\n*2\r\n:3\r\n:3\r\n:1\r\n*3\r\n*2\r\n:2\r\n:2\r\n*2\r\n:2\r\n:2\r\n:1\r\n*3\r\n*2\r\n:0\r\n:0\r\n*2\r\n:1\r\n:1\r\n:1\r\n$3\r\nlen\r\n:4\r\n", dirty: 6, hits: 39, misses: 5)
        expect(["set", "z", "aaaaaaaaaaab"], "+OK\r\n", dirty: 7, hits: 39, misses: 5)
        expect(["set", "w", "baaaaaaaaaaa"], "+OK\r\n", dirty: 8, hits: 39, misses: 5)
        expect(["lcs", "z", "w", "idx", "withmatchlen"], "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:10\r\n*2\r\n:1\r\n:11\r\n:11\r\n$3\r\nlen\r\n:11\r\n", dirty: 8, hits: 41, misses: 5)
        expect(["lcs", "w", "z", "idx", "withmatchlen", "minmatchlen", "3"], "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:1\r\n:11\r\n*2\r\n:0\r\n:10\r\n:11\r\n$3\r\nlen\r\n:11\r\n", dirty: 8, hits: 43, misses: 5)
        expect(["set", "p", "abcabcabcXYZ"], "+OK\r\n", dirty: 9, hits: 43, misses: 5)
        expect(["set", "q", "XYZabcabcab"], "+OK\r\n", dirty: 10, hits: 43, misses: 5)
        expect(["lcs", "p", "q"], "$8\r\nabcabcab\r\n", dirty: 10, hits: 45, misses: 5)
        expect(["lcs", "p", "q", "idx", "withmatchlen"], "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:7\r\n*2\r\n:3\r\n:10\r\n:8\r\n$3\r\nlen\r\n:8\r\n", dirty: 10, hits: 47, misses: 5)
        expect(["lcs", "q", "p", "idx", "minmatchlen", "3"], "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:3\r\n:10\r\n*2\r\n:0\r\n:7\r\n$3\r\nlen\r\n:8\r\n", dirty: 10, hits: 49, misses: 5)
    }

    func testLcsReplyShapesInResp3() {
        client.resp3 = true
        expect(["set", "a", "ohmytext"], "+OK\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["set", "b", "mynewtext"], "+OK\r\n", dirty: 2, hits: 0, misses: 0)
        expect(["lcs", "a", "b", "idx", "minmatchlen", "4", "withmatchlen"], "%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["lcs", "a", "b", "idx"], "%2\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n", dirty: 2, hits: 4, misses: 0)
        expect(["lcs", "nope", "nope2", "idx"], "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n", dirty: 2, hits: 4, misses: 2)
        expect(["get", "nope"], "_\r\n", dirty: 2, hits: 4, misses: 3)
        expect(["mget", "a", "nope"], "*2\r\n$8\r\nohmytext\r\n_\r\n", dirty: 2, hits: 5, misses: 4)
        expect(["getex", "nope"], "_\r\n", dirty: 2, hits: 5, misses: 5)
        expect(["getdel", "nope"], "_\r\n", dirty: 2, hits: 5, misses: 6)
        expect(["getset", "nope", "v"], "_\r\n", dirty: 3, hits: 5, misses: 7)
        expect(["set", "nope2", "v", "get"], "_\r\n", dirty: 4, hits: 5, misses: 8)
        expect(["set", "a", "v", "xx", "get"], "$8\r\nohmytext\r\n", dirty: 5, hits: 6, misses: 8)
        expect(["set", "nope3", "v", "xx"], "_\r\n", dirty: 5, hits: 6, misses: 8)
    }

    func testHyperLogLogCommands() {
        expect(["pfadd", "h"], ":1\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["get", "h"], "$18\r\nHYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xff\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["pfadd", "h"], ":0\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["pfcount", "h"], ":0\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["pfadd", "h", "a"], ":1\r\n", dirty: 3, hits: 2, misses: 0)
        expect(["get", "h"], "$21\r\nHYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80q\\xa6\\x84NW\r\n", dirty: 3, hits: 3, misses: 0)
        expect(["pfcount", "h"], ":1\r\n", dirty: 4, hits: 4, misses: 0)
        expect(["get", "h"], "$21\r\nHYLL\\x01\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00q\\xa6\\x84NW\r\n", dirty: 4, hits: 5, misses: 0)
        expect(["pfadd", "h", "a", "b", "c"], ":1\r\n", dirty: 6, hits: 5, misses: 0)
        expect(["pfadd", "h", "a"], ":0\r\n", dirty: 6, hits: 5, misses: 0)
        expect(["pfcount", "h"], ":3\r\n", dirty: 7, hits: 6, misses: 0)
        expect(["get", "h"], "$27\r\nHYLL\\x01\\x00\\x00\\x00\\x03\\x00\\x00\\x00\\x00\\x00\\x00\\x00`\\xf3\\x80P\\xb1\\x84K\\xfb\\x80BZ\r\n", dirty: 7, hits: 7, misses: 0)
        XCTAssertEqual(encoding("h"), "raw")
        expect(["pfcount", "h", "nope"], ":3\r\n", dirty: 7, hits: 8, misses: 1)
        expect(["pfcount", "nope"], ":0\r\n", dirty: 7, hits: 8, misses: 2)
        expect(["pfcount", "nope", "nope2"], ":0\r\n", dirty: 7, hits: 8, misses: 4)
        expect(["pfadd", "g", "c", "d", "e", "f"], ":1\r\n", dirty: 12, hits: 8, misses: 4)
        expect(["pfcount", "h", "g"], ":6\r\n", dirty: 12, hits: 10, misses: 4)
        expect(["get", "h"], "$27\r\nHYLL\\x01\\x00\\x00\\x00\\x03\\x00\\x00\\x00\\x00\\x00\\x00\\x00`\\xf3\\x80P\\xb1\\x84K\\xfb\\x80BZ\r\n", dirty: 12, hits: 11, misses: 4)
        expect(["pfmerge", "m", "h", "g"], "+OK\r\n", dirty: 13, hits: 13, misses: 5)
        expect(["get", "m"], "$36\r\nHYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80Fm\\x80V\\x0c\\x80Dv\\x80P\\xb1\\x84I\\x8c\\x80Bm\\x80BZ\r\n", dirty: 13, hits: 14, misses: 5)
        expect(["pfcount", "m"], ":6\r\n", dirty: 14, hits: 15, misses: 5)
        expect(["pfmerge", "m"], "+OK\r\n", dirty: 15, hits: 16, misses: 5)
        expect(["pfcount", "m"], ":6\r\n", dirty: 16, hits: 17, misses: 5)
        expect(["pfmerge", "new"], "+OK\r\n", dirty: 17, hits: 17, misses: 6)
        expect(["get", "new"], "$18\r\nHYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xff\r\n", dirty: 17, hits: 18, misses: 6)
        expect(["pfmerge", "new2", "nope"], "+OK\r\n", dirty: 18, hits: 18, misses: 8)
        expect(["pfcount", "new2"], ":0\r\n", dirty: 19, hits: 19, misses: 8)
        expect(["pfmerge", "h", "h"], "+OK\r\n", dirty: 20, hits: 21, misses: 8)
        expect(["get", "h"], "$27\r\nHYLL\\x01\\x00\\x00\\x00\\x03\\x00\\x00\\x00\\x00\\x00\\x00\\x80`\\xf3\\x80P\\xb1\\x84K\\xfb\\x80BZ\r\n", dirty: 20, hits: 22, misses: 8)
        expect(["set", "s", "hello"], "+OK\r\n", dirty: 21, hits: 22, misses: 8)
        expect(["pfadd", "s", "x"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 21, hits: 22, misses: 8)
        expect(["pfadd", "s"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 21, hits: 22, misses: 8)
        expect(["pfcount", "s"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 21, hits: 23, misses: 8)
        expect(["pfcount", "s", "h"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 21, hits: 24, misses: 8)
        expect(["pfcount", "h", "s"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 21, hits: 26, misses: 8)
        expect(["pfcount", "nope", "s"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 21, hits: 27, misses: 9)
        expect(["pfmerge", "s", "h"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 21, hits: 28, misses: 9)
        expect(["pfmerge", "h", "s"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 21, hits: 30, misses: 9)
        expect(["pfmerge", "n2", "h", "s"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 21, hits: 32, misses: 10)
        expect(["exists", "n2"], ":0\r\n", dirty: 21, hits: 32, misses: 11)
        expect(["set", "i", "123"], "+OK\r\n", dirty: 22, hits: 32, misses: 11)
        expect(["pfadd", "i", "a"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 22, hits: 32, misses: 11)
        expect(["pfcount", "i"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 22, hits: 33, misses: 11)
        expect(["set", "e18", "HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x7f\\xff"], "+OK\r\n", dirty: 23, hits: 33, misses: 11)
        XCTAssertEqual(encoding("e18"), "embstr")
        expect(["pfcount", "e18"], ":0\r\n", dirty: 23, hits: 34, misses: 11)
        XCTAssertEqual(encoding("e18"), "raw")
        expect(["set", "hdr", "HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80"], "+OK\r\n", dirty: 24, hits: 34, misses: 11)
        expect(["pfcount", "hdr"], "-INVALIDOBJ Corrupted HLL object detected\r\n", dirty: 24, hits: 35, misses: 11)
        expect(["pfadd", "hdr", "q"], "-INVALIDOBJ Corrupted HLL object detected\r\n", dirty: 24, hits: 35, misses: 11)
        expect(["get", "hdr"], "$16\r\nHYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\r\n", dirty: 24, hits: 36, misses: 11)
        expect(["set", "hdr2", "HYLL\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"], "+OK\r\n", dirty: 25, hits: 36, misses: 11)
        expect(["pfcount", "hdr2"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 25, hits: 37, misses: 11)
        expect(["pfadd", "hdr2"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 25, hits: 37, misses: 11)
        expect(["set", "bad", "HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff"], "+OK\r\n", dirty: 26, hits: 37, misses: 11)
        expect(["pfcount", "bad"], "-INVALIDOBJ Corrupted HLL object detected\r\n", dirty: 26, hits: 38, misses: 11)
        expect(["pfadd", "bad", "x"], "-INVALIDOBJ Corrupted HLL object detected\r\n", dirty: 26, hits: 38, misses: 11)
        expect(["pfcount", "h", "bad"], "-INVALIDOBJ Corrupted HLL object detected\r\n", dirty: 26, hits: 40, misses: 11)
        expect(["pfmerge", "z", "h", "bad"], "-INVALIDOBJ Corrupted HLL object detected\r\n", dirty: 26, hits: 42, misses: 12)
        expect(["exists", "z"], ":0\r\n", dirty: 26, hits: 42, misses: 13)
        expect(["pfcount", "s", "bad"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 26, hits: 43, misses: 13)
        expect(["pfmerge", "s", "bad"], "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", dirty: 26, hits: 44, misses: 13)
        expect(["setex", "t", "100", "x"], "+OK\r\n", dirty: 27, hits: 44, misses: 13)
        expect(["del", "t"], ":1\r\n", dirty: 28, hits: 44, misses: 13)
        expect(["pfadd", "t", "q"], ":1\r\n", dirty: 30, hits: 44, misses: 13)
        expect(["pfmerge", "t", "h"], "+OK\r\n", dirty: 31, hits: 46, misses: 13)
        expect(["get", "t"], "$30\r\nHYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80U\\xaf\\x94KB\\x80P\\xb1\\x84K\\xfb\\x80BZ\r\n", dirty: 31, hits: 47, misses: 13)
        expect(["pfadd"], "-ERR wrong number of arguments for 'pfadd' command\r\n", dirty: 31, hits: 47, misses: 13)
        expect(["pfcount"], "-ERR wrong number of arguments for 'pfcount' command\r\n", dirty: 31, hits: 47, misses: 13)
        expect(["pfmerge"], "-ERR wrong number of arguments for 'pfmerge' command\r\n", dirty: 31, hits: 47, misses: 13)
        // Reply-only checks: Cairn looks up all the keys before the codec finds a corrupted one, so its keyspace_hits
        // count keys Redis never reaches; these run last so the counters above stay comparable.
        expect2(["pfcount", "bad", "h"], "-INVALIDOBJ Corrupted HLL object detected\r\n")
        expect2(["pfcount", "bad", "s"], "-INVALIDOBJ Corrupted HLL object detected\r\n")
        expect2(["pfmerge", "z", "bad", "s"], "-INVALIDOBJ Corrupted HLL object detected\r\n")
        expect2(["pfmerge", "bad", "s"], "-INVALIDOBJ Corrupted HLL object detected\r\n")
    }

    /// Only writes that change something count as a modification (dirty, WATCH).
    func testHyperLogLogWatchAndTTL() {
        expect(["pfadd", "h", "a"], ":1\r\n", dirty: 2, hits: 0, misses: 0)
        expect(["setex", "k", "100", "v"], "+OK\r\n", dirty: 3, hits: 0, misses: 0)
        expect(["del", "k"], ":1\r\n", dirty: 4, hits: 0, misses: 0)
        expect(["pfadd", "k", "x"], ":1\r\n", dirty: 6, hits: 0, misses: 0)
        expect(["pfmerge", "k", "h"], "+OK\r\n", dirty: 7, hits: 2, misses: 0)
        XCTAssertEqual(encoding("k"), "raw")
        expect2(["watch", "h"], "+OK\r\n")
        expect(["pfadd", "h", "a"], ":0\r\n", dirty: 7, hits: 2, misses: 0)
        expect(["pfcount", "h"], ":1\r\n", dirty: 8, hits: 3, misses: 0)
        expect2(["multi"], "+OK\r\n")
        expect2(["ping"], "+QUEUED\r\n")
        expect2(["exec"], "*-1\r\n")
        expect2(["watch", "h"], "+OK\r\n")
        expect(["pfadd", "h", "b"], ":1\r\n", dirty: 9, hits: 3, misses: 0)
        expect2(["multi"], "+OK\r\n")
        expect2(["ping"], "+QUEUED\r\n")
        expect2(["exec"], "*-1\r\n")
        expect2(["watch", "h"], "+OK\r\n")
        expect(["pfcount", "h"], ":2\r\n", dirty: 10, hits: 4, misses: 0)
        expect2(["multi"], "+OK\r\n")
        expect2(["ping"], "+QUEUED\r\n")
        expect2(["exec"], "*-1\r\n")
        expect2(["watch", "h"], "+OK\r\n")
        expect(["pfcount", "h"], ":2\r\n", dirty: 10, hits: 5, misses: 0)
        expect2(["multi"], "+OK\r\n")
        expect2(["ping"], "+QUEUED\r\n")
        expect2(["exec"], "*1\r\n+PONG\r\n")
        expect(["set", "s", "abc"], "+OK\r\n", dirty: 11, hits: 5, misses: 0)
        expect2(["watch", "s"], "+OK\r\n")
        expect(["setrange", "s", "1", ""], ":3\r\n", dirty: 11, hits: 5, misses: 0)
        expect2(["multi"], "+OK\r\n")
        expect2(["ping"], "+QUEUED\r\n")
        expect2(["exec"], "*1\r\n+PONG\r\n")
        expect2(["watch", "s"], "+OK\r\n")
        expect(["incr", "s"], "-ERR value is not an integer or out of range\r\n", dirty: 11, hits: 5, misses: 0)
        expect2(["multi"], "+OK\r\n")
        expect2(["ping"], "+QUEUED\r\n")
        expect2(["exec"], "*1\r\n+PONG\r\n")
        expect2(["watch", "s"], "+OK\r\n")
        expect(["getex", "s", "persist"], "$3\r\nabc\r\n", dirty: 11, hits: 6, misses: 0)
        expect2(["multi"], "+OK\r\n")
        expect2(["ping"], "+QUEUED\r\n")
        expect2(["exec"], "*1\r\n+PONG\r\n")
        expect2(["watch", "s"], "+OK\r\n")
        expect(["setnx", "s", "x"], ":0\r\n", dirty: 11, hits: 6, misses: 0)
        expect(["msetnx", "s", "1", "q", "2"], ":0\r\n", dirty: 11, hits: 6, misses: 0)
        expect2(["multi"], "+OK\r\n")
        expect2(["ping"], "+QUEUED\r\n")
        expect2(["exec"], "*1\r\n+PONG\r\n")
    }

    /// Values compared by hash with the strings redis-server produced for the same inputs.
    func testHyperLogLogSparseLimitAndDenseMerges() {
        engine.settings.hllSparseMaxBytes = 3000
        expect(["pfadd", "a", "a-0", "a-1", "a-2", "a-3", "a-4", "a-5", "a-6", "a-7", "a-8", "a-9", "a-10", "a-11", "a-12", "a-13", "a-14", "a-15", "a-16", "a-17", "a-18", "a-19", "a-20", "a-21", "a-22", "a-23", "a-24", "a-25", "a-26", "a-27", "a-28", "a-29", "a-30", "a-31", "a-32", "a-33", "a-34", "a-35", "a-36", "a-37", "a-38", "a-39", "a-40", "a-41", "a-42", "a-43", "a-44", "a-45", "a-46", "a-47", "a-48", "a-49"], ":1\r\n", dirty: 51, hits: 0, misses: 0)
        expect(["pfcount", "a"], ":50\r\n", dirty: 52, hits: 1, misses: 0)
        XCTAssertEqual(valueHash("a"), 0xafb873a757802aa5) // 158 bytes
        expect(["pfadd", "b", "b-0", "b-1", "b-2", "b-3", "b-4", "b-5", "b-6", "b-7", "b-8", "b-9", "b-10", "b-11", "b-12", "b-13", "b-14", "b-15", "b-16", "b-17", "b-18", "b-19", "b-20", "b-21", "b-22", "b-23", "b-24", "b-25", "b-26", "b-27", "b-28", "b-29", "b-30", "b-31", "b-32", "b-33", "b-34", "b-35", "b-36", "b-37", "b-38", "b-39", "b-40", "b-41", "b-42", "b-43", "b-44", "b-45", "b-46", "b-47", "b-48", "b-49", "b-50", "b-51", "b-52", "b-53", "b-54", "b-55", "b-56", "b-57", "b-58", "b-59", "b-60", "b-61", "b-62", "b-63", "b-64", "b-65", "b-66", "b-67", "b-68", "b-69", "b-70", "b-71", "b-72", "b-73", "b-74", "b-75", "b-76", "b-77", "b-78", "b-79", "b-80", "b-81", "b-82", "b-83", "b-84", "b-85", "b-86", "b-87", "b-88", "b-89", "b-90", "b-91", "b-92", "b-93", "b-94", "b-95", "b-96", "b-97", "b-98", "b-99"], ":1\r\n", dirty: 153, hits: 1, misses: 0)
        expect(["pfadd", "b", "b-100", "b-101", "b-102", "b-103", "b-104", "b-105", "b-106", "b-107", "b-108", "b-109", "b-110", "b-111", "b-112", "b-113", "b-114", "b-115", "b-116", "b-117", "b-118", "b-119", "b-120", "b-121", "b-122", "b-123", "b-124", "b-125", "b-126", "b-127", "b-128", "b-129", "b-130", "b-131", "b-132", "b-133", "b-134", "b-135", "b-136", "b-137", "b-138", "b-139", "b-140", "b-141", "b-142", "b-143", "b-144", "b-145", "b-146", "b-147", "b-148", "b-149", "b-150", "b-151", "b-152", "b-153", "b-154", "b-155", "b-156", "b-157", "b-158", "b-159", "b-160", "b-161", "b-162", "b-163", "b-164", "b-165", "b-166", "b-167", "b-168", "b-169", "b-170", "b-171", "b-172", "b-173", "b-174", "b-175", "b-176", "b-177", "b-178", "b-179", "b-180", "b-181", "b-182", "b-183", "b-184", "b-185", "b-186", "b-187", "b-188", "b-189", "b-190", "b-191", "b-192", "b-193", "b-194", "b-195", "b-196", "b-197", "b-198", "b-199"], ":1\r\n", dirty: 253, hits: 1, misses: 0)
        expect(["pfadd", "b", "b-200", "b-201", "b-202", "b-203", "b-204", "b-205", "b-206", "b-207", "b-208", "b-209", "b-210", "b-211", "b-212", "b-213", "b-214", "b-215", "b-216", "b-217", "b-218", "b-219", "b-220", "b-221", "b-222", "b-223", "b-224", "b-225", "b-226", "b-227", "b-228", "b-229", "b-230", "b-231", "b-232", "b-233", "b-234", "b-235", "b-236", "b-237", "b-238", "b-239", "b-240", "b-241", "b-242", "b-243", "b-244", "b-245", "b-246", "b-247", "b-248", "b-249", "b-250", "b-251", "b-252", "b-253", "b-254", "b-255", "b-256", "b-257", "b-258", "b-259", "b-260", "b-261", "b-262", "b-263", "b-264", "b-265", "b-266", "b-267", "b-268", "b-269", "b-270", "b-271", "b-272", "b-273", "b-274", "b-275", "b-276", "b-277", "b-278", "b-279", "b-280", "b-281", "b-282", "b-283", "b-284", "b-285", "b-286", "b-287", "b-288", "b-289", "b-290", "b-291", "b-292", "b-293", "b-294", "b-295", "b-296", "b-297", "b-298", "b-299"], ":1\r\n", dirty: 352, hits: 1, misses: 0)
        expect(["pfadd", "b", "b-300", "b-301", "b-302", "b-303", "b-304", "b-305", "b-306", "b-307", "b-308", "b-309", "b-310", "b-311", "b-312", "b-313", "b-314", "b-315", "b-316", "b-317", "b-318", "b-319", "b-320", "b-321", "b-322", "b-323", "b-324", "b-325", "b-326", "b-327", "b-328", "b-329", "b-330", "b-331", "b-332", "b-333", "b-334", "b-335", "b-336", "b-337", "b-338", "b-339", "b-340", "b-341", "b-342", "b-343", "b-344", "b-345", "b-346", "b-347", "b-348", "b-349", "b-350", "b-351", "b-352", "b-353", "b-354", "b-355", "b-356", "b-357", "b-358", "b-359", "b-360", "b-361", "b-362", "b-363", "b-364", "b-365", "b-366", "b-367", "b-368", "b-369", "b-370", "b-371", "b-372", "b-373", "b-374", "b-375", "b-376", "b-377", "b-378", "b-379", "b-380", "b-381", "b-382", "b-383", "b-384", "b-385", "b-386", "b-387", "b-388", "b-389", "b-390", "b-391", "b-392", "b-393", "b-394", "b-395", "b-396", "b-397", "b-398", "b-399"], ":1\r\n", dirty: 450, hits: 1, misses: 0)
        expect(["pfcount", "b"], ":402\r\n", dirty: 451, hits: 2, misses: 0)
        XCTAssertEqual(valueHash("b"), 0x6947986eaa5849c2) // 873 bytes
        expect(["pfadd", "c", "c-0", "c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-7", "c-8", "c-9", "c-10", "c-11", "c-12", "c-13", "c-14", "c-15", "c-16", "c-17", "c-18", "c-19", "c-20", "c-21", "c-22", "c-23", "c-24", "c-25", "c-26", "c-27", "c-28", "c-29", "c-30", "c-31", "c-32", "c-33", "c-34", "c-35", "c-36", "c-37", "c-38", "c-39", "c-40", "c-41", "c-42", "c-43", "c-44", "c-45", "c-46", "c-47", "c-48", "c-49", "c-50", "c-51", "c-52", "c-53", "c-54", "c-55", "c-56", "c-57", "c-58", "c-59", "c-60", "c-61", "c-62", "c-63", "c-64", "c-65", "c-66", "c-67", "c-68", "c-69", "c-70", "c-71", "c-72", "c-73", "c-74", "c-75", "c-76", "c-77", "c-78", "c-79", "c-80", "c-81", "c-82", "c-83", "c-84", "c-85", "c-86", "c-87", "c-88", "c-89", "c-90", "c-91", "c-92", "c-93", "c-94", "c-95", "c-96", "c-97", "c-98", "c-99"], ":1\r\n", dirty: 552, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-100", "c-101", "c-102", "c-103", "c-104", "c-105", "c-106", "c-107", "c-108", "c-109", "c-110", "c-111", "c-112", "c-113", "c-114", "c-115", "c-116", "c-117", "c-118", "c-119", "c-120", "c-121", "c-122", "c-123", "c-124", "c-125", "c-126", "c-127", "c-128", "c-129", "c-130", "c-131", "c-132", "c-133", "c-134", "c-135", "c-136", "c-137", "c-138", "c-139", "c-140", "c-141", "c-142", "c-143", "c-144", "c-145", "c-146", "c-147", "c-148", "c-149", "c-150", "c-151", "c-152", "c-153", "c-154", "c-155", "c-156", "c-157", "c-158", "c-159", "c-160", "c-161", "c-162", "c-163", "c-164", "c-165", "c-166", "c-167", "c-168", "c-169", "c-170", "c-171", "c-172", "c-173", "c-174", "c-175", "c-176", "c-177", "c-178", "c-179", "c-180", "c-181", "c-182", "c-183", "c-184", "c-185", "c-186", "c-187", "c-188", "c-189", "c-190", "c-191", "c-192", "c-193", "c-194", "c-195", "c-196", "c-197", "c-198", "c-199"], ":1\r\n", dirty: 650, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-200", "c-201", "c-202", "c-203", "c-204", "c-205", "c-206", "c-207", "c-208", "c-209", "c-210", "c-211", "c-212", "c-213", "c-214", "c-215", "c-216", "c-217", "c-218", "c-219", "c-220", "c-221", "c-222", "c-223", "c-224", "c-225", "c-226", "c-227", "c-228", "c-229", "c-230", "c-231", "c-232", "c-233", "c-234", "c-235", "c-236", "c-237", "c-238", "c-239", "c-240", "c-241", "c-242", "c-243", "c-244", "c-245", "c-246", "c-247", "c-248", "c-249", "c-250", "c-251", "c-252", "c-253", "c-254", "c-255", "c-256", "c-257", "c-258", "c-259", "c-260", "c-261", "c-262", "c-263", "c-264", "c-265", "c-266", "c-267", "c-268", "c-269", "c-270", "c-271", "c-272", "c-273", "c-274", "c-275", "c-276", "c-277", "c-278", "c-279", "c-280", "c-281", "c-282", "c-283", "c-284", "c-285", "c-286", "c-287", "c-288", "c-289", "c-290", "c-291", "c-292", "c-293", "c-294", "c-295", "c-296", "c-297", "c-298", "c-299"], ":1\r\n", dirty: 748, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-300", "c-301", "c-302", "c-303", "c-304", "c-305", "c-306", "c-307", "c-308", "c-309", "c-310", "c-311", "c-312", "c-313", "c-314", "c-315", "c-316", "c-317", "c-318", "c-319", "c-320", "c-321", "c-322", "c-323", "c-324", "c-325", "c-326", "c-327", "c-328", "c-329", "c-330", "c-331", "c-332", "c-333", "c-334", "c-335", "c-336", "c-337", "c-338", "c-339", "c-340", "c-341", "c-342", "c-343", "c-344", "c-345", "c-346", "c-347", "c-348", "c-349", "c-350", "c-351", "c-352", "c-353", "c-354", "c-355", "c-356", "c-357", "c-358", "c-359", "c-360", "c-361", "c-362", "c-363", "c-364", "c-365", "c-366", "c-367", "c-368", "c-369", "c-370", "c-371", "c-372", "c-373", "c-374", "c-375", "c-376", "c-377", "c-378", "c-379", "c-380", "c-381", "c-382", "c-383", "c-384", "c-385", "c-386", "c-387", "c-388", "c-389", "c-390", "c-391", "c-392", "c-393", "c-394", "c-395", "c-396", "c-397", "c-398", "c-399"], ":1\r\n", dirty: 844, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-400", "c-401", "c-402", "c-403", "c-404", "c-405", "c-406", "c-407", "c-408", "c-409", "c-410", "c-411", "c-412", "c-413", "c-414", "c-415", "c-416", "c-417", "c-418", "c-419", "c-420", "c-421", "c-422", "c-423", "c-424", "c-425", "c-426", "c-427", "c-428", "c-429", "c-430", "c-431", "c-432", "c-433", "c-434", "c-435", "c-436", "c-437", "c-438", "c-439", "c-440", "c-441", "c-442", "c-443", "c-444", "c-445", "c-446", "c-447", "c-448", "c-449", "c-450", "c-451", "c-452", "c-453", "c-454", "c-455", "c-456", "c-457", "c-458", "c-459", "c-460", "c-461", "c-462", "c-463", "c-464", "c-465", "c-466", "c-467", "c-468", "c-469", "c-470", "c-471", "c-472", "c-473", "c-474", "c-475", "c-476", "c-477", "c-478", "c-479", "c-480", "c-481", "c-482", "c-483", "c-484", "c-485", "c-486", "c-487", "c-488", "c-489", "c-490", "c-491", "c-492", "c-493", "c-494", "c-495", "c-496", "c-497", "c-498", "c-499"], ":1\r\n", dirty: 940, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-500", "c-501", "c-502", "c-503", "c-504", "c-505", "c-506", "c-507", "c-508", "c-509", "c-510", "c-511", "c-512", "c-513", "c-514", "c-515", "c-516", "c-517", "c-518", "c-519", "c-520", "c-521", "c-522", "c-523", "c-524", "c-525", "c-526", "c-527", "c-528", "c-529", "c-530", "c-531", "c-532", "c-533", "c-534", "c-535", "c-536", "c-537", "c-538", "c-539", "c-540", "c-541", "c-542", "c-543", "c-544", "c-545", "c-546", "c-547", "c-548", "c-549", "c-550", "c-551", "c-552", "c-553", "c-554", "c-555", "c-556", "c-557", "c-558", "c-559", "c-560", "c-561", "c-562", "c-563", "c-564", "c-565", "c-566", "c-567", "c-568", "c-569", "c-570", "c-571", "c-572", "c-573", "c-574", "c-575", "c-576", "c-577", "c-578", "c-579", "c-580", "c-581", "c-582", "c-583", "c-584", "c-585", "c-586", "c-587", "c-588", "c-589", "c-590", "c-591", "c-592", "c-593", "c-594", "c-595", "c-596", "c-597", "c-598", "c-599"], ":1\r\n", dirty: 1038, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-600", "c-601", "c-602", "c-603", "c-604", "c-605", "c-606", "c-607", "c-608", "c-609", "c-610", "c-611", "c-612", "c-613", "c-614", "c-615", "c-616", "c-617", "c-618", "c-619", "c-620", "c-621", "c-622", "c-623", "c-624", "c-625", "c-626", "c-627", "c-628", "c-629", "c-630", "c-631", "c-632", "c-633", "c-634", "c-635", "c-636", "c-637", "c-638", "c-639", "c-640", "c-641", "c-642", "c-643", "c-644", "c-645", "c-646", "c-647", "c-648", "c-649", "c-650", "c-651", "c-652", "c-653", "c-654", "c-655", "c-656", "c-657", "c-658", "c-659", "c-660", "c-661", "c-662", "c-663", "c-664", "c-665", "c-666", "c-667", "c-668", "c-669", "c-670", "c-671", "c-672", "c-673", "c-674", "c-675", "c-676", "c-677", "c-678", "c-679", "c-680", "c-681", "c-682", "c-683", "c-684", "c-685", "c-686", "c-687", "c-688", "c-689", "c-690", "c-691", "c-692", "c-693", "c-694", "c-695", "c-696", "c-697", "c-698", "c-699"], ":1\r\n", dirty: 1136, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-700", "c-701", "c-702", "c-703", "c-704", "c-705", "c-706", "c-707", "c-708", "c-709", "c-710", "c-711", "c-712", "c-713", "c-714", "c-715", "c-716", "c-717", "c-718", "c-719", "c-720", "c-721", "c-722", "c-723", "c-724", "c-725", "c-726", "c-727", "c-728", "c-729", "c-730", "c-731", "c-732", "c-733", "c-734", "c-735", "c-736", "c-737", "c-738", "c-739", "c-740", "c-741", "c-742", "c-743", "c-744", "c-745", "c-746", "c-747", "c-748", "c-749", "c-750", "c-751", "c-752", "c-753", "c-754", "c-755", "c-756", "c-757", "c-758", "c-759", "c-760", "c-761", "c-762", "c-763", "c-764", "c-765", "c-766", "c-767", "c-768", "c-769", "c-770", "c-771", "c-772", "c-773", "c-774", "c-775", "c-776", "c-777", "c-778", "c-779", "c-780", "c-781", "c-782", "c-783", "c-784", "c-785", "c-786", "c-787", "c-788", "c-789", "c-790", "c-791", "c-792", "c-793", "c-794", "c-795", "c-796", "c-797", "c-798", "c-799"], ":1\r\n", dirty: 1233, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-800", "c-801", "c-802", "c-803", "c-804", "c-805", "c-806", "c-807", "c-808", "c-809", "c-810", "c-811", "c-812", "c-813", "c-814", "c-815", "c-816", "c-817", "c-818", "c-819", "c-820", "c-821", "c-822", "c-823", "c-824", "c-825", "c-826", "c-827", "c-828", "c-829", "c-830", "c-831", "c-832", "c-833", "c-834", "c-835", "c-836", "c-837", "c-838", "c-839", "c-840", "c-841", "c-842", "c-843", "c-844", "c-845", "c-846", "c-847", "c-848", "c-849", "c-850", "c-851", "c-852", "c-853", "c-854", "c-855", "c-856", "c-857", "c-858", "c-859", "c-860", "c-861", "c-862", "c-863", "c-864", "c-865", "c-866", "c-867", "c-868", "c-869", "c-870", "c-871", "c-872", "c-873", "c-874", "c-875", "c-876", "c-877", "c-878", "c-879", "c-880", "c-881", "c-882", "c-883", "c-884", "c-885", "c-886", "c-887", "c-888", "c-889", "c-890", "c-891", "c-892", "c-893", "c-894", "c-895", "c-896", "c-897", "c-898", "c-899"], ":1\r\n", dirty: 1331, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-900", "c-901", "c-902", "c-903", "c-904", "c-905", "c-906", "c-907", "c-908", "c-909", "c-910", "c-911", "c-912", "c-913", "c-914", "c-915", "c-916", "c-917", "c-918", "c-919", "c-920", "c-921", "c-922", "c-923", "c-924", "c-925", "c-926", "c-927", "c-928", "c-929", "c-930", "c-931", "c-932", "c-933", "c-934", "c-935", "c-936", "c-937", "c-938", "c-939", "c-940", "c-941", "c-942", "c-943", "c-944", "c-945", "c-946", "c-947", "c-948", "c-949", "c-950", "c-951", "c-952", "c-953", "c-954", "c-955", "c-956", "c-957", "c-958", "c-959", "c-960", "c-961", "c-962", "c-963", "c-964", "c-965", "c-966", "c-967", "c-968", "c-969", "c-970", "c-971", "c-972", "c-973", "c-974", "c-975", "c-976", "c-977", "c-978", "c-979", "c-980", "c-981", "c-982", "c-983", "c-984", "c-985", "c-986", "c-987", "c-988", "c-989", "c-990", "c-991", "c-992", "c-993", "c-994", "c-995", "c-996", "c-997", "c-998", "c-999"], ":1\r\n", dirty: 1426, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-1000", "c-1001", "c-1002", "c-1003", "c-1004", "c-1005", "c-1006", "c-1007", "c-1008", "c-1009", "c-1010", "c-1011", "c-1012", "c-1013", "c-1014", "c-1015", "c-1016", "c-1017", "c-1018", "c-1019", "c-1020", "c-1021", "c-1022", "c-1023", "c-1024", "c-1025", "c-1026", "c-1027", "c-1028", "c-1029", "c-1030", "c-1031", "c-1032", "c-1033", "c-1034", "c-1035", "c-1036", "c-1037", "c-1038", "c-1039", "c-1040", "c-1041", "c-1042", "c-1043", "c-1044", "c-1045", "c-1046", "c-1047", "c-1048", "c-1049", "c-1050", "c-1051", "c-1052", "c-1053", "c-1054", "c-1055", "c-1056", "c-1057", "c-1058", "c-1059", "c-1060", "c-1061", "c-1062", "c-1063", "c-1064", "c-1065", "c-1066", "c-1067", "c-1068", "c-1069", "c-1070", "c-1071", "c-1072", "c-1073", "c-1074", "c-1075", "c-1076", "c-1077", "c-1078", "c-1079", "c-1080", "c-1081", "c-1082", "c-1083", "c-1084", "c-1085", "c-1086", "c-1087", "c-1088", "c-1089", "c-1090", "c-1091", "c-1092", "c-1093", "c-1094", "c-1095", "c-1096", "c-1097", "c-1098", "c-1099"], ":1\r\n", dirty: 1521, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-1100", "c-1101", "c-1102", "c-1103", "c-1104", "c-1105", "c-1106", "c-1107", "c-1108", "c-1109", "c-1110", "c-1111", "c-1112", "c-1113", "c-1114", "c-1115", "c-1116", "c-1117", "c-1118", "c-1119", "c-1120", "c-1121", "c-1122", "c-1123", "c-1124", "c-1125", "c-1126", "c-1127", "c-1128", "c-1129", "c-1130", "c-1131", "c-1132", "c-1133", "c-1134", "c-1135", "c-1136", "c-1137", "c-1138", "c-1139", "c-1140", "c-1141", "c-1142", "c-1143", "c-1144", "c-1145", "c-1146", "c-1147", "c-1148", "c-1149", "c-1150", "c-1151", "c-1152", "c-1153", "c-1154", "c-1155", "c-1156", "c-1157", "c-1158", "c-1159", "c-1160", "c-1161", "c-1162", "c-1163", "c-1164", "c-1165", "c-1166", "c-1167", "c-1168", "c-1169", "c-1170", "c-1171", "c-1172", "c-1173", "c-1174", "c-1175", "c-1176", "c-1177", "c-1178", "c-1179", "c-1180", "c-1181", "c-1182", "c-1183", "c-1184", "c-1185", "c-1186", "c-1187", "c-1188", "c-1189", "c-1190", "c-1191", "c-1192", "c-1193", "c-1194", "c-1195", "c-1196", "c-1197", "c-1198", "c-1199"], ":1\r\n", dirty: 1619, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-1200", "c-1201", "c-1202", "c-1203", "c-1204", "c-1205", "c-1206", "c-1207", "c-1208", "c-1209", "c-1210", "c-1211", "c-1212", "c-1213", "c-1214", "c-1215", "c-1216", "c-1217", "c-1218", "c-1219", "c-1220", "c-1221", "c-1222", "c-1223", "c-1224", "c-1225", "c-1226", "c-1227", "c-1228", "c-1229", "c-1230", "c-1231", "c-1232", "c-1233", "c-1234", "c-1235", "c-1236", "c-1237", "c-1238", "c-1239", "c-1240", "c-1241", "c-1242", "c-1243", "c-1244", "c-1245", "c-1246", "c-1247", "c-1248", "c-1249", "c-1250", "c-1251", "c-1252", "c-1253", "c-1254", "c-1255", "c-1256", "c-1257", "c-1258", "c-1259", "c-1260", "c-1261", "c-1262", "c-1263", "c-1264", "c-1265", "c-1266", "c-1267", "c-1268", "c-1269", "c-1270", "c-1271", "c-1272", "c-1273", "c-1274", "c-1275", "c-1276", "c-1277", "c-1278", "c-1279", "c-1280", "c-1281", "c-1282", "c-1283", "c-1284", "c-1285", "c-1286", "c-1287", "c-1288", "c-1289", "c-1290", "c-1291", "c-1292", "c-1293", "c-1294", "c-1295", "c-1296", "c-1297", "c-1298", "c-1299"], ":1\r\n", dirty: 1714, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-1300", "c-1301", "c-1302", "c-1303", "c-1304", "c-1305", "c-1306", "c-1307", "c-1308", "c-1309", "c-1310", "c-1311", "c-1312", "c-1313", "c-1314", "c-1315", "c-1316", "c-1317", "c-1318", "c-1319", "c-1320", "c-1321", "c-1322", "c-1323", "c-1324", "c-1325", "c-1326", "c-1327", "c-1328", "c-1329", "c-1330", "c-1331", "c-1332", "c-1333", "c-1334", "c-1335", "c-1336", "c-1337", "c-1338", "c-1339", "c-1340", "c-1341", "c-1342", "c-1343", "c-1344", "c-1345", "c-1346", "c-1347", "c-1348", "c-1349", "c-1350", "c-1351", "c-1352", "c-1353", "c-1354", "c-1355", "c-1356", "c-1357", "c-1358", "c-1359", "c-1360", "c-1361", "c-1362", "c-1363", "c-1364", "c-1365", "c-1366", "c-1367", "c-1368", "c-1369", "c-1370", "c-1371", "c-1372", "c-1373", "c-1374", "c-1375", "c-1376", "c-1377", "c-1378", "c-1379", "c-1380", "c-1381", "c-1382", "c-1383", "c-1384", "c-1385", "c-1386", "c-1387", "c-1388", "c-1389", "c-1390", "c-1391", "c-1392", "c-1393", "c-1394", "c-1395", "c-1396", "c-1397", "c-1398", "c-1399"], ":1\r\n", dirty: 1808, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-1400", "c-1401", "c-1402", "c-1403", "c-1404", "c-1405", "c-1406", "c-1407", "c-1408", "c-1409", "c-1410", "c-1411", "c-1412", "c-1413", "c-1414", "c-1415", "c-1416", "c-1417", "c-1418", "c-1419", "c-1420", "c-1421", "c-1422", "c-1423", "c-1424", "c-1425", "c-1426", "c-1427", "c-1428", "c-1429", "c-1430", "c-1431", "c-1432", "c-1433", "c-1434", "c-1435", "c-1436", "c-1437", "c-1438", "c-1439", "c-1440", "c-1441", "c-1442", "c-1443", "c-1444", "c-1445", "c-1446", "c-1447", "c-1448", "c-1449", "c-1450", "c-1451", "c-1452", "c-1453", "c-1454", "c-1455", "c-1456", "c-1457", "c-1458", "c-1459", "c-1460", "c-1461", "c-1462", "c-1463", "c-1464", "c-1465", "c-1466", "c-1467", "c-1468", "c-1469", "c-1470", "c-1471", "c-1472", "c-1473", "c-1474", "c-1475", "c-1476", "c-1477", "c-1478", "c-1479", "c-1480", "c-1481", "c-1482", "c-1483", "c-1484", "c-1485", "c-1486", "c-1487", "c-1488", "c-1489", "c-1490", "c-1491", "c-1492", "c-1493", "c-1494", "c-1495", "c-1496", "c-1497", "c-1498", "c-1499"], ":1\r\n", dirty: 1900, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-1500", "c-1501", "c-1502", "c-1503", "c-1504", "c-1505", "c-1506", "c-1507", "c-1508", "c-1509", "c-1510", "c-1511", "c-1512", "c-1513", "c-1514", "c-1515", "c-1516", "c-1517", "c-1518", "c-1519", "c-1520", "c-1521", "c-1522", "c-1523", "c-1524", "c-1525", "c-1526", "c-1527", "c-1528", "c-1529", "c-1530", "c-1531", "c-1532", "c-1533", "c-1534", "c-1535", "c-1536", "c-1537", "c-1538", "c-1539", "c-1540", "c-1541", "c-1542", "c-1543", "c-1544", "c-1545", "c-1546", "c-1547", "c-1548", "c-1549", "c-1550", "c-1551", "c-1552", "c-1553", "c-1554", "c-1555", "c-1556", "c-1557", "c-1558", "c-1559", "c-1560", "c-1561", "c-1562", "c-1563", "c-1564", "c-1565", "c-1566", "c-1567", "c-1568", "c-1569", "c-1570", "c-1571", "c-1572", "c-1573", "c-1574", "c-1575", "c-1576", "c-1577", "c-1578", "c-1579", "c-1580", "c-1581", "c-1582", "c-1583", "c-1584", "c-1585", "c-1586", "c-1587", "c-1588", "c-1589", "c-1590", "c-1591", "c-1592", "c-1593", "c-1594", "c-1595", "c-1596", "c-1597", "c-1598", "c-1599"], ":1\r\n", dirty: 1996, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-1600", "c-1601", "c-1602", "c-1603", "c-1604", "c-1605", "c-1606", "c-1607", "c-1608", "c-1609", "c-1610", "c-1611", "c-1612", "c-1613", "c-1614", "c-1615", "c-1616", "c-1617", "c-1618", "c-1619", "c-1620", "c-1621", "c-1622", "c-1623", "c-1624", "c-1625", "c-1626", "c-1627", "c-1628", "c-1629", "c-1630", "c-1631", "c-1632", "c-1633", "c-1634", "c-1635", "c-1636", "c-1637", "c-1638", "c-1639", "c-1640", "c-1641", "c-1642", "c-1643", "c-1644", "c-1645", "c-1646", "c-1647", "c-1648", "c-1649", "c-1650", "c-1651", "c-1652", "c-1653", "c-1654", "c-1655", "c-1656", "c-1657", "c-1658", "c-1659", "c-1660", "c-1661", "c-1662", "c-1663", "c-1664", "c-1665", "c-1666", "c-1667", "c-1668", "c-1669", "c-1670", "c-1671", "c-1672", "c-1673", "c-1674", "c-1675", "c-1676", "c-1677", "c-1678", "c-1679", "c-1680", "c-1681", "c-1682", "c-1683", "c-1684", "c-1685", "c-1686", "c-1687", "c-1688", "c-1689", "c-1690", "c-1691", "c-1692", "c-1693", "c-1694", "c-1695", "c-1696", "c-1697", "c-1698", "c-1699"], ":1\r\n", dirty: 2091, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-1700", "c-1701", "c-1702", "c-1703", "c-1704", "c-1705", "c-1706", "c-1707", "c-1708", "c-1709", "c-1710", "c-1711", "c-1712", "c-1713", "c-1714", "c-1715", "c-1716", "c-1717", "c-1718", "c-1719", "c-1720", "c-1721", "c-1722", "c-1723", "c-1724", "c-1725", "c-1726", "c-1727", "c-1728", "c-1729", "c-1730", "c-1731", "c-1732", "c-1733", "c-1734", "c-1735", "c-1736", "c-1737", "c-1738", "c-1739", "c-1740", "c-1741", "c-1742", "c-1743", "c-1744", "c-1745", "c-1746", "c-1747", "c-1748", "c-1749", "c-1750", "c-1751", "c-1752", "c-1753", "c-1754", "c-1755", "c-1756", "c-1757", "c-1758", "c-1759", "c-1760", "c-1761", "c-1762", "c-1763", "c-1764", "c-1765", "c-1766", "c-1767", "c-1768", "c-1769", "c-1770", "c-1771", "c-1772", "c-1773", "c-1774", "c-1775", "c-1776", "c-1777", "c-1778", "c-1779", "c-1780", "c-1781", "c-1782", "c-1783", "c-1784", "c-1785", "c-1786", "c-1787", "c-1788", "c-1789", "c-1790", "c-1791", "c-1792", "c-1793", "c-1794", "c-1795", "c-1796", "c-1797", "c-1798", "c-1799"], ":1\r\n", dirty: 2186, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-1800", "c-1801", "c-1802", "c-1803", "c-1804", "c-1805", "c-1806", "c-1807", "c-1808", "c-1809", "c-1810", "c-1811", "c-1812", "c-1813", "c-1814", "c-1815", "c-1816", "c-1817", "c-1818", "c-1819", "c-1820", "c-1821", "c-1822", "c-1823", "c-1824", "c-1825", "c-1826", "c-1827", "c-1828", "c-1829", "c-1830", "c-1831", "c-1832", "c-1833", "c-1834", "c-1835", "c-1836", "c-1837", "c-1838", "c-1839", "c-1840", "c-1841", "c-1842", "c-1843", "c-1844", "c-1845", "c-1846", "c-1847", "c-1848", "c-1849", "c-1850", "c-1851", "c-1852", "c-1853", "c-1854", "c-1855", "c-1856", "c-1857", "c-1858", "c-1859", "c-1860", "c-1861", "c-1862", "c-1863", "c-1864", "c-1865", "c-1866", "c-1867", "c-1868", "c-1869", "c-1870", "c-1871", "c-1872", "c-1873", "c-1874", "c-1875", "c-1876", "c-1877", "c-1878", "c-1879", "c-1880", "c-1881", "c-1882", "c-1883", "c-1884", "c-1885", "c-1886", "c-1887", "c-1888", "c-1889", "c-1890", "c-1891", "c-1892", "c-1893", "c-1894", "c-1895", "c-1896", "c-1897", "c-1898", "c-1899"], ":1\r\n", dirty: 2281, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-1900", "c-1901", "c-1902", "c-1903", "c-1904", "c-1905", "c-1906", "c-1907", "c-1908", "c-1909", "c-1910", "c-1911", "c-1912", "c-1913", "c-1914", "c-1915", "c-1916", "c-1917", "c-1918", "c-1919", "c-1920", "c-1921", "c-1922", "c-1923", "c-1924", "c-1925", "c-1926", "c-1927", "c-1928", "c-1929", "c-1930", "c-1931", "c-1932", "c-1933", "c-1934", "c-1935", "c-1936", "c-1937", "c-1938", "c-1939", "c-1940", "c-1941", "c-1942", "c-1943", "c-1944", "c-1945", "c-1946", "c-1947", "c-1948", "c-1949", "c-1950", "c-1951", "c-1952", "c-1953", "c-1954", "c-1955", "c-1956", "c-1957", "c-1958", "c-1959", "c-1960", "c-1961", "c-1962", "c-1963", "c-1964", "c-1965", "c-1966", "c-1967", "c-1968", "c-1969", "c-1970", "c-1971", "c-1972", "c-1973", "c-1974", "c-1975", "c-1976", "c-1977", "c-1978", "c-1979", "c-1980", "c-1981", "c-1982", "c-1983", "c-1984", "c-1985", "c-1986", "c-1987", "c-1988", "c-1989", "c-1990", "c-1991", "c-1992", "c-1993", "c-1994", "c-1995", "c-1996", "c-1997", "c-1998", "c-1999"], ":1\r\n", dirty: 2372, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-2000", "c-2001", "c-2002", "c-2003", "c-2004", "c-2005", "c-2006", "c-2007", "c-2008", "c-2009", "c-2010", "c-2011", "c-2012", "c-2013", "c-2014", "c-2015", "c-2016", "c-2017", "c-2018", "c-2019", "c-2020", "c-2021", "c-2022", "c-2023", "c-2024", "c-2025", "c-2026", "c-2027", "c-2028", "c-2029", "c-2030", "c-2031", "c-2032", "c-2033", "c-2034", "c-2035", "c-2036", "c-2037", "c-2038", "c-2039", "c-2040", "c-2041", "c-2042", "c-2043", "c-2044", "c-2045", "c-2046", "c-2047", "c-2048", "c-2049", "c-2050", "c-2051", "c-2052", "c-2053", "c-2054", "c-2055", "c-2056", "c-2057", "c-2058", "c-2059", "c-2060", "c-2061", "c-2062", "c-2063", "c-2064", "c-2065", "c-2066", "c-2067", "c-2068", "c-2069", "c-2070", "c-2071", "c-2072", "c-2073", "c-2074", "c-2075", "c-2076", "c-2077", "c-2078", "c-2079", "c-2080", "c-2081", "c-2082", "c-2083", "c-2084", "c-2085", "c-2086", "c-2087", "c-2088", "c-2089", "c-2090", "c-2091", "c-2092", "c-2093", "c-2094", "c-2095", "c-2096", "c-2097", "c-2098", "c-2099"], ":1\r\n", dirty: 2464, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-2100", "c-2101", "c-2102", "c-2103", "c-2104", "c-2105", "c-2106", "c-2107", "c-2108", "c-2109", "c-2110", "c-2111", "c-2112", "c-2113", "c-2114", "c-2115", "c-2116", "c-2117", "c-2118", "c-2119", "c-2120", "c-2121", "c-2122", "c-2123", "c-2124", "c-2125", "c-2126", "c-2127", "c-2128", "c-2129", "c-2130", "c-2131", "c-2132", "c-2133", "c-2134", "c-2135", "c-2136", "c-2137", "c-2138", "c-2139", "c-2140", "c-2141", "c-2142", "c-2143", "c-2144", "c-2145", "c-2146", "c-2147", "c-2148", "c-2149", "c-2150", "c-2151", "c-2152", "c-2153", "c-2154", "c-2155", "c-2156", "c-2157", "c-2158", "c-2159", "c-2160", "c-2161", "c-2162", "c-2163", "c-2164", "c-2165", "c-2166", "c-2167", "c-2168", "c-2169", "c-2170", "c-2171", "c-2172", "c-2173", "c-2174", "c-2175", "c-2176", "c-2177", "c-2178", "c-2179", "c-2180", "c-2181", "c-2182", "c-2183", "c-2184", "c-2185", "c-2186", "c-2187", "c-2188", "c-2189", "c-2190", "c-2191", "c-2192", "c-2193", "c-2194", "c-2195", "c-2196", "c-2197", "c-2198", "c-2199"], ":1\r\n", dirty: 2561, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-2200", "c-2201", "c-2202", "c-2203", "c-2204", "c-2205", "c-2206", "c-2207", "c-2208", "c-2209", "c-2210", "c-2211", "c-2212", "c-2213", "c-2214", "c-2215", "c-2216", "c-2217", "c-2218", "c-2219", "c-2220", "c-2221", "c-2222", "c-2223", "c-2224", "c-2225", "c-2226", "c-2227", "c-2228", "c-2229", "c-2230", "c-2231", "c-2232", "c-2233", "c-2234", "c-2235", "c-2236", "c-2237", "c-2238", "c-2239", "c-2240", "c-2241", "c-2242", "c-2243", "c-2244", "c-2245", "c-2246", "c-2247", "c-2248", "c-2249", "c-2250", "c-2251", "c-2252", "c-2253", "c-2254", "c-2255", "c-2256", "c-2257", "c-2258", "c-2259", "c-2260", "c-2261", "c-2262", "c-2263", "c-2264", "c-2265", "c-2266", "c-2267", "c-2268", "c-2269", "c-2270", "c-2271", "c-2272", "c-2273", "c-2274", "c-2275", "c-2276", "c-2277", "c-2278", "c-2279", "c-2280", "c-2281", "c-2282", "c-2283", "c-2284", "c-2285", "c-2286", "c-2287", "c-2288", "c-2289", "c-2290", "c-2291", "c-2292", "c-2293", "c-2294", "c-2295", "c-2296", "c-2297", "c-2298", "c-2299"], ":1\r\n", dirty: 2657, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-2300", "c-2301", "c-2302", "c-2303", "c-2304", "c-2305", "c-2306", "c-2307", "c-2308", "c-2309", "c-2310", "c-2311", "c-2312", "c-2313", "c-2314", "c-2315", "c-2316", "c-2317", "c-2318", "c-2319", "c-2320", "c-2321", "c-2322", "c-2323", "c-2324", "c-2325", "c-2326", "c-2327", "c-2328", "c-2329", "c-2330", "c-2331", "c-2332", "c-2333", "c-2334", "c-2335", "c-2336", "c-2337", "c-2338", "c-2339", "c-2340", "c-2341", "c-2342", "c-2343", "c-2344", "c-2345", "c-2346", "c-2347", "c-2348", "c-2349", "c-2350", "c-2351", "c-2352", "c-2353", "c-2354", "c-2355", "c-2356", "c-2357", "c-2358", "c-2359", "c-2360", "c-2361", "c-2362", "c-2363", "c-2364", "c-2365", "c-2366", "c-2367", "c-2368", "c-2369", "c-2370", "c-2371", "c-2372", "c-2373", "c-2374", "c-2375", "c-2376", "c-2377", "c-2378", "c-2379", "c-2380", "c-2381", "c-2382", "c-2383", "c-2384", "c-2385", "c-2386", "c-2387", "c-2388", "c-2389", "c-2390", "c-2391", "c-2392", "c-2393", "c-2394", "c-2395", "c-2396", "c-2397", "c-2398", "c-2399"], ":1\r\n", dirty: 2748, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-2400", "c-2401", "c-2402", "c-2403", "c-2404", "c-2405", "c-2406", "c-2407", "c-2408", "c-2409", "c-2410", "c-2411", "c-2412", "c-2413", "c-2414", "c-2415", "c-2416", "c-2417", "c-2418", "c-2419", "c-2420", "c-2421", "c-2422", "c-2423", "c-2424", "c-2425", "c-2426", "c-2427", "c-2428", "c-2429", "c-2430", "c-2431", "c-2432", "c-2433", "c-2434", "c-2435", "c-2436", "c-2437", "c-2438", "c-2439", "c-2440", "c-2441", "c-2442", "c-2443", "c-2444", "c-2445", "c-2446", "c-2447", "c-2448", "c-2449", "c-2450", "c-2451", "c-2452", "c-2453", "c-2454", "c-2455", "c-2456", "c-2457", "c-2458", "c-2459", "c-2460", "c-2461", "c-2462", "c-2463", "c-2464", "c-2465", "c-2466", "c-2467", "c-2468", "c-2469", "c-2470", "c-2471", "c-2472", "c-2473", "c-2474", "c-2475", "c-2476", "c-2477", "c-2478", "c-2479", "c-2480", "c-2481", "c-2482", "c-2483", "c-2484", "c-2485", "c-2486", "c-2487", "c-2488", "c-2489", "c-2490", "c-2491", "c-2492", "c-2493", "c-2494", "c-2495", "c-2496", "c-2497", "c-2498", "c-2499"], ":1\r\n", dirty: 2840, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-2500", "c-2501", "c-2502", "c-2503", "c-2504", "c-2505", "c-2506", "c-2507", "c-2508", "c-2509", "c-2510", "c-2511", "c-2512", "c-2513", "c-2514", "c-2515", "c-2516", "c-2517", "c-2518", "c-2519", "c-2520", "c-2521", "c-2522", "c-2523", "c-2524", "c-2525", "c-2526", "c-2527", "c-2528", "c-2529", "c-2530", "c-2531", "c-2532", "c-2533", "c-2534", "c-2535", "c-2536", "c-2537", "c-2538", "c-2539", "c-2540", "c-2541", "c-2542", "c-2543", "c-2544", "c-2545", "c-2546", "c-2547", "c-2548", "c-2549", "c-2550", "c-2551", "c-2552", "c-2553", "c-2554", "c-2555", "c-2556", "c-2557", "c-2558", "c-2559", "c-2560", "c-2561", "c-2562", "c-2563", "c-2564", "c-2565", "c-2566", "c-2567", "c-2568", "c-2569", "c-2570", "c-2571", "c-2572", "c-2573", "c-2574", "c-2575", "c-2576", "c-2577", "c-2578", "c-2579", "c-2580", "c-2581", "c-2582", "c-2583", "c-2584", "c-2585", "c-2586", "c-2587", "c-2588", "c-2589", "c-2590", "c-2591", "c-2592", "c-2593", "c-2594", "c-2595", "c-2596", "c-2597", "c-2598", "c-2599"], ":1\r\n", dirty: 2931, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-2600", "c-2601", "c-2602", "c-2603", "c-2604", "c-2605", "c-2606", "c-2607", "c-2608", "c-2609", "c-2610", "c-2611", "c-2612", "c-2613", "c-2614", "c-2615", "c-2616", "c-2617", "c-2618", "c-2619", "c-2620", "c-2621", "c-2622", "c-2623", "c-2624", "c-2625", "c-2626", "c-2627", "c-2628", "c-2629", "c-2630", "c-2631", "c-2632", "c-2633", "c-2634", "c-2635", "c-2636", "c-2637", "c-2638", "c-2639", "c-2640", "c-2641", "c-2642", "c-2643", "c-2644", "c-2645", "c-2646", "c-2647", "c-2648", "c-2649", "c-2650", "c-2651", "c-2652", "c-2653", "c-2654", "c-2655", "c-2656", "c-2657", "c-2658", "c-2659", "c-2660", "c-2661", "c-2662", "c-2663", "c-2664", "c-2665", "c-2666", "c-2667", "c-2668", "c-2669", "c-2670", "c-2671", "c-2672", "c-2673", "c-2674", "c-2675", "c-2676", "c-2677", "c-2678", "c-2679", "c-2680", "c-2681", "c-2682", "c-2683", "c-2684", "c-2685", "c-2686", "c-2687", "c-2688", "c-2689", "c-2690", "c-2691", "c-2692", "c-2693", "c-2694", "c-2695", "c-2696", "c-2697", "c-2698", "c-2699"], ":1\r\n", dirty: 3023, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-2700", "c-2701", "c-2702", "c-2703", "c-2704", "c-2705", "c-2706", "c-2707", "c-2708", "c-2709", "c-2710", "c-2711", "c-2712", "c-2713", "c-2714", "c-2715", "c-2716", "c-2717", "c-2718", "c-2719", "c-2720", "c-2721", "c-2722", "c-2723", "c-2724", "c-2725", "c-2726", "c-2727", "c-2728", "c-2729", "c-2730", "c-2731", "c-2732", "c-2733", "c-2734", "c-2735", "c-2736", "c-2737", "c-2738", "c-2739", "c-2740", "c-2741", "c-2742", "c-2743", "c-2744", "c-2745", "c-2746", "c-2747", "c-2748", "c-2749", "c-2750", "c-2751", "c-2752", "c-2753", "c-2754", "c-2755", "c-2756", "c-2757", "c-2758", "c-2759", "c-2760", "c-2761", "c-2762", "c-2763", "c-2764", "c-2765", "c-2766", "c-2767", "c-2768", "c-2769", "c-2770", "c-2771", "c-2772", "c-2773", "c-2774", "c-2775", "c-2776", "c-2777", "c-2778", "c-2779", "c-2780", "c-2781", "c-2782", "c-2783", "c-2784", "c-2785", "c-2786", "c-2787", "c-2788", "c-2789", "c-2790", "c-2791", "c-2792", "c-2793", "c-2794", "c-2795", "c-2796", "c-2797", "c-2798", "c-2799"], ":1\r\n", dirty: 3113, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-2800", "c-2801", "c-2802", "c-2803", "c-2804", "c-2805", "c-2806", "c-2807", "c-2808", "c-2809", "c-2810", "c-2811", "c-2812", "c-2813", "c-2814", "c-2815", "c-2816", "c-2817", "c-2818", "c-2819", "c-2820", "c-2821", "c-2822", "c-2823", "c-2824", "c-2825", "c-2826", "c-2827", "c-2828", "c-2829", "c-2830", "c-2831", "c-2832", "c-2833", "c-2834", "c-2835", "c-2836", "c-2837", "c-2838", "c-2839", "c-2840", "c-2841", "c-2842", "c-2843", "c-2844", "c-2845", "c-2846", "c-2847", "c-2848", "c-2849", "c-2850", "c-2851", "c-2852", "c-2853", "c-2854", "c-2855", "c-2856", "c-2857", "c-2858", "c-2859", "c-2860", "c-2861", "c-2862", "c-2863", "c-2864", "c-2865", "c-2866", "c-2867", "c-2868", "c-2869", "c-2870", "c-2871", "c-2872", "c-2873", "c-2874", "c-2875", "c-2876", "c-2877", "c-2878", "c-2879", "c-2880", "c-2881", "c-2882", "c-2883", "c-2884", "c-2885", "c-2886", "c-2887", "c-2888", "c-2889", "c-2890", "c-2891", "c-2892", "c-2893", "c-2894", "c-2895", "c-2896", "c-2897", "c-2898", "c-2899"], ":1\r\n", dirty: 3208, hits: 2, misses: 0)
        expect(["pfadd", "c", "c-2900", "c-2901", "c-2902", "c-2903", "c-2904", "c-2905", "c-2906", "c-2907", "c-2908", "c-2909", "c-2910", "c-2911", "c-2912", "c-2913", "c-2914", "c-2915", "c-2916", "c-2917", "c-2918", "c-2919", "c-2920", "c-2921", "c-2922", "c-2923", "c-2924", "c-2925", "c-2926", "c-2927", "c-2928", "c-2929", "c-2930", "c-2931", "c-2932", "c-2933", "c-2934", "c-2935", "c-2936", "c-2937", "c-2938", "c-2939", "c-2940", "c-2941", "c-2942", "c-2943", "c-2944", "c-2945", "c-2946", "c-2947", "c-2948", "c-2949", "c-2950", "c-2951", "c-2952", "c-2953", "c-2954", "c-2955", "c-2956", "c-2957", "c-2958", "c-2959", "c-2960", "c-2961", "c-2962", "c-2963", "c-2964", "c-2965", "c-2966", "c-2967", "c-2968", "c-2969", "c-2970", "c-2971", "c-2972", "c-2973", "c-2974", "c-2975", "c-2976", "c-2977", "c-2978", "c-2979", "c-2980", "c-2981", "c-2982", "c-2983", "c-2984", "c-2985", "c-2986", "c-2987", "c-2988", "c-2989", "c-2990", "c-2991", "c-2992", "c-2993", "c-2994", "c-2995", "c-2996", "c-2997", "c-2998", "c-2999"], ":1\r\n", dirty: 3295, hits: 2, misses: 0)
        expect(["pfcount", "c"], ":2993\r\n", dirty: 3296, hits: 3, misses: 0)
        XCTAssertEqual(valueHash("c"), 0xc1153c321e2be80f) // 12304 bytes
        expect(["pfcount", "a", "b", "c"], ":3442\r\n", dirty: 3296, hits: 6, misses: 0)
        expect(["pfmerge", "m1", "a", "b"], "+OK\r\n", dirty: 3297, hits: 8, misses: 1)
        XCTAssertEqual(valueHash("m1"), 0xa0ad9780d618e2bf) // 962 bytes
        expect(["pfcount", "m1"], ":453\r\n", dirty: 3298, hits: 9, misses: 1)
        expect(["pfmerge", "m2", "a", "c"], "+OK\r\n", dirty: 3299, hits: 11, misses: 2)
        XCTAssertEqual(valueHash("m2"), 0xf9dfee536c22e6f3) // 12304 bytes
        expect(["pfcount", "m2"], ":3043\r\n", dirty: 3300, hits: 12, misses: 2)
        expect(["pfmerge", "a", "b"], "+OK\r\n", dirty: 3301, hits: 14, misses: 2)
        XCTAssertEqual(valueHash("a"), 0x37a85410c80558d1) // 962 bytes
        expect(["pfmerge", "c", "a", "b"], "+OK\r\n", dirty: 3302, hits: 17, misses: 2)
        XCTAssertEqual(valueHash("c"), 0x722c102b03500e8a) // 12304 bytes
        expect(["pfcount", "c"], ":3442\r\n", dirty: 3303, hits: 18, misses: 2)
        engine.settings.hllSparseMaxBytes = 100
        expect(["pfadd", "e", "e0", "e1", "e2", "e3", "e4", "e5", "e6"], ":1\r\n", dirty: 3311, hits: 18, misses: 2)
        XCTAssertEqual(valueHash("e"), 0x5411ab1b7800c696) // 39 bytes
        expect(["pfadd", "e", "e7", "e8", "e9", "e10", "e11", "e12", "e13"], ":1\r\n", dirty: 3318, hits: 18, misses: 2)
        XCTAssertEqual(valueHash("e"), 0xfb0822c461472017) // 60 bytes
        expect(["pfadd", "e", "e14", "e15", "e16", "e17", "e18", "e19", "e20"], ":1\r\n", dirty: 3325, hits: 18, misses: 2)
        XCTAssertEqual(valueHash("e"), 0xcb282406c80701aa) // 80 bytes
        expect(["pfadd", "e", "e21", "e22", "e23", "e24", "e25", "e26", "e27"], ":1\r\n", dirty: 3332, hits: 18, misses: 2)
        XCTAssertEqual(valueHash("e"), 0x94b735e88955f319) // 99 bytes
        expect(["pfadd", "e", "e28", "e29", "e30", "e31", "e32", "e33", "e34"], ":1\r\n", dirty: 3339, hits: 18, misses: 2)
        XCTAssertEqual(valueHash("e"), 0xd7474d838fe8fff8) // 12304 bytes
        expect(["pfadd", "e", "e35", "e36", "e37", "e38", "e39", "e40", "e41"], ":1\r\n", dirty: 3346, hits: 18, misses: 2)
        XCTAssertEqual(valueHash("e"), 0xeec81302b9967754) // 12304 bytes
        expect(["pfadd", "e", "e42", "e43", "e44", "e45", "e46", "e47", "e48"], ":1\r\n", dirty: 3353, hits: 18, misses: 2)
        XCTAssertEqual(valueHash("e"), 0x0b381a28a7374860) // 12304 bytes
        expect(["pfadd", "e", "e49", "e50", "e51", "e52", "e53", "e54", "e55"], ":1\r\n", dirty: 3360, hits: 18, misses: 2)
        XCTAssertEqual(valueHash("e"), 0x3f9f58a2ffaa2f4e) // 12304 bytes
        expect(["pfadd", "e", "e56", "e57", "e58", "e59", "e60", "e61", "e62"], ":1\r\n", dirty: 3367, hits: 18, misses: 2)
        XCTAssertEqual(valueHash("e"), 0x14fcc60ebb062a76) // 12304 bytes
        expect(["pfadd", "e", "e63", "e64", "e65", "e66", "e67", "e68", "e69"], ":1\r\n", dirty: 3374, hits: 18, misses: 2)
        XCTAssertEqual(valueHash("e"), 0xe870b9f68c7b8b98) // 12304 bytes
        expect(["pfmerge", "f", "b"], "+OK\r\n", dirty: 3375, hits: 19, misses: 3)
        XCTAssertEqual(valueHash("f"), 0xb1931635ac129be7) // 12304 bytes
        expect(["pfcount", "f"], ":402\r\n", dirty: 3376, hits: 20, misses: 3)
    }

    func testStringsRespectProtoMaxBulkLength() {
        engine.settings.protoMaxBulkLength = 1048576
        expect(["setrange", "s", "1048575", "x"], ":1048576\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["strlen", "s"], ":1048576\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["setrange", "s", "1048575", "xy"], "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["setrange", "s", "1048576", ""], ":1048576\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["append", "s", "y"], "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["append", "s", ""], ":1048576\r\n", dirty: 2, hits: 1, misses: 0)
        expect(["strlen", "s"], ":1048576\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["setrange", "t", "1048576", "x"], "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["exists", "t"], ":0\r\n", dirty: 2, hits: 2, misses: 1)
        expect(["set", "l1", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"], "+OK\r\n", dirty: 3, hits: 2, misses: 1)
        expect(["set", "l2", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"], "+OK\r\n", dirty: 4, hits: 2, misses: 1)
        expect(["lcs", "l1", "l2", "len"], "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n", dirty: 4, hits: 4, misses: 1)
        expect(["set", "l2", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"], "+OK\r\n", dirty: 5, hits: 4, misses: 1)
        expect(["lcs", "l1", "l2", "len"], "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n", dirty: 5, hits: 6, misses: 1)
        expect(["lcs", "l1", "l2"], "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n", dirty: 5, hits: 8, misses: 1)
        expect(["lcs", "l1", "l2", "idx"], "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n", dirty: 5, hits: 10, misses: 1)
    }

    func testLazyExpiryOnReadsAndWrites() {
        expect(["psetex", "a", "1", "x"], "+OK\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["psetex", "b", "1", "5"], "+OK\r\n", dirty: 2, hits: 0, misses: 0)
        expect(["psetex", "c", "1", "x"], "+OK\r\n", dirty: 3, hits: 0, misses: 0)
        expect(["psetex", "d", "1", "x"], "+OK\r\n", dirty: 4, hits: 0, misses: 0)
        expect(["psetex", "e", "1", "x"], "+OK\r\n", dirty: 5, hits: 0, misses: 0)
        expect(["psetex", "f", "1", "x"], "+OK\r\n", dirty: 6, hits: 0, misses: 0)
        expect(["psetex", "g", "1", "x"], "+OK\r\n", dirty: 7, hits: 0, misses: 0)
        usleep(5000)
        expect(["get", "a"], "$-1\r\n", dirty: 7, hits: 0, misses: 1)
        expect(["incr", "b"], ":1\r\n", dirty: 8, hits: 0, misses: 1)
        XCTAssertEqual(ttl("b"), -1)
        expect(["append", "c", "y"], ":1\r\n", dirty: 9, hits: 0, misses: 1)
        XCTAssertEqual(ttl("c"), -1)
        expect(["setnx", "d", "v"], ":1\r\n", dirty: 10, hits: 0, misses: 1)
        XCTAssertEqual(ttl("d"), -1)
        expect(["strlen", "e"], ":0\r\n", dirty: 10, hits: 0, misses: 2)
        expect(["getrange", "f", "0", "-1"], "$0\r\n\r\n", dirty: 10, hits: 0, misses: 3)
        expect(["mget", "g", "a"], "*2\r\n$-1\r\n$-1\r\n", dirty: 10, hits: 0, misses: 5)
        expect(["lcs", "g", "a"], "$0\r\n\r\n", dirty: 10, hits: 0, misses: 7)
        expect(["pfcount", "g"], ":0\r\n", dirty: 10, hits: 0, misses: 8)
        expect(["setrange", "g", "0", "z"], ":1\r\n", dirty: 11, hits: 0, misses: 8)
        XCTAssertEqual(ttl("g"), -1)
    }

    func testArityErrors() {
        expect(["setnx"], "-ERR wrong number of arguments for 'setnx' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["setex"], "-ERR wrong number of arguments for 'setex' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["psetex"], "-ERR wrong number of arguments for 'psetex' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["getset"], "-ERR wrong number of arguments for 'getset' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["getdel"], "-ERR wrong number of arguments for 'getdel' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["getex"], "-ERR wrong number of arguments for 'getex' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["mget"], "-ERR wrong number of arguments for 'mget' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["mset"], "-ERR wrong number of arguments for 'mset' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["msetnx"], "-ERR wrong number of arguments for 'msetnx' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["append"], "-ERR wrong number of arguments for 'append' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["strlen"], "-ERR wrong number of arguments for 'strlen' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["incr"], "-ERR wrong number of arguments for 'incr' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["decr"], "-ERR wrong number of arguments for 'decr' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["incrby"], "-ERR wrong number of arguments for 'incrby' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["decrby"], "-ERR wrong number of arguments for 'decrby' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["incrbyfloat"], "-ERR wrong number of arguments for 'incrbyfloat' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["getrange"], "-ERR wrong number of arguments for 'getrange' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["substr"], "-ERR wrong number of arguments for 'substr' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["setrange"], "-ERR wrong number of arguments for 'setrange' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["lcs"], "-ERR wrong number of arguments for 'lcs' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["pfadd"], "-ERR wrong number of arguments for 'pfadd' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["pfcount"], "-ERR wrong number of arguments for 'pfcount' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["pfmerge"], "-ERR wrong number of arguments for 'pfmerge' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["getdel", "a", "b"], "-ERR wrong number of arguments for 'getdel' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["strlen", "a", "b"], "-ERR wrong number of arguments for 'strlen' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["incr", "a", "b"], "-ERR wrong number of arguments for 'incr' command\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["lcs", "a"], "-ERR wrong number of arguments for 'lcs' command\r\n", dirty: 0, hits: 0, misses: 0)
    }
}
