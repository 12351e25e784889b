import AIOpsCore
import Fixtures
import Foundation
import Rules
import Testing
@testable import Replay

/// Offline replay is the same pipeline: a CSV whose name (or `--metric`) says counter is
/// scored as a rate, so its resets raise nothing.
@Suite struct CounterReplayTests {
    /// Two days of a request counter at 1-minute steps, restarting (reset to 0) three times.
    static func csv() -> String {
        var rng = SplitMix64(seed: 11)
        var counter = 0.0
        var rows = ["timestamp,value"]
        let start = 1_700_000_000
        for minute in 0..<(48 * 60) {
            let increment = (1200 + rng.gaussian() * 35).rounded()
            counter = [700, 1500, 2300].contains(minute) ? (increment * 0.3).rounded() : counter + increment
            rows.append("\(start + minute * 60),\(counter)")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    func replay(fileName: String, metric: Labels? = nil, rules: RuleSet = RuleSet(rules: [])) throws -> ReplayResult {
        let directory = NSTemporaryDirectory() + "aiops-counter-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/" + fileName
        try Self.csv().write(toFile: path, atomically: true, encoding: .utf8)
        return try Replayer(rules: rules).replay(path: path, metric: metric)
    }

    /// A rule for every series that does not say `transform`.
    static func everything() throws -> RuleSet {
        try RuleSet.parse("""
        {"rules": [{"name": "any-shift", "selector": "{__name__=~\\".+\\"}", "detector": {"kind": "ewma", "direction": "both"},
                    "advice": {"summary": "{{metric}} at {{value}}"}}]}
        """, file: "t.json")
    }

    @Test func aCounterFileIsScoredAsARate() throws {
        for rules in [RuleSet(rules: []), try Self.everything()] {
            let byFileName = try replay(fileName: "http_requests_total.csv", rules: rules)
            #expect(byFileName.series.first?.labels.metricName == "http_requests_total")
            #expect(byFileName.incidents.isEmpty, "resets of a counter are quiet: \(byFileName.incidents.map(\.start))")
            let byMetric = try replay(fileName: "recording.csv", metric: try SeriesIdentity.parse("jobs_done_total{job=\"worker\"}"), rules: rules)
            #expect(byMetric.incidents.isEmpty, "--metric names a counter too: \(byMetric.incidents.map(\.start))")
        }
    }

    /// The same numbers under a gauge's name are scored raw: the drops to 0 are what a rule
    /// watching for shifts sees then, in the counter's own units.
    @Test func theSameNumbersAsAGaugeAreScoredRaw() throws {
        let raw = try replay(fileName: "recording.csv", rules: try Self.everything())
        let fired = raw.incidents.filter { $0.firedAt != nil }
        #expect(!fired.isEmpty)
        #expect(fired.allSatisfy { $0.transform == .none })
    }
}
