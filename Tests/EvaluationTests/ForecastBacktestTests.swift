import AIOpsCore
import Fixtures
import Foundation
import Rules
import Testing
@testable import Evaluation

@Suite struct ForecastBacktestTests {
    static let start: Timestamp = 1_772_409_600_000  // 2026-03-02 00:00 UTC

    /// A seeded Gaussian (Box–Muller over a SplitMix64 stream).
    struct Noise {
        var state: UInt64
        mutating func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        mutating func gaussian() -> Double {
            (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform())
        }
    }

    static func series(_ name: String, days: Int, value: (Double) -> Double) -> FixtureSeries {
        var series = FixtureSeries(labels: Labels(metric: name))
        for i in 0..<(days * 288) {
            series.timestamps.append(start + Int64(i) * 300_000)
            series.values.append(value(Double(i) * 300))
        }
        return series
    }

    /// A daily wave with noise: the forecast beats yesterday's value (the seasonal-naive
    /// forecast carries yesterday's noise as well as today's, so about 1/√2 of its error), and
    /// its 80 % interval holds about 80 % of what came.
    @Test func dailyWaveBeatsSeasonalNaiveAndTheIntervalHolds() throws {
        var noise = Noise(state: 3)
        let wave = Self.series("orders", days: 8) { s in 100 + 40 * sin(2 * .pi * s / 86_400) + 5 * noise.gaussian() }
        let scores = ForecastBacktest(rules: RuleSet(rules: [])).run(series: [wave], name: "orders.csv")
        let score = try #require(scores.first)
        // From the end of day 2, every 6 hours, the last day's origins with a shorter horizon.
        #expect(score.origins == 24)
        let mase = try #require(score.mase)
        #expect(mase > 0.6 && mase < 0.85, "MASE \(mase)")
        let coverage = try #require(score.coverage)
        #expect(coverage > 0.72 && coverage < 0.9, "coverage \(coverage)")
        #expect(score.byHour.count == 24 && score.byHour.reduce(0) { $0 + $1.targets } == score.targets)
    }

    @Test func seriesUnderTwoDaysHaveNoScore() {
        let short = Self.series("short", days: 2) { _ in 1 }
        #expect(ForecastBacktest(rules: RuleSet(rules: [])).run(series: [short], name: "short.csv").isEmpty)
    }

    @Test func reportHasMediansAndAPerSeriesTable() {
        var a = ForecastScore(file: "a.csv", labels: Labels(metric: "a"), seriesInFile: 1, hours: 24)
        a.origins = 4; a.targets = 100; a.modelAbsoluteError = 70; a.naiveAbsoluteError = 100; a.covered = 80
        var b = a
        b.file = "b.csv"; b.modelAbsoluteError = 90; b.covered = 70
        var c = a
        c.file = "c.csv"; c.modelAbsoluteError = 120; c.covered = 90
        let report = ForecastBacktestReport(scores: [a, b, c], skipped: ["d.csv"])
        #expect(report.medianMASE == 0.9)
        #expect(report.medianCoverage == 0.8)
        #expect(report.pooledCoverage == 0.8)
        let text = report.text()
        #expect(text.contains(" 0.700     80.0%        4      100  a.csv\n"))
        #expect(text.contains("median MASE (against the seasonal-naive forecast, yesterday's value): 0.900"))
        #expect(text.contains("no forecast (under two days, or no seasonal or auto detector): d.csv"))
        let json = try? JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any]
        #expect(json?["medianMASE"] as? Double == 0.9)
        #expect((json?["series"] as? [Any])?.count == 3)
    }

    /// In a scenario corpus each case is one input, read with the identity its labels give;
    /// other metric files are inputs of their own, and `expect.json` is none.
    @Test func inputsTakeCorpusIdentities() throws {
        let root = NSTemporaryDirectory() + "aiops-backtest-\(UUID().uuidString)"
        let corpus = root + "/corpus"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "timestamp,value\n2026-03-02 00:00:00,1\n".write(toFile: corpus + "/req.csv", atomically: true, encoding: .utf8)
        try "timestamp,value\n2026-03-02 00:00:00,1\n".write(toFile: root + "/plain.csv", atomically: true, encoding: .utf8)
        try "{}".write(toFile: root + "/expect.json", atomically: true, encoding: .utf8)
        try """
            {"cases": [{"file": "req.csv", "metric": "http_requests_total{job=\\"api\\"}", "description": "x", "kind": "noise", "family": "f", "windows": []}]}
            """.write(toFile: corpus + "/labels.json", atomically: true, encoding: .utf8)
        let inputs = ForecastBacktestReport.inputs(in: [root])
        #expect(inputs.map { ($0.path as NSString).lastPathComponent } == ["req.csv", "plain.csv"])
        let series = try inputs[0].read()
        #expect(series.first?.labels == Labels(metric: "http_requests_total", ["job": "api"]))
        #expect(try inputs[1].read().first?.labels == Labels(metric: "plain"))
    }
}
