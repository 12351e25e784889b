import AIOpsCore

/// What a detector's state says about a series' next hours, copied out of it as it is at
/// `origin`: a robust level, the seasonal shape, the spread of the value around them and how
/// far the level moves in a day (`ForecastTracker`). The Forecasting module builds forecasts
/// from it; no history is kept for them.
///
/// The model: value(t) = level + Σ profiles(t) + residual; `low` and `high` are the residual's
/// 10 % and 90 % quantiles, measured against a level that lags by `lagSeconds`, and `drift`
/// the mean absolute change of the level from one day to the next.
public struct ForecastBasis: Sendable, Equatable {
    /// A seasonal shape: values at the centres of `values.count` equal buckets of `periodMs`,
    /// phase 0 at the Unix epoch (a Thursday for a weekly one), read linearly between centres.
    public struct Profile: Sendable, Equatable {
        public var periodMs: Int64
        public var values: [Double]

        public init(periodMs: Int64, values: [Double]) {
            self.periodMs = periodMs
            self.values = values
        }

        /// The profile at `t`, interpolated between the two bucket centres around it.
        /// - Complexity: O(1).
        public func value(at t: Timestamp) -> Double {
            let n = values.count
            guard n > 0, periodMs > 0 else { return 0 }
            let phase = ((t % periodMs) + periodMs) % periodMs
            let p = Double(phase) / Double(periodMs) * Double(n) - 0.5
            var k0 = Int(p)
            if Double(k0) > p { k0 -= 1 }
            let f = p - Double(k0)
            let i0 = k0 < 0 ? k0 + n : k0
            let i1 = i0 + 1 == n ? 0 : i0 + 1
            return values[i0] * (1 - f) + values[i1] * f
        }
    }

    /// Which detector's state this is.
    public var detector: DetectorKind
    /// The event time of the last sample the state has seen.
    public var origin: Timestamp
    /// The deseasonalised level at `origin`: a running median over `lagSeconds`.
    public var level: Double
    /// The seasonal shapes, summed onto the level (empty: none explains the series).
    public var profiles: [Profile]
    /// The 10 % and 90 % quantiles of value − (level + profiles): the 80 % interval's offsets.
    public var low: Double
    public var high: Double
    /// Mean absolute deviation of the value from level + profiles.
    public var scale: Double
    /// Mean absolute change of the level from one UTC midnight to the next (0 until two are known).
    public var drift: Double
    /// How far behind the level is: the averaging time of the running median and quantiles.
    public var lagSeconds: Double
    /// The series' typical sample interval in seconds.
    public var stepSeconds: Double

    public init(
        detector: DetectorKind, origin: Timestamp, level: Double, profiles: [Profile], low: Double, high: Double,
        scale: Double, drift: Double, lagSeconds: Double, stepSeconds: Double
    ) {
        self.detector = detector
        self.origin = origin
        self.level = level
        self.profiles = profiles
        self.low = low
        self.high = high
        self.scale = scale
        self.drift = drift
        self.lagSeconds = lagSeconds
        self.stepSeconds = stepSeconds
    }

    /// level + profiles at `t`: the forecast's central value.
    public func expected(at t: Timestamp) -> Double {
        var value = level
        for profile in profiles { value += profile.value(at: t) }
        return value
    }
}
