import AIOpsCore
import Detectors
import Foundation
import Pipeline
import Rules
import Store
import Testing
@testable import Forecasting

extension SplitMix64 {
    /// A standard normal variate drawn as these tests always have (Box–Muller over the
    /// standard library's `Double.random`), so their data stay the same.
    mutating func boxMuller() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

@Suite struct ForecasterTests {
    static let start: Timestamp = 1_772_409_600_000  // 2026-03-02 00:00 UTC
    static let step: Int64 = 300_000

    /// Requests per second: a daily wave, busy in the afternoon.
    static func load(_ t: Timestamp) -> Double {
        let s = Double(t - start) / 1000
        return 200 + 120 * sin(2 * .pi * (s / 86_400 - 0.375))
    }

    /// A pipeline with no rules (the auto rule on every series) fed `days` of `value`.
    static func pipeline(days: Int, rules: RuleSet = RuleSet(rules: []), labels: Labels = Labels(metric: "api_load"),
                         value: (Timestamp) -> Double) -> (Pipeline, SeriesRef) {
        let pipeline = Pipeline(rules: rules)
        let ref = pipeline.series(for: labels)!
        for i in 0..<(days * 288) {
            let t = start + Int64(i) * step
            pipeline.ingest(ref, timestamp: t, value: value(t))
        }
        return (pipeline, ref)
    }

    /// Six days of the wave with noise: tomorrow's forecast follows the wave, and about 80 %
    /// of what comes falls inside the interval.
    @Test func forecastFollowsTheDailyWaveAndItsIntervalHolds() throws {
        var rng = SplitMix64(seed: 1)
        let (pipeline, ref) = Self.pipeline(days: 6) { Self.load($0) + 10 * rng.boxMuller() }
        let source = try #require(pipeline.forecastSource(of: ref))
        #expect(source.rule == "auto")
        #expect(source.transform == .none)
        let forecast = Forecaster.forecast(source, hours: 24, stepSeconds: 300)
        #expect(forecast.points.count == 288)
        var absoluteError = 0.0, inside = 0
        for point in forecast.points {
            let outcome = Self.load(point.timestamp) + 10 * rng.boxMuller()
            absoluteError += abs(point.value - Self.load(point.timestamp))
            if outcome >= point.lower && outcome <= point.upper { inside += 1 }
            #expect(point.lower <= point.value && point.value <= point.upper)
        }
        // The noise's mean absolute value is 8; the forecast's own error is well under it.
        #expect(absoluteError / 288 < 5)
        let coverage = Double(inside) / 288
        #expect(coverage > 0.7 && coverage < 0.92, "coverage \(coverage)")
        let peak = try #require(forecast.peak)
        // The wave peaks at 15:00 UTC.
        let hour = (peak.timestamp % 86_400_000) / 3_600_000
        #expect((14...16).contains(hour), "peak at hour \(hour)")
        #expect(forecast.firstAbove(300) != nil && forecast.firstAbove(400) == nil)
    }

    /// Points sit on multiples of the step after the origin, up to `hours` after it.
    @Test func pointsAreAlignedToTheStep() throws {
        let (pipeline, ref) = Self.pipeline(days: 3) { Self.load($0) }
        let source = try #require(pipeline.forecastSource(of: ref))
        let origin = source.basis.origin  // 23:55 of the third day
        let forecast = Forecaster.forecast(source, hours: 6, stepSeconds: 3600)
        #expect(forecast.origin == origin)
        #expect(forecast.points.map(\.timestamp) == (1...6).map { (origin / 3_600_000 + Int64($0)) * 3_600_000 })
        #expect(forecast.points.allSatisfy { $0.timestamp > origin && $0.timestamp <= origin + 6 * 3_600_000 })
    }

    /// A counter is forecast as its per-second rate, as its detector scores it.
    @Test func counterIsForecastAsItsRate() throws {
        var total = 0.0
        var last = Self.start
        let (pipeline, ref) = Self.pipeline(days: 3, labels: Labels(metric: "http_requests_total")) { t in
            total += Self.load(t) * Double(t - last) / 1000
            last = t
            return total
        }
        let source = try #require(pipeline.forecastSource(of: ref))
        #expect(source.transform == .rate)
        let forecast = Forecaster.forecast(source, hours: 24)
        for point in forecast.points {
            #expect(abs(point.value - Self.load(point.timestamp)) < 25, "at \(TimeFormat.rfc3339(point.timestamp))")
        }
    }

    /// The interval widens with the horizon where the level drifts.
    @Test func intervalWidensWithDrift() throws {
        var rng = SplitMix64(seed: 2)
        var walk = 100.0
        let (pipeline, ref) = Self.pipeline(days: 8) { _ in
            walk += 0.5 * rng.boxMuller()
            return walk
        }
        let source = try #require(pipeline.forecastSource(of: ref))
        #expect(source.basis.drift > 0)
        let forecast = Forecaster.forecast(source, hours: 24)
        let first = forecast.points.first!, last = forecast.points.last!
        #expect(last.upper - last.lower > 1.2 * (first.upper - first.lower))
    }

    @Test func noForecastBeforeTwoDaysOrWithoutASeasonalState() throws {
        let (young, youngRef) = Self.pipeline(days: 1) { Self.load($0) }
        #expect(young.forecastSource(of: youngRef) == nil)
        #expect(young.forecastTransform(of: youngRef) == SeriesTransform.none)
        let ewma = try RuleSet.parse("""
            {"rules": [{"name": "load-ewma", "selector": "api_load", "detector": {"kind": "ewma"}, "advice": {"summary": "x"}}]}
            """, file: "test.json")
        let (pipeline, ref) = Self.pipeline(days: 3, rules: ewma) { Self.load($0) }
        #expect(pipeline.forecastSource(of: ref) == nil)
        #expect(pipeline.forecastTransform(of: ref) == nil)
    }

    /// The request's selectors pick series, in label order, at most `limit`; `total` counts
    /// every series that had one.
    @Test func forecastsOfAPipelineAreSelectedSortedAndCut() throws {
        let pipeline = Pipeline(rules: RuleSet(rules: []))
        let refs = ["c", "a", "b"].map { pipeline.series(for: Labels(metric: "api_load", ["service": $0]))! }
        let young = pipeline.series(for: Labels(metric: "api_load", ["service": "young"]))!
        for i in 0..<(3 * 288) {
            let t = Self.start + Int64(i) * Self.step
            for ref in refs { pipeline.ingest(ref, timestamp: t, value: Self.load(t)) }
            if i > 2 * 288 { pipeline.ingest(young, timestamp: t, value: 1) }
        }
        let all = Forecaster.forecasts(in: pipeline, request: ForecastRequest(), limit: 10)
        #expect(all.forecasts.map { $0.labels["service"] } == ["a", "b", "c"])
        #expect(all.total == 3 && !all.truncated)
        let cut = Forecaster.forecasts(in: pipeline, request: ForecastRequest(), limit: 2)
        #expect(cut.forecasts.count == 2 && cut.total == 3 && cut.truncated)
        let one = Forecaster.forecasts(in: pipeline, request: try ForecastRequest(hours: "2", step: "30m", match: ["api_load{service=~\"b|young\"}"]), limit: 10)
        #expect(one.forecasts.map { $0.labels["service"] } == ["b"])
        #expect(one.forecasts.first?.points.count == 4)
    }
}
