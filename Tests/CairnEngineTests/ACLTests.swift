import XCTest
import RESP
@testable import CairnEngine

/// SHA-256 against FIPS 180-4 vectors, and ACL rules applied to users without a server.
final class ACLTests: XCTestCase {
    func testSHA256Vectors() {
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Bytes("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(Bytes("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Lengths around the padding boundary (55, 56, 64 bytes) take one or two final blocks.
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 55)),
                       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 56)),
                       "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 64)),
                       "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    private func user(_ engine: Engine, _ rules: String...) throws -> ACLUser {
        XCTAssertNil(engine.setACLUser("u", rules.map { Bytes($0.utf8) }))
        return try XCTUnwrap(engine.acl.user("u"))
    }

    private func check(_ engine: Engine, _ u: ACLUser, _ words: String...) -> ACLDenial? {
        let owned = OwnedArgs(words.map { Bytes($0.utf8) })
        return owned.withArgs { args in
            var cmd = engine.commands.lookup(args[0])!
            if !cmd.subcommands.isEmpty, let sub = cmd.subcommand(args[1]) { cmd = sub }
            return engine.aclCheck(u, cmd, args)
        }
    }

    func testRulesDecideCommandsKeysAndChannels() throws {
        let e = Engine()
        let u = try user(e, "on", "nopass", "+@string", "-append", "+command|count", "+select|0", "%R~r:*", "~rw:*", "&ch")
        XCTAssertFalse(u.unrestricted)
        XCTAssertNil(check(e, u, "get", "r:1"))
        XCTAssertEqual(check(e, u, "set", "r:1", "v"), .key(1))
        XCTAssertNil(check(e, u, "set", "rw:1", "v"))
        XCTAssertEqual(check(e, u, "append", "rw:1", "v"), .command)
        XCTAssertNil(check(e, u, "command", "count"))
        XCTAssertEqual(check(e, u, "command", "list"), .command)
        XCTAssertNil(check(e, u, "select", "0"))
        XCTAssertEqual(check(e, u, "select", "1"), .command)
        XCTAssertEqual(check(e, u, "mset", "rw:1", "v", "x", "v"), .key(3))
        XCTAssertNil(e.setACLUser("u", [Bytes("+publish".utf8)]))
        XCTAssertNil(check(e, u, "publish", "ch", "m"))
        XCTAssertEqual(check(e, u, "publish", "other", "m"), .channel(1))
        XCTAssertTrue(e.acl.defaultUser.unrestricted)
    }

    func testRefusedRulesLeaveTheUserAlone() throws {
        let e = Engine()
        let u = try user(e, "on", "+get")
        XCTAssertEqual(e.setACLUser("u", [Bytes("+set".utf8), Bytes("+nosuch".utf8)]),
                       "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL")
        XCTAssertEqual(u.rules.selectors[0].commandDescription, "-@all +get")
        XCTAssertTrue(u.accepts(Bytes("anything".utf8)) == false)
        XCTAssertNil(e.setACLUser("u", [Bytes(">secret".utf8)]))
        XCTAssertTrue(u.accepts(Bytes("secret".utf8)))
        XCTAssertFalse(u.accepts(Bytes("Secret".utf8)))
    }
}
