import AIOpsCore

/// A Prometheus series selector: `metric{label="v", other=~"re.*", x!="y", y!~"z"}`.
///
/// CONTRACT (to be completed by the Rules work): parsing with errors that give the column,
/// and matching with fully anchored regular expressions as PromQL does.
public struct Selector: Sendable, CustomStringConvertible {
    public enum MatchType: String, Sendable { case equal = "=", notEqual = "!=", regex = "=~", notRegex = "!~" }

    public struct Matcher: Sendable {
        public var name: String
        public var type: MatchType
        public var value: String
    }

    public var matchers: [Matcher]
    public let text: String

    public init(parsing text: String) throws(RuleError) {
        self.text = text
        self.matchers = []
    }

    /// Whether a series with these labels is selected.
    public func matches(_ labels: Labels) -> Bool { false }

    public var description: String { text }
}
