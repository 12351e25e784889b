import AIOpsCore
import Foundation
import Detectors
import Incidents
import Rules
import Store
import Synchronization
import Testing
@testable import Pipeline

final class Collector: IncidentSink {
    let events = Mutex<[IncidentEvent]>([])
    func handle(_ event: IncidentEvent) { events.withLock { $0.append(event) } }
    var all: [IncidentEvent] { events.withLock { $0 } }
}

@Suite struct PipelineTests {
    static let rulesJSON = """
    {"rules": [
      {"name": "container-memory-leak",
       "selector": "container_memory_working_set_bytes{container!=\\"\\"}",
       "detector": {"kind": "leak", "window": "1h"},
       "severity": "critical", "for": "10m", "resolveAfter": "10m",
       "limit": {"series": "container_spec_memory_limit_bytes", "matchOn": ["namespace", "pod", "container"]},
       "advice": {"summary": "{{labels.pod}} leaks {{rate}}", "steps": ["kubectl top pod {{labels.pod}}"]}},
      {"name": "error-rate-spike",
       "selector": "http_requests_total{code=~\\"5..\\"}",
       "detector": {"kind": "ewma", "direction": "up"},
       "transform": "rate", "severity": "critical", "for": "0s", "resolveAfter": "5m",
       "advice": {"summary": "errors up on {{labels.job}}"}}
    ]}
    """

    static func rules() throws -> RuleSet { try RuleSet.parse(rulesJSON, file: "test.json") }

    let pod = ["namespace": "shop", "pod": "api-7f9", "container": "api"]

    func ruleNames(_ pipeline: Pipeline, _ ref: SeriesRef) -> [String] {
        let start = Int(pipeline.bindingStart[Int(ref.index)])
        let count = Int(pipeline.bindingCount[Int(ref.index)])
        let rules = (start..<(start + count)).map { Int(pipeline.bindings[$0].rule) }
        return rules.map { pipeline.rules[$0].name }
    }

    @Test func bindsMatchingRulesAndAutoForTheRest() throws {
        let pipeline = Pipeline(rules: try Self.rules())
        let memory = try #require(pipeline.series(for: Labels(metric: "container_memory_working_set_bytes", pod)))
        let other = try #require(pipeline.series(for: Labels(metric: "queue_depth", ["job": "worker"])))
        #expect(ruleNames(pipeline, memory) == ["container-memory-leak"])
        #expect(ruleNames(pipeline, other) == ["auto"])
        #expect(pipeline.series(for: Labels(metric: "queue_depth", ["job": "worker"])) == other)
    }

    /// A container leaking 60 MiB/h under a GC sawtooth, with its limit series: the leak rule
    /// fires with a sensible rate and time to limit, and a stale marker resolves it.
    @Test func leakFiresWithRateAndTimeToLimitThenResolvesWhenSeriesGoesAway() throws {
        let sink = Collector()
        let pipeline = Pipeline(rules: try Self.rules(), sink: sink)
        let memory = try #require(pipeline.series(for: Labels(metric: "container_memory_working_set_bytes", pod)))
        let limit = try #require(pipeline.series(for: Labels(metric: "container_spec_memory_limit_bytes", pod)))
        var rng = SplitMix64(seed: 7)
        let mib = 1_048_576.0
        let start: Timestamp = 1_700_000_000_000
        var t = start
        for i in 0..<(6 * 240) {  // 6 hours at 15 s
            let hours = Double(i) * 15 / 3600
            let sawtooth = Double(i % 20) / 20 * 40 * mib
            let value = 300 * mib + 60 * mib * hours + sawtooth + rng.gaussian() * 2 * mib
            pipeline.ingest(limit, timestamp: t, value: 1024 * mib)
            pipeline.ingest(memory, timestamp: t, value: value)
            t += 15_000
        }
        let firing = sink.all.compactMap { if case .firing(let i) = $0 { return i } else { return nil } }
        let incident = try #require(firing.first { $0.rule == "container-memory-leak" })
        #expect(incident.phase == .firing)
        #expect(incident.labels["pod"] == "api-7f9")
        let rate = try #require(incident.leakRatePerHour)
        #expect(rate > 45 * mib && rate < 75 * mib, "rate \(rate / mib) MiB/h")
        #expect(incident.limit == 1024 * mib)
        let toLimit = try #require(incident.secondsToLimit)
        #expect(toLimit > 0 && toLimit < 20 * 3600)
        #expect(incident.advice.summary.hasPrefix("api-7f9 leaks +"))
        #expect(incident.advice.steps == ["kubectl top pod api-7f9"])
        #expect(!incident.recentValues.isEmpty && incident.recentValues.count == incident.recentTimestamps.count)
        // The sparkline is the leak fit's window of troughs: most of the rule's 1h window, rising
        // by about the leak over it (60 MiB/h), not 12 minutes of sawtooth.
        let span = (incident.recentTimestamps.last ?? 0) - (incident.recentTimestamps.first ?? 0)
        #expect(span >= 45 * 60_000 && span <= 65 * 60_000, "span \(span) ms")
        #expect(incident.recentTimestamps == incident.recentTimestamps.sorted())
        let climb = (incident.recentValues.last ?? 0) - (incident.recentValues.first ?? 0)
        #expect(climb > 30 * mib && climb < 90 * mib, "climb \(climb / mib) MiB")
        #expect(pipeline.firingIncidents.count == 1)

        pipeline.ingest(memory, timestamp: t, value: StaleMarker.value)
        let resolved = sink.all.compactMap { if case .resolved(let i) = $0 { return i } else { return nil } }
        #expect(resolved.count == 1)
        #expect(resolved.first?.resolution == "series went away")
        #expect(resolved.first?.end == t)
        #expect(pipeline.firingIncidents.isEmpty)
        #expect(pipeline.recentlyResolved.count == 1)
    }

    @Test func rateTransformSeesCounterRatesAndIgnoresResets() throws {
        let sink = Collector()
        let pipeline = Pipeline(rules: try Self.rules(), sink: sink)
        let errors = try #require(pipeline.series(for: Labels(metric: "http_requests_total", ["code": "500", "job": "api"])))
        var rng = SplitMix64(seed: 3)
        var counter = 0.0
        var t: Timestamp = 1_700_000_000_000
        for i in 0..<600 {
            counter += 2 * 15 + rng.gaussian() * 3  // about 2 errors/s
            if i == 300 { counter = 5 }  // the process restarted: a counter reset, not an anomaly
            pipeline.ingest(errors, timestamp: t, value: counter)
            t += 15_000
        }
        #expect(sink.all.isEmpty, "a steady rate with a counter reset is quiet: \(sink.all.map(\.incident.start))")
        for _ in 0..<20 {
            counter += 40 * 15  // 40 errors/s
            pipeline.ingest(errors, timestamp: t, value: counter)
            t += 15_000
        }
        let fired = sink.all.compactMap { if case .firing(let i) = $0 { return i } else { return nil } }
        #expect(fired.count == 1)
        #expect(fired.first?.rule == "error-rate-spike")
        #expect((fired.first?.observed ?? 0) > 20, "the detector saw a rate, not the raw counter")
    }

    @Test func countsOddSamplesWithoutScoringThem() throws {
        let pipeline = Pipeline(rules: try Self.rules())
        let ref = try #require(pipeline.series(for: Labels(metric: "x")))
        #expect(pipeline.ingest(ref, timestamp: 2000, value: 1) == .appended)
        let scored = pipeline.statistics.scoredSamples
        #expect(pipeline.ingest(ref, timestamp: 1000, value: 1) == .outOfOrder)
        #expect(pipeline.ingest(ref, timestamp: 3000, value: .nan) == .nonFinite)
        #expect(pipeline.statistics.scoredSamples == scored)
        #expect(pipeline.store.statistics[.outOfOrder] == 1)
        #expect(pipeline.store.statistics[.nonFinite] == 1)
    }

    @Test func refusesSeriesBeyondTheLimitAndEvictsIdleOnes() throws {
        let pipeline = Pipeline(rules: try Self.rules(), configuration: PipelineConfiguration(maxSeries: 3))
        for i in 0..<3 {
            let ref = try #require(pipeline.series(for: Labels(metric: "m", ["i": "\(i)"])))
            pipeline.ingest(ref, timestamp: Int64(i) * 1000, value: 1)
        }
        #expect(pipeline.series(for: Labels(metric: "m", ["i": "3"])) == nil)
        #expect(pipeline.statistics.seriesRefused == 1)
        #expect(pipeline.evictIdle(olderThan: 1500, now: 5000) == 2)
        #expect(pipeline.store.seriesCount == 1)
        let again = try #require(pipeline.series(for: Labels(metric: "m", ["i": "3"])))
        #expect(pipeline.ingest(again, timestamp: 6000, value: 1) == .appended)
        #expect(pipeline.freeBindingRanges.values.reduce(0) { $0 + $1.count } == 1, "one freed binding range reused")
    }
}
