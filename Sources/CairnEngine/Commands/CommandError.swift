/// An error reply. `message` is the full line after '-', starting with its error code ("ERR", "WRONGTYPE"...).
public struct CommandError: Error {
    public let message: String
    public init(_ message: String) { self.message = message }

    public static let syntax = CommandError("ERR syntax error")
    public static let wrongType = CommandError("WRONGTYPE Operation against a key holding the wrong kind of value")
    public static let notInteger = CommandError("ERR value is not an integer or out of range")
    public static let notFloat = CommandError("ERR value is not a valid float")
    public static let noSuchKey = CommandError("ERR no such key")
    public static let indexOutOfRange = CommandError("ERR index out of range")
    public static let overflow = CommandError("ERR increment or decrement would overflow")
    public static let invalidExpire = CommandError("ERR invalid expire time in 'set' command")
    public static let dbIndexOutOfRange = CommandError("ERR DB index is out of range")
    public static let tooLarge = CommandError("ERR string exceeds maximum allowed size (proto-max-bulk-len)")

    public static func wrongArity(_ name: String) -> CommandError {
        CommandError("ERR wrong number of arguments for '\(name)' command")
    }

    public static func invalidExpire(_ command: String) -> CommandError {
        CommandError("ERR invalid expire time in '\(command)' command")
    }

    public static func unknownSubcommand(_ sub: String, _ command: String) -> CommandError {
        CommandError("ERR unknown subcommand '\(sub.prefix(128))'. Try \(command.uppercased()) HELP.")
    }

    /// The error code: the first word, as INFO errorstats groups errors.
    public var code: Substring {
        message.prefix { $0 != " " }
    }
}
