import AIOpsCore
import Fixtures
import Forecasting
import Pipeline
import Replay
import Rules
import Store

/// Rolling-origin backtest of the forecasts. Each input is replayed through the pipeline
/// (`Replayer`, as `aiops replay` does); from the first sample at which a series' forecast
/// basis is warm, and then every `originEveryHours`, the forecast of the next `horizonHours`
/// is taken from the detector state as it is then, and every later sample within the horizon
/// is compared with it and with the seasonal-naive forecast (the value a day before the
/// target, which was known at the origin). What is compared is what the detector sees: a
/// counter's per-second rate.
public struct ForecastBacktest: Sendable {
    public var rules: RuleSet
    public var horizonHours: Int
    public var originEveryHours: Int

    public init(rules: RuleSet, horizonHours: Int = 24, originEveryHours: Int = 6) {
        self.rules = rules
        self.horizonHours = horizonHours
        self.originEveryHours = originEveryHours
    }

    /// Backtests every series of one file.
    /// - Throws: `FixtureError` naming file, line and reason.
    public func run(path: String, metric: Labels? = nil) throws(FixtureError) -> [ForecastScore] {
        let series = try FixtureReader.read(path: path, metric: metric)
        return run(series: series, name: path)
    }

    /// Backtests series already read; one score per series that had a warm basis.
    public func run(series: [FixtureSeries], name: String) -> [ForecastScore] {
        let observer = BacktestObserver(series: series, file: name, hours: horizonHours, everyHours: originEveryHours)
        _ = Replayer(rules: rules).replay(series: series, name: name, observer: observer)
        return observer.scores
    }
}

/// One series' backtest figures.
public struct ForecastScore: Sendable {
    public var file: String
    public var labels: Labels
    /// Series in the file (the labels are shown when there are several).
    public var seriesInFile: Int
    public var origins = 0
    /// Targets compared: samples within the horizon of an origin that have a value a day before.
    public var targets = 0
    public var modelAbsoluteError = 0.0
    public var naiveAbsoluteError = 0.0
    /// Targets inside the forecast's 80 % interval.
    public var covered = 0
    /// The same per hour of horizon (index 0: the first hour after the origin).
    public var byHour: [HourScore]

    public struct HourScore: Sendable {
        public var targets = 0
        public var modelAbsoluteError = 0.0
        public var naiveAbsoluteError = 0.0
        public var covered = 0
        /// Sum of the intervals' widths.
        public var width = 0.0
    }

    public init(file: String, labels: Labels, seriesInFile: Int, hours: Int) {
        self.file = file
        self.labels = labels
        self.seriesInFile = seriesInFile
        byHour = Array(repeating: HourScore(), count: hours)
    }

    /// Mean absolute error over the seasonal-naive forecast's, on the same targets (nil
    /// without targets, or when the naive forecast was exact every time).
    public var mase: Double? {
        targets > 0 && naiveAbsoluteError > 0 ? modelAbsoluteError / naiveAbsoluteError : nil
    }

    /// The fraction of targets inside the 80 % interval.
    public var coverage: Double? {
        targets > 0 ? Double(covered) / Double(targets) : nil
    }
}

/// Follows a replay: opens forecasts at origins, scores samples against the open ones.
final class BacktestObserver: ReplayObserver {
    let horizonMs: Int64
    let everyMs: Int64
    var states: [SeriesState]
    var scores: [ForecastScore] = []

    struct SeriesState {
        var score: ForecastScore
        /// What the detector saw: times and values (the seasonal-naive forecast's source).
        var times: [Timestamp] = []
        var values: [Double] = []
        var nextOrigin: Timestamp = .min
        var open: [ForecastPath] = []
        /// The forecast's transform, decided at the first sample (nil: no forecast binding).
        var transform: SeriesTransform?
        var decided = false
        var previousValue = Double.nan
        var previousTimestamp: Timestamp = .min
        var previousStep: Int64 = 0
    }

    init(series: [FixtureSeries], file: String, hours: Int, everyHours: Int) {
        horizonMs = Int64(hours) * 3_600_000
        everyMs = Int64(everyHours) * 3_600_000
        states = series.map { SeriesState(score: ForecastScore(file: file, labels: $0.labels, seriesInFile: series.count, hours: hours)) }
    }

    func observe(_ sample: FixtureSample, ref: SeriesRef, outcome: SampleOutcome, pipeline: Pipeline) {
        guard outcome == .appended else { return }
        let i = sample.seriesIndex
        if !states[i].decided {
            states[i].decided = true
            states[i].transform = pipeline.forecastTransform(of: ref)
        }
        guard let transform = states[i].transform else { return }
        let t = sample.timestamp
        guard let y = input(&states[i], transform: transform, value: sample.value, at: t) else { return }
        score(&states[i], y: y, at: t)
        states[i].times.append(t)
        states[i].values.append(y)
        if t >= states[i].nextOrigin, let source = pipeline.forecastSource(of: ref) {
            states[i].open.append(ForecastPath(basis: source.basis, hours: Int(horizonMs / 3_600_000)))
            states[i].score.origins += 1
            let next = (states[i].nextOrigin == .min ? t : states[i].nextOrigin) + everyMs
            states[i].nextOrigin = next > t ? next : t + everyMs
        }
    }

    func finish(pipeline: Pipeline, refs: [SeriesRef?]) {
        scores = states.map(\.score).filter { $0.origins > 0 }
    }

    /// The value the detector saw: the sample, or a counter's per-second rate as
    /// `RuleBinding.transformed` computes it (nil where that skips one: the first sample, a
    /// reset, the first sample after a gap).
    func input(_ state: inout SeriesState, transform: SeriesTransform, value: Double, at t: Timestamp) -> Double? {
        guard transform == .rate else { return value }
        let last = state.previousValue, lastTimestamp = state.previousTimestamp, lastStep = state.previousStep
        state.previousValue = value
        state.previousTimestamp = t
        guard lastTimestamp != .min, t > lastTimestamp else { return nil }
        let step = t - lastTimestamp
        state.previousStep = step
        if value < last { return nil }
        if lastStep > 0 && step > 4 * lastStep { return nil }
        return (value - last) * 1000 / Double(step)
    }

    /// Scores the outcome `y` at `t` against every open forecast whose horizon holds it.
    func score(_ state: inout SeriesState, y: Double, at t: Timestamp) {
        state.open.removeAll { t > $0.basis.origin + horizonMs }
        guard !state.open.isEmpty, let naive = naiveValue(state, at: t) else { return }
        let naiveError = abs(y - naive)
        for path in state.open where t > path.basis.origin {
            let point = path.point(at: t)
            let error = abs(y - point.value)
            let inside = y >= point.lower && y <= point.upper
            let hour = min(Int((t - path.basis.origin - 1) / 3_600_000), state.score.byHour.count - 1)
            state.score.targets += 1
            state.score.modelAbsoluteError += error
            state.score.naiveAbsoluteError += naiveError
            state.score.byHour[hour].targets += 1
            state.score.byHour[hour].modelAbsoluteError += error
            state.score.byHour[hour].naiveAbsoluteError += naiveError
            state.score.byHour[hour].width += point.upper - point.lower
            if inside {
                state.score.covered += 1
                state.score.byHour[hour].covered += 1
            }
        }
    }

    /// The seasonal-naive forecast for `t`: the latest value at or before `t` minus a day, if
    /// it is within an hour of that time (else the target is not scored).
    func naiveValue(_ state: SeriesState, at t: Timestamp) -> Double? {
        let target = t - 86_400_000
        let index = state.times.partitioningIndex(where: { $0 > target }) - 1
        guard index >= 0, target - state.times[index] <= 3_600_000 else { return nil }
        return state.values[index]
    }
}
