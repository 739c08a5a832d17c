/// Glob matching with Redis's rules (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE):
/// `*` any run of bytes, `?` one byte, `[abc]` `[^abc]` `[a-z]` one byte from (or not from) a set,
/// `\x` the byte x literally. `nocase` folds ASCII letters only, as the C library does in the "C" locale.
///
/// Quirks kept from Redis because clients can observe them:
/// - an empty string matches only the empty pattern (not even `*`; KEYS and SCAN special-case a lone `*`
///   themselves);
/// - an unterminated `[` set ends at the end of the pattern, and `[^` alone matches any byte;
/// - a range's ends are swapped when reversed (`[z-a]`), before folding case;
/// - inside a set, `\x` compares x exactly, even with `nocase`.
///
/// Redis matches recursively, one level per `*`, and cuts the search short once the rest of the pattern has
/// failed at every position. This is the equivalent iterative form: only the latest `*` is ever retried, so a
/// pattern like `*a*a*a…b` costs at most pattern × string steps and never deepens the stack.
public func globMatch(pattern: UnsafeRawBufferPointer, string: UnsafeRawBufferPointer, nocase: Bool) -> Bool {
    let plen = pattern.count
    let slen = string.count
    if slen == 0 { return plen == 0 }
    var p = 0
    var s = 0
    var retryP = -1      // pattern position just after the latest run of '*'
    var retryS = 0       // string position that star currently starts consuming from
    while s < slen {
        if p < plen && pattern[p] == UInt8(ascii: "*") {
            repeat { p += 1 } while p < plen && pattern[p] == UInt8(ascii: "*")
            if p == plen { return true }
            retryP = p
            retryS = s
            continue
        }
        if p < plen, let next = globToken(pattern, p, string[s], nocase) {
            p = next
            s += 1
            continue
        }
        if retryP < 0 { return false }
        retryS += 1
        s = retryS
        p = retryP
    }
    while p < plen && pattern[p] == UInt8(ascii: "*") { p += 1 }
    return p == plen
}

public func globMatch(pattern: [UInt8], string: [UInt8], nocase: Bool = false) -> Bool {
    pattern.withUnsafeBytes { pb in string.withUnsafeBytes { sb in globMatch(pattern: pb, string: sb, nocase: nocase) } }
}

@inline(__always) private func asciiLower(_ c: UInt8) -> UInt8 {
    c &- 65 < 26 ? c | 0x20 : c
}

/// Matches the single-byte token starting at `p` (anything but `*`) against `c`; returns the position after
/// the token, or nil when it does not match.
@inline(__always)
private func globToken(_ pat: UnsafeRawBufferPointer, _ p: Int, _ c: UInt8, _ nocase: Bool) -> Int? {
    let plen = pat.count
    switch pat[p] {
    case UInt8(ascii: "?"):
        return p + 1
    case UInt8(ascii: "["):
        return globSet(pat, p + 1, c, nocase)
    case UInt8(ascii: "\\") where p + 1 < plen:
        let lit = pat[p + 1]
        return (nocase ? asciiLower(lit) == asciiLower(c) : lit == c) ? p + 2 : nil
    default:
        let lit = pat[p]
        return (nocase ? asciiLower(lit) == asciiLower(c) : lit == c) ? p + 1 : nil
    }
}

/// The body of a `[...]` set starting at `q` (just past the `[`).
private func globSet(_ pat: UnsafeRawBufferPointer, _ start: Int, _ c: UInt8, _ nocase: Bool) -> Int? {
    let plen = pat.count
    var q = start
    let negate = q < plen && pat[q] == UInt8(ascii: "^")
    if negate { q += 1 }
    var matched = false
    while true {
        if q + 1 < plen && pat[q] == UInt8(ascii: "\\") {
            q += 1
            if pat[q] == c { matched = true }
        } else if q < plen && pat[q] == UInt8(ascii: "]") {
            break
        } else if q >= plen {
            // Unterminated: the set is whatever was left of the pattern.
            q = plen - 1
            break
        } else if q + 2 < plen && pat[q + 1] == UInt8(ascii: "-") {
            var lo = pat[q]
            var hi = pat[q + 2]
            if lo > hi { swap(&lo, &hi) }
            var x = c
            if nocase {
                lo = asciiLower(lo)
                hi = asciiLower(hi)
                x = asciiLower(x)
            }
            if x >= lo && x <= hi { matched = true }
            q += 2
        } else if nocase ? asciiLower(pat[q]) == asciiLower(c) : pat[q] == c {
            matched = true
        }
        q += 1
    }
    return matched != negate ? q + 1 : nil
}
