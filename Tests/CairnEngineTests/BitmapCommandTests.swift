@testable import CairnEngine
import XCTest

/// Expected replies, dirty counts and keyspace hit/miss totals in the transcript tests were recorded from
/// redis-server 7.0.15, whose bitops.c matches 7.2's.
final class BitmapCommandTests: XCTestCase {
    private var engine: Engine!
    private var client: ClientSession!

    override func setUp() {
        engine = Engine()
        client = engine.makeClient()
    }

    /// Runs one command and checks its exact reply, then `engine.dirty` and the keyspace hit/miss totals.
    /// Arguments and replies spell bytes that are not printable ASCII (other than CR and LF) as `\xNN`.
    private func expect(_ args: [String], _ reply: String, dirty: Int? = nil, hits: Int? = nil, misses: Int? = nil,
                        file: StaticString = #filePath, line: UInt = #line) {
        client.reply.bytes.removeAll(keepingCapacity: true)
        OwnedArgs(args.map(TranscriptTestCase.unescape)).withArgs { engine.execute(client, $0) }
        XCTAssertEqual(TranscriptTestCase.escape(client.reply.bytes), reply, "\(args)", file: file, line: line)
        if let dirty { XCTAssertEqual(engine.dirty, dirty, "dirty after \(args)", file: file, line: line) }
        if let hits { XCTAssertEqual(engine.stats.keyspaceHits, hits, "hits after \(args)", file: file, line: line) }
        if let misses { XCTAssertEqual(engine.stats.keyspaceMisses, misses, "misses after \(args)", file: file, line: line) }
    }

    @discardableResult
    private func run(_ args: [Bytes]) -> Bytes {
        client.reply.bytes.removeAll(keepingCapacity: true)
        OwnedArgs(args).withArgs { engine.execute(client, $0) }
        return client.reply.bytes
    }

    private func value(_ key: String) -> Value? {
        Bytes(string: key).withUnsafeBytes { engine.dbs[0].lookupWrite($0) }
    }

    private func deadline(_ key: String) -> Int64? {
        Bytes(string: key).withUnsafeBytes { engine.dbs[0].expireAt($0) }
    }

    private func integerReply(_ reply: Bytes) -> Int? {
        guard reply.first == UInt8(ascii: ":") else { return nil }
        return Int(String(decoding: reply.dropFirst().dropLast(2), as: UTF8.self))
    }

    // MARK: command table

    func testCommandTableEntries() {
        let expected: [(String, Int, CommandFlags, Int, Int, [String])] = [
            ("setbit", 4, [.write, .denyOOM], 1, 1, ["@write", "@bitmap", "@slow"]),
            ("getbit", 3, [.readonly, .fast], 1, 1, ["@read", "@bitmap", "@fast"]),
            ("bitcount", -2, [.readonly], 1, 1, ["@read", "@bitmap", "@slow"]),
            ("bitpos", -3, [.readonly], 1, 1, ["@read", "@bitmap", "@slow"]),
            ("bitop", -4, [.write, .denyOOM], 2, -1, ["@write", "@bitmap", "@slow"]),
            ("bitfield", -2, [.write, .denyOOM], 1, 1, ["@write", "@bitmap", "@slow"]),
            ("bitfield_ro", -2, [.readonly, .fast], 1, 1, ["@read", "@bitmap", "@fast"]),
        ]
        for (name, arity, flags, first, last, categories) in expected {
            guard let c = engine.commands.lookup(name) else { XCTFail("\(name) not registered"); continue }
            XCTAssertEqual(c.arity, arity, name)
            XCTAssertEqual(c.flags, flags, name)
            XCTAssertEqual(c.keys.first, first, name)
            XCTAssertEqual(c.keys.last, last, name)
            XCTAssertEqual(c.keys.step, 1, name)
            XCTAssertEqual(c.categories, categories, name)
            XCTAssertEqual(c.group, "bitmap", name)
        }
    }

    // MARK: value bookkeeping

    func testBitWritesKeepTheDeadlineAndBitopDropsIt() {
        expect(["set", "k", "abc", "ex", "100"], "+OK\r\n")
        let before = deadline("k")
        XCTAssertGreaterThan(before ?? -1, 0)
        expect(["setbit", "k", "100", "1"], ":0\r\n")
        expect(["bitfield", "k", "incrby", "u8", "200", "1"], "*1\r\n:1\r\n")
        XCTAssertEqual(deadline("k"), before)
        expect(["set", "d", "x", "ex", "100"], "+OK\r\n")
        expect(["bitop", "not", "d", "k"], ":26\r\n")
        XCTAssertEqual(deadline("d"), -1)
    }

    func testInPlaceWritesStoreRawStrings() {
        expect(["set", "n", "5"], "+OK\r\n")
        guard case .int = value("n") else { return XCTFail("SET of a number is int-encoded") }
        // Even a SETBIT that changes nothing converts the value, as Redis's dbUnshareStringValue does.
        expect(["setbit", "n", "0", "0"], ":0\r\n", dirty: 1)
        guard case .rawBytes(let b) = value("n") else { return XCTFail("SETBIT leaves a raw string") }
        XCTAssertEqual(b, Bytes("5"))
        expect(["set", "s", "ab"], "+OK\r\n")
        expect(["bitfield", "s", "get", "u8", "0"], "*1\r\n:97\r\n")
        guard case .short = value("s") else { return XCTFail("a read-only BITFIELD leaves the value alone") }
        expect(["bitfield", "s", "set", "u8", "0", "97"], "*1\r\n:97\r\n")
        guard case .rawBytes = value("s") else { return XCTFail("BITFIELD SET leaves a raw string") }
        expect(["bitop", "and", "d", "s"], ":2\r\n")
        guard case .rawBytes(let d) = value("d") else { return XCTFail("BITOP stores a raw string") }
        XCTAssertEqual(d, Bytes("ab"))
    }

    /// Word-at-a-time scans against a bit-by-bit model, over many alignments and range edges.
    func testLargeBitmapsAgainstBitByBitModel() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<40 {
            let length = Int.random(in: 1...600, using: &rng)
            var s = Bytes(repeating: 0, count: length)
            // Mostly uniform runs so BITPOS has to skip whole words.
            let fill: UInt8 = round % 3 == 0 ? 0 : round % 3 == 1 ? 0xFF : 0
            for i in 0..<length { s[i] = round % 3 == 2 ? UInt8.random(in: 0...255, using: &rng) : fill }
            if round % 3 != 2 {
                for _ in 0..<Int.random(in: 0...2, using: &rng) {
                    s[Int.random(in: 0..<length, using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                }
            }
            run([Bytes("set"), Bytes("k"), s])
            let bit = { (i: Int) -> Int in Int(s[i >> 3] >> (7 - UInt8(i & 7)) & 1) }
            let bits = length * 8
            for _ in 0..<30 {
                let a = Int.random(in: 0..<bits, using: &rng)
                let b = Int.random(in: a..<bits, using: &rng)
                let count = (a...b).reduce(0) { $0 + bit($1) }
                XCTAssertEqual(integerReply(run([Bytes("bitcount"), Bytes("k"), Bytes(string: "\(a)"), Bytes(string: "\(b)"), Bytes("bit")])), count)
                for want in 0...1 {
                    let pos = (a...b).first { bit($0) == want } ?? -1
                    XCTAssertEqual(integerReply(run([Bytes("bitpos"), Bytes("k"), Bytes(string: "\(want)"), Bytes(string: "\(a)"), Bytes(string: "\(b)"), Bytes("bit")])), pos, "bitpos \(want) \(a) \(b) bit")
                }
                let byteStart = a >> 3
                let open = (byteStart * 8..<bits).first { bit($0) == 0 } ?? bits
                XCTAssertEqual(integerReply(run([Bytes("bitpos"), Bytes("k"), Bytes("0"), Bytes(string: "\(byteStart)")])), open)
            }
            XCTAssertEqual(integerReply(run([Bytes("bitcount"), Bytes("k")])), (0..<bits).reduce(0) { $0 + bit($1) })

            var t = Bytes(repeating: 0, count: Int.random(in: 1...600, using: &rng))
            for i in 0..<t.count { t[i] = UInt8.random(in: 0...255, using: &rng) }
            run([Bytes("set"), Bytes("t"), t])
            let n = max(s.count, t.count)
            let at = { (x: Bytes, i: Int) -> UInt8 in i < x.count ? x[i] : 0 }
            let models: [(String, (UInt8, UInt8) -> UInt8)] = [("and", { $0 & $1 }), ("or", { $0 | $1 }), ("xor", { $0 ^ $1 })]
            for (op, f) in models {
                XCTAssertEqual(integerReply(run([Bytes("bitop"), Bytes(string: op), Bytes("d"), Bytes("k"), Bytes("t"), Bytes("k")])), n)
                XCTAssertEqual(value("d")?.stringBytes, (0..<n).map { f(f(at(s, $0), at(t, $0)), at(s, $0)) }, op)
            }
            run([Bytes("bitop"), Bytes("not"), Bytes("d"), Bytes("t")])
            XCTAssertEqual(value("d")?.stringBytes, t.map { ~$0 })
        }
    }

    // MARK: transcripts recorded from Redis

    func testSetbitGetbit() {
        expect(["setbit", "k", "7", "1"], ":0\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["setbit", "k", "7", "1"], ":1\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["setbit", "k", "7", "0"], ":1\r\n", dirty: 2, hits: 0, misses: 0)
        expect(["get", "k"], "$1\r\n\\x00\r\n", dirty: 2, hits: 1, misses: 0)
        expect(["setbit", "k", "100", "1"], ":0\r\n", dirty: 3, hits: 1, misses: 0)
        expect(["get", "k"], "$13\r\n\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x08\r\n", dirty: 3, hits: 2, misses: 0)
        expect(["getbit", "k", "100"], ":1\r\n", dirty: 3, hits: 3, misses: 0)
        expect(["getbit", "k", "101"], ":0\r\n", dirty: 3, hits: 4, misses: 0)
        expect(["getbit", "k", "99"], ":0\r\n", dirty: 3, hits: 5, misses: 0)
        expect(["getbit", "k", "100000"], ":0\r\n", dirty: 3, hits: 6, misses: 0)
        expect(["setbit", "k", "0", "0"], ":0\r\n", dirty: 3, hits: 6, misses: 0)
        expect(["setbit", "k", "200", "0"], ":0\r\n", dirty: 4, hits: 6, misses: 0)
        expect(["get", "k"], "$26\r\n\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x08\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\r\n", dirty: 4, hits: 7, misses: 0)
        expect(["setbit", "k", "200", "0"], ":0\r\n", dirty: 4, hits: 7, misses: 0)
        expect(["SETBIT", "k", "1", "1"], ":0\r\n", dirty: 5, hits: 7, misses: 0)
        expect(["GETBIT", "k", "1"], ":1\r\n", dirty: 5, hits: 8, misses: 0)
        expect(["get", "k"], "$26\r\n@\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x08\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\r\n", dirty: 5, hits: 9, misses: 0)
        expect(["getbit", "missing", "5"], ":0\r\n", dirty: 5, hits: 9, misses: 1)
        expect(["exists", "missing"], ":0\r\n", dirty: 5, hits: 9, misses: 2)
        expect(["set", "n", "5"], "+OK\r\n", dirty: 6, hits: 9, misses: 2)
        expect(["getbit", "n", "2"], ":1\r\n", dirty: 6, hits: 10, misses: 2)
        expect(["getbit", "n", "0"], ":0\r\n", dirty: 6, hits: 11, misses: 2)
        expect(["getbit", "n", "8"], ":0\r\n", dirty: 6, hits: 12, misses: 2)
        expect(["setbit", "n", "6", "1"], ":0\r\n", dirty: 7, hits: 12, misses: 2)
        expect(["get", "n"], "$1\r\n7\r\n", dirty: 7, hits: 13, misses: 2)
        expect(["set", "n", "12"], "+OK\r\n", dirty: 8, hits: 13, misses: 2)
        expect(["setbit", "n", "7", "0"], ":1\r\n", dirty: 9, hits: 13, misses: 2)
        expect(["get", "n"], "$2\r\n02\r\n", dirty: 9, hits: 14, misses: 2)
        expect(["set", "e", ""], "+OK\r\n", dirty: 10, hits: 14, misses: 2)
        expect(["getbit", "e", "0"], ":0\r\n", dirty: 10, hits: 15, misses: 2)
        expect(["setbit", "e", "3", "1"], ":0\r\n", dirty: 11, hits: 15, misses: 2)
        expect(["get", "e"], "$1\r\n\\x10\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "-1", "1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "abc", "1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "4294967296", "1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "#1", "1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "01", "1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "99999999999999999999", "1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "1", "2"], "-ERR bit is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "1", "-1"], "-ERR bit is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "1", "x"], "-ERR bit is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "1", ""], "-ERR bit is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "x", "x"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["getbit", "k", "-1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["getbit", "k", "x"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["getbit", "k", "4294967296"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["getbit", "missing", "-1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["setbit", "k", "1"], "-ERR wrong number of arguments for 'setbit' command\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["getbit", "k"], "-ERR wrong number of arguments for 'getbit' command\r\n", dirty: 11, hits: 16, misses: 2)
        expect(["getbit", "k", "1", "2"], "-ERR wrong number of arguments for 'getbit' command\r\n", dirty: 11, hits: 16, misses: 2)
    }

    func testProtoMaxBulkLen() {
        engine.settings.protoMaxBulkLength = 1048576
        expect(["setbit", "k", "8388608", "1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["getbit", "k", "8388608"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 0, hits: 0, misses: 0)
        expect(["setbit", "k", "8388607", "1"], ":0\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["getbit", "k", "8388607"], ":1\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["bitcount", "k"], ":1\r\n", dirty: 1, hits: 2, misses: 0)
        expect(["bitpos", "k", "1"], ":8388607\r\n", dirty: 1, hits: 3, misses: 0)
        expect(["bitpos", "k", "0", "-1"], ":8388600\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["bitfield", "k", "set", "u8", "8388608", "1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["bitfield", "k", "get", "u8", "#1048576"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["bitfield", "k", "set", "i64", "8388607", "-1"], "*1\r\n:-9223372036854775808\r\n", dirty: 2, hits: 4, misses: 0)
        expect(["bitcount", "k"], ":64\r\n", dirty: 2, hits: 5, misses: 0)
        expect(["bitpos", "k", "0", "-9"], ":8388600\r\n", dirty: 2, hits: 6, misses: 0)
        expect(["bitfield", "k", "get", "i64", "8388607", "get", "u8", "#1048575"], "*2\r\n:-1\r\n:1\r\n", dirty: 2, hits: 7, misses: 0)
    }

    func testBitcount() {
        expect(["set", "k", "foobar"], "+OK\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitcount", "k"], ":26\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["bitcount", "k", "0", "0"], ":4\r\n", dirty: 1, hits: 2, misses: 0)
        expect(["bitcount", "k", "1", "1"], ":6\r\n", dirty: 1, hits: 3, misses: 0)
        expect(["bitcount", "k", "1", "1", "byte"], ":6\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["bitcount", "k", "1", "1", "BYTE"], ":6\r\n", dirty: 1, hits: 5, misses: 0)
        expect(["bitcount", "k", "5", "30", "bit"], ":17\r\n", dirty: 1, hits: 6, misses: 0)
        expect(["bitcount", "k", "5", "30", "BiT"], ":17\r\n", dirty: 1, hits: 7, misses: 0)
        expect(["bitcount", "k", "-1", "-1"], ":4\r\n", dirty: 1, hits: 8, misses: 0)
        expect(["bitcount", "k", "-2", "-1", "bit"], ":1\r\n", dirty: 1, hits: 9, misses: 0)
        expect(["bitcount", "k", "-100", "100"], ":26\r\n", dirty: 1, hits: 10, misses: 0)
        expect(["bitcount", "k", "3", "1"], ":0\r\n", dirty: 1, hits: 11, misses: 0)
        expect(["bitcount", "k", "0", "-1"], ":26\r\n", dirty: 1, hits: 12, misses: 0)
        expect(["bitcount", "k", "2", "-2"], ":12\r\n", dirty: 1, hits: 13, misses: 0)
        expect(["bitcount", "k", "-3", "4"], ":6\r\n", dirty: 1, hits: 14, misses: 0)
        expect(["bitcount", "k", "-1", "-5"], ":0\r\n", dirty: 1, hits: 15, misses: 0)
        expect(["bitcount", "k", "-1", "-5", "foo"], "-ERR syntax error\r\n", dirty: 1, hits: 15, misses: 0)
        expect(["bitcount", "k", "0", "-1", "foo"], "-ERR syntax error\r\n", dirty: 1, hits: 15, misses: 0)
        expect(["bitcount", "k", "0"], ":26\r\n", dirty: 1, hits: 16, misses: 0)
        expect(["bitcount", "k", "0", "1", "bit", "x"], "-ERR syntax error\r\n", dirty: 1, hits: 16, misses: 0)
        expect(["bitcount", "k", "a", "1"], "-ERR value is not an integer or out of range\r\n", dirty: 1, hits: 16, misses: 0)
        expect(["bitcount", "k", "1", "a"], "-ERR value is not an integer or out of range\r\n", dirty: 1, hits: 16, misses: 0)
        expect(["bitcount", "k", "a", "b", "foo"], "-ERR value is not an integer or out of range\r\n", dirty: 1, hits: 16, misses: 0)
        expect(["bitcount", "k", "1", "2", "foo"], "-ERR syntax error\r\n", dirty: 1, hits: 16, misses: 0)
        expect(["bitcount", "missing", "x", "y"], "-ERR value is not an integer or out of range\r\n", dirty: 1, hits: 16, misses: 0)
        expect(["bitcount", "missing"], ":0\r\n", dirty: 1, hits: 16, misses: 1)
        expect(["bitcount", "missing", "0"], ":0\r\n", dirty: 1, hits: 16, misses: 2)
        expect(["bitcount", "k", "7", "7", "bit"], ":0\r\n", dirty: 1, hits: 17, misses: 2)
        expect(["bitcount", "k", "0", "7", "bit"], ":4\r\n", dirty: 1, hits: 18, misses: 2)
        expect(["bitcount", "k", "1", "6", "bit"], ":4\r\n", dirty: 1, hits: 19, misses: 2)
        expect(["bitcount", "k", "8", "15", "bit"], ":6\r\n", dirty: 1, hits: 20, misses: 2)
        expect(["bitcount", "k", "3", "3", "bit"], ":0\r\n", dirty: 1, hits: 21, misses: 2)
        expect(["bitcount", "k", "9", "9", "bit"], ":1\r\n", dirty: 1, hits: 22, misses: 2)
        expect(["bitcount", "k", "47", "47", "bit"], ":0\r\n", dirty: 1, hits: 23, misses: 2)
        expect(["bitcount", "k", "46", "47", "bit"], ":1\r\n", dirty: 1, hits: 24, misses: 2)
        expect(["bitcount", "k", "48", "100", "bit"], ":0\r\n", dirty: 1, hits: 25, misses: 2)
        expect(["bitcount", "k", "12", "10", "bit"], ":0\r\n", dirty: 1, hits: 26, misses: 2)
        expect(["bitcount", "k", "-9223372036854775808", "-1"], ":26\r\n", dirty: 1, hits: 27, misses: 2)
        expect(["bitcount", "k", "0", "9223372036854775807", "bit"], ":26\r\n", dirty: 1, hits: 28, misses: 2)
        expect(["bitcount", "k", "-9223372036854775808", "9223372036854775807", "bit"], ":26\r\n", dirty: 1, hits: 29, misses: 2)
        expect(["bitcount", "k", "9223372036854775807", "-9223372036854775808"], ":0\r\n", dirty: 1, hits: 30, misses: 2)
        expect(["set", "n", "12345"], "+OK\r\n", dirty: 2, hits: 30, misses: 2)
        expect(["bitcount", "n"], ":17\r\n", dirty: 2, hits: 31, misses: 2)
        expect(["bitcount", "n", "1", "2"], ":7\r\n", dirty: 2, hits: 32, misses: 2)
        expect(["bitcount", "n", "3", "19", "bit"], ":7\r\n", dirty: 2, hits: 33, misses: 2)
        expect(["set", "e", ""], "+OK\r\n", dirty: 3, hits: 33, misses: 2)
        expect(["bitcount", "e"], ":0\r\n", dirty: 3, hits: 34, misses: 2)
        expect(["bitcount", "e", "0", "-1", "bit"], ":0\r\n", dirty: 3, hits: 35, misses: 2)
        expect(["bitcount", "e", "0", "0"], ":0\r\n", dirty: 3, hits: 36, misses: 2)
        expect(["set", "L", "\\xa5M\\xca\\x18%0\\xbb\\x1dm\\x13,\\xde\\xd6#{.\\xd9\\x1e?r\\x1f\\xcb\\x19q\\x17D\\x94\\xd6I<\\x9d\\x5c4`\\xbe1 \\x1ei\\xfe\\xda\\xa0\\xee\\xe8\\xb9\\x99\\x7f\\x5c|)\\x99\\xfd\\xaf\\xe5\\x93%<\\xd6T\\xafM\\xfa\\xd7\\x14'\\xa0\\xae\\xb3\\xfe\\xe9#/\\x8a\\xf2!\\x1f\\x9e\\xe4\\x91\\xc5\\xb1\\x0b\\xec\\xb5V;\\xfc\\x1eo\\x93B~\\xcb\\xc8\\xfe)U\\xe5\\xcd\\x8e"], "+OK\r\n", dirty: 4, hits: 36, misses: 2)
        expect(["bitcount", "L"], ":427\r\n", dirty: 4, hits: 37, misses: 2)
        expect(["bitcount", "L", "3", "97"], ":406\r\n", dirty: 4, hits: 38, misses: 2)
        expect(["bitcount", "L", "13", "790", "bit"], ":416\r\n", dirty: 4, hits: 39, misses: 2)
        expect(["bitcount", "L", "-50", "-3", "bit"], ":27\r\n", dirty: 4, hits: 40, misses: 2)
        expect(["bitcount", "L", "8", "71"], ":277\r\n", dirty: 4, hits: 41, misses: 2)
        expect(["bitcount", "L", "5", "330", "bit"], ":165\r\n", dirty: 4, hits: 42, misses: 2)
        expect(["set", "F", "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff"], "+OK\r\n", dirty: 5, hits: 42, misses: 2)
        expect(["bitcount", "F"], ":800\r\n", dirty: 5, hits: 43, misses: 2)
        expect(["bitcount", "F", "1", "798", "bit"], ":798\r\n", dirty: 5, hits: 44, misses: 2)
        expect(["bitcount", "F", "-33", "-1"], ":264\r\n", dirty: 5, hits: 45, misses: 2)
        expect(["bitcount", "k", "1"], ":22\r\n", dirty: 5, hits: 46, misses: 2)
        expect(["bitcount"], "-ERR wrong number of arguments for 'bitcount' command\r\n", dirty: 5, hits: 46, misses: 2)
    }

    func testBitpos() {
        expect(["set", "k", "\\xff\\xf0\\x00"], "+OK\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitpos", "k", "0"], ":12\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["bitpos", "k", "1"], ":0\r\n", dirty: 1, hits: 2, misses: 0)
        expect(["bitpos", "k", "0", "2"], ":16\r\n", dirty: 1, hits: 3, misses: 0)
        expect(["bitpos", "k", "0", "0", "0"], ":-1\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["bitpos", "k", "0", "0", "1"], ":12\r\n", dirty: 1, hits: 5, misses: 0)
        expect(["bitpos", "k", "1", "2"], ":-1\r\n", dirty: 1, hits: 6, misses: 0)
        expect(["bitpos", "k", "1", "2", "-1"], ":-1\r\n", dirty: 1, hits: 7, misses: 0)
        expect(["bitpos", "k", "1", "1"], ":8\r\n", dirty: 1, hits: 8, misses: 0)
        expect(["bitpos", "k", "0", "-2"], ":12\r\n", dirty: 1, hits: 9, misses: 0)
        expect(["bitpos", "k", "1", "-3", "-3"], ":0\r\n", dirty: 1, hits: 10, misses: 0)
        expect(["bitpos", "k", "0", "0", "7", "bit"], ":-1\r\n", dirty: 1, hits: 11, misses: 0)
        expect(["bitpos", "k", "0", "0", "12", "bit"], ":12\r\n", dirty: 1, hits: 12, misses: 0)
        expect(["bitpos", "k", "0", "5", "14", "bit"], ":12\r\n", dirty: 1, hits: 13, misses: 0)
        expect(["bitpos", "k", "1", "9", "11", "bit"], ":9\r\n", dirty: 1, hits: 14, misses: 0)
        expect(["bitpos", "k", "1", "12", "23", "bit"], ":-1\r\n", dirty: 1, hits: 15, misses: 0)
        expect(["bitpos", "k", "0", "3", "3", "bit"], ":-1\r\n", dirty: 1, hits: 16, misses: 0)
        expect(["bitpos", "k", "0", "13", "13", "bit"], ":13\r\n", dirty: 1, hits: 17, misses: 0)
        expect(["bitpos", "k", "1", "-10", "-1", "bit"], ":-1\r\n", dirty: 1, hits: 18, misses: 0)
        expect(["bitpos", "k", "0", "-3", "-1", "bit"], ":21\r\n", dirty: 1, hits: 19, misses: 0)
        expect(["bitpos", "k", "1", "-13", "-12", "BIT"], ":11\r\n", dirty: 1, hits: 20, misses: 0)
        expect(["bitpos", "k", "1", "20", "10", "bit"], ":-1\r\n", dirty: 1, hits: 21, misses: 0)
        expect(["bitpos", "k", "0", "0", "100", "bit"], ":12\r\n", dirty: 1, hits: 22, misses: 0)
        expect(["bitpos", "k", "1", "2", "-1", "bit"], ":2\r\n", dirty: 1, hits: 23, misses: 0)
        expect(["bitpos", "k", "0", "2", "-1", "byte"], ":16\r\n", dirty: 1, hits: 24, misses: 0)
        expect(["bitpos", "k", "0", "1", "1", "byte"], ":12\r\n", dirty: 1, hits: 25, misses: 0)
        expect(["bitpos", "k", "0", "10", "13", "bit"], ":12\r\n", dirty: 1, hits: 26, misses: 0)
        expect(["bitpos", "k", "1", "4", "4", "bit"], ":4\r\n", dirty: 1, hits: 27, misses: 0)
        expect(["bitpos", "k", "0", "8", "11", "bit"], ":-1\r\n", dirty: 1, hits: 28, misses: 0)
        expect(["set", "ones", "\\xff\\xff"], "+OK\r\n", dirty: 2, hits: 28, misses: 0)
        expect(["bitpos", "ones", "0"], ":16\r\n", dirty: 2, hits: 29, misses: 0)
        expect(["bitpos", "ones", "0", "0"], ":16\r\n", dirty: 2, hits: 30, misses: 0)
        expect(["bitpos", "ones", "0", "0", "-1"], ":-1\r\n", dirty: 2, hits: 31, misses: 0)
        expect(["bitpos", "ones", "0", "1"], ":16\r\n", dirty: 2, hits: 32, misses: 0)
        expect(["bitpos", "ones", "0", "5"], ":-1\r\n", dirty: 2, hits: 33, misses: 0)
        expect(["bitpos", "ones", "0", "-1"], ":16\r\n", dirty: 2, hits: 34, misses: 0)
        expect(["bitpos", "ones", "0", "-100"], ":16\r\n", dirty: 2, hits: 35, misses: 0)
        expect(["bitpos", "ones", "0", "0", "100"], ":-1\r\n", dirty: 2, hits: 36, misses: 0)
        expect(["bitpos", "ones", "1", "5"], ":-1\r\n", dirty: 2, hits: 37, misses: 0)
        expect(["bitpos", "ones", "0", "2", "1"], ":-1\r\n", dirty: 2, hits: 38, misses: 0)
        expect(["bitpos", "nokey", "0"], ":0\r\n", dirty: 2, hits: 38, misses: 1)
        expect(["bitpos", "nokey", "1"], ":-1\r\n", dirty: 2, hits: 38, misses: 2)
        expect(["bitpos", "nokey", "1", "0", "5"], ":-1\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "nokey", "0", "x"], "-ERR value is not an integer or out of range\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "nokey", "0", "1", "2", "bit", "x"], "-ERR syntax error\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "nokey", "2"], "-ERR The bit argument must be 1 or 0.\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "nokey", "x"], "-ERR value is not an integer or out of range\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "k", "2"], "-ERR The bit argument must be 1 or 0.\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "k", "-1"], "-ERR The bit argument must be 1 or 0.\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "k", "1", "a"], "-ERR value is not an integer or out of range\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "k", "1", "0", "a"], "-ERR value is not an integer or out of range\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "k", "1", "0", "1", "foo"], "-ERR syntax error\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "k", "1", "a", "1", "foo"], "-ERR value is not an integer or out of range\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "k", "1", "0", "a", "foo"], "-ERR syntax error\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "k", "1", "0", "1", "bit", "x"], "-ERR syntax error\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "k"], "-ERR wrong number of arguments for 'bitpos' command\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["bitpos", "k", ""], "-ERR value is not an integer or out of range\r\n", dirty: 2, hits: 38, misses: 3)
        expect(["set", "e", ""], "+OK\r\n", dirty: 3, hits: 38, misses: 3)
        expect(["bitpos", "e", "0"], ":-1\r\n", dirty: 3, hits: 39, misses: 3)
        expect(["bitpos", "e", "1"], ":-1\r\n", dirty: 3, hits: 40, misses: 3)
        expect(["bitpos", "e", "0", "0"], ":-1\r\n", dirty: 3, hits: 41, misses: 3)
        expect(["bitpos", "e", "0", "0", "-1", "bit"], ":-1\r\n", dirty: 3, hits: 42, misses: 3)
        expect(["set", "n", "7"], "+OK\r\n", dirty: 4, hits: 42, misses: 3)
        expect(["bitpos", "n", "1"], ":2\r\n", dirty: 4, hits: 43, misses: 3)
        expect(["bitpos", "n", "0"], ":0\r\n", dirty: 4, hits: 44, misses: 3)
        expect(["bitpos", "n", "0", "2", "7", "bit"], ":4\r\n", dirty: 4, hits: 45, misses: 3)
        expect(["set", "Z", "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"], "+OK\r\n", dirty: 5, hits: 45, misses: 3)
        expect(["bitpos", "Z", "1"], ":567\r\n", dirty: 5, hits: 46, misses: 3)
        expect(["bitpos", "Z", "1", "71"], ":-1\r\n", dirty: 5, hits: 47, misses: 3)
        expect(["bitpos", "Z", "0"], ":0\r\n", dirty: 5, hits: 48, misses: 3)
        expect(["bitpos", "Z", "1", "3", "70"], ":567\r\n", dirty: 5, hits: 49, misses: 3)
        expect(["bitpos", "Z", "1", "3", "69"], ":-1\r\n", dirty: 5, hits: 50, misses: 3)
        expect(["bitpos", "Z", "1", "9", "567", "bit"], ":567\r\n", dirty: 5, hits: 51, misses: 3)
        expect(["bitpos", "Z", "1", "9", "566", "bit"], ":-1\r\n", dirty: 5, hits: 52, misses: 3)
        expect(["bitpos", "Z", "0", "70", "70"], ":560\r\n", dirty: 5, hits: 53, misses: 3)
        expect(["bitpos", "Z", "1", "-31"], ":567\r\n", dirty: 5, hits: 54, misses: 3)
        expect(["bitpos", "Z", "1", "-30"], ":567\r\n", dirty: 5, hits: 55, misses: 3)
        expect(["set", "O", "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfb\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff"], "+OK\r\n", dirty: 6, hits: 55, misses: 3)
        expect(["bitpos", "O", "0"], ":669\r\n", dirty: 6, hits: 56, misses: 3)
        expect(["bitpos", "O", "0", "1", "82"], ":-1\r\n", dirty: 6, hits: 57, misses: 3)
        expect(["bitpos", "O", "0", "0", "-1", "bit"], ":669\r\n", dirty: 6, hits: 58, misses: 3)
        expect(["bitpos", "O", "0", "9"], ":669\r\n", dirty: 6, hits: 59, misses: 3)
        expect(["bitpos", "O", "1", "84"], ":672\r\n", dirty: 6, hits: 60, misses: 3)
        expect(["bitpos", "O", "0", "3", "90"], ":669\r\n", dirty: 6, hits: 61, misses: 3)
        expect(["bitpos", "O", "0", "5", "700", "bit"], ":669\r\n", dirty: 6, hits: 62, misses: 3)
        expect(["bitpos", "O", "0", "5", "669", "bit"], ":669\r\n", dirty: 6, hits: 63, misses: 3)
        expect(["bitpos", "O", "0", "5", "668", "bit"], ":-1\r\n", dirty: 6, hits: 64, misses: 3)
        expect(["bitpos", "O", "0", "670", "799", "bit"], ":-1\r\n", dirty: 6, hits: 65, misses: 3)
        expect(["bitpos", "O", "0", "84"], ":800\r\n", dirty: 6, hits: 66, misses: 3)
        expect(["set", "F", "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff"], "+OK\r\n", dirty: 7, hits: 66, misses: 3)
        expect(["bitpos", "F", "0"], ":800\r\n", dirty: 7, hits: 67, misses: 3)
        expect(["bitpos", "F", "0", "10"], ":800\r\n", dirty: 7, hits: 68, misses: 3)
        expect(["bitpos", "F", "0", "10", "99"], ":-1\r\n", dirty: 7, hits: 69, misses: 3)
        expect(["bitpos", "F", "1", "7", "77", "bit"], ":7\r\n", dirty: 7, hits: 70, misses: 3)
    }

    func testBitop() {
        expect(["set", "a", "\\xff\\x0f\\xaa"], "+OK\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["set", "b", "\\x0f\\xff"], "+OK\r\n", dirty: 2, hits: 0, misses: 0)
        expect(["set", "c", "\\x01"], "+OK\r\n", dirty: 3, hits: 0, misses: 0)
        expect(["bitop", "and", "d", "a", "b"], ":3\r\n", dirty: 4, hits: 2, misses: 0)
        expect(["get", "d"], "$3\r\n\\x0f\\x0f\\x00\r\n", dirty: 4, hits: 3, misses: 0)
        expect(["bitop", "or", "d", "a", "b"], ":3\r\n", dirty: 5, hits: 5, misses: 0)
        expect(["get", "d"], "$3\r\n\\xff\\xff\\xaa\r\n", dirty: 5, hits: 6, misses: 0)
        expect(["bitop", "xor", "d", "a", "b", "c"], ":3\r\n", dirty: 6, hits: 9, misses: 0)
        expect(["get", "d"], "$3\r\n\\xf1\\xf0\\xaa\r\n", dirty: 6, hits: 10, misses: 0)
        expect(["bitop", "not", "d", "a"], ":3\r\n", dirty: 7, hits: 11, misses: 0)
        expect(["get", "d"], "$3\r\n\\x00\\xf0U\r\n", dirty: 7, hits: 12, misses: 0)
        expect(["bitop", "and", "d", "a", "missing"], ":3\r\n", dirty: 8, hits: 13, misses: 1)
        expect(["get", "d"], "$3\r\n\\x00\\x00\\x00\r\n", dirty: 8, hits: 14, misses: 1)
        expect(["bitop", "or", "d", "missing", "a"], ":3\r\n", dirty: 9, hits: 15, misses: 2)
        expect(["get", "d"], "$3\r\n\\xff\\x0f\\xaa\r\n", dirty: 9, hits: 16, misses: 2)
        expect(["bitop", "or", "d", "missing", "missing2"], ":0\r\n", dirty: 10, hits: 16, misses: 4)
        expect(["exists", "d"], ":0\r\n", dirty: 10, hits: 16, misses: 5)
        expect(["bitop", "or", "d", "missing"], ":0\r\n", dirty: 10, hits: 16, misses: 6)
        expect(["exists", "d"], ":0\r\n", dirty: 10, hits: 16, misses: 7)
        expect(["bitop", "not", "d", "missing"], ":0\r\n", dirty: 10, hits: 16, misses: 8)
        expect(["bitop", "not", "d", "a", "b"], "-ERR BITOP NOT must be called with a single source key.\r\n", dirty: 10, hits: 16, misses: 8)
        expect(["bitop", "not", "d"], "-ERR wrong number of arguments for 'bitop' command\r\n", dirty: 10, hits: 16, misses: 8)
        expect(["bitop", "foo", "d", "a"], "-ERR syntax error\r\n", dirty: 10, hits: 16, misses: 8)
        expect(["bitop", "andx", "d", "a"], "-ERR syntax error\r\n", dirty: 10, hits: 16, misses: 8)
        expect(["bitop", "AND", "d", "a", "c"], ":3\r\n", dirty: 11, hits: 18, misses: 8)
        expect(["get", "d"], "$3\r\n\\x01\\x00\\x00\r\n", dirty: 11, hits: 19, misses: 8)
        expect(["bitop", "Or", "d", "a"], ":3\r\n", dirty: 12, hits: 20, misses: 8)
        expect(["get", "d"], "$3\r\n\\xff\\x0f\\xaa\r\n", dirty: 12, hits: 21, misses: 8)
        expect(["bitop", "xor", "d", "a", "a"], ":3\r\n", dirty: 13, hits: 23, misses: 8)
        expect(["get", "d"], "$3\r\n\\x00\\x00\\x00\r\n", dirty: 13, hits: 24, misses: 8)
        expect(["set", "n", "123"], "+OK\r\n", dirty: 14, hits: 24, misses: 8)
        expect(["bitop", "or", "d", "n", "a"], ":3\r\n", dirty: 15, hits: 26, misses: 8)
        expect(["get", "d"], "$3\r\n\\xff?\\xbb\r\n", dirty: 15, hits: 27, misses: 8)
        expect(["bitop", "not", "a", "a"], ":3\r\n", dirty: 16, hits: 28, misses: 8)
        expect(["get", "a"], "$3\r\n\\x00\\xf0U\r\n", dirty: 16, hits: 29, misses: 8)
        expect(["set", "e", ""], "+OK\r\n", dirty: 17, hits: 29, misses: 8)
        expect(["bitop", "and", "d", "e"], ":0\r\n", dirty: 18, hits: 30, misses: 8)
        expect(["exists", "d"], ":0\r\n", dirty: 18, hits: 30, misses: 9)
        expect(["bitop", "xor", "d", "e", "b"], ":2\r\n", dirty: 19, hits: 32, misses: 9)
        expect(["get", "d"], "$2\r\n\\x0f\\xff\r\n", dirty: 19, hits: 33, misses: 9)
        expect(["set", "L1", "\\xa5M\\xca\\x18%0\\xbb\\x1dm\\x13,\\xde\\xd6#{.\\xd9\\x1e?r\\x1f\\xcb\\x19q\\x17D\\x94\\xd6I<\\x9d\\x5c4`\\xbe1 \\x1ei\\xfe\\xda\\xa0\\xee\\xe8\\xb9\\x99\\x7f\\x5c|)\\x99\\xfd\\xaf\\xe5\\x93%<\\xd6T\\xafM\\xfa\\xd7\\x14'\\xa0\\xae\\xb3\\xfe\\xe9#/\\x8a\\xf2!\\x1f\\x9e\\xe4\\x91\\xc5\\xb1\\x0b\\xec\\xb5V;\\xfc\\x1eo\\x93B~\\xcb\\xc8\\xfe)U\\xe5\\xcd\\x8e"], "+OK\r\n", dirty: 20, hits: 33, misses: 9)
        expect(["set", "L2", "F\\xdc\\x8e\\xd4\\xb7\\xc2vM*ZMvw\\x06\\xf8]\\x86\\x90\\x02J\\xd6\\xbd\\xa3@\\x1b\\xe9\\xc8\\xcb\\xcc\\xc95\\xf6\\xcd\\x1fa\"j\\xe1S8\\xae\\x1a4\\x00M3\\xba\r$j\\xc0L\\x81\\xb1\\xba\\xf2>;\\xf9\\xee\\xf5\\xf7\\x9f+I4\\xaf\\x87\\xf5R\\x0bi\\xb9K\r\\x98.\\x85\\xbbU\\xb6r\\xa8"], "+OK\r\n", dirty: 21, hits: 33, misses: 9)
        expect(["set", "L3", "rcz\\xcdtf\\xfc\\xb6\\x0e\\x0e\\x8f\\xf1\\x84c\\xb0\\xe4\\xb2\\xba)p4t\\xf0d\\xach\\xf7\\x00\\xf5\\xb0+=\\xc6f\\xf4[\\xde\\xaa,\\xca\\xed"], "+OK\r\n", dirty: 22, hits: 33, misses: 9)
        expect(["bitop", "and", "d", "L1", "L2", "L3"], ":100\r\n", dirty: 23, hits: 36, misses: 9)
        expect(["get", "d"], "$100\r\n\\x00@\n\\x00$\\x000\\x04\\x08\\x02\\x0cP\\x04\\x020\\x04\\x80\\x10\\x00@\\x14\\x00\\x00@\\x00@\\x80\\x00@\\x00\\x01\\x14\\x04\\x00 \\x00\\x00\\x00\\x00\\x08\\x88\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\r\n", dirty: 23, hits: 37, misses: 9)
        expect(["bitop", "and", "d", "L1", "L2"], ":100\r\n", dirty: 24, hits: 39, misses: 9)
        expect(["get", "d"], "$100\r\n\\x04L\\x8a\\x10%\\x002\r(\\x12\\x0cVV\\x02x\\x0c\\x80\\x10\\x02B\\x16\\x89\\x01@\\x13@\\x80\\xc2H\\x08\\x15T\\x04\\x00   \\x00A8\\x8a\\x00$\\x00\\x09\\x11:\\x0c$(\\x80L\\x81\\xa1\\x92 <\\x12P\\xaeE\\xf2\\x97\\x00\\x01 \\xae\\x83\\xf4@\\x03)\\x88B\\x01\\x18\\x0e\\x84\\x91E\\xb0\\x02\\xa8\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\r\n", dirty: 24, hits: 40, misses: 9)
        expect(["bitop", "or", "d", "L3", "L2", "L1"], ":100\r\n", dirty: 25, hits: 43, misses: 9)
        expect(["get", "d"], "$100\r\n\\xf7\\xff\\xfe\\xdd\\xf7\\xf6\\xff\\xffo_\\xef\\xff\\xf7g\\xfb\\xff\\xff\\xbe?z\\xff\\xff\\xfbu\\xbf\\xed\\xff\\xdf\\xfd\\xfd\\xbf\\xff\\xff\\x7f\\xff{\\xfe\\xff\\x7f\\xfe\\xff\\xba\\xfe\\xe8\\xfd\\xbb\\xff]|k\\xd9\\xfd\\xaf\\xf5\\xbb\\xf7>\\xff\\xfd\\xef\\xfd\\xff\\xdf?o\\xb4\\xaf\\xb7\\xff\\xfb+o\\xbb\\xfb-\\x9f\\xbe\\xe5\\xbb\\xd5\\xb7{\\xec\\xb5V;\\xfc\\x1eo\\x93B~\\xcb\\xc8\\xfe)U\\xe5\\xcd\\x8e\r\n", dirty: 25, hits: 44, misses: 9)
        expect(["bitop", "xor", "d", "L2", "L1", "L3"], ":100\r\n", dirty: 26, hits: 47, misses: 9)
        expect(["get", "d"], "$100\r\n\\x91\\xf2>\\x01\\xe6\\x941\\xe6IG\\xeeY%F3\\x97\\xed4\\x14H\\xfd\\x02JU\\xa0\\xc5\\xab\\x1dpE\\x83\\x97?\\x19+H\\x94U\\x16\\x0c\\x99\\xba\\xda\\xe8\\xf4\\xaa\\xc5QXCY\\xb1.T)\\xd7\\x02\\xed\\xadA\\xb8\rH?n\\x94\\x014\\x0b\\xbb(F3\\xb9,\\x87\\xb0a*\\x90\\x07yD\\xb5V;\\xfc\\x1eo\\x93B~\\xcb\\xc8\\xfe)U\\xe5\\xcd\\x8e\r\n", dirty: 26, hits: 48, misses: 9)
        expect(["bitop", "not", "d", "L1"], ":100\r\n", dirty: 27, hits: 49, misses: 9)
        expect(["get", "d"], "$100\r\nZ\\xb25\\xe7\\xda\\xcfD\\xe2\\x92\\xec\\xd3!)\\xdc\\x84\\xd1&\\xe1\\xc0\\x8d\\xe04\\xe6\\x8e\\xe8\\xbbk)\\xb6\\xc3b\\xa3\\xcb\\x9fA\\xce\\xdf\\xe1\\x96\\x01%_\\x11\\x17Ff\\x80\\xa3\\x83\\xd6f\\x02P\\x1al\\xda\\xc3)\\xabP\\xb2\\x05(\\xeb\\xd8_QL\\x01\\x16\\xdc\\xd0u\r\\xde\\xe0a\\x1bn:N\\xf4\\x13J\\xa9\\xc4\\x03\\xe1\\x90l\\xbd\\x8147\\x01\\xd6\\xaa\\x1a2q\r\n", dirty: 27, hits: 50, misses: 9)
        expect(["bitop", "not", "d", "L3"], ":41\r\n", dirty: 28, hits: 51, misses: 9)
        expect(["get", "d"], "$41\r\n\\x8d\\x9c\\x852\\x8b\\x99\\x03I\\xf1\\xf1p\\x0e{\\x9cO\\x1bME\\xd6\\x8f\\xcb\\x8b\\x0f\\x9bS\\x97\\x08\\xff\nO\\xd4\\xc29\\x99\\x0b\\xa4!U\\xd35\\x12\r\n", dirty: 28, hits: 52, misses: 9)
        expect(["bitop", "and", "d"], "-ERR wrong number of arguments for 'bitop' command\r\n", dirty: 28, hits: 52, misses: 9)
    }

    func testBitfieldGet() {
        expect(["bitfield", "k"], "*0\r\n", dirty: 0, hits: 0, misses: 1)
        expect(["bitfield", "missing", "get", "u8", "0", "get", "i64", "100"], "*2\r\n:0\r\n:0\r\n", dirty: 0, hits: 0, misses: 2)
        expect(["exists", "missing"], ":0\r\n", dirty: 0, hits: 0, misses: 3)
        expect(["set", "k", "\\xaa\\xbb\\xcc\\x81"], "+OK\r\n", dirty: 1, hits: 0, misses: 3)
        expect(["bitfield", "k", "get", "u4", "0", "get", "i4", "0", "get", "u8", "4", "get", "i8", "4", "get", "u1", "23", "get", "i1", "0", "get", "u63", "0", "get", "i64", "0", "get", "i64", "20", "get", "u8", "100", "get", "i3", "30", "get", "u63", "1", "get", "i64", "1", "get", "i16", "#1", "get", "u5", "#5", "get", "i7", "#4", "GET", "i1", "#31"], "*17\r\n:10\r\n:-6\r\n:171\r\n:-85\r\n:0\r\n:-1\r\n:6151325830757744640\r\n:-6144092412194062336\r\n:-4030721666496593920\r\n:0\r\n:2\r\n:3079279624660713472\r\n:6158559249321426944\r\n:-13183\r\n:0\r\n:8\r\n:-1\r\n", dirty: 1, hits: 1, misses: 3)
        expect(["bitfield", "k", "get", "u3", "#6148914691236517206"], "*1\r\n:5\r\n", dirty: 1, hits: 2, misses: 3)
        expect(["bitfield", "k", "get", "u8", "#1", "get", "u8", "#3"], "*2\r\n:187\r\n:129\r\n", dirty: 1, hits: 3, misses: 3)
        expect(["set", "n", "100"], "+OK\r\n", dirty: 2, hits: 3, misses: 3)
        expect(["bitfield", "n", "get", "u8", "0", "get", "i24", "0"], "*2\r\n:49\r\n:3223600\r\n", dirty: 2, hits: 4, misses: 3)
        expect(["set", "L", "\\xa5M\\xca\\x18%0\\xbb\\x1dm\\x13,\\xde\\xd6#{.\\xd9\\x1e?r\\x1f\\xcb\\x19q\\x17D\\x94\\xd6I<\\x9d\\x5c4`\\xbe1 \\x1ei\\xfe\\xda\\xa0\\xee\\xe8\\xb9\\x99\\x7f\\x5c|)\\x99\\xfd\\xaf\\xe5\\x93%<\\xd6T\\xafM\\xfa\\xd7\\x14'\\xa0\\xae\\xb3\\xfe\\xe9#/\\x8a\\xf2!\\x1f\\x9e\\xe4\\x91\\xc5\\xb1\\x0b\\xec\\xb5V;\\xfc\\x1eo\\x93B~\\xcb\\xc8\\xfe)U\\xe5\\xcd\\x8e"], "+OK\r\n", dirty: 3, hits: 4, misses: 3)
        expect(["bitfield", "L", "get", "i64", "3", "get", "u63", "777", "get", "i37", "400", "get", "u13", "795"], "*4\r\n:3057469987586693355\r\n:7335675498707550208\r\n:-54765683534\r\n:3584\r\n", dirty: 3, hits: 5, misses: 3)
        expect(["bitfield", "k", "overflow", "sat"], "*0\r\n", dirty: 3, hits: 6, misses: 3)
        expect(["bitfield", "k", "overflow", "fail", "get", "u2", "0"], "*1\r\n:2\r\n", dirty: 3, hits: 7, misses: 3)
    }

    func testBitfieldSetIncrby() {
        expect(["bitfield", "w", "set", "u8", "0", "255"], "*1\r\n:0\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["get", "w"], "$1\r\n\\xff\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["bitfield", "w", "set", "u8", "0", "256"], "*1\r\n:255\r\n", dirty: 2, hits: 1, misses: 0)
        expect(["get", "w"], "$1\r\n\\x00\r\n", dirty: 2, hits: 2, misses: 0)
        expect(["bitfield", "w", "set", "u8", "0", "255", "incrby", "u8", "0", "300"], "*2\r\n:0\r\n:43\r\n", dirty: 4, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "sat", "incrby", "u8", "0", "300"], "*1\r\n:255\r\n", dirty: 5, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "fail", "incrby", "u8", "0", "1"], "*1\r\n$-1\r\n", dirty: 5, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "fail", "set", "u8", "0", "256"], "*1\r\n$-1\r\n", dirty: 5, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "sat", "set", "u8", "0", "-5"], "*1\r\n:255\r\n", dirty: 5, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "wrap", "set", "u8", "0", "-5"], "*1\r\n:255\r\n", dirty: 6, hits: 2, misses: 0)
        expect(["bitfield", "w", "incrby", "u8", "0", "-300"], "*1\r\n:207\r\n", dirty: 7, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "sat", "incrby", "u8", "0", "-300"], "*1\r\n:0\r\n", dirty: 8, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "fail", "incrby", "u8", "0", "-1"], "*1\r\n$-1\r\n", dirty: 8, hits: 2, misses: 0)
        expect(["bitfield", "w", "OVERFLOW", "FAIL", "incrby", "u8", "0", "-1"], "*1\r\n$-1\r\n", dirty: 8, hits: 2, misses: 0)
        expect(["bitfield", "w", "set", "u8", "0", "0"], "*1\r\n:0\r\n", dirty: 8, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "fail", "incrby", "u8", "0", "-1"], "*1\r\n$-1\r\n", dirty: 8, hits: 2, misses: 0)
        expect(["bitfield", "w", "set", "i8", "8", "127"], "*1\r\n:0\r\n", dirty: 9, hits: 2, misses: 0)
        expect(["bitfield", "w", "incrby", "i8", "8", "1"], "*1\r\n:-128\r\n", dirty: 10, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "sat", "incrby", "i8", "8", "-200"], "*1\r\n:-128\r\n", dirty: 10, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "sat", "incrby", "i8", "8", "1000"], "*1\r\n:127\r\n", dirty: 11, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "fail", "incrby", "i8", "8", "1"], "*1\r\n$-1\r\n", dirty: 11, hits: 2, misses: 0)
        expect(["bitfield", "w", "set", "i8", "8", "-129"], "*1\r\n:127\r\n", dirty: 11, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "sat", "set", "i8", "8", "-129"], "*1\r\n:127\r\n", dirty: 12, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "sat", "set", "i8", "8", "-9223372036854775800"], "*1\r\n:-128\r\n", dirty: 13, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "sat", "set", "i8", "8", "9223372036854775807"], "*1\r\n:127\r\n", dirty: 13, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "wrap", "set", "i8", "8", "-9223372036854775800"], "*1\r\n:127\r\n", dirty: 14, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "fail", "set", "i8", "8", "-9223372036854775800"], "*1\r\n$-1\r\n", dirty: 14, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "sat", "set", "i8", "8", "-9223372036854775808"], "*1\r\n:8\r\n", dirty: 15, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "sat", "incrby", "i8", "8", "-9223372036854775808"], "*1\r\n:-128\r\n", dirty: 16, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "wrap", "incrby", "i8", "8", "-9223372036854775808"], "*1\r\n:-128\r\n", dirty: 16, hits: 2, misses: 0)
        expect(["bitfield", "w", "overflow", "sat", "incrby", "i8", "8", "9223372036854775807"], "*1\r\n:127\r\n", dirty: 17, hits: 2, misses: 0)
        expect(["bitfield", "w", "get", "i8", "8", "get", "u8", "8"], "*2\r\n:127\r\n:127\r\n", dirty: 17, hits: 3, misses: 0)
        expect(["bitfield", "x", "set", "i64", "0", "9223372036854775807"], "*1\r\n:0\r\n", dirty: 18, hits: 3, misses: 0)
        expect(["bitfield", "x", "incrby", "i64", "0", "1"], "*1\r\n:-9223372036854775808\r\n", dirty: 19, hits: 3, misses: 0)
        expect(["bitfield", "x", "overflow", "sat", "incrby", "i64", "0", "-1"], "*1\r\n:-9223372036854775808\r\n", dirty: 19, hits: 3, misses: 0)
        expect(["bitfield", "x", "overflow", "sat", "incrby", "i64", "0", "-9223372036854775808"], "*1\r\n:-9223372036854775808\r\n", dirty: 19, hits: 3, misses: 0)
        expect(["bitfield", "x", "set", "i64", "0", "9223372036854775807", "overflow", "sat", "incrby", "i64", "0", "1"], "*2\r\n:-9223372036854775808\r\n:9223372036854775807\r\n", dirty: 20, hits: 3, misses: 0)
        expect(["bitfield", "x", "overflow", "fail", "incrby", "i64", "0", "9223372036854775807"], "*1\r\n$-1\r\n", dirty: 20, hits: 3, misses: 0)
        expect(["bitfield", "x", "incrby", "i64", "0", "9223372036854775807"], "*1\r\n:-2\r\n", dirty: 21, hits: 3, misses: 0)
        expect(["bitfield", "x", "incrby", "i64", "0", "-9223372036854775808"], "*1\r\n:9223372036854775806\r\n", dirty: 22, hits: 3, misses: 0)
        expect(["bitfield", "x", "overflow", "fail", "incrby", "i64", "0", "-9223372036854775808"], "*1\r\n:-2\r\n", dirty: 23, hits: 3, misses: 0)
        expect(["bitfield", "x", "set", "i64", "0", "-9223372036854775808", "overflow", "sat", "incrby", "i64", "0", "-1", "overflow", "wrap", "incrby", "i64", "0", "-1"], "*3\r\n:-2\r\n:-9223372036854775808\r\n:9223372036854775807\r\n", dirty: 25, hits: 3, misses: 0)
        expect(["bitfield", "x", "set", "u63", "0", "9223372036854775807", "incrby", "u63", "0", "1"], "*2\r\n:4611686018427387903\r\n:0\r\n", dirty: 27, hits: 3, misses: 0)
        expect(["bitfield", "x", "set", "u63", "0", "-1"], "*1\r\n:0\r\n", dirty: 28, hits: 3, misses: 0)
        expect(["bitfield", "x", "overflow", "sat", "set", "u63", "0", "-1", "incrby", "u63", "0", "5"], "*2\r\n:9223372036854775807\r\n:9223372036854775807\r\n", dirty: 28, hits: 3, misses: 0)
        expect(["bitfield", "x", "overflow", "sat", "incrby", "u63", "0", "-9223372036854775808"], "*1\r\n:0\r\n", dirty: 29, hits: 3, misses: 0)
        expect(["bitfield", "x", "overflow", "sat", "set", "u63", "0", "5", "incrby", "u63", "0", "9223372036854775807"], "*2\r\n:0\r\n:9223372036854775807\r\n", dirty: 31, hits: 3, misses: 0)
        expect(["bitfield", "x", "set", "i1", "3", "1", "get", "i1", "3", "get", "u1", "3", "incrby", "i1", "3", "1", "overflow", "sat", "incrby", "i1", "3", "5", "incrby", "i1", "3", "-5"], "*6\r\n:-1\r\n:-1\r\n:1\r\n:0\r\n:0\r\n:-1\r\n", dirty: 33, hits: 3, misses: 0)
        expect(["bitfield", "x", "set", "u1", "3", "3", "overflow", "sat", "set", "u1", "4", "3", "overflow", "fail", "set", "u1", "5", "2"], "*3\r\n:1\r\n:1\r\n$-1\r\n", dirty: 33, hits: 3, misses: 0)
        expect(["bitfield", "y", "set", "u8", "#1", "5", "get", "u8", "#1", "get", "u16", "0", "set", "i5", "#3", "-3", "get", "i5", "15", "get", "u5", "#3"], "*6\r\n:0\r\n:5\r\n:5\r\n:-16\r\n:-3\r\n:29\r\n", dirty: 35, hits: 3, misses: 0)
        expect(["get", "y"], "$3\r\n\\x00\\x05\\xd0\r\n", dirty: 35, hits: 4, misses: 0)
        expect(["bitfield", "y", "set", "u13", "3", "4095", "get", "u13", "3", "set", "i37", "11", "-12345678901", "get", "i37", "11", "get", "u37", "11"], "*5\r\n:5\r\n:4095\r\n:-805306368\r\n:-12345678901\r\n:125093274571\r\n", dirty: 37, hits: 4, misses: 0)
        expect(["get", "y"], "$6\r\n\\x0f\\xfd #\\xe3\\xcb\r\n", dirty: 37, hits: 5, misses: 0)
        expect(["bitfield", "z", "overflow", "fail", "set", "u2", "0", "7", "incrby", "u2", "0", "1", "overflow", "wrap", "incrby", "u2", "0", "5", "set", "u2", "0", "3", "incrby", "u2", "0", "1"], "*5\r\n$-1\r\n:1\r\n:2\r\n:2\r\n:0\r\n", dirty: 41, hits: 5, misses: 0)
        expect(["bitfield", "nk", "overflow", "fail", "set", "u2", "0", "10"], "*1\r\n$-1\r\n", dirty: 41, hits: 5, misses: 0)
        expect(["exists", "nk"], ":1\r\n", dirty: 41, hits: 6, misses: 0)
        expect(["get", "nk"], "$1\r\n\\x00\r\n", dirty: 41, hits: 7, misses: 0)
        expect(["bitfield", "nk", "overflow", "fail", "set", "u2", "100", "10"], "*1\r\n$-1\r\n", dirty: 41, hits: 7, misses: 0)
        expect(["get", "nk"], "$13\r\n\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\r\n", dirty: 41, hits: 8, misses: 0)
        expect(["bitfield", "nk", "set", "u8", "0", "0"], "*1\r\n:0\r\n", dirty: 41, hits: 8, misses: 0)
        expect(["bitfield", "nk", "set", "u8", "8", "0", "set", "u8", "16", "0"], "*2\r\n:0\r\n:0\r\n", dirty: 41, hits: 8, misses: 0)
        expect(["get", "nk"], "$13\r\n\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\r\n", dirty: 41, hits: 9, misses: 0)
        expect(["bitfield", "nk", "set", "u4", "0", "0", "get", "u4", "0", "set", "u4", "0", "9", "get", "u4", "0", "set", "u4", "0", "9"], "*5\r\n:0\r\n:0\r\n:0\r\n:9\r\n:9\r\n", dirty: 42, hits: 9, misses: 0)
        expect(["set", "n", "100"], "+OK\r\n", dirty: 43, hits: 9, misses: 0)
        expect(["bitfield", "n", "set", "u8", "0", "50"], "*1\r\n:49\r\n", dirty: 44, hits: 9, misses: 0)
        expect(["get", "n"], "$3\r\n200\r\n", dirty: 44, hits: 10, misses: 0)
        expect(["set", "n", "100"], "+OK\r\n", dirty: 45, hits: 10, misses: 0)
        expect(["bitfield", "n", "set", "u8", "0", "49"], "*1\r\n:49\r\n", dirty: 45, hits: 10, misses: 0)
        expect(["get", "n"], "$3\r\n100\r\n", dirty: 45, hits: 11, misses: 0)
        expect(["bitfield", "new", "incrby", "i16", "#2", "-7", "get", "i16", "32", "get", "u8", "100"], "*3\r\n:-7\r\n:-7\r\n:0\r\n", dirty: 46, hits: 11, misses: 0)
        expect(["get", "new"], "$6\r\n\\x00\\x00\\x00\\x00\\xff\\xf9\r\n", dirty: 46, hits: 12, misses: 0)
        expect(["set", "L", "\\xa5M\\xca\\x18%0\\xbb\\x1dm\\x13,\\xde\\xd6#{.\\xd9\\x1e?r\\x1f\\xcb\\x19q\\x17D\\x94\\xd6I<\\x9d\\x5c4`\\xbe1 \\x1ei\\xfe\\xda\\xa0\\xee\\xe8\\xb9\\x99\\x7f\\x5c|)\\x99\\xfd\\xaf\\xe5\\x93%<\\xd6T\\xafM\\xfa\\xd7\\x14'\\xa0\\xae\\xb3\\xfe\\xe9#/\\x8a\\xf2!\\x1f\\x9e\\xe4\\x91\\xc5\\xb1\\x0b\\xec\\xb5V;\\xfc\\x1eo\\x93B~\\xcb\\xc8\\xfe)U\\xe5\\xcd\\x8e"], "+OK\r\n", dirty: 47, hits: 12, misses: 0)
        expect(["bitfield", "L", "set", "i64", "3", "-2", "incrby", "u63", "777", "12345", "set", "i37", "400", "999", "incrby", "u13", "795", "-1"], "*4\r\n:3057469987586693355\r\n:7335675498707562553\r\n:-54765683534\r\n:3583\r\n", dirty: 51, hits: 12, misses: 0)
        expect(["get", "L"], "$105\r\n\\xbf\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xcd\\x13,\\xde\\xd6#{.\\xd9\\x1e?r\\x1f\\xcb\\x19q\\x17D\\x94\\xd6I<\\x9d\\x5c4`\\xbe1 \\x1ei\\xfe\\xda\\xa0\\xee\\xe8\\xb9\\x99\\x7f\\x5c|)\\x00\\x00\\x00\\x1f;%<\\xd6T\\xafM\\xfa\\xd7\\x14'\\xa0\\xae\\xb3\\xfe\\xe9#/\\x8a\\xf2!\\x1f\\x9e\\xe4\\x91\\xc5\\xb1\\x0b\\xec\\xb5V;\\xfc\\x1eo\\x93B~\\xcb\\xc8\\xfe)U\\xe5\\xcd\\x8d\\xff\\x00\\x0009\r\n", dirty: 51, hits: 13, misses: 0)
    }

    func testBitfieldErrors() {
        expect(["set", "k", "abc"], "+OK\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get"], "-ERR syntax error\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "u8"], "-ERR syntax error\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "set", "u8", "0"], "-ERR syntax error\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "incrby", "u8", "0"], "-ERR syntax error\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "foo"], "-ERR syntax error\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "foo", "u8", "0"], "-ERR syntax error\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "overflow"], "-ERR syntax error\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "overflow", "bad"], "-ERR Invalid OVERFLOW type specified\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "overflow", "sat", "overflow"], "-ERR syntax error\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "u64", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "i65", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "i0", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "u0", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "x8", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "U8", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "I8", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "i", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "u-1", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "u08", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "i8\\x00x", "0"], "*1\r\n:97\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["bitfield", "k", "get", "u8", "-1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["bitfield", "k", "get", "u8", "4294967296"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["bitfield", "k", "get", "u8", "4294967295"], "*1\r\n:0\r\n", dirty: 1, hits: 2, misses: 0)
        expect(["bitfield", "k", "get", "u8", "abc"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 1, hits: 2, misses: 0)
        expect(["bitfield", "k", "get", "u8", "#-1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 1, hits: 2, misses: 0)
        expect(["bitfield", "k", "get", "u8", "#"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 1, hits: 2, misses: 0)
        expect(["bitfield", "k", "get", "u8", "#abc"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 1, hits: 2, misses: 0)
        expect(["bitfield", "k", "get", "u8", "##1"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 1, hits: 2, misses: 0)
        expect(["bitfield", "k", "get", "u8", "#536870912"], "-ERR bit offset is not an integer or out of range\r\n", dirty: 1, hits: 2, misses: 0)
        expect(["bitfield", "k", "get", "u8", "#536870911"], "*1\r\n:0\r\n", dirty: 1, hits: 3, misses: 0)
        expect(["bitfield", "k", "get", "i64", "#1152921504606846977"], "*1\r\n:0\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["bitfield", "k", "set", "u8", "0", "abc"], "-ERR value is not an integer or out of range\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["bitfield", "k", "incrby", "u8", "0", "1.5"], "-ERR value is not an integer or out of range\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["bitfield", "k", "set", "u8", "0", "abc", "get", "u64", "0"], "-ERR value is not an integer or out of range\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["bitfield", "k", "get", "u64", "0", "set", "u8", "0", "abc"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["bitfield", "k", "set", "u8", "0", "1", "get", "u8"], "-ERR syntax error\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["bitfield", "k", "get", "u8", "0", "overflow", "x", "set", "u8", "0", "1"], "-ERR Invalid OVERFLOW type specified\r\n", dirty: 1, hits: 4, misses: 0)
        expect(["get", "k"], "$3\r\nabc\r\n", dirty: 1, hits: 5, misses: 0)
        expect(["bitfield"], "-ERR wrong number of arguments for 'bitfield' command\r\n", dirty: 1, hits: 5, misses: 0)
    }

    func testBitfieldRO() {
        expect(["set", "k", "\\x80\\x01"], "+OK\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield_ro", "k", "get", "u8", "0", "get", "i8", "0", "get", "i16", "#0"], "*3\r\n:128\r\n:-128\r\n:-32767\r\n", dirty: 1, hits: 1, misses: 0)
        expect(["bitfield_ro", "missing", "get", "i8", "0"], "*1\r\n:0\r\n", dirty: 1, hits: 1, misses: 1)
        expect(["bitfield_ro", "k"], "*0\r\n", dirty: 1, hits: 2, misses: 1)
        expect(["bitfield_ro", "k", "set", "u8", "0", "1"], "-ERR BITFIELD_RO only supports the GET subcommand\r\n", dirty: 1, hits: 2, misses: 1)
        expect(["bitfield_ro", "k", "incrby", "u8", "0", "1"], "-ERR BITFIELD_RO only supports the GET subcommand\r\n", dirty: 1, hits: 2, misses: 1)
        expect(["bitfield_ro", "missing", "get", "u8", "0", "set", "u8", "0", "1"], "-ERR BITFIELD_RO only supports the GET subcommand\r\n", dirty: 1, hits: 2, misses: 1)
        expect(["exists", "missing"], ":0\r\n", dirty: 1, hits: 2, misses: 2)
        expect(["bitfield_ro", "k", "overflow", "sat"], "*0\r\n", dirty: 1, hits: 3, misses: 2)
        expect(["bitfield_ro", "k", "overflow", "sat", "get", "u8", "0"], "*1\r\n:128\r\n", dirty: 1, hits: 4, misses: 2)
        expect(["bitfield_ro", "k", "get", "u64", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", dirty: 1, hits: 4, misses: 2)
        expect(["bitfield_ro", "k", "set", "u8", "0", "x"], "-ERR value is not an integer or out of range\r\n", dirty: 1, hits: 4, misses: 2)
        expect(["bitfield_ro", "k", "foo"], "-ERR syntax error\r\n", dirty: 1, hits: 4, misses: 2)
        expect(["bitfield_ro", "k", "overflow", "bad"], "-ERR Invalid OVERFLOW type specified\r\n", dirty: 1, hits: 4, misses: 2)
        expect(["BITFIELD_RO", "k", "GET", "u1", "0"], "*1\r\n:1\r\n", dirty: 1, hits: 5, misses: 2)
        expect(["get", "k"], "$2\r\n\\x80\\x01\r\n", dirty: 1, hits: 6, misses: 2)
        expect(["bitfield_ro"], "-ERR wrong number of arguments for 'bitfield_ro' command\r\n", dirty: 1, hits: 6, misses: 2)
    }

    func testBitfieldFailNullInResp3() {
        client.resp3 = true
        expect(["bitfield", "k", "overflow", "fail", "set", "u2", "0", "10", "set", "u2", "2", "1", "incrby", "i2", "2", "5"], "*3\r\n_\r\n:0\r\n_\r\n", dirty: 1, hits: 0, misses: 0)
        expect(["bitfield", "k", "get", "u8", "0"], "*1\r\n:16\r\n", dirty: 1, hits: 1, misses: 0)
    }

    func testUnchangedWritesKeepWatch() {
        expect(["set", "k", "\\x80"], "+OK\r\n", dirty: 1)
        expect(["watch", "k"], "+OK\r\n", dirty: 1)
        expect(["setbit", "k", "0", "1"], ":1\r\n", dirty: 1)
        expect(["setbit", "k", "1", "0"], ":0\r\n", dirty: 1)
        expect(["bitfield", "k", "set", "u8", "0", "128", "incrby", "u4", "0", "0", "overflow", "fail", "incrby", "u1", "0", "1"], "*3\r\n:128\r\n:8\r\n$-1\r\n", dirty: 1)
        expect(["multi"], "+OK\r\n")
        expect(["get", "k"], "+QUEUED\r\n")
        expect(["exec"], "*1\r\n$1\r\n\\x80\r\n", dirty: 1)
        expect(["watch", "k"], "+OK\r\n", dirty: 1)
        expect(["setbit", "k", "1", "1"], ":0\r\n", dirty: 2)
        expect(["multi"], "+OK\r\n")
        expect(["get", "k"], "+QUEUED\r\n")
        expect(["exec"], "*-1\r\n", dirty: 2)
        expect(["watch", "k"], "+OK\r\n", dirty: 2)
        expect(["bitfield", "k", "set", "u1", "1", "0"], "*1\r\n:1\r\n", dirty: 3)
        expect(["multi"], "+OK\r\n")
        expect(["get", "k"], "+QUEUED\r\n")
        expect(["exec"], "*-1\r\n", dirty: 3)
        expect(["watch", "k"], "+OK\r\n", dirty: 3)
        expect(["setbit", "k", "8", "0"], ":0\r\n", dirty: 4)
        expect(["multi"], "+OK\r\n")
        expect(["get", "k"], "+QUEUED\r\n")
        expect(["exec"], "*-1\r\n", dirty: 4)
        expect(["watch", "d"], "+OK\r\n", dirty: 4)
        expect(["bitop", "or", "d", "nothing"], ":0\r\n", dirty: 4)
        expect(["multi"], "+OK\r\n")
        expect(["get", "d"], "+QUEUED\r\n")
        expect(["exec"], "*1\r\n$-1\r\n", dirty: 4)
        expect(["watch", "d"], "+OK\r\n", dirty: 4)
        expect(["bitop", "or", "d", "k"], ":2\r\n", dirty: 5)
        expect(["multi"], "+OK\r\n")
        expect(["get", "d"], "+QUEUED\r\n")
        expect(["exec"], "*-1\r\n", dirty: 5)
        expect(["watch", "d"], "+OK\r\n", dirty: 5)
        expect(["bitop", "or", "d", "nothing"], ":0\r\n", dirty: 6)
        expect(["multi"], "+OK\r\n")
        expect(["get", "d"], "+QUEUED\r\n")
        expect(["exec"], "*-1\r\n", dirty: 6)
    }

}
