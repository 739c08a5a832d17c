#if canImport(Glibc)
import Glibc
#endif
import RESP
import CairnEngine
import CairnPersistence

/// A stretch of the input that repair could not read.
public struct LostRange {
    public var start: Int
    public var end: Int
    /// The key whose record was being read when the damage was found, when its name was readable.
    public var key: [UInt8]?
    public var reason: String
}

/// `repair FILE -o OUT`: writes every readable record of a damaged file. In an RDB, the record where reading
/// fails is skipped and reading resumes at the next offset where two records in a row parse; in an AOF, the
/// damaged bytes are skipped up to the next command that parses, so the commands after them are kept.
public struct RepairCommand {
    /// Candidate resync points are tried inside this window of the file, so a bogus length costs nothing.
    static let window = 8 << 20

    public var lost: [LostRange] = []
    public var recovered = 0
    /// The RDB checksum did not match although every record parsed.
    public var checksumMismatch: String? = nil
    let settings = EngineSettings()

    public init() {}

    public mutating func run(_ source: DumpSource, out: OutputFile) throws {
        switch source.format {
        case .rdb: try repairRDB(source, out: out)
        case .aof: try repairAOF(source, out: out)
        case .aofManifest, .jsonl:
            throw ToolError(.usage, "repair reads one RDB or AOF file; \(source.path) is \(source.format.rawValue). Give the damaged file itself (for a directory, the base or incr file named in its manifest)")
        }
    }

    // MARK: RDB

    mutating func repairRDB(_ source: DumpSource, out: OutputFile) throws {
        let fd = try source.openFile(source.path)
        defer { close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        lseek(fd, 0, SEEK_SET)
        var input = RDBInput(fileDescriptor: fd)
        var reader = RDBReader(input: input, settings: settings)
        do {
            try reader.readHeader()
        } catch {
            throw ToolError(.badInput, "\(source.path): \(error); without a valid header there is nothing to resynchronize to")
        }
        let version = reader.version, magic = reader.magic
        let target = magic == "REDIS" ? max(9, min(version, RDBType.version)) : RDBType.version
        try out.flush()
        var w = RDBFileWriter(fd: out.fileDescriptor, version: target, allowLossy: true)
        var base = 0
        var aux: [(key: [UInt8], value: [UInt8])] = []
        var functions: [[UInt8]] = []
        var db = 0
        while true {
            let recordStart = base + input.offset
            do {
                guard let item = try reader.nextItem() else { break }
                switch item {
                case .record(.aux(let k, let v)): aux.append((k, v))
                case .record(.function(let f)): functions.append(f)
                case .record(.selectDB(let n)): db = n
                case .record: break
                case .key(let h):
                    try w.start(aux: aux, functions: functions)
                    if try w.copy(h, from: &reader) { recovered += 1 }
                }
            } catch let e as RDBError {
                if e.reason.hasPrefix("wrong RDB checksum") {
                    checksumMismatch = e.reason
                    break
                }
                guard let resume = try resync(fd, from: recordStart + 1, size: size, version: version, magic: magic, db: db) else {
                    lost.append(LostRange(start: recordStart, end: size, key: e.key, reason: e.reason))
                    break
                }
                lost.append(LostRange(start: recordStart, end: resume, key: e.key, reason: e.reason))
                lseek(fd, off_t(resume), SEEK_SET)
                base = resume
                input = RDBInput(fileDescriptor: fd)
                reader = RDBReader(resumingAt: input, settings: settings, version: version, magic: magic, db: db)
            }
        }
        try w.start(aux: aux, functions: functions)
        try w.finish()
    }

    /// The first offset from `start` where `confirmations` records in a row parse, or fewer records and then
    /// the EOF opcode exactly where the file ends: inside compressed or binary data a record or two parse
    /// by chance far too often.
    func resync(_ fd: Int32, from start: Int, size: Int, version: Int, magic: String, db: Int) throws -> Int? {
        let confirmations = 8
        var windowStart = start
        while windowStart < size {
            let length = min(Self.window, size - windowStart)
            var window = [UInt8](repeating: 0, count: length)
            var got = 0
            while got < length {
                let n = window.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, length - got, off_t(windowStart + got)) }
                if n <= 0 { break }
                got += n
            }
            let reachesEnd = windowStart + length >= size
            // Candidates in the first half, so records that parse have room to be followed by more.
            let last = reachesEnd ? length : length / 2
            let found = window.withUnsafeBytes { w -> Int? in
                for c in 0..<last {
                    let input = RDBInput(borrowing: w)
                    var reader = RDBReader(resumingAt: input, settings: settings, version: version, magic: magic, db: db)
                    do {
                        try input.skip(c)
                        var parsed = 0
                        while parsed < confirmations {
                            guard let item = try reader.nextItem() else {
                                if try parsed >= 1 && reachesEnd && input.atEnd() { return windowStart + c }
                                break
                            }
                            if case .key(let h) = item { _ = try reader.value(type: h.type, at: h.offset) }
                            parsed += 1
                        }
                        if parsed == confirmations { return windowStart + c }
                    } catch {
                        continue
                    }
                }
                return nil
            }
            if let found { return found }
            windowStart += last
        }
        return nil
    }

    // MARK: AOF

    mutating func repairAOF(_ source: DumpSource, out: OutputFile) throws {
        let fd = try source.openFile(source.path)
        defer { close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        lseek(fd, 0, SEEK_SET)
        var start = 0
        var magic = [UInt8](repeating: 0, count: 5)
        if read(fd, &magic, 5) == 5 && magic == Array("REDIS".utf8) {
            // The RDB preamble must be whole: it is copied as it is.
            lseek(fd, 0, SEEK_SET)
            let input = RDBInput(fileDescriptor: fd)
            var reader = RDBReader(input: input, settings: settings)
            do {
                try reader.readHeader()
                while try reader.next() != nil { recovered += 1 }
            } catch {
                throw ToolError(.badInput, "\(source.path): the RDB preamble is damaged \(error); extract it and run repair on it as an RDB file")
            }
            start = input.offset
            var copied = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while copied < start {
                let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, min($0.count, start - copied), off_t(copied)) }
                guard n > 0 else { throw ToolError(.io, "read error on \(source.path)") }
                chunk.withUnsafeBytes { out.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                copied += n
                try out.flushIfLarge()
            }
        }
        lseek(fd, off_t(start), SEEK_SET)
        var reader = AOFRecordReader(fd: fd, startOffset: start)
        var transaction: [[UInt8]] = []
        var transactionStart = 0
        var inMulti = false
        var encoded: [UInt8] = []
        func encode(_ args: [[UInt8]]) -> [UInt8] {
            encoded.removeAll(keepingCapacity: true)
            CommandEncoding.append(args, to: &encoded)
            return encoded
        }
        while true {
            let recordStart = reader.offset
            do {
                guard let record = try reader.next() else { break }
                switch record {
                case .annotation(let text):
                    // Padding a crashed server's AOF reservation left behind carries nothing to keep.
                    if AOFPadding.isPadding(annotation: text) { continue }
                    out.append(UInt8(ascii: "#"))
                    out.append(text)
                    out.append([13, 10])
                case .command(let args):
                    let name = String(decoding: args[0], as: UTF8.self).lowercased()
                    if name == "multi" {
                        inMulti = true
                        transactionStart = recordStart
                        transaction = [encode(args)]
                    } else if inMulti {
                        transaction.append(encode(args))
                        if name == "exec" {
                            for t in transaction { out.append(t) }
                            recovered += transaction.count
                            transaction = []
                            inMulti = false
                        }
                    } else {
                        out.append(encode(args))
                        recovered += 1
                    }
                }
                try out.flushIfLarge()
            } catch AOFRecordReader.ReadError.truncated(let offset) {
                lost.append(LostRange(start: inMulti ? transactionStart : offset, end: size, key: nil, reason: "the file ends inside a command"))
                inMulti = false
                break
            } catch AOFRecordReader.ReadError.format(let offset, let reason) {
                let from = inMulti ? transactionStart : offset
                if inMulti { lost.append(LostRange(start: from, end: offset, key: nil, reason: "a transaction interrupted by damage is dropped whole")) }
                inMulti = false
                transaction = []
                guard let resume = try resyncAOF(fd, from: offset + 1, size: size) else {
                    lost.append(LostRange(start: offset, end: size, key: nil, reason: reason))
                    break
                }
                lost.append(LostRange(start: offset, end: resume, key: nil, reason: reason))
                lseek(fd, off_t(resume), SEEK_SET)
                reader = AOFRecordReader(fd: fd, startOffset: resume)
            } catch {
                throw ToolError(.io, "\(source.path): \(error)")
            }
        }
        if inMulti {
            lost.append(LostRange(start: transactionStart, end: size, key: nil, reason: "a MULTI without its EXEC is dropped"))
        }
    }

    /// The next offset where a whole command (`*N` CRLF `$`...) parses.
    func resyncAOF(_ fd: Int32, from start: Int, size: Int) throws -> Int? {
        var windowStart = start
        while windowStart < size {
            let length = min(Self.window, size - windowStart)
            var window = [UInt8](repeating: 0, count: length)
            let n = window.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, length, off_t(windowStart)) }
            guard n > 0 else { return nil }
            for c in 0..<n where window[c] == UInt8(ascii: "*") && c + 1 < n && window[c + 1] >= 48 && window[c + 1] <= 57 {
                lseek(fd, off_t(windowStart + c), SEEK_SET)
                var probe = AOFRecordReader(fd: fd, startOffset: windowStart + c)
                if case .command? = try? probe.next() { return windowStart + c }
            }
            windowStart += n
        }
        return nil
    }

    public func report(_ path: String) -> String {
        var t = "\(path): \(recovered) \(recovered == 1 ? "record" : "records") recovered\n"
        for r in lost {
            t += "lost bytes \(r.start)..<\(r.end) (\(r.end - r.start) bytes)"
            if let k = r.key { t += ", key '\(String(decoding: k, as: UTF8.self))'" }
            t += ": \(r.reason)\n"
        }
        if let checksumMismatch { t += "every record was read, but \(checksumMismatch): some value bytes are damaged where no structure check can see them\n" }
        return t
    }
}
