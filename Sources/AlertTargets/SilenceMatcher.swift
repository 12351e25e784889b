import AIOpsCore
import Rules

/// One matcher of a silence, as Alertmanager's API has it (`{name, value, isRegex,
/// isEqual}`) and as its text syntax writes it (`name="v"`, `name!="v"`, `name=~"re"`,
/// `name!~"re"`). Compiled once by `Rules`' selector code: regexes are fully anchored, and a
/// label the alert does not have matches as the empty string.
public struct SilenceMatcher: Sendable, CustomStringConvertible {
    let matcher: Selector.Matcher

    public var name: String { matcher.name }
    public var value: String { matcher.value }
    public var isRegex: Bool { matcher.type == .regex || matcher.type == .notRegex }
    public var isEqual: Bool { matcher.type == .equal || matcher.type == .regex }

    /// - Throws: `SilenceError.invalid` for a bad label name or regex. `__name__` is read as
    ///   `metric`, the label an alert shows its series' metric name under.
    public init(name: String, value: String, isRegex: Bool, isEqual: Bool) throws(SilenceError) {
        guard !name.isEmpty, Labels.sanitizedName(name) == name else {
            throw .invalid("matcher name \"\(name)\" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)")
        }
        let name = name == Labels.metricNameLabel ? "metric" : name
        let type: Selector.MatchType = isRegex ? (isEqual ? .regex : .notRegex) : (isEqual ? .equal : .notEqual)
        do {
            matcher = try Selector.Matcher(name: name, type: type, value: value)
        } catch {
            throw .invalid("matcher \(name): \(error.reason)")
        }
    }

    init(_ matcher: Selector.Matcher) {
        self.matcher = matcher
    }

    /// Parses Alertmanager's text form: `{alertname="x", instance=~"a.*"}`, braces optional.
    /// Values are quoted (`"..."`, `'...'` or backticks). A metric name (`up{...}`, or a
    /// `__name__` matcher) matches the alert's `metric` label.
    /// - Throws: `SilenceError.invalid` saying at which column what was expected, or that no
    ///   matcher requires a non-empty value (a silence must not mute everything).
    public static func parse(_ text: String) throws(SilenceError) -> [SilenceMatcher] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let selector: Selector
        do {
            // As written (`{...}` or `metric{...}`); else the amtool form without braces.
            selector = try Selector(parsing: trimmed)
        } catch let asWritten {
            guard !trimmed.hasPrefix("{") else { throw .invalid("matchers \(text): \(asWritten.reason)") }
            do {
                selector = try Selector(parsing: "{" + trimmed + "}")
            } catch {
                throw .invalid("matchers \(text): \(error.reason) (in {\(trimmed)})")
            }
        }
        var matchers: [SilenceMatcher] = []
        for matcher in selector.matchers {
            guard matcher.name == Labels.metricNameLabel else {
                matchers.append(SilenceMatcher(matcher))
                continue
            }
            // An alert shows its series' metric name as `metric` (`AlertLabels`); the regex
            // compiled before compiles again.
            guard let renamed = try? Selector.Matcher(name: "metric", type: matcher.type, value: matcher.value) else {
                throw .invalid("matchers \(text): cannot use \(matcher)")
            }
            matchers.append(SilenceMatcher(renamed))
        }
        return matchers
    }

    public func matches(_ labels: Labels) -> Bool {
        matcher.matches(value: labels[name] ?? "")
    }

    /// `name=~"value"`.
    public var description: String { matcher.description }
}
