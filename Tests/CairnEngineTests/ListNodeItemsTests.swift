@testable import CairnEngine
import XCTest

/// The node element store behind lists: both ends behave like an array's, checked against a plain array
/// driven by the same random operations, and a node used as a queue keeps its storage bounded.
final class ListNodeItemsTests: XCTestCase {
    func testMatchesAnArrayUnderRandomEdits() {
        var rng = SplitMix64(seed: 7)
        var items = ListNodeItems([])
        var model: [Bytes] = []
        for step in 0..<20_000 {
            let e = Array("e\(step)".utf8)
            switch rng.next() % 6 {
            case 0, 1: items.insert(e, at: 0); model.insert(e, at: 0)
            case 2: items.insert(e, at: items.count); model.append(e)
            case 3 where !model.isEmpty:
                let i = Int(rng.next() % UInt64(model.count))
                items.insert(e, at: i); model.insert(e, at: i)
            case 4 where !model.isEmpty: XCTAssertEqual(items.remove(at: 0), model.removeFirst())
            case 5 where !model.isEmpty:
                let i = Int(rng.next() % UInt64(model.count))
                XCTAssertEqual(items.remove(at: i), model.remove(at: i))
            default: break
            }
            XCTAssertEqual(items.count, model.count)
        }
        XCTAssertEqual(Array(items), model)
        items.replace(at: 0, with: [1])
        model[0] = [1]
        var joined = items
        joined.append(contentsOf: items)
        XCTAssertEqual(Array(joined), model + model)
    }

    func testQueueUseDoesNotGrowStorage() {
        var items = ListNodeItems([])
        for i in 0..<100 { items.insert([UInt8(i)], at: items.count) }
        for i in 0..<100_000 {
            items.insert([UInt8(truncatingIfNeeded: i)], at: items.count)
            _ = items.remove(at: 0)
        }
        XCTAssertEqual(items.count, 100)
        // The room at the front is given back once it exceeds the elements.
        XCTAssertLessThanOrEqual(items.slotCount, 2 * 100 + 1)
    }
}
