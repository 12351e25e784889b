import AIOpsCore
import Foundation
import Testing
@testable import Detectors

@Suite struct SeasonalDetectorTests {
    /// 5 days of a daily sinusoid (100 ± 10, noise σ 0.5) with a +6 spike on day 4 near the
    /// trough: the spike's value (≈ 96) lies well inside the daily range [90, 110].
    func sinusoidWithSpike(step: Double) -> (Signal, spike: Int, perDay: Int) {
        var rng = SplitMix64(seed: 9)
        let perDay = Int(86_400 / step)
        let spike = 3 * perDay + perDay * 3 / 4
        let signal = Signal(count: 5 * perDay, stepSeconds: step) { i, s in
            100 + 10 * sin(2 * .pi * s / 86_400) + 0.5 * rng.boxMuller() + (i == spike ? 6 : 0)
        }
        return (signal, spike, perDay)
    }

    @Test(arguments: [(300.0, SeasonalPeriod.daily), (15.0, .daily), (300.0, .auto), (15.0, .auto)])
    func catchesSpikeInsideTheDailyRange(step: Double, period: SeasonalPeriod) {
        let (signal, spike, perDay) = sinusoidWithSpike(step: step)
        #expect(signal.values[spike] < 100 && signal.values[spike] > 90)
        let spec = DetectorSpec(kind: .seasonal, period: period)
        var detector = SeriesDetector(spec: spec)
        var scores: [Double] = []
        for i in signal.values.indices {
            scores.append(detector.update(timestamp: signal.times[i], value: signal.values[i], spec: spec, limit: .nan).score)
        }
        #expect(scores[spike] >= 0.5)
        // Quiet on the normal cycles once it scores (after the first day).
        let normal = (perDay..<signal.values.count).filter { $0 != spike }.map { scores[$0] }.max() ?? 1
        #expect(normal < 0.3)
        #expect(detector.seasonal.model == 1)
    }

    @Test func bucketsDoNotDependOnTheStep() {
        // The same daily shape learned from 15 s and 5 min samples gives nearly the same profile.
        var profiles: [[Float]] = []
        for step in [15.0, 300.0] {
            let (signal, _, _) = sinusoidWithSpike(step: step)
            let spec = DetectorSpec(kind: .seasonal, period: .daily)
            var detector = SeriesDetector(spec: spec)
            for i in signal.values.indices {
                _ = detector.update(timestamp: signal.times[i], value: signal.values[i], spec: spec, limit: .nan)
            }
            profiles.append((0..<SeasonalDetector.dailyBuckets).map { detector.seasonal.daily[$0] })
        }
        let worst = zip(profiles[0], profiles[1]).map { abs($0 - $1) }.max() ?? 99
        #expect(worst < 1.5)
        #expect((profiles[0].max() ?? 0) > 8)
    }

    @Test func autoFindsNoSeasonInNoise() {
        var rng = SplitMix64(seed: 10)
        let signal = Signal(count: 4 * 288, stepSeconds: 300) { _, _ in 50 + 2 * rng.boxMuller() }
        let spec = DetectorSpec(kind: .seasonal)
        var detector = SeriesDetector(spec: spec)
        var top = 0.0
        for i in signal.values.indices {
            top = max(top, detector.update(timestamp: signal.times[i], value: signal.values[i], spec: spec, limit: .nan).score)
        }
        #expect(detector.seasonal.model == 0)
        #expect(top < 0.3)
    }

    @Test func weeklyPeriodLearnsTheWeekend() {
        // A daytime hump of 60 on weekdays and 20 on weekends (nights alike).
        var rng = SplitMix64(seed: 11)
        let start: Timestamp = 1_700_006_400_000 // a Wednesday 00:00 UTC
        let signal = Signal(count: 22 * 96, stepSeconds: 900, start: start) { _, s in
            let day = Int(s / 86_400) % 7
            let hump = day == 3 || day == 4 ? 20.0 : 60.0
            return 50 + hump * (1 - cos(2 * .pi * s / 86_400)) / 2 + rng.boxMuller()
        }
        let spec = DetectorSpec(kind: .seasonal, period: .weekly)
        var detector = SeriesDetector(spec: spec)
        var out: [DetectorOutput] = []
        for i in signal.values.indices { out.append(detector.update(timestamp: signal.times[i], value: signal.values[i], spec: spec, limit: .nan)) }
        #expect(detector.seasonal.model == 2)
        let thirdWeekend = (17 * 96)..<(19 * 96)
        #expect(out.maxScore(thirdWeekend) < 0.5)
        #expect(abs(out[17 * 96 + 48].expected - 70) < 5)
        // The daily model alone predicts the weekend noon worse.
        let daily = signal.run(DetectorSpec(kind: .seasonal, period: .daily))
        let noon = 17 * 96 + 48
        #expect(abs(out[noon].expected - 70) < abs(daily[noon].expected - 70))
        // Period `auto` finds the weekly model too once two weeks have been seen.
        let autoPeriod = DetectorSpec(kind: .seasonal, period: .auto)
        var auto = SeriesDetector(spec: autoPeriod)
        for i in signal.values.indices { _ = auto.update(timestamp: signal.times[i], value: signal.values[i], spec: autoPeriod, limit: .nan) }
        #expect(auto.seasonal.model == 2)
    }

    @Test func gapIsNotAnAnomaly() {
        var (signal, spike, perDay) = sinusoidWithSpike(step: 300)
        signal.values[spike] -= 6
        // Remove most of day 3: the phases stay aligned across the gap.
        let cut = (2 * perDay + 10)..<(2 * perDay + 250)
        signal.times.removeSubrange(cut)
        signal.values.removeSubrange(cut)
        let out = signal.run(DetectorSpec(kind: .seasonal, period: .daily))
        #expect(out.maxScore(perDay..<signal.values.count) < 0.5)
    }

    @Test func resetForGapKeepsTheProfile() {
        let (signal, _, perDay) = sinusoidWithSpike(step: 300)
        let spec = DetectorSpec(kind: .seasonal, period: .daily)
        var detector = SeriesDetector(spec: spec)
        for i in 0..<(3 * perDay) { _ = detector.update(timestamp: signal.times[i], value: signal.values[i], spec: spec, limit: .nan) }
        let peak = detector.seasonal.daily[12]
        detector.reset(.gap)
        #expect(detector.seasonal.daily[12] == peak)
        var top = 0.0
        for i in (3 * perDay)..<(3 * perDay + 100) {
            top = max(top, detector.update(timestamp: signal.times[i], value: signal.values[i] + 30, spec: spec, limit: .nan).score)
        }
        // After a gap the level is re-learned from the first sample: a new level is not an anomaly.
        #expect(top < 0.5)
        detector.reset(.stale)
        #expect(detector.seasonal.daily[12] == 0)
    }

    @Test func directionUpIgnoresADip() {
        var (signal, spike, _) = sinusoidWithSpike(step: 300)
        signal.values[spike] -= 12
        #expect(signal.run(DetectorSpec(kind: .seasonal, direction: .up, period: .daily))[spike].score < 0.1)
        #expect(signal.run(DetectorSpec(kind: .seasonal, direction: .down, period: .daily))[spike].score >= 0.5)
    }
}

@Suite struct SeasonalCalibrationTests {
    /// A 45-minute batch job at 02:00 every night: sharp edges the half-hour profile cannot
    /// follow make large residuals routine. Once the tail has seen a few nights they stop
    /// alarming, while a spike at noon several times the job's edges still does. (The tail is
    /// one for all phases: a noon spike as large as the job's edges is, by it, routine too.)
    @Test func aNightlyJobIsLearnedAndANewSpikeIsNot() {
        var rng = SplitMix64(seed: 61)
        let day = 288
        let start: Timestamp = 1_700_006_400_000  // a midnight UTC
        let spike = 9 * day + 144
        let signal = Signal(count: 10 * day, stepSeconds: 300, start: start) { i, s in
            let minute = Int(s.truncatingRemainder(dividingBy: 86_400) / 60)
            let batch = minute >= 120 && minute < 165 ? 1.2 : 0
            return 0.3 + batch + 0.02 * rng.boxMuller() + (i >= spike && i < spike + 3 ? 6 : 0)
        }
        let out = signal.run(DetectorSpec(kind: .seasonal, period: .daily))
        let lateNights = (4 * day)..<spike
        #expect(out.maxScore(lateNights) < 0.5)
        #expect(out[spike].score >= 0.5)
    }
}
