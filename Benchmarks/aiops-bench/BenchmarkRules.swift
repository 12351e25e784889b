import Rules

/// The rules the aiops side of the benchmarks runs, so "all detectors on" means what it says:
/// three catch-all rules put an EWMA, a seasonal and a leak detector, at default settings, on
/// every series (three bindings per series). `--auto-rule` runs `aiops serve`'s default
/// instead: no rule files, every series gets the built-in `auto` rule only.
enum BenchmarkRules {
    /// Every series except the incident benchmark's probes.
    static let everySeries = #"{__name__=~\".+\", __name__!=\"bench_probe\"}"#

    static let threeDetectorRules = ["ewma", "seasonal", "leak"].map { kind in
        #"{"name": "bench-all-\#(kind)", "selector": "\#(everySeries)", "detector": {"kind": "\#(kind)"}}"#
    }

    /// The benchmark's rule set, with `extra` rules (JSON objects) added.
    static func ruleSet(autoRule: Bool, extra: [String] = []) throws -> RuleSet {
        let rules = (autoRule ? [] : threeDetectorRules) + extra
        return try RuleSet.parse(#"{"rules": ["# + rules.joined(separator: ", ") + "]}", file: "aiops-bench.json")
    }

    /// How the rows describe it.
    static func describe(autoRule: Bool) -> String {
        autoRule ? "auto rule only" : "ewma + seasonal + leak on every series"
    }
}
