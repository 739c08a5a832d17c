import XCTest
@testable import CairnEngine

/// Memory per key depends on these sizes: a short key and a short string value live inside the entry, which
/// must stay at 64 bytes. A new Value case with a payload wider than InlineBytes23 must be boxed.
final class LayoutTests: XCTestCase {
    func testValueAndEntryStayCompact() {
        XCTAssertEqual(InlineBytes15.capacity, 15)
        XCTAssertEqual(InlineBytes23.capacity, 23)
        XCTAssertLessThanOrEqual(MemoryLayout<Value>.size, 25)
        XCTAssertLessThanOrEqual(MemoryLayout<Entry>.stride, 64)
    }

    func testShortKeysAndStringsAreInline() {
        for n in [0, 1, 15, 16, 40] {
            let k = Bytes(repeating: UInt8(ascii: "k"), count: n)
            let e = Entry(key: k, value: .int(0))
            XCTAssertEqual(e.key, k)
            XCTAssertEqual(e.withKey { Bytes($0) }, k)
            if case .inline = e.storedKey { XCTAssertLessThanOrEqual(n, 15) } else { XCTAssertGreaterThan(n, 15) }
        }
        for n in [1, 22, 23, 24, 44, 45] {
            let s = Bytes(repeating: UInt8(ascii: "v"), count: n)
            let v = Value.string(s)
            XCTAssertEqual(v.stringBytes, s)
            XCTAssertEqual(Value.string(s.withUnsafeBytes { $0 }).stringBytes, s)
            if case .short = v { XCTAssertLessThanOrEqual(n, 23) } else { XCTAssertGreaterThan(n, 23) }
            XCTAssertEqual("\(v.encodingName)", n <= 44 ? "embstr" : "raw")
        }
        XCTAssertEqual("\(Value.string(Bytes("12345")).encodingName)", "int")
        XCTAssertEqual("\(Value.embedded(Bytes("12345")).encodingName)", "embstr")
    }
}
