import AIOpsCore
import Foundation
import Incidents
import Rules
import Store
import Testing
@testable import Pipeline

/// Warm start inside the pipeline: a series that waits for its history scores its live
/// samples after the history, exactly as if it had been fed history then live samples.
@Suite struct WarmingTests {
    static let rulesJSON = """
    {"rules": [
      {"name": "load-seasonal", "selector": "node_load1", "detector": {"kind": "seasonal"}, "for": "0s"},
      {"name": "load-ewma", "selector": "node_load1", "detector": {"kind": "ewma"}, "for": "0s"}
    ]}
    """

    static let start: Timestamp = 1_700_000_000_000
    static let step: Int64 = 60_000

    /// A daily curve with a little noise, one sample a minute for `days`, then `extra` minutes.
    static func daily(days: Int, extra: Int = 0, seed: UInt64 = 7) -> [(timestamp: Timestamp, value: Double)] {
        var rng = SplitMix64(seed: seed)
        return (0..<(days * 1440 + extra)).map { minute in
            let t = start + Int64(minute) * step
            let phase = Double(minute % 1440) / 1440 * 2 * Double.pi
            return (t, 10 + 8 * sin(phase) + rng.gaussian() * 0.3)
        }
    }

    static func pipeline(warm: Bool, sink: Collector) throws -> Pipeline {
        let pipeline = Pipeline(rules: try RuleSet.parse(rulesJSON, file: "warming.json"), sink: sink)
        pipeline.warmsNewSeries = warm
        return pipeline
    }

    /// An event as comparable text: kind, incident id, when, peak score.
    static func describe(_ events: [IncidentEvent], from: Timestamp) -> [String] {
        events.compactMap { event in
            switch event {
            case .firing(let incident) where (incident.firedAt ?? 0) >= from:
                return "firing \(incident.id) at \(incident.firedAt ?? 0) peak \(incident.peakScore)"
            case .resolved(let incident) where (incident.end ?? 0) >= from:
                return "resolved \(incident.id) at \(incident.end ?? 0)"
            default:
                return nil
            }
        }
    }

    /// Feeds `history` then `live` to one pipeline, and to a warming one `live` first (the
    /// first `deferred` of them arrive before the history), the history in overlapping
    /// chunks, then the rest of `live`: every score after the wait and every incident from
    /// the live samples on are the same.
    func expectSameAsFedInOrder(labels: Labels, history: [(timestamp: Timestamp, value: Double)], live: [(timestamp: Timestamp, value: Double)], deferred: Int) throws -> (reference: [String], warmed: [String]) {
        let referenceSink = Collector()
        let reference = try Self.pipeline(warm: false, sink: referenceSink)
        for sample in history { reference.ingest(labels, timestamp: sample.timestamp, value: sample.value) }
        var referenceScores: [Double] = []
        for sample in live {
            reference.ingest(labels, timestamp: sample.timestamp, value: sample.value)
            referenceScores.append(reference.lastScore)
        }

        let warmSink = Collector()
        let warm = try Self.pipeline(warm: true, sink: warmSink)
        let ref = try #require(warm.series(for: labels))
        #expect(warm.isWarming(ref))
        for sample in live.prefix(deferred) {
            #expect(warm.ingest(ref, timestamp: sample.timestamp, value: sample.value) == .appended)
            #expect(warm.lastScore == 0, "a waiting series is not scored")
        }
        #expect(warm.statistics.scoredSamples == 0)
        let candidates = warm.takeWarmCandidates(now: 0, patience: 120_000)
        #expect(candidates.count == 1)
        let candidate = try #require(candidates.first)
        #expect(candidate.firstTimestamp == live[0].timestamp)
        #expect(candidate.secondTimestamp == live[1].timestamp)
        #expect(warm.takeWarmCandidates(now: 0, patience: 0).isEmpty, "handed out once")
        // Three chunks that overlap by 10 samples, and one reaching past the first live sample.
        let third = history.count / 3
        let chunks = [history[0..<(third + 10)], history[third..<(2 * third + 10)], history[(2 * third)...]]
        var applied = 0
        for chunk in chunks {
            applied += try #require(warm.applyHistory(candidate.ticket, timestamps: chunk.map(\.timestamp), values: chunk.map(\.value)))
        }
        let beyond = live.prefix(3)
        #expect(warm.applyHistory(candidate.ticket, timestamps: beyond.map(\.timestamp), values: beyond.map(\.value)) == 0,
                "samples at or after the first live one are not history")
        #expect(applied == history.count, "each history sample once")
        #expect(warm.finishWarming(candidate.ticket, keepHistory: true))
        #expect(!warm.isWarming(ref))
        #expect(warm.applyHistory(candidate.ticket, timestamps: [0], values: [0]) == nil)
        var warmScores: [Double] = []
        for sample in live.dropFirst(deferred) {
            warm.ingest(ref, timestamp: sample.timestamp, value: sample.value)
            warmScores.append(warm.lastScore)
        }
        #expect(warmScores == Array(referenceScores.dropFirst(deferred)), "the same detector states after the wait")
        let from = live[0].timestamp
        return (Self.describe(referenceSink.all, from: from), Self.describe(warmSink.all, from: from))
    }

    @Test func aWarmedGaugeScoresAsIfFedItsHistoryFirst() throws {
        let all = Self.daily(days: 3, extra: 180)
        var live = Array(all[(3 * 1440)...])
        live[10].value = 40  // a spike while the series waits for its history
        live[120].value = -20  // and a drop after
        let (reference, warmed) = try expectSameAsFedInOrder(
            labels: Labels(metric: "node_load1", ["instance": "a"]), history: Array(all[..<(3 * 1440)]), live: live, deferred: 30)
        #expect(reference.contains { $0.hasPrefix("firing load-ewma") }, "the spike fires in the reference run: \(reference)")
        #expect(warmed == reference)
    }

    /// History of a counter goes through the same rate transform as live samples.
    @Test func aWarmedCounterScoresAsIfFedItsHistoryFirst() throws {
        let samples = counterSamples(hours: 30, step: Self.step, start: Self.start, restarts: [12.5]) { hour in
            50 + 30 * sin(hour / 24 * 2 * Double.pi)
        }
        let split = samples.count - 100
        var live = Array(samples[split...])
        for index in 20..<live.count { live[index].value += 400_000 }  // a burst of 400k requests in one step
        let (reference, warmed) = try expectSameAsFedInOrder(
            labels: Labels(metric: "http_requests_total", ["job": "api"]), history: Array(samples[..<split]), live: live, deferred: 12)
        #expect(reference.contains { $0.hasPrefix("firing auto") }, "the burst fires in the reference run: \(reference)")
        #expect(warmed == reference)
    }

    /// History that could not all be read is forgotten: the series scores as one that never
    /// had any.
    @Test func historyNotKeptLeavesTheSeriesAsIfItHadNone() throws {
        let labels = Labels(metric: "node_load1", ["instance": "a"])
        let all = Self.daily(days: 2, extra: 90)
        let live = Array(all[(2 * 1440)...])
        let cold = try Self.pipeline(warm: false, sink: Collector())
        var coldScores: [Double] = []
        for sample in live {
            cold.ingest(labels, timestamp: sample.timestamp, value: sample.value)
            coldScores.append(cold.lastScore)
        }
        let warm = try Self.pipeline(warm: true, sink: Collector())
        let ref = try #require(warm.series(for: labels))
        for sample in live.prefix(5) { warm.ingest(ref, timestamp: sample.timestamp, value: sample.value) }
        let ticket = try #require(warm.takeWarmCandidates(now: 0, patience: 0).first).ticket
        let history = all[..<1440]
        #expect(warm.applyHistory(ticket, timestamps: history.map(\.timestamp), values: history.map(\.value)) == 1440)
        #expect(warm.finishWarming(ticket, keepHistory: false))
        var warmScores: [Double] = []
        for sample in live.dropFirst(5) {
            warm.ingest(ref, timestamp: sample.timestamp, value: sample.value)
            warmScores.append(warm.lastScore)
        }
        #expect(warmScores == Array(coldScores.dropFirst(5)))
    }

    /// The ring is the buffer: when a waiting series' unscored samples fill it, they are all
    /// scored at once (unwarmed) and the series stops waiting; its history then has nowhere to go.
    @Test func liveSamplesOutrunningTheRingEndTheWait() throws {
        let labels = Labels(metric: "node_load1", ["instance": "a"])
        let warm = try Self.pipeline(warm: true, sink: Collector())
        let ref = try #require(warm.series(for: labels))
        let capacity = warm.store.ringCapacity
        let ticket = try {
            warm.ingest(ref, timestamp: Self.start, value: 1)
            warm.ingest(ref, timestamp: Self.start + Self.step, value: 1)
            return try #require(warm.takeWarmCandidates(now: 0, patience: 0).first).ticket
        }()
        for index in 2..<(capacity - 1) { warm.ingest(ref, timestamp: Self.start + Int64(index) * Self.step, value: 1) }
        #expect(warm.isWarming(ref))
        #expect(warm.statistics.scoredSamples == 0)
        warm.ingest(ref, timestamp: Self.start + Int64(capacity - 1) * Self.step, value: 1)
        #expect(!warm.isWarming(ref))
        #expect(warm.statistics.scoredSamples == capacity * 2, "every sample scored once by both rules")
        #expect(warm.takeWarmEndedEarly() == 1)
        #expect(warm.takeWarmEndedEarly() == 0)
        #expect(warm.applyHistory(ticket, timestamps: [Self.start - Self.step], values: [1]) == nil)
        #expect(!warm.finishWarming(ticket, keepHistory: true))
        #expect(warm.statistics.scoredSamples == capacity * 2, "nothing scored twice")
    }

    /// A series evicted while it waits takes its wait with it; a new series in the same slot
    /// has a ticket of its own, and the old ticket's history is refused.
    @Test func anEvictedSeriesTicketIsNotTheNextTenants() throws {
        let warm = try Self.pipeline(warm: true, sink: Collector())
        let first = try #require(warm.series(for: Labels(metric: "node_load1", ["instance": "a"])))
        warm.ingest(first, timestamp: Self.start, value: 1)
        let old = try #require(warm.takeWarmCandidates(now: 0, patience: 0).first).ticket
        warm.remove(first, at: Self.start)
        #expect(warm.takeWarmEndedEarly() == 1)
        #expect(warm.warmingSeriesCount == 0)
        let second = try #require(warm.series(for: Labels(metric: "node_load1", ["instance": "b"])))
        #expect(second == first, "the slot is reused")
        warm.ingest(second, timestamp: Self.start, value: 1)
        #expect(warm.applyHistory(old, timestamps: [Self.start - Self.step], values: [1]) == nil)
        #expect(!warm.finishWarming(old, keepHistory: true))
        #expect(warm.isWarming(second))
        let fresh = try #require(warm.takeWarmCandidates(now: 0, patience: 0).first)
        #expect(fresh.ticket != old)
        #expect(fresh.labels["instance"] == "b")
    }

    /// One sample and no second within the patience: handed out then, with no second timestamp.
    @Test func aSeriesWithOneSampleIsHandedOutAfterThePatience() throws {
        let warm = try Self.pipeline(warm: true, sink: Collector())
        let ref = try #require(warm.series(for: Labels(metric: "node_load1", ["instance": "a"])))
        #expect(warm.takeWarmCandidates(now: 1_000, patience: 60_000).isEmpty, "no sample yet")
        warm.ingest(ref, timestamp: Self.start, value: 1)
        #expect(warm.takeWarmCandidates(now: 2_000, patience: 60_000).isEmpty, "patience counts from the first look")
        #expect(warm.takeWarmCandidates(now: 60_999, patience: 60_000).isEmpty)
        let candidate = try #require(warm.takeWarmCandidates(now: 61_000, patience: 60_000).first)
        #expect(candidate.secondTimestamp == nil)
        #expect(candidate.firstTimestamp == Self.start)
    }

    /// A stale marker while waiting: the samples so far are scored, then the series goes stale
    /// as usual.
    @Test func aStaleMarkerEndsTheWait() throws {
        let warm = try Self.pipeline(warm: true, sink: Collector())
        let ref = try #require(warm.series(for: Labels(metric: "node_load1", ["instance": "a"])))
        warm.ingest(ref, timestamp: Self.start, value: 1)
        warm.ingest(ref, timestamp: Self.start + Self.step, value: 2)
        #expect(warm.ingest(ref, timestamp: Self.start + 2 * Self.step, value: StaleMarker.value) == .stale)
        #expect(!warm.isWarming(ref))
        #expect(warm.statistics.scoredSamples == 4)
        #expect(warm.takeWarmEndedEarly() == 1)
    }

    /// Replay and pipelines that do not ask for it never wait.
    @Test func offByDefault() throws {
        let pipeline = Pipeline(rules: RuleSet(rules: []))
        let ref = try #require(pipeline.series(for: Labels(metric: "x")))
        #expect(!pipeline.isWarming(ref))
        pipeline.ingest(ref, timestamp: Self.start, value: 1)
        #expect(pipeline.statistics.scoredSamples == 1)
        #expect(pipeline.takeWarmCandidates(now: 0, patience: 0).isEmpty)
    }
}
