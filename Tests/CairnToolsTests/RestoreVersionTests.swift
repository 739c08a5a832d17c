import XCTest
@testable import CairnTools

final class RestoreVersionTests: XCTestCase {
    func info(_ lines: String...) -> [UInt8] { Array(("# Server\r\n" + lines.joined(separator: "\r\n") + "\r\n").utf8) }

    /// RESTORE payloads go out in the newest RDB version the server reads; older servers get plain commands.
    func testPayloadVersionFollowsTheServer() {
        XCTAssertEqual(RestoreCommand.rdbVersion(info: info("redis_version:7.0.15", "redis_mode:standalone")), 10)
        XCTAssertEqual(RestoreCommand.rdbVersion(info: info("redis_version:7.2.4")), 11)
        XCTAssertEqual(RestoreCommand.rdbVersion(info: info("redis_version:7.2.4", "valkey_version:8.0.1")), 11)
        XCTAssertEqual(RestoreCommand.rdbVersion(info: info("redis_version:6.2.14")), 9)
        XCTAssertEqual(RestoreCommand.rdbVersion(info: info("redis_version:4.0.9")), 8)
        XCTAssertEqual(RestoreCommand.rdbVersion(info: info("redis_version:8.0.0")), 11)
    }
}
