import XCTest
@testable import RESP

final class RequestParserTests: XCTestCase {
    /// Feeds `input` split at `cut` and returns the parsed commands (as byte arrays) or the error.
    private func parseAll(_ input: [UInt8], cuts: [Int] = [], maxBulk: Int = 512 << 20) -> (commands: [[[UInt8]]], error: String?) {
        var parser = RequestParser(maxBulkLength: maxBulk)
        var buffer: [UInt8] = []
        var start = 0
        var commands: [[[UInt8]]] = []
        var fed = 0
        for end in cuts.map({ min($0, input.count) }) + [input.count] where end >= fed {
            buffer.append(contentsOf: input[fed..<end])
            fed = end
            while start < buffer.count {
                let outcome = buffer.withUnsafeMutableBytes { b in
                    parser.parse(UnsafeMutableRawBufferPointer(rebasing: b[start...]))
                }
                switch outcome {
                case .incomplete: break
                case .nothing(let n): start += n; continue
                case .command(let n):
                    let cmd = parser.args.map { r in Array(buffer[(start + r.start)..<(start + r.start + r.count)]) }
                    commands.append(cmd)
                    start += n
                    continue
                case .protocolError(let e): return (commands, e)
                }
                break
            }
        }
        return (commands, nil)
    }

    private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    func testMultibulkAtEveryByteBoundary() {
        let input = b("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n*1\r\n$4\r\nPING\r\n")
        let expected: [[[UInt8]]] = [[b("SET"), b("key"), b("va\r\nl")], [b("PING")]]
        for cut in 0...input.count {
            let r = parseAll(input, cuts: [cut])
            XCTAssertNil(r.error, "cut \(cut)")
            XCTAssertEqual(r.commands, expected, "cut \(cut)")
        }
        // Every byte in its own read.
        XCTAssertEqual(parseAll(input, cuts: Array(0...input.count)).commands, expected)
    }

    func testInlineCommandsWithQuoting() {
        let r = parseAll(b("set k \"a b\\x41\\n\" 'it\\'s'\r\n\r\nGET k\n"))
        XCTAssertNil(r.error)
        XCTAssertEqual(r.commands, [[b("set"), b("k"), b("a bA\n"), b("it's")], [b("GET"), b("k")]])
        for cut in 0...20 {
            XCTAssertEqual(parseAll(b("PING hello\r\n"), cuts: [cut]).commands, [[b("PING"), b("hello")]])
        }
    }

    func testProtocolErrorsUseRedisWording() {
        XCTAssertEqual(parseAll(b("*abc\r\n")).error, "Protocol error: invalid multibulk length")
        XCTAssertEqual(parseAll(b("*1\r\n$-5\r\n")).error, "Protocol error: invalid bulk length")
        XCTAssertEqual(parseAll(b("*1\r\nfoo\r\n")).error, "Protocol error: expected '$', got 'f'")
        XCTAssertEqual(parseAll(b("*99999999999\r\n")).error, "Protocol error: invalid multibulk length")
        XCTAssertEqual(parseAll(b("set \"abc\r\n")).error, "Protocol error: unbalanced quotes in request")
        XCTAssertEqual(parseAll(b("set \"a\"b\r\n")).error, "Protocol error: unbalanced quotes in request")
        XCTAssertEqual(parseAll(b("*1\r\n$100\r\n"), maxBulk: 10).error, "Protocol error: invalid bulk length")
        XCTAssertEqual(parseAll([UInt8](repeating: 65, count: 70_000)).error, "Protocol error: too big inline request")
        XCTAssertEqual(parseAll(b("*1\r\n") + [UInt8](repeating: 36, count: 70_000)).error, "Protocol error: too big bulk count string")
    }

    func testEmptyAndNegativeMultibulkAreSkipped() {
        let r = parseAll(b("*0\r\n*-1\r\n*1\r\n$0\r\n\r\n"))
        XCTAssertNil(r.error)
        XCTAssertEqual(r.commands, [[[]]])
    }

    func testHundredMegabyteBulkInChunks() {
        let size = 100 * 1024 * 1024
        var input = b("*2\r\n$3\r\nSET\r\n$\(size)\r\n")
        let headerCount = input.count
        input.append(contentsOf: [UInt8](repeating: 0x61, count: size))
        input.append(contentsOf: b("\r\n"))
        var parser = RequestParser()
        var hint = 0
        input.withUnsafeMutableBytes { all in
            // Offer growing prefixes as a socket would deliver them; the parser must ask for the full size.
            for end in stride(from: 1024, to: all.count, by: 8 * 1024 * 1024) {
                if case .incomplete(let h) = parser.parse(UnsafeMutableRawBufferPointer(rebasing: all[0..<end])) { hint = max(hint, h) }
                else { XCTFail("complete too early") }
            }
            guard case .command(let n) = parser.parse(all) else { return XCTFail("not parsed") }
            XCTAssertEqual(n, all.count)
        }
        XCTAssertEqual(hint, input.count)
        XCTAssertEqual(parser.args.map(\.count), [3, size])
        XCTAssertEqual(parser.args[1].start, headerCount)
    }

    func testUnauthenticatedLimits() {
        var parser = RequestParser()
        parser.unauthenticated = true
        var input = b("*11\r\n")
        let r = input.withUnsafeMutableBytes { parser.parse($0) }
        XCTAssertEqual(r, .protocolError("Protocol error: unauthenticated multibulk length"))
        parser.reset()
        input = b("*1\r\n$20000\r\n")
        XCTAssertEqual(input.withUnsafeMutableBytes { parser.parse($0) }, .protocolError("Protocol error: unauthenticated bulk length"))
    }

    /// The verbatim flag of each command in `input`, fed whole and then one byte at a time.
    private func verbatimFlags(_ input: [UInt8]) -> [[Bool]] {
        [input.count, 1].map { step in
            var parser = RequestParser()
            var buffer: [UInt8] = []
            var start = 0
            var flags: [Bool] = []
            var fed = 0
            while fed < input.count {
                let end = min(fed + step, input.count)
                buffer.append(contentsOf: input[fed..<end])
                fed = end
                parsing: while start < buffer.count {
                    let outcome = buffer.withUnsafeMutableBytes { parser.parse(UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
                    switch outcome {
                    case .command(let n): flags.append(parser.verbatim); start += n
                    case .nothing(let n): start += n
                    default: break parsing
                    }
                }
            }
            return flags
        }
    }

    func testVerbatimMarksCanonicalRequestsOnly() {
        let canonical = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$0\r\n\r\n"
        let cases: [(String, Bool)] = [
            (canonical, true),
            ("*1\r\n$4\r\nPING\r\n", true),
            ("*03\r\n$3\r\nSET\r\n$3\r\nkey\r\n$1\r\nv\r\n", false),      // leading zero in the count
            ("*2\r\n$03\r\nGET\r\n$3\r\nkey\r\n", false),                      // leading zero in a bulk length
            ("*2\r\n$3\r\nGET\r\n$00\r\n\r\n", false),                          // "00" for an empty bulk
            ("*2\r\n$3\r\nGET\r\n$-0\r\n\r\n", false),                          // "-0"
            ("*2\r\n$3\r\nGET\r\n$3\r\nkeyXY", false),                           // no CR LF after a value
            ("*2\r\n$3\rXGET\r\n$3\r\nkey\r\n", false),                          // no LF after a header
            ("*2\rX$3\r\nGET\r\n$3\r\nkey\r\n", false),                          // no LF after the count
            ("GET key\r\n", false),                                                   // inline
        ]
        for (text, expected) in cases {
            for flags in verbatimFlags(b(text)) {
                XCTAssertEqual(flags, [expected], text.debugDescription)
            }
        }
        // Eleven arguments take the parser's general path for the count; 17 KB the general path for a length.
        let many = "*11\r\n" + String(repeating: "$1\r\nx\r\n", count: 11)
        let big = "*2\r\n$3\r\nSET\r\n$17000\r\n" + String(repeating: "y", count: 17000) + "\r\n"
        for flags in verbatimFlags(b(many + big + "*1\r\n$4\r\nPING\r\n")) {
            XCTAssertEqual(flags, [true, true, true])
        }
        // A non-canonical request does not taint the next one.
        for flags in verbatimFlags(b("*2\r\n$03\r\nGET\r\n$1\r\nk\r\n" + canonical)) {
            XCTAssertEqual(flags, [false, true])
        }
    }
}
