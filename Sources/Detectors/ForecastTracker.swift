import AIOpsCore

/// What a forecast needs that a detector's mean-based state does not give: a robust level,
/// the spread of the value around it, and how far the level moves in a day.
///
/// Two running medians, of the value and of its difference from the detector's seasonal
/// expectation (its slow level plus profile), are the level of a flat forecast and the offset
/// of a seasonal one; the model whose mean absolute deviation is lower is in use (by 20 % to
/// switch to the seasonal one, 10 % to keep it). Absolute errors are what a forecast is judged
/// by (MASE), and the median is what minimises them: on a series with spikes, or one that sits
/// at 0 between bursts, a mean, and a profile of means, is pulled toward values that rarely
/// happen, so a series whose profile does not beat the flat median is forecast flat.
///
/// The interval: running 10 % and 90 % quantiles of the value around the level in use (the
/// empirical residual distribution's own, so a skewed series gets a skewed interval), and the
/// mean absolute change of that level from one UTC midnight to the next, over about a week,
/// which the forecaster adds for horizons beyond the tracker's own lag.
///
/// Every quantile is a stochastic-approximation one (q moves up by η·p when the value is above
/// it and down by η·(1 − p) otherwise, so it settles where a fraction p lies below) with a
/// step η of its model's mean absolute deviation times the per-sample weight of a 6-hour
/// average: it follows a change within hours, whatever the series' scale or sample rate, and
/// a spike moves it by one step only.
///
/// The constants were chosen on the backtest (`aiops evaluate --forecast`, README
/// "Forecasts"): 6 hours beat 12 and 24 on the interval's coverage (76.7 % against 72.4 % and
/// 69.6 % median on the NAB series, before the drift widening) at the same MASE.
///
/// It learns from the first sample of each minute of event time, not from every sample: a
/// 6-hour median needs no more, and a series scraped every 15 s costs the tracker a quarter of
/// its samples (the others, a division and a comparison).
///
/// Memory: 56 bytes inline (spreads as `Float`: they are relative quantities; levels as
/// `Double`, which a large offset needs). `observe` is O(1): comparisons and multiply-adds.
struct ForecastTracker: Sendable, BitwiseCopyable {
    /// The averaging time of the levels and quantiles; also how far the level lags.
    static let seconds = 21_600.0
    /// The interval's quantiles: an 80 % interval.
    static let lowQuantile = 0.1
    static let highQuantile = 0.9
    static let minuteMs: Int64 = 60_000
    static let minutesPerDay: Int32 = 1440
    /// The longest step learned from: after a gap an hour counts as an hour.
    static let maximumStepMinutes: Int32 = 60

    /// Running medians of the value and of the value minus the seasonal expectation.
    var flatLevel: Double = 0
    var seasonalOffset: Double = 0
    /// The level in use at the last UTC midnight (NaN before one is known).
    var snapshot: Double = .nan
    /// EW mean absolute deviations from each median. Not winsorised: a spike widens the next
    /// hours' steps a little, where a clip relative to a scale that a constant stretch took
    /// to 0 would freeze the tracker.
    var flatScale: Float = 0
    var seasonalScale: Float = 0
    /// The 10 % and 90 % quantiles of the value's deviation from the level in use.
    var low: Float = 0
    var high: Float = 0
    /// EW mean absolute change of the level in use from one midnight to the next.
    var drift: Float = 0
    /// Samples learned from.
    var samples: Int32 = 0
    /// Minutes since the Unix epoch of the last sample learned from, and midnights measured
    /// into `drift`.
    var minute: Int32 = 0
    var days: UInt16 = 0
    /// Whether the seasonal model is in use.
    var seasonal = false

    /// Whether the tracker learns from a sample at `t`: the first of a new minute.
    /// - Complexity: O(1): a division by a constant and a comparison.
    @inline(__always)
    func isDue(_ t: Timestamp) -> Bool {
        Int32(truncatingIfNeeded: t / Self.minuteMs) != minute || samples == 0
    }

    /// Learns from a sample (one that `isDue`).
    /// - Parameters:
    ///   - x: the value.
    ///   - expected: the detector's seasonal expectation for it (slow level plus profile),
    ///     read before the sample.
    ///   - level: the detector's slow level, the part of `expected` a seasonal forecast
    ///     starts from (its change from one midnight to the next is the drift).
    /// Out of line: inlined, it made the detectors' large update functions spill registers.
    @inline(never)
    mutating func observe(_ x: Double, expected: Double, level: Double, at t: Timestamp) {
        let now = Int32(truncatingIfNeeded: t / Self.minuteMs)
        let elapsed = now &- minute
        if samples > 0 && now / Self.minutesPerDay != minute / Self.minutesPerDay {
            // A midnight passed since the last update: the level's change since the last one.
            let current = seasonal ? level + seasonalOffset : flatLevel
            if snapshot.isFinite {
                days &+= 1
                let d = Double(drift)
                drift = Float(d + Swift.max(1 / 7, 1 / Double(days)) * ((current - snapshot).magnitude - d))
            }
            snapshot = current
        }
        minute = now
        samples &+= 1
        let y = x - expected
        if samples == 1 {
            flatLevel = x
            seasonalOffset = y
            return
        }
        let ef = x - flatLevel
        let es = y - seasonalOffset
        // Comparisons and `.magnitude` written out: the generic `max` and `abs` were not
        // inlined into the detectors' large update functions (a call each, per sample).
        let dt = 60 * Double(Swift.min(Swift.max(elapsed, 1), Self.maximumStepMinutes))
        let rate = dt / (Self.seconds + dt)
        let w = samples > 1000 ? rate : Swift.max(rate, 1 / Double(samples))
        var fs = Double(flatScale), ss = Double(seasonalScale)
        fs += w * (ef.magnitude - fs)
        ss += w * (es.magnitude - ss)
        flatScale = Float(fs)
        seasonalScale = Float(ss)
        seasonal = ss < (seasonal ? 0.9 : 0.8) * fs
        let etaFlat = w * fs
        let etaSeasonal = w * ss
        flatLevel += ef > 0 ? etaFlat : (ef < 0 ? -etaFlat : 0)
        seasonalOffset += es > 0 ? etaSeasonal : (es < 0 ? -etaSeasonal : 0)
        let e = seasonal ? es : ef
        let eta = seasonal ? etaSeasonal : etaFlat
        let lo = Double(low), hi = Double(high)
        low = Float(lo + (e > lo ? Self.lowQuantile * eta : -(1 - Self.lowQuantile) * eta))
        high = Float(hi + (e > hi ? Self.highQuantile * eta : -(1 - Self.highQuantile) * eta))
    }

    /// The mean absolute deviation of the model in use.
    var scale: Double { Double(seasonal ? seasonalScale : flatScale) }
}
