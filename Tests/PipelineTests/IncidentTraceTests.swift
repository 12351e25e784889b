import AIOpsCore
import Detectors
import Incidents
import Rules
import Store
import Testing
@testable import Pipeline

/// What the pipeline keeps for the web view's plots: each sample's score beside the ring,
/// and a trace of each incident (the ring before it, then every sample its rule scored with
/// the expected value and band), bounded, kept across a reload.
@Suite struct IncidentTraceTests {
    static let rulesJSON = """
    {"rules": [{"name": "queue-spike", "selector": "queue_depth", "detector": {"kind": "ewma", "direction": "up", "warmup": 20},
                "for": "30s", "resolveAfter": "1m"}]}
    """
    static let start: Timestamp = 1_800_000_000_000
    let labels = Labels(metric: "queue_depth", ["queue": "orders"])

    static func quiet(_ i: Int) -> Double { 100 + Double((i * 37) % 11) - 5 }

    /// 200 quiet samples, `spike` at 400, then `after` quiet, 15 s apart.
    func feed(_ pipeline: Pipeline, spike: Int, after: Int, from: Int = 0) -> SeriesRef {
        let ref = pipeline.series(for: labels)!
        for i in from..<(200 + spike + after) {
            let value = (200..<(200 + spike)).contains(i) ? 400 : Self.quiet(i)
            pipeline.ingest(ref, timestamp: Self.start + Int64(i) * 15_000, value: value)
        }
        return ref
    }

    @Test func everySampleKeepsItsScoreBesideTheRing() throws {
        let pipeline = Pipeline(rules: try RuleSet.parse(Self.rulesJSON, file: "t.json"))
        let ref = feed(pipeline, spike: 3, after: 20)
        let recent = pipeline.store.recentSamples(ref)
        #expect(recent.scores.count == 64)
        #expect(recent.scores.allSatisfy { $0 != nil }, "after warm-up every sample is scored")
        let spikes = recent.values.indices.filter { recent.values[$0] == 400 }
        #expect(spikes.count == 3)
        #expect(spikes.allSatisfy { recent.scores[$0]! > 0.9 }, "\(spikes.map { recent.scores[$0]! })")
        #expect((recent.scores.last ?? nil).map { $0 < 0.5 } == true)
        // Quantised to 1/254.
        #expect(SampleScore.value(SampleScore.byte(0.5))! == 127.0 / 254)
        #expect(SampleScore.byte(nil) == SampleScore.unscored && SampleScore.byte(.nan) == SampleScore.unscored)
        #expect(SampleScore.byte(7) == 254 && SampleScore.byte(-1) == 0)
    }

    @Test func warmUpSamplesAndRestoredRingsAreUnscored() throws {
        let pipeline = Pipeline(rules: try RuleSet.parse(Self.rulesJSON, file: "t.json"))
        let ref = pipeline.series(for: labels)!
        // A counter under a rule that does not say `transform` is scored as its rate: its
        // first sample has none.
        let counter = pipeline.series(for: Labels(metric: "jobs_total", ["job": "x"]))!
        pipeline.ingest(counter, timestamp: Self.start, value: 5)
        pipeline.ingest(counter, timestamp: Self.start + 15_000, value: 6)
        #expect(pipeline.store.recentSamples(counter).scores.first == .some(nil))
        #expect(pipeline.store.recentSamples(counter).scores.last.map { $0 != nil } == true)
        pipeline.ingest(ref, timestamp: Self.start, value: 1)
        let image = pipeline.capture()
        let restored = Pipeline(rules: try RuleSet.parse(Self.rulesJSON, file: "t.json"))
        #expect(restored.problem(restoring: image) == nil)
        _ = restored.restore(image, ruleFingerprints: pipeline.ruleFingerprints, at: Self.start)
        let again = try #require(restored.store.lookup(labels))
        #expect(restored.store.recentSamples(again).scores == [nil], "scores are not in a snapshot")
        #expect(restored.store.recentSamples(again).values == [1])
    }

    @Test func anIncidentIsTracedFromTheRingBeforeItToItsResolution() throws {
        let pipeline = Pipeline(rules: try RuleSet.parse(Self.rulesJSON, file: "t.json"))
        _ = feed(pipeline, spike: 8, after: 40)
        let incident = try #require(pipeline.recentlyResolved.first)
        let trace = try #require(pipeline.trace(ofIncident: incident.id))
        #expect(trace.seedCount == 63, "the ring's samples before the start (the start sample is the 64th)")
        #expect(trace.points[..<trace.seedCount].allSatisfy { $0.expected.isNaN && $0.lower.isNaN }, "the seed has no band")
        let during = trace.points[trace.seedCount...]
        #expect(during.first?.timestamp == incident.start)
        #expect(during.last?.timestamp == incident.end)
        #expect(during.count == Int((incident.end! - incident.start) / 15_000) + 1, "every sample while open")
        #expect(during.allSatisfy { !$0.expected.isNaN && !$0.lower.isNaN && !$0.upper.isNaN && !$0.score.isNaN })
        #expect(during.prefix(8).allSatisfy { $0.value == 400 && $0.score > 0.9 })
        #expect(trace.samplesPerPoint == 1)
    }

    @Test func aCancelledIncidentLeavesNoTraceAndAnOpenOneHasOne() throws {
        let pipeline = Pipeline(rules: try RuleSet.parse(Self.rulesJSON, file: "t.json"))
        // One anomalous sample: pending, then cancelled before `for` (30s).
        _ = feed(pipeline, spike: 1, after: 20)
        #expect(pipeline.recentlyResolved.isEmpty && pipeline.openIncidents.isEmpty)
        #expect(pipeline.openTraces.isEmpty && pipeline.resolvedTraces.isEmpty)
        let open = Pipeline(rules: try RuleSet.parse(Self.rulesJSON, file: "t.json"))
        _ = feed(open, spike: 10, after: 0)
        let incident = try #require(open.openIncidents.first)
        #expect(incident.phase == .firing)
        let trace = try #require(open.trace(ofIncident: incident.id))
        #expect(trace.points.count == 63 + 10)
    }

    @Test func aLongIncidentIsMergedInPairsKeepingTheSpikes() {
        var trace = IncidentTrace(seed: [IncidentTrace.Point(timestamp: 0, value: 1)], capacity: 8)
        for i in 1...1000 {
            let spike = i == 777
            trace.append(IncidentTrace.Point(timestamp: Timestamp(i), value: spike ? 50 : 1, expected: 1, lower: 0, upper: 2, score: spike ? 0.99 : 0.6))
        }
        #expect(trace.points.count - trace.seedCount <= 8)
        #expect(trace.seedCount == 1 && trace.points[0].timestamp == 0)
        #expect(trace.samplesPerPoint >= 1000 / 8)
        #expect(trace.points.contains { $0.value == 50 }, "the most anomalous sample survives every merge")
        #expect(zip(trace.points, trace.points.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp })
        // Not newer: ignored.
        let before = trace
        trace.append(IncidentTrace.Point(timestamp: 5, value: 3))
        #expect(trace == before)
    }

    @Test func tracesFollowTheirIncidentsThroughAReload() throws {
        let pipeline = Pipeline(rules: try RuleSet.parse(Self.rulesJSON, file: "t.json"))
        _ = feed(pipeline, spike: 10, after: 0)
        let incident = try #require(pipeline.openIncidents.first)
        let other = #"{"rules": [{"name": "other", "selector": "nothing", "detector": {"kind": "ewma"}}, "# + Self.rulesJSON.dropFirst(#"{"rules": ["#.count)
        let (kept, _) = Pipeline.rebinding(pipeline, to: try RuleSet.parse(other, file: "t.json"), at: Self.start + 300 * 15_000)
        #expect(kept.trace(ofIncident: incident.id)?.points.count == 73, "an unchanged rule keeps its incident and trace")
        // The rule removed: the incident resolves and its trace is kept as a resolved one.
        let (gone, summary) = Pipeline.rebinding(kept, to: RuleSet(rules: []), at: Self.start + 300 * 15_000)
        #expect(summary.resolved.map(\.id) == [incident.id])
        #expect(gone.trace(ofIncident: incident.id)?.points.count == 73)
    }

    @Test func resolvedTracesAreBounded() throws {
        let pipeline = Pipeline(rules: try RuleSet.parse(Self.rulesJSON, file: "t.json"))
        for id in 0..<(Pipeline.resolvedTraceLimit + 5) {
            pipeline.keepResolvedTrace(IncidentTrace(), id: "i\(id)")
        }
        #expect(pipeline.resolvedTraces.count == Pipeline.resolvedTraceLimit)
        #expect(pipeline.resolvedTraces["i0"] == nil && pipeline.resolvedTraces["i\(Pipeline.resolvedTraceLimit + 4)"] != nil)
    }

    @Test func replayKeepsWhatTheHighestScoringRuleExpected() throws {
        let pipeline = Pipeline(rules: try RuleSet.parse(Self.rulesJSON, file: "t.json"))
        let ref = pipeline.series(for: labels)!
        var last = Pipeline.ExpectedBand.unknown
        for i in 0..<100 {
            let recorded = pipeline.ingestRecordingExpected(ref, timestamp: Self.start + Int64(i) * 15_000, value: Self.quiet(i))
            #expect(recorded.outcome == .appended)
            last = recorded.expected
        }
        #expect(last.expected > 95 && last.expected < 105 && last.lower < last.expected && last.upper > last.expected)
        let late = pipeline.ingestRecordingExpected(ref, timestamp: Self.start, value: 1)
        #expect(late.outcome == .outOfOrder && late.expected.expected.isNaN, "not scored, nothing expected")
        // The same samples through `ingest` score the same.
        let plain = Pipeline(rules: try RuleSet.parse(Self.rulesJSON, file: "t.json"))
        let other = plain.series(for: labels)!
        for i in 0..<100 { plain.ingest(other, timestamp: Self.start + Int64(i) * 15_000, value: Self.quiet(i)) }
        #expect(plain.store.recentSamples(other).scores == pipeline.store.recentSamples(ref).scores)
    }
}
