#if canImport(Glibc)
import Glibc
#endif
import CairnEngine

/// cairn-dump's command line: the subcommands, their options and help, errors to standard error with the
/// exit status of `ToolError.Status`.
public enum CairnDump {
    static let overview = """
    Usage: cairn-dump SUBCOMMAND [options]   (cairn-dump SUBCOMMAND --help for each)

    Reads RDB files of any version and dialect (Redis 2.x-8, Valkey 7-9), AOF files, AOF directories or
    manifests, and cairn-dump's JSONL; the format is detected from the file.

      info FILE [--json] [--top N]         version, aux fields, keys by db/type/encoding, TTLs, sizes, biggest keys
      export FILE --format jsonl|json|resp|csv [--db N] [--key REGEX] [--type T] [--not-expired] [-o OUT]
      convert INPUT --to rdb|aof|jsonl -o OUTPUT [--rdb-version 11|10|9] [--allow-lossy]
      memory FILE [--by-prefix SEP] [-o CSV]
      diff A B                             keys only in A (-), only in B (+), changed (~ type,value,ttl)
      repair FILE -o OUT                   salvage every readable record of a damaged RDB or AOF file
      restore FILE --to HOST:PORT [--db N] [--replace] [--auth PASS]

    Exit status: 0 done; 1 differences found (diff) or data lost (repair); 2 usage; 3 bad input;
    4 I/O or server error.
    """

    static let help: [String: String] = [
        "info": """
        Usage: cairn-dump info FILE [--json] [--top N]
        Prints the file's format, RDB version and dialect, aux fields, keys per database by type and encoding,
        keys with a TTL and keys already expired, serialized sizes (RDB), decoded bytes, the compression ratio
        (decoded bytes / file bytes) and the N biggest keys (default 10).
        """,
        "export": """
        Usage: cairn-dump export FILE --format jsonl|json|resp|csv [--db N] [--key REGEX] [--type T]
                                 [--not-expired] [-o OUT]
        One record per key, to OUT or standard output.
          jsonl  one JSON object per line: db, key, type, expire_at_ms, value (+ stream for streams)
          json   the same records as one JSON array
          resp   the commands that rebuild the data (SET, RPUSH, HMSET, ZADD, XADD..., PEXPIREAT), for
                 redis-cli --pipe
          csv    db,key,type,encoding,elements,value_bytes,offset,serialized_bytes,expire_at_ms,ttl_ms
        Bytes that are not UTF-8 are written in JSON as \\udcXX (see the README).
        --key is a POSIX extended regular expression searched in the key; --type string|list|set|zset|hash|stream.
        """,
        "convert": """
        Usage: cairn-dump convert INPUT --to rdb|aof|jsonl -o OUTPUT [--rdb-version 11|10|9] [--allow-lossy]
        Rewrites INPUT (any readable format, an AOF directory included) as one RDB file, one AOF file of
        commands, or JSONL. --rdb-version writes an older RDB (10: Redis 7.0, 9: Redis 5/6); a value the
        target version cannot represent stops the conversion with its name (--allow-lossy turns the loss of
        consumer active times into a warning).
        """,
        "memory": """
        Usage: cairn-dump memory FILE [--by-prefix SEP] [-o CSV]
        Estimates what each key costs in a Redis 7.2 server (default encodings, jemalloc size classes) and
        prints totals by type and, with --by-prefix, by the part of the key before the first SEP. -o writes
        one CSV row per key: db,key,type,encoding,elements,estimated_bytes.
        """,
        "diff": """
        Usage: cairn-dump diff A B
        Streams both inputs (any formats) and prints one line per difference: `- DB KEY` only in A,
        `+ DB KEY` only in B, `~ DB KEY what` changed (type, value, ttl); keys are JSON strings. Memory: a
        digest per key of A. Exit status 0 when identical, 1 when they differ.
        """,
        "repair": """
        Usage: cairn-dump repair FILE -o OUT
        Writes every readable record of a damaged RDB or AOF file to OUT. RDB: a damaged record is skipped
        and reading resumes at the next offset where two records parse; AOF: damaged bytes are skipped up to
        the next whole command (a transaction cut by damage is dropped whole). Reports the byte ranges lost
        and the keys being read there. Exit status 0 when nothing was lost, 1 when something was.
        """,
        "restore": """
        Usage: cairn-dump restore FILE --to HOST:PORT [--db N] [--replace] [--auth PASS]
        Loads every key (of database N only, with --db) into a running Redis, Valkey or Cairn server with
        pipelined RESTORE ... ABSTTL, payloads in the RDB version the server reads (from INFO server), or
        with plain commands for servers older than Redis 7.0. --replace overwrites existing keys (else they
        are reported as BUSYKEY errors). Prints the number of keys sent and the errors.
        """,
    ]

    struct Options {
        var positional: [String] = []
        var values: [String: String] = [:]
        var flags: Set<String> = []
    }

    static func parse(_ args: ArraySlice<String>, values: Set<String>, flags: Set<String>, positional: Int, command: String) throws(ToolError) -> Options {
        var o = Options()
        var rest = args
        while let a = rest.popFirst() {
            if a == "--help" || a == "-h" { throw ToolError(.usage, help[command]!) }
            if values.contains(a) {
                guard let v = rest.popFirst() else { throw ToolError(.usage, "\(a) needs a value; see cairn-dump \(command) --help") }
                o.values[a] = v
            } else if flags.contains(a) {
                o.flags.insert(a)
            } else if a.hasPrefix("-") && a != "-" {
                throw ToolError(.usage, "unknown option \(a) for \(command); see cairn-dump \(command) --help")
            } else {
                o.positional.append(a)
            }
        }
        guard o.positional.count == positional else {
            throw ToolError(.usage, "\(command) takes \(positional) file argument\(positional == 1 ? "" : "s"); see cairn-dump \(command) --help")
        }
        return o
    }

    static func int(_ o: Options, _ name: String, range: ClosedRange<Int>) throws(ToolError) -> Int? {
        guard let t = o.values[name] else { return nil }
        guard let v = Int(t), range.contains(v) else { throw ToolError(.usage, "\(name) wants a number in \(range.lowerBound)...\(range.upperBound), got '\(t)'") }
        return v
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func source(_ path: String, label: String) throws(ToolError) -> DumpSource {
        let s = try DumpSource(path: path)
        s.filter.now = now()
        s.progressLabel = label
        return s
    }

    static func require(_ o: Options, _ name: String, _ command: String) throws(ToolError) -> String {
        guard let v = o.values[name] else { throw ToolError(.usage, "\(command) needs \(name); see cairn-dump \(command) --help") }
        return v
    }

    /// Runs a command line (without the program name); returns the exit status.
    public static func main(_ argv: [String]) -> Int32 {
        do {
            return try run(argv)
        } catch let e as ToolError {
            if e.status == .usage && help.values.contains(e.message) {
                print(e.message)
                return 0
            }
            fputs("cairn-dump: \(e.message)\n", stderr)
            return e.status.rawValue
        } catch {
            fputs("cairn-dump: \(error)\n", stderr)
            return ToolError.Status.io.rawValue
        }
    }

    static func run(_ argv: [String]) throws -> Int32 {
        guard let command = argv.first else {
            fputs(overview + "\n", stderr)
            return ToolError.Status.usage.rawValue
        }
        let args = argv.dropFirst()
        switch command {
        case "--help", "-h", "help":
            print(overview)
            return 0
        case "info":
            let o = try parse(args, values: ["--top"], flags: ["--json"], positional: 1, command: command)
            let s = try source(o.positional[0], label: "info")
            var info = InfoCommand(now: s.filter.now, top: try int(o, "--top", range: 0...10_000) ?? 10)
            try s.scan(&info)
            let out = try OutputFile(path: nil)
            out.append(info.report(s, json: o.flags.contains("--json")))
            try out.finish()
        case "export":
            let o = try parse(args, values: ["--format", "--db", "--key", "--type", "-o"], flags: ["--not-expired"], positional: 1, command: command)
            guard let format = ExportFormat(rawValue: try require(o, "--format", command)) else {
                throw ToolError(.usage, "--format wants jsonl, json, resp or csv")
            }
            let s = try source(o.positional[0], label: "export")
            s.filter.db = try int(o, "--db", range: 0...15)
            if let k = o.values["--key"] { s.filter.pattern = try KeyPattern(k) }
            if let t = o.values["--type"] {
                guard ["string", "list", "set", "zset", "hash", "stream"].contains(t) else {
                    throw ToolError(.usage, "--type wants string, list, set, zset, hash or stream")
                }
                s.filter.type = t
            }
            s.filter.notExpired = o.flags.contains("--not-expired")
            let out = try OutputFile(path: o.values["-o"])
            do {
                let (n, what) = try ExportCommand.run(s, format: format, out: out)
                try out.finish()
                if out.fileDescriptor != 1 { fputs("exported \(n) \(what) to \(out.name)\n", stderr) }
            } catch {
                out.abandon()
                throw error
            }
        case "convert":
            let o = try parse(args, values: ["--to", "-o", "--rdb-version"], flags: ["--allow-lossy"], positional: 1, command: command)
            guard let target = ConvertTarget(rawValue: try require(o, "--to", command)) else {
                throw ToolError(.usage, "--to wants rdb, aof or jsonl")
            }
            let version = try int(o, "--rdb-version", range: 9...11) ?? 11
            let s = try source(o.positional[0], label: "convert")
            let out = try OutputFile(path: try require(o, "-o", command))
            do {
                let (n, what) = try ConvertCommand.run(s, to: target, out: out, rdbVersion: version, allowLossy: o.flags.contains("--allow-lossy"))
                try out.finish()
                fputs("converted \(n) \(what) to \(out.name)\n", stderr)
            } catch {
                out.abandon()
                throw error
            }
        case "memory":
            let o = try parse(args, values: ["--by-prefix", "-o"], flags: [], positional: 1, command: command)
            let s = try source(o.positional[0], label: "memory")
            let rows = try o.values["-o"].map { p throws(ToolError) in try OutputFile(path: p) }
            var m = MemoryCommand(separator: o.values["--by-prefix"], rows: rows)
            do {
                try s.scan(&m)
                try rows?.finish()
            } catch {
                rows?.abandon()
                throw error
            }
            print(m.summary(), terminator: "")
        case "diff":
            let o = try parse(args, values: [], flags: [], positional: 2, command: command)
            let a = try source(o.positional[0], label: "diff A")
            let b = try source(o.positional[1], label: "diff B")
            var d = DiffCommand()
            let out = try OutputFile(path: nil)
            try d.run(a, b, out: out)
            try out.finish()
            fputs("\(d.onlyA) only in A, \(d.onlyB) only in B, \(d.changed) changed, \(d.same) identical\n", stderr)
            return d.onlyA + d.onlyB + d.changed > 0 ? ToolError.Status.differences.rawValue : 0
        case "repair":
            let o = try parse(args, values: ["-o"], flags: [], positional: 1, command: command)
            let s = try source(o.positional[0], label: "repair")
            let out = try OutputFile(path: try require(o, "-o", command))
            var r = RepairCommand()
            do {
                try r.run(s, out: out)
                try out.finish()
            } catch {
                out.abandon()
                throw error
            }
            print(r.report(s.path), terminator: "")
            return r.lost.isEmpty && r.checksumMismatch == nil ? 0 : ToolError.Status.differences.rawValue
        case "restore":
            let o = try parse(args, values: ["--to", "--db", "--auth"], flags: ["--replace"], positional: 1, command: command)
            let s = try source(o.positional[0], label: "restore")
            s.filter.db = try int(o, "--db", range: 0...15)
            var r = RestoreCommand()
            do {
                try r.run(s, to: try require(o, "--to", command), replace: o.flags.contains("--replace"), auth: o.values["--auth"])
            } catch {
                fputs("cairn-dump: \(r.restored) keys were sent before the failure\n", stderr)
                throw error
            }
            print("restored \(r.restored) keys with \(r.method); \(r.errors) errors")
            for e in r.firstErrors { print("  error: \(e)") }
            return r.errors > 0 ? ToolError.Status.io.rawValue : 0
        default:
            throw ToolError(.usage, "unknown subcommand '\(command)'\n" + overview)
        }
        return 0
    }
}
