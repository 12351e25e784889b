import AIOpsCore
import Detectors
import Pipeline
import Rules

/// The forecast of one series over the next hours, with its 80 % interval.
public struct SeriesForecast: Sendable {
    public var labels: Labels
    /// `.rate`: the forecast is of the counter's per-second rate, as its detector scores it.
    public var transform: SeriesTransform
    /// The rule whose detector state it comes from (`auto` for series no rule selects).
    public var rule: String
    /// The event time of the last sample the state had seen.
    public var origin: Timestamp
    /// Points at every `step` from the first multiple of `step` after the origin.
    public var points: [ForecastPoint]
    /// The probability the interval is meant to hold (0.8).
    public var coverage: Double

    public init(labels: Labels, transform: SeriesTransform, rule: String, origin: Timestamp, points: [ForecastPoint], coverage: Double) {
        self.labels = labels
        self.transform = transform
        self.rule = rule
        self.origin = origin
        self.points = points
        self.coverage = coverage
    }

    /// The point with the highest forecast value (nil without points).
    public var peak: ForecastPoint? { points.max { $0.value < $1.value } }

    /// The first point whose forecast value is above `threshold` (nil if none).
    public func firstAbove(_ threshold: Double) -> ForecastPoint? { points.first { $0.value > threshold } }
}
