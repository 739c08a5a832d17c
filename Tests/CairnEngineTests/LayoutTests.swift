import XCTest
@testable import CairnEngine

/// Memory per key depends on these sizes; a new Value case with a wide payload must be boxed.
final class LayoutTests: XCTestCase {
    func testValueAndEntryStayCompact() {
        XCTAssertLessThanOrEqual(MemoryLayout<Value>.size, 9)
        XCTAssertLessThanOrEqual(MemoryLayout<Entry>.stride, 32)
    }
}
