/// A failure that ends a cairn-dump run: the message names the file, the offset and what to do next, and the
/// exit status says which kind of failure it was (the README lists them).
public struct ToolError: Error, CustomStringConvertible {
    public enum Status: Int32 {
        /// Differences found (diff) or keys lost (repair): the run itself worked.
        case differences = 1
        case usage = 2
        /// The input is damaged, unsupported, or holds a value the target format cannot represent.
        case badInput = 3
        /// A file could not be opened or written, or the server refused or went away.
        case io = 4
    }

    public var status: Status
    public var message: String

    public init(_ status: Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }
}
