import CSystem
import XCTest
@testable import CairnEngine

/// String values over the inline limit: one exact-size heap block each, and a growable raw array once edited.
final class PackedBytesTests: XCTestCase {
    /// used_memory per value, as the counting allocator sees it (glibc chunks: usable size plus 8, 16-byte steps).
    /// Freed chunks that earlier tests left in glibc's bins can serve a request a little larger than asked (a
    /// split that would leave less than 32 bytes is not made), so batches are kept alive one after another
    /// and the cheapest is the value's own cost: by then those leftovers are used up.
    private func chunkBytesPerValue(_ size: Int) -> Int {
        let n = 1000
        let payload = Bytes(repeating: 7, count: size)
        var kept: [[Value]] = []
        var cheapest = Int.max
        for _ in 0..<5 {
            var values: [Value] = []
            values.reserveCapacity(n)
            let afterReserve = Int(csystem_used_memory())
            for _ in 0..<n { values.append(.embedded(payload)) }
            cheapest = min(cheapest, (Int(csystem_used_memory()) - afterReserve) / n)
            kept.append(values)
        }
        return cheapest
    }

    func testAValueCostsItsBytesPlusTheObjectHeaderRoundedToAChunk() {
        // [UInt8] took 112, 144 and 240 bytes for these sizes. The counter sees every thread of the test
        // process, so another thread's allocation can move the average by a byte either way.
        for (size, chunk) in [(64, 96), (100, 128), (200, 224)] {
            let measured = chunkBytesPerValue(size)
            XCTAssertLessThanOrEqual(abs(measured - chunk), 2, "\(size)-byte value: \(measured) bytes")
        }
    }

    func testBytesReadBackAndEncodings() {
        for n in [24, 44, 45, 100, 5000] {
            let s = Bytes((0..<n).map { UInt8(truncatingIfNeeded: $0) })
            let v = Value.embedded(s)
            guard case .bytes(let p) = v else { return XCTFail("a \(n)-byte string is packed") }
            XCTAssertEqual(p.count, n)
            XCTAssertEqual(p.bytes, s)
            XCTAssertEqual(p.withUnsafeBytes { Bytes($0) }, s)
            XCTAssertEqual("\(v.encodingName)", n <= 44 ? "embstr" : "raw")
        }
    }

    /// APPEND makes the value a raw array with room to spare, as Redis makes an embstr raw: a run of appends
    /// moves the bytes a logarithmic number of times, not once per append.
    func testAppendTurnsRawAndGrowsAmortised() {
        let engine = Engine()
        let client = engine.makeClient()
        func run(_ args: [String]) {
            OwnedArgs(args.map { Bytes(string: $0) }).withArgs { engine.execute(client, $0) }
        }
        run(["set", "k", String(repeating: "v", count: 100)])
        var moves = 0
        var last: UnsafeRawPointer?
        for _ in 0..<2000 {
            run(["append", "k", "0123456789"])
            guard case .rawBytes(let b)? = Bytes(string: "k").withUnsafeBytes({ engine.dbs[0].lookupWrite($0) }) else {
                return XCTFail("APPEND leaves a raw string")
            }
            let base = b.withUnsafeBytes { UnsafeRawPointer($0.baseAddress) }
            if base != last { moves += 1 }
            last = base
        }
        XCTAssertLessThan(moves, 40)
        client.reply.bytes.removeAll()
        run(["strlen", "k"])
        XCTAssertEqual(client.reply.bytes, Bytes(string: ":20100\r\n"))
    }
}
