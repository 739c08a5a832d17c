#if canImport(Glibc)
import Glibc
#endif
import CairnPersistence

// cairn-check-rdb: redis-check-rdb's contract (one file argument, its report lines, exit 0 when the file is valid
// and 1 when not) over the loader's own RDB reader.

let help = """
Usage: cairn-check-rdb <rdb-file-name>

Reads the whole RDB file (Redis versions 1-13, Valkey 8 and later) with the reader cairn-server loads it with:
every record's structure, every value's encoding and the CRC-64. Prints the version, the aux fields, the
databases selected and the number of keys and expires (in total and per database); on an error, the offset,
the key being read and the reason. A progress line goes to stderr when stderr is a terminal.

Exit status: 0 the file is valid, 1 it is not (or cannot be opened), 2 bad usage.
"""

let args = Array(CommandLine.arguments.dropFirst())
if args.contains("--help") || args.contains("-h") {
    print(help)
    exit(0)
}
guard args.count == 1, !args[0].hasPrefix("--") else {
    print("Usage: cairn-check-rdb <rdb-file-name>")
    exit(2)
}
let path = args[0]
setvbuf(stdout, nil, _IOLBF, 0)

let fd = open(path, O_RDONLY | O_CLOEXEC)
guard fd >= 0 else {
    print("Cannot open file \(path): \(String(cString: strerror(errno))). Check the path and its permissions.")
    exit(1)
}
let input = RDBInput(fileDescriptor: fd, chunkSize: 1 << 20)
let total = input.size
var showProgress: ((Int) -> Void)? = nil
if isatty(2) != 0 {
    showProgress = { offset in
        let mb = offset >> 20
        if let total, total > 0 {
            fputs("\r\(mb) MB of \(total >> 20) MB checked (\(offset * 100 / total)%)", stderr)
        } else {
            fputs("\r\(mb) MB checked", stderr)
        }
    }
}
let check = RDBCheck(input: input, now: RDBCheck.wallClockMillis(), emit: { print($0) }, progress: showProgress)
let report = check.run(name: path)
if showProgress != nil { fputs("\r\u{1B}[K", stderr) }
close(fd)
exit(report.error == nil ? 0 : 1)
