@testable import CairnEngine
import XCTest

/// A listpack-encoded sorted set, its (member, score) pairs packed in one buffer: random edits agree with a
/// sorted model, scores of every shape survive their shortened encoding, and loading in order takes pairs
/// only when they really are in order.
final class PackedSortedSetTests: XCTestCase {
    private let limits = SortedSetLimits(EngineSettings())

    private func entries(_ z: SortedSetValue) -> [ScoredMember] {
        var out: [ScoredMember] = []
        z.forEach { out.append($0) }
        return out
    }

    private func assertSame(_ a: [ScoredMember], _ b: [ScoredMember], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.map(\.member), b.map(\.member), file: file, line: line)
        XCTAssertEqual(a.map(\.score.bitPattern), b.map(\.score.bitPattern), file: file, line: line)
    }

    func testScoresKeepTheirBits() {
        for s in [0.0, 1, -1, 1.5, 0.1, -2.25, 1e300, -1e-300, .infinity, -.infinity, .leastNonzeroMagnitude,
                  .greatestFiniteMagnitude, 4_503_599_627_370_497] {
            let back = SortedSetValue.withScoreBytes(s) { SortedSetValue.decodeScore($0) }
            XCTAssertEqual(back.bitPattern, s.bitPattern, "\(s)")
        }
        // Small integers take at most three bytes, zero none.
        XCTAssertEqual(SortedSetValue.withScoreBytes(0) { $0.count }, 0)
        XCTAssertLessThanOrEqual(SortedSetValue.withScoreBytes(100) { $0.count }, 3)
    }

    func testMatchesASortedModelUnderRandomEdits() {
        var rng = SplitMix64(seed: 3)
        var z = SortedSetValue(sizeHint: 0, longestMember: 0, limits: limits)
        var model: [Bytes: Double] = [:]
        let scores: [Double] = [0, 1, -1, 2.5, 1e10, -.infinity, .infinity, 7]
        for _ in 0..<5000 {
            let member = Array("m\(rng.next() % 100)".utf8)
            if rng.next() % 3 == 0 {
                XCTAssertEqual(z.remove(member), model.removeValue(forKey: member) != nil)
            } else {
                let s = scores[Int(rng.next() % UInt64(scores.count))]
                XCTAssertEqual(z.set(member, s, limits: limits), model.updateValue(s, forKey: member))
            }
            XCTAssertEqual(z.count, model.count)
        }
        XCTAssertFalse(z.isSkiplist)
        let sorted = model.map { ScoredMember($0.key, $0.value) }.sorted { ScoredMember.precedes($0.score, $0.member, $1) }
        assertSame(entries(z), sorted)
        for (i, e) in sorted.enumerated() {
            XCTAssertEqual(z.rank(e.member)?.rank, i)
            XCTAssertEqual(z.score(e.member), e.score)
            assertSame([z[i]], [e])
        }
        var reversed: [ScoredMember] = []
        z.walk(from: z.count - 1, reverse: true) { reversed.append($0); return true }
        assertSame(reversed, sorted.reversed())
        XCTAssertEqual(z.partitionRank { $0.score < 2 }, sorted.filter { $0.score < 2 }.count)
        z.remove(rank: 0)
        assertSame(entries(z), Array(sorted.dropFirst()))
        z.convertToSkiplist()
        XCTAssertTrue(z.isSkiplist)
        assertSame(entries(z), Array(sorted.dropFirst()))
        z.compactIfSmall(limits: limits)
        XCTAssertFalse(z.isSkiplist)
        assertSame(entries(z), Array(sorted.dropFirst()))
    }

    func testPackInOrderRefusesWhatIsOutOfOrderOrRepeated() {
        let scratch = PackedScratch()
        var state = SortedSetValue.InOrderAppend()
        func add(_ m: String, _ s: Double) -> Bool {
            Array(m.utf8).withUnsafeBytes { SortedSetValue.packInOrder($0, s, limits: limits, state: &state, into: scratch) }
        }
        XCTAssertTrue(add("b", 1))
        XCTAssertTrue(add("c", 1))
        XCTAssertFalse(add("a", 1))
        XCTAssertFalse(add("a", 0.5))
        XCTAssertFalse(add("b", 2), "in order after the last pair, but a repeated member")
        XCTAssertTrue(add("a", 2))
        XCTAssertFalse(add("c", 3), "a repeated member further back")
        XCTAssertFalse(add("a", 2), "equal to the last pair")
        let z = SortedSetValue(loadedListpack: scratch.packed)
        XCTAssertEqual(entries(z).map(\.member), [Array("b".utf8), Array("c".utf8), Array("a".utf8)])
        XCTAssertEqual(entries(z).map(\.score), [1, 1, 2])
        // Members whose filter bits collide are told apart by the search.
        for i in 0..<40 { XCTAssertTrue(add("m\(i)", Double(10 + i))) }
        XCTAssertEqual(SortedSetValue(loadedListpack: scratch.packed).count, 43)
        var small = limits
        small.listpackEntries = 3
        var fresh = SortedSetValue.InOrderAppend()
        scratch.reset()
        for (i, m) in ["a", "b", "c"].enumerated() {
            XCTAssertTrue(Array(m.utf8).withUnsafeBytes { SortedSetValue.packInOrder($0, Double(i), limits: small, state: &fresh, into: scratch) })
        }
        XCTAssertFalse(Array("d".utf8).withUnsafeBytes { SortedSetValue.packInOrder($0, 3, limits: small, state: &fresh, into: scratch) })
    }
}
