#if canImport(Glibc)
import Glibc
#endif

/// `--key REGEX`: a POSIX extended regular expression searched in the key (anchor it with ^...$ for a whole
/// match). Keys are bytes; a key with a NUL byte is matched up to that byte, as C regex functions stop there.
public final class KeyPattern {
    private var regex = regex_t()
    private var buffer: [CChar] = []

    public init(_ pattern: String) throws(ToolError) {
        let rc = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB)
        guard rc == 0 else {
            var msg = [CChar](repeating: 0, count: 256)
            regerror(rc, &regex, &msg, msg.count)
            throw ToolError(.usage, "--key: invalid regular expression '\(pattern)': \(String(cString: msg))")
        }
    }

    deinit { regfree(&regex) }

    public func matches(_ key: [UInt8]) -> Bool {
        buffer.removeAll(keepingCapacity: true)
        for b in key {
            if b == 0 { break }
            buffer.append(CChar(bitPattern: b))
        }
        buffer.append(0)
        return regexec(&regex, buffer, 0, nil, 0) == 0
    }
}
