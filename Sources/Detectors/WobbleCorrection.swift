import Foundation

/// Undoes what a level that follows the raw value does to a profile learned against it.
///
/// The `auto` detector's level is an exponentially weighted mean of the value (time constant
/// τ, a day), so on a seasonal series it wobbles with the season (by about 16 % of a daily
/// amplitude, a few hours late; by 74 % of a weekly one), and its profiles, learned as value −
/// level, hold the true shape minus as much of that wobble as they have absorbed (β). For
/// detection that is what is wanted (level + profile is right at the phase the level is at
/// now); a forecast needs the true shape.
///
/// Per harmonic m of the period T, the wobble is the shape through the level's filter,
/// w_m = H_m s_m with H_m = 1 / (1 + 2πi m τ / T), and the profile is p_m = s_m − β w_m, so
/// s_m = p_m / (1 − β H_m). The mean (m = 0) stays as it is.
enum WobbleCorrection {
    /// The true shape s and the level's wobble w at the bucket centres of `profile`.
    /// - Parameters:
    ///   - levelSeconds: τ of the level the profile was learned against.
    ///   - absorbed: β, from 0 (learned against a flat level) to 1.
    /// - Complexity: O(n²) multiply-adds for n buckets (48 or 84), once per forecast.
    static func correct(_ profile: [Double], periodSeconds: Double, levelSeconds: Double, absorbed: Double) -> (shape: [Double], wobble: [Double]) {
        let n = profile.count
        guard n > 2, periodSeconds > 0, levelSeconds > 0 else { return (profile, [Double](repeating: 0, count: n)) }
        let ratio = levelSeconds / periodSeconds
        let beta = min(max(absorbed, 0), 1)
        var mean = 0.0
        for v in profile { mean += v }
        mean /= Double(n)
        var shape = [Double](repeating: mean, count: n)
        var wobble = [Double](repeating: 0, count: n)
        // Bucket k's centre is at phase (k + 0.5) / n of the period, so harmonic m's angle
        // there is 2π · m(2k + 1) / 2n: one table of 2n cosines and sines serves them all.
        let table = (0..<(2 * n)).map { j in (cos(Double.pi * Double(j) / Double(n)), sin(Double.pi * Double(j) / Double(n))) }
        for m in 1...(n / 2) {
            // p_m = (1/n) Σ p_k e^{−iθ}
            var re = 0.0, im = 0.0
            for k in 0..<n {
                let (c, s) = table[(m * (2 * k + 1)) % (2 * n)]
                re += profile[k] * c
                im -= profile[k] * s
            }
            re /= Double(n)
            im /= Double(n)
            // H = 1 / (1 + i a), a = 2π m τ / T; s = p / (1 − β H); w = H s.
            let a = 2 * Double.pi * Double(m) * ratio
            let hRe = 1 / (1 + a * a), hIm = -a / (1 + a * a)
            let dRe = 1 - beta * hRe, dIm = -beta * hIm
            let dd = dRe * dRe + dIm * dIm
            let sRe = (re * dRe + im * dIm) / dd
            let sIm = (im * dRe - re * dIm) / dd
            let wRe = hRe * sRe - hIm * sIm
            let wIm = hRe * sIm + hIm * sRe
            // A real signal: harmonics m and n − m together, the Nyquist one (m = n/2) alone.
            let weight = (n % 2 == 0 && m == n / 2) ? 1.0 : 2.0
            for k in 0..<n {
                let (c, s) = table[(m * (2 * k + 1)) % (2 * n)]
                shape[k] += weight * (sRe * c - sIm * s)
                wobble[k] += weight * (wRe * c - wIm * s)
            }
        }
        return (shape, wobble)
    }
}
