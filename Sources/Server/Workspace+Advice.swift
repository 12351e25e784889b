import Advice
import AIOpsCore
import Forecasting
import Incidents
import Pipeline

extension Workspace {
    /// The usage summaries of every shard for the window ending at `now`. Each shard's lock
    /// is held while its summaries are copied (and the ones older than the window pruned),
    /// never while they are analysed.
    func usageExtracts(at now: Timestamp) -> [UsageExtract] {
        shards.map { shard in shard.withLock { $0.usage.extract(at: now) } }
    }

    /// The scaling and cost advice at `now`, whatever the plan (the caller checks it).
    /// - Parameter forecast: per-series load forecasts; nil: this workspace's own
    ///   (`loadForecast`, from its detectors' seasonal state).
    public func adviceReport(at now: Timestamp, forecast: ForecastProvider? = nil) -> AdviceReport? {
        let open = incidents().open.filter { $0.phase == .firing }
        return advice.analyze(usageExtracts(at: now), openIncidents: open, forecast: forecast ?? ownForecasts)
    }

    /// This workspace's forecasts as predictive scaling reads them.
    var ownForecasts: ForecastProvider {
        { [self] labels in self.loadForecast(labels) }
    }

    /// The next 24 hours of a series, hourly, from its detectors' seasonal state (the
    /// `Forecasting` module, as `GET /api/v1/forecast` answers); nil when the series is not
    /// held or its state is not warm. The shard's lock is held only while the basis is copied.
    /// A counter's forecast is of its per-second rate, which is what predictive scaling reads.
    func loadForecast(_ labels: Labels) -> LoadForecast? {
        for shard in shards {
            let source = shard.withLock { box -> ForecastSource? in
                guard let ref = box.pipeline.store.lookup(labels) else { return nil }
                return box.pipeline.forecastSource(of: ref)
            }
            guard let source else { continue }
            let forecast = Forecaster.forecast(source, hours: 24, stepSeconds: 3600)
            guard !forecast.points.isEmpty else { return nil }
            return LoadForecast(times: forecast.points.map(\.timestamp), mean: forecast.points.map(\.value),
                                upper: forecast.points.map(\.upper), source: "forecast of rule \(forecast.rule)")
        }
        return nil
    }

    /// The daily summary at `now`: the last 24 hours' incidents, what is open, the risks, and
    /// for a Pro workspace the advice.
    public func dailySummary(at now: Timestamp, forecast: ForecastProvider? = nil) -> DailySummary {
        let (open, resolved) = incidents()
        let extracts = advice.includesAdvice ? usageExtracts(at: now) : []
        return advice.summary(workspace: name, at: now, incidents: open + resolved, extracts: extracts, forecast: forecast ?? ownForecasts)
    }

    /// Series whose usage is summarised (live and retired), over all shards.
    public var trackedUsageSeries: Int {
        shards.reduce(0) { total, shard in total + shard.withLock { $0.usage.entryCount } }
    }
}

extension Workspace {
    /// Every shard's usage summaries, copied under its lock (for `UsageSnapshot`).
    func captureUsage() -> [UsageSnapshot.Entry] {
        shards.flatMap { shard in shard.withLock { $0.usage.capture() } }
    }

    /// Summaries from a usage snapshot, each to the shard its series lives in.
    /// - Returns: how many were restored.
    @discardableResult
    func restoreUsage(_ entries: [UsageSnapshot.Entry]) -> Int {
        var perShard = Array(repeating: [UsageSnapshot.Entry](), count: shards.count)
        for entry in entries { perShard[Int(entry.labels.stableHash % UInt64(shards.count))].append(entry) }
        return zip(shards, perShard).reduce(0) { total, pair in total + pair.0.withLock { $0.usage.restore(pair.1) } }
    }
}
