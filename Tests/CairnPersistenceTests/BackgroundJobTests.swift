import XCTest
@testable import CairnPersistence
import CSystem

final class BackgroundJobTests: XCTestCase {
    /// The event loop stops busy-polling while `running` is above zero, so a job must count from the moment it
    /// is started until its outcome is known, failed or not.
    func testRunningCountsAJobUntilItsOutcomeIsKnown() throws {
        let before = BackgroundJob.running
        let release = DispatchSemaphore(value: 0)
        let job = BackgroundJob(name: "test-job") { release.wait() }
        XCTAssertEqual(BackgroundJob.running, before + 1)
        XCTAssertNil(job.outcome)
        let failing = BackgroundJob(name: "test-fail") {
            release.wait()
            throw CancellationError()
        }
        XCTAssertEqual(BackgroundJob.running, before + 2)
        release.signal()
        release.signal()
        for j in [job, failing] {
            let deadline = Date().addingTimeInterval(60)
            while j.outcome == nil && Date() < deadline { usleep(1000) }
            XCTAssertNotNil(j.outcome)
        }
        XCTAssertEqual(job.outcome, .succeeded)
        XCTAssertNotEqual(failing.outcome, .succeeded)
        XCTAssertEqual(BackgroundJob.running, before)
    }

    /// A transfer thread's end wakes the event loop through its eventfd: the signal must come, and only once the
    /// outcome can be read (the loop collects it as soon as it wakes); draining it rearms it.
    func testWakeIsSignalledAfterTheOutcome() throws {
        let wake = WakeEvent()
        XCTAssertGreaterThanOrEqual(wake.fd, 0)
        defer { wake.close() }
        let release = DispatchSemaphore(value: 0)
        let job = BackgroundJob(name: "test-wake", wake: wake) { release.wait() }
        var pfd = pollfd(fd: wake.fd, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&pfd, 1, 0), 0, "signalled before the job ended")
        release.signal()
        XCTAssertEqual(poll(&pfd, 1, 60_000), 1)
        XCTAssertEqual(job.outcome, .succeeded)
        wake.drain()
        XCTAssertEqual(poll(&pfd, 1, 0), 0, "still readable after the drain")
    }

    /// Signals sent before the loop looks coalesce into one readable event, which one drain consumes.
    func testWakeSignalsCoalesce() {
        let wake = WakeEvent()
        defer { wake.close() }
        for _ in 0..<3 { wake.signal() }
        var pfd = pollfd(fd: wake.fd, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&pfd, 1, 0), 1)
        wake.drain()
        XCTAssertEqual(poll(&pfd, 1, 0), 0)
    }
}
