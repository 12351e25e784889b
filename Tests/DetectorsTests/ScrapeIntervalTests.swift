import AIOpsCore
import Foundation
import Testing
@testable import Detectors

/// The auto detector learns in event time: the same series scraped every 30 s or every 5
/// minutes gets the same verdict. (Its level, band scale and weekly scale once learned per
/// sample, so a 30-second scrape adapted ten times faster in hours than a 5-minute one.)
@Suite struct ScrapeIntervalTests {
    @Test func timeRateIsTheWeightOfASampleDtSecondsOn() {
        #expect(Calibration.timeRate(dt: 300, seconds: 5_700) == 0.05)
        #expect(Calibration.timeRate(dt: 0, seconds: 5_700) == 0)
        #expect(Calibration.timeRate(dt: -5, seconds: 5_700) == 0)
        // A scrape gap counts as one hour at most.
        #expect(Calibration.timeRate(dt: 86_400, seconds: 60_000) == Calibration.timeRate(dt: 3_600, seconds: 60_000))
        // Ten 30-second samples move an average about as far as one 5-minute sample.
        let tenSmall = 1 - pow(1 - Calibration.timeRate(dt: 30, seconds: 60_000), 10)
        #expect(abs(tenSmall - Calibration.timeRate(dt: 300, seconds: 60_000)) < 1e-4)
    }

    /// Three days of a daily curve, then two hours 20 % above it: the band's σ grows by about
    /// as much at a 15-second step as at a 5-minute one. (Per sample, the 15-second band took
    /// in 20 times as many residuals in those two hours and widened to accept the deviation.)
    @Test func theDailyBandsScaleGrowsInHoursNotSamples() {
        func growth(stepSeconds: Double) -> Double {
            var rng = SplitMix64(seed: 71)
            let days = 3.0
            let count = Int((days * 86_400 + 2 * 3_600) / stepSeconds)
            let deviation = Int(days * 86_400 / stepSeconds)
            let signal = Signal(count: count, stepSeconds: stepSeconds) { i, s in
                let curve = 100 + 50 * sin(2 * Double.pi * s / 86_400)
                return curve * (1 + 0.02 * rng.boxMuller()) * (i >= deviation ? 1.2 : 1)
            }
            var shape = PhaseProfile()
            var before = 0.0
            for i in signal.values.indices {
                let reading = shape.read(signal.values[i], at: signal.times[i])
                let sigma = shape.sigma(floor: 1e-9)
                if i == deviation { before = sigma }
                shape.observe(signal.values[i], at: signal.times[i], reading: reading, sigma: sigma)
            }
            return shape.sigma(floor: 1e-9) / before
        }
        let slow = growth(stepSeconds: 300)
        let fast = growth(stepSeconds: 15)
        #expect(slow > 1)
        #expect(fast < 1.5 * slow, "σ grew \(fast)x at 15 s, \(slow)x at 5 min")
    }

    /// A small-hours cron job (the level 1.6 times its usual 0.25 for 30 minutes) on a
    /// business-day CPU curve: not an incident at a 5-minute scrape, and not at a 30-second one
    /// either. With a per-sample EWMA the 30-second level was a 10-minute mean whose σ was the
    /// sample noise alone, and the job's first sample scored 0.62.
    @Test func aNightlyCronStepIsNotNewsAtA30SecondScrapeEither() {
        func wobbleScore(stepSeconds: Double) -> Double {
            var rng = SplitMix64(seed: 72)
            let day = 86_400.0
            let wobble = (7 * day + 40 * 60)..<(7 * day + 70 * 60)
            let signal = Signal(count: Int(7.5 * day / stepSeconds), stepSeconds: stepSeconds) { _, s in
                let hour = s.truncatingRemainder(dividingBy: day) / 3_600
                let curve = 0.25 + 1.45 * max(0, sin(Double.pi * (hour - 7) / 12))
                return curve * (1 + 0.05 * rng.boxMuller()) * (wobble.contains(s) ? 1.6 : 1)
            }
            let out = signal.run(.auto)
            let first = Int(wobble.lowerBound / stepSeconds)
            return out.maxScore(first..<Int(wobble.upperBound / stepSeconds))
        }
        #expect(wobbleScore(stepSeconds: 300) < 0.5)
        #expect(wobbleScore(stepSeconds: 30) < 0.5)
    }
}

extension ScrapeIntervalTests {
    /// A process's CPU at a 1-minute scrape: 0.3 at night, 0.9 by day, a 45-minute job at 3.6
    /// every night at 02:00. The daily shape's record must hold what its residuals are once the
    /// band's scale has seen a day, not what they looked like against a scale learned from the
    /// first night's 50 samples: that record held 268 σ (the second night's job, a little off
    /// the first night's band) and left the shape deaf for weeks; now it holds about 60, what
    /// the job's own noise is in σ of the quieter night's band.
    @Test func theShapeRecordLearnsOnlyFromAScaleThatHasSeenADay() {
        var rng = SplitMix64(seed: 73)
        let day = 1_440
        let signal = Signal(count: 5 * day, stepSeconds: 60) { i, _ in
            let hour = Double(i % day) / 60
            let curve = 0.3 + 0.6 * max(0, sin(Double.pi * (hour - 7) / 12))
            let job = hour >= 2 && hour < 2.75 ? 3.6 : curve
            return job * (1 + 0.05 * rng.boxMuller())
        }
        var detector = AutoDetector()
        for i in signal.values.indices {
            _ = detector.update(timestamp: signal.times[i], value: signal.values[i], spec: .auto)
        }
        #expect(detector.shapeRecord.second > 0)
        #expect(detector.shapeRecord.second < 120, "shape record \(detector.shapeRecord.second)")
    }
}
