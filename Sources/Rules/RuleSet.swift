import AIOpsCore
import Detectors

/// The rules in force, and which of them select a series.
///
/// Rules load from a directory of JSON files (see `RuleSet+Loading.swift` and
/// `rules/README.md` for the format); a series no rule selects gets `autoRule`.
public struct RuleSet: Sendable {
    public var rules: [Rule]

    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// Indexes into `rules` of every rule that selects `labels`, in file order.
    /// Called once per new series.
    /// - Complexity: O(rules × matchers).
    public func matching(_ labels: Labels) -> [Int] {
        rules.indices.filter { rules[$0].selector.matches(labels) }
    }

    /// The rule called `name`, if any.
    public func rule(named name: String) -> Rule? {
        rules.first { $0.name == name }
    }

    /// The rule used for a series that no rule selects: the `auto` detector (its own evidence
    /// of new extremes, level, daily and weekly shape and volatility).
    public static let autoRule = Rule(
        name: "auto",
        selector: try! Selector(parsing: "{__name__=~\".+\"}"),
        detector: .auto,
        severity: .warning,
        resolveAfter: .hours(1),
        advice: Advice(summary: "{{metric}} is behaving unusually: observed {{value}}, expected {{expected}}.")
    )
}
