import XCTest
@testable import CairnEngine

/// Memory per key depends on these sizes: a short key and a short string value live inside the slot a segment
/// stores, which must stay at 48 bytes (the deadline lives apart). A new Value case with a payload wider than
/// InlineBytes22 must be boxed.
final class LayoutTests: XCTestCase {
    func testValueAndSlotStayCompact() {
        XCTAssertEqual(InlineBytes16.capacity, 16)
        XCTAssertEqual(InlineBytes22.capacity, 22)
        XCTAssertLessThanOrEqual(MemoryLayout<Value>.size, 24)
        XCTAssertLessThanOrEqual(MemoryLayout<Slot>.stride, 48)
        XCTAssertLessThan(Segment.maxEntries, 1 << Segment.positionBits, "an index entry must hold every position")
        XCTAssertLessThanOrEqual(Segment.maxCapacity, 1 << Segment.homeBits, "an index entry must hold its home at every capacity")
    }

    func testShortKeysAndStringsAreInline() {
        for n in [0, 1, 16, 17, 40] {
            let k = Bytes(repeating: UInt8(ascii: "k"), count: n)
            let e = Entry(key: k, value: .int(0))
            XCTAssertEqual(e.key, k)
            XCTAssertEqual(e.withKey { Bytes($0) }, k)
            if case .inline = e.storedKey { XCTAssertLessThanOrEqual(n, 16) } else { XCTAssertGreaterThan(n, 16) }
        }
        for n in [1, 21, 22, 23, 44, 45] {
            let s = Bytes(repeating: UInt8(ascii: "v"), count: n)
            let v = Value.string(s)
            XCTAssertEqual(v.stringBytes, s)
            XCTAssertEqual(Value.string(s.withUnsafeBytes { $0 }).stringBytes, s)
            if case .short = v { XCTAssertLessThanOrEqual(n, 22) } else { XCTAssertGreaterThan(n, 22) }
            XCTAssertEqual("\(v.encodingName)", n <= 44 ? "embstr" : "raw")
        }
        XCTAssertEqual("\(Value.string(Bytes("12345")).encodingName)", "int")
        XCTAssertEqual("\(Value.embedded(Bytes("12345")).encodingName)", "embstr")
    }

    /// Deadlines live in storage a segment allocates when its first key gets one: they must follow their
    /// keys through splits, deletions (the last slot moves into the gap) and copies.
    func testDeadlinesFollowTheirKeys() {
        var ks = Keyspace()
        let n = 5000
        func key(_ i: Int) -> Bytes { Bytes(string: "key:\(i)") }
        for i in 0..<n { ks.set(Entry(key: key(i), value: .int(Int64(i)), expireAt: i % 3 == 0 ? Int64(i) + 1_000 : -1)) }
        XCTAssertEqual(ks.volatileCount, (n + 2) / 3)
        let captured = ks
        for i in stride(from: 0, to: n, by: 2) { _ = key(i).withUnsafeBytes { ks.remove($0) } }
        for i in 0..<n {
            let want: Int64? = i % 2 == 0 ? nil : (i % 3 == 0 ? Int64(i) + 1_000 : -1)
            XCTAssertEqual(key(i).withUnsafeBytes { ks.expireAt($0) }, want, "key \(i)")
            XCTAssertEqual(key(i).withUnsafeBytes { captured.expireAt($0) }, i % 3 == 0 ? Int64(i) + 1_000 : -1)
        }
        var seen = 0
        ks.forEach { e in
            seen += 1
            let i = Int(e.value.stringBytes.flatMap { NumberParsing.int64($0) } ?? -1)
            XCTAssertEqual(e.expireAt, i % 3 == 0 ? Int64(i) + 1_000 : -1)
        }
        XCTAssertEqual(seen, n / 2)
        for i in stride(from: 1, to: n, by: 2) where i % 3 == 0 {
            key(i).withUnsafeBytes { k in ks.withEntry(k, access: 0) { $0!.expireAt = -1 } }
        }
        XCTAssertEqual(ks.volatileCount, 0)
        var removed = 0
        _ = ks.removeExpired(now: .max, from: 0, budget: 1 << 20) { _ in removed += 1 }
        XCTAssertEqual(removed, 0)
    }
}
