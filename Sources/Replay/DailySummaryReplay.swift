import Advice
import AIOpsCore
import Incidents
import Pipeline
import Store

/// `aiops replay --daily-summary`: keeps the advice module's usage summaries of a replayed
/// file and composes the workspace's daily summary at each configured local time of the
/// file's event time, from the pipeline's incidents and the summaries as they were then.
///
/// Give one to `Replayer.replay(..., summaries:)` per file (files are independent
/// recordings); it binds to that file's pipeline on the first sample.
public final class DailySummaryReplay {
    public let workspace: String
    public let settings: AdviceSettings
    public let forecast: ForecastProvider?
    /// Composed so far, in event-time order.
    public private(set) var summaries: [DailySummary] = []
    /// The recorder of the file's pipeline (nil before the first sample).
    public private(set) var recorder: UsageRecorder?
    var nextDue: Timestamp?

    public init(workspace: String, settings: AdviceSettings, forecast: ForecastProvider? = nil) {
        self.workspace = workspace
        self.settings = settings
        self.forecast = forecast
    }

    /// Before the sample at `timestamp` is ingested: composes every summary due by then.
    @inline(__always)
    func advance(to timestamp: Timestamp, pipeline: Pipeline) {
        if recorder == nil {
            recorder = UsageRecorder(store: pipeline.store, loads: settings.scaling.loads)
            nextDue = settings.schedule.nextTime(after: timestamp - 1)
        }
        while let due = nextDue, due <= timestamp {
            compose(at: due, pipeline: pipeline)
            nextDue = settings.schedule.nextTime(after: due)
        }
    }

    /// After the sample was ingested with `outcome`.
    @inline(__always)
    func record(_ ref: SeriesRef, timestamp: Timestamp, value: Double, outcome: SampleOutcome) {
        if outcome == .appended { recorder?.observe(ref, timestamp: timestamp, value: value) }
    }

    func compose(at due: Timestamp, pipeline: Pipeline) {
        guard let recorder else { return }
        let incidents = pipeline.currentIncidents() + pipeline.recentlyResolved
        let extract = recorder.extract(at: due)
        summaries.append(settings.summary(workspace: workspace, at: due, incidents: incidents, extracts: [extract], forecast: forecast))
    }

    /// The advice at the end of the data (`--recommendations`-style output and tests).
    public func advice(at time: Timestamp, pipeline: Pipeline) -> AdviceReport? {
        guard let recorder else { return nil }
        return settings.analyze([recorder.extract(at: time)], openIncidents: pipeline.firingIncidents, forecast: forecast)
    }
}
