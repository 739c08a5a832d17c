@testable import CairnEngine
import XCTest

/// Transcripts were recorded from redis-server 7.0.15 (replies and dirty counts), from the same scripts the
/// integration suite replays (Tests/integration/test_sets_zsets.py); t_zset.c behaves as in 7.2 for them.
/// What 7.2 changed (ZRANK WITHSCORE, ZRANGESTORE's destination encoding) is checked by hand afterwards.
final class SortedSetCommandTests: TranscriptTestCase {

    func testZaddOptions() {
        transcript([
            (["ZADD", "z", "1", "a", "2", "b", "3", "c"], ":3\r\n", 3),
            (["ZADD", "z", "5", "a"], ":0\r\n", 1),
            (["ZRANGE", "z", "0", "-1", "WITHSCORES"], "*6\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\na\r\n$1\r\n5\r\n", 0),
            (["ZADD", "z", "NX", "10", "a", "4", "d"], ":1\r\n", 1),
            (["ZADD", "z", "XX", "10", "a", "4", "e"], ":0\r\n", 1),
            (["ZADD", "z", "XX", "CH", "11", "a", "11", "b"], ":2\r\n", 2),
            (["ZADD", "z", "CH", "11", "a", "12", "f"], ":1\r\n", 1),
            (["ZADD", "z", "GT", "1", "a"], ":0\r\n", 0),
            (["ZADD", "z", "GT", "CH", "20", "a"], ":1\r\n", 1),
            (["ZADD", "z", "LT", "CH", "30", "a", "0", "b"], ":1\r\n", 1),
            (["ZADD", "z", "XX", "GT", "CH", "40", "a", "1", "c"], ":1\r\n", 1),
            (["ZRANGE", "z", "0", "-1", "WITHSCORES"], "*10\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nf\r\n$2\r\n12\r\n$1\r\na\r\n$2\r\n40\r\n", 0),
            (["ZADD", "z", "INCR", "5", "a"], "$2\r\n45\r\n", 1),
            (["ZADD", "z", "INCR", "NX", "5", "a"], "$-1\r\n", 0),
            (["ZADD", "z", "INCR", "XX", "5", "nosuch"], "$-1\r\n", 0),
            (["ZADD", "z", "INCR", "GT", "-5", "a"], "$-1\r\n", 0),
            (["ZADD", "z", "INCR", "LT", "-5", "a"], "$2\r\n40\r\n", 1),
            (["ZADD", "z", "nx", "xx", "1", "a"], "-ERR XX and NX options at the same time are not compatible\r\n", 0),
            (["ZADD", "z", "GT", "LT", "1", "a"], "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", 0),
            (["ZADD", "z", "GT", "NX", "1", "a"], "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", 0),
            (["ZADD", "z", "LT", "NX", "1", "a"], "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", 0),
            (["ZADD", "z", "INCR", "1", "a", "2", "b"], "-ERR INCR option supports a single increment-element pair\r\n", 0),
            (["ZADD", "z", "1"], "-ERR wrong number of arguments for 'zadd' command\r\n", 0),
            (["ZADD", "z", "1", "a", "2"], "-ERR syntax error\r\n", 0),
            (["ZADD", "z", "x", "a"], "-ERR value is not a valid float\r\n", 0),
            (["ZADD", "z", "nan", "a"], "-ERR value is not a valid float\r\n", 0),
            (["ZADD", "z", "1", "a", "x", "b"], "-ERR value is not a valid float\r\n", 0),
            (["ZADD", "z", "CH"], "-ERR wrong number of arguments for 'zadd' command\r\n", 0),
            (["ZADD", "z", "XX"], "-ERR wrong number of arguments for 'zadd' command\r\n", 0),
            (["ZADD", "missing", "XX", "1", "a"], ":0\r\n", 0),
            (["ZADD", "missing", "XX", "INCR", "1", "a"], "$-1\r\n", 0),
            (["EXISTS", "missing"], ":0\r\n", 0),
            (["ZADD", "z", "1e400", "big"], "-ERR value is not a valid float\r\n", 0),
            (["ZADD", "z", "-inf", "lo", "+inf", "hi"], ":2\r\n", 2),
            (["ZRANGE", "z", "0", "-1", "WITHSCORES"], "*14\r\n$2\r\nlo\r\n$4\r\n-inf\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nf\r\n$2\r\n12\r\n$1\r\na\r\n$2\r\n40\r\n$2\r\nhi\r\n$3\r\ninf\r\n", 0),
            (["ZADD", "z", "INCR", "-inf", "hi"], "-ERR resulting score is not a number (NaN)\r\n", 0),
            (["ZADD", "z", "INCR", "+inf", "lo"], "-ERR resulting score is not a number (NaN)\r\n", 0),
            (["ZSCORE", "z", "hi"], "$3\r\ninf\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZADD", "str", "1", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZADD", "str", "x", "a"], "-ERR value is not a valid float\r\n", 0),
            (["ZADD", "str", "XX", "NX", "1", "a"], "-ERR XX and NX options at the same time are not compatible\r\n", 0),
        ])
    }

    func testZcountZlexcount() {
        transcript([
            (["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "-inf", "ninf", "+inf", "pinf"], ":7\r\n", 7),
            (["ZCOUNT", "z", "-inf", "+inf"], ":7\r\n", 0),
            (["ZCOUNT", "z", "2", "4"], ":3\r\n", 0),
            (["ZCOUNT", "z", "(2", "4"], ":2\r\n", 0),
            (["ZCOUNT", "z", "(2", "(4"], ":1\r\n", 0),
            (["ZCOUNT", "z", "4", "2"], ":0\r\n", 0),
            (["ZCOUNT", "z", "(3", "3"], ":0\r\n", 0),
            (["ZCOUNT", "z", "-inf", "-inf"], ":1\r\n", 0),
            (["ZCOUNT", "z", "inf", "inf"], ":1\r\n", 0),
            (["ZCOUNT", "z", "", "10"], ":5\r\n", 0),
            (["ZCOUNT", "z", "(", "10"], ":5\r\n", 0),
            (["ZCOUNT", "z", " 2", "4"], ":3\r\n", 0),
            (["ZCOUNT", "z", "0x2", "4"], ":3\r\n", 0),
            (["ZCOUNT", "z", "2 ", "4"], "-ERR min or max is not a float\r\n", 0),
            (["ZCOUNT", "z", "x", "4"], "-ERR min or max is not a float\r\n", 0),
            (["ZCOUNT", "z", "1", "nan"], "-ERR min or max is not a float\r\n", 0),
            (["ZCOUNT", "z", "[1", "2"], "-ERR min or max is not a float\r\n", 0),
            (["ZCOUNT", "missing", "0", "1"], ":0\r\n", 0),
            (["ZCOUNT", "missing", "x", "1"], "-ERR min or max is not a float\r\n", 0),
            (["ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", ""], ":6\r\n", 6),
            (["ZLEXCOUNT", "l", "-", "+"], ":6\r\n", 0),
            (["ZLEXCOUNT", "l", "[b", "[d"], ":3\r\n", 0),
            (["ZLEXCOUNT", "l", "(b", "(d"], ":1\r\n", 0),
            (["ZLEXCOUNT", "l", "[b", "(b"], ":0\r\n", 0),
            (["ZLEXCOUNT", "l", "+", "-"], ":0\r\n", 0),
            (["ZLEXCOUNT", "l", "-", "-"], ":0\r\n", 0),
            (["ZLEXCOUNT", "l", "[", "[a"], ":2\r\n", 0),
            (["ZLEXCOUNT", "l", "(", "+"], ":5\r\n", 0),
            (["ZLEXCOUNT", "l", "b", "d"], "-ERR min or max not valid string range item\r\n", 0),
            (["ZLEXCOUNT", "l", "+x", "[a"], "-ERR min or max not valid string range item\r\n", 0),
            (["ZLEXCOUNT", "l", "", "+"], "-ERR min or max not valid string range item\r\n", 0),
            (["ZLEXCOUNT", "missing", "-", "+"], ":0\r\n", 0),
            (["ZLEXCOUNT", "missing", "x", "+"], "-ERR min or max not valid string range item\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZCOUNT", "str", "0", "1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZCOUNT", "str", "x", "1"], "-ERR min or max is not a float\r\n", 0),
            (["ZLEXCOUNT", "str", "-", "+"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testZincrbyZscore() {
        transcript([
            (["ZINCRBY", "z", "1.5", "a"], "$3\r\n1.5\r\n", 1),
            (["ZINCRBY", "z", "2", "a"], "$3\r\n3.5\r\n", 1),
            (["ZINCRBY", "z", "-0.25", "a"], "$4\r\n3.25\r\n", 1),
            (["ZSCORE", "z", "a"], "$4\r\n3.25\r\n", 0),
            (["ZINCRBY", "z", "x", "a"], "-ERR value is not a valid float\r\n", 0),
            (["ZINCRBY", "z", "nan", "a"], "-ERR value is not a valid float\r\n", 0),
            (["ZINCRBY", "z", "inf", "a"], "$3\r\ninf\r\n", 1),
            (["ZINCRBY", "z", "-inf", "a"], "-ERR resulting score is not a number (NaN)\r\n", 0),
            (["ZSCORE", "z", "a"], "$3\r\ninf\r\n", 0),
            (["ZADD", "z", "0.1", "b", "3.0000000000000004", "c", "1e20", "d", "-0", "e", "1e-7", "f", "123456789012345678", "g"], ":6\r\n", 6),
            (["ZRANGE", "z", "0", "-1", "WITHSCORES"], "*14\r\n$1\r\ne\r\n$1\r\n0\r\n$1\r\nf\r\n$4\r\n1e-7\r\n$1\r\nb\r\n$3\r\n0.1\r\n$1\r\nc\r\n$18\r\n3.0000000000000004\r\n$1\r\ng\r\n$18\r\n123456789012345680\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\na\r\n$3\r\ninf\r\n", 0),
            (["ZSCORE", "z", "b"], "$3\r\n0.1\r\n", 0),
            (["ZSCORE", "z", "missing"], "$-1\r\n", 0),
            (["ZSCORE", "missing", "a"], "$-1\r\n", 0),
            (["ZMSCORE", "z", "a", "b", "nosuch"], "*3\r\n$3\r\ninf\r\n$3\r\n0.1\r\n$-1\r\n", 0),
            (["ZMSCORE", "missing", "a", "b"], "*2\r\n$-1\r\n$-1\r\n", 0),
            (["ZMSCORE", "z"], "-ERR wrong number of arguments for 'zmscore' command\r\n", 0),
            (["ZINCRBY", "z", "nx", "a"], "-ERR syntax error\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZINCRBY", "str", "1", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZSCORE", "str", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZMSCORE", "str", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZMSCORE", "missing"], "-ERR wrong number of arguments for 'zmscore' command\r\n", 0),
        ])
    }

    func testZpopZmpop() {
        transcript([
            (["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ":5\r\n", 5),
            (["ZPOPMIN", "z"], "*2\r\n$1\r\na\r\n$1\r\n1\r\n", 1),
            (["ZPOPMAX", "z"], "*2\r\n$1\r\ne\r\n$1\r\n5\r\n", 1),
            (["ZPOPMIN", "z", "2"], "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", 2),
            (["ZPOPMAX", "z", "0"], "*0\r\n", 0),
            (["ZPOPMAX", "z", "10"], "*2\r\n$1\r\nd\r\n$1\r\n4\r\n", 1),
            (["EXISTS", "z"], ":0\r\n", 0),
            (["ZPOPMIN", "missing"], "*0\r\n", 0),
            (["ZPOPMIN", "missing", "2"], "*0\r\n", 0),
            (["ZPOPMIN", "z", "-1"], "-ERR value is out of range, must be positive\r\n", 0),
            (["ZPOPMIN", "z", "x"], "-ERR value is out of range, must be positive\r\n", 0),
            (["ZPOPMIN", "z", "1", "2"], "-ERR syntax error\r\n", 0),
            (["ZADD", "z", "1", "a", "2", "b", "3", "c"], ":3\r\n", 3),
            (["ZMPOP", "1", "z", "MIN"], "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", 1),
            (["ZMPOP", "2", "missing", "z", "MAX", "COUNT", "5"], "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", 2),
            (["ZMPOP", "1", "z", "MIN"], "*-1\r\n", 0),
            (["ZMPOP", "2", "missing", "z", "MIN"], "*-1\r\n", 0),
            (["ZMPOP", "0", "z", "MIN"], "-ERR numkeys should be greater than 0\r\n", 0),
            (["ZMPOP", "x", "z", "MIN"], "-ERR numkeys should be greater than 0\r\n", 0),
            (["ZMPOP", "2", "z", "MIN"], "-ERR syntax error\r\n", 0),
            (["ZMPOP", "1", "z", "FOO"], "-ERR syntax error\r\n", 0),
            (["ZMPOP", "1", "z", "MIN", "COUNT", "0"], "-ERR count should be greater than 0\r\n", 0),
            (["ZMPOP", "1", "z", "MIN", "COUNT", "x"], "-ERR count should be greater than 0\r\n", 0),
            (["ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"], "-ERR syntax error\r\n", 0),
            (["ZMPOP", "1", "z", "MIN", "FOO"], "-ERR syntax error\r\n", 0),
            (["ZMPOP", "1", "z", "MIN", "COUNT"], "-ERR syntax error\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZPOPMIN", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZPOPMIN", "str", "0"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZMPOP", "2", "missing", "str", "MIN"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZMPOP", "2", "str", "missing", "MIN"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testZrandmember() {
        transcript([
            (["ZADD", "z", "1", "a", "2", "b", "3", "c"], ":3\r\n", 3),
            (["ZRANDMEMBER", "missing"], "$-1\r\n", 0),
            (["ZRANDMEMBER", "missing", "2"], "*0\r\n", 0),
            (["ZRANDMEMBER", "z", "0"], "*0\r\n", 0),
            (["ZRANDMEMBER", "z", "3"], "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", 0),
            (["ZRANDMEMBER", "z", "5", "WITHSCORES"], "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n", 0),
            (["ZRANDMEMBER", "z", "x"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZRANDMEMBER", "z", "1", "foo"], "-ERR syntax error\r\n", 0),
            (["ZRANDMEMBER", "z", "1", "WITHSCORES", "x"], "-ERR syntax error\r\n", 0),
            (["ZRANDMEMBER", "z", "-9223372036854775808"], "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", 0),
            (["ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"], "-ERR value is out of range\r\n", 0),
            (["ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"], "-ERR value is out of range\r\n", 0),
            (["ZADD", "one", "7", "x"], ":1\r\n", 1),
            (["ZRANDMEMBER", "one"], "$1\r\nx\r\n", 0),
            (["ZRANDMEMBER", "one", "-3", "WITHSCORES"], "*6\r\n$1\r\nx\r\n$1\r\n7\r\n$1\r\nx\r\n$1\r\n7\r\n$1\r\nx\r\n$1\r\n7\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZRANDMEMBER", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZRANDMEMBER", "str", "1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testZrange() {
        transcript([
            (["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ":5\r\n", 5),
            (["ZRANGE", "z", "0", "-1"], "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "WITHSCORES"], "*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n", 0),
            (["ZRANGE", "z", "1", "2", "withscores"], "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", 0),
            (["ZRANGE", "z", "-2", "-1"], "*2\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZRANGE", "z", "-100", "100"], "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZRANGE", "z", "3", "1"], "*0\r\n", 0),
            (["ZRANGE", "z", "10", "20"], "*0\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "REV"], "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", 0),
            (["ZRANGE", "z", "0", "1", "REV", "WITHSCORES"], "*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n", 0),
            (["ZREVRANGE", "z", "0", "1"], "*2\r\n$1\r\ne\r\n$1\r\nd\r\n", 0),
            (["ZREVRANGE", "z", "0", "-1", "WITHSCORES"], "*10\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n", 0),
            (["ZRANGE", "z", "2", "4", "BYSCORE"], "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", 0),
            (["ZRANGE", "z", "(2", "+inf", "BYSCORE", "WITHSCORES"], "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n", 0),
            (["ZRANGE", "z", "4", "2", "BYSCORE", "REV"], "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n", 0),
            (["ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2"], "*2\r\n$1\r\nd\r\n$1\r\nc\r\n", 0),
            (["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"], "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", 0),
            (["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "-1"], "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"], "*0\r\n", 0),
            (["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "0"], "*0\r\n", 0),
            (["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "10", "1"], "*0\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "LIMIT", "1", "2"], "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "LIMIT", "1", "-1"], "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "LIMIT", "1"], "-ERR syntax error\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "LIMIT", "x", "1"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "BYSCORE", "BYLEX"], "-ERR syntax error\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "REV", "REV"], "-ERR syntax error\r\n", 0),
            (["ZRANGE", "z", "x", "1"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZRANGE", "z", "0", "1.5"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZRANGE", "z", "x", "1", "BYSCORE"], "-ERR min or max is not a float\r\n", 0),
            (["ZRANGE", "z", "a", "b", "BYLEX"], "-ERR min or max not valid string range item\r\n", 0),
            (["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"], "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "FOO"], "-ERR syntax error\r\n", 0),
            (["ZRANGE", "missing", "0", "-1"], "*0\r\n", 0),
            (["ZRANGE", "missing", "x", "1"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZRANGEBYSCORE", "z", "2", "4"], "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", 0),
            (["ZRANGEBYSCORE", "z", "2", "4", "WITHSCORES", "LIMIT", "1", "1"], "*2\r\n$1\r\nc\r\n$1\r\n3\r\n", 0),
            (["ZRANGEBYSCORE", "z", "2", "4", "REV"], "-ERR syntax error\r\n", 0),
            (["ZRANGEBYSCORE", "z", "2", "4", "BYSCORE"], "-ERR syntax error\r\n", 0),
            (["ZREVRANGEBYSCORE", "z", "4", "2"], "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n", 0),
            (["ZREVRANGEBYSCORE", "z", "4", "2", "WITHSCORES", "LIMIT", "0", "2"], "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n", 0),
            (["ZREVRANGEBYSCORE", "z", "2", "4"], "*0\r\n", 0),
            (["ZRANGEBYSCORE", "z", "(1", "(5"], "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", 0),
            (["ZRANGEBYSCORE", "z", "x", "1"], "-ERR min or max is not a float\r\n", 0),
            (["ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "0"], "-ERR syntax error\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZRANGE", "str", "0", "-1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZRANGE", "str", "x", "1"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZRANGEBYSCORE", "str", "0", "1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testZrangebylex() {
        transcript([
            (["ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "", "0", "aa", "0", "a\\x00", "0", "\\xff"], ":9\r\n", 9),
            (["ZRANGEBYLEX", "l", "-", "+"], "*9\r\n$0\r\n\r\n$1\r\na\r\n$2\r\na\\x00\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\n\\xff\r\n", 0),
            (["ZRANGEBYLEX", "l", "[a", "[c"], "*5\r\n$1\r\na\r\n$2\r\na\\x00\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n", 0),
            (["ZRANGEBYLEX", "l", "(a", "(c"], "*3\r\n$2\r\na\\x00\r\n$2\r\naa\r\n$1\r\nb\r\n", 0),
            (["ZRANGEBYLEX", "l", "[aa", "+"], "*6\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\n\\xff\r\n", 0),
            (["ZRANGEBYLEX", "l", "-", "+", "LIMIT", "2", "3"], "*3\r\n$2\r\na\\x00\r\n$2\r\naa\r\n$1\r\nb\r\n", 0),
            (["ZRANGEBYLEX", "l", "-", "+", "LIMIT", "2", "-1"], "*7\r\n$2\r\na\\x00\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\n\\xff\r\n", 0),
            (["ZREVRANGEBYLEX", "l", "+", "-"], "*9\r\n$1\r\n\\xff\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\naa\r\n$2\r\na\\x00\r\n$1\r\na\r\n$0\r\n\r\n", 0),
            (["ZREVRANGEBYLEX", "l", "[c", "[a"], "*5\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\naa\r\n$2\r\na\\x00\r\n$1\r\na\r\n", 0),
            (["ZREVRANGEBYLEX", "l", "(c", "-", "LIMIT", "1", "2"], "*2\r\n$2\r\naa\r\n$2\r\na\\x00\r\n", 0),
            (["ZREVRANGEBYLEX", "l", "[a", "[c"], "*0\r\n", 0),
            (["ZRANGE", "l", "[b", "[d", "BYLEX"], "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", 0),
            (["ZRANGE", "l", "[d", "[b", "BYLEX", "REV"], "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n", 0),
            (["ZRANGE", "l", "-", "+", "BYLEX", "LIMIT", "1", "1"], "*1\r\n$1\r\na\r\n", 0),
            (["ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"], "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", 0),
            (["ZRANGEBYLEX", "l", "a", "c"], "-ERR min or max not valid string range item\r\n", 0),
            (["ZRANGEBYLEX", "l", "[a"], "-ERR wrong number of arguments for 'zrangebylex' command\r\n", 0),
            (["ZRANGEBYLEX", "missing", "-", "+"], "*0\r\n", 0),
            (["ZRANGEBYLEX", "missing", "x", "+"], "-ERR min or max not valid string range item\r\n", 0),
        ])
    }

    func testZrangestore() {
        transcript([
            (["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ":5\r\n", 5),
            (["ZRANGESTORE", "d", "z", "0", "2"], ":3\r\n", 1),
            (["ZRANGE", "d", "0", "-1", "WITHSCORES"], "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", 0),
            (["OBJECT", "ENCODING", "d"], "$8\r\nlistpack\r\n", 0),
            (["ZRANGESTORE", "d", "z", "1", "3", "REV"], ":3\r\n", 1),
            (["ZRANGE", "d", "0", "-1", "WITHSCORES"], "*6\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n", 0),
            (["ZRANGESTORE", "d", "z", "2", "4", "BYSCORE"], ":3\r\n", 1),
            (["ZRANGE", "d", "0", "-1", "WITHSCORES"], "*6\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n", 0),
            (["ZRANGESTORE", "d", "z", "(4", "-inf", "BYSCORE", "REV", "LIMIT", "0", "2"], ":2\r\n", 1),
            (["ZRANGE", "d", "0", "-1", "WITHSCORES"], "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", 0),
            (["ZRANGESTORE", "d", "z", "10", "20"], ":0\r\n", 1),
            (["EXISTS", "d"], ":0\r\n", 0),
            (["ZRANGESTORE", "d", "z", "10", "20"], ":0\r\n", 0),
            (["ZRANGESTORE", "d", "missing", "0", "-1"], ":0\r\n", 0),
            (["ZRANGESTORE", "d", "z", "0", "-1", "WITHSCORES"], "-ERR syntax error\r\n", 0),
            (["ZRANGESTORE", "d", "z", "0", "-1", "LIMIT", "0", "1"], "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", 0),
            (["ZRANGESTORE", "d", "z"], "-ERR wrong number of arguments for 'zrangestore' command\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZRANGESTORE", "d", "str", "0", "-1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZRANGESTORE", "str", "z", "0", "-1"], ":5\r\n", 1),
            (["TYPE", "str"], "+zset\r\n", 0),
            (["ZRANGE", "str", "0", "-1"], "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
        ])
    }

    func testZremZcardZrank() {
        transcript([
            (["ZADD", "z", "1", "a", "2", "b", "3", "c", "3", "d"], ":4\r\n", 4),
            (["ZCARD", "z"], ":4\r\n", 0),
            (["ZRANK", "z", "a"], ":0\r\n", 0),
            (["ZRANK", "z", "d"], ":3\r\n", 0),
            (["ZREVRANK", "z", "a"], ":3\r\n", 0),
            (["ZREVRANK", "z", "d"], ":0\r\n", 0),
            (["ZRANK", "z", "nosuch"], "$-1\r\n", 0),
            (["ZRANK", "missing", "a"], "$-1\r\n", 0),
            (["ZREVRANK", "missing", "a"], "$-1\r\n", 0),
            (["ZREM", "z", "a", "nosuch"], ":1\r\n", 1),
            (["ZREM", "z", "b", "c", "d"], ":3\r\n", 3),
            (["EXISTS", "z"], ":0\r\n", 0),
            (["ZREM", "missing", "a"], ":0\r\n", 0),
            (["ZCARD", "missing"], ":0\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZREM", "str", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZCARD", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZRANK", "str", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testZremrange() {
        transcript([
            (["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"], ":6\r\n", 6),
            (["ZREMRANGEBYRANK", "z", "0", "0"], ":1\r\n", 1),
            (["ZREMRANGEBYRANK", "z", "-1", "-1"], ":1\r\n", 1),
            (["ZREMRANGEBYRANK", "z", "5", "10"], ":0\r\n", 0),
            (["ZREMRANGEBYRANK", "z", "2", "1"], ":0\r\n", 0),
            (["ZRANGE", "z", "0", "-1"], "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZREMRANGEBYSCORE", "z", "(2", "3"], ":1\r\n", 1),
            (["ZREMRANGEBYSCORE", "z", "100", "200"], ":0\r\n", 0),
            (["ZRANGE", "z", "0", "-1"], "*3\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZREMRANGEBYRANK", "z", "0", "-1"], ":3\r\n", 3),
            (["EXISTS", "z"], ":0\r\n", 0),
            (["ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d"], ":4\r\n", 4),
            (["ZREMRANGEBYLEX", "l", "[b", "(d"], ":2\r\n", 2),
            (["ZRANGE", "l", "0", "-1"], "*2\r\n$1\r\na\r\n$1\r\nd\r\n", 0),
            (["ZREMRANGEBYLEX", "l", "-", "+"], ":2\r\n", 2),
            (["EXISTS", "l"], ":0\r\n", 0),
            (["ZREMRANGEBYRANK", "missing", "0", "1"], ":0\r\n", 0),
            (["ZREMRANGEBYRANK", "missing", "x", "1"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZREMRANGEBYSCORE", "missing", "x", "1"], "-ERR min or max is not a float\r\n", 0),
            (["ZREMRANGEBYLEX", "missing", "x", "1"], "-ERR min or max not valid string range item\r\n", 0),
            (["ZREMRANGEBYSCORE", "missing", "0", "1"], ":0\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZREMRANGEBYRANK", "str", "0", "1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZREMRANGEBYSCORE", "str", "0", "1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZREMRANGEBYLEX", "str", "-", "+"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZREMRANGEBYLEX", "str", "x", "+"], "-ERR min or max not valid string range item\r\n", 0),
        ])
    }

    func testZscan() {
        transcript([
            (["ZADD", "z", "1", "a", "2.5", "b", "-inf", "c"], ":3\r\n", 3),
            (["ZSCAN", "z", "0"], "*2\r\n$1\r\n0\r\n*6\r\n$1\r\nc\r\n$4\r\n-inf\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n", 0),
            (["ZSCAN", "z", "0", "MATCH", "a*"], "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", 0),
            (["ZSCAN", "z", "0", "COUNT", "0"], "-ERR syntax error\r\n", 0),
            (["ZSCAN", "z", "x"], "-ERR invalid cursor\r\n", 0),
            (["ZSCAN", "missing", "0"], "*2\r\n$1\r\n0\r\n*0\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZSCAN", "str", "0"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testZunionZinterZdiff() {
        transcript([
            (["ZADD", "a", "1", "x", "2", "y", "3", "z"], ":3\r\n", 3),
            (["ZADD", "b", "10", "y", "20", "z", "30", "w"], ":3\r\n", 3),
            (["SADD", "s", "x", "w", "q"], ":3\r\n", 3),
            (["ZUNION", "2", "a", "b"], "*4\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\nw\r\n", 0),
            (["ZUNION", "2", "a", "b", "WITHSCORES"], "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n", 0),
            (["ZUNION", "3", "a", "b", "s", "WITHSCORES"], "*10\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n31\r\n", 0),
            (["ZUNION", "2", "a", "b", "WEIGHTS", "2", "3", "WITHSCORES"], "*8\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$2\r\n34\r\n$1\r\nz\r\n$2\r\n66\r\n$1\r\nw\r\n$2\r\n90\r\n", 0),
            (["ZUNION", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"], "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\nw\r\n$2\r\n30\r\n", 0),
            (["ZUNION", "2", "a", "b", "aggregate", "max", "withscores"], "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n10\r\n$1\r\nz\r\n$2\r\n20\r\n$1\r\nw\r\n$2\r\n30\r\n", 0),
            (["ZINTER", "2", "a", "b", "WITHSCORES"], "*4\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n", 0),
            (["ZINTER", "2", "a", "s", "WITHSCORES"], "*2\r\n$1\r\nx\r\n$1\r\n2\r\n", 0),
            (["ZINTER", "2", "a", "b", "WEIGHTS", "1", "-1", "AGGREGATE", "SUM", "WITHSCORES"], "*4\r\n$1\r\nz\r\n$3\r\n-17\r\n$1\r\ny\r\n$2\r\n-8\r\n", 0),
            (["ZINTER", "2", "a", "missing"], "*0\r\n", 0),
            (["ZDIFF", "2", "a", "b", "WITHSCORES"], "*2\r\n$1\r\nx\r\n$1\r\n1\r\n", 0),
            (["ZDIFF", "3", "a", "b", "s", "WITHSCORES"], "*0\r\n", 0),
            (["ZDIFF", "1", "a"], "*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n", 0),
            (["ZDIFF", "2", "missing", "a"], "*0\r\n", 0),
            (["ZDIFF", "2", "a", "a"], "*0\r\n", 0),
            (["ZINTERCARD", "2", "a", "b"], ":2\r\n", 0),
            (["ZINTERCARD", "2", "a", "b", "LIMIT", "1"], ":1\r\n", 0),
            (["ZINTERCARD", "2", "a", "b", "LIMIT", "-1"], "-ERR LIMIT can't be negative\r\n", 0),
            (["ZINTERCARD", "2", "a", "b", "WITHSCORES"], "-ERR syntax error\r\n", 0),
            (["ZINTERCARD", "0", "a"], "-ERR at least 1 input key is needed for 'zintercard' command\r\n", 0),
            (["ZUNION", "0", "a"], "-ERR at least 1 input key is needed for 'zunion' command\r\n", 0),
            (["ZUNION", "-1", "a"], "-ERR at least 1 input key is needed for 'zunion' command\r\n", 0),
            (["ZUNION", "x", "a"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZUNION", "3", "a", "b"], "-ERR syntax error\r\n", 0),
            (["ZUNION", "2", "a", "b", "WEIGHTS", "1"], "-ERR syntax error\r\n", 0),
            (["ZUNION", "2", "a", "b", "WEIGHTS", "1", "x"], "-ERR weight value is not a float\r\n", 0),
            (["ZUNION", "2", "a", "b", "AGGREGATE", "avg"], "-ERR syntax error\r\n", 0),
            (["ZUNION", "2", "a", "b", "AGGREGATE"], "-ERR syntax error\r\n", 0),
            (["ZDIFF", "2", "a", "b", "WEIGHTS", "1", "2"], "-ERR syntax error\r\n", 0),
            (["ZDIFF", "2", "a", "b", "AGGREGATE", "SUM"], "-ERR syntax error\r\n", 0),
            (["ZUNION", "2", "a", "b", "FOO"], "-ERR syntax error\r\n", 0),
            (["ZADD", "inf", "1", "x", "+inf", "y"], ":2\r\n", 2),
            (["ZADD", "ninf", "1", "x", "-inf", "y"], ":2\r\n", 2),
            (["ZUNION", "2", "inf", "ninf", "WITHSCORES"], "*4\r\n$1\r\ny\r\n$1\r\n0\r\n$1\r\nx\r\n$1\r\n2\r\n", 0),
            (["ZINTER", "2", "inf", "ninf", "WITHSCORES"], "*4\r\n$1\r\ny\r\n$1\r\n0\r\n$1\r\nx\r\n$1\r\n2\r\n", 0),
            (["ZUNION", "2", "inf", "ninf", "WEIGHTS", "0", "1", "WITHSCORES"], "*4\r\n$1\r\ny\r\n$4\r\n-inf\r\n$1\r\nx\r\n$1\r\n1\r\n", 0),
            (["ZUNIONSTORE", "d", "2", "a", "b"], ":4\r\n", 1),
            (["ZRANGE", "d", "0", "-1", "WITHSCORES"], "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n", 0),
            (["OBJECT", "ENCODING", "d"], "$8\r\nlistpack\r\n", 0),
            (["ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "2", "2"], ":2\r\n", 1),
            (["ZRANGE", "d", "0", "-1", "WITHSCORES"], "*4\r\n$1\r\ny\r\n$2\r\n24\r\n$1\r\nz\r\n$2\r\n46\r\n", 0),
            (["ZDIFFSTORE", "d", "2", "a", "b"], ":1\r\n", 1),
            (["ZRANGE", "d", "0", "-1", "WITHSCORES"], "*2\r\n$1\r\nx\r\n$1\r\n1\r\n", 0),
            (["ZINTERSTORE", "d", "2", "a", "missing"], ":0\r\n", 1),
            (["EXISTS", "d"], ":0\r\n", 0),
            (["ZINTERSTORE", "d", "2", "a", "missing"], ":0\r\n", 0),
            (["ZUNIONSTORE", "d", "2", "a", "b", "WITHSCORES"], "-ERR syntax error\r\n", 0),
            (["ZUNIONSTORE", "d", "0", "a"], "-ERR at least 1 input key is needed for 'zunionstore' command\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZUNION", "2", "a", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZUNION", "2", "a", "str", "FOO"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZINTERCARD", "2", "a", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZUNIONSTORE", "str", "1", "a"], ":3\r\n", 1),
            (["TYPE", "str"], "+zset\r\n", 0),
        ])
    }

    func testZrangeResp3() {
        transcript([
            (["HELLO", "3"], nil, 0),
            (["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ":5\r\n", 5),
            (["ZRANGE", "z", "0", "-1"], "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "WITHSCORES"], "*5\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\ne\r\n,5\r\n", 0),
            (["ZRANGE", "z", "1", "2", "withscores"], "*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n", 0),
            (["ZRANGE", "z", "-2", "-1"], "*2\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZRANGE", "z", "-100", "100"], "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZRANGE", "z", "3", "1"], "*0\r\n", 0),
            (["ZRANGE", "z", "10", "20"], "*0\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "REV"], "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", 0),
            (["ZRANGE", "z", "0", "1", "REV", "WITHSCORES"], "*2\r\n*2\r\n$1\r\ne\r\n,5\r\n*2\r\n$1\r\nd\r\n,4\r\n", 0),
            (["ZREVRANGE", "z", "0", "1"], "*2\r\n$1\r\ne\r\n$1\r\nd\r\n", 0),
            (["ZREVRANGE", "z", "0", "-1", "WITHSCORES"], "*5\r\n*2\r\n$1\r\ne\r\n,5\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n", 0),
            (["ZRANGE", "z", "2", "4", "BYSCORE"], "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", 0),
            (["ZRANGE", "z", "(2", "+inf", "BYSCORE", "WITHSCORES"], "*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\ne\r\n,5\r\n", 0),
            (["ZRANGE", "z", "4", "2", "BYSCORE", "REV"], "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n", 0),
            (["ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2"], "*2\r\n$1\r\nd\r\n$1\r\nc\r\n", 0),
            (["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"], "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", 0),
            (["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "-1"], "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"], "*0\r\n", 0),
            (["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "0"], "*0\r\n", 0),
            (["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "10", "1"], "*0\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "LIMIT", "1", "2"], "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "LIMIT", "1", "-1"], "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "LIMIT", "1"], "-ERR syntax error\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "LIMIT", "x", "1"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "BYSCORE", "BYLEX"], "-ERR syntax error\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "REV", "REV"], "-ERR syntax error\r\n", 0),
            (["ZRANGE", "z", "x", "1"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZRANGE", "z", "0", "1.5"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZRANGE", "z", "x", "1", "BYSCORE"], "-ERR min or max is not a float\r\n", 0),
            (["ZRANGE", "z", "a", "b", "BYLEX"], "-ERR min or max not valid string range item\r\n", 0),
            (["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"], "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", 0),
            (["ZRANGE", "z", "0", "-1", "FOO"], "-ERR syntax error\r\n", 0),
            (["ZRANGE", "missing", "0", "-1"], "*0\r\n", 0),
            (["ZRANGE", "missing", "x", "1"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZRANGEBYSCORE", "z", "2", "4"], "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", 0),
            (["ZRANGEBYSCORE", "z", "2", "4", "WITHSCORES", "LIMIT", "1", "1"], "*1\r\n*2\r\n$1\r\nc\r\n,3\r\n", 0),
            (["ZRANGEBYSCORE", "z", "2", "4", "REV"], "-ERR syntax error\r\n", 0),
            (["ZRANGEBYSCORE", "z", "2", "4", "BYSCORE"], "-ERR syntax error\r\n", 0),
            (["ZREVRANGEBYSCORE", "z", "4", "2"], "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n", 0),
            (["ZREVRANGEBYSCORE", "z", "4", "2", "WITHSCORES", "LIMIT", "0", "2"], "*2\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\nc\r\n,3\r\n", 0),
            (["ZREVRANGEBYSCORE", "z", "2", "4"], "*0\r\n", 0),
            (["ZRANGEBYSCORE", "z", "(1", "(5"], "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", 0),
            (["ZRANGEBYSCORE", "z", "x", "1"], "-ERR min or max is not a float\r\n", 0),
            (["ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "0"], "-ERR syntax error\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZRANGE", "str", "0", "-1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZRANGE", "str", "x", "1"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZRANGEBYSCORE", "str", "0", "1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testZpopZmpopResp3() {
        transcript([
            (["HELLO", "3"], nil, 0),
            (["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ":5\r\n", 5),
            (["ZPOPMIN", "z"], "*2\r\n$1\r\na\r\n,1\r\n", 1),
            (["ZPOPMAX", "z"], "*2\r\n$1\r\ne\r\n,5\r\n", 1),
            (["ZPOPMIN", "z", "2"], "*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n", 2),
            (["ZPOPMAX", "z", "0"], "*0\r\n", 0),
            (["ZPOPMAX", "z", "10"], "*1\r\n*2\r\n$1\r\nd\r\n,4\r\n", 1),
            (["EXISTS", "z"], ":0\r\n", 0),
            (["ZPOPMIN", "missing"], "*0\r\n", 0),
            (["ZPOPMIN", "missing", "2"], "*0\r\n", 0),
            (["ZPOPMIN", "z", "-1"], "-ERR value is out of range, must be positive\r\n", 0),
            (["ZPOPMIN", "z", "x"], "-ERR value is out of range, must be positive\r\n", 0),
            (["ZPOPMIN", "z", "1", "2"], "-ERR syntax error\r\n", 0),
            (["ZADD", "z", "1", "a", "2", "b", "3", "c"], ":3\r\n", 3),
            (["ZMPOP", "1", "z", "MIN"], "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n", 1),
            (["ZMPOP", "2", "missing", "z", "MAX", "COUNT", "5"], "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n", 2),
            (["ZMPOP", "1", "z", "MIN"], "_\r\n", 0),
            (["ZMPOP", "2", "missing", "z", "MIN"], "_\r\n", 0),
            (["ZMPOP", "0", "z", "MIN"], "-ERR numkeys should be greater than 0\r\n", 0),
            (["ZMPOP", "x", "z", "MIN"], "-ERR numkeys should be greater than 0\r\n", 0),
            (["ZMPOP", "2", "z", "MIN"], "-ERR syntax error\r\n", 0),
            (["ZMPOP", "1", "z", "FOO"], "-ERR syntax error\r\n", 0),
            (["ZMPOP", "1", "z", "MIN", "COUNT", "0"], "-ERR count should be greater than 0\r\n", 0),
            (["ZMPOP", "1", "z", "MIN", "COUNT", "x"], "-ERR count should be greater than 0\r\n", 0),
            (["ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"], "-ERR syntax error\r\n", 0),
            (["ZMPOP", "1", "z", "MIN", "FOO"], "-ERR syntax error\r\n", 0),
            (["ZMPOP", "1", "z", "MIN", "COUNT"], "-ERR syntax error\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZPOPMIN", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZPOPMIN", "str", "0"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZMPOP", "2", "missing", "str", "MIN"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZMPOP", "2", "str", "missing", "MIN"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testZunionZinterZdiffResp3() {
        transcript([
            (["HELLO", "3"], nil, 0),
            (["ZADD", "a", "1", "x", "2", "y", "3", "z"], ":3\r\n", 3),
            (["ZADD", "b", "10", "y", "20", "z", "30", "w"], ":3\r\n", 3),
            (["SADD", "s", "x", "w", "q"], ":3\r\n", 3),
            (["ZUNION", "2", "a", "b"], "*4\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\nw\r\n", 0),
            (["ZUNION", "2", "a", "b", "WITHSCORES"], "*4\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,12\r\n*2\r\n$1\r\nz\r\n,23\r\n*2\r\n$1\r\nw\r\n,30\r\n", 0),
            (["ZUNION", "3", "a", "b", "s", "WITHSCORES"], "*5\r\n*2\r\n$1\r\nq\r\n,1\r\n*2\r\n$1\r\nx\r\n,2\r\n*2\r\n$1\r\ny\r\n,12\r\n*2\r\n$1\r\nz\r\n,23\r\n*2\r\n$1\r\nw\r\n,31\r\n", 0),
            (["ZUNION", "2", "a", "b", "WEIGHTS", "2", "3", "WITHSCORES"], "*4\r\n*2\r\n$1\r\nx\r\n,2\r\n*2\r\n$1\r\ny\r\n,34\r\n*2\r\n$1\r\nz\r\n,66\r\n*2\r\n$1\r\nw\r\n,90\r\n", 0),
            (["ZUNION", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"], "*4\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,2\r\n*2\r\n$1\r\nz\r\n,3\r\n*2\r\n$1\r\nw\r\n,30\r\n", 0),
            (["ZUNION", "2", "a", "b", "aggregate", "max", "withscores"], "*4\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,10\r\n*2\r\n$1\r\nz\r\n,20\r\n*2\r\n$1\r\nw\r\n,30\r\n", 0),
            (["ZINTER", "2", "a", "b", "WITHSCORES"], "*2\r\n*2\r\n$1\r\ny\r\n,12\r\n*2\r\n$1\r\nz\r\n,23\r\n", 0),
            (["ZINTER", "2", "a", "s", "WITHSCORES"], "*1\r\n*2\r\n$1\r\nx\r\n,2\r\n", 0),
            (["ZINTER", "2", "a", "b", "WEIGHTS", "1", "-1", "AGGREGATE", "SUM", "WITHSCORES"], "*2\r\n*2\r\n$1\r\nz\r\n,-17\r\n*2\r\n$1\r\ny\r\n,-8\r\n", 0),
            (["ZINTER", "2", "a", "missing"], "*0\r\n", 0),
            (["ZDIFF", "2", "a", "b", "WITHSCORES"], "*1\r\n*2\r\n$1\r\nx\r\n,1\r\n", 0),
            (["ZDIFF", "3", "a", "b", "s", "WITHSCORES"], "*0\r\n", 0),
            (["ZDIFF", "1", "a"], "*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n", 0),
            (["ZDIFF", "2", "missing", "a"], "*0\r\n", 0),
            (["ZDIFF", "2", "a", "a"], "*0\r\n", 0),
            (["ZINTERCARD", "2", "a", "b"], ":2\r\n", 0),
            (["ZINTERCARD", "2", "a", "b", "LIMIT", "1"], ":1\r\n", 0),
            (["ZINTERCARD", "2", "a", "b", "LIMIT", "-1"], "-ERR LIMIT can't be negative\r\n", 0),
            (["ZINTERCARD", "2", "a", "b", "WITHSCORES"], "-ERR syntax error\r\n", 0),
            (["ZINTERCARD", "0", "a"], "-ERR at least 1 input key is needed for 'zintercard' command\r\n", 0),
            (["ZUNION", "0", "a"], "-ERR at least 1 input key is needed for 'zunion' command\r\n", 0),
            (["ZUNION", "-1", "a"], "-ERR at least 1 input key is needed for 'zunion' command\r\n", 0),
            (["ZUNION", "x", "a"], "-ERR value is not an integer or out of range\r\n", 0),
            (["ZUNION", "3", "a", "b"], "-ERR syntax error\r\n", 0),
            (["ZUNION", "2", "a", "b", "WEIGHTS", "1"], "-ERR syntax error\r\n", 0),
            (["ZUNION", "2", "a", "b", "WEIGHTS", "1", "x"], "-ERR weight value is not a float\r\n", 0),
            (["ZUNION", "2", "a", "b", "AGGREGATE", "avg"], "-ERR syntax error\r\n", 0),
            (["ZUNION", "2", "a", "b", "AGGREGATE"], "-ERR syntax error\r\n", 0),
            (["ZDIFF", "2", "a", "b", "WEIGHTS", "1", "2"], "-ERR syntax error\r\n", 0),
            (["ZDIFF", "2", "a", "b", "AGGREGATE", "SUM"], "-ERR syntax error\r\n", 0),
            (["ZUNION", "2", "a", "b", "FOO"], "-ERR syntax error\r\n", 0),
            (["ZADD", "inf", "1", "x", "+inf", "y"], ":2\r\n", 2),
            (["ZADD", "ninf", "1", "x", "-inf", "y"], ":2\r\n", 2),
            (["ZUNION", "2", "inf", "ninf", "WITHSCORES"], "*2\r\n*2\r\n$1\r\ny\r\n,0\r\n*2\r\n$1\r\nx\r\n,2\r\n", 0),
            (["ZINTER", "2", "inf", "ninf", "WITHSCORES"], "*2\r\n*2\r\n$1\r\ny\r\n,0\r\n*2\r\n$1\r\nx\r\n,2\r\n", 0),
            (["ZUNION", "2", "inf", "ninf", "WEIGHTS", "0", "1", "WITHSCORES"], "*2\r\n*2\r\n$1\r\ny\r\n,-inf\r\n*2\r\n$1\r\nx\r\n,1\r\n", 0),
            (["ZUNIONSTORE", "d", "2", "a", "b"], ":4\r\n", 1),
            (["ZRANGE", "d", "0", "-1", "WITHSCORES"], "*4\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,12\r\n*2\r\n$1\r\nz\r\n,23\r\n*2\r\n$1\r\nw\r\n,30\r\n", 0),
            (["OBJECT", "ENCODING", "d"], "$8\r\nlistpack\r\n", 0),
            (["ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "2", "2"], ":2\r\n", 1),
            (["ZRANGE", "d", "0", "-1", "WITHSCORES"], "*2\r\n*2\r\n$1\r\ny\r\n,24\r\n*2\r\n$1\r\nz\r\n,46\r\n", 0),
            (["ZDIFFSTORE", "d", "2", "a", "b"], ":1\r\n", 1),
            (["ZRANGE", "d", "0", "-1", "WITHSCORES"], "*1\r\n*2\r\n$1\r\nx\r\n,1\r\n", 0),
            (["ZINTERSTORE", "d", "2", "a", "missing"], ":0\r\n", 1),
            (["EXISTS", "d"], ":0\r\n", 0),
            (["ZINTERSTORE", "d", "2", "a", "missing"], ":0\r\n", 0),
            (["ZUNIONSTORE", "d", "2", "a", "b", "WITHSCORES"], "-ERR syntax error\r\n", 0),
            (["ZUNIONSTORE", "d", "0", "a"], "-ERR at least 1 input key is needed for 'zunionstore' command\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZUNION", "2", "a", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZUNION", "2", "a", "str", "FOO"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZINTERCARD", "2", "a", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZUNIONSTORE", "str", "1", "a"], ":3\r\n", 1),
            (["TYPE", "str"], "+zset\r\n", 0),
        ])
    }

    func testZincrbyZscoreResp3() {
        transcript([
            (["HELLO", "3"], nil, 0),
            (["ZINCRBY", "z", "1.5", "a"], ",1.5\r\n", 1),
            (["ZINCRBY", "z", "2", "a"], ",3.5\r\n", 1),
            (["ZINCRBY", "z", "-0.25", "a"], ",3.25\r\n", 1),
            (["ZSCORE", "z", "a"], ",3.25\r\n", 0),
            (["ZINCRBY", "z", "x", "a"], "-ERR value is not a valid float\r\n", 0),
            (["ZINCRBY", "z", "nan", "a"], "-ERR value is not a valid float\r\n", 0),
            (["ZINCRBY", "z", "inf", "a"], ",inf\r\n", 1),
            (["ZINCRBY", "z", "-inf", "a"], "-ERR resulting score is not a number (NaN)\r\n", 0),
            (["ZSCORE", "z", "a"], ",inf\r\n", 0),
            (["ZADD", "z", "0.1", "b", "3.0000000000000004", "c", "1e20", "d", "-0", "e", "1e-7", "f", "123456789012345678", "g"], ":6\r\n", 6),
            (["ZRANGE", "z", "0", "-1", "WITHSCORES"], "*7\r\n*2\r\n$1\r\ne\r\n,0\r\n*2\r\n$1\r\nf\r\n,1e-7\r\n*2\r\n$1\r\nb\r\n,0.1\r\n*2\r\n$1\r\nc\r\n,3.0000000000000004\r\n*2\r\n$1\r\ng\r\n,123456789012345680\r\n*2\r\n$1\r\nd\r\n,1e+20\r\n*2\r\n$1\r\na\r\n,inf\r\n", 0),
            (["ZSCORE", "z", "b"], ",0.1\r\n", 0),
            (["ZSCORE", "z", "missing"], "_\r\n", 0),
            (["ZSCORE", "missing", "a"], "_\r\n", 0),
            (["ZMSCORE", "z", "a", "b", "nosuch"], "*3\r\n,inf\r\n,0.1\r\n_\r\n", 0),
            (["ZMSCORE", "missing", "a", "b"], "*2\r\n_\r\n_\r\n", 0),
            (["ZMSCORE", "z"], "-ERR wrong number of arguments for 'zmscore' command\r\n", 0),
            (["ZINCRBY", "z", "nx", "a"], "-ERR syntax error\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["ZINCRBY", "str", "1", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZSCORE", "str", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZMSCORE", "str", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["ZMSCORE", "missing"], "-ERR wrong number of arguments for 'zmscore' command\r\n", 0),
        ])
    }

    func testWatchBreaksOnlyWhenASortedSetChanges() {
        transcript([
            (["ZADD", "z", "1", "a"], ":1\r\n", 1),
            (["WATCH", "z"], "+OK\r\n", 0),
            (["ZADD", "z", "1", "a"], ":0\r\n", 0),
            (["ZADD", "z", "NX", "2", "a"], ":0\r\n", 0),
            (["ZADD", "z", "XX", "1", "b"], ":0\r\n", 0),
            (["ZINCRBY", "z", "0", "a"], "$1\r\n1\r\n", 0),
            (["ZREM", "z", "b"], ":0\r\n", 0),
            (["ZREMRANGEBYSCORE", "z", "5", "6"], ":0\r\n", 0),
            (["ZPOPMIN", "missing"], "*0\r\n", 0),
            (["MULTI"], "+OK\r\n", 0),
            (["PING"], "+QUEUED\r\n", 0),
            (["EXEC"], "*1\r\n+PONG\r\n", 0),
            (["WATCH", "z"], "+OK\r\n", 0),
            (["ZADD", "z", "2", "a"], ":0\r\n", 1),
            (["MULTI"], "+OK\r\n", 0),
            (["PING"], "+QUEUED\r\n", 0),
            (["EXEC"], "*-1\r\n", 0),
            (["WATCH", "z"], "+OK\r\n", 0),
            (["ZPOPMIN", "z"], "*2\r\n$1\r\na\r\n$1\r\n2\r\n", 1),
            (["MULTI"], "+OK\r\n", 0),
            (["PING"], "+QUEUED\r\n", 0),
            (["EXEC"], "*-1\r\n", 0),
        ])
    }

    // MARK: Redis 7.2 behaviour

    func testZrankWithScore() {
        run(["ZADD", "z", "1.5", "a", "2", "b", "+inf", "c"])
        XCTAssertEqual(run(["ZRANK", "z", "b", "WITHSCORE"]), "*2\r\n:1\r\n$1\r\n2\r\n")
        XCTAssertEqual(run(["ZREVRANK", "z", "a", "withscore"]), "*2\r\n:2\r\n$3\r\n1.5\r\n")
        XCTAssertEqual(run(["ZRANK", "z", "c", "WITHSCORE"]), "*2\r\n:2\r\n$3\r\ninf\r\n")
        XCTAssertEqual(run(["ZRANK", "z", "nosuch", "WITHSCORE"]), "*-1\r\n")
        XCTAssertEqual(run(["ZRANK", "missing", "a", "WITHSCORE"]), "*-1\r\n")
        XCTAssertEqual(run(["ZRANK", "z", "a", "foo"]), "-ERR syntax error\r\n")
        XCTAssertEqual(run(["ZRANK", "z", "a", "WITHSCORE", "x"]), "-ERR wrong number of arguments for 'zrank' command\r\n")
        run(["HELLO", "3"])
        XCTAssertEqual(run(["ZRANK", "z", "a", "WITHSCORE"]), "*2\r\n:0\r\n,1.5\r\n")
        XCTAssertEqual(run(["ZRANK", "z", "nosuch", "WITHSCORE"]), "_\r\n")
        XCTAssertEqual(run(["ZRANK", "z", "nosuch"]), "_\r\n")
    }

    func testZrangestoreDestinationEncoding() {
        run(["ZADD", "z", "1", "a", "2", "b", "3", "c"])
        run(["ZRANGESTORE", "byrank", "z", "0", "-1"])
        XCTAssertEqual(encoding("byrank"), "listpack")
        // Score and lex ranges have no length up front, so Redis 7.2 sizes their destination as a skiplist.
        run(["ZRANGESTORE", "byscore", "z", "-inf", "+inf", "BYSCORE"])
        XCTAssertEqual(encoding("byscore"), "skiplist")
        run(["ZRANGESTORE", "bylex", "z", "-", "+", "BYLEX"])
        XCTAssertEqual(encoding("bylex"), "skiplist")
        run(["ZADD", "long", "1", String(repeating: "x", count: 65)])
        run(["ZRANGESTORE", "d", "long", "0", "-1"])
        XCTAssertEqual(encoding("d"), "skiplist")
    }

    func testEncodingThresholds() {
        run(["ZADD", "z"] + (0..<128).flatMap { [String($0), "m\($0)"] })
        XCTAssertEqual(encoding("z"), "listpack")
        run(["ZADD", "z", "1000", "m128"])
        XCTAssertEqual(encoding("z"), "skiplist")
        run(["ZREMRANGEBYRANK", "z", "0", "-3"])
        XCTAssertEqual(encoding("z"), "skiplist", "never converted back in place")
        run(["ZUNIONSTORE", "u", "1", "z"])
        XCTAssertEqual(encoding("u"), "listpack", "stored results are compacted when small")
        run(["ZADD", "many"] + (0..<129).flatMap { [String($0), "m\($0)"] })
        XCTAssertEqual(encoding("many"), "skiplist")
        run(["ZADD", "long", "1", String(repeating: "x", count: 64)])
        XCTAssertEqual(encoding("long"), "listpack")
        run(["ZADD", "long", "2", String(repeating: "y", count: 65)])
        XCTAssertEqual(encoding("long"), "skiplist")
    }

    func testNegativeZeroScore() {
        // A listpack stores scores as text, so -0 reads back as 0; a skiplist keeps the sign.
        XCTAssertEqual(run(["ZADD", "z", "INCR", "-0", "a"]), "$2\r\n-0\r\n")
        XCTAssertEqual(run(["ZSCORE", "z", "a"]), "$1\r\n0\r\n")
        run(["ZADD", "s", "1", String(repeating: "x", count: 70), "-0", "a"])
        XCTAssertEqual(run(["ZSCORE", "s", "a"]), "$2\r\n-0\r\n")
    }

    // MARK: structure

    func testCopyOfLargeSortedSetSharesAllButOneChunk() {
        let limits = SortedSetLimits(EngineSettings())
        var original = SortedSetValue(sizeHint: 0, longestMember: 0, limits: limits)
        for i in 0..<100_000 { original.set(Bytes(string: "member:\(i)"), Double(i % 1000), limits: limits) }
        XCTAssertEqual("\(original.encodingName)", "skiplist")
        let copy = original
        let before = copy.chunkIdentities
        XCTAssertGreaterThan(before.count, 100)
        original.set(Bytes(string: "member:5"), 2.5, limits: limits)
        XCTAssertEqual(copy.chunkIdentities, before)
        XCTAssertEqual(copy.score(Bytes(string: "member:5")), 5)
        XCTAssertEqual(original.score(Bytes(string: "member:5")), 2.5)
        XCTAssertEqual(copy.count, 100_000)
        // Moving one member touches the order chunk it left, the one it joined, and its index chunk.
        let changed = zip(before, original.chunkIdentities).filter { $0 != $1 }.count
        XCTAssertLessThanOrEqual(changed, 3)
    }

    func testOrderAndRanksStayConsistentUnderRandomEdits() {
        let limits = SortedSetLimits(EngineSettings())
        var z = SortedSetValue(sizeHint: 1000, longestMember: 0, limits: limits)
        var model: [String: Double] = [:]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let m = "m\(Int.random(in: 0..<3000, using: &rng))"
            if Bool.random(using: &rng) {
                let s = Double(Int.random(in: -50...50, using: &rng))
                z.set(Bytes(string: m), s, limits: limits)
                model[m] = s
            } else {
                XCTAssertEqual(z.remove(Bytes(string: m)), model.removeValue(forKey: m) != nil)
            }
        }
        let expected = model.sorted { $0.value != $1.value ? $0.value < $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        XCTAssertEqual(z.count, expected.count)
        var i = 0
        z.forEach { e in
            XCTAssertEqual(String(decoding: e.member, as: UTF8.self), expected[i].key)
            XCTAssertEqual(e.score, expected[i].value)
            i += 1
        }
        for (rank, e) in expected.enumerated() {
            XCTAssertEqual(z.rank(Bytes(string: e.key))?.rank, rank)
            XCTAssertEqual(z[rank].member, Bytes(string: e.key))
        }
        var back = expected.count - 1
        z.walk(from: back, reverse: true) { e in
            XCTAssertEqual(String(decoding: e.member, as: UTF8.self), expected[back].key)
            back -= 1
            return true
        }
        XCTAssertEqual(back, -1)
        XCTAssertEqual(z.partitionRank { $0.score < 0 }, expected.filter { $0.value < 0 }.count)
    }

    func testDeletesMergeNearlyEmptyChunks() {
        let limits = SortedSetLimits(EngineSettings())
        var z = SortedSetValue(sizeHint: 0, longestMember: 0, limits: limits)
        for i in 0..<10_000 { z.set(Bytes(string: "m\(i)"), Double(i), limits: limits) }
        for i in 0..<10_000 where i % 100 != 0 { z.remove(Bytes(string: "m\(i)")) }
        XCTAssertEqual(z.count, 100)
        XCTAssertLessThanOrEqual(z.order!.leaves.count, 4)
        for rank in 0..<100 { XCTAssertEqual(z[rank].score, Double(rank * 100)) }
    }

    func testZscanVisitsEveryMember() {
        run(["ZADD", "z"] + (0..<3000).flatMap { [String($0), "k\($0)"] })
        var seen = Set<String>()
        var cursor = "0"
        repeat {
            let lines = run(["ZSCAN", "z", cursor, "COUNT", "100"]).components(separatedBy: "\r\n")
            cursor = lines[2]
            seen.formUnion(lines.dropFirst(4).filter { $0.hasPrefix("k") })
        } while cursor != "0"
        XCTAssertEqual(seen.count, 3000)
    }

    // MARK: command table

    func testCommandTableMatchesRedis() {
        // name, arity, flags, first key, last key, key step, ACL categories (Redis 7.2's COMMAND INFO)
        let rf: [String] = ["@read", "@sortedset", "@fast"], rs: [String] = ["@read", "@sortedset", "@slow"]
        let wf: [String] = ["@write", "@sortedset", "@fast"], ws: [String] = ["@write", "@sortedset", "@slow"]
        let expected: [(String, Int, CommandFlags, Int, Int, Int, [String])] = [
            ("zadd", -4, [.write, .denyOOM, .fast], 1, 1, 1, wf),
            ("zincrby", 4, [.write, .denyOOM, .fast], 1, 1, 1, wf),
            ("zrem", -3, [.write, .fast], 1, 1, 1, wf),
            ("zcard", 2, [.readonly, .fast], 1, 1, 1, rf),
            ("zscore", 3, [.readonly, .fast], 1, 1, 1, rf),
            ("zmscore", -3, [.readonly, .fast], 1, 1, 1, rf),
            ("zrank", -3, [.readonly, .fast], 1, 1, 1, rf),
            ("zrevrank", -3, [.readonly, .fast], 1, 1, 1, rf),
            ("zcount", 4, [.readonly, .fast], 1, 1, 1, rf),
            ("zlexcount", 4, [.readonly, .fast], 1, 1, 1, rf),
            ("zrange", -4, [.readonly], 1, 1, 1, rs),
            ("zrangestore", -5, [.write, .denyOOM], 1, 2, 1, ws),
            ("zrevrange", -4, [.readonly], 1, 1, 1, rs),
            ("zrangebyscore", -4, [.readonly], 1, 1, 1, rs),
            ("zrevrangebyscore", -4, [.readonly], 1, 1, 1, rs),
            ("zrangebylex", -4, [.readonly], 1, 1, 1, rs),
            ("zrevrangebylex", -4, [.readonly], 1, 1, 1, rs),
            ("zremrangebyrank", 4, [.write], 1, 1, 1, ws),
            ("zremrangebyscore", 4, [.write], 1, 1, 1, ws),
            ("zremrangebylex", 4, [.write], 1, 1, 1, ws),
            ("zpopmin", -2, [.write, .fast], 1, 1, 1, wf),
            ("zpopmax", -2, [.write, .fast], 1, 1, 1, wf),
            ("zmpop", -4, [.write], 0, 0, 0, ws),
            ("zrandmember", -2, [.readonly], 1, 1, 1, rs),
            ("zunion", -3, [.readonly], 0, 0, 0, rs),
            ("zinter", -3, [.readonly], 0, 0, 0, rs),
            ("zdiff", -3, [.readonly], 0, 0, 0, rs),
            ("zunionstore", -4, [.write, .denyOOM], 1, 1, 1, ws),
            ("zinterstore", -4, [.write, .denyOOM], 1, 1, 1, ws),
            ("zdiffstore", -4, [.write, .denyOOM], 1, 1, 1, ws),
            ("zintercard", -3, [.readonly], 0, 0, 0, rs),
            ("zscan", -3, [.readonly], 1, 1, 1, rs),
        ]
        for (name, arity, flags, first, last, step, categories) in expected {
            guard let c = engine.commands.lookup(name) else { XCTFail("\(name) not registered"); continue }
            XCTAssertEqual(c.arity, arity, name)
            XCTAssertEqual(c.flags, flags, name)
            XCTAssertEqual(c.keys.first, first, name)
            XCTAssertEqual(c.keys.last, last, name)
            XCTAssertEqual(c.keys.step, step, name)
            XCTAssertEqual(c.categories, categories, name)
            XCTAssertEqual(c.group, "sorted-set", name)
        }
    }
}
