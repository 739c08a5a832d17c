@testable import CairnEngine
import XCTest

/// Hash commands. Transcript replies and dirty counts were recorded from redis-server 7.0.15 running the same
/// commands (t_hash.c replies as in 7.2 for these).
final class HashCommandTests: TranscriptTestCase {
    func testHsetHget() {
        transcript([
            (["HSET", "h", "f1", "v1", "f2", "v2"], ":2\r\n", 2),
            (["HSET", "h", "f1", "new", "f3", "v3"], ":1\r\n", 2),
            (["HGET", "h", "f1"], "$3\r\nnew\r\n", 0),
            (["HGET", "h", "nope"], "$-1\r\n", 0),
            (["HGET", "missing", "f"], "$-1\r\n", 0),
            (["HMGET", "h", "f1", "nope", "f3"], "*3\r\n$3\r\nnew\r\n$-1\r\n$2\r\nv3\r\n", 0),
            (["HMGET", "missing", "a", "b"], "*2\r\n$-1\r\n$-1\r\n", 0),
            (["HMSET", "h", "f4", "v4", "f5", "v5"], "+OK\r\n", 2),
            (["HMSET", "h", "f4"], "-ERR wrong number of arguments for 'hmset' command\r\n", 0),
            (["HSET", "h", "f1"], "-ERR wrong number of arguments for 'hset' command\r\n", 0),
            (["HSET", "h"], "-ERR wrong number of arguments for 'hset' command\r\n", 0),
            (["HSETNX", "h", "f1", "x"], ":0\r\n", 0),
            (["HSETNX", "h", "f6", "v6"], ":1\r\n", 1),
            (["HSETNX", "newkey", "f", "v"], ":1\r\n", 1),
            (["HLEN", "h"], ":6\r\n", 0),
            (["HLEN", "missing"], ":0\r\n", 0),
            (["HSTRLEN", "h", "f1"], ":3\r\n", 0),
            (["HSTRLEN", "h", "nope"], ":0\r\n", 0),
            (["HSTRLEN", "missing", "f"], ":0\r\n", 0),
            (["HEXISTS", "h", "f1"], ":1\r\n", 0),
            (["HEXISTS", "h", "nope"], ":0\r\n", 0),
            (["HEXISTS", "missing", "f"], ":0\r\n", 0),
            (["HGETALL", "h"], "*12\r\n$2\r\nf1\r\n$3\r\nnew\r\n$2\r\nf2\r\n$2\r\nv2\r\n$2\r\nf3\r\n$2\r\nv3\r\n$2\r\nf4\r\n$2\r\nv4\r\n$2\r\nf5\r\n$2\r\nv5\r\n$2\r\nf6\r\n$2\r\nv6\r\n", 0),
            (["HKEYS", "h"], "*6\r\n$2\r\nf1\r\n$2\r\nf2\r\n$2\r\nf3\r\n$2\r\nf4\r\n$2\r\nf5\r\n$2\r\nf6\r\n", 0),
            (["HVALS", "h"], "*6\r\n$3\r\nnew\r\n$2\r\nv2\r\n$2\r\nv3\r\n$2\r\nv4\r\n$2\r\nv5\r\n$2\r\nv6\r\n", 0),
            (["HGETALL", "missing"], "*0\r\n", 0),
            (["HKEYS", "missing"], "*0\r\n", 0),
            (["HVALS", "missing"], "*0\r\n", 0),
            (["HSET", "bin", "a\\x00b", "\\xff\\x0d\\x0a"], ":1\r\n", 1),
            (["HGETALL", "bin"], "*2\r\n$3\r\na\\x00b\r\n$3\r\n\\xff\r\n\r\n", 0),
        ])
    }

    func testHdel() {
        transcript([
            (["HSET", "h", "a", "1", "b", "2", "c", "3"], ":3\r\n", 3),
            (["HDEL", "h", "a"], ":1\r\n", 1),
            (["HDEL", "h", "a"], ":0\r\n", 0),
            (["HDEL", "h", "b", "zz", "b"], ":1\r\n", 1),
            (["HGETALL", "h"], "*2\r\n$1\r\nc\r\n$1\r\n3\r\n", 0),
            (["HDEL", "h", "c", "d"], ":1\r\n", 1),
            (["EXISTS", "h"], ":0\r\n", 0),
            (["HDEL", "missing", "a"], ":0\r\n", 0),
            (["HDEL", "h"], "-ERR wrong number of arguments for 'hdel' command\r\n", 0),
        ])
    }

    func testHincr() {
        transcript([
            (["HINCRBY", "h", "n", "5"], ":5\r\n", 1),
            (["HINCRBY", "h", "n", "-10"], ":-5\r\n", 1),
            (["HINCRBY", "h", "n", "abc"], "-ERR value is not an integer or out of range\r\n", 0),
            (["HSET", "h", "s", "hello", "big", "9223372036854775807", "neg", "-9223372036854775808", "sp", " 1"], ":4\r\n", 4),
            (["HINCRBY", "h", "s", "1"], "-ERR hash value is not an integer\r\n", 0),
            (["HINCRBY", "h", "sp", "1"], "-ERR hash value is not an integer\r\n", 0),
            (["HINCRBY", "h", "big", "1"], "-ERR increment or decrement would overflow\r\n", 0),
            (["HINCRBY", "h", "neg", "-1"], "-ERR increment or decrement would overflow\r\n", 0),
            (["HINCRBY", "h", "big", "0"], ":9223372036854775807\r\n", 1),
            (["HINCRBY", "h", "big", "-1"], ":9223372036854775806\r\n", 1),
            (["HINCRBYFLOAT", "h", "f", "1.5"], "$3\r\n1.5\r\n", 1),
            (["HINCRBYFLOAT", "h", "f", "1e3"], "$6\r\n1001.5\r\n", 1),
            (["HINCRBYFLOAT", "h", "f", "-0.25"], "$7\r\n1001.25\r\n", 1),
            (["HINCRBYFLOAT", "h", "n", "0.5"], "$4\r\n-4.5\r\n", 1),
            (["HINCRBYFLOAT", "h", "s", "1"], "-ERR hash value is not a float\r\n", 0),
            (["HINCRBYFLOAT", "h", "f", "abc"], "-ERR value is not a valid float\r\n", 0),
            (["HINCRBYFLOAT", "h", "f", "inf"], "-ERR value is NaN or Infinity\r\n", 0),
            (["HINCRBYFLOAT", "h", "f", "nan"], "-ERR value is not a valid float\r\n", 0),
            (["HSET", "h", "huge", "1e4932"], ":1\r\n", 1),
            (["HINCRBYFLOAT", "h", "huge", "1e4932"], "-ERR increment would produce NaN or Infinity\r\n", 0),
            (["HINCRBYFLOAT", "h", "f", "5.0e3"], "$7\r\n6001.25\r\n", 1),
            (["HGETALL", "h"], "*14\r\n$1\r\nn\r\n$4\r\n-4.5\r\n$1\r\ns\r\n$5\r\nhello\r\n$3\r\nbig\r\n$19\r\n9223372036854775806\r\n$3\r\nneg\r\n$20\r\n-9223372036854775808\r\n$2\r\nsp\r\n$2\r\n 1\r\n$1\r\nf\r\n$7\r\n6001.25\r\n$4\r\nhuge\r\n$6\r\n1e4932\r\n", 0),
            (["HINCRBY", "missing2", "f", "1"], ":1\r\n", 1),
            (["HINCRBYFLOAT", "missing3", "f", "2.5"], "$3\r\n2.5\r\n", 1),
            (["HGETALL", "missing3"], "*2\r\n$1\r\nf\r\n$3\r\n2.5\r\n", 0),
        ])
    }

    func testHscanListpack() {
        transcript([
            (["HSET", "h", "a", "1", "b", "2", "c", "3", "ab", "4"], ":4\r\n", 4),
            (["HSCAN", "h", "0"], "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n", 0),
            (["HSCAN", "h", "0", "MATCH", "a*"], "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n4\r\n", 0),
            (["HSCAN", "h", "0", "COUNT", "1"], "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n", 0),
            (["HSCAN", "h", "17"], "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n", 0),
            (["HSCAN", "h", "0", "COUNT", "0"], "-ERR syntax error\r\n", 0),
            (["HSCAN", "h", "0", "COUNT", "abc"], "-ERR value is not an integer or out of range\r\n", 0),
            (["HSCAN", "h", "0", "MATCH"], "-ERR syntax error\r\n", 0),
            (["HSCAN", "h", "0", "bogus", "x"], "-ERR syntax error\r\n", 0),
            (["HSCAN", "h", "abc"], "-ERR invalid cursor\r\n", 0),
            (["HSCAN", "h", "-1"], "-ERR invalid cursor\r\n", 0),
            (["HSCAN", "missing", "0"], "*2\r\n$1\r\n0\r\n*0\r\n", 0),
            (["HSCAN", "missing", "0", "COUNT", "0"], "*2\r\n$1\r\n0\r\n*0\r\n", 0),
            (["HSCAN", "missing", "abc"], "-ERR invalid cursor\r\n", 0),
        ])
    }

    func testHrandfieldErrors() {
        transcript([
            (["HSET", "h", "a", "1"], ":1\r\n", 1),
            (["HRANDFIELD", "h"], "$1\r\na\r\n", 0),
            (["HRANDFIELD", "h", "1"], "*1\r\n$1\r\na\r\n", 0),
            (["HRANDFIELD", "h", "1", "WITHVALUES"], "*2\r\n$1\r\na\r\n$1\r\n1\r\n", 0),
            (["HRANDFIELD", "h", "-3"], "*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n", 0),
            (["HRANDFIELD", "h", "-2", "WITHVALUES"], "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n", 0),
            (["HRANDFIELD", "h", "5"], "*1\r\n$1\r\na\r\n", 0),
            (["HRANDFIELD", "h", "5", "WITHVALUES"], "*2\r\n$1\r\na\r\n$1\r\n1\r\n", 0),
            (["HRANDFIELD", "h", "0"], "*0\r\n", 0),
            (["HRANDFIELD", "h", "0", "WITHVALUES"], "*0\r\n", 0),
            (["HRANDFIELD", "missing"], "$-1\r\n", 0),
            (["HRANDFIELD", "missing", "3"], "*0\r\n", 0),
            (["HRANDFIELD", "missing", "abc"], "-ERR value is not an integer or out of range\r\n", 0),
            (["HRANDFIELD", "h", "abc"], "-ERR value is not an integer or out of range\r\n", 0),
            (["HRANDFIELD", "h", "-9223372036854775808"], "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", 0),
            (["HRANDFIELD", "h", "1", "withvalue"], "-ERR syntax error\r\n", 0),
            (["HRANDFIELD", "h", "1", "WITHVALUES", "x"], "-ERR syntax error\r\n", 0),
            (["HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"], "-ERR value is out of range\r\n", 0),
            (["HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"], "-ERR value is out of range\r\n", 0),
        ])
    }

    func testHashWrongtype() {
        transcript([
            (["RPUSH", "l", "x"], ":1\r\n", 1),
            (["HSET", "l", "a", "b"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HMSET", "l", "a", "b"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HSETNX", "l", "a", "b"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HGET", "l", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HMGET", "l", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HDEL", "l", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HLEN", "l"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HSTRLEN", "l", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HEXISTS", "l", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HKEYS", "l"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HVALS", "l"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HGETALL", "l"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HINCRBY", "l", "a", "1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HINCRBYFLOAT", "l", "a", "1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HRANDFIELD", "l"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HRANDFIELD", "l", "2"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["HSCAN", "l", "0"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["TYPE", "l"], "+list\r\n", 0),
            (["HSET", "h", "a", "b"], ":1\r\n", 1),
            (["LPUSH", "h", "x"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["TYPE", "h"], "+hash\r\n", 0),
        ])
    }

    func testEncodingThresholds() {
        let v64 = String(repeating: "v", count: 64), v65 = v64 + "v"
        run(["HSET", "a", "f", v64])
        XCTAssertEqual(encoding("a"), "listpack")
        run(["HSET", "a", "g", v65])
        XCTAssertEqual(encoding("a"), "hashtable")
        run(["HSET", "b", v65, "1"])
        XCTAssertEqual(encoding("b"), "hashtable")
        run(["HSET", "c", "f", "1"])
        run(["HINCRBYFLOAT", "c", v65, "1"])
        XCTAssertEqual(encoding("c"), "hashtable", "every write checks field and value lengths")
        for i in 0..<512 { run(["HSET", "d", "f\(i)", "1"]) }
        XCTAssertEqual(encoding("d"), "listpack")
        run(["HSET", "d", "f512", "1"])
        XCTAssertEqual(encoding("d"), "hashtable")
        for i in 0..<513 { run(["HDEL", "d", "f\(i)"]) }
        XCTAssertNil(value("d"))

        engine.settings.hashMaxListpackEntries = 2
        run(["HSET", "e", "a", "1", "b", "2"])
        XCTAssertEqual(encoding("e"), "listpack")
        run(["HDEL", "e", "a"])
        run(["HSET", "e", "c", "3", "d", "4"])
        XCTAssertEqual(encoding("e"), "hashtable")
        run(["HDEL", "e", "c", "d"])
        XCTAssertEqual(encoding("e"), "hashtable", "a hash never converts back")
    }

    func testManyPairsAreSizedUpFront() {
        // Redis 7.2 makes a table for more pairs than a listpack may hold, even if they repeat one field.
        engine.settings.hashMaxListpackEntries = 2
        XCTAssertEqual(run(["HSET", "h", "a", "1", "a", "2", "a", "3"]), ":1\r\n")
        XCTAssertEqual(encoding("h"), "hashtable")
        XCTAssertEqual(run(["HGETALL", "h"]), "*2\r\n$1\r\na\r\n$1\r\n3\r\n")
    }

    func testListpackKeepsInsertionOrderWithUpdatesInPlace() {
        run(["HSET", "h", "z", "1", "a", "2", "m", "3"])
        run(["HSET", "h", "a", "new"])
        run(["HDEL", "h", "z"])
        run(["HSET", "h", "z", "again"])
        XCTAssertEqual(run(["HKEYS", "h"]), "*3\r\n$1\r\na\r\n$1\r\nm\r\n$1\r\nz\r\n")
        XCTAssertEqual(run(["HVALS", "h"]), "*3\r\n$3\r\nnew\r\n$1\r\n3\r\n$5\r\nagain\r\n")
    }

    func testResp3Shapes() {
        run(["HSET", "h", "f", "v"])
        run(["HELLO", "3"])
        XCTAssertEqual(run(["HGETALL", "h"]), "%1\r\n$1\r\nf\r\n$1\r\nv\r\n")
        XCTAssertEqual(run(["HGETALL", "missing"]), "%0\r\n")
        XCTAssertEqual(run(["HGET", "h", "nope"]), "_\r\n")
        XCTAssertEqual(run(["HRANDFIELD", "h", "-2", "WITHVALUES"]), "*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n")
        XCTAssertEqual(run(["HRANDFIELD", "h", "3", "WITHVALUES"]), "*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n")
        XCTAssertEqual(run(["HRANDFIELD", "missing"]), "_\r\n")
    }

    func testHrandfieldCounts() {
        for i in 0..<1000 { run(["HSET", "big", "f\(i)", "v\(i)"]) }
        for key in ["big"] {
            guard case .hash(let h)? = value(key) else { return XCTFail("not a hash") }
            XCTAssertFalse(h.isCompact)
        }
        run(["HSET", "small", "a", "1", "b", "2", "c", "3", "d", "4"])
        for key in ["big", "small"] {
            let distinct = run(["HRANDFIELD", key, "3"])
            XCTAssertTrue(distinct.hasPrefix("*3\r\n"))
            XCTAssertEqual(Set(distinct.split(separator: "\r\n").filter { !$0.hasPrefix("*") && !$0.hasPrefix("$") }).count, 3)
            XCTAssertTrue(run(["HRANDFIELD", key, "-7"]).hasPrefix("*7\r\n"))
            XCTAssertTrue(run(["HRANDFIELD", key, "-7", "WITHVALUES"]).hasPrefix("*14\r\n"))
        }
        XCTAssertTrue(run(["HRANDFIELD", "small", "10", "WITHVALUES"]).hasPrefix("*8\r\n$1\r\na\r\n$1\r\n1\r\n"))
    }

    func testHscanOfATableReturnsEveryFieldOnce() {
        for i in 0..<3000 { run(["HSET", "h", "f\(i)", "\(i)"]) }
        var seen = Set<String>()
        var cursor = "0"
        repeat {
            let reply = run(["HSCAN", "h", cursor, "COUNT", "50"])
            let lines = reply.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
            cursor = lines[2]
            let items = Array(lines[4...].filter { !$0.isEmpty && !$0.hasPrefix("$") })
            for i in stride(from: 0, to: items.count, by: 2) {
                XCTAssertTrue(seen.insert(items[i]).inserted, "\(items[i]) returned twice")
                XCTAssertEqual("f" + items[i + 1], items[i])
            }
            // Growth between steps must not lose fields.
            if seen.count == 600 { for i in 3000..<4000 { run(["HSET", "h", "f\(i)", "\(i)"]) } }
        } while cursor != "0"
        XCTAssertTrue((0..<3000).allSatisfy { seen.contains("f\($0)") })
    }

    func testCopyOfALargeHashSharesAllButOneChunk() {
        var original = HashValue()
        for i in 0..<100_000 {
            Bytes(string: "field-\(i)").withUnsafeBytes { _ = original.set($0, Bytes(string: "\(i)"), maxEntries: 512, maxValue: 64) }
        }
        let copy = original
        let before = original.table!.chunkIdentities
        XCTAssertGreaterThan(before.count, 16)
        Bytes(string: "field-7").withUnsafeBytes { _ = original.set($0, Bytes(string: "changed"), maxEntries: 512, maxValue: 64) }
        let after = original.table!.chunkIdentities
        XCTAssertEqual(zip(before, after).filter { $0 != $1 }.count, 1, "only the edited chunk is copied")
        XCTAssertEqual(copy.table!.chunkIdentities, before)
        XCTAssertEqual(Bytes(string: "field-7").withUnsafeBytes { copy.get($0) }, Bytes(string: "7"))
        XCTAssertEqual(Bytes(string: "field-7").withUnsafeBytes { original.get($0) }, Bytes(string: "changed"))
    }

    func testCompactHashKeepsOrderThroughUpdatesRemovalsAndLongEntries() {
        var h = HashValue()
        func set(_ f: String, _ v: Bytes) -> Bool { Bytes(string: f).withUnsafeBytes { h.set($0, v, maxEntries: 128, maxValue: 1000) } }
        func pairs() -> [String] {
            var out: [String] = []
            h.forEach { f, v in out.append(String(decoding: f, as: UTF8.self) + "=" + String(decoding: v, as: UTF8.self)) }
            return out
        }
        // 200 bytes needs a two-byte length; an update that changes a value's length keeps its place.
        let long = Bytes(repeating: UInt8(ascii: "x"), count: 200)
        XCTAssertTrue(set("a", Bytes(string: "1")))
        XCTAssertTrue(set("b", long))
        XCTAssertTrue(set("", Bytes()))
        XCTAssertFalse(set("a", Bytes(repeating: UInt8(ascii: "y"), count: 130)))
        XCTAssertTrue(h.isCompact)
        XCTAssertEqual(pairs(), ["a=" + String(repeating: "y", count: 130), "b=" + String(repeating: "x", count: 200), "="])
        XCTAssertEqual(Bytes(string: "b").withUnsafeBytes { h.get($0) }, long)
        XCTAssertNil(Bytes(string: "c").withUnsafeBytes { h.get($0) })
        XCTAssertTrue(Bytes(string: "b").withUnsafeBytes { h.remove($0) })
        XCTAssertFalse(Bytes(string: "b").withUnsafeBytes { h.remove($0) })
        XCTAssertEqual(h.count, 2)
        XCTAssertEqual(pairs().first?.prefix(2), "a=")
        var borrowed: [String] = []
        h.forEachBorrowed { f, _ in borrowed.append(String(decoding: f, as: UTF8.self)) }
        XCTAssertEqual(borrowed, ["a", ""])
        h.convert()
        XCTAssertFalse(h.isCompact)
        XCTAssertEqual(Set(pairs()), Set(["a=" + String(repeating: "y", count: 130), "="]))
    }

    func testDigestEqualsRedis() {
        run(["HSET", "h", "a", "1", "b", "2"])
        XCTAssertEqual(run(["DEBUG", "DIGEST-VALUE", "h"]), "*1\r\n+6c8f22b3bf510fdcfd6122dd0f908a80e88243bf\r\n")
    }
}
