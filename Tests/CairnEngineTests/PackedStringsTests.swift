import XCTest
@testable import CairnEngine

final class PackedStringsTests: XCTestCase {
    func elements(_ p: PackedStrings) -> [[UInt8]] {
        var out: [[UInt8]] = []
        p.forEach { out.append(Array($0)) }
        return out
    }

    func testAppendFindReplaceRemove() {
        var p = PackedStrings()
        let long = [UInt8](repeating: 7, count: 300)  // a two-byte length prefix
        for e in [Array("a".utf8), [], long, Array("b".utf8)] { e.withUnsafeBytes { p.append($0) } }
        XCTAssertEqual(p.count, 4)
        XCTAssertEqual(elements(p), [Array("a".utf8), [], long, Array("b".utf8)])
        let b = Array("b".utf8).withUnsafeBytes { p.firstPosition(of: $0) }!
        XCTAssertEqual(p.bytes(at: b), Array("b".utf8))
        // Stride 2 looks at elements 0 and 2 only.
        XCTAssertNil(Array("b".utf8).withUnsafeBytes { p.firstPosition(of: $0, stride: 2) })
        XCTAssertEqual(long.withUnsafeBytes { p.firstPosition(of: $0, stride: 2) }, p.position(ofElement: 2))
        Array("longer value".utf8).withUnsafeBytes { p.replace(at: p.position(ofElement: 2), with: $0) }
        XCTAssertEqual(elements(p), [Array("a".utf8), [], Array("longer value".utf8), Array("b".utf8)])
        p.remove(at: p.position(ofElement: 1), elements: 2)
        XCTAssertEqual(p.count, 2)
        XCTAssertEqual(elements(p), [Array("a".utf8), Array("b".utf8)])
        XCTAssertEqual(p.position(after: p.position(ofElement: 1)), p.endPosition)
    }

    /// A loader packs elements in a reused scratch: the sequence copied out is the one appending them builds, in
    /// both layouts, and the scratch starts over after `reset`.
    func testScratchBuildsWhatAppendingBuilds() {
        let scratch = PackedScratch()
        let long = [UInt8](repeating: 9, count: 5000)  // past the scratch's first size, and a two-byte prefix
        for backLinked in [false, true] {
            for _ in 0..<2 {
                scratch.reset(backLinked: backLinked)
                var appended = PackedStrings(backLinked: backLinked)
                for e in [Array("f".utf8), [], long, Array("12".utf8)] {
                    e.withUnsafeBytes { p in
                        scratch.append(p)
                        appended.append(p)
                    }
                }
                let packed = scratch.packed
                XCTAssertEqual(packed.count, 4)
                XCTAssertEqual(packed.storage, appended.storage)
                XCTAssertEqual(elements(packed), elements(appended))
                XCTAssertTrue(Array("12".utf8).withUnsafeBytes { scratch.contains($0) })
                XCTAssertFalse(Array("12".utf8).withUnsafeBytes { scratch.contains($0, stride: 2) })
                XCTAssertTrue(long.withUnsafeBytes { scratch.contains($0, stride: 2) })
            }
        }
        scratch.reset()
        XCTAssertEqual(scratch.packed.count, 0)
        XCTAssertFalse(Array("f".utf8).withUnsafeBytes { scratch.contains($0) })
    }

    func testSmallHashKeepsInsertionOrderInOneBuffer() {
        var h = HashValue()
        for (f, v) in [("x", "1"), ("y", "2"), ("z", "3")] {
            Array(f.utf8).withUnsafeBytes { _ = h.set($0, Array(v.utf8), maxEntries: 128, maxValue: 64) }
        }
        Array("y".utf8).withUnsafeBytes { _ = h.set($0, Array("two".utf8), maxEntries: 128, maxValue: 64) }
        var pairs: [String] = []
        h.forEach { pairs.append(String(decoding: $0, as: UTF8.self) + "=" + String(decoding: $1, as: UTF8.self)) }
        XCTAssertEqual(pairs, ["x=1", "y=two", "z=3"])
        XCTAssertTrue(h.isCompact)
        XCTAssertTrue(Array("x".utf8).withUnsafeBytes { h.remove($0) })
        XCTAssertEqual(h.count, 2)
        XCTAssertEqual(Array("z".utf8).withUnsafeBytes { h.get($0) }, Array("3".utf8))
    }

    /// The borrowed walks that saving uses visit what the copying ones do, in the same order, in every encoding.
    func testBorrowedWalksMatchCopyingOnes() {
        let limits = SetLimits(EngineSettings())
        for members in [["3", "1", "2"], ["a", "7", "b"], (0..<300).map { "m\($0)" }] {
            var s = SetValue(first: Array(members[0].utf8), sizeHint: members.count, limits: limits)
            for m in members { s.add(Array(m.utf8), limits: limits) }
            var copied: [[UInt8]] = [], borrowed: [[UInt8]] = []
            s.forEach { copied.append($0) }
            s.forEachBorrowed { borrowed.append(Array($0)) }
            XCTAssertEqual(borrowed, copied, s.encodingName.description)
            XCTAssertEqual(borrowed.count, members.count)
        }
        for n in [3, 300] {
            var h = HashValue()
            for i in 0..<n { Array("f\(i)".utf8).withUnsafeBytes { _ = h.set($0, Array("v\(i)".utf8), maxEntries: 128, maxValue: 64) } }
            var copied: [String] = [], borrowed: [String] = []
            h.forEach { copied.append(String(decoding: $0, as: UTF8.self) + "=" + String(decoding: $1, as: UTF8.self)) }
            h.forEachBorrowed { borrowed.append(String(decoding: $0, as: UTF8.self) + "=" + String(decoding: $1, as: UTF8.self)) }
            XCTAssertEqual(borrowed, copied)
            XCTAssertEqual(h.isCompact, n == 3)
        }
    }
}
