import AIOpsCore
import Foundation
import Testing
@testable import Detectors

/// The daily band spans a bucket and its neighbours, so an edge half an hour early or late is
/// normal. A 45-minute job at 02:00 lies inside that band (the half hour before it is quiet), so
/// a night it did not run was inside the band too: `nightly-job-missing` in the scenario corpus
/// was missed at every scrape interval. Once each half hour has been seen for a week, the band
/// is narrowed to what that half hour has shown itself.
@Suite struct PhaseProfileTests {
    static let day = 86_400.0
    /// Midnight UTC, 2026-03-02.
    static let start: Timestamp = 1_772_409_600_000

    /// A process's CPU rate at a 1-minute step: 0.3 with 5 % noise, 3.6 from 02:00 to 02:45,
    /// except on the night of day `missingDay` (0-based).
    static func nightlyJob(days: Int, missingDay: Int, seed: UInt64 = 101) -> Signal {
        var rng = SplitMix64(seed: seed)
        return Signal(count: days * Int(day / 60), stepSeconds: 60, start: start) { _, s in
            let hour = s.truncatingRemainder(dividingBy: day) / 3_600
            let runs = Int(s / day) != missingDay && hour >= 2 && hour < 2.75
            return (runs ? 3.6 : 0.3) * (1 + 0.05 * rng.boxMuller())
        }
    }

    @Test func aNightlyJobThatDoesNotRunIsNewsOnceAWeekOfNightsIsKnown() {
        let missing = 9
        let out = Self.nightlyJob(days: 11, missingDay: missing).run(.auto)
        let night = missing * 1_440 + 120
        let found = out.maxScore(night..<night + 45)
        #expect(found >= 0.5, "the missing job scores \(found)")
        // And nothing else is news: not the job's nights, nor the quiet hours between them.
        let before = out.maxScore(1_440..<night)
        let after = out.maxScore(night + 45 + 60..<out.count)
        #expect(before < 0.5 && after < 0.5, "before \(before), after \(after)")
    }

    @Test func theBandNarrowsToWhatItsHalfHourHasShownAfterAWeek() {
        // The profile alone: at 02:15 the job's bucket (02:00 to 02:30) spans its neighbours,
        // the quiet half hour before it included, until a week of its own nights is known.
        let signal = Self.nightlyJob(days: 10, missingDay: 99)
        var profile = PhaseProfile()
        var envelope = ValueEnvelope()
        var residualAt0215: [Int: Double] = [:]
        var last = signal.times[0]
        for (t, x) in zip(signal.times, signal.values) {
            let range = (low: envelope.low, high: envelope.high)
            let dayIndex = Int((t - Self.start) / PhaseProfile.dayMs)
            if (t - Self.start) % PhaseProfile.dayMs == 135 * 60_000 {
                // The job's bucket, read with a quiet value.
                residualAt0215[dayIndex] = profile.read(0.3, at: t, range: range).residual
            }
            let reading = profile.read(x, at: t, range: range)
            profile.observe(x, at: t, reading: reading, sigma: 0.05, range: range)
            envelope.observe(x, dt: Double(t - last) / 1000)
            last = t
        }
        // Days 2 to 7: the band reaches down to the quiet half hour, so a quiet value is inside.
        for d in 2...7 { #expect(abs(residualAt0215[d] ?? .nan) < 0.1, "day \(d): \(residualAt0215[d] ?? .nan)") }
        // From the ninth day: the half hour has only ever been busy, so it is 3 below the band.
        #expect((residualAt0215[8] ?? 0) < -2.5 && (residualAt0215[9] ?? 0) < -2.5, "\(residualAt0215)")
    }

    @Test func theSeenRangesDrawInWithTheRangesHalfLife() {
        // A literal (a computed `static let` costs a `swift_once` per read): ln 2 / 35 visits.
        #expect(abs(PhaseProfile.seenDrawPerVisit - log(2) / 35) < 1e-9)
        #expect(abs(ValueEnvelope.halfLifeSeconds / 86_400 - 35) < 1e-9)
    }

    @Test func anEdgeThatWandersKeepsItsBand() {
        // Replicas scaled from 3 to 6 within half an hour of 08:00 and back within half an hour
        // of 20:00, two weeks at a 1-minute step (the corpus's `autoscaled-replicas`): each half
        // hour the edges wander over has shown both levels within a week, so narrowing the band
        // to its own history must not make an early or late edge an incident.
        for seed in [UInt64(3022), 7, 8] {
            var rng = SplitMix64(seed: seed)
            var up = 0.0, down = 0.0
            let signal = Signal(count: 14 * 1_440, stepSeconds: 60, start: Self.start) { i, s in
                if i % 1_440 == 0 {
                    up = 7.5 + Double.random(in: 0..<1, using: &rng)
                    down = 19.5 + Double.random(in: 0..<1, using: &rng)
                }
                let hour = s.truncatingRemainder(dividingBy: Self.day) / 3_600
                return hour >= up && hour < down ? 6 : 3
            }
            let out = signal.run(.auto)
            let score = out.maxScore(3 * 1_440..<out.count)
            #expect(score < 0.5, "seed \(seed): max score \(score) from day 4")
        }
    }
}
