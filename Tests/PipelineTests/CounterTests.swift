import AIOpsCore
import Foundation
import Detectors
import Incidents
import Rules
import Store
import Testing
@testable import Pipeline

/// A request counter as a scrape sees it: `perSecond(hour)` requests per second with the
/// noise of independent arrivals, scraped every `step`; at each hour in `restarts` the
/// process restarts, the counter starts from 0 and the scrape in flight is missed.
func counterSamples(
    hours: Double, step: Int64 = 30_000, start: Timestamp = 1_700_000_000_000, restarts: [Double] = [], seed: UInt64 = 1,
    perSecond: (Double) -> Double
) -> [(timestamp: Timestamp, value: Double)] {
    var rng = SplitMix64(seed: seed)
    var samples: [(timestamp: Timestamp, value: Double)] = []
    var counter = 0.0
    var pending = restarts.sorted()[...]
    let seconds = Double(step) / 1000
    var t = start
    while Double(t - start) < hours * 3_600_000 {
        let hour = Double(t - start) / 3_600_000
        let mean = perSecond(hour) * seconds
        let increment = max(0, (mean + rng.gaussian() * mean.squareRoot()).rounded())
        if let restart = pending.first, restart <= hour {
            pending.removeFirst()
            counter = (increment * 0.3).rounded()  // the new process served a third of a step so far
            t += step  // the scrape during the restart failed
            continue
        }
        counter += increment
        samples.append((t, counter))
        t += step
    }
    return samples
}

extension Collector {
    var firing: [Incident] { all.compactMap { if case .firing(let i) = $0 { return i } else { return nil } } }
}

@Suite struct SeriesKindTests {
    @Test(arguments: [
        ("http_requests_total", SeriesKind.counter), ("rpc_duration_seconds_count", .counter),
        ("rpc_duration_seconds_sum", .counter), ("rpc_duration_seconds_bucket", .counter),
        ("http_requests_created", .unscored), ("queue_depth", .gauge), ("process_resident_memory_bytes", .gauge),
        ("total", .gauge), ("node_total_bytes", .gauge), ("a_sum_of_things", .gauge),
    ])
    func namingConventions(name: String, kind: SeriesKind) {
        #expect(SeriesKind(metricName: name) == kind)
        #expect(SeriesKind(metricName: name, type: .unknown) == kind, "UNKNOWN metadata: the name decides")
    }

    /// The sender's type wins over the name, and says which series of a histogram or summary
    /// family are counters.
    @Test(arguments: [
        ("jobs_processed", MetricType.counter, SeriesKind.counter), ("jobs_processed_created", .counter, .unscored),
        ("pg_stat_activity_count", .gauge, .gauge), ("pool_size_total", .gauge, .gauge),
        ("rpc_duration_seconds_bucket", .histogram, .counter), ("rpc_duration_seconds_count", .histogram, .counter),
        ("rpc_duration_seconds_created", .histogram, .unscored),
        ("gc_pause_seconds", .summary, .gauge), ("gc_pause_seconds_sum", .summary, .counter),
        ("queue_bytes_bucket", .gaugeHistogram, .gauge), ("build_info", .info, .gauge), ("feature_state", .stateSet, .gauge),
    ])
    func metadataWins(name: String, type: MetricType, kind: SeriesKind) {
        #expect(SeriesKind(metricName: name, type: type) == kind)
    }
}

@Suite struct MetricTypeTableTests {
    @Test func looksUpTheFamilyOfASeries() {
        var table = MetricTypeTable()
        let changes = [
            table.record(family: "http_requests", type: .counter),
            table.record(family: "node_cpu_seconds_total", type: .counter),
            table.record(family: "rpc_duration_seconds", type: .histogram),
            table.record(family: "mystery", type: .unknown),
            table.record(family: "http_requests", type: .counter),
        ]
        #expect(changes == [true, true, true, true, false], "the same type again changes nothing")
        #expect(table.type(ofSeries: "http_requests_total") == .counter, "OpenMetrics: family without _total")
        #expect(table.type(ofSeries: "http_requests_created") == .counter)
        #expect(table.type(ofSeries: "node_cpu_seconds_total") == .counter, "text format: family with _total")
        #expect(table.type(ofSeries: "rpc_duration_seconds_bucket") == .histogram)
        #expect(table.type(ofSeries: "rpc_duration_seconds") == .histogram)
        #expect(table.type(ofSeries: "mystery") == nil, "UNKNOWN is no information")
        #expect(table.type(ofSeries: "queue_depth") == nil)
        let retyped = table.record(family: "http_requests", type: .gauge)
        #expect(retyped, "a new type is a change")
    }

    /// Two generations of `capacity`: families refreshed recently stay, old ones age out.
    @Test func staysBounded() {
        var table = MetricTypeTable(capacity: 4)
        for i in 0..<4 { table.record(family: "old_\(i)", type: .counter) }
        table.record(family: "old_0", type: .counter)  // refreshed, still in the current generation
        for i in 0..<4 { table.record(family: "new_\(i)", type: .gauge) }
        #expect(table.type(ofSeries: "old_3") == .counter, "the previous generation still answers")
        for i in 4..<8 { table.record(family: "new_\(i)", type: .gauge) }
        #expect(table.type(ofSeries: "old_3") == nil, "two generations later it is gone")
        #expect(table.type(ofSeries: "new_7") == .gauge)
        #expect(table.count <= 8)
    }
}

@Suite struct CounterPipelineTests {
    static let start: Timestamp = 1_700_000_000_000

    func transforms(_ pipeline: Pipeline, _ ref: SeriesRef) -> [SeriesTransformKind] {
        let start = Int(pipeline.bindingStart[Int(ref.index)])
        return (start..<(start + Int(pipeline.bindingCount[Int(ref.index)]))).map { pipeline.bindings[$0].transform }
    }

    @Test func decidesTheTransformOncePerSeries() throws {
        let pipeline = Pipeline(rules: RuleSet(rules: []))
        let named = try #require(pipeline.series(for: Labels(metric: "http_requests_total", ["code": "200"])))
        let gauge = try #require(pipeline.series(for: Labels(metric: "queue_depth")))
        let created = try #require(pipeline.series(for: Labels(metric: "http_requests_created")))
        let declared = try #require(pipeline.series(for: Labels(metric: "jobs_processed"), type: .counter))
        let declaredGauge = try #require(pipeline.series(for: Labels(metric: "pg_stat_activity_count"), type: .gauge))
        #expect(transforms(pipeline, named) == [.rate])
        #expect(transforms(pipeline, gauge) == [.none])
        #expect(transforms(pipeline, created) == [.skip])
        #expect(transforms(pipeline, declared) == [.rate])
        #expect(transforms(pipeline, declaredGauge) == [.none])
    }

    /// Four days of a request counter whose process restarts four times: the auto rule
    /// scores its rate and raises nothing; then the traffic stops for two hours, and that is
    /// one incident, in requests per second.
    @Test func resetsAreQuietAndAnOutageIsFound() throws {
        let sink = Collector()
        let pipeline = Pipeline(rules: RuleSet(rules: []), sink: sink)
        let labels = Labels(metric: "http_requests_total", ["job": "api", "code": "200"])
        let outage = 90.0..<92.0
        let samples = counterSamples(hours: 96, restarts: [20.3, 41.7, 55.1, 70.9, 85.5]) { hour in
            outage.contains(hour) ? 0 : 40
        }
        var outageFound: Incident?
        for sample in samples {
            pipeline.ingest(labels, timestamp: sample.timestamp, value: sample.value)
            let hour = Double(sample.timestamp - Self.start) / 3_600_000
            if hour < outage.lowerBound {
                #expect(sink.all.isEmpty, "nothing before the outage; at hour \(hour): \(sink.all.map(\.incident.observed))")
                if !sink.all.isEmpty { return }
            }
            if outageFound == nil, let first = sink.firing.first { outageFound = first }
        }
        let incident = try #require(outageFound, "the outage is found")
        let startHour = Double(incident.start - Self.start) / 3_600_000
        #expect(outage.contains(startHour), "started at hour \(startHour)")
        #expect(incident.rule == "auto")
        #expect(incident.transform == .rate, "the incident says its values are a rate (reports read /s)")
        #expect(incident.observed < 5, "the detector saw the rate (about 0/s), not the raw counter: \(incident.observed)")
        #expect(incident.advice.summary.contains("/s"), "the advice reads per second: \(incident.advice.summary)")
        #expect(sink.firing.count == 1, "one incident: \(sink.firing.map(\.start))")
    }

    /// Traffic dropping to a fifth for an hour, after two and a half days with five restarts
    /// around it: one incident, in the drop. (Steady traffic: on a daily curve the auto
    /// detector of today has false alarms of its own, reset or not; its rewrite owns that.)
    @Test func aDropToAFifthIsFoundAmongResets() throws {
        let sink = Collector()
        let pipeline = Pipeline(rules: RuleSet(rules: []), sink: sink)
        let labels = Labels(metric: "http_requests_total", ["job": "api"])
        let drop = 60.0..<61.0
        let samples = counterSamples(hours: 72, restarts: [10.2, 33.3, 47.9, 62.5, 66.1], seed: 9) { hour in
            drop.contains(hour) ? 8 : 40
        }
        for sample in samples { pipeline.ingest(labels, timestamp: sample.timestamp, value: sample.value) }
        let starts = sink.all.map { Double($0.incident.start - Self.start) / 3_600_000 }
        #expect(sink.firing.count == 1, "one incident: at hours \(starts)")
        let incident = try #require(sink.firing.first)
        let hour = Double(incident.start - Self.start) / 3_600_000
        #expect(drop.contains(hour), "started at hour \(hour)")
        #expect(incident.observed > 4 && incident.observed < 12, "about 8/s: \(incident.observed)")
    }

    /// A rule that says `transform: none` gets the raw counter even for a `_total` series;
    /// a rule that says nothing gets its rate.
    @Test func explicitNoneIsRespected() throws {
        let rules = try RuleSet.parse("""
        {"rules": [
          {"name": "raw", "selector": "jobs_done_total{mode=\\"raw\\"}", "detector": {"kind": "ewma", "direction": "both"},
           "transform": "none", "advice": {"summary": "raw"}},
          {"name": "unsaid", "selector": "jobs_done_total{mode=\\"unsaid\\"}", "detector": {"kind": "ewma", "direction": "both"},
           "advice": {"summary": "unsaid"}}
        ]}
        """, file: "t.json")
        let sink = Collector()
        let pipeline = Pipeline(rules: rules, sink: sink)
        let raw = try #require(pipeline.series(for: Labels(metric: "jobs_done_total", ["mode": "raw"])))
        let unsaid = try #require(pipeline.series(for: Labels(metric: "jobs_done_total", ["mode": "unsaid"])))
        #expect(transforms(pipeline, raw) == [.none])
        #expect(transforms(pipeline, unsaid) == [.rate])
        #expect(pipeline.compiled[0].transform == SeriesTransformKind.none)
        #expect(pipeline.compiled[1].transform == nil)

        let samples = counterSamples(hours: 12, restarts: [8], seed: 4) { _ in 10 }
        for sample in samples {
            pipeline.ingest(raw, timestamp: sample.timestamp, value: sample.value)
            pipeline.ingest(unsaid, timestamp: sample.timestamp, value: sample.value)
        }
        #expect(!sink.firing.contains { $0.rule == "unsaid" }, "the rate does not see the restart")
        let rawIncident = try #require(sink.firing.first { $0.rule == "raw" }, "the raw counter's drop to 0 is what the rule asked to watch")
        #expect(rawIncident.transform == .none)
        #expect(rawIncident.observed < 1000, "it saw the raw counter just after the restart: \(rawIncident.observed)")
    }

    /// `_created` holds when the counter was created: stored, never scored.
    @Test func createdIsNotScored() throws {
        let sink = Collector()
        let pipeline = Pipeline(rules: RuleSet(rules: []), sink: sink)
        let ref = try #require(pipeline.series(for: Labels(metric: "http_requests_created", ["job": "api"])))
        var created = Double(Self.start / 1000)
        for i in 0..<2000 {
            let t = Self.start + Int64(i) * 30_000
            if i % 500 == 499 { created = Double(t / 1000) }  // a restart: a new creation time
            #expect(pipeline.ingest(ref, timestamp: t, value: created) == .appended)
        }
        #expect(pipeline.statistics.scoredSamples == 0)
        #expect(sink.all.isEmpty)
        #expect(pipeline.store.recent(ref, count: 5).values.count == 5, "stored all the same")
    }

    /// The rate itself: per second of event time; a decrease (reset) and the first sample
    /// after a gap are not scored; the step after them is an ordinary rate again.
    @Test func rateSkipsResetsAndGaps() {
        var binding = RuleBinding(rule: 0, transform: .rate, detector: DetectorPool().make(.auto))
        let steps: [(value: Double, at: Timestamp)] = [
            (100, 0), (130, 15_000), (160, 30_000), (4, 45_000), (34, 60_000), (334, 150_000), (634, 240_000), (664, 255_000),
        ]
        let rates = steps.map { binding.transformed($0.value, at: $0.at) }
        // nothing to difference; 2/s twice; a reset; 2/s; a gap of 6 steps; the step after
        // the gap is the new normal step; 2/s.
        #expect(rates == [nil, 2, 2, nil, 2, nil, 300.0 / 90, 2])
        binding.resetTransform()
        let afterStale = binding.transformed(700, at: 270_000)
        #expect(afterStale == nil, "after a stale marker it starts over")
    }

    /// Remote write 1.0 sends metadata after the first samples: a series created as a gauge
    /// (its name says nothing) becomes a counter when its family's type arrives, starting over.
    @Test func metadataAfterTheSeriesReclassifiesIt() throws {
        let sink = Collector()
        let pipeline = Pipeline(rules: RuleSet(rules: []), sink: sink)
        let jobs = try #require(pipeline.series(for: Labels(metric: "jobs_processed", ["job": "worker"])))
        let depth = try #require(pipeline.series(for: Labels(metric: "queue_depth")))
        #expect(transforms(pipeline, jobs) == [.none])
        for i in 0..<10 {
            pipeline.ingest(jobs, timestamp: Self.start + Int64(i) * 15_000, value: Double(i) * 30)
            pipeline.ingest(depth, timestamp: Self.start + Int64(i) * 15_000, value: 5)
        }
        var table = MetricTypeTable()
        table.record(family: "jobs_processed", type: .counter)
        #expect(pipeline.reclassify(using: table, at: Self.start) == 1)
        #expect(transforms(pipeline, jobs) == [.rate])
        #expect(transforms(pipeline, depth) == [.none], "a family nobody declared keeps its kind")
        #expect(pipeline.reclassify(using: table, at: Self.start) == 0, "nothing changes twice")
        let fresh = try #require(pipeline.series(for: Labels(metric: "jobs_processed", ["job": "other"]), type: table.type(ofSeries: "jobs_processed")))
        #expect(transforms(pipeline, fresh) == [.rate])
    }
}
