import AIOpsCore

/// Exponentially weighted mean and variance of one series, scored by z-score.
///
/// - Warm-up: the first `warmup` samples learn a plain running mean and variance and score 0.
/// - Robustness: deviations up to `zThreshold` σ update the baseline winsorised at 3σ; larger
///   ones leave the mean alone, so a long anomaly does not become the baseline. A sample that
///   starts or flips a run still widens the variance (as a 3σ deviation at the mean's rate), so
///   a series that just got noisier (outliers on both sides) widens its band instead of
///   alarming forever. The variance otherwise averages at alpha/2, for a steadier σ.
/// - Level shifts: a run of consecutive samples more than zThreshold/2 σ away on the same side,
///   lasting `adaptAfter` of event time and at least ⌈1/alpha⌉ samples, is adopted as the new
///   baseline (its mean, and its variance if larger), so the score returns to normal within a
///   bounded time. Measured in time, not samples: at 15 s scrapes ⌈1/alpha⌉ samples are only
///   5 minutes, and a shift adopted before a rule's `for` elapses would never fire.
/// - Flat series: σ never drops below `minRelativeDeviation`·|mean| / zThreshold.
struct EWMADetector: Sendable {
    var mean: Double = 0
    var variance: Double = 0
    var count: Int = 0
    var shift = ShiftTracker()

    mutating func update(timestamp t: Timestamp, value x: Double, spec: DetectorSpec) -> DetectorOutput {
        count += 1
        if count == 1 {
            mean = x
            variance = 0
            return .quiet(.ewma)
        }
        let alpha = spec.alpha
        let d = x - mean
        if count <= max(spec.warmup, 1) {
            let a = max(alpha, 1 / Double(count))
            mean += a * d
            variance = (1 - a) * (variance + a * d * d)
            return .quiet(.ewma)
        }

        let zT = spec.zThreshold
        // The variance averages over twice the mean's memory: a steadier σ, fewer false alarms.
        let beta = alpha / 2
        let sigma = max(variance.squareRoot(), Calibration.sigmaFloor(level: mean, minRelativeDeviation: spec.minRelativeDeviation, zThreshold: zT))
        let z = d / sigma
        let output = DetectorOutput(
            score: Calibration.score(ratio: spec.direction.directed(z) / zT),
            expected: mean, lower: mean - zT * sigma, upper: mean + zT * sigma, detector: .ewma)

        let previousSide = shift.side
        shift.observe(value: x, beyond: abs(z) > zT / 2, side: d > 0 ? 1 : -1, at: t)
        // count >= ⌈1/alpha⌉ is count >= 1/alpha for a whole count (no libm `ceil` per sample).
        if Double(shift.count) >= 1 / alpha, t - shift.start >= spec.adaptAfter.milliseconds {
            mean = shift.mean
            variance = max(variance, shift.variance)
            shift.clear()
        } else if abs(z) <= zT {
            let c = 3 * sigma
            let dc = min(max(d, -c), c)
            mean += alpha * dc
            variance = (1 - beta) * (variance + beta * dc * dc)
        } else if shift.count < 2 || previousSide != shift.side {
            let c = 3 * sigma
            variance = (1 - alpha) * (variance + alpha * c * c)
        }
        return output
    }

    mutating func reset() {
        self = EWMADetector()
    }
}
