import AIOpsCore
import Detectors
import Foundation
import Incidents
import Rules
import Store
import Testing
@testable import Pipeline

/// A change of rules under a running pipeline (a reload) or between a snapshot and a start:
/// bindings of unchanged rules keep their learned state exactly, new or changed rules start
/// fresh, bindings of rules that are gone are released and their incidents resolved.
@Suite struct RebindTests {
    static func rules(_ json: String) throws -> RuleSet { try RuleSet.parse(#"{"rules": ["# + json + "]}", file: "test.json") }

    static let seasonal = #"{"name": "load-shape", "selector": "load", "detector": {"kind": "seasonal"}}"#
    static let ewma = #"{"name": "load-jump", "selector": "load", "detector": {"kind": "ewma", "direction": "up"}}"#
    static let ewmaChanged = #"{"name": "load-jump", "selector": "load", "detector": {"kind": "ewma", "direction": "up"}, "threshold": 0.9}"#
    static let queue = #"{"name": "queue-jump", "selector": "queue_depth", "detector": {"kind": "ewma", "direction": "up"}}"#

    let load = Labels(metric: "load", ["job": "api"])
    let queueDepth = Labels(metric: "queue_depth", ["queue": "payments"])
    let other = Labels(metric: "other", ["job": "x"])
    static let start: Timestamp = 1_700_000_000_000

    /// Two days at 5-minute steps of a daily curve with noise, for three series.
    func samples(_ range: Range<Int>) -> [(Labels, Timestamp, Double)] {
        var out: [(Labels, Timestamp, Double)] = []
        for i in range {
            var rng = SplitMix64(seed: UInt64(i))
            let t = Self.start + Int64(i) * 300_000
            let phase = Double(i % 288) / 288 * 2 * Double.pi
            out.append((load, t, 100 + 40 * sin(phase) + rng.gaussian() * 3))
            out.append((queueDepth, t, 20 + rng.gaussian()))
            out.append((other, t, 5 + rng.gaussian() * 0.1))
        }
        return out
    }

    func feed(_ pipeline: Pipeline, _ samples: [(Labels, Timestamp, Double)]) -> [Labels: [Double]] {
        var scores: [Labels: [Double]] = [:]
        for (labels, t, value) in samples {
            pipeline.ingest(labels, timestamp: t, value: value)
            scores[labels, default: []].append(pipeline.lastScore)
        }
        return scores
    }

    /// The detector state bytes of `labels`' binding to rule `name`.
    func state(_ pipeline: Pipeline, _ labels: Labels, rule name: String) -> [UInt8]? {
        guard let ref = pipeline.store.lookup(labels) else { return nil }
        let start = Int(pipeline.bindingStart[Int(ref.index)])
        for index in start..<(start + Int(pipeline.bindingCount[Int(ref.index)])) where pipeline.rules[Int(pipeline.bindings[index].rule)].name == name {
            return pipeline.detectors.stateBytes(of: pipeline.bindings[index].detector)
        }
        return nil
    }

    func ruleNames(_ pipeline: Pipeline, _ labels: Labels) -> [String] {
        guard let ref = pipeline.store.lookup(labels) else { return [] }
        let start = Int(pipeline.bindingStart[Int(ref.index)])
        return (start..<(start + Int(pipeline.bindingCount[Int(ref.index)]))).map { pipeline.rules[Int(pipeline.bindings[$0].rule)].name }
    }

    @Test func unchangedRulesKeepTheirStateAndChangedOnesStartFresh() throws {
        let before = try Self.rules([Self.seasonal, Self.ewma].joined(separator: ","))
        // load-jump changed (threshold), load-shape moved behind it, queue-jump new.
        let after = try Self.rules([Self.ewmaChanged, Self.queue, Self.seasonal].joined(separator: ","))
        let part1 = samples(0..<432)  // a day and a half
        let part2 = samples(432..<576)

        let running = Pipeline(rules: before)
        _ = feed(running, part1)
        let (rebound, summary) = Pipeline.rebinding(running, to: after, at: Self.start + 432 * 300_000)
        // load: shape kept, jump fresh (old dropped); queue_depth: auto dropped, queue-jump fresh;
        // other: auto kept.
        #expect(summary.kept == 2 && summary.fresh == 2 && summary.dropped == 2, "\(summary)")
        #expect(ruleNames(rebound, load) == ["load-jump", "load-shape"])
        #expect(ruleNames(rebound, queueDepth) == ["queue-jump"])
        #expect(ruleNames(rebound, other) == ["auto"])
        let reboundScores = feed(rebound, part2)

        // An uninterrupted run under the old rules: the same seasonal state, and the same auto scores.
        let uninterrupted = Pipeline(rules: before)
        _ = feed(uninterrupted, part1)
        let uninterruptedScores = feed(uninterrupted, part2)
        let shape = try #require(state(rebound, load, rule: "load-shape"))
        #expect(shape == state(uninterrupted, load, rule: "load-shape"), "the unchanged seasonal rule kept its warm state")
        #expect(reboundScores[other] == uninterruptedScores[other], "the auto binding scores as if nothing happened")
        #expect(rebound.store.sampleCount(rebound.store.lookup(load)!) == uninterrupted.store.sampleCount(uninterrupted.store.lookup(load)!))

        // The changed and the new rule: as fresh detectors fed only what came after the reload.
        let fresh = Pipeline(rules: try Self.rules([Self.ewmaChanged, Self.queue].joined(separator: ",")))
        let freshScores = feed(fresh, part2)
        #expect(state(rebound, load, rule: "load-jump") == state(fresh, load, rule: "load-jump"))
        #expect(state(rebound, queueDepth, rule: "queue-jump") == state(fresh, queueDepth, rule: "queue-jump"))
        #expect(reboundScores[queueDepth] == freshScores[queueDepth])
        #expect(state(rebound, load, rule: "load-jump") != state(uninterrupted, load, rule: "load-jump"), "the changed rule did restart")
    }

    @Test func aSnapshotRestoredUnderChangedRulesEqualsARebindingRun() throws {
        let before = try Self.rules([Self.seasonal, Self.ewma].joined(separator: ","))
        let after = try Self.rules([Self.ewmaChanged, Self.queue, Self.seasonal].joined(separator: ","))
        let part1 = samples(0..<432)
        let part2 = samples(432..<576)
        let at = Self.start + 432 * 300_000

        let running = Pipeline(rules: before)
        _ = feed(running, part1)
        let image = running.capture()
        let fingerprints = running.ruleFingerprints
        let (rebound, _) = Pipeline.rebinding(running, to: after, at: at)
        let reboundScores = feed(rebound, part2)

        let restored = Pipeline(rules: after)
        #expect(restored.problem(restoring: image) == nil || restored.problem(restoring: image, ruleCount: fingerprints.count) == nil)
        let summary = restored.restore(image, ruleFingerprints: fingerprints, at: at)
        #expect(summary.kept == 2 && summary.fresh == 2 && summary.dropped == 2)
        let restoredScores = feed(restored, part2)
        #expect(restoredScores == reboundScores)
        for (labels, rule) in [(load, "load-shape"), (load, "load-jump"), (queueDepth, "queue-jump"), (other, "auto")] {
            #expect(state(restored, labels, rule: rule) == state(rebound, labels, rule: rule), "\(rule)")
        }
    }

    @Test func theSameRulesKeepEveryBindingAsItIs() throws {
        let rules = try Self.rules([Self.seasonal, Self.ewma, Self.queue].joined(separator: ","))
        let running = Pipeline(rules: rules)
        _ = feed(running, samples(0..<300))
        let uninterrupted = Pipeline(rules: rules)
        _ = feed(uninterrupted, samples(0..<300))
        let (rebound, summary) = Pipeline.rebinding(running, to: rules, at: 0)
        #expect(summary.kept == 4 && summary.fresh == 0 && summary.dropped == 0)
        #expect(feed(rebound, samples(300..<400)) == feed(uninterrupted, samples(300..<400)))
    }

    @Test func aRemovedRuleResolvesItsFiringIncidentAndTheSeriesFallsBackToAuto() throws {
        let before = try Self.rules(Self.queue)
        let sink = Collector()
        let running = Pipeline(rules: before, sink: sink)
        var t = Self.start
        for i in 0..<60 {
            running.ingest(queueDepth, timestamp: t, value: 20 + Double(i % 3))
            t += 60_000
        }
        running.ingest(queueDepth, timestamp: t, value: 5000)
        #expect(running.firingIncidents.count == 1)

        let (rebound, summary) = Pipeline.rebinding(running, to: RuleSet(rules: []), at: t + 1)
        #expect(summary.dropped == 1 && summary.fresh == 1 && summary.kept == 0)
        let resolved = try #require(summary.resolved.first)
        #expect(summary.resolved.count == 1)
        #expect(resolved.rule == "queue-jump" && resolved.phase == .resolved && resolved.resolution == "rule changed or removed")
        #expect(rebound.openIncidents.isEmpty)
        #expect(rebound.recentlyResolved.last?.id == resolved.id)
        #expect(ruleNames(rebound, queueDepth) == ["auto"])
        // The pool reused the released state: nothing leaks across reloads.
        #expect(rebound.detectors.count == 1)
    }
}
