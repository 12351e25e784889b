import AIOpsCore

/// Online seasonal decomposition: level + daily profile (+ weekly correction) + residual,
/// with the residual scored against a robust scale.
///
/// Three nested models are learned side by side from every sample:
/// - model 0, no seasonality: `level0`, an exponentially weighted level;
/// - model 1, daily (or the custom period): `level` + `daily[phase]`, Holt–Winters style, both
///   driven by the model's one-step error;
/// - model 2, daily + weekly: its own fast level `level2` + `daily[phase]` + `weekly[phase]`.
/// The profiles learn against slow levels (τ = span for the daily profile, τ = 1 week for the
/// weekly one), so the fast levels, which follow shifts within hours, do not soak up the shape.
/// A configured period picks the model once enough history exists; `auto` picks the one with
/// the smallest out-of-sample error (an EW mean square, winsorised), and only when it beats the
/// simpler model clearly (σ at least 20 % lower to switch to, 10 % to keep).
///
/// Profiles are per-phase buckets whose count does not depend on the scrape interval (48 per
/// profile span, 84 per week), read and updated with linear interpolation between bucket
/// centres. All rates are per unit of time, not per sample, so 15-second and 5-minute steps
/// learn alike: level τ = span/24, residual scale τ = span/4, model choice τ = span, a profile
/// bucket averages over its last 3 visits (weekly: 2).
///
/// Robustness: level updates are winsorised at 3σ of their model, profile updates at 6σ (a
/// profile sees each phase only once a period, so it must be allowed to learn large shapes); the scale is an EW mean absolute
/// residual (×√(π/2) for σ). A run of residuals beyond zThreshold/2 on one side lasting 2 level
/// τ is a level shift and is adopted. Scoring starts after `warmup` samples and one full span
/// (one day for `auto`), so the profile or the scale has seen a whole cycle.
///
/// Gaps: phases come from wall-clock time, so a gap leaves the profile aligned; the first
/// sample after a gap is weighed like a normal step (the step is capped at 4 typical steps).
struct SeasonalDetector: Sendable {
    static let dailyBuckets = 48
    static let weeklyBuckets = 84
    static let dayMs: Int64 = 86_400_000
    static let weekMs: Int64 = 7 * 86_400_000

    var daily = InlineArray<48, Float>(repeating: 0)
    /// The tail of the directed residual z (`TailModel`), for the false-alarm budget.
    var tail = TailModel()
    var weekly = InlineArray<84, Float>(repeating: 0)
    /// Level of the seasonal models and of the non-seasonal one.
    var level: Double = 0
    var level0: Double = 0
    /// A slow level (τ = span) the profiles learn against, so the fast level does not soak up
    /// the seasonal shape while the profile is still being learned.
    var slowLevel: Double = 0
    /// The fast level of model 2, and the slow level (τ = 1 week) the weekly profile learns
    /// against: model 1's level soaks up a weekend, model 2's must not.
    var level2: Double = 0
    var weekLevel: Double = 0
    /// EW mean absolute one-step residual of models 0, 1, 2.
    var spread0: Double = 0
    var spread1: Double = 0
    var spread2: Double = 0
    /// EW mean square one-step residual (winsorised) of models 0, 1, 2, for `auto`'s choice.
    var mse0: Double = 0
    var mse1: Double = 0
    var mse2: Double = 0
    var first: Timestamp = 0
    var last: Timestamp = 0
    var count: Int = 0
    /// The typical step in seconds.
    var step: Double = 0
    /// The profile span index in which the profiles were last centred.
    var centredSpan: Int64 = 0
    /// The model in use: 0 none, 1 daily (or custom), 2 daily + weekly.
    var model: UInt8 = 0
    /// Set by `reset(.gap)`: the next sample re-seeds the levels.
    var releveling = false
    var shift = ShiftTracker()
    /// The seasonal part of the expected value at the last sample (0 for model 0), which
    /// `auto` removes before its leak detector sees the value.
    var component: Double = 0
    /// Forecasts (`forecastBasis`): a running median of the value minus the profiles of the
    /// model in use, and quantiles around it.
    var forecast = ForecastTracker()

    /// The daily profile span in ms, and whether a weekly correction is kept.
    static func geometry(_ period: SeasonalPeriod) -> (span: Int64, weekly: Bool) {
        switch period {
        case .auto: return (dayMs, true)
        case .daily: return (dayMs, false)
        case .weekly: return (dayMs, true)
        case .custom(let d): return (max(d.milliseconds, 1), false)
        }
    }

    /// Where `t` falls in a profile of `buckets` over `span`: the two bucket centres around it
    /// and the weight of the second.
    @inline(__always)
    static func position(_ t: Timestamp, span: Int64, buckets: Int) -> (k0: Int, k1: Int, f: Double) {
        let phase = ((t % span) + span) % span
        let p = Double(phase) / Double(span) * Double(buckets) - 0.5
        // p lies in [-0.5, buckets): floor by truncation and one down below a negative
        // fraction, without the libm call `rounded(.down)` costs on baseline x86-64.
        var k0 = Int(p)
        if Double(k0) > p { k0 -= 1 }
        let floorP = Double(k0)
        if k0 < 0 { k0 += buckets }
        let k1 = k0 + 1 == buckets ? 0 : k0 + 1
        return (k0, k1, p - floorP)
    }

    @inline(__always)
    static func clip(_ v: Double, _ c: Double) -> Double { min(max(v, -c), c) }

    mutating func update(timestamp t: Timestamp, value x: Double, spec: DetectorSpec) -> DetectorOutput {
        let (span, hasWeekly) = Self.geometry(spec.period)
        // The usual span is a day: passed as a literal into the inlined body, the per-sample
        // divisions by it become multiplications and its derived rates constants (the same
        // results, bit for bit).
        if span == Self.dayMs {
            return update(timestamp: t, value: x, spec: spec, span: Self.dayMs, hasWeekly: hasWeekly)
        }
        return update(timestamp: t, value: x, spec: spec, span: span, hasWeekly: hasWeekly)
    }

    @inline(__always)
    mutating func update(timestamp t: Timestamp, value x: Double, spec: DetectorSpec, span: Int64, hasWeekly: Bool) -> DetectorOutput {
        let (k0, k1, f) = Self.position(t, span: span, buckets: Self.dailyBuckets)
        let sD = Double(daily[k0]) * (1 - f) + Double(daily[k1]) * f
        var sW = 0.0
        var w0 = 0, w1 = 0, fw = 0.0
        if hasWeekly {
            (w0, w1, fw) = Self.position(t, span: Self.weekMs, buckets: Self.weeklyBuckets)
            sW = Double(weekly[w0]) * (1 - fw) + Double(weekly[w1]) * fw
        }

        count += 1
        if count == 1 || releveling {
            if count == 1 { first = t; centredSpan = t / span }
            last = t
            level = x - sD
            level0 = x
            level2 = x - sD - sW
            if count == 1 { slowLevel = x; weekLevel = x - sD }
            releveling = false
            shift.clear()
            component = 0
            return .quiet(.seasonal)
        }
        let dt = Double(t - last) / 1000
        last = t
        if step == 0 { step = dt }
        let dtEff = min(dt, 4 * step)
        step += 0.1 * (dtEff - step)

        let elapsed = t - first
        let spanSeconds = Double(span) / 1000
        let learning = count <= max(spec.warmup, 2)
        let zT = spec.zThreshold

        // One-step (out-of-sample) residuals of the three models.
        let e0 = x - level0
        let e1 = x - level - sD
        let e2 = x - level2 - sD - sW
        model = chooseModel(period: spec.period, elapsed: elapsed, span: span)
        // Forecasts: the value against the slow levels the profiles learn against.
        if forecast.isDue(t) {
            forecast.observe(x, expected: model == 2 ? weekLevel + sD + sW : slowLevel + sD, level: model == 2 ? weekLevel : slowLevel, at: t)
        }

        let expected: Double, spread: Double, residual: Double
        switch model {
        case 0: (expected, spread, residual) = (level0, spread0, e0)
        case 1: (expected, spread, residual) = (level + sD, spread1, e1)
        default: (expected, spread, residual) = (level2 + sD + sW, spread2, e2)
        }
        component = expected - (model == 0 ? level0 : model == 1 ? level : level2)
        let floor = Calibration.sigmaFloor(level: expected, minRelativeDeviation: spec.minRelativeDeviation, zThreshold: zT)
        let sigma = max(spread * Calibration.madToSigma, floor)
        let z = residual / sigma
        var output = DetectorOutput.quiet(.seasonal)
        // The z must reach the threshold and be improbable at the false-alarm budget under the
        // residual's own fitted tail: a shape the profile cannot follow (a batch job's sharp
        // edges every night) makes large z routine, and routine is not news.
        let dz = spec.direction.directed(z)
        let ratio = min(dz / zT, Calibration.surprise(tail.tail(dz), risk: Calibration.risk(stepSeconds: step)))
        let scoring = !learning && elapsed >= span
        if scoring {
            output = DetectorOutput(
                score: Calibration.score(ratio: ratio),
                expected: expected, lower: expected - zT * sigma, upper: expected + zT * sigma, detector: .seasonal)
        }

        if scoring {
            // An alarmed residual is not learned (SPOT), unless its run on one side has lasted a
            // profile bucket (30 minutes of a day): the profile learns a sharp shape only over
            // days, and a nightly job that alarmed from start to end once would otherwise alarm
            // every night. The first half hour of any anomaly still alarms unlearned.
            let lasting = shift.count > 0 && Double(t - shift.start) / 1000 >= spanSeconds / Double(Self.dailyBuckets)
            tail.observe(dz, decay: 1 - dtEff * Calibration.tailForgetPerSecond, learnExcess: ratio < 1 || lasting)
        }

        // Learning, winsorised at 3σ of each model (not clipped while the scales are unknown).
        let sigma0 = max(spread0 * Calibration.madToSigma, Calibration.sigmaFloor(level: level0, minRelativeDeviation: spec.minRelativeDeviation, zThreshold: zT))
        let sigma1 = max(spread1 * Calibration.madToSigma, Calibration.sigmaFloor(level: level + sD, minRelativeDeviation: spec.minRelativeDeviation, zThreshold: zT))
        let sigma2 = max(spread2 * Calibration.madToSigma, sigma1 * 0.1)
        let c0 = learning ? Double.infinity : 3 * sigma0
        let c1 = learning ? Double.infinity : 3 * sigma1
        let c2 = learning ? Double.infinity : 3 * sigma2
        let e0c = Self.clip(e0, c0), e1c = Self.clip(e1, c1), e2c = Self.clip(e2, c2)

        let tauLevel = spanSeconds / 24
        let wLevel = dtEff / (tauLevel + dtEff)
        level0 += wLevel * e0c
        level += wLevel * e1c
        level2 += wLevel * e2c

        // The profiles learn against the slow level: until it is learned, the daily shape is the
        // value minus the running mean of everything seen.
        let warmStart = 1 / Double(count - 1)
        let eSlow = Self.clip(x - slowLevel - sD, 2 * c1)
        slowLevel += max(dtEff / (spanSeconds + dtEff), warmStart) * eSlow
        let spansSeen = Double(elapsed / span)
        let wDaily = min(1, dtEff / (spanSeconds / Double(Self.dailyBuckets) * min(spansSeen + 1, 3)))
        daily[k0] += Float(wDaily * (1 - f) * eSlow)
        daily[k1] += Float(wDaily * f * eSlow)
        if hasWeekly {
            let eWeek = Self.clip(x - sD - sW - weekLevel, 2 * c2)
            weekLevel += max(dtEff / (Double(Self.weekMs) / 1000 + dtEff), warmStart) * eWeek
        }
        if hasWeekly && elapsed >= 2 * Self.dayMs {
            let weeksSeen = Double(elapsed / Self.weekMs)
            let bucketSeconds = Double(Self.weekMs) / 1000 / Double(Self.weeklyBuckets)
            let wWeekly = min(1, dtEff / (bucketSeconds * min(weeksSeen + 1, 2)))
            // The first week learns unclipped: model 2's scale knows nothing of weekly shapes yet.
            let e2p = Self.clip(x - sD - sW - weekLevel, weeksSeen == 0 ? .infinity : 2 * c2)
            weekly[w0] += Float(wWeekly * (1 - fw) * e2p)
            weekly[w1] += Float(wWeekly * fw * e2p)
        }

        let wSpread = max(dtEff / (spanSeconds / 4 + dtEff), warmStart)
        spread0 += wSpread * (min(abs(e0), c0) - spread0)
        spread1 += wSpread * (min(abs(e1), c1) - spread1)
        spread2 += wSpread * (min(abs(e2), c2) - spread2)
        let wSelect = max(dtEff / (spanSeconds + dtEff), warmStart)
        mse0 += wSelect * (min(e0 * e0, 16 * sigma0 * sigma0) - mse0)
        mse1 += wSelect * (min(e1 * e1, 16 * sigma1 * sigma1) - mse1)
        mse2 += wSelect * (min(e2 * e2, 16 * sigma2 * sigma2) - mse2)

        // A sustained shift of the deseasonalised value becomes the new level.
        shift.observe(value: x - component, beyond: !learning && abs(z) > zT / 2, side: z > 0 ? 1 : -1, at: t)
        if shift.count >= 3, Double(t - shift.start) / 1000 >= 2 * tauLevel {
            level = shift.mean
            level0 = shift.mean
            level2 = shift.mean
            slowLevel = shift.mean
            weekLevel = shift.mean
            let runSpread = shift.variance.squareRoot() / Calibration.madToSigma
            spread0 = max(spread0, runSpread)
            spread1 = max(spread1, runSpread)
            spread2 = max(spread2, runSpread)
            shift.clear()
        }

        // Keep the profiles centred on 0 (the daily mean belongs to the level).
        let spanIndex = t / span
        if spanIndex != centredSpan {
            centredSpan = spanIndex
            var d = daily.mutableSpan
            let mean = Double(d.withUnsafeMutableBufferPointer { Self.centre($0) })
            level += mean
            level2 += mean
            slowLevel += mean
            weekLevel += mean
            if hasWeekly {
                var w = weekly.mutableSpan
                let weekMean = Double(w.withUnsafeMutableBufferPointer { Self.centre($0) })
                level2 += weekMean
                weekLevel += weekMean
            }
        }
        return output
    }

    /// Subtracts the mean from every element in place and returns it (0 for none).
    ///
    /// Plain code on purpose: it runs once per span per series over 48 or 84 values; a SIMD
    /// variant measured 1.1x-1.5x against this loop in aiops-bench (LLVM already vectorises
    /// the subtraction), too little to keep a second code path for.
    static func centre(_ x: UnsafeMutableBufferPointer<Float>) -> Float {
        let n = x.count
        guard n > 0 else { return 0 }
        var sum: Float = 0
        for i in 0..<n { sum += x[i] }
        let mean = sum / Float(n)
        for i in 0..<n { x[i] -= mean }
        return mean
    }

    /// The model a period calls for, given how much history exists.
    func chooseModel(period: SeasonalPeriod, elapsed: Int64, span: Int64) -> UInt8 {
        switch period {
        case .daily, .custom:
            return elapsed >= span ? 1 : 0
        case .weekly:
            return elapsed >= Self.weekMs + 2 * Self.dayMs ? 2 : (elapsed >= span ? 1 : 0)
        case .auto:
            var m: UInt8 = 0
            if elapsed >= 2 * Self.dayMs, mse1 < (model >= 1 ? 0.81 : 0.64) * mse0 { m = 1 }
            if m == 1, elapsed >= 2 * Self.weekMs, mse2 < (model == 2 ? 0.81 : 0.64) * mse1 { m = 2 }
            return m
        }
    }

    /// The state a forecast starts from, once the detector has seen its span and two days;
    /// nil before. The profiles learn against deseasonalised slow levels, so they are the shape
    /// as it is (the daily one, and the weekly correction when the model uses it).
    func forecastBasis(spec: DetectorSpec) -> ForecastBasis? {
        guard isForecastWarm(spec: spec) else { return nil }
        let (span, hasWeekly) = Self.geometry(spec.period)
        var level = forecast.flatLevel
        var profiles: [ForecastBasis.Profile] = []
        if forecast.seasonal {
            level = (model == 2 ? weekLevel : slowLevel) + forecast.seasonalOffset
            let daily = self.daily
            profiles.append(ForecastBasis.Profile(periodMs: span, values: (0..<Self.dailyBuckets).map { Double(daily[$0]) }))
            if model == 2 && hasWeekly {
                let weekly = self.weekly
                profiles.append(ForecastBasis.Profile(periodMs: Self.weekMs, values: (0..<Self.weeklyBuckets).map { Double(weekly[$0]) }))
            }
        }
        return ForecastBasis(
            detector: .seasonal, origin: last, level: level, profiles: profiles, low: Double(forecast.low), high: Double(forecast.high),
            scale: forecast.scale, drift: Double(forecast.drift), lagSeconds: ForecastTracker.seconds, stepSeconds: step)
    }

    /// The span and two days seen, the tracker past 50 samples.
    func isForecastWarm(spec: DetectorSpec) -> Bool {
        let span = Self.geometry(spec.period).span
        return count > max(spec.warmup, 2) && last - first >= max(span, 2 * Self.dayMs) && forecast.samples > 50
    }

    mutating func reset(_ reason: DetectorReset) {
        switch reason {
        case .stale:
            self = SeasonalDetector()
        case .gap:
            releveling = true
            shift.clear()
        }
    }
}
