import XCTest
@testable import CairnEngine

final class TransactionTests: XCTestCase {
    private var engine: Engine!

    override func setUp() { engine = Engine() }

    @discardableResult
    private func run(_ c: ClientSession, _ parts: String...) -> String {
        c.reply.bytes.removeAll()
        OwnedArgs(parts.map { Bytes($0.utf8) }).withArgs { engine.execute(c, $0) }
        return String(decoding: c.reply.bytes, as: UTF8.self)
    }

    func testQueuedCommandsRunAtExec() {
        let c = engine.makeClient()
        XCTAssertEqual(run(c, "multi"), "+OK\r\n")
        XCTAssertEqual(run(c, "set", "a", "1"), "+QUEUED\r\n")
        XCTAssertEqual(run(c, "incr", "a"), "+QUEUED\r\n")
        XCTAssertEqual(run(c, "exec"), "*2\r\n+OK\r\n:2\r\n")
        XCTAssertEqual(run(c, "exec"), "-ERR EXEC without MULTI\r\n")
        XCTAssertEqual(run(c, "discard"), "-ERR DISCARD without MULTI\r\n")
    }

    func testQueueingErrorAbortsExec() {
        let c = engine.makeClient()
        run(c, "multi")
        XCTAssertEqual(run(c, "set", "a"), "-ERR wrong number of arguments for 'set' command\r\n")
        XCTAssertEqual(run(c, "nosuchcommand"), "-ERR unknown command 'nosuchcommand', with args beginning with: \r\n")
        XCTAssertEqual(run(c, "exec"), "-EXECABORT Transaction discarded because of previous errors.\r\n")
        XCTAssertEqual(run(c, "multi"), "+OK\r\n")
        // Valkey 8 refuses both as NO_MULTI commands, and the refusal dooms the transaction.
        XCTAssertEqual(run(c, "multi"), "-ERR Command not allowed inside a transaction\r\n")
        XCTAssertEqual(run(c, "watch", "x"), "-ERR Command not allowed inside a transaction\r\n")
        XCTAssertEqual(run(c, "exec"), "-EXECABORT Transaction discarded because of previous errors.\r\n")
    }

    func testWatchBrokenByAnotherClientsWrite() {
        let a = engine.makeClient(), b = engine.makeClient()
        run(a, "set", "k", "1")
        run(a, "watch", "k")
        run(b, "set", "k", "2")
        run(a, "multi")
        run(a, "set", "k", "3")
        XCTAssertEqual(run(a, "exec"), "*-1\r\n")
        XCTAssertEqual(run(a, "get", "k"), "$1\r\n2\r\n")
    }

    func testWatchBrokenWhenKeyExpiresButNotWhenAlreadyExpiredKeyIsDeleted() {
        let a = engine.makeClient()
        let db = engine.dbs[0]
        // Live when watched, expired by EXEC: the transaction fails.
        Bytes("live".utf8).withUnsafeBytes { db.set($0, .int(1), expireAt: engine.now + 50) }
        run(a, "watch", "live")
        usleep(120_000)
        run(a, "multi"); run(a, "ping")
        XCTAssertEqual(run(a, "exec"), "*-1\r\n")
        // Already expired when watched, then lazily deleted by a read: nothing changed logically.
        Bytes("gone".utf8).withUnsafeBytes { db.set($0, .int(1), expireAt: engine.now - 10) }
        run(a, "watch", "gone")
        XCTAssertEqual(run(engine.makeClient(), "get", "gone"), "$-1\r\n")
        run(a, "multi"); run(a, "ping")
        XCTAssertEqual(run(a, "exec"), "*1\r\n+PONG\r\n")
    }

    func testFlushAndSwapBreakOnlyExistingWatchedKeys() {
        let a = engine.makeClient(), b = engine.makeClient()
        run(a, "watch", "missing")
        run(b, "flushall")
        run(a, "multi"); run(a, "ping")
        XCTAssertEqual(run(a, "exec"), "*1\r\n+PONG\r\n")

        run(a, "set", "present", "1")
        run(a, "watch", "present")
        run(b, "flushdb")
        run(a, "multi"); run(a, "ping")
        XCTAssertEqual(run(a, "exec"), "*-1\r\n")

        run(b, "select", "1"); run(b, "set", "other", "x")
        run(a, "watch", "other")
        run(b, "swapdb", "0", "1")
        run(a, "multi"); run(a, "ping")
        XCTAssertEqual(run(a, "exec"), "*-1\r\n")
    }
}
