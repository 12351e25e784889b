import AIOpsCore

/// The weekly shape of a series: 84 two-hour buckets (7 days × 12) of the value minus a slow
/// level, read by linear interpolation between bucket centres.
///
/// A series with a strong weekly pattern (traffic that drops at weekends) breaks the daily
/// profile twice a week, so the daily shape is either not in use or learns to ignore a day
/// that looks like a Sunday. A holiday on a Thursday is such a day: normal for a Sunday,
/// unusual for a Thursday. The weekly profile sees it; it is in use only once it has seen two
/// weeks and explains the series better than the daily band does (`explains`).
///
/// Memory: 84 Floats and a few words, inline; `observe` is O(1).
struct WeekProfile: Sendable {
    static let buckets = 84
    static let weekMs: Int64 = 7 * 86_400_000
    static let bucketMs: Int64 = weekMs / Int64(buckets)
    /// Per-week learning rate of a bucket.
    static let weeklyRate = 0.3
    /// The residual's scale: its time constant in seconds of event time (`Calibration.timeRate`),
    /// two days. Time, not samples, as `PhaseProfile.fitSeconds`: a per-sample rate of 0.005 was
    /// 17 hours at a 5-minute step but 50 minutes at 15 s, so at a fine scrape interval the
    /// first hours of a holiday widened the band it was judged against.
    static let fitSeconds = 172_800.0
    /// The model comparison's time constant, a week: slow, so that an anomaly (which the weekly
    /// profile sees and the quickly adapting daily band absorbs) does not switch it off.
    static let compareSeconds = 604_800.0

    var profile = InlineArray<84, Float>(repeating: 0)
    /// Bit k of `visited.0` (k < 64) or `visited.1` (k >= 64): bucket k has been visited.
    var visitedLow: UInt64 = 0
    var visitedHigh: UInt64 = 0
    /// EW mean square of the interpolated residual, winsorised.
    var residualSquare: Double = 0
    /// Slow EW mean squares of this profile's residual and of the daily band's, for `explains`.
    var weekFit: Double = 0
    var dayFit: Double = 0
    /// Slow EW mean square of the value around the level: what neither profile explains.
    var levelFit: Double = 0
    /// The profile is in use when its mean square residual is below this fraction of the level's.
    static let strongFraction = 0.3
    var samples: Int = 0
    /// Samples the residual was measured on; it is trusted after `warmSamples`.
    var scored: Int = 0
    static let warmSamples = 100
    var first: Timestamp = 0
    var last: Timestamp = 0

    /// The bucket a time falls in and the fraction of the way to the next bucket's centre
    /// (negative: toward the previous one). Unix time 0 is a Thursday; any fixed origin works.
    @inline(__always)
    static func position(_ t: Timestamp) -> (bucket: Int, fraction: Double) {
        let phase = ((t % weekMs) + weekMs) % weekMs
        let k = Int(phase / bucketMs)
        let within = Double(phase - Int64(k) * bucketMs) / Double(bucketMs) - 0.5
        return (k, within)
    }

    /// Whether `t` falls on a Saturday or Sunday (UTC). Unix time 0 was a Thursday, so they are
    /// the third and fourth days of a week counted from it: one division.
    @inline(__always)
    static func isWeekend(_ t: Timestamp) -> Bool {
        var phase = t % weekMs
        if phase < 0 { phase += weekMs }
        return phase >= 2 * PhaseProfile.dayMs && phase < 4 * PhaseProfile.dayMs
    }

    @inline(__always)
    func isVisited(_ k: Int) -> Bool {
        k < 64 ? visitedLow & (1 << UInt64(k)) != 0 : visitedHigh & (1 << UInt64(k - 64)) != 0
    }

    var complete: Bool { visitedLow == UInt64.max && visitedHigh == (1 << UInt64(Self.buckets - 64)) - 1 }

    /// The value minus level minus the interpolated profile; whether the profile predicts (every
    /// bucket visited, a week seen: the residual's scale and the model comparison learn from
    /// then), and whether it is judged (two weeks seen: a bucket has had two visits).
    /// `mutating` although it changes nothing, so the profile is read in place (see `PhaseProfile.read`).
    mutating func residual(_ x: Double, level: Double, at t: Timestamp) -> (value: Double, ready: Bool, judged: Bool) {
        let ready = samples > 0 && complete
        guard ready else { return (0, false, false) }
        let (k, f) = Self.position(t)
        let j = f >= 0 ? (k + 1 == Self.buckets ? 0 : k + 1) : (k == 0 ? Self.buckets - 1 : k - 1)
        let w = abs(f)
        let expected = (1 - w) * Double(profile[k]) + w * Double(profile[j])
        return (x - level - expected, true, t - first >= 2 * Self.weekMs)
    }

    /// The residual's σ: its winsorised root mean square, floored like the other detectors.
    /// Inlined: called as a method, Swift 6.3 copies the whole profile (84 floats) to pass
    /// `self` (a memcpy per sample measured with callgrind in session 10).
    @inline(__always)
    func sigma(floor: Double) -> Double {
        max(residualSquare.squareRoot(), floor)
    }

    /// Whether the profile explains the series well (most of its variance around the level, as
    /// `PhaseProfile.strong` asks of the daily one) and better than the daily band.
    @inline(__always)
    var explains: Bool {
        scored > Self.warmSamples && weekFit < dayFit && weekFit < Self.strongFraction * levelFit
    }

    /// Learns from a sample, given its residual (`ready` from `residual`) and σ.
    /// - Parameters:
    ///   - daily: the daily band's residual and σ for the same sample, for the comparison.
    ///   - calm: false while the weekly residual is in an episode (its hours-long mean beyond the
    ///     evidence's floor): the residual's σ and the model comparison do not learn from it, so
    ///     a holiday does not widen the band it is judged against or switch the profile off
    ///     while it lasts (SPOT: an alarm does not teach the model that alarms are normal). The
    ///     profile itself still learns, so a lasting change becomes the pattern within weeks.
    mutating func observe(_ x: Double, level: Double, at t: Timestamp, residual r: Double, ready: Bool, sigma: Double, daily: Double, dailySigma: Double, calm: Bool = true) {
        samples += 1
        if samples == 1 {
            first = t
            last = t
        }
        let dt = Double(t - last) / 1000
        last = t
        if ready {
            scored += 1
        }
        // Once the scale is known, a residual beyond 3 σ is not learned from at all, and the
        // others are winsorised at 4 σ as before. Winsorising alone let the first hours of a
        // holiday (residuals of 2 to 10 σ) double σ every couple of hours, so the holiday was
        // judged against a band it had widened itself and never alarmed.
        let cap = scored > 50 ? 16 * sigma * sigma : Double.infinity
        let learns = scored <= 50 || r * r <= 9 * sigma * sigma
        if ready && calm && learns {
            residualSquare += max(Calibration.timeRate(dt: dt, seconds: Self.fitSeconds), 1 / Double(scored)) * (min(r * r, cap) - residualSquare)
            let rate = max(Calibration.timeRate(dt: dt, seconds: Self.compareSeconds), 1 / Double(scored))
            weekFit += rate * (min(r * r, cap) - weekFit)
            dayFit += rate * (min(daily * daily, 16 * dailySigma * dailySigma) - dayFit)
            let y = x - level
            levelFit += rate * (min(y * y, cap) - levelFit)
        }
        let (k, _) = Self.position(t)
        let e = x - level - Double(profile[k])
        if !isVisited(k) {
            profile[k] += Float(e)
            if k < 64 { visitedLow |= 1 << UInt64(k) } else { visitedHigh |= 1 << UInt64(k - 64) }
        } else {
            let share = min(1, dt * Double(Self.buckets) / (7 * 86_400))
            profile[k] += Float(Self.weeklyRate * share * e)
        }
    }

    /// The buckets as Doubles (every one is visited once `complete`).
    func profileValues() -> [Double] {
        let array = profile
        return (0..<Self.buckets).map { Double(array[$0]) }
    }
}
