import XCTest
import CairnEngine

/// Expected bytes were captured from redis-server 7.0.15 (PFADD/PFCOUNT/PFMERGE followed by GET); values too long
/// to inline are pinned by their 64-bit FNV-1a digest.
final class HyperLogLogTests: XCTestCase {
    // MARK: - Helpers

    private func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            out.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    private func fnv1a(_ b: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
        return h
    }

    @discardableResult
    private func add(_ hll: inout [UInt8], _ element: [UInt8], max: Int = 3000) throws(HyperLogLogError) -> Bool {
        let result = element.withUnsafeBytes { p in
            Result { () throws(HyperLogLogError) in try HyperLogLog.add(&hll, element: p, sparseMaxBytes: max) }
        }
        return try result.get()
    }

    /// PFADD as the command layer performs it: creation counts as a change, and any change marks the cache stale.
    private func pfadd(_ hll: inout [UInt8]?, _ elements: [String], max: Int = 3000) throws {
        var h = hll ?? HyperLogLog.makeEmpty()
        var changed = hll == nil
        for e in elements {
            if try add(&h, Array(e.utf8), max: max) { changed = true }
        }
        if changed { HyperLogLog.invalidateCache(&h) }
        hll = h
    }

    private func make(_ elements: [String], max: Int = 3000) throws -> [UInt8] {
        var h: [UInt8]?
        try pfadd(&h, elements, max: max)
        return h!
    }

    /// Its pattern length is 33, more than a sparse VAL opcode can hold.
    private let bigElement: [UInt8] = withUnsafeBytes(of: UInt64(0xba9d_09ba).littleEndian) { Array($0) }

    private func assertThrows(_ expected: HyperLogLogError, file: StaticString = #filePath, line: UInt = #line,
                              _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error as? HyperLogLogError, expected, file: file, line: line)
        }
    }

    // MARK: - Byte identity with Redis

    func testEmpty() throws {
        XCTAssertEqual(HyperLogLog.makeEmpty(), bytes("48594c4c010000000000000000000000" + "7fff"))
        var fresh = HyperLogLog.makeEmpty()
        XCTAssertTrue(HyperLogLog.isValid(fresh))
        let (cached, written) = try HyperLogLog.count(&fresh)
        XCTAssertEqual(cached, 0)
        XCTAssertFalse(written)

        var created = try make([])
        XCTAssertEqual(created, bytes("48594c4c0100000000000000000000807fff"))
        let (count, updated) = try HyperLogLog.count(&created)
        XCTAssertEqual(count, 0)
        XCTAssertTrue(updated)
        XCTAssertEqual(created, HyperLogLog.makeEmpty())
    }

    func testFewElementsAndCountCache() throws {
        var h = try make(["a", "b", "c"])
        XCTAssertEqual(h, bytes("48594c4c01000000000000000000008060f38050b1844bfb80425a"))
        XCTAssertFalse(try add(&h, Array("a".utf8)))
        XCTAssertEqual(try HyperLogLog.count(&h).0, 3)
        XCTAssertEqual(h, bytes("48594c4c01000000030000000000000060f38050b1844bfb80425a"))
        let (again, written) = try HyperLogLog.count(&h)
        XCTAssertEqual(again, 3)
        XCTAssertFalse(written)
    }

    func testHundredElementsSparse() throws {
        var h = try make((0..<100).map { "e\($0)" })
        XCTAssertEqual(h, bytes(
            "48594c4c01000000000000000000008036843c8040a9a40e88409084406c9c048840e28041358840d380411d8840898041168c41"
            + "9080098040e08040948041578440a280408384405d8440e1844199844081803c844047840780404e80408f840984405184268441"
            + "258440d38042638040a280404b8c406f80420b8c41798041478041638040668440f98c0184218811804182844062803088407984"
            + "228040de8440d3884045800a88420090118440c184018041138440848c1684228040a88440e180422a84410384168041178441658c"
            + "414e802680058040598040ec882e88413c880380405b841b803f80409b802184412e88408f90407e80408480415f80338440798441"
            + "93844058902e80406a840d8039801380409a882880408c"))
        XCTAssertEqual(try HyperLogLog.count(&h).0, 100)
    }

    func testPromotionAtDefaultSparseLimit() throws {
        var h: [UInt8]? = nil
        var promotedAt: Int?
        var sparseLengthBefore = 0
        for i in 0..<5000 {
            let before = h?.count ?? 0
            try pfadd(&h, ["n\(i)"])
            if promotedAt == nil && h![4] == 0 {
                promotedAt = i
                sparseLengthBefore = before
            }
        }
        XCTAssertEqual(promotedAt, 1662)
        XCTAssertEqual(sparseLengthBefore, 3000)
        var dense = h!
        XCTAssertEqual(dense.count, 12304)
        XCTAssertEqual(fnv1a(dense), 0x2326_5bbf_e9b1_35af)
        XCTAssertEqual(try HyperLogLog.count(&dense).0, 4994)
        XCTAssertEqual(fnv1a(dense), 0xef11_0103_d41f_76b4)
        XCTAssertEqual(Array(dense[0..<16]), bytes("48594c4c000000008213000000000000"))
    }

    func testLargeRegisterValueForcesDenseAndKeepsStaleCacheBytes() throws {
        var h = try make(["x", "y"])
        XCTAssertEqual(try HyperLogLog.count(&h).0, 2)
        XCTAssertTrue(try add(&h, bigElement))
        HyperLogLog.invalidateCache(&h)
        XCTAssertEqual(h.count, 12304)
        XCTAssertEqual(Array(h[0..<16]), bytes("48594c4c000000000200000000000080"))
        XCTAssertEqual(fnv1a(h), 0x070a_f188_c391_ab7d)
        XCTAssertEqual(try HyperLogLog.count(&h).0, 3)
        XCTAssertFalse(try add(&h, bigElement))
    }

    func testSmallSparseLimit() throws {
        var h: [UInt8]? = nil
        let expected = [
            "48594c4c01000000000000000000008059bf84663e",
            "48594c4c01000000000000000000008059bf8450538055e9",
            "48594c4c01000000000000000000008059bf845053804606804fe1",
            "48594c4c01000000000000000000008058118441ac845053804606804fe1",
        ]
        for (i, hex) in expected.enumerated() {
            try pfadd(&h, ["s\(i)"], max: 30)
            XCTAssertEqual(h, bytes(hex), "after s\(i)")
        }
        try pfadd(&h, ["s4"], max: 30)
        XCTAssertEqual(fnv1a(h!), 0xbe14_05c1_82b1_acb1)
        try pfadd(&h, ["s5"], max: 30)
        XCTAssertEqual(fnv1a(h!), 0x6ffb_7575_eec9_2681)
    }

    func testZeroSparseLimitPromotesOnFirstSplit() throws {
        var h = HyperLogLog.makeEmpty()
        XCTAssertTrue(try add(&h, Array("a".utf8), max: 0))
        XCTAssertEqual(h.count, 12304)
        XCTAssertEqual(h[4], 0)
    }

    func testMergeOfSparseInputsStaysSparse() throws {
        let m1 = try make((0..<40).map { "m1-\($0)" })
        let m2 = try make((0..<40).map { "m2-\($0)" })
        let expected = bytes(
            "48594c4c010000000000000000000080414980407280414c88258c3c88068040b28842c3842880409590098007844077844138802c"
            + "9440a28041bc8040438045d380420180404784406290417984118440e680417d80404280411e80407a88420f800c80404080228040"
            + "588440658c40468440bc800f8c4059801b80406d8040bc804090844229840c8c414e804078800480422780148841c980378c409d80"
            + "843a8440878003841680208442a58040ae840e8840978c40928440c58441c480411d8441bf844057844129801b8040558040708403"
            + "80412f8040618440a18041018440a580412088435e")
        XCTAssertEqual(try HyperLogLog.merge(into: nil, sources: [m1, m2], sparseMaxBytes: 3000), expected)
        XCTAssertEqual(try HyperLogLog.merge(into: m2, sources: [m1], sparseMaxBytes: 3000), expected)
        XCTAssertEqual(try HyperLogLog.countUnion([m1, m2]), 80)
    }

    func testMergeWithDenseInputIsDense() throws {
        let m1 = try make((0..<40).map { "m1-\($0)" })
        let n = try make((0..<5000).map { "n\($0)" })
        let e100 = try make((0..<100).map { "e\($0)" })
        let merged = try HyperLogLog.merge(into: nil, sources: [m1, n], sparseMaxBytes: 3000)
        XCTAssertEqual(fnv1a(merged), 0x6b86_f524_ddab_85aa)
        XCTAssertEqual(try HyperLogLog.countUnion([m1, n, e100]), 5130)
        XCTAssertEqual(try HyperLogLog.merge(into: nil, sources: [], sparseMaxBytes: 3000),
                       bytes("48594c4c0100000000000000000000807fff"))
    }

    // MARK: - Invalid and corrupted input

    func testInvalidObjects() {
        let empty = HyperLogLog.makeEmpty()
        let dense = try! make((0..<5000).map { "n\($0)" })
        var badMagic = empty
        badMagic[3] = 0x58
        var badEncoding = empty
        badEncoding[4] = 2
        var denseTooShort = dense
        denseTooShort.removeLast()
        var denseTooLong = dense
        denseTooLong.append(0)
        var sparseHeaderAsDense = empty
        sparseHeaderAsDense[4] = 0
        let cases: [[UInt8]] = [
            [], Array("HYLL".utf8), Array(empty[0..<15]), badMagic, badEncoding,
            denseTooShort, denseTooLong, sparseHeaderAsDense, Array("hello".utf8),
        ]
        for bad in cases {
            XCTAssertFalse(HyperLogLog.isValid(bad))
            var h = bad
            assertThrows(.invalidObject) { _ = try HyperLogLog.count(&h) }
            assertThrows(.invalidObject) { _ = try self.add(&h, Array("a".utf8)) }
            assertThrows(.invalidObject) { _ = try HyperLogLog.countUnion([empty, bad]) }
            assertThrows(.invalidObject) { _ = try HyperLogLog.merge(into: nil, sources: [bad], sparseMaxBytes: 3000) }
            assertThrows(.invalidObject) { _ = try HyperLogLog.merge(into: bad, sources: [empty], sparseMaxBytes: 3000) }
            XCTAssertEqual(h, bad)
        }
    }

    func testCorruptedSparse() throws {
        let header = Array(HyperLogLog.makeEmpty()[0..<16])
        let corrupted: [[UInt8]] = [
            header,                                                    // no opcodes
            header + [0x7F],                                           // truncated XZERO
            header + [0x7F, 0xFE],                                     // one register short
            header + [0x7F, 0xFF, 0x00],                               // one register too many
            header + [UInt8](repeating: 0xFF, count: 5000),            // runs past the last register
        ]
        for bad in corrupted {
            XCTAssertTrue(HyperLogLog.isValid(bad))
            var h = bad
            HyperLogLog.invalidateCache(&h)
            let stale = h
            assertThrows(.corrupted) { _ = try HyperLogLog.count(&h) }
            XCTAssertEqual(h, stale)
            assertThrows(.corrupted) { _ = try HyperLogLog.countUnion([bad, bad]) }
            assertThrows(.corrupted) { _ = try HyperLogLog.merge(into: nil, sources: [bad], sparseMaxBytes: 3000) }
            var promoted = bad
            assertThrows(.corrupted) { _ = try self.add(&promoted, self.bigElement) }
            XCTAssertEqual(promoted, bad)
        }
        var none = header
        assertThrows(.corrupted) { _ = try self.add(&none, Array("a".utf8)) }
        var truncated = header + [0x7F]
        assertThrows(.corrupted) { _ = try self.add(&truncated, Array("a".utf8)) }
    }

    /// A final XZERO missing its second byte reads it as 0, as Redis does (it sees the string's NUL terminator).
    func testTruncatedFinalXZeroReadsAsZero() throws {
        var h = Array(HyperLogLog.makeEmpty()[0..<16]) + [UInt8](repeating: 0x3F, count: 255) + [0x3E, 0x40]
        HyperLogLog.invalidateCache(&h)
        XCTAssertEqual(try HyperLogLog.count(&h).0, 0)
        XCTAssertEqual(try HyperLogLog.countUnion([h, h]), 0)
    }

    func testMutatedInputsNeverCrash() throws {
        var rng = SplitMix64(seed: 42)
        let seeds = [try make((0..<300).map { "z\($0)" }), try make((0..<3000).map { "d\($0)" })]
        for _ in 0..<300 {
            var h = seeds[Int(rng.next() % 2)]
            for _ in 0..<(1 + rng.next() % 4) {
                let i = 16 + Int(rng.next() % UInt64(h.count - 16))
                switch rng.next() % 3 {
                case 0: h.remove(at: i)
                case 1: h.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
                default: h[i] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            HyperLogLog.invalidateCache(&h)
            var counted = h
            _ = try? HyperLogLog.count(&counted)
            _ = try? HyperLogLog.countUnion([h, seeds[0]])
            _ = try? HyperLogLog.merge(into: h, sources: [seeds[0]], sparseMaxBytes: 3000)
            for j in 0..<20 {
                _ = try? add(&h, Array("q\(j)".utf8), max: Int(rng.next() % 4000))
            }
            _ = try? add(&h, bigElement)
        }
    }
}

private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
