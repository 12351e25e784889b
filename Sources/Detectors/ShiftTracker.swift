import AIOpsCore

/// Notices a sustained level shift: a run of consecutive samples all on the same side of the
/// baseline by more than half the threshold. The run's mean and variance tell the detector
/// where the new baseline is, so a genuine shift is adopted after a bounded time while a short
/// anomaly is not.
struct ShiftTracker: Sendable {
    /// +1 above, −1 below, 0 no run.
    var side: Int8 = 0
    var count: Int32 = 0
    /// When the run started.
    var start: Timestamp = 0
    /// Running mean and sum of squared deviations (Welford) of the run's values.
    var mean: Double = 0
    var m2: Double = 0

    var variance: Double { count > 1 ? m2 / Double(count - 1) : 0 }

    /// Adds a sample; `beyond` says it is past half the threshold on `side` (+1 or −1).
    mutating func observe(value v: Double, beyond: Bool, side s: Int8, at t: Timestamp) {
        guard beyond else { clear(); return }
        if s != side {
            clear()
            side = s
            start = t
        }
        count &+= 1
        let delta = v - mean
        mean += delta / Double(count)
        m2 += delta * (v - mean)
    }

    mutating func clear() {
        self = ShiftTracker()
    }
}
