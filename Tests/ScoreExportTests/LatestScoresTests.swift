import AIOpsCore
import Pipeline
import Rules
import Testing
@testable import ScoreExport

let twoRules = """
{"rules": [
  {"name": "queue-spike", "selector": "queue_depth", "detector": {"kind": "ewma", "direction": "up", "warmup": 5},
   "for": "0s", "severity": "critical", "advice": {"summary": "s"}},
  {"name": "queue-any", "selector": "queue_depth{queue=\\"payments\\"}", "detector": {"kind": "ewma", "warmup": 5},
   "for": "0s", "severity": "warning", "advice": {"summary": "s"}}
]}
"""

/// The pipeline keeps each binding's latest score and expected band, in place, per sample.
@Suite struct LatestScoresTests {
    static func collect(_ pipeline: Pipeline, pendingOnly: Bool = false, mark: Bool = false) -> [(labels: Labels, rule: String, latest: LatestScore)] {
        var out: [(labels: Labels, rule: String, latest: LatestScore)] = []
        pipeline.collectLatestScores(pendingOnly: pendingOnly, markExported: mark) { ref, rule, latest in
            out.append((pipeline.store.labels(of: ref), rule, latest))
            return true
        }
        return out.sorted { ($0.labels.description, $0.rule) < ($1.labels.description, $1.rule) }
    }

    @Test func everyBindingKeepsItsLatestOutput() throws {
        let pipeline = Pipeline(rules: try RuleSet.parse(twoRules, file: "t.json"))
        let payments = Labels(metric: "queue_depth", ["queue": "payments"])
        let orders = Labels(metric: "queue_depth", ["queue": "orders"])
        let other = Labels(metric: "cpu_seconds", ["cpu": "0"])
        for step in 0..<10 {
            pipeline.ingest(payments, timestamp: Int64(step) * 15_000, value: 40 + Double(step % 3))
            pipeline.ingest(orders, timestamp: Int64(step) * 15_000, value: 10)
        }
        #expect(Self.collect(pipeline).isEmpty == false)
        pipeline.ingest(payments, timestamp: 150_000, value: 4000)
        let all = Self.collect(pipeline)
        // payments: both rules; orders: queue-spike; nothing for a series never sampled.
        #expect(all.map { "\($0.labels["queue"] ?? "")/\($0.rule)" } == ["orders/queue-spike", "payments/queue-any", "payments/queue-spike"])
        let spike = try #require(all.first { $0.labels == payments && $0.rule == "queue-spike" })
        #expect(spike.latest.timestamp == 150_000)
        #expect(spike.latest.score > 0.5, "the spike scores high: \(spike.latest.score)")
        #expect(spike.latest.expected > 39 && spike.latest.expected < 43)
        #expect(spike.latest.lower < spike.latest.expected && spike.latest.upper > spike.latest.expected)
        #expect(all.first { $0.labels == orders }?.latest.timestamp == 135_000)
        _ = other
    }

    @Test func pendingOnlyAndMarkExported() throws {
        let pipeline = Pipeline(rules: try RuleSet.parse(twoRules, file: "t.json"))
        let orders = Labels(metric: "queue_depth", ["queue": "orders"])
        pipeline.ingest(orders, timestamp: 0, value: 10)
        #expect(Self.collect(pipeline, pendingOnly: true, mark: true).count == 1)
        #expect(Self.collect(pipeline, pendingOnly: true).isEmpty, "taken")
        #expect(Self.collect(pipeline).count == 1, "still there for a scrape")
        pipeline.ingest(orders, timestamp: 15_000, value: 10)
        #expect(Self.collect(pipeline, pendingOnly: true).map(\.latest.timestamp) == [15_000])
    }

    @Test func aReusedBindingRangeStartsWithoutScores() throws {
        let pipeline = Pipeline(rules: try RuleSet.parse(twoRules, file: "t.json"))
        let orders = Labels(metric: "queue_depth", ["queue": "orders"])
        let ref = try #require(pipeline.series(for: orders))
        pipeline.ingest(ref, timestamp: 0, value: 10)
        pipeline.remove(ref, at: 1)
        // A new series with one binding takes the freed range; it has scored nothing yet.
        let fresh = try #require(pipeline.series(for: Labels(metric: "queue_depth", ["queue": "refunds"])))
        _ = fresh
        #expect(Self.collect(pipeline).isEmpty)
    }
}
