import Advice
import AIOpsCore
import Fixtures
import Foundation
import Incidents
import Pipeline
import Rules
import Store

/// Runs metric files through the same `Pipeline` as `aiops serve`, at full speed, with event
/// time taken from the file.
///
/// Each file gets a pipeline of its own (files are independent recordings; put a metric and its
/// limit series in one file to join them). The samples of a file's series are fed in event-time
/// order, as a live stream would deliver them.
public struct Replayer {
    public var rules: RuleSet
    public var configuration: PipelineConfiguration

    public init(rules: RuleSet, configuration: PipelineConfiguration = .init()) {
        self.rules = rules
        self.configuration = configuration
    }

    /// Replays one file.
    /// - Parameters:
    ///   - metric: the identity of a single-series CSV (default: the file's base name).
    ///   - sink: also told about every event as it happens (e.g. a notifier).
    ///   - keepScores: keep one score per input row (for `--scores` and evaluation).
    ///   - summaries: also keeps usage summaries and composes daily summaries on event time.
    ///   - keepBands: keep what the detector expected of each row too (`--html`).
    /// - Throws: `FixtureError` naming file, line and reason.
    ///   - notifications: the notification policy on event time, told about every event and
    ///     moved along as the samples' time passes its deadlines; its reminders read the
    ///     pipeline's current facts.
    ///   - observer: sees the pipeline after every sample and at the end.
    /// - Throws: `FixtureError` naming file, line and reason.
    public func replay(
        path: String, metric: Labels? = nil, sink: (any IncidentSink)? = nil, notifications: EventTimeNotifications? = nil, keepScores: Bool = false,
        summaries: DailySummaryReplay? = nil, observer: (any ReplayObserver)? = nil, keepBands: Bool = false
    ) throws(FixtureError) -> ReplayResult {
        let bytes = try FixtureReader.readFile(path)
        let format = FixtureFormat.detect(name: path, bytes: bytes)
        let series = try FixtureReader.parse(bytes, name: path, format: format, metric: metric)
        var result = replay(series: series, name: path, sink: sink, notifications: notifications, keepScores: keepScores, summaries: summaries, observer: observer, keepBands: keepBands)
        if format == .csv, metric?.metricName.isEmpty ?? true {
            result.seriesNamedAfterFile = series.first?.labels.metricName
        }
        return result
    }

    /// Replays series already read.
    /// - Parameter observer: called after every sample of a series the pipeline holds, and once
    ///   at the end with the pipeline as the file leaves it (forecasts and their backtest read
    ///   the state there).
    public func replay(
        series: [FixtureSeries], name: String, sink: (any IncidentSink)? = nil, notifications: EventTimeNotifications? = nil, keepScores: Bool = false,
        summaries: DailySummaryReplay? = nil, observer: (any ReplayObserver)? = nil, keepBands: Bool = false
    ) -> ReplayResult {
        let keepScores = keepScores || keepBands
        let recorder = IncidentRecorder()
        let fanOut = FanOutSink(recorder, sink, notifications)
        let pipeline = Pipeline(rules: rules, configuration: configuration, sink: fanOut)
        if let notifications {
            let reader = ReplayPipelineReader(pipeline)
            notifications.setCurrentIncidents { ids in reader.pipeline?.currentIncidents(ids: ids) ?? [] }
        }
        var deadline = notifications?.nextDeadline ?? .max
        var transitions = 0
        var refs: [SeriesRef?] = []
        refs.reserveCapacity(series.count)
        for entry in series { refs.append(pipeline.series(for: entry.labels, type: entry.metricType)) }
        var scores: [[Double]] = keepScores ? series.map { Array(repeating: 0, count: $0.count) } : []
        var bands: [[Pipeline.ExpectedBand]] = keepBands ? series.map { Array(repeating: .unknown, count: $0.count) } : []
        var order: [(series: Int32, row: Int32)] = []
        if keepScores && series.count > 1 { order.reserveCapacity(series.reduce(0) { $0 + $1.count }) }
        var outcomes = Array(repeating: 0, count: SampleOutcome.allCases.count)
        var samples = 0
        let started = MonotonicClock.nanoseconds()
        for sample in SampleMerger(series) {
            samples += 1
            if sample.timestamp >= deadline, let notifications {
                notifications.advance(to: sample.timestamp)
                deadline = notifications.nextDeadline ?? .max
            }
            guard let ref = refs[sample.seriesIndex] else { continue }
            summaries?.advance(to: sample.timestamp, pipeline: pipeline)
            let outcome: SampleOutcome
            if keepBands {
                let recorded = pipeline.ingestRecordingExpected(ref, timestamp: sample.timestamp, value: sample.value)
                outcome = recorded.outcome
                bands[sample.seriesIndex][sample.row] = recorded.expected
            } else {
                outcome = pipeline.ingest(ref, timestamp: sample.timestamp, value: sample.value)
            }
            summaries?.record(ref, timestamp: sample.timestamp, value: sample.value, outcome: outcome)
            if let notifications, pipeline.statistics.incidentsFired + pipeline.statistics.incidentsResolved != transitions {
                // An event may have opened a group: its deadline is new.
                transitions = pipeline.statistics.incidentsFired + pipeline.statistics.incidentsResolved
                deadline = notifications.nextDeadline ?? .max
            }
            outcomes[Int(outcome.rawValue)] += 1
            observer?.observe(sample, ref: ref, outcome: outcome, pipeline: pipeline)
            if keepScores {
                scores[sample.seriesIndex][sample.row] = pipeline.lastScore
                if series.count > 1 { order.append((Int32(sample.seriesIndex), Int32(sample.row))) }
            }
        }
        observer?.finish(pipeline: pipeline, refs: refs)
        let elapsed = Double(MonotonicClock.nanoseconds() - started) / 1e9
        var result = ReplayResult(
            file: name, series: series, scores: scores, mergedOrder: order, outcomes: outcomes, samples: samples,
            incidents: recorder.incidents, open: pipeline.currentIncidents(), seconds: elapsed)
        if let summaries, let end = result.lastTimestamp { result.advice = summaries.advice(at: end, pipeline: pipeline) }
        if keepBands {
            result.bands = bands
            result.scoredAsRate = refs.map { ref in ref.map { pipeline.boundRules(of: $0).rate } ?? false }
        }
        return result
    }
}

/// Sees a replay's pipeline sample by sample (e.g. a forecast backtest) and at the end.
public protocol ReplayObserver: AnyObject {
    /// After `sample` of the series `ref` went through `pipeline` with `outcome`.
    func observe(_ sample: FixtureSample, ref: SeriesRef, outcome: SampleOutcome, pipeline: Pipeline)
    /// After the last sample; `refs` parallel to the replayed series (nil: refused).
    func finish(pipeline: Pipeline, refs: [SeriesRef?])
}

/// What one file's replay produced.
public struct ReplayResult: Sendable {
    public var file: String
    public var series: [FixtureSeries]
    /// One score per input row of each series (empty unless scores were kept).
    public var scores: [[Double]]
    /// What the highest-scoring rule expected of each input row (empty unless bands were kept).
    public var bands: [[Pipeline.ExpectedBand]] = []
    /// Per series, whether its rules score it as a counter's per-second rate (the bands are
    /// then rates); empty unless bands were kept.
    public var scoredAsRate: [Bool] = []
    /// For multi-series files, the (series, row) order samples were fed in.
    public var mergedOrder: [(series: Int32, row: Int32)]
    /// Samples by `SampleOutcome.rawValue`.
    public var outcomes: [Int]
    public var samples: Int
    /// Every incident that fired, in firing order, in its latest state.
    public var incidents: [Incident]
    /// Incidents still open (pending or firing) when the file ended.
    public var open: [Incident]
    public var seconds: Double
    /// With `DailySummaryReplay`: the advice at the file's last sample.
    public var advice: AdviceReport?
    /// The series name a CSV file's series got from the file's name (no `--metric` name
    /// given), so the output can say so and how to set another; nil otherwise.
    public var seriesNamedAfterFile: String?

    public func count(_ outcome: SampleOutcome) -> Int { outcomes[Int(outcome.rawValue)] }
}

/// Lets the replay's `EventTimeNotifications` read its pipeline's current incidents.
///
/// `@unchecked Sendable` is sound: a replay runs on one thread, and its notifications call
/// the reader only from calls made on that thread (events from `ingest`, `advance` from the
/// replay loop, `finish` after it); the pipeline is never touched concurrently.
/// Weak: the pipeline's sink holds the notifications, which hold this reader; the replay
/// loop, which owns the pipeline, has ticked every deadline up to its last sample by the time
/// the pipeline goes.
final class ReplayPipelineReader: @unchecked Sendable {
    weak var pipeline: Pipeline?

    init(_ pipeline: Pipeline) {
        self.pipeline = pipeline
    }
}

/// Passes events to several sinks.
final class FanOutSink: IncidentSink {
    let sinks: [any IncidentSink]

    init(_ sinks: (any IncidentSink)?...) {
        self.sinks = sinks.compactMap { $0 }
    }

    func handle(_ event: IncidentEvent) {
        for sink in sinks { sink.handle(event) }
    }
}
