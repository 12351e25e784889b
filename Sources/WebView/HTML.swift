import AIOpsCore

/// Escaping for text put into HTML: every value that comes from metrics, labels, rules,
/// incidents or the request goes through `escape` before it reaches a page, so a label
/// value such as `<script>` or `" onmouseover="` is text, never markup.
public enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'`: safe in element content and in quoted attribute
    /// values alike.
    /// - Complexity: O(n); returns the input itself when there is nothing to escape.
    public static func escape(_ text: String) -> String {
        var needs = false
        for byte in text.utf8 where byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27 {
            needs = true
            break
        }
        guard needs else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text for inside a `<script type="application/json">` block: JSON string escapes, and
    /// `<` written as `\u003c` so that no `</script>` (or `<!--`) can end the block early.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A path segment or query value percent-encoded (RFC 3986 unreserved characters kept),
    /// for links built from incident ids, rule names and selectors.
    public static func percentEncode(_ text: String) -> String { PercentEncoding.encode(text) }
}
