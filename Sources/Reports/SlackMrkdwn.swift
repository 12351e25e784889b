/// Escaping, measuring and truncating text for Slack's mrkdwn, where `<…>` is the syntax of
/// links and mentions: a label value must never reach Slack with a raw `<`, `>` or `&`.
public enum SlackMrkdwn {
    /// The mark that ends visibly truncated text.
    public static let ellipsis: Character = "…"

    /// Escapes `&`, `<`, `>` as `&amp;`, `&lt;`, `&gt;` (the only characters Slack needs escaped).
    public static func escape(_ text: String) -> String {
        // Fast path: most label values contain none of the three.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The length used against Slack's limits: UTF-16 code units. Never less than the
    /// number of Unicode scalars or Characters, so a text that fits by this measure fits
    /// whichever of those Slack counts.
    public static func length(_ text: String) -> Int { text.utf16.count }

    /// `text` unchanged if it fits in `limit`, otherwise its longest prefix of whole
    /// Characters that fits with `…` appended.
    ///
    /// Meant for text that is already escaped: the cut never splits an entity such as
    /// `&amp;` (a raw `&` cannot occur in escaped text, so an `&` without its `;` in the last
    /// few characters is a cut entity and is dropped with it).
    /// - Complexity: O(n) in the length of `text`.
    public static func truncate(_ text: String, to limit: Int) -> String {
        if length(text) <= limit { return text }
        if limit <= 0 { return "" }
        var prefix = Substring()
        var used = 0
        var index = text.startIndex
        let budget = limit - 1  // the ellipsis is one UTF-16 unit
        while index < text.endIndex {
            let next = text.index(after: index)
            let width = text[index..<next].utf16.count
            if used + width > budget { break }
            used += width
            index = next
        }
        prefix = text[..<index]
        // An entity is at most 5 characters (`&amp;`), so a cut one leaves at most 4.
        if let amp = prefix.suffix(4).lastIndex(of: "&"), !prefix[amp...].contains(";") {
            prefix = prefix[..<amp]
        }
        return String(prefix) + String(ellipsis)
    }

    /// Escapes, then truncates to `limit`.
    public static func escaped(_ text: String, limit: Int) -> String {
        truncate(escape(text), to: limit)
    }

    /// Replaces line breaks and tabs with spaces, for values shown inside one line.
    public static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\t" }) else { return text }
        var out = ""
        out.unicodeScalars.append(contentsOf: text.unicodeScalars.map { ($0 == "\n" || $0 == "\r" || $0 == "\t") ? " " : $0 })
        return out
    }

    /// A mrkdwn link `<url|label>` when `url` is a plain `http(s)` URL that cannot break out
    /// of the link syntax (no `|`, `<`, `>`, whitespace or control characters); otherwise
    /// nil, and the caller shows the URL as escaped text.
    public static func link(_ url: String, label: String, maxLength: Int = 1000) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"),
              url.utf16.count <= maxLength,
              url.unicodeScalars.count > (lower.hasPrefix("https://") ? 8 : 7)
        else { return nil }
        for scalar in url.unicodeScalars {
            if scalar == "|" || scalar == "<" || scalar == ">" { return nil }
            if scalar.properties.isWhitespace || scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) { return nil }
        }
        // `&` in a query string is written as `&amp;` inside the link, as Slack does itself.
        return "<" + escape(url) + "|" + escape(label) + ">"
    }
}
