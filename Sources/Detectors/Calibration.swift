/// How every detector turns "how far past its threshold" into a score in [0, 1].
///
/// score(r) = r⁶ / (1 + r⁶), where r is the (directed) statistic divided by its threshold:
/// 0.5 exactly at the threshold, ~0.015 at half of it, ~0.15 at 3/4, ~0.92 at twice. The
/// steep power keeps normal data near 0 and lets a real anomaly climb fast.
enum Calibration {
    static func score(ratio r: Double) -> Double {
        guard r > 0 else { return 0 }   // also maps NaN to 0
        guard r < 100 else { return 1 }
        let r3 = r * r * r
        let r6 = r3 * r3
        return r6 / (1 + r6)
    }

    /// Mean absolute deviation of a normal variable is σ·√(2/π); this converts back.
    static let madToSigma = 1.2533141373155003

    /// The smallest σ a detector uses: the relative deviation floor, and a tiny absolute floor
    /// so a constant series does not divide by 0.
    static func sigmaFloor(level: Double, minRelativeDeviation: Double, zThreshold: Double) -> Double {
        let relative = minRelativeDeviation * abs(level) / zThreshold
        return max(relative, 1e-9 * max(1, abs(level)))
    }
}
