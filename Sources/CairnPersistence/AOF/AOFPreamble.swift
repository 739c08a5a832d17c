#if canImport(Glibc)
import Glibc
#endif
import CairnEngine

/// The RDB part an AOF file may begin with (a base written as RDB, or an old single file's preamble), shared by
/// the server's loader and the offline tools' replay.
public enum AOFPreamble {
    /// When `fd`'s file begins with an RDB, loads it into `engine` with expired keys kept (an AOF base is
    /// replayed as written) and returns the offset of the RESP records that follow; nil when there is none.
    /// `fd` is left at the first RESP byte either way.
    public static func load(_ fd: Int32, into engine: Engine) throws(RDBError) -> Int? {
        try withRDB(fd) { input throws(RDBError) in _ = try RDBLoader.load(input, into: engine, dropExpired: false) }
    }

    /// When `fd`'s file begins with an RDB, hands `read` an input at its start and returns the offset where
    /// `read` stopped (the RESP records that follow); nil when there is none. `fd` is left at the first RESP
    /// byte either way.
    public static func withRDB<E: Error>(_ fd: Int32, _ read: (RDBInput) throws(E) -> Void) throws(E) -> Int? {
        var magic = [UInt8](repeating: 0, count: 5)
        let isRDB = Glibc.read(fd, &magic, 5) == 5 && magic == Array("REDIS".utf8)
        lseek(fd, 0, SEEK_SET)
        guard isRDB else { return nil }
        let input = RDBInput(fileDescriptor: fd)
        try read(input)
        lseek(fd, off_t(input.offset), SEEK_SET)
        return input.offset
    }
}
