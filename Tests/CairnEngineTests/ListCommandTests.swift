@testable import CairnEngine
import XCTest

/// List commands. Transcript replies and dirty counts were recorded from redis-server 7.0.15 running the same
/// commands (t_list.c replies as in 7.2 for these); encodings follow Redis 7.2's rules, which 7.0 does not
/// share (it reports "quicklist" for every list), so those expectations are worked out from 7.2's limits.
final class ListCommandTests: TranscriptTestCase {
    func testPushPop() {
        transcript([
            (["LPUSH", "l", "a", "b", "c"], ":3\r\n", 3),
            (["RPUSH", "l", "d", "e"], ":5\r\n", 2),
            (["LRANGE", "l", "0", "-1"], "*5\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["LPUSHX", "l", "x"], ":6\r\n", 1),
            (["RPUSHX", "l", "y"], ":7\r\n", 1),
            (["LPUSHX", "missing", "x"], ":0\r\n", 0),
            (["RPUSHX", "missing", "y"], ":0\r\n", 0),
            (["EXISTS", "missing"], ":0\r\n", 0),
            (["LPOP", "l"], "$1\r\nx\r\n", 1),
            (["RPOP", "l"], "$1\r\ny\r\n", 1),
            (["LPOP", "l", "2"], "*2\r\n$1\r\nc\r\n$1\r\nb\r\n", 2),
            (["RPOP", "l", "2"], "*2\r\n$1\r\ne\r\n$1\r\nd\r\n", 2),
            (["LPOP", "l", "0"], "*0\r\n", 0),
            (["LPOP", "l", "10"], "*1\r\n$1\r\na\r\n", 1),
            (["EXISTS", "l"], ":0\r\n", 0),
            (["LPOP", "l"], "$-1\r\n", 0),
            (["LPOP", "l", "1"], "*-1\r\n", 0),
            (["RPOP", "l", "0"], "*-1\r\n", 0),
            (["LPUSH"], "-ERR wrong number of arguments for 'lpush' command\r\n", 0),
            (["LPUSH", "l"], "-ERR wrong number of arguments for 'lpush' command\r\n", 0),
            (["LPOP", "l", "1", "2"], "-ERR wrong number of arguments for 'lpop' command\r\n", 0),
            (["LPOP", "l", "abc"], "-ERR value is out of range, must be positive\r\n", 0),
            (["LPOP", "l", "-1"], "-ERR value is out of range, must be positive\r\n", 0),
            (["RPUSH", "n", "1", "2", "3"], ":3\r\n", 3),
            (["LPOP", "n", "-1"], "-ERR value is out of range, must be positive\r\n", 0),
            (["RPOP", "n", "abc"], "-ERR value is out of range, must be positive\r\n", 0),
            (["LLEN", "n"], ":3\r\n", 0),
            (["LLEN", "missing"], ":0\r\n", 0),
        ])
    }

    func testLrangeLindex() {
        transcript([
            (["RPUSH", "l", "a", "b", "c", "d", "e"], ":5\r\n", 5),
            (["LRANGE", "l", "0", "0"], "*1\r\n$1\r\na\r\n", 0),
            (["LRANGE", "l", "-2", "-1"], "*2\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["LRANGE", "l", "-100", "100"], "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["LRANGE", "l", "3", "1"], "*0\r\n", 0),
            (["LRANGE", "l", "5", "10"], "*0\r\n", 0),
            (["LRANGE", "l", "-1", "-2"], "*0\r\n", 0),
            (["LRANGE", "l", "abc", "1"], "-ERR value is not an integer or out of range\r\n", 0),
            (["LRANGE", "l", "0", "abc"], "-ERR value is not an integer or out of range\r\n", 0),
            (["LRANGE", "missing", "0", "-1"], "*0\r\n", 0),
            (["LINDEX", "l", "0"], "$1\r\na\r\n", 0),
            (["LINDEX", "l", "-1"], "$1\r\ne\r\n", 0),
            (["LINDEX", "l", "-5"], "$1\r\na\r\n", 0),
            (["LINDEX", "l", "-6"], "$-1\r\n", 0),
            (["LINDEX", "l", "5"], "$-1\r\n", 0),
            (["LINDEX", "l", "abc"], "-ERR value is not an integer or out of range\r\n", 0),
            (["LINDEX", "missing", "abc"], "$-1\r\n", 0),
            (["LINDEX", "missing", "0"], "$-1\r\n", 0),
        ])
    }

    func testLsetLinsert() {
        transcript([
            (["LSET", "missing", "0", "x"], "-ERR no such key\r\n", 0),
            (["LSET", "missing", "abc", "x"], "-ERR no such key\r\n", 0),
            (["RPUSH", "l", "a", "b", "c"], ":3\r\n", 3),
            (["LSET", "l", "0", "A"], "+OK\r\n", 1),
            (["LSET", "l", "-1", "C"], "+OK\r\n", 1),
            (["LSET", "l", "3", "x"], "-ERR index out of range\r\n", 0),
            (["LSET", "l", "-4", "x"], "-ERR index out of range\r\n", 0),
            (["LSET", "l", "abc", "x"], "-ERR value is not an integer or out of range\r\n", 0),
            (["LRANGE", "l", "0", "-1"], "*3\r\n$1\r\nA\r\n$1\r\nb\r\n$1\r\nC\r\n", 0),
            (["LINSERT", "l", "BEFORE", "A", "first"], ":4\r\n", 1),
            (["LINSERT", "l", "after", "C", "last"], ":5\r\n", 1),
            (["LINSERT", "l", "before", "b", "mid"], ":6\r\n", 1),
            (["LINSERT", "l", "before", "nothere", "x"], ":-1\r\n", 0),
            (["LINSERT", "l", "middle", "b", "x"], "-ERR syntax error\r\n", 0),
            (["LINSERT", "missing", "before", "a", "x"], ":0\r\n", 0),
            (["LINSERT", "missing", "middle", "a", "x"], "-ERR syntax error\r\n", 0),
            (["LRANGE", "l", "0", "-1"], "*6\r\n$5\r\nfirst\r\n$1\r\nA\r\n$3\r\nmid\r\n$1\r\nb\r\n$1\r\nC\r\n$4\r\nlast\r\n", 0),
            (["LLEN", "l"], ":6\r\n", 0),
        ])
    }

    func testLremLtrim() {
        transcript([
            (["RPUSH", "l", "a", "b", "a", "c", "a", "d", "a"], ":7\r\n", 7),
            (["LREM", "l", "2", "a"], ":2\r\n", 2),
            (["LRANGE", "l", "0", "-1"], "*5\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\na\r\n", 0),
            (["LREM", "l", "-1", "a"], ":1\r\n", 1),
            (["LRANGE", "l", "0", "-1"], "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n", 0),
            (["LREM", "l", "0", "a"], ":1\r\n", 1),
            (["LRANGE", "l", "0", "-1"], "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", 0),
            (["LREM", "l", "0", "zz"], ":0\r\n", 0),
            (["LREM", "l", "abc", "a"], "-ERR value is not an integer or out of range\r\n", 0),
            (["LREM", "missing", "1", "a"], ":0\r\n", 0),
            (["LREM", "l", "0", "b"], ":1\r\n", 1),
            (["LREM", "l", "0", "c"], ":1\r\n", 1),
            (["LREM", "l", "0", "d"], ":1\r\n", 1),
            (["EXISTS", "l"], ":0\r\n", 0),
            (["RPUSH", "t", "1", "2", "3", "4", "5", "6"], ":6\r\n", 6),
            (["LTRIM", "t", "1", "-2"], "+OK\r\n", 2),
            (["LRANGE", "t", "0", "-1"], "*4\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", 0),
            (["LTRIM", "t", "-100", "100"], "+OK\r\n", 0),
            (["LRANGE", "t", "0", "-1"], "*4\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", 0),
            (["LTRIM", "t", "2", "1"], "+OK\r\n", 4),
            (["EXISTS", "t"], ":0\r\n", 0),
            (["LTRIM", "missing", "0", "1"], "+OK\r\n", 0),
            (["LTRIM", "t", "abc", "1"], "-ERR value is not an integer or out of range\r\n", 0),
            (["RPUSH", "t", "1", "2", "3"], ":3\r\n", 3),
            (["LTRIM", "t", "5", "10"], "+OK\r\n", 3),
            (["EXISTS", "t"], ":0\r\n", 0),
        ])
    }

    func testLpos() {
        transcript([
            (["RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"], ":8\r\n", 8),
            (["LPOS", "l", "c"], ":2\r\n", 0),
            (["LPOS", "l", "c", "RANK", "2"], ":6\r\n", 0),
            (["LPOS", "l", "c", "RANK", "-1"], ":7\r\n", 0),
            (["LPOS", "l", "c", "RANK", "-3"], ":2\r\n", 0),
            (["LPOS", "l", "c", "RANK", "4"], "$-1\r\n", 0),
            (["LPOS", "l", "c", "COUNT", "0"], "*3\r\n:2\r\n:6\r\n:7\r\n", 0),
            (["LPOS", "l", "c", "COUNT", "2"], "*2\r\n:2\r\n:6\r\n", 0),
            (["LPOS", "l", "c", "COUNT", "2", "RANK", "-1"], "*2\r\n:7\r\n:6\r\n", 0),
            (["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3"], "*1\r\n:2\r\n", 0),
            (["LPOS", "l", "c", "MAXLEN", "3"], ":2\r\n", 0),
            (["LPOS", "l", "c", "RANK", "-1", "MAXLEN", "2"], ":7\r\n", 0),
            (["LPOS", "l", "zz"], "$-1\r\n", 0),
            (["LPOS", "l", "zz", "COUNT", "0"], "*0\r\n", 0),
            (["LPOS", "missing", "a"], "$-1\r\n", 0),
            (["LPOS", "missing", "a", "COUNT", "1"], "*0\r\n", 0),
            (["LPOS", "l", "c", "RANK", "0"], "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n", 0),
            (["LPOS", "l", "c", "RANK", "abc"], "-ERR value is not an integer or out of range\r\n", 0),
            (["LPOS", "l", "c", "COUNT", "-1"], "-ERR COUNT can't be negative\r\n", 0),
            (["LPOS", "l", "c", "COUNT", "abc"], "-ERR COUNT can't be negative\r\n", 0),
            (["LPOS", "l", "c", "MAXLEN", "-1"], "-ERR MAXLEN can't be negative\r\n", 0),
            (["LPOS", "l", "c", "MAXLEN", "abc"], "-ERR MAXLEN can't be negative\r\n", 0),
            (["LPOS", "l", "c", "RANK"], "-ERR syntax error\r\n", 0),
            (["LPOS", "l", "c", "bogus", "1"], "-ERR syntax error\r\n", 0),
            (["LPOS", "missing", "c", "RANK", "0"], "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n", 0),
        ])
    }

    func testLmoveRpoplpush() {
        transcript([
            (["RPUSH", "src", "a", "b", "c"], ":3\r\n", 3),
            (["LMOVE", "src", "dst", "LEFT", "RIGHT"], "$1\r\na\r\n", 1),
            (["LMOVE", "src", "dst", "RIGHT", "LEFT"], "$1\r\nc\r\n", 1),
            (["LRANGE", "dst", "0", "-1"], "*2\r\n$1\r\nc\r\n$1\r\na\r\n", 0),
            (["LMOVE", "src", "dst", "left", "left"], "$1\r\nb\r\n", 1),
            (["EXISTS", "src"], ":0\r\n", 0),
            (["LMOVE", "src", "dst", "LEFT", "RIGHT"], "$-1\r\n", 0),
            (["LMOVE", "dst", "dst", "LEFT", "RIGHT"], "$1\r\nb\r\n", 1),
            (["LRANGE", "dst", "0", "-1"], "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n", 0),
            (["LMOVE", "dst", "dst", "RIGHT", "LEFT"], "$1\r\nb\r\n", 1),
            (["LRANGE", "dst", "0", "-1"], "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n", 0),
            (["LMOVE", "dst", "dst", "up", "left"], "-ERR syntax error\r\n", 0),
            (["LMOVE", "dst", "dst", "left", "down"], "-ERR syntax error\r\n", 0),
            (["RPOPLPUSH", "dst", "other"], "$1\r\na\r\n", 1),
            (["RPOPLPUSH", "missing", "other"], "$-1\r\n", 0),
            (["LRANGE", "other", "0", "-1"], "*1\r\n$1\r\na\r\n", 0),
            (["SET", "s", "str"], "+OK\r\n", 1),
            (["RPOPLPUSH", "dst", "s"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["RPOPLPUSH", "s", "dst"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LMOVE", "dst", "s", "LEFT", "LEFT"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LRANGE", "dst", "0", "-1"], "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", 0),
            (["RPUSH", "one", "x"], ":1\r\n", 1),
            (["RPOPLPUSH", "one", "one"], "$1\r\nx\r\n", 1),
            (["LRANGE", "one", "0", "-1"], "*1\r\n$1\r\nx\r\n", 0),
        ])
    }

    func testLmpop() {
        transcript([
            (["RPUSH", "a", "1", "2", "3"], ":3\r\n", 3),
            (["RPUSH", "b", "x", "y"], ":2\r\n", 2),
            (["LMPOP", "2", "missing", "a", "LEFT"], "*2\r\n$1\r\na\r\n*1\r\n$1\r\n1\r\n", 1),
            (["LMPOP", "2", "missing", "a", "RIGHT", "COUNT", "10"], "*2\r\n$1\r\na\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n", 2),
            (["EXISTS", "a"], ":0\r\n", 0),
            (["LMPOP", "2", "a", "b", "right", "count", "1"], "*2\r\n$1\r\nb\r\n*1\r\n$1\r\ny\r\n", 1),
            (["LMPOP", "3", "a", "b", "missing", "LEFT"], "*2\r\n$1\r\nb\r\n*1\r\n$1\r\nx\r\n", 1),
            (["LMPOP", "1", "missing", "LEFT"], "*-1\r\n", 0),
            (["LMPOP", "0", "a", "LEFT"], "-ERR numkeys should be greater than 0\r\n", 0),
            (["LMPOP", "-1", "a", "LEFT"], "-ERR numkeys should be greater than 0\r\n", 0),
            (["LMPOP", "abc", "a", "LEFT"], "-ERR numkeys should be greater than 0\r\n", 0),
            (["LMPOP", "3", "a", "LEFT"], "-ERR syntax error\r\n", 0),
            (["LMPOP", "1", "a", "middle"], "-ERR syntax error\r\n", 0),
            (["LMPOP", "1", "a", "LEFT", "COUNT", "0"], "-ERR count should be greater than 0\r\n", 0),
            (["LMPOP", "1", "a", "LEFT", "COUNT", "-1"], "-ERR count should be greater than 0\r\n", 0),
            (["LMPOP", "1", "a", "LEFT", "COUNT", "abc"], "-ERR count should be greater than 0\r\n", 0),
            (["LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"], "-ERR syntax error\r\n", 0),
            (["LMPOP", "1", "a", "LEFT", "COUNT"], "-ERR syntax error\r\n", 0),
            (["LMPOP", "1", "a", "LEFT", "bogus"], "-ERR syntax error\r\n", 0),
            (["LMPOP", "1"], "-ERR wrong number of arguments for 'lmpop' command\r\n", 0),
            (["LMPOP", "1", "a"], "-ERR wrong number of arguments for 'lmpop' command\r\n", 0),
            (["SET", "s", "v"], "+OK\r\n", 1),
            (["LMPOP", "2", "s", "b", "LEFT"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LMPOP", "2", "b", "s", "LEFT"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testListWrongtype() {
        transcript([
            (["SET", "s", "v"], "+OK\r\n", 1),
            (["LPUSH", "s", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["RPUSH", "s", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LPUSHX", "s", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["RPUSHX", "s", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LPOP", "s"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["RPOP", "s", "2"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LLEN", "s"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LRANGE", "s", "0", "-1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LINDEX", "s", "0"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LINDEX", "s", "abc"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LSET", "s", "0", "x"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LINSERT", "s", "BEFORE", "a", "b"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LREM", "s", "0", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LTRIM", "s", "0", "1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LPOS", "s", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LMOVE", "s", "d", "LEFT", "LEFT"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["RPOPLPUSH", "s", "d"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["LMPOP", "1", "s", "LEFT"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["GET", "s"], "$1\r\nv\r\n", 0),
        ])
    }

    func testRankOfLongMinIsOutOfRange() {
        // 7.2 bounds RANK to ±LONG_MAX; 7.0 accepted LONG_MIN and overflowed.
        transcript([
            (["RPUSH", "l", "a"], ":1\r\n", 1),
            (["LPOS", "l", "a", "RANK", "-9223372036854775808"], "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", 0),
        ])
    }

    func testCountFillConvertsAtTheLimitAndBackAtHalf() {
        engine.settings.listMaxListpackSize = 4
        run(["RPUSH", "l", "1", "2", "3", "4"])
        XCTAssertEqual(encoding("l"), "listpack")
        run(["RPUSH", "l", "5"])
        XCTAssertEqual(encoding("l"), "quicklist")
        run(["RPOP", "l"])
        run(["RPOP", "l"])
        XCTAssertEqual(encoding("l"), "quicklist", "3 elements in one node is above half of 4")
        run(["RPOP", "l"])
        XCTAssertEqual(encoding("l"), "listpack")
        XCTAssertEqual(run(["LRANGE", "l", "0", "-1"]), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n")
    }

    /// 100-byte elements take 103 listpack bytes each; the listpack has 7 bytes of its own.
    func testByteFillConvertsAtTheLimitAndBackAtHalf() {
        let element = String(repeating: "x", count: 100)
        for _ in 0..<79 { run(["RPUSH", "l", element]) }
        XCTAssertEqual(encoding("l"), "listpack", "7 + 103 * 78 + 100 bytes fits 8KB")
        run(["RPUSH", "l", element])
        XCTAssertEqual(encoding("l"), "quicklist", "7 + 103 * 79 + 100 bytes does not")
        while engine.dbs[0].count > 0, case .list(let l)? = value("l"), l.count > 40 { run(["RPOP", "l"]) }
        XCTAssertEqual(encoding("l"), "quicklist", "7 + 103 * 40 bytes is above half of 8KB")
        run(["RPOP", "l"])
        XCTAssertEqual(encoding("l"), "listpack", "7 + 103 * 39 bytes is not")
    }

    func testPushOfManyElementsChecksTheirRawLengthsOnce() {
        // Redis adds the arguments' lengths, not their listpack sizes, so 80 elements of 100 bytes fit at once.
        let element = String(repeating: "x", count: 100)
        run(["RPUSH", "l"] + Array(repeating: element, count: 80))
        XCTAssertEqual(encoding("l"), "listpack")
        run(["RPUSH", "l", element])
        XCTAssertEqual(encoding("l"), "quicklist")
    }

    func testLargeElementsAndEditsConvert() {
        run(["RPUSH", "l", "a", "b", "c"])
        XCTAssertEqual(run(["LSET", "l", "1", String(repeating: "y", count: 9000)]), "+OK\r\n")
        XCTAssertEqual(encoding("l"), "quicklist")
        XCTAssertEqual(run(["LINDEX", "l", "1"]), "$9000\r\n" + String(repeating: "y", count: 9000) + "\r\n")
        XCTAssertEqual(run(["LRANGE", "l", "0", "0"]), "*1\r\n$1\r\na\r\n")
        XCTAssertEqual(run(["LINDEX", "l", "2"]), "$1\r\nc\r\n")

        run(["RPUSH", "m", "a", "b"])
        XCTAssertEqual(run(["LINSERT", "m", "BEFORE", "b", String(repeating: "z", count: 8200)]), ":3\r\n")
        XCTAssertEqual(encoding("m"), "quicklist")
        XCTAssertEqual(run(["LREM", "m", "0", String(repeating: "z", count: 8200)]), ":1\r\n")
        XCTAssertEqual(encoding("m"), "quicklist", "the split left two nodes, and removals never merge nodes")
        XCTAssertEqual(run(["LPOP", "m"]), "$1\r\na\r\n")
        XCTAssertEqual(encoding("m"), "listpack", "one small node again")

        // A failed LSET still converts for the element it was given, as Redis checks before seeking.
        run(["RPUSH", "n", "a"])
        XCTAssertEqual(run(["LSET", "n", "5", String(repeating: "w", count: 9000)]), "-ERR index out of range\r\n")
        XCTAssertEqual(encoding("n"), "quicklist")
    }

    func testNodesFollowQuicklistLayout() {
        engine.settings.listMaxListpackSize = 3
        run(["RPUSH", "l", "1", "2", "3", "4", "5", "6", "7"])
        guard case .list(let l)? = value("l") else { return XCTFail("not a list") }
        XCTAssertEqual(l.nodes.map(\.items.count), [3, 3, 1])
        run(["LINSERT", "l", "AFTER", "2", "x"])
        guard case .list(let m)? = value("l") else { return XCTFail("not a list") }
        // The full first node splits after "2"; "x" joins the split-off "3", which merges with nothing.
        XCTAssertEqual(m.nodes.map(\.items.count), [2, 2, 3, 1])
        XCTAssertEqual(run(["LRANGE", "l", "0", "-1"]), "*8\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\nx\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n")
    }

    func testEmptiedListsDeleteTheirKey() {
        for steps in [[["RPOP", "l"]], [["LPOP", "l", "5"]], [["LTRIM", "l", "1", "0"]], [["LREM", "l", "0", "a"]],
                      [["LMOVE", "l", "d", "LEFT", "LEFT"]], [["LMPOP", "1", "l", "LEFT"]]] {
            run(["DEL", "l"])
            run(["RPUSH", "l", "a"])
            for s in steps { run(s) }
            XCTAssertNil(value("l"), "\(steps)")
        }
    }

    /// Random edits keep the node bookkeeping exact: sizes equal the listpack sizes recomputed from the items,
    /// no node is empty, a plain node holds one element and a listpack has one node.
    func testRandomEditsKeepNodesConsistent() {
        var rng = SystemRandomNumberGenerator()
        let values = ["a", "1", "-70000", String(repeating: "x", count: 90), String(repeating: "y", count: 5000)]
        for fill in [-1, 2, 5] {
            engine.settings.listMaxListpackSize = fill
            run(["DEL", "l"])
            for _ in 0..<3000 {
                let v = values.randomElement(using: &rng)!
                let i = String(Int.random(in: -20...20, using: &rng))
                switch Int.random(in: 0..<8, using: &rng) {
                case 0: run(["LPUSH", "l", v, v])
                case 1: run(["RPUSH", "l", v])
                case 2: run(["RPOP", "l"])
                case 3: run(["LINSERT", "l", Bool.random(using: &rng) ? "BEFORE" : "AFTER", values.randomElement(using: &rng)!, v])
                case 4: run(["LSET", "l", i, v])
                case 5: run(["LREM", "l", "1", v])
                case 6: run(["LTRIM", "l", "0", String(Int.random(in: 0...40, using: &rng))])
                default: run(["LPOP", "l", "2"])
                }
                guard case .list(let l)? = value("l") else { continue }
                XCTAssertEqual(l.nodes.reduce(0) { $0 + $1.items.count }, l.count)
                XCTAssertTrue(l.isQuicklist || l.nodes.count == 1)
                for node in l.nodes {
                    XCTAssertFalse(node.items.isEmpty)
                    if node.plain {
                        XCTAssertEqual(node.items.count, 1)
                    } else {
                        XCTAssertEqual(node.size, ListValue.Node(items: node.items).size)
                    }
                }
            }
        }
    }

    func testCopyOfALargeListSharesAllButOneNode() {
        var original = ListValue()
        original.push((0..<100_000).map { Bytes(string: "element-\($0)") }, atHead: false, fill: -2)
        let copy = original
        let before = original.nodeIdentities
        XCTAssertGreaterThan(before.count, 100)
        original.replace(at: 50_000, with: Bytes(string: "changed"), fill: -2)
        let after = original.nodeIdentities
        XCTAssertEqual(after.count, before.count)
        XCTAssertEqual(zip(before, after).filter { $0 != $1 }.count, 1, "only the edited node is copied")
        XCTAssertEqual(copy.nodeIdentities, before)
        XCTAssertEqual(copy[50_000], Bytes(string: "element-50000"))
        XCTAssertEqual(original[50_000], Bytes(string: "changed"))

        // A pop from the head moves the node's start past the element without writing to the shared bytes, so
        // it copies nothing; a pop from the tail truncates them, which copies that node.
        _ = original.pop(atHead: true)
        XCTAssertEqual(zip(copy.nodeIdentities, original.nodeIdentities).filter { $0 != $1 }.count, 1)
        _ = original.pop(atHead: false)
        XCTAssertEqual(zip(copy.nodeIdentities, original.nodeIdentities).filter { $0 != $1 }.count, 2)
        XCTAssertEqual(copy.count, 100_000)
        XCTAssertEqual(copy[0], Bytes(string: "element-0"))
    }

    func testDigestEqualsRedis() {
        run(["RPUSH", "l", "a", "b", "c", "1", "2"])
        XCTAssertEqual(run(["DEBUG", "DIGEST-VALUE", "l"]), "*1\r\n+f48a1249517530ff1906fc79ddbf9b687f71f06f\r\n")
    }
}
