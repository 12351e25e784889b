import AIOpsCore
import Foundation
import Testing
@testable import Detectors

/// The state forecasts are built from: the tracker's medians and quantiles, the wobble
/// correction, and the bases the `auto` and seasonal detectors hand out.
@Suite struct ForecastBasisTests {
    static let day = 288  // samples per day at 5-minute steps
    static let start: Timestamp = 1_772_409_600_000  // 2026-03-02 00:00 UTC, a midnight

    /// Feeds `values` (5-minute steps from `start`) to a detector of `spec`'s kind.
    static func detector(_ spec: DetectorSpec, days: Double, value: (Int, Double) -> Double) -> SeriesDetector {
        var detector = SeriesDetector(spec: spec)
        for i in 0..<Int(days * Double(day)) {
            let seconds = Double(i) * 300
            _ = detector.update(timestamp: start + Int64(i) * 300_000, value: value(i, seconds), spec: spec, limit: .nan)
        }
        return detector
    }

    /// A daily wave: 100 + 40 sin(2π t / day) + 15 cos(4π t / day).
    static func wave(_ seconds: Double) -> Double {
        100 + 40 * sin(2 * .pi * seconds / 86_400) + 15 * cos(4 * .pi * seconds / 86_400)
    }

    // MARK: ForecastTracker

    @Test func trackerFindsTheMedianAndTheQuantilesOfNoise() {
        var rng = SplitMix64(seed: 7)
        var tracker = ForecastTracker()
        for i in 0..<(4 * Self.day) {
            tracker.observe(100 + 5 * rng.boxMuller(), expected: 0, level: 0, at: Self.start + Int64(i) * 300_000)
        }
        #expect(abs(tracker.flatLevel - 100) < 1)
        // A normal law's 10 % and 90 % quantiles are ∓1.2816 σ = ∓6.4.
        #expect(abs(Double(tracker.low) + 6.4) < 1.2)
        #expect(abs(Double(tracker.high) - 6.4) < 1.2)
        #expect(!tracker.seasonal)
    }

    /// A series at 0 with a spike one sample in twenty: the median stays at 0 where the mean
    /// would sit at 50, and the 90 % quantile stays below the spikes.
    @Test func trackerIgnoresSpikes() {
        var tracker = ForecastTracker()
        for i in 0..<(3 * Self.day) {
            tracker.observe(i % 20 == 0 ? 1000 : 0, expected: 0, level: 0, at: Self.start + Int64(i) * 300_000)
        }
        #expect(abs(tracker.flatLevel) < 5)
        #expect(tracker.high < 100)
    }

    /// With the detector's expectation right, the seasonal model wins and its offset is 0.
    @Test func trackerPrefersTheSeasonalModelWhenItIsBetter() {
        var rng = SplitMix64(seed: 8)
        var tracker = ForecastTracker()
        for i in 0..<(3 * Self.day) {
            let seconds = Double(i) * 300
            tracker.observe(Self.wave(seconds) + rng.boxMuller(), expected: Self.wave(seconds), level: 100, at: Self.start + Int64(i) * 300_000)
        }
        #expect(tracker.seasonal)
        #expect(abs(tracker.seasonalOffset) < 0.5)
        #expect(tracker.scale < 1.5)
    }

    /// A level that steps up by 10 at every midnight drifts 10 a day.
    @Test func trackerMeasuresTheDailyDrift() {
        var tracker = ForecastTracker()
        for i in 0..<(8 * Self.day) {
            tracker.observe(Double(10 * (i / Self.day)), expected: 0, level: 0, at: Self.start + Int64(i) * 300_000)
        }
        #expect(abs(Double(tracker.drift) - 10) < 1)
    }

    /// At 15-second steps the tracker learns from one sample a minute, and still finds the median.
    @Test func trackerLearnsOncePerMinute() {
        var rng = SplitMix64(seed: 11)
        var tracker = ForecastTracker()
        var learned = 0
        for i in 0..<(2 * 5760) {  // two days at 15 s
            let t = Self.start + Int64(i) * 15_000
            guard tracker.isDue(t) else { continue }
            tracker.observe(20 + rng.boxMuller(), expected: 0, level: 0, at: t)
            learned += 1
        }
        #expect(learned == 2 * 1440)
        #expect(Int(tracker.samples) == learned)
        #expect(abs(tracker.flatLevel - 20) < 0.3)
    }

    // MARK: WobbleCorrection

    /// A profile built as the correction's model says (shape minus β times the shape through
    /// the level's filter) gives the shape and the wobble back.
    @Test(arguments: [0.0, 0.5, 1.0])
    func wobbleCorrectionInvertsTheLevelFilter(absorbed beta: Double) {
        let n = 48
        let ratio = 1.0  // level τ over the period: a day over a day
        var shape = [Double](repeating: 0, count: n), wobble = shape, profile = shape
        for k in 0..<n {
            let theta = 2 * Double.pi * (Double(k) + 0.5) / Double(n)
            // s = 40 sin θ + 15 cos 2θ; the level's filter takes harmonic m to H_m = 1/(1 + 2πi m τ/T).
            shape[k] = 40 * sin(theta) + 15 * cos(2 * theta)
            var w = 0.0
            for (m, a, phase) in [(1, 40.0, -Double.pi / 2), (2, 15.0, 0.0)] {
                let x = 2 * Double.pi * Double(m) * ratio
                let gain = 1 / (1 + x * x).squareRoot(), lag = atan(x)
                w += a * gain * cos(Double(m) * theta + phase - lag)
            }
            wobble[k] = w
            profile[k] = shape[k] - beta * w
        }
        let corrected = WobbleCorrection.correct(profile, periodSeconds: 86_400, levelSeconds: 86_400, absorbed: beta)
        for k in 0..<n {
            #expect(abs(corrected.shape[k] - shape[k]) < 1e-9)
            #expect(abs(corrected.wobble[k] - wobble[k]) < 1e-9)
        }
    }

    // MARK: Bases

    @Test func profileReadsBetweenBucketCentres() {
        let profile = ForecastBasis.Profile(periodMs: 86_400_000, values: (0..<48).map(Double.init))
        #expect(profile.value(at: 900_000) == 0)  // bucket 0's centre, 00:15
        #expect(profile.value(at: 1_800_000) == 0.5)  // 00:30, halfway to bucket 1's centre
        #expect(abs(profile.value(at: 86_400_000 - 1) - 23.5) < 1e-3)  // 23:59:59.999, halfway from bucket 47 back to bucket 0
        #expect(profile.value(at: 86_400_000 + 900_000) == 0)  // the next day
    }

    /// Two days of a noiseless wave: no basis before, and after 10 days the `auto` detector's
    /// basis reproduces the next day within 3 % of its amplitude at every hour, though its
    /// level wobbles with the wave and its profile holds that wobble.
    @Test func autoBasisReproducesADailyWave() throws {
        let early = Self.detector(.auto, days: 1.9) { _, s in Self.wave(s) }
        #expect(early.forecastBasis(spec: .auto) == nil)
        let detector = Self.detector(.auto, days: 10) { _, s in Self.wave(s) }
        let basis = try #require(detector.forecastBasis(spec: .auto))
        #expect(basis.detector == .auto)
        #expect(basis.profiles.count == 1)
        var worst = 0.0
        for hour in 1...24 {
            let t = basis.origin + Int64(hour) * 3_600_000
            worst = max(worst, abs(basis.expected(at: t) - Self.wave(Double(t - Self.start) / 1000)))
        }
        #expect(worst < 0.03 * 55, "worst error \(worst)")
    }

    /// The rules' seasonal detector, daily period: the same within 10 % after a week (its
    /// profile learns winsorised, more slowly).
    @Test func seasonalBasisReproducesADailyWave() throws {
        let spec = DetectorSpec(kind: .seasonal, period: .daily)
        var rng = SplitMix64(seed: 9)
        let detector = Self.detector(spec, days: 8) { _, s in Self.wave(s) + rng.boxMuller() }
        let basis = try #require(detector.forecastBasis(spec: spec))
        #expect(basis.detector == .seasonal)
        var worst = 0.0
        for hour in 1...24 {
            let t = basis.origin + Int64(hour) * 3_600_000
            worst = max(worst, abs(basis.expected(at: t) - Self.wave(Double(t - Self.start) / 1000)))
        }
        #expect(worst < 0.1 * 55, "worst error \(worst)")
    }

    /// Noise around a flat level: the flat model, level near the median, an interval near the
    /// noise's own 10 % and 90 % quantiles.
    @Test func autoBasisOfNoiseIsFlat() throws {
        var rng = SplitMix64(seed: 10)
        let detector = Self.detector(.auto, days: 4) { _, _ in 50 + 2 * rng.boxMuller() }
        let basis = try #require(detector.forecastBasis(spec: .auto))
        #expect(basis.profiles.isEmpty)
        #expect(abs(basis.level - 50) < 0.5)
        #expect(basis.low < -1.5 && basis.low > -3.5)
        #expect(basis.high > 1.5 && basis.high < 3.5)
    }

    @Test func onlySeasonalStatesHaveABasis() {
        for kind in [DetectorKind.ewma, .leak] {
            let detector = Self.detector(DetectorSpec(kind: kind), days: 3) { _, s in Self.wave(s) }
            #expect(detector.forecastBasis(spec: DetectorSpec(kind: kind)) == nil)
        }
    }

    /// Hourly samples visit every other half-hour bucket: forecasts still warm up.
    @Test func hourlySamplesWarmUp() throws {
        var detector = SeriesDetector(spec: .auto)
        for i in 0..<(4 * 24) {
            let seconds = Double(i) * 3600
            _ = detector.update(timestamp: Self.start + Int64(i) * 3_600_000, value: Self.wave(seconds), spec: .auto, limit: .nan)
        }
        let basis = try #require(detector.forecastBasis(spec: .auto))
        #expect(abs(basis.expected(at: basis.origin + 3_600_000) - Self.wave(Double(basis.origin + 3_600_000 - Self.start) / 1000)) < 10)
    }
}
