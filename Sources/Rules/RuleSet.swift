import AIOpsCore
import Detectors

/// The rules in force, and which of them select a series.
///
/// CONTRACT (to be completed by the Rules work): loading a directory of rule files,
/// collecting every error, and the built-in "auto" rule for series no rule selects.
public struct RuleSet: Sendable {
    public var rules: [Rule]

    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// Indexes into `rules` of every rule that selects `labels`. Called once per new series.
    public func matching(_ labels: Labels) -> [Int] {
        rules.indices.filter { rules[$0].selector.matches(labels) }
    }

    /// The rule used for a series that no rule selects: all three detectors combined.
    public static let autoRule = Rule(
        name: "auto",
        selector: try! Selector(parsing: "{__name__=~\".+\"}"),
        detector: .auto,
        severity: .warning,
        advice: Advice(summary: "{{metric}} is behaving unusually: observed {{value}}, expected {{expected}}.")
    )
}
