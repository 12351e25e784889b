import AIOpsCore
import Detectors
import Incidents
import Rules
import Testing
@testable import Pipeline

/// An open incident carries its latest facts, updated as samples arrive: what a reminder
/// and the incidents API show hours after the firing.
@Suite struct CurrentFactsTests {
    @Test func anOpenLeakCarriesItsLatestValueRateAndTimeToTheLimit() throws {
        let sink = Collector()
        let rules = try RuleSet.parse("""
        {"rules": [{"name": "leak", "selector": "container_memory_working_set_bytes",
          "detector": {"kind": "leak", "window": "1h", "minRelativeGrowthPerHour": 0.01}, "for": "10m", "resolveAfter": "10m",
          "limit": {"value": 4294967296},
          "advice": {"summary": "{{value}} of {{limit}}, full in {{timeToLimit}}"}}]}
        """, file: "t.json")
        let pipeline = Pipeline(rules: rules, sink: sink)
        let memory = try #require(pipeline.series(for: Labels(metric: "container_memory_working_set_bytes", ["pod": "a"])))
        let mib = 1_048_576.0
        var rng = SplitMix64(seed: 3)
        var t: Timestamp = 1_700_000_000_000
        func feed(hours: Double) {
            let steps = Int(hours * 240)
            for _ in 0..<steps {
                let elapsed = Double(t - 1_700_000_000_000) / 3_600_000
                pipeline.ingest(memory, timestamp: t, value: 300 * mib + 120 * mib * elapsed + rng.gaussian() * mib)
                t += 15_000
            }
        }
        feed(hours: 3)
        let fired = try #require(sink.all.compactMap { if case .firing(let i) = $0 { return i } else { return nil } }.first)
        feed(hours: 4)
        let current = try #require(pipeline.currentIncidents(ids: [fired.id]).first)
        #expect(sink.all.count == 1, "still the one firing event")
        #expect(current.id == fired.id && current.phase == .firing && current.firedAt == fired.firedAt)
        #expect(current.lastSeen == t - 15_000, "the latest sample")
        #expect(current.observed > fired.observed + 400 * mib, "4 hours at 120 MiB/h later")
        let then = try #require(fired.secondsToLimit), now = try #require(current.secondsToLimit)
        #expect(then - now > 3 * 3600, "the time to the limit shrank by about the 4 hours that passed (\(then) s then, \(now) s now)")
        // The advice is filled in from the current facts too.
        #expect(current.advice.summary != fired.advice.summary)
        #expect(current.advice.summary.hasSuffix("full in " + ValueFormatter.duration(seconds: now)))
        // The stored record keeps its numbers current without re-rendering advice per sample.
        #expect(pipeline.openIncidents.first?.observed == current.observed)
        #expect(pipeline.currentIncidents(ids: ["nope"]).isEmpty)
    }
}
