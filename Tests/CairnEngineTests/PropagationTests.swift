@testable import CairnEngine
import RESP
import XCTest

/// The propagation stream: what AOF and replicas receive for each command, checked against what Redis 7.0
/// writes to its AOF for the same commands (recorded with appendonly yes).
final class PropagationTests: TranscriptTestCase {
    override func setUp() {
        super.setUp()
        engine.propagation.enabled = true
    }

    /// The stream's commands, with unix-ms timestamps masked as "<ms>" (they depend on the clock).
    func stream() -> [String] {
        let bytes = engine.propagation.take()
        var out: [String] = []
        var i = 0
        func line() -> String {
            var s = ""
            while bytes[i] != 13 { s.unicodeScalars.append(Unicode.Scalar(bytes[i])); i += 1 }
            i += 2
            return s
        }
        while i < bytes.count {
            let n = Int(line().dropFirst())!
            var words: [String] = []
            for _ in 0..<n {
                let len = Int(line().dropFirst())!
                let word = String(decoding: bytes[i..<(i + len)], as: UTF8.self)
                i += len + 2
                words.append(word.count == 13 && Int64(word) != nil ? "<ms>" : word)
            }
            out.append(words.joined(separator: " "))
        }
        return out
    }

    func testCanonicalForms() {
        for c in [["SET", "a", "1", "EX", "100"], ["set", "b", "2"], ["SET", "c", "1", "PXAT", "99999999999999"],
                  ["SETEX", "e", "100", "v"], ["GETEX", "e", "PX", "5000"], ["GETEX", "e", "PERSIST"],
                  ["GETEX", "e", "PXAT", "1"], ["EXPIRE", "b", "100", "NX"], ["EXPIRE", "b", "-1"],
                  ["INCRBYFLOAT", "f", "1.5"], ["GETSET", "a", "5"], ["GETDEL", "a"], ["GETDEL", "a"],
                  ["RPUSH", "l", "1", "2", "3", "4", "5", "6"], ["BLPOP", "l", "0"], ["BLMOVE", "l", "d", "left", "right", "0"],
                  ["BRPOPLPUSH", "l", "d", "0"], ["LMPOP", "1", "l", "LEFT", "COUNT", "5"],
                  ["HINCRBYFLOAT", "h", "f", "2.5"], ["SADD", "s", "x"], ["SPOP", "s"], ["SADD", "s", "a", "b"],
                  ["SPOP", "s", "5"], ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["BZPOPMIN", "z", "0"],
                  ["ZMPOP", "1", "z", "MAX", "COUNT", "5"], ["GET", "missing"], ["SELECT", "3"], ["SET", "k", "v"],
                  ["SET", "k", "v", "NX"], ["SET", "k", "w", "GET", "XX"], ["SET", "k", "x", "GET", "PXAT", "99999999999999"], ["SELECT", "0"], ["PUBLISH", "ch", "m"], ["FLUSHALL"]] {
            run(c)
        }
        XCTAssertEqual(stream(), [
            "SELECT 0", "SET a 1 PXAT <ms>", "set b 2", "SET c 1 PXAT 99999999999999", "SET e v PXAT <ms>",
            "PEXPIREAT e <ms>", "PERSIST e", "DEL e", "PEXPIREAT b <ms> NX", "DEL b", "SET f 1.5 KEEPTTL",
            "SET a 5", "DEL a", "RPUSH l 1 2 3 4 5 6", "LPOP l", "LMOVE l d left right", "RPOPLPUSH l d",
            "LPOP l 3", "HSET h f 2.5", "SADD s x", "SREM s x", "SADD s a b", "DEL s", "ZADD z 1 a 2 b 3 c",
            "ZPOPMIN z", "ZPOPMAX z 2", "SELECT 3", "SET k v", "SET k w XX", "SET k x GET PXAT 99999999999999", "SELECT 0", "FLUSHALL",
        ])
    }

    func testExpiredKeysBecomeDeletesAndTransactionsAreWrapped() {
        engine.activeExpireEnabled = false
        run(["SET", "c", "3", "PX", "1"])
        run(["SET", "d", "3", "PX", "1"])
        _ = stream()
        usleep(5000)
        run(["SET", "c", "4"])          // a write meeting an expired key: DEL then SET, atomically
        run(["GET", "d"])               // a read meeting one: the DEL alone
        run(["MULTI"]); run(["SET", "x", "1"]); run(["EXEC"])
        run(["MULTI"]); run(["SET", "y", "1"]); run(["INCR", "y"]); run(["GET", "y"]); run(["EXEC"])
        XCTAssertEqual(stream(), ["MULTI", "DEL c", "SET c 4", "EXEC", "DEL d", "SET x 1",
                                  "MULTI", "SET y 1", "INCR y", "EXEC"])
    }

    /// The stream's buffers grow in place, past their first 4 KB and past a burst over 4 MB that the output gives
    /// back once taken: every byte survives each growth, and the stream goes on after the release.
    func testBuffersKeepEveryByteAcrossGrowthAndRelease() {
        let big = String(repeating: "v", count: 5 << 20)
        for i in 0..<200 { run(["SET", "k\(i)", "value-\(i)"]) }
        run(["MULTI"])
        for i in 0..<200 { run(["SET", "m\(i)", "multi-\(i)"]) }
        run(["EXEC"])
        run(["SET", "big", big])
        let first = stream()
        XCTAssertEqual(first.count, 1 + 200 + 202 + 1)
        XCTAssertEqual(Array(first[1...200]), (0..<200).map { "SET k\($0) value-\($0)" })
        XCTAssertEqual(Array(first[201...402]), ["MULTI"] + (0..<200).map { "SET m\($0) multi-\($0)" } + ["EXEC"])
        XCTAssertEqual(first.last, "SET big \(big)")
        run(["SET", "after", "1"])
        XCTAssertEqual(stream(), ["SET after 1"])
    }

    func testSpopBatchesAndNothingWhenDisabled() {
        run(["SADD", "s"] + (0..<3000).map { "m\($0)" })
        _ = stream()
        run(["SPOP", "s", "2500"])
        let commands = stream()
        XCTAssertEqual(commands.map { $0.split(separator: " ").count - 2 }, [-1, 1024, 1024, 452, -1])  // MULTI, three SREMs, EXEC
        engine.propagation.enabled = false
        run(["SET", "q", "1"])
        XCTAssertEqual(engine.propagation.take(), [])
    }

    /// The backlog's copy is the AOF's, byte for byte, whether a unit went straight to the output (one command,
    /// a DEL outside any command) or was staged first (a transaction, a write that met an expired key).
    func testReplicationCopyMatchesTheOutput() {
        engine.activeExpireEnabled = false
        engine.propagation.feedsReplication = true
        defer { engine.propagation.feedsReplication = false }
        run(["SET", "e", "1", "PX", "1"])
        usleep(5000)
        run(["SET", "a", "1"]); run(["SELECT", "2"]); run(["SET", "b", "2"])
        run(["SELECT", "0"]); run(["SET", "e", "2"])
        run(["MULTI"]); run(["SET", "x", "1"]); run(["INCR", "x"]); run(["EXEC"])
        run(["SPOP", "missing"])
        XCTAssertEqual(engine.propagation.replicationOutput, engine.propagation.withOutput { Array($0) })
        XCTAssertEqual(stream(), ["SELECT 0", "SET e 1 PXAT <ms>", "SET a 1", "SELECT 2", "SET b 2", "SELECT 0",
                                  "MULTI", "DEL e", "SET e 2", "EXEC", "MULTI", "SET x 1", "INCR x", "EXEC"])
        engine.propagation.replicationOutput = []
        run(["SET", "y", "1"])
        XCTAssertEqual(engine.propagation.replicationOutput, engine.propagation.take())
    }

    /// Stream commands propagate what they did (t_stream.c): a blocked XREADGROUP served by a later XADD
    /// propagates the XADD, then its delivery as XCLAIM; history reads and empty reads propagate nothing.
    func testStreamReadsPropagateAsClaims() {
        run(["XADD", "s", "1-1", "a", "1"])
        run(["XGROUP", "CREATE", "s", "g", "$"])
        _ = stream()
        let waiter = engine.makeClient()
        OwnedArgs(["XREADGROUP", "GROUP", "g", "w", "BLOCK", "0", "STREAMS", "s", ">"].map { Bytes($0.utf8) }).withArgs {
            engine.execute(waiter, $0)
        }
        XCTAssertTrue(waiter.isBlocked)
        XCTAssertEqual(stream(), [])
        run(["XADD", "s", "2-*", "b", "2"])
        XCTAssertFalse(waiter.isBlocked)
        XCTAssertEqual(stream(), ["XADD s 2-0 b 2", "XCLAIM s g w 0 2-0 TIME <ms> RETRYCOUNT 1 FORCE JUSTID LASTID 2-0"])
        run(["XREADGROUP", "GROUP", "g", "w", "STREAMS", "s", "0"])
        run(["XREADGROUP", "GROUP", "g", "w", "STREAMS", "s", ">"])
        run(["XCLAIM", "s", "g", "v", "0", "2-0", "JUSTID", "RETRYCOUNT", "7"])
        run(["XCLAIM", "s", "g", "v", "0", "9-0", "LASTID", "5-0"])
        XCTAssertEqual(stream(), ["XCLAIM s g v 0 2-0 TIME <ms> RETRYCOUNT 7 FORCE JUSTID LASTID 2-0",
                                  "XGROUP SETID s g 5-0 ENTRIESREAD 2"])
    }

    /// A request copied verbatim must be exactly what encoding gives; the parser's tolerated variants (any byte
    /// after a CR, leading zeros) and arguments from elsewhere are encoded anew.
    func testCanonicalRequestIsCopiedOnlyWhenByteIdentical() {
        for (request, canonical) in [("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nvv\r\n", true), ("*1\r\n$0\r\n\r\n", true),
                                     ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nvvXY", false),
                                     ("*3\r\n$3\rXSET\r\n$1\r\nk\r\n$2\r\nvv\r\n", false),
                                     ("*3\r\n$03\r\nSET\r\n$1\r\nk\r\n$2\r\nvv\r\n", false)] {
            var bytes = Array(request.utf8)
            var parser = RequestParser()
            bytes.withUnsafeMutableBytes { b in
                guard case .command = parser.parse(b) else { return XCTFail(request) }
                let base = UnsafeRawPointer(b.baseAddress!)
                let args = Args(base: base, ranges: parser.args, verbatim: parser.verbatim)
                XCTAssertEqual(Propagation.canonicalRequest(args).map { Array($0) }, canonical ? Array(request.utf8) : nil)
                // The same bytes from anywhere but the parser (a queued transaction's copy) are encoded anew.
                XCTAssertNil(Propagation.canonicalRequest(Args(base: base, ranges: parser.args)))
            }
        }
        let bare = Array("SETkvv".utf8)
        let ranges = [ArgRange(start: 0, count: 3), ArgRange(start: 3, count: 1), ArgRange(start: 4, count: 2)]
        bare.withUnsafeBytes { b in
            ranges.withUnsafeBufferPointer { XCTAssertNil(Propagation.canonicalRequest(Args(base: b.baseAddress!, ranges: $0))) }
        }
        run(["SET", "k", "v"])
        XCTAssertEqual(stream(), ["SELECT 0", "SET k v"])
    }
}
