import Foundation

/// The upper tail of one evidence statistic of one series, as peaks over a threshold
/// (Siffer et al., SPOT, KDD 2017): how probable a value this large is under the series' own
/// behaviour. It turns "z = 7" (large on one series, routine on a bursty one) into a tail
/// probability that means the same on every series, so one threshold gives one false-alarm rate.
///
/// - The threshold `u` tracks the `threshold` quantile (98 %) of the statistic by stochastic
///   approximation, with steps proportional to the statistic's own mean, so it needs no scale.
/// - Excesses over `u` are summarised by exponentially forgotten counts and moments; the
///   generalised Pareto shape ξ and scale σ follow by the method of moments, ξ clamped to
///   [0, 0.45] (no finite endpoint is ever assumed: an unseen value is improbable, never
///   impossible, and the moments stay defined).
/// - Until enough excesses are seen the fit is shrunk toward a heavy prior (ξ = 0.1, σ equal
///   to the threshold itself), so the first days after warm-up err on the quiet side.
/// - `P(S > s) = φ · (1 + ξ (s − u) / σ)^(−1/ξ)` with φ the forgotten fraction of excesses.
///
/// Values are fed after they are scored (a sample is never judged against itself), and a
/// value judged improbable beyond `alarmTail` is not added to the excesses (SPOT: an alarm
/// does not teach the model that alarms are normal), but it does count as an observation.
///
/// Memory: 6 doubles, inline; O(1) per sample, no allocation.
struct TailModel: Sendable, BitwiseCopyable {
    /// The quantile the threshold tracks.
    static let threshold = 0.98
    /// Prior weight (in excesses) and prior shape of the shrunk fit.
    static let priorWeight = 8.0
    static let priorShape = 0.1

    /// Forgotten number of observations and of excesses.
    var count: Double = 0
    var excesses: Double = 0
    /// Forgotten sums of excesses and of their squares.
    var sum: Double = 0
    var sumSquares: Double = 0
    /// The threshold and a running mean of the statistic (the quantile tracker's step).
    var u: Double = 0
    var mean: Double = 0

    /// The probability of a value at least `s`, under the fitted tail. 1 when `s` is at or
    /// below the threshold or nothing has been seen.
    /// - Parameter priorScale: the least scale the prior may have (0: the threshold or the
    ///   statistic's mean, whichever is larger).
    @inline(__always)
    func tail(_ s: Double, priorScale: Double = 0) -> Double {
        guard count > 0, s > u, s.isFinite || s == .infinity else { return 1 }
        let phi = max(excesses, 0.5) / count
        let (shape, scale) = fit(priorScale: priorScale)
        let y = (s - u) / scale
        if shape < 1e-6 { return phi * exp(-y) }
        return phi * exp(-log1p(shape * y) / shape)
    }

    /// ξ and σ of the excesses by the method of moments, shrunk toward the prior.
    @inline(__always)
    func fit(priorScale least: Double = 0) -> (shape: Double, scale: Double) {
        let priorScale = max(u, mean, 1e-12, least)
        var shape = Self.priorShape
        var scale = priorScale
        if excesses > 1 {
            let m = sum / excesses
            let v = max(sumSquares / excesses - m * m, 1e-24)
            let r = m * m / v
            let xi = min(max(0.5 * (1 - r), 0), 0.45)
            let sigma = max(0.5 * m * (1 + r), 1e-12)
            let w = excesses / (excesses + Self.priorWeight)
            shape = w * xi + (1 - w) * Self.priorShape
            scale = w * sigma + (1 - w) * priorScale
        }
        return (shape, scale)
    }

    /// Adds a value (after scoring with it).
    /// - Parameters:
    ///   - decay: the factor every past observation is multiplied by (per sample).
    ///   - learnExcess: false for a value that raised an alarm: it counts as an observation
    ///     but not as an excess.
    @inline(__always)
    mutating func observe(_ s: Double, decay: Double, learnExcess: Bool = true) {
        guard s.isFinite else { return }
        count = count * decay + 1
        excesses *= decay
        sum *= decay
        sumSquares *= decay
        if count < 2 {
            u = s
            mean = abs(s)
            return
        }
        let w = max(1 / count, 0.002)
        mean += w * (abs(s) - mean)
        let above = s > u
        if above && learnExcess {
            let y = s - u
            excesses += 1
            sum += y
            sumSquares += y * y
        }
        // Stochastic approximation of the quantile: up by (1 - p) when above, down by p when
        // not, in steps of a fraction of the mean, so it settles where P(S > u) = 1 - p.
        let step = 0.05 * max(mean, 1e-12)
        u += above ? step * Self.threshold : -step * (1 - Self.threshold)
        if u < 0 { u = 0 }
    }
}
