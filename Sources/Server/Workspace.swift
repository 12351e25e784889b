import Advice
import AIOpsCore
import Forecasting
import Incidents
import Pipeline
import Rules
import Snapshots
import Store
import Synchronization

/// One workspace at run time: its pipelines (series sharded across locks, as Prometheus'
/// `stripeSeries` does), its rate limiter and its counters.
///
/// A request takes each lock it needs once, never once per sample. A reload changes the
/// plan, limits and rules in place (`reconfigure`): the series and what was learned stay.
public final class Workspace: Sendable {
    public let name: String
    /// Series `s` lives in shard `s.stableHash % shards.count`.
    let shards: [PipelineShard]
    let bucket: Mutex<TokenBucket>
    let counters = Mutex(WorkspaceCounters())
    /// Metric types declared by remote-write 1.0 metadata, by family, consulted when a series
    /// is created. Lock order: a shard's lock may be held when taking this one, never the
    /// reverse.
    let metricTypes: Mutex<MetricTypeTable>
    /// Plan, limits and advice settings, read once per request; replaced by a reload.
    let settings: Mutex<Settings>

    struct Settings: Sendable {
        var plan: Plan
        var limits: WorkspaceLimits
        /// Whether advice is part of the plan, prices, scaling policy, daily summary time.
        var advice: AdviceSettings
    }

    /// - Parameters:
    ///   - shardCount: locks the series are spread over (1 is fine below ~1M samples/s).
    ///   - sink: told about firing and resolved incidents (the notifier).
    public init(configuration: WorkspaceConfiguration, rules: RuleSet, shardCount: Int = 1, sink: (any IncidentSink)?, now: Timestamp) {
        name = configuration.name
        let limits = configuration.effectiveLimits
        settings = Mutex(Settings(plan: configuration.plan, limits: limits, advice: configuration.adviceSettings))
        let count = max(1, shardCount)
        let perShard = Self.seriesPerShard(limits, shards: count)
        let advice = configuration.adviceSettings
        var shards: [PipelineShard] = []
        for _ in 0..<count {
            let pipeline = Pipeline(rules: rules, configuration: PipelineConfiguration(maxSeries: perShard), sink: sink)
            // Retired pods' summaries stay for the window: room for twice the active series.
            let usage = UsageRecorder(store: pipeline.store, loads: advice.scaling.loads, maximumEntries: 2 * perShard)
            shards.append(PipelineShard(pipeline, usage: usage))
        }
        self.shards = shards
        // Families are fewer than series; the table keeps at most twice this many.
        metricTypes = Mutex(MetricTypeTable(capacity: max(1, min(limits.activeSeries, 100_000))))
        bucket = Mutex(TokenBucket(rate: limits.samplesPerSecond, burst: limits.burstSamples, now: now))
    }

    public var plan: Plan { settings.withLock { $0.plan } }
    /// Whether advice is part of the plan, prices, scaling policy, daily summary time.
    public var advice: AdviceSettings { settings.withLock { $0.advice } }
    public var limits: WorkspaceLimits { settings.withLock { $0.limits } }

    static func seriesPerShard(_ limits: WorkspaceLimits, shards: Int) -> Int {
        (limits.activeSeries + shards - 1) / shards
    }

    /// The rules the pipelines run (`auto` last).
    public var rules: [Rule] { shards[0].withLock { $0.pipeline.rules } }

    /// `RulesFingerprint` of the pipelines' rules.
    var rulesFingerprint: UInt64 { RulesFingerprint.of(rules) }

    /// Series held across all shards.
    public var activeSeries: Int {
        shards.reduce(0) { total, shard in total + shard.withLock { $0.pipeline.store.seriesCount } }
    }
    /// Open incidents (pending and firing) and recently resolved ones, newest last.
    public func incidents() -> (open: [Incident], resolved: [Incident]) {
        var open: [Incident] = []
        var resolved: [Incident] = []
        for shard in shards {
            shard.withLock {
                open += $0.pipeline.currentIncidents()
                resolved += $0.pipeline.recentlyResolved
            }
        }
        open.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        resolved.sort { ($0.end ?? 0, $0.id) < ($1.end ?? 0, $1.id) }
        return (open, resolved)
    }

    /// The forecasts of the series `request` selects whose seasonal state is warm, in label
    /// order, at most `limit`. Each shard's lock is held while its series are selected and
    /// their bases copied (O(series) label checks); the forecasts are built outside the locks.
    public func forecasts(_ request: ForecastRequest, limit: Int) -> ForecastResult {
        var sources: [ForecastSource] = []
        var total = 0
        for shard in shards {
            let (found, count) = shard.withLock { $0.pipeline.forecastSources(limit: limit, where: request.selects) }
            sources += found
            total += count
        }
        if shards.count > 1 {
            sources = sources.map { ($0.labels.description, $0) }.sorted { $0.0 < $1.0 }.prefix(limit).map(\.1)
        }
        let forecasts = sources.map { Forecaster.forecast($0, hours: request.hours, stepSeconds: request.stepSeconds) }
        return ForecastResult(forecasts: forecasts, total: total)
    }

    /// A snapshot of the counters, with the stores' own counts folded in.
    public func snapshot() -> WorkspaceSnapshot {
        var snapshot = WorkspaceSnapshot(name: name, plan: plan, counters: counters.withLock { $0 })
        for shard in shards {
            shard.withLock { box in
                let pipeline = box.pipeline
                snapshot.activeSeries += pipeline.store.seriesCount
                snapshot.store.add(pipeline.store.statistics)
                snapshot.incidentsFired += pipeline.statistics.incidentsFired
                snapshot.incidentsResolved += pipeline.statistics.incidentsResolved
                for incident in pipeline.openIncidents {
                    if incident.phase == .firing { snapshot.firing += 1 } else { snapshot.pending += 1 }
                }
            }
        }
        return snapshot
    }

    /// Drops series nothing arrived for since `cutoff` (wall-clock time), resolving their incidents.
    @discardableResult
    public func evictIdle(olderThan cutoff: Timestamp, now: Timestamp) -> Int {
        shards.reduce(0) { total, shard in total + shard.withLock { $0.pipeline.evictIdle(olderThan: cutoff, now: now) } }
    }
}

/// One lock and the pipeline it guards, with the advice module's usage summaries of its series.
///
/// `@unchecked Sendable` is sound because `pipeline` and `usage` (non-Sendable classes) are
/// only reached, and `pipeline` replaced, through `withLock` / `replace`, which hold `lock`
/// for the whole access and never let them escape.
final class PipelineShard: @unchecked Sendable {
    private let lock = Mutex(())
    private var pipeline: Pipeline  // protected by lock
    private let usage: UsageRecorder  // protected by lock

    init(_ pipeline: Pipeline, usage: UsageRecorder) {
        self.pipeline = pipeline
        self.usage = usage
    }

    /// Replaces the pipeline by what `body` makes of the current one, under the lock (a
    /// reload: ingest into this shard waits meanwhile).
    func replace<R>(_ body: (Pipeline) -> (Pipeline, R)) -> R {
        lock.withLock { _ in
            let (next, result) = body(pipeline)
            pipeline = next
            return result
        }
    }

    func withLock<R>(_ body: (PipelineBox) throws -> R) rethrows -> R {
        try lock.withLock { _ in try body(PipelineBox(pipeline: pipeline, usage: usage)) }
    }

    /// Runs `body` under the lock if nobody holds it; nil (and `body` not run) otherwise.
    func withLockIfAvailable<R>(_ body: (PipelineBox) -> R) -> R? {
        lock.withLockIfAvailable { _ in body(PipelineBox(pipeline: pipeline, usage: usage)) }
    }
}

/// The view of a shard's pipeline valid inside `PipelineShard.withLock`.
struct PipelineBox {
    let pipeline: Pipeline
    /// Fed every sample the pipeline appends (`RemoteWriteEndpoint`).
    let usage: UsageRecorder
}

/// What `/metrics` shows of a workspace.
public struct WorkspaceSnapshot: Sendable {
    public var name: String
    public var plan: Plan
    public var counters: WorkspaceCounters
    public var activeSeries = 0
    public var store = StoreStatistics()
    public var incidentsFired = 0
    public var incidentsResolved = 0
    public var firing = 0
    public var pending = 0
}
