import XCTest
#if canImport(Glibc)
import Glibc
#endif
import CairnEngine
@testable import CairnServer

final class ConfigTests: XCTestCase {
    private var tempDir = ""
    private var savedCwd = ""

    override func setUp() {
        super.setUp()
        var template = Array("/tmp/cairn-config-XXXXXX".utf8CString)
        tempDir = String(cString: mkdtemp(&template)!)
        savedCwd = ConfigFile.currentDirectory() ?? "/"
    }

    override func tearDown() {
        _ = chdir(savedCwd)
        _ = try? FileManager.default.removeItem(atPath: tempDir)
        super.tearDown()
    }

    private func write(_ name: String, _ text: String) -> String {
        let path = tempDir + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    private func contents(_ path: String) -> String {
        (try? ConfigFile.read(path: path)) ?? "<unreadable>"
    }

    private func registry() -> ConfigRegistry { ConfigRegistry(version: "9.9.9") }

    private func setError(_ r: ConfigRegistry, _ args: [String], clientIsLocal: Bool = false) -> String? {
        do {
            try r.set(args, clientIsLocal: clientIsLocal)
            return nil
        } catch {
            return error.message
        }
    }

    private func loadError(_ r: ConfigRegistry, _ text: String) -> String? {
        do {
            try r.load(text: text, file: nil)
            return nil
        } catch {
            return error.message
        }
    }

    private func value(_ r: ConfigRegistry, _ name: String) -> String? {
        r.get([name]).first?.value
    }

    // MARK: tokenizer

    func testSplitArgsPlainAndQuoted() {
        XCTAssertEqual(ConfigFile.splitArgs("  set  a\tb  "), ["set", "a", "b"])
        XCTAssertEqual(ConfigFile.splitArgs(""), [])
        XCTAssertEqual(ConfigFile.splitArgs("   "), [])
        XCTAssertEqual(ConfigFile.splitArgs("a \"\" b"), ["a", "", "b"])
        XCTAssertEqual(ConfigFile.splitArgs("foo\"bar baz\""), ["foobar baz"], "a quote mid-word opens quoting")
        XCTAssertEqual(ConfigFile.splitArgs("x\u{0B}y"), ["x\u{0B}y"], "vertical tab separates only before an argument")
    }

    func testSplitArgsDoubleQuoteEscapes() {
        XCTAssertEqual(ConfigFile.splitArgs(#""a\nb\rc\td\be\af""#), ["a\nb\rc\td\u{08}e\u{07}f"])
        XCTAssertEqual(ConfigFile.splitArgs(#""q\"uote\\back""#), ["q\"uote\\back"])
        XCTAssertEqual(ConfigFile.splitArgs(#""\x41\x7a\x2F""#), ["Az/"])
        XCTAssertEqual(ConfigFile.splitArgs(#""\xZZ""#), ["xZZ"], "\\x without two hex digits is just x")
        XCTAssertEqual(ConfigFile.splitArgs(#""\q""#), ["q"])
        XCTAssertEqual(ConfigFile.splitArgs(#""\xc3\xa9""#), ["é"])
    }

    func testSplitArgsSingleQuotes() {
        XCTAssertEqual(ConfigFile.splitArgs(#"'it\'s' 'a\nb'"#), ["it's", #"a\nb"#])
        XCTAssertEqual(ConfigFile.splitArgs("'\"'"), ["\""])
    }

    func testSplitArgsUnbalanced() {
        XCTAssertNil(ConfigFile.splitArgs("\"abc"))
        XCTAssertNil(ConfigFile.splitArgs("'abc"))
        XCTAssertNil(ConfigFile.splitArgs("\"abc\"def"), "closing quote must be followed by a space")
        XCTAssertNil(ConfigFile.splitArgs("'abc'def"))
        XCTAssertNil(ConfigFile.splitArgs(#""abc\"#))
        XCTAssertEqual(ConfigFile.splitArgs("\"abc\" def"), ["abc", "def"])
    }

    func testQuoteRoundTrips() {
        for s in ["", "plain", "with space", "q\"b\\s", "nl\n\r\t\u{07}\u{08}", "\u{01}\u{7F}", "héllo"] {
            XCTAssertEqual(ConfigFile.splitArgs(ConfigFile.quote(s)), [s], s)
        }
        XCTAssertEqual(ConfigFile.quote("a\"b\n\u{01}é"), #""a\"b\n\x01\xc3\xa9""#)
    }

    // MARK: file parsing

    func testParseCommentsBlankLinesAndLineNumbers() throws {
        let text = "# comment\n\n  Port 7000  \r\n\t# indented comment\nSAVE \"3600 1\" 10 2\n  \n"
        let lines = try ConfigFile.parse(text, file: "main.conf")
        XCTAssertEqual(lines, [
            ConfigLine(file: "main.conf", lineNumber: 3, text: "Port 7000", directive: "port", args: ["7000"]),
            ConfigLine(file: "main.conf", lineNumber: 5, text: "SAVE \"3600 1\" 10 2", directive: "save", args: ["3600 1", "10", "2"]),
        ])
    }

    func testParseUnbalancedQuotesReportsLine() {
        XCTAssertThrowsError(try ConfigFile.parse("port 1\nlogfile \"x\n", file: "f")) { error in
            XCTAssertEqual(error as? ConfigFileError,
                           .badLine(file: "f", lineNumber: 2, text: "logfile \"x", reason: "Unbalanced quotes in configuration line"))
        }
    }

    func testIncludeIsExpandedInPlaceAndRecursively() throws {
        let inner = write("inner.conf", "hz 20\n")
        let middle = write("middle.conf", "maxclients 5\ninclude \(inner)\n")
        let lines = try ConfigFile.parse("port 1\nINCLUDE \(middle)\ntimeout 3\n", file: "main")
        XCTAssertEqual(lines.map(\.directive), ["port", "maxclients", "hz", "timeout"])
        XCTAssertEqual(lines[2].file, inner)
        XCTAssertEqual(lines[2].lineNumber, 1)
        XCTAssertEqual(lines[1].file, middle)
    }

    func testIncludeRelativeToWorkingDirectoryAndGlob() throws {
        _ = write("a.conf", "port 1\n")
        _ = write("b.conf", "port 2\n")
        XCTAssertEqual(chdir(tempDir), 0)
        let lines = try ConfigFile.parse("include a.conf\ninclude ./*.conf\ninclude ./none-*.conf\n", file: nil)
        XCTAssertEqual(lines.map(\.args), [["1"], ["1"], ["2"]])
    }

    func testIncludeMissingFileAndSelfInclude() {
        XCTAssertThrowsError(try ConfigFile.parse("include \(tempDir)/missing.conf", file: nil)) { error in
            XCTAssertEqual(error as? ConfigFileError, .unreadable(path: "\(tempDir)/missing.conf", code: ENOENT))
        }
        let loop = tempDir + "/loop.conf"
        _ = write("loop.conf", "include \(loop)\n")
        XCTAssertThrowsError(try ConfigFile.parse("include \(loop)", file: nil)) { error in
            guard case let .badLine(_, _, _, reason) = error as? ConfigFileError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "Too many nested include directives")
        }
    }

    func testLoadMissingConfigFile() {
        let r = registry()
        XCTAssertThrowsError(try r.load(ServerCommandLine(configFile: "/nonexistent/cairn.conf"))) { error in
            XCTAssertEqual((error as? ConfigError)?.message,
                           "Fatal error, can't open config file '/nonexistent/cairn.conf': No such file or directory")
        }
    }

    // MARK: command line

    func testCommandLineConfigFileAndOptions() {
        XCTAssertEqual(ServerCommandLine(arguments: ["cairn-server"]), ServerCommandLine())
        let cl = ServerCommandLine(arguments: ["cairn-server", "/etc/cairn.conf", "--port", "7000", "--bind", "127.0.0.1", "::1", "--requirepass", "a b\""])
        XCTAssertEqual(cl.configFile, "/etc/cairn.conf")
        XCTAssertFalse(cl.readStandardInput)
        XCTAssertEqual(cl.options, "port \"7000\" \nbind \"127.0.0.1\" \"::1\" \nrequirepass \"a b\\\"\" ")

        XCTAssertEqual(chdir(tempDir), 0)
        XCTAssertEqual(ServerCommandLine(arguments: ["x", "rel.conf"]).configFile, tempDir + "/rel.conf")
    }

    func testCommandLineSpecialCases() {
        // A value may itself start with "--" when the name has no value yet.
        XCTAssertEqual(ServerCommandLine(arguments: ["x", "--requirepass", "--weird"]).options, "requirepass \"--weird\" ")
        // "--port 6380" as one argument carries its value.
        XCTAssertEqual(ServerCommandLine(arguments: ["x", "--port 6380", "--hz", "5"]).options, "port 6380 \nhz \"5\" ")
        // --save with nothing after it means save "".
        XCTAssertEqual(ServerCommandLine(arguments: ["x", "--save", "--port", "1"]).options, "save \"\"\nport \"1\" ")
        XCTAssertEqual(ServerCommandLine(arguments: ["x", "--port", "1", "--save"]).options, "port \"1\" \nsave \"\"")
        XCTAssertEqual(ServerCommandLine(arguments: ["x", "--save", "60", "1"]).options, "save \"60\" \"1\" ")
        // "-" first or last reads standard input.
        XCTAssertTrue(ServerCommandLine(arguments: ["x", "-"]).readStandardInput)
        let last = ServerCommandLine(arguments: ["x", "/c.conf", "--port", "1", "-"])
        XCTAssertTrue(last.readStandardInput)
        XCTAssertEqual(last.options, "port \"1\" ")
        XCTAssertFalse(ServerCommandLine(arguments: ["x", "--port", "-", "--hz", "1"]).readStandardInput)
    }

    func testCommandLineOptionsApplyAfterFileWithContinuedLineNumbers() throws {
        let path = write("c.conf", "port 7000\nhz 20\n")
        let r = registry()
        try r.load(ServerCommandLine(arguments: ["x", path, "--port", "7001", "--save", "60", "1"]))
        XCTAssertEqual(r.settings.port, 7001)
        XCTAssertEqual(r.settings.hz, 20)
        XCTAssertEqual(r.settings.savePoints, [SavePoint(seconds: 60, changes: 1)])
        XCTAssertEqual(r.configFile, path)

        // After the file's two lines, its final newline and the "\n" joining the options leave line 3 empty.
        XCTAssertThrowsError(try registry().load(ServerCommandLine(arguments: ["x", path, "--maxclients", "1", "--foo", "bar"]))) { error in
            XCTAssertEqual((error as? ConfigError)?.message, """

                *** FATAL CONFIG FILE ERROR (Cairn 9.9.9) ***
                Reading the configuration file, at line 5
                >>> 'foo "bar"'
                Bad directive or wrong number of arguments

                """)
        }
    }

    // MARK: startup errors

    func testFatalReportsForBadLines() {
        func report(_ line: Int, _ text: String, _ reason: String) -> String {
            "\n*** FATAL CONFIG FILE ERROR (Cairn 9.9.9) ***\nReading the configuration file, at line \(line)\n>>> '\(text)'\n\(reason)\n"
        }
        let r = registry()
        XCTAssertEqual(loadError(r, "port 7000\n# c\n\nfoo bar\n"), report(4, "foo bar", "Bad directive or wrong number of arguments"))
        XCTAssertEqual(loadError(r, "port 7000 7001"), report(1, "port 7000 7001", "wrong number of arguments"))
        XCTAssertEqual(loadError(r, "port"), report(1, "port", "wrong number of arguments"))
        XCTAssertEqual(loadError(r, "protected-mode maybe"), report(1, "protected-mode maybe", "argument must be 'yes' or 'no'"))
        XCTAssertEqual(loadError(r, "port \"7703"), report(1, "port \"7703", "Unbalanced quotes in configuration line"))
        XCTAssertEqual(loadError(r, "save 1 2 3"), report(1, "save 1 2 3", "Invalid save parameters"))
        XCTAssertEqual(loadError(r, "databases 0"), report(1, "databases 0", "argument must be between 1 and 2147483647 inclusive"))
        XCTAssertEqual(loadError(r, "include"), report(1, "include", "Bad directive or wrong number of arguments"))
        XCTAssertEqual(loadError(r, "appendfilename a/b"), report(1, "appendfilename a/b", "appendfilename can't be a path, just a filename"))
        XCTAssertEqual(loadError(r, "appenddirname \"\""), report(1, "appenddirname \"\"", "appenddirname can't be empty"))
        XCTAssertEqual(loadError(r, "replicaof host 70000"), report(1, "replicaof host 70000", "Invalid master port"))
        // Lines before the bad one were applied; the process exits anyway.
        XCTAssertEqual(r.settings.port, 7000)
    }

    func testLoadAcceptsImmutableAliasesAndDroppedDirectives() throws {
        let r = registry()
        try r.load(text: """
            daemonize YES
            databases 4
            hash-max-ziplist-entries 100
            slaveof 10.0.0.1 6380
            list-max-ziplist-entries 5
            unixsocketperm 700
            hz 100000
            """, file: nil)
        XCTAssertTrue(r.settings.daemonize)
        XCTAssertEqual(r.settings.databases, 4)
        XCTAssertEqual(r.settings.hashMaxListpackEntries, 100)
        XCTAssertEqual(r.settings.replicaOf, ReplicaOfTarget(host: "10.0.0.1", port: 6380))
        XCTAssertEqual(r.settings.unixSocketPerm, 0o700)
        XCTAssertEqual(r.settings.hz, 500, "hz is clamped")
        XCTAssertNotNil(loadError(r, "list-max-ziplist-entries 5 6"))
    }

    func testSaveLinesAccumulateInFilesButReplaceOnSet() throws {
        let r = registry()
        try r.load(text: "save 900 1\nsave 300 10\n", file: nil)
        XCTAssertEqual(value(r, "save"), "900 1 300 10")
        try r.load(text: "save \"\"\nsave 5 5\n", file: nil)
        XCTAssertEqual(value(r, "save"), "5 5")
        try r.load(text: "save 1 1\nsave \"\"\n", file: nil)
        XCTAssertEqual(value(r, "save"), "")
        try r.load(text: "save \"3600 1 300 100\"", file: nil)
        XCTAssertEqual(value(r, "save"), "3600 1 300 100")
        try r.set(["save", "10 1"])
        XCTAssertEqual(value(r, "save"), "10 1")
        try r.set(["save", ""])
        XCTAssertEqual(r.settings.savePoints, [])
    }

    // MARK: values

    func testMemoryUnits() {
        let cases: [(String, UInt64?)] = [
            ("0", 0), ("1", 1), ("1b", 1), ("1k", 1000), ("1kb", 1024), ("1K", 1000), ("1KB", 1024), ("1Kb", 1024),
            ("1m", 1_000_000), ("1mb", 1 << 20), ("1g", 1_000_000_000), ("1gb", 1 << 30), ("1GB", 1 << 30),
            ("01k", 1000), ("", 0), ("kb", 0), ("-1", nil), ("1.5gb", nil), (" 1", nil), ("1 k", nil), ("+1k", nil),
            ("1tb", nil), ("18446744073709551615", .max), ("99999999999999999999", .max),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(ConfigRegistry.memoryValue(text), expected, text)
        }
        XCTAssertEqual(ConfigRegistry.formatMemory(0), "0")
        XCTAssertEqual(ConfigRegistry.formatMemory(1 << 30), "1gb")
        XCTAssertEqual(ConfigRegistry.formatMemory(3 << 20), "3mb")
        XCTAssertEqual(ConfigRegistry.formatMemory(2048), "2kb")
        XCTAssertEqual(ConfigRegistry.formatMemory(1000), "1000")
    }

    func testTypedValuesAndFormats() throws {
        let r = registry()
        try r.set(["maxmemory", "1GB", "hash-max-listpack-value", "1k"])
        XCTAssertEqual(r.settings.maxmemory, 1 << 30)
        XCTAssertEqual(value(r, "maxmemory"), "1073741824")
        XCTAssertEqual(value(r, "hash-max-listpack-value"), "1000")
        try r.load(text: "unixsocketperm 755", file: nil)
        XCTAssertEqual(value(r, "unixsocketperm"), "755")
        XCTAssertEqual(value(r, "protected-mode"), "yes")
        XCTAssertEqual(value(r, "loglevel"), "notice")
        try r.set(["loglevel", "WARNING", "protected-mode", "No"])
        XCTAssertEqual(r.settings.logLevel, .warning)
        XCTAssertFalse(r.settings.protectedMode)
        XCTAssertEqual(value(r, "save"), "3600 1 300 100 60 10000")
        XCTAssertEqual(value(r, "client-output-buffer-limit"),
                       "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")
        XCTAssertEqual(value(r, "bind"), "127.0.0.1 -::1")
        XCTAssertEqual(value(r, "slaveof"), "")
        XCTAssertEqual(value(r, "dir"), ConfigFile.currentDirectory())
        XCTAssertEqual(value(r, "list-max-listpack-size"), "-2")
        XCTAssertEqual(value(r, "proto-max-bulk-len"), "536870912")
        XCTAssertEqual(value(r, "client-query-buffer-limit"), "1073741824")
    }

    func testSpecialDirectives() throws {
        let r = registry()
        try r.set(["client-output-buffer-limit", "NORMAL 1 2 3 replica 1kb 2KB 4"])
        XCTAssertEqual(value(r, "client-output-buffer-limit"), "normal 1 2 3 slave 1024 2048 4 pubsub 33554432 8388608 60")
        try r.set(["client-output-buffer-limit", "normal 1 0 +5"])
        XCTAssertEqual(r.settings.clientOutputLimits.normal, ClientOutputLimit(hard: 1, soft: 0, softSeconds: 5))
        try r.set(["notify-keyspace-events", "KEA"])
        XCTAssertEqual(value(r, "notify-keyspace-events"), "AKE")
        try r.set(["notify-keyspace-events", "Ex$gm"])
        XCTAssertEqual(value(r, "notify-keyspace-events"), "g$xEm")
        try r.set(["bind", "0.0.0.0 ::"])
        XCTAssertEqual(r.settings.bind, ["0.0.0.0", "::"])
        try r.set(["bind", ""])
        XCTAssertEqual(r.settings.bind, [])
        try r.set(["requirepass", "secret"])
        XCTAssertTrue(r.isSensitive("REQUIREPASS"))
        XCTAssertFalse(r.isSensitive("port"))
    }

    func testDirChangesWorkingDirectory() throws {
        let r = registry()
        try r.load(text: "dir \(tempDir)\nenable-protected-configs yes", file: nil)
        XCTAssertEqual(ConfigFile.currentDirectory(), tempDir)
        XCTAssertEqual(setError(r, ["dir", tempDir + "/nope"]),
                       "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory")
        XCTAssertEqual(ConfigFile.currentDirectory(), tempDir)
        try r.set(["dir", "/"])
        XCTAssertEqual(value(r, "dir"), "/")
    }

    // MARK: CONFIG SET errors

    func testSetErrorTexts() {
        let r = registry()
        let failed = "ERR CONFIG SET failed (possibly related to argument"
        let expectations: [([String], String)] = [
            (["foo", "bar"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
            (["maxclients", "abc"], "\(failed) 'maxclients') - argument couldn't be parsed into an integer"),
            (["maxclients", "0"], "\(failed) 'maxclients') - argument must be between 1 and 4294967295 inclusive"),
            (["hz", "007"], "\(failed) 'hz') - argument couldn't be parsed into an integer"),
            (["hz", "-0"], "\(failed) 'hz') - argument couldn't be parsed into an integer"),
            (["HZ", " 7"], "\(failed) 'hz') - argument couldn't be parsed into an integer"),
            (["hash-max-ziplist-entries", "x"], "\(failed) 'hash-max-ziplist-entries') - argument couldn't be parsed into an integer"),
            (["protected-mode", "maybe"], "\(failed) 'protected-mode') - argument must be 'yes' or 'no'"),
            (["loglevel", "loud"], "\(failed) 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, nothing"),
            (["maxmemory-policy", "x"], "\(failed) 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"),
            (["appendfsync", "x"], "\(failed) 'appendfsync') - argument(s) must be one of the following: everysec, always, no"),
            (["maxmemory", "1x"], "\(failed) 'maxmemory') - argument must be a memory value"),
            (["maxmemory", "-1"], "\(failed) 'maxmemory') - argument must be a memory value"),
            (["proto-max-bulk-len", "1000"], "\(failed) 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"),
            (["port", "99999"], "\(failed) 'port') - argument must be between 0 and 65535 inclusive"),
            (["slowlog-log-slower-than", "-2"], "\(failed) 'slowlog-log-slower-than') - argument must be between -1 and 9223372036854775807 inclusive"),
            (["hz", "1", "hz", "2"], "\(failed) 'hz') - duplicate parameter"),
            (["hz", "10", "HZ", "11"], "\(failed) 'HZ') - duplicate parameter"),
            (["databases", "3"], "\(failed) 'databases') - can't set immutable config"),
            (["Databases", "1", "foo", "2"], "\(failed) 'Databases') - can't set immutable config"),
            (["foo", "1", "databases", "2"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
            (["hz", "x", "foo", "1"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
            (["unixsocketperm", "700"], "\(failed) 'unixsocketperm') - can't set immutable config"),
            (["enable-debug-command", "yes"], "\(failed) 'enable-debug-command') - can't set immutable config"),
            (["dir", "/tmp"], "\(failed) 'dir') - can't set protected config"),
            (["dbfilename", "x.rdb"], "\(failed) 'dbfilename') - can't set protected config"),
            (["hz", "1", "foo"], "ERR syntax error"),
            (["save", "1 2 3"], "\(failed) 'save') - Invalid save parameters"),
            (["save", "0 1"], "\(failed) 'save') - Invalid save parameters"),
            (["save", "100 1  200 2"], "\(failed) 'save') - Invalid save parameters"),
            (["client-output-buffer-limit", "foo 1 2 3"], "\(failed) 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."),
            (["client-output-buffer-limit", "master 1 2 3"], "\(failed) 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."),
            (["client-output-buffer-limit", "normal 1 2"], "\(failed) 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."),
            (["client-output-buffer-limit", "normal 1x 2 3"], "\(failed) 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."),
            (["client-output-buffer-limit", "normal -1 0 0"], "\(failed) 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."),
            (["notify-keyspace-events", "Q"], "\(failed) 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
            (["bind", Array(repeating: "::1", count: 17).joined(separator: " ")], "\(failed) 'bind') - Too many bind addresses specified."),
        ]
        for (args, expected) in expectations {
            XCTAssertEqual(setError(r, args), expected, args.joined(separator: " "))
        }
        let defaults = ServerSettings()
        XCTAssertEqual(r.settings.hz, defaults.hz)
        XCTAssertEqual(r.settings.savePoints, defaults.savePoints)
        XCTAssertEqual(r.settings.clientOutputLimits, defaults.clientOutputLimits)
    }

    func testProtectedConfigsFollowEnableProtectedConfigs() throws {
        let r = registry()
        try r.load(text: "enable-protected-configs local", file: nil)
        XCTAssertNotNil(setError(r, ["dbfilename", "a.rdb"], clientIsLocal: false))
        XCTAssertNil(setError(r, ["dbfilename", "a.rdb"], clientIsLocal: true))
        XCTAssertEqual(setError(r, ["dbfilename", "x/a.rdb"], clientIsLocal: true),
                       "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename")
        XCTAssertEqual(r.settings.dbFilename, "a.rdb")
    }

    func testAliasAndNameInOneSetAreNotDuplicates() throws {
        let r = registry()
        try r.set(["hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2"])
        XCTAssertEqual(value(r, "hash-max-ziplist-entries"), "2")
    }

    // MARK: atomicity

    func testMultiSetIsAtomicOnBadValue() {
        let r = registry()
        XCTAssertEqual(setError(r, ["hz", "20", "maxmemory", "5mb", "maxclients", "nope"]),
                       "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer")
        XCTAssertEqual(r.settings.hz, 10)
        XCTAssertEqual(r.settings.maxmemory, 0)
    }

    func testApplyHooksRunOnChangeAndFailureRestoresEverything() throws {
        let r = registry()
        var logged: [String] = []
        r.logWarning = { logged.append($0) }
        var portHooks: [Int] = []
        var timeoutHooks: [Int] = []
        r.onApply("port") { (port: Int) -> String? in
            portHooks.append(port)
            return port == 1 ? "Unable to listen on this port: Permission denied" : nil
        }
        r.onApply("timeout") { (t: Int) -> String? in
            timeoutHooks.append(t)
            return nil
        }

        try r.set(["port", "7000", "timeout", "0"])
        XCTAssertEqual(portHooks, [7000])
        XCTAssertEqual(timeoutHooks, [], "an unchanged value does not run its hook")

        XCTAssertEqual(setError(r, ["timeout", "30", "port", "1", "maxmemory", "1mb"]),
                       "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port: Permission denied")
        XCTAssertEqual(r.settings.port, 7000)
        XCTAssertEqual(r.settings.timeout, 0)
        XCTAssertEqual(r.settings.maxmemory, 0)
        // New values applied, then the restored ones re-applied.
        XCTAssertEqual(timeoutHooks, [30, 0])
        XCTAssertEqual(portHooks, [7000, 1, 7000])
        XCTAssertEqual(logged.first, "Failed applying new configuration. Possibly related to new port setting. Restoring previous settings.")
    }

    // MARK: CONFIG GET

    func testGetGlobOverNamesAndAliases() {
        let r = registry()
        XCTAssertEqual(r.get(["*ziplist*"]).map(\.name).sorted(), [
            "hash-max-ziplist-entries", "hash-max-ziplist-value", "list-max-ziplist-size",
            "zset-max-ziplist-entries", "zset-max-ziplist-value",
        ])
        XCTAssertEqual(r.get(["maxmemory*"]).map(\.name), ["maxmemory", "maxmemory-policy", "maxmemory-samples",
                                                       "maxmemory-eviction-tenacity", "maxmemory-clients"])
        XCTAssertEqual(r.get(["[h]z"]).map(\.name), ["hz"])
        XCTAssertEqual(r.get(["H?"]).map(\.name), ["hz"], "patterns ignore case")
        XCTAssertEqual(r.get(["*slave*"]).map(\.name), [
            "slaveof", "slave-read-only", "slave-serve-stale-data", "slave-announce-ip", "slave-announce-port",
            "repl-ping-slave-period", "min-slaves-to-write", "min-slaves-max-lag", "slave-priority", "slave-lazy-flush",
        ])
        XCTAssertEqual(r.get(["nothing-matches*"]).count, 0)
        XCTAssertEqual(r.get(["nonexistent"]).count, 0)
        XCTAssertEqual(r.get(["*"]).count, r.directives.reduce(0) { $0 + 1 + $1.aliases.count })
    }

    func testGetExactNamesKeepClientSpellingAndDeduplicate() {
        let r = registry()
        let got = r.get(["HZ", "hz", "*z", "port"])
        XCTAssertEqual(got.map(\.name), ["HZ", "dynamic-hz", "port"])
        XCTAssertEqual(got.map(\.value), ["10", "yes", "6379"])
    }

    // MARK: CONFIG REWRITE

    func testRewriteWithoutConfigFile() {
        XCTAssertThrowsError(try registry().rewrite()) { error in
            XCTAssertEqual((error as? ConfigError)?.message, "ERR The server is running without a config file")
        }
    }

    func testRewriteKeepsCommentsAndReusesLines() throws {
        let original = """
            # top comment
            port 7705
               # indented comment
            hz 20
            save 100 1
            save 200 2

            daemonize no
            hash-max-ziplist-entries 100
            include /dev/null


            maxmemory 1mb
            logfile ""
            unixsocketperm 700
            client-output-buffer-limit pubsub 32mb 8mb 60
            requirepass old

            """
        let path = write("r.conf", original)
        let r = registry()
        try r.load(ServerCommandLine(arguments: ["x", path, "--daemonize", "yes"]))
        // Edited by hand since: the rewrite comments out what it does not know.
        _ = write("r.conf", original + "mystery-directive 1\n")
        try r.set(["hz", "10", "maxmemory", "2000000", "save", "300 5", "client-output-buffer-limit", "normal 1mb 2mb 3",
                   "notify-keyspace-events", "KEA", "requirepass", "", "loglevel", "warning", "tcp-keepalive", "100"])
        try r.rewrite()
        XCTAssertEqual(contents(path), """
            # top comment
            port 7705
            # indented comment
            hz 10
            save 300 5

            daemonize yes
            hash-max-listpack-entries 100
            include /dev/null

            maxmemory 2000000
            logfile ""
            unixsocketperm 700
            client-output-buffer-limit normal 1mb 2mb 3

            # ??? mystery-directive 1

            # Generated by CONFIG REWRITE
            tcp-keepalive 100
            loglevel warning
            dir "\(ConfigFile.currentDirectory()!)"
            latency-tracking-info-percentiles 50 99 99.9
            notify-keyspace-events "AKE"

            """)

        // A second rewrite reuses the generated section instead of adding another.
        try r.set(["tcp-keepalive", "300", "appendfsync", "always"])
        try r.rewrite()
        let second = contents(path)
        XCTAssertEqual(second.components(separatedBy: "# Generated by CONFIG REWRITE").count, 2)
        XCTAssertTrue(second.contains("tcp-keepalive 300\n"), "a directive back at its default keeps its line")
        XCTAssertTrue(second.hasSuffix("appendfsync always\n"))

        // And the result loads back to the same values.
        let again = registry()
        try again.load(ServerCommandLine(configFile: path))
        for name in ["port", "hz", "save", "maxmemory", "client-output-buffer-limit", "notify-keyspace-events", "loglevel",
                     "daemonize", "hash-max-listpack-entries", "appendfsync", "requirepass"] {
            XCTAssertEqual(value(again, name), value(r, name), name)
        }
    }

    func testRewriteCreatesMissingFileAndWritesSaveAndBind() throws {
        let r = registry()
        r.configFile = tempDir + "/new.conf"
        try r.set(["save", "", "bind", "0.0.0.0", "maxmemory", "3gb", "requirepass", "p\"w"])
        try r.rewrite()
        // As Redis does, the rewrite always states the INFO percentiles, default or not.
        XCTAssertEqual(contents(r.configFile!), """
            # Generated by CONFIG REWRITE
            bind 0.0.0.0
            requirepass "p\\"w"
            dir "\(ConfigFile.currentDirectory()!)"
            save ""
            maxmemory 3gb
            latency-tracking-info-percentiles 50 99 99.9

            """)
        var st = stat()
        XCTAssertEqual(stat(r.configFile!, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o644 & ~currentUmask())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tempDir), ["new.conf"], "no temporary file left")
    }

    func testRewriteFailureReportsSystemError() {
        let r = registry()
        r.configFile = tempDir + "/no-such-dir/x.conf"
        XCTAssertThrowsError(try r.rewrite()) { error in
            XCTAssertEqual((error as? ConfigError)?.message, "ERR Rewriting config file: No such file or directory")
        }
    }

    private func currentUmask() -> mode_t {
        let m = umask(0)
        umask(m)
        return m
    }

    // MARK: glob matching

    private func match(_ pattern: String, _ string: String, nocase: Bool = false) -> Bool {
        globMatch(pattern: Array(pattern.utf8), string: Array(string.utf8), nocase: nocase)
    }

    func testGlobBasics() {
        XCTAssertTrue(match("*", "anything"))
        XCTAssertTrue(match("h?llo", "hello"))
        XCTAssertFalse(match("h?llo", "hllo"))
        XCTAssertTrue(match("h*llo", "hllo"))
        XCTAssertTrue(match("h*llo", "heeeello"))
        XCTAssertTrue(match("h[ae]llo", "hallo"))
        XCTAssertFalse(match("h[ae]llo", "hillo"))
        XCTAssertTrue(match("h[^e]llo", "hallo"))
        XCTAssertFalse(match("h[^e]llo", "hello"))
        XCTAssertTrue(match("h[a-b]llo", "hbllo"))
        XCTAssertFalse(match("h[a-b]llo", "hcllo"))
        XCTAssertTrue(match("a*b*c", "aXbYc"))
        XCTAssertFalse(match("a*b*c", "aXbY"))
        XCTAssertTrue(match("**a**", "xxa"))
        XCTAssertTrue(match("abc", "abc"))
        XCTAssertFalse(match("abc", "abcd"))
        XCTAssertFalse(match("abcd", "abc"))
        XCTAssertTrue(match("ab*", "ab"))
    }

    func testGlobEmptyString() {
        XCTAssertTrue(match("", ""))
        XCTAssertFalse(match("*", ""), "Redis's matcher never matches an empty string against a pattern")
        XCTAssertFalse(match("", "a"))
    }

    func testGlobEscapes() {
        XCTAssertTrue(match(#"h\*llo"#, "h*llo"))
        XCTAssertFalse(match(#"h\*llo"#, "hello"))
        XCTAssertTrue(match(#"\?"#, "?"))
        XCTAssertFalse(match(#"\?"#, "a"))
        XCTAssertTrue(match(#"a\"#, #"a\"#), "a trailing backslash is literal")
        XCTAssertTrue(match(#"[\]]"#, "]"))
        XCTAssertTrue(match(#"[\-]"#, "-"))
        XCTAssertFalse(match(#"[\A]"#, "a", nocase: true), "escaped set members compare exactly")
        XCTAssertTrue(match(#"\A"#, "a", nocase: true))
    }

    func testGlobSetQuirks() {
        XCTAssertTrue(match("[z-a]", "m"), "reversed ranges are swapped")
        XCTAssertTrue(match("[abc", "c"), "an unterminated set ends with the pattern")
        XCTAssertFalse(match("[abc", "d"))
        XCTAssertFalse(match("[", "["))
        XCTAssertTrue(match("[^", "x"))
        XCTAssertTrue(match("[a-]", "]"), "'a-]' is the range a..] when nothing follows")
        XCTAssertFalse(match("[]a]", "x"))
        XCTAssertFalse(match("[]", "x"))
        XCTAssertFalse(match("x[]", "x"))
    }

    func testGlobNocase() {
        XCTAssertTrue(match("HELLO", "hello", nocase: true))
        XCTAssertFalse(match("HELLO", "hello"))
        XCTAssertTrue(match("[A-C]x", "bX", nocase: true))
        XCTAssertTrue(match("[^A]", "b", nocase: true))
        XCTAssertFalse(match("[^A]", "a", nocase: true))
        XCTAssertFalse(match("é", "É", nocase: true), "only ASCII folds")
    }

    func testGlobBinarySafe() {
        XCTAssertTrue(globMatch(pattern: [0, 42, 0xFF], string: [0, 1, 2, 0xFF]))
        XCTAssertFalse(globMatch(pattern: [0, 63], string: [1, 1]))
    }

    func testGlobPathologicalPatternsFinishFast() {
        let start = DispatchTime.now().uptimeNanoseconds
        let pattern = String(repeating: "*a", count: 200) + "b"
        let subject = String(repeating: "a", count: 20000)
        XCTAssertFalse(match(pattern, subject))
        let stars = String(repeating: "a*", count: 30000) + "b"
        XCTAssertFalse(match(stars, String(repeating: "a", count: 30000)), "deep star nesting needs no stack")
        XCTAssertTrue(match(String(repeating: "*", count: 100000) + "x", String(repeating: "y", count: 1000) + "x"))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        XCTAssertLessThan(seconds, 5)
    }

    func testGlobAgreesWithBacktrackingReference() {
        // A direct transcription of the recursive rules, for small random cases.
        func reference(_ p: [UInt8], _ s: [UInt8]) -> Bool {
            if s.isEmpty { return p.isEmpty }
            func rec(_ pi: Int, _ si: Int) -> Bool {
                if pi == p.count { return si == s.count }
                if p[pi] == UInt8(ascii: "*") {
                    if si == s.count { return rec(pi + 1, si) }
                    return rec(pi + 1, si) || rec(pi, si + 1)
                }
                if si == s.count { return false }
                if p[pi] == UInt8(ascii: "?") || p[pi] == s[si] { return rec(pi + 1, si + 1) }
                return false
            }
            return rec(0, 0)
        }
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("ab*?".utf8)
        for _ in 0..<3000 {
            let p = (0..<Int.random(in: 0...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let s = (0..<Int.random(in: 0...7, using: &rng)).map { _ in Array("ab".utf8).randomElement(using: &rng)! }
            XCTAssertEqual(globMatch(pattern: p, string: s), reference(p, s),
                           "\(String(decoding: p, as: UTF8.self)) vs \(String(decoding: s, as: UTF8.self))")
        }
    }
}
