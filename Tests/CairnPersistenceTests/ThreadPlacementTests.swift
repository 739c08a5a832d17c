import XCTest
@testable import CairnPersistence

final class ThreadPlacementTests: XCTestCase {
    func testCPUListsAsTasksetWritesThem() {
        XCTAssertEqual(CPUList("0")?.cpus, [0])
        XCTAssertEqual(CPUList("0,2,3")?.cpus, [0, 2, 3])
        XCTAssertEqual(CPUList("0,2-3")?.cpus, [0, 2, 3])
        XCTAssertEqual(CPUList("0-7:2")?.cpus, [0, 2, 4, 6])
        XCTAssertEqual(CPUList("1,10-11,4-8:3")?.cpus, [1, 4, 7, 10, 11])
        XCTAssertEqual(CPUList("3,1,3-3")?.cpus, [1, 3])
        XCTAssertEqual(CPUList("1023")?.cpus, [1023])
    }

    func testMalformedCPUListsAreRefused() {
        for text in ["", "a", "1-", "-1", "3-1", "0-4:0", "0-4:", "2:2", "1,,2", "1,", " 1", "1 2", "0-4:2:1",
                     "1-2-3", "+1", "1024", "99999999999", "0x1"] {
            XCTAssertNil(CPUList(text), text)
        }
    }

    /// A role with a list moves the thread there; the AOF writer's role without one goes back to the CPUs the
    /// process started with, as Redis's bio threads are started before the main thread is placed.
    func testThreadsMoveToTheirRolesCPUs() throws {
        let startup = ThreadPlacement.currentCPUs()
        try XCTSkipIf(startup.count < 2, "needs two CPUs")
        let (first, second) = (startup[0], startup[1])
        let seen = { (role: ThreadRole, lists: [ThreadRole: CPUList]) -> [Int32] in
            ThreadPlacement.configure(lists)
            let done = DispatchSemaphore(value: 0)
            let found = Found()
            let thread = Thread {
                ThreadPlacement.placeCurrentThread(role)
                found.cpus = ThreadPlacement.currentCPUs()
                done.signal()
            }
            thread.start()
            done.wait()
            return found.cpus
        }
        XCTAssertEqual(seen(.snapshot, [.snapshot: CPUList("\(second)")!]), [second])
        XCTAssertEqual(seen(.eventLoop, [.eventLoop: CPUList("\(first)")!, .snapshot: CPUList("\(second)")!]), [first])
        XCTAssertEqual(seen(.background, [:]), startup)
        XCTAssertEqual(seen(.aofRewrite, [:]), startup)
        ThreadPlacement.configure([:])
    }
}

/// Written by one thread before it signals, read by the test after the wait.
private final class Found: @unchecked Sendable {
    var cpus: [Int32] = []
}
