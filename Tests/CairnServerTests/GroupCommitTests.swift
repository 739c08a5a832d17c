import XCTest
import CairnEngine
@testable import CairnServer

/// The group-commit bookkeeping: a sync may start without waiting once every client the last sync answered
/// has written again, and the commit names that sync.
final class GroupCommitTests: XCTestCase {
    private let engine = Engine()

    private func connections(_ n: Int) -> [Connection] {
        (0..<n).map { Connection(fd: Int32(100 + $0), session: engine.makeClient(), maxBulk: 1 << 20) }
    }

    func testReadyOnceEveryReleasedClientWroteAgain() {
        var commit = GroupCommit()
        XCTAssertEqual(commit.commitAt, 0, "before any sync nobody is expected")
        let conns = connections(3)
        commit.released(conns, durable: 120)
        XCTAssertEqual(commit.outstanding, 3)
        commit.settled(conns[0])
        commit.settled(conns[0])
        XCTAssertEqual(commit.outstanding, 2, "a client counts once however many writes it makes")
        commit.settled(conns[2])
        XCTAssertNil(commit.commitAt)
        commit.settled(conns[1])    // wrote again or disconnected: either way nothing more to wait for
        XCTAssertEqual(commit.commitAt, 120, "the commit names the sync whose clients are back")
    }

    func testTheLoopAwaitsOnlyTheWriterOnceEveryAnsweredClientIsBack() {
        var commit = GroupCommit()
        XCTAssertFalse(commit.awaitsOnlyTheWriter(held: 0), "nothing held: no sync to wait for")
        let conns = connections(2)
        commit.released(conns, durable: 50)
        XCTAssertFalse(commit.awaitsOnlyTheWriter(held: 0))
        commit.settled(conns[0])
        XCTAssertFalse(commit.awaitsOnlyTheWriter(held: 1), "an answered client is still expected to write")
        commit.settled(conns[1])
        XCTAssertTrue(commit.awaitsOnlyTheWriter(held: 2))
        commit.released(conns, durable: 90)
        XCTAssertFalse(commit.awaitsOnlyTheWriter(held: 0), "the sync answered them: they come back next")
    }

    func testOnlyTheLatestReleaseIsAwaited() {
        var commit = GroupCommit()
        let conns = connections(4)
        commit.released(conns[0..<2], durable: 10)
        commit.released(conns[2..<4], durable: 20)
        commit.settled(conns[0])
        XCTAssertEqual(commit.outstanding, 2, "a client of an older group is not awaited any more")
        commit.settled(conns[2])
        commit.settled(conns[3])
        XCTAssertEqual(commit.commitAt, 20)
        commit.released([], durable: 30)
        XCTAssertEqual(commit.commitAt, 30, "a sync that answered nobody leaves nobody to wait for")
    }
}
