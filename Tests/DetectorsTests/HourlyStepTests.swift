import AIOpsCore
import Foundation
import Testing
@testable import Detectors

/// A series sampled every hour visits every other half-hour bucket of the daily profile. The
/// band once needed a bucket's two neighbours visited, so at an hourly step it was never
/// ready and the daily shape never scored: a drop unusual for the hour went unseen.
@Suite struct HourlyStepTests {
    /// The bit scan agrees with walking the buckets one by one.
    @Test func visitedNeighbourIsTheNearestVisitedBucketEachSide() {
        var rng = SplitMix64(seed: 81)
        let n = PhaseProfile.buckets
        for _ in 0..<500 {
            var mask = UInt64.random(in: 0...UInt64.max, using: &rng) & ((1 << UInt64(n)) - 1)
            if Bool.random(using: &rng) { mask &= UInt64.random(in: 0...UInt64.max, using: &rng) }
            for k in 0..<n {
                func walk(_ step: Int) -> Int? {
                    var j = k
                    for _ in 1..<n {
                        j = (j + step + n) % n
                        if mask & (1 << UInt64(j)) != 0 { return j }
                    }
                    return nil
                }
                #expect(PhaseProfile.visitedNeighbour(of: k, below: true, in: mask) == walk(-1))
                #expect(PhaseProfile.visitedNeighbour(of: k, below: false, in: mask) == walk(1))
            }
        }
    }

    /// After a day of hourly samples the band is known, and half an hour wide each side: on
    /// the rising slope of a daily curve it spans the value half an hour before to half an
    /// hour after, not a whole hour each way.
    @Test func theBandIsReadyAtAnHourlyStep() {
        let signal = Signal(count: 48, stepSeconds: 3_600) { _, s in 100 + 50 * sin(2 * Double.pi * s / 86_400) }
        var shape = PhaseProfile()
        for i in signal.values.indices {
            let reading = shape.read(signal.values[i], at: signal.times[i])
            shape.observe(signal.values[i], at: signal.times[i], reading: reading, sigma: shape.sigma(floor: 1e-9))
        }
        let t = signal.times[47] + 3_600_000
        let reading = shape.read(100, at: t)
        #expect(reading.ready)
        // The curve moves up to 13 per hour; the band spans about an hour of it, not two.
        #expect(reading.high - reading.low < 16, "band \(reading.low)...\(reading.high)")
    }

    /// A request rate with a daily curve, sampled hourly, falls to a fifth at its afternoon
    /// peak on day 8, still above the night's level: an incident, and none before it.
    @Test func aDropAtThePeakIsFoundAtAnHourlyStep() {
        var rng = SplitMix64(seed: 82)
        let day = 86_400.0
        let drop = 7 * day + 15 * 3_600
        let signal = Signal(count: 8 * 24, stepSeconds: 3_600) { _, s in
            let hour = s.truncatingRemainder(dividingBy: day) / 3_600
            let curve = 60 + 840 * max(0, sin(Double.pi * (hour - 6) / 16))
            return curve * (1 + 0.04 * rng.boxMuller()) * (s == drop ? 0.2 : 1)
        }
        let out = signal.run(.auto)
        let at = Int(drop / 3_600)
        #expect(out[at].score >= 0.5, "score at the drop \(out[at].score)")
        #expect(out.maxScore(0..<at) < 0.5, "before: \(out.maxScore(0..<at))")
    }

    /// An hourly random walk sets records by ordinary steps. In its first days the range's
    /// tail had seen a few dozen samples and no excess, so it called the first records
    /// improbable: the first days after warm-up alarmed on half of these walks. The tail now
    /// counts once the range has seen `rangeTailMinSamples`; until then a new extreme must
    /// also be an improbable move, which a random walk's step is not.
    @Test func anHourlyRandomWalksFirstRecordsAreNotNews() {
        let hours = AutoDetector.rangeTailMinSamples
        var alarmed: [UInt64] = []
        for seed in UInt64(1)...20 {
            var rng = SplitMix64(seed: 800 + seed)
            var level = 100.0
            let signal = Signal(count: hours, stepSeconds: 3_600) { _, _ in
                level += rng.boxMuller()
                return level
            }
            // New extremes only (the range's evidence reports as `.auto`): how far a walk
            // wanders from its level is the volatility's business.
            if signal.run(.auto).contains(where: { $0.detector == .auto && $0.score >= 0.5 }) { alarmed.append(seed) }
        }
        #expect(alarmed.isEmpty, "new extremes alarmed: seeds \(alarmed)")
    }

    /// ...while a spike far beyond the range and the noise still is, in those same first days.
    @Test func anHourlySpikeInTheFirstDaysIsStillFound() {
        var rng = SplitMix64(seed: 83)
        let spike = 4 * 24 + 13
        let signal = Signal(count: 6 * 24, stepSeconds: 3_600) { i, _ in
            100 + 2 * rng.boxMuller() + (i == spike ? 60 : 0)
        }
        let out = signal.run(.auto)
        #expect(out[spike].score >= 0.5, "score at the spike \(out[spike].score)")
        #expect(out.maxScore(0..<spike) < 0.5, "before: \(out.maxScore(0..<spike))")
    }

    /// A business series sampled hourly from a Monday: its first Saturday, a third of the
    /// weekdays' level at the afternoon peak, was an incident at its first morning hour (the
    /// daily band had seen only weekdays). A weekend day is judged once a week has been seen.
    @Test func aBusinessSeriesFirstWeekendIsNotAnIncidentAtAnHourlyStep() {
        var rng = SplitMix64(seed: 84)
        let monday: Timestamp = 1_772_409_600_000   // 2026-03-02 00:00 UTC
        let day = 86_400.0
        let signal = Signal(count: 9 * 24, stepSeconds: 3_600, start: monday) { _, s in
            let hour = s.truncatingRemainder(dividingBy: day) / 3_600
            let weekend = Int(s / day) % 7 >= 5
            let peak = weekend ? 70.0 : 200
            let curve = hour >= 6 && hour <= 23 ? 20 + (peak - 20) * pow(sin(Double.pi * (hour - 6) / 17), 1.5) : 20
            return curve * (1 + 0.05 * rng.boxMuller())
        }
        let out = signal.run(.auto)
        #expect(out.maxScore(0..<out.count) < 0.5, "max score \(out.maxScore(0..<out.count))")
    }

    /// Saturdays and Sundays in UTC, before and after 1970.
    @Test func weekendsAreSaturdayAndSundayInUTC() {
        #expect(!WeekProfile.isWeekend(1_772_409_600_000))        // Monday 2026-03-02
        #expect(WeekProfile.isWeekend(1_772_841_600_000))         // Saturday 2026-03-07 00:00
        #expect(WeekProfile.isWeekend(1_773_014_399_000))         // Sunday 2026-03-08 23:59:59
        #expect(!WeekProfile.isWeekend(1_773_014_400_000))        // Monday 2026-03-09
        #expect(WeekProfile.isWeekend(-432_000_000))              // Saturday 1969-12-27
        #expect(!WeekProfile.isWeekend(-259_200_000))             // Monday 1969-12-29
        #expect(!WeekProfile.isWeekend(-1))                       // Wednesday 1969-12-31
    }
}
