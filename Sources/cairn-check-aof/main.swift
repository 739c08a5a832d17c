#if canImport(Glibc)
import Glibc
#endif
import CairnEngine
import CairnPersistence

// cairn-check-aof: redis-check-aof's contract (arguments, messages, exit status) for single AOF files and
// multi-part directories given by their manifest.

func usage() -> Never {
    print("Usage: cairn-check-aof [--fix|--truncate-to-timestamp $timestamp] [--yes] <file.manifest|file.aof>")
    exit(1)
}

var fix = false
var assumeYes = false
var truncateTo: Int64? = nil
var path: String? = nil
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--fix": fix = true
    case "--yes": assumeYes = true
    case "--truncate-to-timestamp":
        guard let v = args.popFirst(), let ts = Int64(v) else { usage() }
        truncateTo = ts
    default:
        if a.hasPrefix("--") || path != nil { usage() }
        path = a
    }
}
guard let path, !(fix && truncateTo != nil) else { usage() }
setvbuf(stdout, nil, _IOLBF, 0)

func fail(_ message: String) -> Never {
    print(message)
    exit(1)
}

enum FileKind { case manifest, rdbPreamble, resp }

func kind(of p: String) -> FileKind {
    let fd = open(p, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { fail("Cannot open file \(p): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var head = [UInt8](repeating: 0, count: 5)
    let n = read(fd, &head, 5)
    if n == 5 && head == Array("REDIS".utf8) { return .rdbPreamble }
    if n >= 4 && head[0..<4] == Array("file".utf8)[0..<4] { return .manifest }
    return .resp
}

/// redis-check-aof counts lines across every file of a set.
var linesSoFar = 1

/// Checks one file; returns the C tool's outcome for the caller's wording.
func checkFile(_ name: String, _ p: String, isLast: Bool) -> AOFChecker.Outcome {
    let fd = open(p, O_RDWR | O_CLOEXEC)
    guard fd >= 0 else { fail("Cannot open file \(p): \(String(cString: strerror(errno))), aborting...") }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { fail("Cannot stat file: \(name), aborting...") }
    var start = 0
    if kind(of: p) == .rdbPreamble {
        // The whole RDB part is read and checked (structure, values and CRC-64) as cairn-check-rdb does, printing
        // what redis-check-aof prints for it.
        let input = RDBInput(fileDescriptor: fd)
        let report = RDBCheck(input: input, now: RDBCheck.wallClockMillis(), details: false, emit: { print($0) }).run(name: name)
        if report.error != nil { fail("RDB preamble of AOF file is not sane, aborting.") }
        print("RDB preamble is OK, proceeding with AOF tail...")
        start = input.offset
        lseek(fd, off_t(start), SEEK_SET)
    }
    var checker = AOFChecker(fd: fd, startOffset: start, line: linesSoFar)
    defer { linesSoFar = checker.line }
    let outcome: AOFChecker.Outcome
    do {
        outcome = try checker.check(name: name, size: Int(st.st_size), isLast: isLast, truncateAfter: truncateTo, fd: fd)
    } catch {
        fail(error.message)
    }
    for line in checker.report { print(line) }
    guard case .damaged(let okUpTo, let size) = outcome else { return outcome }
    guard fix else { fail("AOF \(name) is not valid. Use the --fix option to try fixing it.") }
    guard isLast else { fail("Failed to fix AOF \(name) because it is not the last file.") }
    print("This will shrink the AOF \(name) from \(size) bytes, with \(size - okUpTo) bytes, to \(okUpTo) bytes")
    print("Continue? [y/N]: ", terminator: "")
    if !assumeYes {
        guard let answer = readLine(), answer.lowercased().hasPrefix("y") else { fail("Aborting...") }
    }
    guard ftruncate(fd, off_t(okUpTo)) == 0 else { fail("Failed to truncate AOF \(name)") }
    return .damaged(okUpTo: okUpTo, size: size)
}

func verdict(_ prefix: String, _ name: String, _ outcome: AOFChecker.Outcome) {
    switch outcome {
    case .ok: print("\(prefix)\(name) is valid")
    case .empty: print("\(prefix)\(name) is empty")
    case .truncatedToTimestamp: print("Successfully truncated AOF \(name) to timestamp \(truncateTo ?? 0)")
    case .damaged: print("Successfully truncated AOF \(name)")
    }
}

if kind(of: path) == .manifest {
    print("Start checking Multi Part AOF")
    let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    let manifest: AOFManifest
    do {
        guard let m = try AOFManifest.load(path: path) else { fail("Cannot open file \(path): \(String(cString: strerror(errno)))") }
        manifest = m
    } catch {
        fail(error.message)
    }
    let files = manifest.loadOrder
    for f in files where access("\(dir)/\(f.name)", F_OK) != 0 {
        fail("File \(dir)/\(f.name) does not exist, aborting...")
    }
    if let base = manifest.base {
        let p = "\(dir)/\(base.name)"
        print("Start to check BASE AOF (\(kind(of: p) == .rdbPreamble ? "RDB" : "RESP") format).")
        let outcome = checkFile(base.name, p, isLast: manifest.incrs.isEmpty)
        verdict("BASE AOF ", base.name, outcome)
        if case .ok = outcome {} else if case .empty = outcome {} else { exit(0) }
    }
    if !manifest.incrs.isEmpty {
        print("Start to check INCR files.")
        for (i, f) in manifest.incrs.enumerated() {
            let outcome = checkFile(f.name, "\(dir)/\(f.name)", isLast: i == manifest.incrs.count - 1)
            verdict("INCR AOF ", f.name, outcome)
        }
    }
    print("All AOF files and manifest are valid")
} else {
    print("Start checking Old-Style AOF")
    verdict("AOF ", path, checkFile(path, path, isLast: true))
}
exit(0)
