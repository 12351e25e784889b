import Foundation

/// A label regular expression compiled once, fully anchored as PromQL anchors it.
///
/// The syntax is RE2's, exactly what Prometheus accepts: `RE2Pattern` refuses what RE2
/// refuses (lookaround, backreferences, possessive quantifiers, ...) saying what and where,
/// and rewrites the rest for ICU with RE2's meaning (ASCII `\d \s \w \b [[:alpha:]]`,
/// `$` only at the end, the `U` flag, `\Q...\E`).
///
/// Backed by `NSRegularExpression` (ICU) rather than Swift's `Regex`: `Regex` is not
/// `Sendable`, while Foundation declares `NSRegularExpression` `Sendable` (it is immutable
/// after construction, and CoreFoundation gives each concurrent match its own ICU matcher),
/// so one compiled expression is shared by every thread matching new series without a
/// lock or an `@unchecked`.
///
/// The common shapes `.*`, `.+` and alternations of plain literals (`GET|POST`) skip
/// the regex engine entirely; they may be of any length. Any other expression is at most
/// `maxEngineLength` UTF-16 units once rewritten for ICU: swift-corelibs-foundation's
/// `NSRegularExpression` leaks a copy of every pattern longer than 256 UTF-16 units it
/// compiles (about 2 bytes per unit, measured; found by the `rule_file` fuzz target), and
/// the anchors added here take 8.
struct LabelRegex: Sendable {
    /// The longest expression, in UTF-16 units, given to the regex engine.
    static let maxEngineLength = 248

    struct CompileError: Error {
        var reason: String
    }

    private enum Shape: Sendable {
        case anything
        case nonEmpty
        case literals(Set<String>)
        case general(NSRegularExpression)
    }

    let source: String
    private let shape: Shape

    init(_ source: String) throws(CompileError) {
        self.source = source
        switch source {
        case ".*":
            shape = .anything
        case ".+":
            shape = .nonEmpty
        default:
            if LabelRegex.isLiteralAlternation(source) {
                shape = .literals(Set(source.split(separator: "|", omittingEmptySubsequences: false).map(String.init)))
            } else {
                let pattern: RE2Pattern
                do {
                    pattern = try RE2Pattern(source)
                } catch {
                    throw CompileError(reason: error.description)
                }
                guard pattern.icu.utf16.count <= LabelRegex.maxEngineLength else {
                    throw CompileError(reason: "longer than \(LabelRegex.maxEngineLength) characters once rewritten for the regex engine (\(pattern.icu.utf16.count); only an alternation of plain names, such as a|b|c, may be longer)")
                }
                do {
                    // `\A` and `\z` rather than `^` and `$`: ICU's `$` also matches before a
                    // final newline. `RE2Pattern` writes RE2's `.` as a class (any scalar, or
                    // anything but `\n` without the `s` flag), never ICU's `.`.
                    let regex = try NSRegularExpression(pattern: "\\A(?:" + pattern.icu + ")\\z", options: [.dotMatchesLineSeparators])
                    shape = .general(regex)
                } catch {
                    throw CompileError(reason: LabelRegex.describe(error))
                }
            }
        }
    }

    /// Whether the whole of `value` matches.
    func matches(_ value: String) -> Bool {
        switch shape {
        case .anything:
            return true
        case .nonEmpty:
            return !value.isEmpty
        case .literals(let set):
            return set.contains(value)
        case .general(let regex):
            let range = NSRange(location: 0, length: value.utf16.count)
            return regex.firstMatch(in: value, options: [], range: range) != nil
        }
    }

    /// True when `source` has no regex metacharacters other than `|`.
    static func isLiteralAlternation(_ source: String) -> Bool {
        for byte in source.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "/"),
                 UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: "@"), UInt8(ascii: "="),
                 UInt8(ascii: "|"):
                continue
            default:
                return false
            }
        }
        return true
    }

    private static func describe(_ error: Error) -> String {
        // What RE2 accepts and ICU does not: a Unicode class name ICU's tables lack.
        // Corelibs reports only a generic ICU code (its userInfo repeats the pattern).
        "the regex engine (ICU error \((error as NSError).code)) does not take it: a Unicode class it does not know?"
    }

    /// The ICU pattern compiled for `source` (for tests), or nil for the fast shapes.
    static func icuPattern(_ source: String) throws(CompileError) -> String? {
        if source == ".*" || source == ".+" || isLiteralAlternation(source) { return nil }
        do { return try RE2Pattern(source).icu } catch { throw CompileError(reason: error.description) }
    }
}
