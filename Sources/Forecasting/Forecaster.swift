import AIOpsCore
import Detectors
import Pipeline

/// Builds forecasts from the pipeline's detector states.
public enum Forecaster {
    /// The most hours ahead a forecast reaches: two days (a day's profile and the level's drift
    /// say little beyond).
    public static let maximumHours = 48
    /// The probability the interval holds.
    public static let coverage = 0.8

    /// The forecast of `source` at every `stepSeconds` from the first multiple of the step after
    /// its origin, up to `hours` after the origin.
    /// - Precondition: `hours` in 1...48, `stepSeconds` ≥ 60 (callers validate user input).
    public static func forecast(_ source: ForecastSource, hours: Int = 24, stepSeconds: Int = 3600) -> SeriesForecast {
        precondition((1...maximumHours).contains(hours) && stepSeconds >= 60, "forecast: hours 1...48 and a step of at least 60 s")
        let path = ForecastPath(basis: source.basis, hours: hours)
        let step = Int64(stepSeconds) * 1000
        let origin = source.basis.origin
        var t = (origin / step + 1) * step
        if origin < 0 && origin % step != 0 { t -= step }
        var points: [ForecastPoint] = []
        while t <= path.end {
            points.append(path.point(at: t))
            t += step
        }
        return SeriesForecast(labels: source.labels, transform: source.transform, rule: source.rule, origin: origin, points: points, coverage: coverage)
    }

    /// The forecasts of the series of `pipeline` that `request` selects and that have a warm
    /// basis, in label order, at most `limit`.
    /// - Complexity: see `Pipeline.forecastSources(limit:where:)`, plus O(points) a forecast.
    public static func forecasts(in pipeline: Pipeline, request: ForecastRequest, limit: Int) -> ForecastResult {
        let (sources, total) = pipeline.forecastSources(limit: limit, where: request.selects)
        return ForecastResult(forecasts: sources.map { forecast($0, hours: request.hours, stepSeconds: request.stepSeconds) }, total: total)
    }
}

/// Forecasts of the series a request selected, and how many had one in all.
public struct ForecastResult: Sendable {
    public var forecasts: [SeriesForecast]
    /// Series that had a forecast; more than `forecasts.count` when the list was cut.
    public var total: Int

    public init(forecasts: [SeriesForecast], total: Int) {
        self.forecasts = forecasts
        self.total = total
    }

    /// Whether series were left out.
    public var truncated: Bool { total > forecasts.count }
}
