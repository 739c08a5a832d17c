import XCTest
@testable import CairnPersistence

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
}
