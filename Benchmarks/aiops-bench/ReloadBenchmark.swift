import AIOpsCore
import Foundation
import Pipeline
import Rules

/// A rules reload of one shard's pipeline: `count` series with full rings under the
/// benchmark's rules, rebound (`Pipeline.rebinding`, what `aiops serve` does under the shard
/// lock on SIGHUP or `/-/reload`) to the same rules, then one rule added, removed again, and
/// one changed (a new threshold: its bindings start fresh, its selector is evaluated on every
/// series). Each figure is the time the shard lock is held. One run per case.
enum ReloadBenchmark {
    static func run(_ options: BenchmarkOptions, report: Report) {
        let name = "reload.100k"
        guard options.selects(name) else { return }
        let count = options.quick ? 10_000 : 100_000
        let extra = #"{"name": "bench-extra", "selector": "\#(BenchmarkRules.everySeries)", "detector": {"kind": "ewma", "direction": "up"}}"#
        guard let rules = try? BenchmarkRules.ruleSet(autoRule: options.autoRule),
              let added = try? BenchmarkRules.ruleSet(autoRule: options.autoRule, extra: [extra])
        else {
            report.skip(name, because: "rules did not parse")
            return
        }
        var changedRules = rules.rules
        if !changedRules.isEmpty { changedRules[0].threshold = 0.75 }
        let changed = RuleSet(rules: changedRules)
        var pipeline = Pipeline(rules: rules)
        let start: Int64 = 1_700_000_000_000
        LoadShape.fill(pipeline, series: count, samples: 64, metric: "bench_reload", seed: 13, start: start)
        var seconds: [(String, Double)] = []
        var summaries: [String] = []
        // Each step starts from the previous step's rules.
        for (label, target) in [("same_rules_s", rules), ("one_added_s", added), ("one_removed_s", rules), ("one_changed_s", changed)] {
            var summary = Pipeline.RebindSummary()
            let elapsed = Harness.seconds {
                let result = Pipeline.rebinding(pipeline, to: target, at: start)
                pipeline = result.pipeline
                summary = result.summary
            }
            seconds.append((label, elapsed))
            summaries.append("\(label.dropLast(2)): \(summary.kept) kept, \(summary.fresh) fresh, \(summary.dropped) dropped")
        }
        precondition(pipeline.store.seriesCount == count, "series lost in the reloads")
        report.add(BenchmarkResult(
            name: name, unit: "s", values: [seconds[3].1],
            extra: [("series", Double(count))] + seconds,
            note: "shard lock held per reload; median = one rule changed; \(BenchmarkRules.describe(autoRule: options.autoRule)), ring 64 full; " + summaries.joined(separator: "; ")))
        withExtendedLifetime(pipeline) {}
    }
}
