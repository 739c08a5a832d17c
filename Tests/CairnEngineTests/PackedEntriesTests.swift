import XCTest
@testable import CairnEngine

final class PackedEntriesTests: XCTestCase {
    private func all(_ p: PackedEntries) -> [Bytes] {
        var out: [Bytes] = []
        p.walk { e, _ in out.append(Bytes(e)); return true }
        return out
    }

    func testEntriesOfEveryLengthClassRoundTripInOrder() {
        // Lengths around each LEB128 boundary: one, two and three length bytes.
        let lengths = [0, 1, 127, 128, 300, 16383, 16384, 70000]
        var p = PackedEntries()
        for n in lengths { Bytes(repeating: UInt8(n % 251), count: n).withUnsafeBytes { p.append($0) } }
        XCTAssertEqual(p.count, lengths.count)
        XCTAssertEqual(all(p).map(\.count), lengths)
        XCTAssertEqual(p.entry(at: 4), Bytes(repeating: UInt8(300 % 251), count: 300))
    }

    func testFindReplaceAndRemoveKeepTheOthersInPlace() {
        var p = PackedEntries()
        for s in ["a", "bb", "ccc"] { Bytes(string: s).withUnsafeBytes { p.append($0) } }
        guard let b = Bytes(string: "bb").withUnsafeBytes({ p.find($0) }) else { return XCTFail() }
        XCTAssertEqual(b.index, 1)
        Bytes(repeating: 7, count: 200).withUnsafeBytes { p.replace(b.span, with: $0) }
        XCTAssertEqual(all(p), [Bytes(string: "a"), Bytes(repeating: 7, count: 200), Bytes(string: "ccc")])
        XCTAssertNil(Bytes(string: "bb").withUnsafeBytes { p.find($0) })
        guard let a = Bytes(string: "a").withUnsafeBytes({ p.find($0) }) else { return XCTFail() }
        p.remove(a.span)
        XCTAssertEqual(p.count, 2)
        XCTAssertEqual(all(p).last, Bytes(string: "ccc"))
    }
}
