import XCTest
@testable import CairnReplication

final class BacklogTests: XCTestCase {
    func testOffsetsAndWrapAround() {
        var b = Backlog(size: 16 * 1024, endOffset: 100)
        XCTAssertEqual(b.firstByteOffset, 101)
        XCTAssertTrue(b.covers(101))
        XCTAssertFalse(b.covers(102))
        XCTAssertEqual(b.bytes(from: 101), [])
        let chunk = (0..<10_000).map { UInt8($0 % 251) }
        b.append(chunk)
        b.append(chunk)
        XCTAssertEqual(b.endOffset, 20_100)
        XCTAssertEqual(b.histlen, 16 * 1024)
        XCTAssertEqual(b.firstByteOffset, 20_100 - 16 * 1024 + 1)
        XCTAssertNil(b.bytes(from: b.firstByteOffset - 1))
        XCTAssertEqual(b.bytes(from: 20_100 - 9_998), Array(chunk[1...]))
        XCTAssertEqual(b.bytes(from: 20_101), [])
        XCTAssertNil(b.bytes(from: 20_102))
        XCTAssertNil(b.bytes(from: Int.max))
        XCTAssertNil(b.bytes(from: Int.min))
    }

    func testAppendLargerThanTheRing() {
        var b = Backlog(size: 16 * 1024, endOffset: 0)
        let big = (0..<50_000).map { UInt8($0 & 255) }
        b.append(big)
        XCTAssertEqual(b.endOffset, 50_000)
        XCTAssertEqual(b.bytes(from: b.firstByteOffset), Array(big.suffix(16 * 1024)))
    }

    func testResizeKeepsTheNewestHistory() {
        var b = Backlog(size: 32 * 1024, endOffset: 0)
        let data = (0..<30_000).map { UInt8($0 % 199) }
        b.append(data)
        b.resize(16 * 1024)
        XCTAssertEqual(b.endOffset, 30_000)
        XCTAssertEqual(b.bytes(from: b.firstByteOffset), Array(data.suffix(16 * 1024)))
        b.resize(64 * 1024)
        b.append([1, 2, 3])
        XCTAssertEqual(b.bytes(from: 30_001), [1, 2, 3])
    }
}

final class HistoryTests: XCTestCase {
    func testShiftKeepsThePreviousIDUpToTheOffset() {
        var h = ReplicationHistory(replid: String(repeating: "a", count: 40))
        XCTAssertTrue(h.accepts(String(repeating: "A", count: 40), offset: 5))
        XCTAssertFalse(h.accepts(ReplicationHistory.noID, offset: 0))
        h.shift(to: String(repeating: "b", count: 40), offset: 1000)
        XCTAssertEqual(h.secondOffset, 1001)
        XCTAssertTrue(h.accepts(String(repeating: "a", count: 40), offset: 1001))
        XCTAssertFalse(h.accepts(String(repeating: "a", count: 40), offset: 1002))
        XCTAssertTrue(h.accepts(String(repeating: "b", count: 40), offset: 5000))
        h.reset()
        XCTAssertEqual(h.replid2, ReplicationHistory.noID)
        XCTAssertEqual(h.secondOffset, -1)
        XCTAssertEqual(h.replid.utf8.count, 40)
    }
}

final class HandshakeTests: XCTestCase {
    func testClassicHandshakeWithAuthAndResume() {
        var h = ReplicaHandshake(options: .init(user: "u", password: "p", listeningPort: 6380, announceIP: nil,
                                                resumeFrom: (String(repeating: "c", count: 40), 1069)))
        XCTAssertEqual(h.begin(), Array("*1\r\n$4\r\nPING\r\n".utf8))
        XCTAssertEqual(h.receive(line: ""), .wait)
        guard case .send(let pipelined) = h.receive(line: "-NOAUTH Authentication required.") else { return XCTFail() }
        XCTAssertEqual(pipelined, encodeCommand(["AUTH", "u", "p"]) + encodeCommand(["REPLCONF", "listening-port", "6380"])
                       + encodeCommand(["REPLCONF", "capa", "eof", "capa", "psync2"])
                       + encodeCommand(["REPLCONF", "version", "8.0.1"]))
        XCTAssertEqual(h.receive(line: "+OK"), .wait)
        XCTAssertEqual(h.receive(line: "-ERR Unrecognized REPLCONF option: listening-port"), .wait)
        XCTAssertEqual(h.receive(line: "+OK"), .wait)
        // Redis 7 does not know REPLCONF version: its error is no reason to stop.
        XCTAssertEqual(h.receive(line: "-ERR Unrecognized REPLCONF option: version"), .send(encodeCommand(["PSYNC", String(repeating: "c", count: 40), "1069"])))
        XCTAssertEqual(h.receive(line: ""), .wait)
        XCTAssertEqual(h.receive(line: "+CONTINUE " + String(repeating: "d", count: 40)),
                       .psync(.resume(replid: String(repeating: "d", count: 40))))
        if case .fail = h.receive(line: "+OK") {} else { XCTFail("a reply after PSYNC's is unexpected") }
    }

    func testFailures() {
        var h = ReplicaHandshake(options: .init(user: nil, password: "p", listeningPort: 1, announceIP: "10.0.0.1", resumeFrom: nil))
        _ = h.begin()
        guard case .fail = h.receive(line: "-ERR something") else { return XCTFail() }
        var h2 = ReplicaHandshake(options: .init(user: nil, password: "p", listeningPort: 1, announceIP: "10.0.0.1", resumeFrom: nil))
        _ = h2.begin()
        guard case .send = h2.receive(line: "+PONG") else { return XCTFail() }
        guard case .fail = h2.receive(line: "-WRONGPASS invalid username-password pair") else { return XCTFail() }
    }

    func testPsyncRepliesAndBulkHeaders() {
        let id = String(repeating: "e", count: 40)
        XCTAssertEqual(PsyncReply(line: "+FULLRESYNC \(id) 1000"), .fullResync(replid: id, offset: 1000))
        XCTAssertEqual(PsyncReply(line: "+FULLRESYNC short 1000"), .fullResync(replid: "", offset: 1000))
        XCTAssertEqual(PsyncReply(line: "+CONTINUE"), .resume(replid: nil))
        XCTAssertEqual(PsyncReply(line: "+DUALCHANNELSYNC"), .dualChannel)
        XCTAssertEqual(PsyncReply(line: "-LOADING loading"), .retryLater("-LOADING loading"))
        XCTAssertEqual(PsyncReply(line: "-ERR unknown command"), .unsupported("-ERR unknown command"))
        XCTAssertEqual(PsyncReply(line: "garbage"), .invalid("garbage"))
        XCTAssertEqual(BulkFraming(line: "$26451"), .length(26451))
        XCTAssertEqual(BulkFraming(line: "$EOF:" + id), .eofMark(Array(id.utf8)))
        XCTAssertNil(BulkFraming(line: "$EOF:short"))
        XCTAssertNil(BulkFraming(line: "$-1"))
        XCTAssertNil(BulkFraming(line: "$99999999999999999999999"))
        XCTAssertNil(BulkFraming(line: "+OK"))
    }
}

final class ReplicaVersionTests: XCTestCase {
    func testValkeysVersionRule() {
        for good in ["8.0.1", "7.2.4", "255.255.255", "1..2", "0.0."] { XCTAssertTrue(ReplicaVersion.isValid(good), good) }
        for bad in ["", "8.0", "8.0.1.2", "256.0.0", "8.0.1-rc1", "a.b.c", " 8.0.1"] { XCTAssertFalse(ReplicaVersion.isValid(bad), bad) }
    }
}

final class DualChannelTests: XCTestCase {
    let id = String(repeating: "a", count: 40)

    func testMainChannelOffersTheCapabilityAndContinuesAfterTheSnapshot() {
        var h = ReplicaHandshake(options: .init(user: nil, password: nil, listeningPort: 6380, announceIP: nil,
                                                resumeFrom: nil, dualChannel: true))
        _ = h.begin()
        XCTAssertEqual(h.receive(line: "+PONG"), .send(encodeCommand(["REPLCONF", "listening-port", "6380"])
                       + encodeCommand(["REPLCONF", "capa", "eof", "capa", "psync2", "capa", "dual-channel"])
                       + encodeCommand(["REPLCONF", "version", "8.0.1"])))
        XCTAssertEqual(h.receive(line: "+OK"), .wait)
        XCTAssertEqual(h.receive(line: "+OK"), .wait)
        XCTAssertEqual(h.receive(line: "+OK"), .send(encodeCommand(["PSYNC", "?", "-1"])))
        XCTAssertEqual(h.receive(line: "+DUALCHANNELSYNC"), .psync(.dualChannel))
        let end = EndOffset(offset: 1000, replid: id, db: 0, clientID: 27)
        XCTAssertEqual(h.continueAfterSnapshot(end), encodeCommand(["REPLCONF", "set-rdb-client-id", "27"]))
        XCTAssertEqual(h.receive(line: ""), .wait)
        XCTAssertEqual(h.receive(line: "+OK"), .send(encodeCommand(["PSYNC", id, "1001"])))
        XCTAssertEqual(h.receive(line: "+CONTINUE " + id), .psync(.resume(replid: id)))

        var refused = ReplicaHandshake(options: .init(user: nil, password: nil, listeningPort: 1, announceIP: nil, resumeFrom: nil))
        _ = refused.continueAfterSnapshot(end)
        guard case .fail(let reason) = refused.receive(line: "-ERR Unrecognized RDB client id 27") else { return XCTFail() }
        XCTAssertTrue(reason.contains("REPLCONF identify"))
    }

    func testRDBChannelHandshake() {
        var h = RDBChannelHandshake(user: "u", password: "p", listeningPort: 6380)
        XCTAssertEqual(h.begin(), encodeCommand(["AUTH", "u", "p"]) + encodeCommand(["REPLCONF", "capa", "eof", "rdb-only", "1",
                                                                                      "rdb-channel", "1", "listening-port", "6380"]))
        XCTAssertEqual(h.receive(line: "+OK"), .wait)
        XCTAssertEqual(h.receive(line: "+OK"), .send(Array("SYNC\r\n".utf8)))
        XCTAssertEqual(h.receive(line: ""), .wait)
        XCTAssertEqual(h.receive(line: "$ENDOFF:1000 \(id) 0 27"), .endOffset(EndOffset(offset: 1000, replid: id, db: 0, clientID: 27)))
        guard case .fail = h.receive(line: "+OK") else { return XCTFail("nothing but the bulk follows $ENDOFF") }

        var noAuth = RDBChannelHandshake(user: nil, password: nil, listeningPort: 1)
        XCTAssertEqual(noAuth.begin(), encodeCommand(["REPLCONF", "capa", "eof", "rdb-only", "1", "rdb-channel", "1", "listening-port", "1"]))
        guard case .fail(let reason) = noAuth.receive(line: "-ERR Unrecognized REPLCONF option: rdb-only") else { return XCTFail() }
        XCTAssertTrue(reason.contains("dual channel sync approach cannot be used"))

        var badAuth = RDBChannelHandshake(user: nil, password: "x", listeningPort: 1)
        guard case .fail = badAuth.receive(line: "-WRONGPASS invalid username-password pair") else { return XCTFail() }

        var badEnd = RDBChannelHandshake(user: nil, password: nil, listeningPort: 1)
        _ = badEnd.receive(line: "+OK")
        guard case .fail = badEnd.receive(line: "$EOF:" + id) else { return XCTFail() }
    }

    func testEndOffsetParsing() {
        XCTAssertEqual(EndOffset(line: "$ENDOFF:0 \(id) 3 1"), EndOffset(offset: 0, replid: id, db: 3, clientID: 1))
        for bad in ["$ENDOFF:", "$ENDOFF:1 \(id) 0", "$ENDOFF:x \(id) 0 1", "$ENDOFF:-1 \(id) 0 1", "$ENDOFF:1 \(id)b 0 1",
                    "$ENDOFF:1 \(id) 0 -4", "$ENDOFF:1 \(id) 0 99999999999999999999999", "ENDOFF:1 \(id) 0 1", "$ENDOFF:1 \(id) 0 1 9"] {
            XCTAssertNil(EndOffset(line: bad), bad)
        }
    }

    func testStreamBufferKeepsOrderAndPeak() {
        var b = StreamBuffer(chunkSize: 4)
        XCTAssertFalse(b.full(limit: 5))
        for piece in ["abc", "de", "fghij", ""] { Array(piece.utf8).withUnsafeBytes { b.append($0) } }
        XCTAssertEqual(b.count, 10)
        XCTAssertTrue(b.full(limit: 9))
        XCTAssertFalse(b.full(limit: 0), "no limit")
        XCTAssertEqual(b.chunks.count, 2)
        var out: [UInt8] = []
        var pieces = 0
        b.consume(upTo: 3) { out += $0; pieces += 1 }
        XCTAssertEqual(out, Array("abc".utf8))
        XCTAssertEqual(b.count, 7)
        // What arrives meanwhile queues behind what is left.
        Array("kl".utf8).withUnsafeBytes { b.append($0) }
        b.consume(upTo: 6) { out += $0; pieces += 1 }
        XCTAssertEqual(out, Array("abcdefghi".utf8))
        XCTAssertEqual(pieces, 3, "a piece never spans two chunks")
        b.consume(upTo: 100) { out += $0 }
        XCTAssertEqual(out, Array("abcdefghijkl".utf8))
        XCTAssertEqual(b.count, 0)
        XCTAssertEqual(b.chunks.count, 0, "used-up chunks are dropped")
        XCTAssertEqual(b.peak, 10)
        Array("mn".utf8).withUnsafeBytes { b.append($0) }
        b.consume(upTo: 100) { out += $0 }
        XCTAssertEqual(out, Array("abcdefghijklmn".utf8))
    }
}
