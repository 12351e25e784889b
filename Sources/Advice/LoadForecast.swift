import AIOpsCore

/// A forecast of a load for the hours ahead, as predictive scaling consumes it: the mean and
/// the upper bound of an 80 % interval per step.
///
/// The `Forecasting` module (per series, from the detectors' seasonal state) is wired to it
/// through a `ForecastProvider`; until then, and for series it cannot forecast,
/// `LoadForecast.dailyProfile` builds one from the recorder's own hourly summaries.
public struct LoadForecast: Sendable, Equatable {
    /// Start of each step, ascending, evenly spaced.
    public var times: [Timestamp]
    public var mean: [Double]
    /// Upper bound of the 80 % interval (the 90th percentile).
    public var upper: [Double]
    /// Where it came from, for the advice text (`forecast`, `daily profile of 7 days`).
    public var source: String

    public init(times: [Timestamp], mean: [Double], upper: [Double], source: String = "forecast") {
        precondition(times.count == mean.count && mean.count == upper.count, "one mean and one upper bound per step")
        self.times = times
        self.mean = mean
        self.upper = upper
        self.source = source
    }

    public var isEmpty: Bool { times.isEmpty }

    /// Milliseconds per step (an hour when unknown).
    public var step: Int64 { times.count >= 2 ? times[1] - times[0] : 3_600_000 }

    /// The sum of several forecasts of one load's parts (a Deployment's pods), step by step
    /// over the steps all of them cover. Upper bounds add up too: pods behind one Service
    /// peak together, so their errors are not independent.
    /// - Returns: nil when they share no step.
    public static func sum(_ parts: [LoadForecast]) -> LoadForecast? {
        guard let first = parts.first else { return nil }
        var times: [Timestamp] = []
        var mean: [Double] = []
        var upper: [Double] = []
        let lookups = parts.map { part in Dictionary(part.times.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a }) }
        for time in first.times {
            var m = 0.0
            var u = 0.0
            var complete = true
            for (part, lookup) in zip(parts, lookups) {
                guard let index = lookup[time] else { complete = false; break }
                m += part.mean[index]
                u += part.upper[index]
            }
            guard complete else { continue }
            times.append(time)
            mean.append(m)
            upper.append(u)
        }
        return times.isEmpty ? nil : LoadForecast(times: times, mean: mean, upper: upper, source: first.source)
    }

    /// The fallback forecast: for each of the next `hours` hours (from the start of `now`'s
    /// hour), the mean of the same UTC hour of day over the days in `hourly`, and as upper
    /// bound that mean plus 1.2816 standard deviations (a normal 90th percentile), or the
    /// largest value when only two days are known.
    ///
    /// A daily profile ignores weekly shape and trend: it overstates a weekend that is
    /// quieter than weekdays, which for capacity errs on the safe side.
    /// - Parameters:
    ///   - hourly: one value per hour from `firstHourStart` on, NaN where unknown.
    /// - Returns: nil unless every hour of day has at least two days of data.
    public static func dailyProfile(hourly: [Double], firstHourStart: Timestamp, now: Timestamp, hours: Int = 24) -> LoadForecast? {
        let hourMs: Int64 = 3_600_000
        var values = Array(repeating: [Double](), count: 24)
        for (offset, value) in hourly.enumerated() where value.isFinite {
            let start = firstHourStart + Int64(offset) * hourMs
            guard start + hourMs <= now else { continue }  // the current hour is not complete
            values[Int((start / hourMs) % 24)].append(value)
        }
        let days = values.map(\.count).min() ?? 0
        guard days >= 2 else { return nil }
        let nowHour = (now / hourMs) * hourMs
        var times: [Timestamp] = []
        var mean: [Double] = []
        var upper: [Double] = []
        for step in 0..<hours {
            let time = nowHour + Int64(step) * hourMs
            let sample = values[Int((time / hourMs) % 24)]
            let average = sample.reduce(0, +) / Double(sample.count)
            let variance = sample.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(max(1, sample.count - 1))
            let bound = sample.count >= 3 ? average + 1.2816 * variance.squareRoot() : (sample.max() ?? average)
            times.append(time)
            mean.append(average)
            upper.append(max(average, bound))
        }
        return LoadForecast(times: times, mean: mean, upper: upper, source: "daily profile of the last \(days) days")
    }
}

/// Returns the forecast of a series' value (for a counter, of its per-second rate) over the
/// next hours, or nil when it has none. The lead wires the `Forecasting` module's API here.
public typealias ForecastProvider = @Sendable (Labels) -> LoadForecast?
