import Testing
@testable import Incidents

@Suite struct IncidentTrackerTests {
    /// Feeds (timestamp in seconds, anomalous) pairs and collects the transitions.
    func run(_ samples: [(Int64, Bool)], for forSeconds: Int64, resolveAfter: Int64) -> [(Int64, IncidentTracker.Transition)] {
        var tracker = IncidentTracker()
        var out: [(Int64, IncidentTracker.Transition)] = []
        for (t, anomalous) in samples {
            if let transition = tracker.observe(timestamp: t * 1000, anomalous: anomalous, forDuration: forSeconds * 1000, resolveAfter: resolveAfter * 1000) {
                out.append((t, transition))
            }
        }
        return out
    }

    func steps(_ range: StrideThrough<Int64>, _ anomalous: Bool) -> [(Int64, Bool)] { range.map { ($0, anomalous) } }

    @Test func firesAfterForAndResolvesAfterQuiet() {
        let samples = steps(stride(from: 0, through: 60, by: 15), false)
            + steps(stride(from: 75, through: 400, by: 15), true)
            + steps(stride(from: 415, through: 1200, by: 15), false)
        let transitions = run(samples, for: 300, resolveAfter: 600)
        #expect(transitions.map(\.1) == [.started, .fired, .resolved])
        #expect(transitions[0].0 == 75)
        #expect(transitions[1].0 == 375, "fires at the first sample >= start + for")
        #expect(transitions[2].0 == 1015, "resolves 600 s after the first normal sample at 415")
    }

    @Test func zeroForFiresOnFirstAnomaly() {
        let transitions = run([(0, false), (15, true), (30, false), (45, false)], for: 0, resolveAfter: 15)
        #expect(transitions.map(\.1) == [.fired, .resolved])
        #expect(transitions[0].0 == 15)
        #expect(transitions[1].0 == 45)
    }

    @Test func shortAnomalyIsCancelledNeverFired() {
        let samples = steps(stride(from: 0, through: 60, by: 15), true) + steps(stride(from: 75, through: 600, by: 15), false)
        let transitions = run(samples, for: 600, resolveAfter: 600)
        #expect(transitions.map(\.1) == [.started, .cancelled])
        #expect(transitions[1].0 == 75 + 150, "cancelled after a quarter of `for` of quiet")
    }

    @Test func pendingSurvivesShortDips() {
        var samples: [(Int64, Bool)] = []
        for t in stride(from: Int64(0), through: 900, by: 15) {
            samples.append((t, t % 120 != 0)) // one normal sample every 2 minutes
        }
        let transitions = run(samples, for: 600, resolveAfter: 600)
        #expect(transitions.map(\.1) == [.started, .fired])
    }

    @Test func firingSurvivesDipsShorterThanResolveAfter() {
        var samples = steps(stride(from: 0, through: 100, by: 10), true)
        samples += steps(stride(from: 110, through: 200, by: 10), false)
        samples += steps(stride(from: 210, through: 300, by: 10), true)
        samples += steps(stride(from: 310, through: 800, by: 10), false)
        let transitions = run(samples, for: 0, resolveAfter: 300)
        #expect(transitions.map(\.1) == [.fired, .resolved])
        #expect(transitions[1].0 == 610)
    }

    @Test func seriesGoingAwayEndsOpenIncidents() {
        var firing = IncidentTracker()
        _ = firing.observe(timestamp: 0, anomalous: true, forDuration: 0, resolveAfter: 1000)
        #expect(firing.seriesWentAway() == .resolved)
        #expect(firing.phase == .normal)
        var pending = IncidentTracker()
        _ = pending.observe(timestamp: 0, anomalous: true, forDuration: 5000, resolveAfter: 1000)
        #expect(pending.seriesWentAway() == .cancelled)
        var normal = IncidentTracker()
        #expect(normal.seriesWentAway() == nil)
    }
}
