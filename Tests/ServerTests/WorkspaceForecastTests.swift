import AIOpsCore
import Foundation
import Rules
@testable import Server
import Testing

/// Predictive scaling reads the workspace's own forecasts (`Workspace.loadForecast`, the
/// `Forecasting` module on the detectors' seasonal state) when no provider is given.
@Suite struct WorkspaceForecastTests {
    @Test func aWarmSeriesHasA24HourLoadForecastOnItsDailyCurve() throws {
        let start: Timestamp = 1_772_409_600_000   // a Monday 00:00 UTC
        let workspace = Workspace(configuration: WorkspaceConfiguration(name: "team-a", plan: .pro, token: "forecast-test-token-0123"),
                                  rules: RuleSet(rules: []), sink: nil, now: start)
        let labels = Labels([Label("__name__", "requests_in_flight"), Label("pod", "api-0")])
        // Four days of a daily curve between 20 and 180, every 5 minutes, under the auto rule.
        let step: Int64 = 300_000
        var t = start
        var last = start
        while t < start + 4 * 86_400_000 {
            let hour = Double(t % 86_400_000) / 3_600_000
            let value = 100 + 80 * sin((hour - 6) / 24 * 2 * .pi) + Double((t / step) % 7) - 3
            for shard in workspace.shards { _ = shard.withLock { $0.pipeline.ingest(labels, timestamp: t, value: value) } }
            last = t
            t += step
        }
        let forecast = try #require(workspace.loadForecast(labels))
        #expect(forecast.times.count == 24)
        #expect(forecast.times.first! >= last - 3_600_000)
        // The forecast follows the curve: its peak near the afternoon's 180, its low near 20.
        let peak = forecast.mean.max()!, low = forecast.mean.min()!
        #expect(peak > 150 && peak < 210, "peak \(peak)")
        #expect(low > -10 && low < 60, "low \(low)")
        #expect(zip(forecast.upper, forecast.mean).allSatisfy { $0 >= $1 })
        #expect(workspace.loadForecast(Labels([Label("__name__", "unknown")])) == nil)
    }
}
