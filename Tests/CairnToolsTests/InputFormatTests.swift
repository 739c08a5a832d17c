import XCTest
@testable import CairnTools

final class InputFormatTests: XCTestCase {
    func testFormatDetection() {
        let rdbTail: [UInt8] = [0xFF, 1, 2, 3, 4, 5, 6, 7, 8]
        XCTAssertEqual(InputFormat.classify(Array("REDIS0011".utf8), tail: rdbTail), .rdb)
        XCTAssertEqual(InputFormat.classify(Array("VALKEY080".utf8), tail: rdbTail), .rdb)
        XCTAssertEqual(InputFormat.classify(Array("REDIS0010".utf8), tail: Array("SET\r\n$1\r\n".utf8)), .aof)
        XCTAssertEqual(InputFormat.classify(Array("*2\r\n$6\r\nSELECT".utf8), tail: []), .aof)
        XCTAssertEqual(InputFormat.classify(Array("#TS:1700000000\r\n".utf8), tail: []), .aof)
        XCTAssertEqual(InputFormat.classify(Array("file appendonly.aof.1.base.rdb".utf8), tail: []), .aofManifest)
        XCTAssertEqual(InputFormat.classify(Array("{\"db\":0".utf8), tail: []), .jsonl)
        XCTAssertNil(InputFormat.classify([0x00, 0x01], tail: []))
        XCTAssertEqual(InputFormat.classify([], tail: []), .aof)
    }
}
