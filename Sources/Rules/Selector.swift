import AIOpsCore

/// A Prometheus series selector: `metric{label="v", other=~"re.*", x!="y", y!~"z"}`.
///
/// Parsed once when rules load; `matches` then runs once per new series (not per sample).
/// Semantics follow PromQL:
/// - a metric name outside the braces is the matcher `__name__="name"`, and
///   `{"name"}` (a quoted name inside the braces) is the same;
/// - regular expressions are fully anchored (`^(?s:re)$`, as Prometheus compiles them);
/// - a label the series does not have matches as the empty string;
/// - at least one matcher must not match the empty string, so a selector can never
///   select every series by accident.
public struct Selector: Sendable, CustomStringConvertible {
    public enum MatchType: String, Sendable { case equal = "=", notEqual = "!=", regex = "=~", notRegex = "!~" }

    /// One `name op "value"` term. Immutable: a regex matcher holds its compiled
    /// expression, which must stay in step with `type` and `value`.
    public struct Matcher: Sendable, CustomStringConvertible {
        public let name: String
        public let type: MatchType
        public let value: String
        /// Compiled once here, for `=~` and `!~` only.
        let regex: LabelRegex?

        /// Creates a matcher, compiling `value` when `type` is a regex match.
        /// - Throws: `RuleError` (without file) when the regular expression is invalid.
        public init(name: String, type: MatchType, value: String) throws(RuleError) {
            self.name = name
            self.type = type
            self.value = value
            switch type {
            case .equal, .notEqual:
                regex = nil
            case .regex, .notRegex:
                do {
                    regex = try LabelRegex(value)
                } catch {
                    throw RuleError(file: "", reason: "invalid regular expression \(Selector.quote(value)): \(error.reason)")
                }
            }
        }

        /// Whether a label value (empty when the label is absent) satisfies this matcher.
        public func matches(value candidate: String) -> Bool {
            switch type {
            case .equal: return candidate == value
            case .notEqual: return candidate != value
            // Safe to unwrap: the initializer sets `regex` for both regex match types.
            case .regex: return regex!.matches(candidate)
            case .notRegex: return !regex!.matches(candidate)
            }
        }

        /// PromQL form: `name=~"value"`.
        public var description: String { name + type.rawValue + Selector.quote(value) }
    }

    /// Every matcher, the metric name (if any) first as `__name__="name"`.
    public private(set) var matchers: [Matcher]
    /// The text as written.
    public let text: String

    /// Parses PromQL selector syntax: an optional metric name, then optionally braces with
    /// comma-separated matchers (`=`, `!=`, `=~`, `!~`); values in `"..."` or `'...'` with
    /// PromQL escapes, or in backticks verbatim; whitespace anywhere; a trailing comma.
    /// - Throws: `RuleError` whose reason starts with `column N:` (1-based, in characters of
    ///   `text`) and says what was expected. Its `file` is empty: callers add where the
    ///   selector came from.
    public init(parsing text: String) throws(RuleError) {
        self.text = text
        var parser = SelectorParser(text)
        self.matchers = try parser.parse()
    }

    /// Whether a series with these labels is selected.
    /// - Complexity: O(matchers × labels); a regex matcher costs one regex evaluation.
    public func matches(_ labels: Labels) -> Bool {
        for matcher in matchers where !matcher.matches(value: labels[matcher.name] ?? "") {
            return false
        }
        return true
    }

    /// The metric name when an `=` matcher on `__name__` fixes it, e.g. for indexes.
    public var metricName: String? {
        matchers.first { $0.name == Labels.metricNameLabel && $0.type == .equal }?.value
    }

    public var description: String { text }

    /// A PromQL double-quoted string.
    static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
