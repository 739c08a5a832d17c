import XCTest
@testable import CairnEngine
import RESP

/// Keyspace commands and DEBUG, checked reply byte for reply byte. Expected replies and error texts were
/// captured from a real redis-server given the same commands.
final class KeyCommandTests: XCTestCase {
    private var engine: Engine!
    private var client: ClientSession!

    override func setUp() {
        engine = Engine()
        engine.settings.debugCommand = .yes
        client = engine.makeClient()
    }

    // MARK: helpers

    private func raw(_ parts: [Bytes], on session: ClientSession? = nil) -> Bytes {
        let c = session ?? client!
        c.reply.bytes.removeAll()
        OwnedArgs(parts).withArgs { engine.execute(c, $0) }
        return c.reply.bytes
    }

    @discardableResult
    private func r(_ parts: String...) -> String {
        String(decoding: raw(parts.map { Bytes($0.utf8) }), as: UTF8.self)
    }

    private func assertReply(_ parts: String..., is expected: String, file: StaticString = #filePath, line: UInt = #line) {
        let got = String(decoding: raw(parts.map { Bytes($0.utf8) }), as: UTF8.self)
        XCTAssertEqual(got, expected, parts.joined(separator: " "), file: file, line: line)
    }

    private func bulk(_ s: String) -> String { "$\(s.utf8.count)\r\n\(s)\r\n" }

    /// The value of an integer reply.
    private func integer(_ reply: String) -> Int {
        Int(String(decoding: reply.utf8.dropFirst().prefix { $0 != 13 }, as: UTF8.self))!
    }

    /// Splits a reply of bulk strings (possibly nested in arrays) into its strings, for order-free checks.
    private func bulkStrings(_ reply: Bytes) -> [Bytes] {
        var out: [Bytes] = []
        var i = 0
        func readLine() -> String {
            var s = [UInt8]()
            while reply[i] != 13 { s.append(reply[i]); i += 1 }
            i += 2
            return String(decoding: s, as: UTF8.self)
        }
        while i < reply.count {
            let type = reply[i]
            i += 1
            let header = readLine()
            if type == UInt8(ascii: "$"), let n = Int(header), n >= 0 {
                out.append(Array(reply[i..<(i + n)]))
                i += n + 2
            }
        }
        return out
    }

    /// One SCAN call: the next cursor and the keys returned.
    private func scan(_ args: String...) -> (UInt64, [Bytes]) {
        let parts = bulkStrings(raw((["scan"] + args).map { Bytes($0.utf8) }))
        return (UInt64(String(decoding: parts[0], as: UTF8.self))!, Array(parts.dropFirst()))
    }

    private func setDirect(_ key: String, _ value: Value, expireAt: Int64 = -1, db: Int = 0) {
        engine.dbs[db].keys.set(Entry(key: Bytes(key.utf8), value: value, expireAt: expireAt))
    }

    // MARK: DEL UNLINK EXISTS TOUCH TYPE DBSIZE RANDOMKEY

    func testDeleteFamily() {
        r("set", "a", "1"); r("set", "b", "hello")
        assertReply("del", "a", "b", "c", is: ":2\r\n")
        r("set", "a", "1")
        assertReply("unlink", "a", "nokey", is: ":1\r\n")
        assertReply("unlink", is: "-ERR wrong number of arguments for 'unlink' command\r\n")
        r("set", "a", "1")
        assertReply("exists", "a", "a", "nokey", is: ":2\r\n")
        assertReply("touch", "a", "nokey", "a", is: ":2\r\n")
        assertReply("touch", is: "-ERR wrong number of arguments for 'touch' command\r\n")
        setDirect("gone", .int(1), expireAt: engine.now - 10)
        assertReply("touch", "gone", is: ":0\r\n")
        assertReply("unlink", "gone", is: ":0\r\n")
    }

    func testTypeAndDbsize() {
        assertReply("type", "nokey", is: "+none\r\n")
        r("set", "s", "hello")
        r("set", "i", "12")
        assertReply("type", "s", is: "+string\r\n")
        assertReply("type", "i", is: "+string\r\n")
        assertReply("dbsize", is: ":2\r\n")
        // DBSIZE counts keys still stored even when their deadline has passed, as Redis's dict size does.
        setDirect("gone", .int(1), expireAt: engine.now - 10)
        assertReply("dbsize", is: ":3\r\n")
        assertReply("type", "gone", is: "+none\r\n")
        assertReply("dbsize", is: ":2\r\n")
        assertReply("dbsize", "x", is: "-ERR wrong number of arguments for 'dbsize' command\r\n")
    }

    func testRandomKey() {
        assertReply("randomkey", is: "$-1\r\n")
        r("set", "only", "1")
        for _ in 0..<20 { assertReply("randomkey", is: bulk("only")) }
        r("del", "only")
        for i in 0..<50 { setDirect("gone\(i)", .int(1), expireAt: engine.now - 10) }
        assertReply("randomkey", is: "$-1\r\n")
        XCTAssertEqual(engine.dbs[0].count, 0, "expired keys picked by RANDOMKEY are deleted")
        for i in 0..<20 { r("set", "k\(i)", "v") }
        var seen = Set<String>()
        for _ in 0..<400 { seen.insert(r("randomkey")) }
        XCTAssertGreaterThan(seen.count, 10)
    }

    // MARK: RENAME RENAMENX

    func testRename() {
        assertReply("rename", "nokey", "x", is: "-ERR no such key\r\n")
        assertReply("rename", "nokey", "nokey", is: "-ERR no such key\r\n")
        assertReply("renamenx", "nokey", "nokey", is: "-ERR no such key\r\n")
        r("set", "s", "hello")
        assertReply("rename", "s", "s", is: "+OK\r\n")
        assertReply("renamenx", "s", "s", is: ":0\r\n")
        assertReply("rename", "s", "t", is: "+OK\r\n")
        assertReply("get", "t", is: bulk("hello"))
        assertReply("exists", "s", is: ":0\r\n")
        r("set", "u", "5")
        assertReply("rename", "t", "u", is: "+OK\r\n")
        assertReply("get", "u", is: bulk("hello"))
        r("set", "v", "1")
        assertReply("renamenx", "u", "v", is: ":0\r\n")
        assertReply("renamenx", "u", "w", is: ":1\r\n")
        assertReply("get", "w", is: bulk("hello"))
        assertReply("rename", "a", is: "-ERR wrong number of arguments for 'rename' command\r\n")
        assertReply("rename", "a", "b", "c", is: "-ERR wrong number of arguments for 'rename' command\r\n")

        // The deadline travels with the value; a destination's own deadline is dropped.
        r("pexpire", "w", "100000")
        r("set", "dst", "x", "ex", "5")
        assertReply("rename", "w", "dst", is: "+OK\r\n")
        XCTAssertGreaterThan(integer(r("pttl", "dst")), 99_000)
        r("set", "plain", "p")
        r("set", "timed", "t", "ex", "50")
        assertReply("rename", "plain", "timed", is: "+OK\r\n")
        assertReply("ttl", "timed", is: ":-1\r\n")

        // An expired destination counts as absent for RENAMENX.
        setDirect("old", .int(1), expireAt: engine.now - 10)
        assertReply("renamenx", "timed", "old", is: ":1\r\n")
    }

    // MARK: COPY MOVE

    func testCopy() {
        r("set", "w2", "val")
        r("pexpire", "w2", "100000")
        assertReply("copy", "w2", "w3", is: ":1\r\n")
        assertReply("get", "w3", is: bulk("val"))
        XCTAssertGreaterThan(integer(r("pttl", "w3")), 99_000)
        assertReply("copy", "w2", "w3", is: ":0\r\n")
        assertReply("copy", "w2", "w3", "replace", is: ":1\r\n")
        assertReply("copy", "w2", "w3", "REPLACE", "replace", is: ":1\r\n")
        assertReply("copy", "w2", "w2", is: "-ERR source and destination objects are the same\r\n")
        assertReply("copy", "w2", "w2", "db", "0", is: "-ERR source and destination objects are the same\r\n")
        assertReply("copy", "w2", "w2", "db", "1", is: ":1\r\n")
        assertReply("copy", "w2", "w2", "db", "16", is: "-ERR DB index is out of range\r\n")
        assertReply("copy", "w2", "w2", "db", "-1", is: "-ERR DB index is out of range\r\n")
        assertReply("copy", "w2", "w2", "db", "abc", is: "-ERR value is not an integer or out of range\r\n")
        assertReply("copy", "w2", "w2", "db", "99999999999", is: "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n")
        assertReply("copy", "w2", "w2", "db", is: "-ERR syntax error\r\n")
        assertReply("copy", "w2", "w2", "foo", is: "-ERR syntax error\r\n")
        assertReply("copy", "w2", "w2", "db", "99", "foo", is: "-ERR DB index is out of range\r\n")
        assertReply("copy", "w2", "w2", "foo", "db", "99", is: "-ERR syntax error\r\n")
        assertReply("copy", "nokey", "x", is: ":0\r\n")
        assertReply("copy", "a", is: "-ERR wrong number of arguments for 'copy' command\r\n")
        r("select", "1")
        assertReply("get", "w2", is: bulk("val"))
        XCTAssertGreaterThan(integer(r("pttl", "w2")), 99_000)
        r("select", "0")

        // The copy is independent of its source.
        r("set", "src", "abc")
        r("copy", "src", "dup")
        r("append", "src", "def")
        assertReply("get", "dup", is: bulk("abc"))
        assertReply("object", "encoding", "dup", is: bulk("embstr"))
        r("set", "n", "123")
        r("copy", "n", "n2")
        assertReply("object", "encoding", "n2", is: bulk("int"))
        assertReply("ttl", "n2", is: ":-1\r\n")
    }

    func testMove() {
        r("set", "k", "v")
        r("expire", "k", "100")
        assertReply("move", "k", "0", is: "-ERR source and destination objects are the same\r\n")
        assertReply("move", "k", "16", is: "-ERR DB index is out of range\r\n")
        assertReply("move", "k", "-1", is: "-ERR DB index is out of range\r\n")
        assertReply("move", "k", "abc", is: "-ERR value is not an integer or out of range\r\n")
        assertReply("move", "k", "3000000000", is: "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n")
        assertReply("move", "nokey", "1", is: ":0\r\n")
        assertReply("move", "nokey", "0", is: "-ERR source and destination objects are the same\r\n")
        assertReply("move", "k", "1", is: ":1\r\n")
        assertReply("exists", "k", is: ":0\r\n")
        r("set", "k", "again")
        assertReply("move", "k", "1", is: ":0\r\n")
        r("select", "1")
        assertReply("get", "k", is: bulk("v"))
        assertReply("ttl", "k", is: ":100\r\n")
        assertReply("move", "k", "0", is: ":0\r\n")
        r("del", "k")
        r("select", "0")
        assertReply("move", "k", "1", is: ":1\r\n")
        r("select", "1")
        assertReply("get", "k", is: bulk("again"))
        assertReply("ttl", "k", is: ":-1\r\n")
    }

    // MARK: KEYS

    func testKeys() {
        for k in ["hello", "hallo", "hxllo", "hllo", "heeeello", "a*b", "A", "b"] { r("set", k, "1") }
        func keys(_ pattern: String) -> Set<String> {
            Set(bulkStrings(raw([Bytes("keys"), Bytes(pattern.utf8)])).map { String(decoding: $0, as: UTF8.self) })
        }
        XCTAssertEqual(keys("*"), ["hello", "hallo", "hxllo", "hllo", "heeeello", "a*b", "A", "b"])
        XCTAssertEqual(keys("h?llo"), ["hello", "hallo", "hxllo"])
        XCTAssertEqual(keys("h*llo"), ["hello", "hallo", "hxllo", "hllo", "heeeello"])
        XCTAssertEqual(keys("h[ae]llo"), ["hello", "hallo"])
        XCTAssertEqual(keys("h[^e]llo"), ["hallo", "hxllo"])
        XCTAssertEqual(keys("h[a-b]llo"), ["hallo"])
        XCTAssertEqual(keys("a\\*b"), ["a*b"])
        XCTAssertEqual(keys("a"), [])
        XCTAssertEqual(keys("A"), ["A"])
        XCTAssertEqual(keys(""), [])
        setDirect("hidden", .int(1), expireAt: engine.now - 10)
        XCTAssertFalse(keys("*").contains("hidden"))
        XCTAssertEqual(engine.dbs[0].count, 9, "KEYS skips expired keys without deleting them")
        assertReply("keys", is: "-ERR wrong number of arguments for 'keys' command\r\n")
        assertReply("keys", "a", "b", is: "-ERR wrong number of arguments for 'keys' command\r\n")
        r("flushall")
        assertReply("keys", "*", is: "*0\r\n")
    }

    // MARK: SCAN

    func testScanErrors() {
        // Valkey 8's string2ull: negative plain integers and the empty string are refused; what strtoull takes
        // whole (blanks first, a sign, zeros, "-N" wrapping) is not.
        for bad in ["abc", "0 ", "+", "-", "0x10", "18446744073709551616", "-18446744073709551616", "-1", ""] {
            assertReply("scan", bad, is: "-ERR invalid cursor\r\n")
        }
        for good in ["0", " 0", " -1", "+0", "-0", "007", "18446744073709551615", "-18446744073709551615"] {
            XCTAssertTrue(r("scan", good).hasPrefix("*2\r\n$"), good)
        }
        assertReply("scan", "0", "count", "0", is: "-ERR syntax error\r\n")
        assertReply("scan", "0", "count", "-1", is: "-ERR syntax error\r\n")
        assertReply("scan", "0", "count", "abc", is: "-ERR value is not an integer or out of range\r\n")
        assertReply("scan", "0", "count", is: "-ERR syntax error\r\n")
        assertReply("scan", "0", "match", is: "-ERR syntax error\r\n")
        assertReply("scan", "0", "type", is: "-ERR syntax error\r\n")
        assertReply("scan", "0", "foo", "bar", is: "-ERR syntax error\r\n")
        assertReply("scan", "abc", "count", "0", is: "-ERR invalid cursor\r\n")
        assertReply("scan", "0", "count", "0", "foo", is: "-ERR syntax error\r\n")
        assertReply("scan", is: "-ERR wrong number of arguments for 'scan' command\r\n")
        assertReply("scan", "0", is: "*2\r\n$1\r\n0\r\n*0\r\n")
    }

    func testScanFilters() {
        r("set", "a", "1"); r("set", "b", "2"); r("set", "ab", "x")
        setDirect("expired", .int(1), expireAt: engine.now - 10)
        XCTAssertEqual(Set(scan("0", "count", "100").1), [Bytes("a"), Bytes("b"), Bytes("ab")])
        XCTAssertEqual(engine.dbs[0].count, 3, "SCAN deletes the expired keys it meets")
        XCTAssertEqual(Set(scan("0", "count", "100", "match", "a*").1), [Bytes("a"), Bytes("ab")])
        XCTAssertEqual(Set(scan("0", "count", "100", "match", "*").1).count, 3)
        XCTAssertEqual(Set(scan("0", "count", "100", "type", "STRING").1).count, 3)
        XCTAssertEqual(scan("0", "count", "100", "type", "list").1, [])
        // Valkey 8 refuses a type name no value has, where Redis 7.0 matched nothing.
        assertReply("scan", "0", "count", "100", "type", "nosuchtype", is: "-ERR unknown type name 'nosuchtype'\r\n")
        let hits = engine.stats.keyspaceHits
        _ = scan("0", "count", "100", "type", "string", "match", "a*")
        XCTAssertEqual(engine.stats.keyspaceHits - hits, 2, "a TYPE filter looks keys up as reads")
    }

    /// The SCAN guarantee: a key present from the start to the end of a full iteration is returned, and with
    /// hash-ordered cursors no key is ever returned twice, even while inserts split segments under the walk.
    func testScanFullIterationWhileInserting() {
        let initial = 120_000
        let db = engine.dbs[0]
        for i in 0..<initial { Bytes("key:\(i)".utf8).withUnsafeBytes { db.set($0, .int(Int64(i))) } }
        let segmentsBefore = db.keys.segmentCount
        var seen = [Bytes: Int]()
        var cursor: UInt64 = 0
        var added = 0
        var calls = 0
        repeat {
            let (next, keys) = scan(String(cursor), "count", String(50 + calls % 200))
            for k in keys { seen[k, default: 0] += 1 }
            for _ in 0..<100 {
                Bytes("new:\(added)".utf8).withUnsafeBytes { db.set($0, .int(0)) }
                added += 1
            }
            cursor = next
            calls += 1
        } while cursor != 0
        XCTAssertGreaterThan(db.keys.segmentCount, segmentsBefore, "inserts must split segments during the walk")
        XCTAssertEqual(seen.values.filter { $0 > 1 }.count, 0, "no key may be returned twice")
        for i in 0..<initial where seen[Bytes("key:\(i)".utf8)] != 1 { return XCTFail("key:\(i) not returned") }
    }

    // MARK: EXPIRE family, TTL family, PERSIST

    func testExpireOptions() {
        r("set", "k", "v")
        assertReply("expire", "k", "100", is: ":1\r\n")
        assertReply("ttl", "k", is: ":100\r\n")
        assertReply("expire", "k", "100", "nx", is: ":0\r\n")
        assertReply("expire", "k", "200", "xx", is: ":1\r\n")
        assertReply("ttl", "k", is: ":200\r\n")
        assertReply("expire", "k", "100", "gt", is: ":0\r\n")
        assertReply("expire", "k", "300", "gt", is: ":1\r\n")
        assertReply("expire", "k", "400", "lt", is: ":0\r\n")
        assertReply("expire", "k", "50", "lt", is: ":1\r\n")
        assertReply("ttl", "k", is: ":50\r\n")
        // GT refuses the same deadline: given as an absolute time, since a relative one read a millisecond
        // later would be a later deadline.
        let deadline = r("pexpiretime", "k").dropFirst().prefix(while: \.isNumber)
        assertReply("pexpireat", "k", String(deadline), "xx", "gt", is: ":0\r\n")
        assertReply("expire", "k", "60", "XX", "GT", is: ":1\r\n")
        assertReply("expire", "k", "60", "xx", "lt", is: ":0\r\n")
        assertReply("persist", "k", is: ":1\r\n")
        // Without a deadline GT never applies, LT always does, XX does not, NX does.
        assertReply("expire", "k", "10", "gt", is: ":0\r\n")
        assertReply("expire", "k", "10", "xx", is: ":0\r\n")
        assertReply("expire", "k", "10", "lt", is: ":1\r\n")
        r("persist", "k")
        assertReply("EXPIRE", "k", "10", "Nx", is: ":1\r\n")
        assertReply("expire", "nokey", "10", is: ":0\r\n")
        assertReply("expire", "nokey", "10", "lt", is: ":0\r\n")
    }

    func testExpireErrors() {
        r("set", "k", "v")
        let nxErr = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"
        assertReply("expire", "k", "10", "nx", "xx", is: nxErr)
        assertReply("expire", "k", "10", "nx", "gt", is: nxErr)
        assertReply("expire", "k", "10", "lt", "nx", is: nxErr)
        assertReply("expire", "k", "10", "gt", "lt", is: "-ERR GT and LT options at the same time are not compatible\r\n")
        assertReply("expire", "k", "10", "foo", is: "-ERR Unsupported option foo\r\n")
        assertReply("expire", "k", "10", "NX", "FOO", is: "-ERR Unsupported option FOO\r\n")
        assertReply("expire", "k", "10", "gt", "lt", "foo", is: "-ERR Unsupported option foo\r\n")
        assertReply("expire", "k", "abc", "foo", is: "-ERR Unsupported option foo\r\n")
        assertReply("expire", "k", "abc", is: "-ERR value is not an integer or out of range\r\n")
        assertReply("expire", "k", "9223372036854775807", is: "-ERR invalid expire time in 'expire' command\r\n")
        assertReply("expire", "k", "9223372036854776", is: "-ERR invalid expire time in 'expire' command\r\n")
        assertReply("expire", "k", "-9223372036854776", is: "-ERR invalid expire time in 'expire' command\r\n")
        assertReply("expire", "k", "9223372036854775", is: "-ERR invalid expire time in 'expire' command\r\n")
        assertReply("pexpire", "k", "9223372036854775807", is: "-ERR invalid expire time in 'pexpire' command\r\n")
        assertReply("expireat", "k", "9223372036854775808", is: "-ERR value is not an integer or out of range\r\n")
        assertReply("expireat", "k", "9223372036854776", is: "-ERR invalid expire time in 'expireat' command\r\n")
        assertReply("pexpireat", "k", "9223372036854775807", is: ":1\r\n")
        assertReply("expireat", "k", "9223372036854775", is: ":1\r\n")
        assertReply("pexpiretime", "k", is: ":9223372036854775000\r\n")
        assertReply("expiretime", "k", is: ":9223372036854775\r\n")
        assertReply("expire", "k", is: "-ERR wrong number of arguments for 'expire' command\r\n")
        assertReply("expire", "k", "10", "nx", "xx", "\u{0}x", is: "-ERR Unsupported option \r\n")
    }

    func testPastDeadlineDeletes() {
        for cmd in [["expire", "-5"], ["pexpire", "-1"], ["expire", "0"], ["expireat", "1"], ["pexpireat", "100"]] {
            r("set", "k", "v")
            r("expire", "k", "100")
            let dirty = engine.dirty
            assertReply(cmd[0], "k", cmd[1], is: ":1\r\n")
            assertReply("exists", "k", is: ":0\r\n")
            XCTAssertEqual(engine.dirty, dirty + 1)
        }
        r("set", "k", "v")
        assertReply("expire", "k", "-5", "xx", is: ":0\r\n")
        assertReply("expire", "k", "-5", "gt", is: ":0\r\n")
        assertReply("exists", "k", is: ":1\r\n")
        assertReply("expire", "k", "-5", "nx", is: ":1\r\n")
        assertReply("exists", "k", is: ":0\r\n")
    }

    func testTTLFamily() {
        for cmd in ["ttl", "pttl", "expiretime", "pexpiretime"] {
            assertReply(cmd, "nokey", is: ":-2\r\n")
        }
        r("set", "k", "v")
        for cmd in ["ttl", "pttl", "expiretime", "pexpiretime"] {
            assertReply(cmd, "k", is: ":-1\r\n")
        }
        r("pexpireat", "k", "4102444800123")
        assertReply("expiretime", "k", is: ":4102444800\r\n")
        assertReply("pexpiretime", "k", is: ":4102444800123\r\n")
        r("pexpireat", "k", "4102444800499")
        assertReply("expiretime", "k", is: ":4102444800\r\n")
        r("pexpireat", "k", "4102444800500")
        assertReply("expiretime", "k", is: ":4102444801\r\n")
        // TTL rounds to the nearest second.
        r("pexpire", "k", "1600")
        assertReply("ttl", "k", is: ":2\r\n")
        r("pexpire", "k", "1400")
        assertReply("ttl", "k", is: ":1\r\n")
        r("pexpire", "k", "50000")
        let pttl = integer(r("pttl", "k"))
        XCTAssertTrue((49_900...50_000).contains(pttl))
        assertReply("ttl", "k", "x", is: "-ERR wrong number of arguments for 'ttl' command\r\n")
    }

    func testPersist() {
        assertReply("persist", "nokey", is: ":0\r\n")
        r("set", "k", "v")
        assertReply("persist", "k", is: ":0\r\n")
        r("expire", "k", "100")
        let dirty = engine.dirty
        assertReply("persist", "k", is: ":1\r\n")
        XCTAssertEqual(engine.dirty, dirty + 1)
        assertReply("ttl", "k", is: ":-1\r\n")
        assertReply("persist", "k", is: ":0\r\n")
        XCTAssertEqual(engine.dbs[0].volatileCount, 0)
    }

    // MARK: OBJECT

    func testObject() {
        r("set", "i", "5")
        assertReply("object", "encoding", "i", is: bulk("int"))
        assertReply("object", "refcount", "i", is: ":2147483647\r\n")
        for (v, refcount) in [("-5", 1), ("9999", 2147483647), ("10000", 1)] {
            r("set", "i", v)
            assertReply("object", "refcount", "i", is: ":\(refcount)\r\n")
        }
        r("set", "big", "12345678901234567890")
        assertReply("object", "encoding", "big", is: bulk("embstr"))
        r("set", "e44", String(repeating: "a", count: 44))
        assertReply("object", "encoding", "e44", is: bulk("embstr"))
        assertReply("object", "refcount", "e44", is: ":1\r\n")
        r("set", "r45", String(repeating: "a", count: 45))
        assertReply("object", "encoding", "r45", is: bulk("raw"))
        r("append", "appended", "x")
        assertReply("object", "encoding", "appended", is: bulk("embstr"))
        r("append", "appended", "y")
        assertReply("object", "encoding", "appended", is: bulk("raw"))
        assertReply("OBJECT", "ENCODING", "nokey", is: "$-1\r\n")
        assertReply("object", "refcount", "nokey", is: "$-1\r\n")
        assertReply("object", "idletime", "nokey", is: "$-1\r\n")
        assertReply("object", "freq", "nokey", is: "$-1\r\n")
        assertReply("object", "idletime", "e44", is: ":0\r\n")
        assertReply("object", "freq", "e44", is: "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n")
        assertReply("object", is: "-ERR wrong number of arguments for 'object' command\r\n")
        assertReply("object", "foo", is: "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n")
        assertReply("object", "encoding", is: "-ERR wrong number of arguments for 'object|encoding' command\r\n")
        assertReply("object", "refcount", "a", "b", is: "-ERR wrong number of arguments for 'object|refcount' command\r\n")
        assertReply("object", "help", "x", is: "-ERR wrong number of arguments for 'object|help' command\r\n")
        let help = r("object", "help")
        XCTAssertTrue(help.hasPrefix("*11\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n"))
        XCTAssertTrue(help.hasSuffix("+HELP\r\n+    Print this help.\r\n"))
        client.resp3 = true
        assertReply("object", "encoding", "nokey", is: "_\r\n")
    }

    // MARK: SWAPDB FLUSHDB FLUSHALL

    func testSwapdb() {
        r("set", "a", "1")
        let dirty = engine.dirty
        assertReply("swapdb", "0", "1", is: "+OK\r\n")
        XCTAssertEqual(engine.dirty, dirty + 1)
        assertReply("get", "a", is: "$-1\r\n")
        r("select", "1")
        assertReply("get", "a", is: bulk("1"))
        r("select", "0")
        assertReply("swapdb", "0", "0", is: "+OK\r\n")
        assertReply("swapdb", "abc", "1", is: "-ERR invalid first DB index\r\n")
        assertReply("swapdb", "0", "abc", is: "-ERR invalid second DB index\r\n")
        assertReply("swapdb", "abc", "abc", is: "-ERR invalid first DB index\r\n")
        assertReply("swapdb", "3000000000", "1", is: "-ERR invalid first DB index\r\n")
        assertReply("swapdb", "0", "3000000000", is: "-ERR invalid second DB index\r\n")
        assertReply("swapdb", "16", "0", is: "-ERR DB index is out of range\r\n")
        assertReply("swapdb", "0", "-1", is: "-ERR DB index is out of range\r\n")
        assertReply("swapdb", "0", is: "-ERR wrong number of arguments for 'swapdb' command\r\n")
    }

    func testFlush() {
        assertReply("flushdb", "foo", is: "-ERR syntax error\r\n")
        assertReply("flushdb", "async", "sync", is: "-ERR syntax error\r\n")
        assertReply("flushall", "foo", is: "-ERR syntax error\r\n")
        assertReply("flushall", "sync", "x", is: "-ERR syntax error\r\n")
        for mode in [[], ["sync"], ["ASYNC"]] {
            for i in 0..<5 { r("set", "k\(i)", "v") }
            r("select", "2")
            for i in 0..<3 { r("set", "k\(i)", "v") }
            var dirty = engine.dirty
            assertReply(["flushdb"] + mode, is: "+OK\r\n")
            XCTAssertEqual(engine.dirty, dirty + 3)
            assertReply("dbsize", is: ":0\r\n")
            r("select", "0")
            assertReply("dbsize", is: ":5\r\n")
            r("select", "2")
            r("set", "x", "1")
            dirty = engine.dirty
            assertReply(["flushall"] + mode, is: "+OK\r\n")
            XCTAssertEqual(engine.dirty, dirty + 6)
            XCTAssertEqual(engine.dbs.map(\.count).reduce(0, +), 0)
            r("select", "0")
        }
        // Asynchronous flushing hands a large keyspace to another thread; the engine goes on at once.
        let db = engine.dbs[0]
        for i in 0..<200_000 { Bytes("key:\(i)".utf8).withUnsafeBytes { db.set($0, .embedded(Bytes(repeating: 1, count: 50))) } }
        assertReply("flushall", "async", is: "+OK\r\n")
        assertReply("dbsize", is: ":0\r\n")
        r("set", "after", "1")
        assertReply("get", "after", is: bulk("1"))
    }

    private func assertReply(_ parts: [String], is expected: String, file: StaticString = #filePath, line: UInt = #line) {
        let got = String(decoding: raw(parts.map { Bytes($0.utf8) }), as: UTF8.self)
        XCTAssertEqual(got, expected, parts.joined(separator: " "), file: file, line: line)
    }

    func testFlushAndSwapBreakWatch() {
        for breaker in [["flushall"], ["flushdb"], ["flushall", "async"], ["swapdb", "0", "1"]] {
            r("flushall")
            r("set", "w", "1")
            let other = engine.makeClient()
            r("watch", "w")
            _ = raw(breaker.map { Bytes($0.utf8) }, on: other)
            r("multi")
            r("ping")
            assertReply("exec", is: "*-1\r\n")
        }
        r("set", "w", "1")
        r("watch", "w")
        _ = raw([Bytes("swapdb"), Bytes("0"), Bytes("0")], on: engine.makeClient())
        r("multi")
        r("ping")
        assertReply("exec", is: "*1\r\n+PONG\r\n")
    }

    func testDirtyCounting() {
        r("set", "a", "1")
        var d = engine.dirty
        r("rename", "a", "b"); XCTAssertEqual(engine.dirty, d + 1); d = engine.dirty
        r("rename", "b", "b"); XCTAssertEqual(engine.dirty, d)
        r("copy", "b", "c"); XCTAssertEqual(engine.dirty, d + 1); d = engine.dirty
        r("move", "c", "1"); XCTAssertEqual(engine.dirty, d + 1); d = engine.dirty
        r("expire", "b", "100"); XCTAssertEqual(engine.dirty, d + 1); d = engine.dirty
        r("expire", "b", "100", "nx"); XCTAssertEqual(engine.dirty, d)
        r("unlink", "b", "nokey"); XCTAssertEqual(engine.dirty, d + 1); d = engine.dirty
        r("touch", "c"); r("type", "c"); r("ttl", "c"); r("keys", "*"); r("scan", "0")
        XCTAssertEqual(engine.dirty, d)
    }

    // MARK: DEBUG

    func testDebugDigestMatchesRedis() {
        assertReply("debug", "digest", is: "+0000000000000000000000000000000000000000\r\n")
        r("set", "foo", "100")
        r("set", "bar", "hello")
        assertReply("debug", "digest", is: "+9f397ac869da8dfe008d98b27631ba0e25dcc736\r\n")
        r("set", "neg", "-42")
        r("set", "big", "12345678901234567890123")
        r("set", "empty", "")
        let binKey: Bytes = Array("bin".utf8) + [0, 0xff, 13, 10] + Array("key".utf8)
        _ = raw([Bytes("set"), binKey, [0, 1, 2] + Array("value".utf8) + [0xfe]])
        r("set", "long", String(repeating: "x", count: 100))
        r("append", "raw", "abc")
        r("set", "vol", "v", "PXAT", "4102444800000")
        r("select", "3")
        r("set", "foo", "100")
        r("set", "k3", "in db three")
        r("select", "0")
        assertReply("debug", "digest", is: "+5b2f697caa2bb1f35016fd24bc02a89bf72ab3c9\r\n")

        let values = String(decoding: raw(["debug", "digest-value", "foo", "bar", "neg", "big", "empty"].map { Bytes($0.utf8) } + [binKey]
                                          + ["long", "raw", "vol", "nokey"].map { Bytes($0.utf8) }), as: UTF8.self)
        XCTAssertEqual(values, "*10\r\n+3d41d4c94e50ef4c4d595fea543c6a374ebed1e9\r\n+36b23a1456b2dce2c3ed252c456761301dba8060\r\n"
                       + "+ce70a5674f228eaf3e2c2d01f6152e36f7e792a7\r\n+67d86598428ee63b3c4be74548d09515328d66dd\r\n"
                       + "+8b3447c33a834b810e3e181b6fd6a2ee1020921c\r\n+f2d6aae5508cde4fb718ff545163982ce9126ca6\r\n"
                       + "+6942b9b71aaff9a398b7a2f898756f5e28dd3cd1\r\n+21ffcd2d36aebffca02995acb412bcb827d4c1db\r\n"
                       + "+311b17018163335616e089f6b951c82c477335ac\r\n+0000000000000000000000000000000000000000\r\n")
        r("select", "3")
        assertReply("debug", "digest-value", "foo", "k3", is: "*2\r\n+3d41d4c94e50ef4c4d595fea543c6a374ebed1e9\r\n+9cb42e2bad51b6635621cc1b4d5585cc6a39bbbf\r\n")
        assertReply("debug", "digest-value", is: "*0\r\n")

        // The digest is independent of insertion order and of string encoding.
        let other = Engine()
        other.settings.debugCommand = .yes
        let c = other.makeClient()
        func run(_ parts: [Bytes]) { c.reply.bytes.removeAll(); OwnedArgs(parts).withArgs { other.execute(c, $0) } }
        run(["select", "3"].map { Bytes($0.utf8) })
        run(["set", "k3", "in db three"].map { Bytes($0.utf8) })
        run(["set", "foo", "100"].map { Bytes($0.utf8) })
        run(["select", "0"].map { Bytes($0.utf8) })
        run(["set", "raw", "a"].map { Bytes($0.utf8) })
        run(["append", "raw", "bc"].map { Bytes($0.utf8) })
        run(["set", "vol", "v", "EX", "1000"].map { Bytes($0.utf8) })
        run([Bytes("set"), Bytes("long"), Bytes(repeating: UInt8(ascii: "x"), count: 100)])
        run(["set", "empty", ""].map { Bytes($0.utf8) })
        run(["set", "big", "12345678901234567890123"].map { Bytes($0.utf8) })
        run(["set", "neg", "-42"].map { Bytes($0.utf8) })
        run([Bytes("set"), binKey, [0, 1, 2] + Array("value".utf8) + [0xfe]])
        run(["set", "bar", "hello"].map { Bytes($0.utf8) })
        run(["set", "foo", "100"].map { Bytes($0.utf8) })
        run(["debug", "digest"].map { Bytes($0.utf8) })
        XCTAssertEqual(String(decoding: c.reply.bytes, as: UTF8.self), "+5b2f697caa2bb1f35016fd24bc02a89bf72ab3c9\r\n")
    }

    func testDebugObject() {
        func line(_ key: String) -> String {
            let reply = r("debug", "object", key)
            guard let at = reply.range(of: " refcount:") else { return reply }
            XCTAssertTrue(reply.hasPrefix("+Value at:0x"), reply)
            return String(reply[at.lowerBound...])
        }
        let lru = (engine.now / 1000) & 0xFF_FFFF
        r("set", "foo", "100")
        XCTAssertEqual(line("foo"), " refcount:2147483647 encoding:int serializedlength:2 lru:\(lru) lru_seconds_idle:0\r\n")
        for (key, value, expected) in [("bar", "hello", "refcount:1 encoding:embstr serializedlength:6"),
                                       ("n", "-129", "refcount:1 encoding:int serializedlength:3"),
                                       ("n2", "40000", "refcount:1 encoding:int serializedlength:5"),
                                       ("n3", "3000000000", "refcount:1 encoding:int serializedlength:11"),
                                       ("e", "", "refcount:1 encoding:embstr serializedlength:1"),
                                       ("twenty", "abcdefghijklmnopqrst", "refcount:1 encoding:embstr serializedlength:21")] {
            r("set", key, value)
            XCTAssertTrue(line(key).hasPrefix(" \(expected) lru:"), key)
        }
        r("append", "r", "1")
        r("append", "r", "2")
        XCTAssertTrue(line("r").hasPrefix(" refcount:1 encoding:raw serializedlength:2 lru:"))
        assertReply("debug", "object", "nokey", is: "-ERR no such key\r\n")
        setDirect("gone", .int(7), expireAt: engine.now - 10)
        XCTAssertTrue(line("gone").hasPrefix(" refcount:2147483647 encoding:int"), "DEBUG OBJECT does not expire keys")
    }

    func testDebugRefusedUnlessEnabled() {
        engine.settings.debugCommand = .no
        assertReply("debug", "digest", is: "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n")
        engine.settings.debugCommand = .local
        client.address = "10.1.2.3:5000"
        XCTAssertTrue(r("debug", "digest").hasPrefix("-ERR DEBUG command not allowed"))
        client.address = "127.0.0.1:5000"
        assertReply("debug", "digest", is: "+0000000000000000000000000000000000000000\r\n")
    }

    func testDebugMisc() {
        assertReply("debug", "foo", is: "-ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.\r\n")
        assertReply("debug", "object", is: "-ERR unknown subcommand or wrong number of arguments for 'object'. Try DEBUG HELP.\r\n")
        assertReply("debug", "DIGEST", "x", is: "-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG HELP.\r\n")
        assertReply("debug", "change-repl-id", "x", is: "-ERR unknown subcommand or wrong number of arguments for 'change-repl-id'. Try DEBUG HELP.\r\n")
        assertReply("debug", "set-active-expire", is: "-ERR unknown subcommand or wrong number of arguments for 'set-active-expire'. Try DEBUG HELP.\r\n")
        assertReply("debug", is: "-ERR wrong number of arguments for 'debug' command\r\n")
        XCTAssertTrue(r("debug", "help").hasPrefix("*23\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"))

        assertReply("debug", "set-active-expire", "0", is: "+OK\r\n")
        XCTAssertFalse(engine.activeExpireEnabled)
        assertReply("debug", "set-active-expire", "2", is: "+OK\r\n")
        XCTAssertTrue(engine.activeExpireEnabled)
        assertReply("debug", "set-active-expire", "off", is: "+OK\r\n")
        XCTAssertFalse(engine.activeExpireEnabled)
        assertReply("DEBUG", "SET-ACTIVE-EXPIRE", "1", is: "+OK\r\n")
        XCTAssertTrue(engine.activeExpireEnabled)

        var start = Engine.monotonicMicros()
        assertReply("debug", "sleep", "0.15", is: "+OK\r\n")
        XCTAssertGreaterThanOrEqual(Engine.monotonicMicros() - start, 150_000)
        start = Engine.monotonicMicros()
        for arg in ["abc", "-1", "0", "1e-9", "nan"] { assertReply("debug", "sleep", arg, is: "+OK\r\n") }
        XCTAssertLessThan(Engine.monotonicMicros() - start, 100_000)
    }

    // MARK: SHA-1

    func testSHA1Vectors() {
        func hex(_ b: [UInt8]) -> String { DatasetDigest.hex(b) }
        XCTAssertEqual(hex(SHA1.hash([])), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(hex(SHA1.hash(Bytes("abc".utf8))), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(hex(SHA1.hash(Bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
                       "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(hex(SHA1.hash(Bytes(repeating: UInt8(ascii: "a"), count: 1_000_000))),
                       "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        // Every length around the padding boundaries, fed whole and in uneven pieces, must agree.
        for n in 0..<200 {
            let data = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var h = SHA1.Hasher()
            var i = 0
            var step = 1
            while i < n {
                let end = min(n, i + step)
                h.update(Array(data[i..<end]))
                i = end
                step = step * 3 % 67 + 1
            }
            XCTAssertEqual(h.finalize(), SHA1.hash(data), "length \(n)")
        }
    }
}
