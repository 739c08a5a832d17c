import RESP
import CairnEngine
import CairnPersistence

/// What the tools know about a key before its value: where it lives, its type and encoding as the source
/// reports them, and its deadline.
public struct KeyInfo {
    public var db: Int
    public var key: [UInt8]
    public var type: String
    public var encoding: String
    /// Absolute unix ms, -1 without a deadline.
    public var expireAt: Int64
    /// The RDB type byte when the source is an RDB file.
    public var rdbType: UInt8?
    /// Where the key's record (its expiry opcode included) starts in an RDB file.
    public var offset: Int? = nil
}

/// A consumer of keys whose values arrive element by element (`RDBValueVisitor`'s callbacks), so a huge
/// collection is never held whole.
public protocol KeyConsumer: RDBValueVisitor {
    /// False skips the value (its elements are not delivered).
    mutating func begin(_ k: KeyInfo) throws -> Bool
    /// `size` is the key's serialized size in an RDB source (0 elsewhere).
    mutating func end(_ k: KeyInfo, size: Int) throws
}

extension KeyConsumer {
    public mutating func stream(_ s: StreamValue) throws {}
}

/// Discards a value's elements (a key filtered out, or a tool that needs only the key).
struct SkipValue: RDBValueVisitor {
    mutating func string(_ s: UnsafeRawBufferPointer) {}
    mutating func element(_ e: UnsafeRawBufferPointer) {}
    mutating func field(_ f: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) {}
    mutating func member(_ m: UnsafeRawBufferPointer, score: Double) {}
    mutating func stream(_ s: StreamValue) {}
}

/// Feeds a whole Value (from an AOF replay or a JSONL line) to a visitor, element by element.
func visit<V: RDBValueVisitor>(_ value: Value, _ v: inout V) throws {
    switch value {
    case .int, .short, .bytes, .rawBytes:
        try value.stringBytes!.withUnsafeBytes { try v.string($0) }
    case .list(let l): try l.forEach { try v.element($0) }
    case .set(let s): try s.forEach { e in try e.withUnsafeBytes { try v.element($0) } }
    case .hash(let h): try h.forEach { f, x in try f.withUnsafeBytes { fp in try x.withUnsafeBytes { try v.field(fp, $0) } } }
    case .zset(let z):
        var failure: Error? = nil
        z.forEach { m in
            guard failure == nil else { return }
            do { try m.member.withUnsafeBytes { try v.member($0, score: m.score) } } catch { failure = error }
        }
        if let failure { throw failure }
    case .stream(let s): try v.stream(s)
    }
}

/// Which keys a run works on: `--db`, `--key REGEX`, `--type`, `--not-expired`.
public struct KeyFilter {
    public var db: Int?
    public var pattern: KeyPattern?
    public var type: String?
    public var notExpired = false
    public var now: Int64 = 0

    public init() {}

    /// No option narrows the run.
    public var acceptsAll: Bool { db == nil && pattern == nil && type == nil && !notExpired }

    public func accepts(_ k: KeyInfo) -> Bool {
        if let db, db != k.db { return false }
        if let type, type != k.type { return false }
        if notExpired, k.expireAt >= 0, k.expireAt <= now { return false }
        if let pattern, !pattern.matches(k.key) { return false }
        return true
    }
}
