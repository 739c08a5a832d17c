import XCTest
import Glibc
@testable import CairnEngine

/// The per-command clock: ticks convert to the microseconds the monotonic clock saw, and a command's `now`
/// follows the wall clock between refreshes.
final class CommandClockTests: XCTestCase {
    func testTickIntervalsMatchTheMonotonicClock() {
        let startMicros = Engine.monotonicMicros()
        let startTicks = CommandClock.ticks()
        usleep(30_000)
        let ticked = CommandClock.micros(CommandClock.ticks() &- startTicks)
        let measured = Engine.monotonicMicros() - startMicros
        // Both intervals cover the same sleep; they differ by the reads' own spacing, not by a rate error.
        XCTAssertGreaterThanOrEqual(ticked, 30_000)
        XCTAssertLessThan(abs(ticked - measured), 1_000)
    }

    func testCommandTimeAdvancesBetweenRefreshes() {
        let engine = Engine()
        let client = engine.makeClient()
        engine.refreshTime()
        let refreshed = engine.now
        usleep(50_000)
        OwnedArgs([Bytes("PING".utf8)]).withArgs { engine.execute(client, $0) }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let wall = Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
        XCTAssertGreaterThanOrEqual(engine.now - refreshed, 50)
        XCTAssertLessThanOrEqual(abs(wall - engine.now), 5)
    }

    func testNowNeverStepsBackAcrossRefreshes() {
        let engine = Engine()
        let client = engine.makeClient()
        var last = engine.now
        for i in 0..<5_000 {
            OwnedArgs([Bytes("PING".utf8)]).withArgs { engine.execute(client, $0) }
            XCTAssertGreaterThanOrEqual(engine.now, last)
            last = engine.now
            if i % 7 == 0 {
                engine.refreshTime()
                XCTAssertGreaterThanOrEqual(engine.now, last)
                last = engine.now
            }
        }
    }
}
