@testable import CairnEngine
import XCTest

/// A back-linked PackedStrings, the element store of a list node: both ends and the middle behave like an
/// array's, checked against a plain array driven by the same random operations (elements long enough to take
/// two-byte lengths included), and a node used as a queue keeps its storage bounded.
final class PackedListNodeTests: XCTestCase {
    private func elements(_ p: PackedStrings) -> [Bytes] {
        var out: [Bytes] = []
        p.forEach { out.append(Bytes($0)) }
        return out
    }

    private func reversedElements(_ p: PackedStrings) -> [Bytes] {
        guard !p.isEmpty else { return [] }
        var out: [Bytes] = []
        p.walk(from: p.position(before: p.endPosition), reversed: true) { out.append(Bytes($0)); return true }
        return out
    }

    func testMatchesAnArrayUnderRandomEdits() {
        var rng = SplitMix64(seed: 7)
        var items = PackedStrings(backLinked: true)
        var model: [Bytes] = []
        for step in 0..<20_000 {
            let e = Bytes(repeating: UInt8(truncatingIfNeeded: step), count: Int(rng.next() % 3 == 0 ? 100 + rng.next() % 300 : rng.next() % 20))
            switch rng.next() % 7 {
            case 0, 1: e.withUnsafeBytes { items.insert($0, at: items.startPosition) }; model.insert(e, at: 0)
            case 2: items.append(e); model.append(e)
            case 3 where !model.isEmpty:
                let i = Int(rng.next() % UInt64(model.count))
                e.withUnsafeBytes { items.insert($0, at: items.position(ofElement: i)) }; model.insert(e, at: i)
            case 4 where !model.isEmpty:
                XCTAssertEqual(items.bytes(at: items.startPosition), model.removeFirst())
                items.remove(at: items.startPosition)
            case 5 where !model.isEmpty:
                let last = items.position(before: items.endPosition)
                XCTAssertEqual(items.bytes(at: last), model.removeLast())
                items.remove(at: last)
            case 6 where !model.isEmpty:
                let i = Int(rng.next() % UInt64(model.count))
                XCTAssertEqual(items.bytes(at: items.position(ofElement: i)), model.remove(at: i))
                items.remove(at: items.position(ofElement: i))
            default: break
            }
            XCTAssertEqual(items.count, model.count)
        }
        XCTAssertEqual(elements(items), model)
        XCTAssertEqual(reversedElements(items), model.reversed())
        Bytes([1]).withUnsafeBytes { items.replace(at: items.startPosition, with: $0) }
        model[0] = [1]
        var joined = items
        joined.append(contentsOf: items)
        XCTAssertEqual(elements(joined), model + model)
        let head = joined.split(at: 3)
        XCTAssertEqual(elements(head), Array(model.prefix(3)))
        XCTAssertEqual(elements(joined), Array(model.dropFirst(3)) + model)
        XCTAssertEqual(reversedElements(joined), (Array(model.dropFirst(3)) + model).reversed())
    }

    func testQueueUseDoesNotGrowStorage() {
        var items = PackedStrings(backLinked: true)
        for i in 0..<100 { items.append([UInt8(i)]) }
        for i in 0..<100_000 {
            items.append([UInt8(truncatingIfNeeded: i)])
            items.remove(at: items.startPosition)
        }
        XCTAssertEqual(items.count, 100)
        // The room at the front is given back once it exceeds the elements (3 bytes each).
        XCTAssertLessThanOrEqual(items.endPosition, 2 * 300 + 17)
    }

    func testStaysTwoWords() {
        // A third word would push a small hash's box into the next malloc size class.
        XCTAssertEqual(MemoryLayout<PackedStrings>.size, 16)
        XCTAssertTrue(PackedStrings(backLinked: true).backLinked)
        XCTAssertFalse(PackedStrings().backLinked)
    }

    func testHeadInsertsUseTheRoomAtTheFront() {
        var items = PackedStrings(backLinked: true)
        for i in 0..<1000 { [UInt8(truncatingIfNeeded: i)].withUnsafeBytes { items.insert($0, at: items.startPosition) } }
        XCTAssertEqual(items.count, 1000)
        XCTAssertEqual(items.bytes(at: items.startPosition), [UInt8(truncatingIfNeeded: 999)])
        XCTAssertEqual(items.bytes(at: items.position(ofElement: 999)), [0])
        // Room is made in steps of half the contents, so at most that much is spare.
        XCTAssertLessThanOrEqual(items.startPosition, items.byteCount / 2 + 16)
    }
}
