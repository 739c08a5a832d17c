@testable import CairnEngine
import XCTest

/// A test case that replays command transcripts recorded from redis-server: each step's exact reply bytes and
/// how much it moved the dirty counter (rdb_changes_since_last_save). Replies spell bytes that are not
/// printable ASCII (other than CR and LF) as `\xNN`; a nil reply is not compared (HELLO's server version).
class TranscriptTestCase: XCTestCase {
    var engine: Engine!
    var client: ClientSession!

    override func setUp() {
        engine = Engine()
        engine.settings.debugCommand = .yes
        client = engine.makeClient()
    }

    func transcript(_ steps: [([String], String?, Int)], file: StaticString = #filePath, line: UInt = #line) {
        for (args, reply, dirty) in steps {
            let before = engine.dirty
            let got = run(args)
            if let reply { XCTAssertEqual(got, reply, "\(args)", file: file, line: line) }
            XCTAssertEqual(engine.dirty - before, dirty, "dirty after \(args)", file: file, line: line)
        }
    }

    @discardableResult
    func run(_ args: [String]) -> String {
        client.reply.bytes.removeAll(keepingCapacity: true)
        OwnedArgs(args.map(Self.unescape)).withArgs { engine.execute(client, $0) }
        return Self.escape(client.reply.bytes)
    }

    func value(_ key: String) -> Value? {
        Bytes(string: key).withUnsafeBytes { engine.dbs[0].lookupWrite($0) }
    }

    func encoding(_ key: String) -> String? {
        value(key).map { "\($0.encodingName)" }
    }

    static func escape(_ bytes: Bytes) -> String {
        var s = ""
        for b in bytes {
            if (b >= 0x20 && b < 0x7f && b != UInt8(ascii: "\\")) || b == 13 || b == 10 {
                s.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = String(b, radix: 16)
                s += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return s
    }

    static func unescape(_ s: String) -> Bytes {
        let u = Array(s.utf8)
        var out = Bytes()
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "\\"), i + 3 < u.count, u[i + 1] == UInt8(ascii: "x"),
               let v = UInt8(String(decoding: u[(i + 2)..<(i + 4)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 4
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return out
    }
}
