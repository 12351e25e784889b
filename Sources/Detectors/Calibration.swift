import Foundation

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

    /// The false-alarm budget of a calibrated statistic: on a series behaving as it always has,
    /// it reaches score 0.5 with probability `step / falseAlarmHorizon` per sample (divided by
    /// the number of kinds of evidence a detector combines, Bonferroni), so about once per
    /// `falseAlarmHorizon` of event time at most.
    static let falseAlarmHorizonSeconds = 2_592_000.0

    /// Calibrated tails forget with a half-life of two weeks of event time: `ln 2 / 1,209,600 s`
    /// as a literal (a computed `static let` costs a `swift_once` per read; tests check it).
    static let tailForgetPerSecond = 5.730383437168859e-07

    /// Records of what a series has done (`SurpriseRecord`) forget with a half-life of eight
    /// weeks of event time: `ln 2 / 4,838,400 s` as a literal (tests check it). Longer than the
    /// tails' two weeks because a record must still hold the weekly events it has seen (a
    /// Sunday backup, a Monday-morning peak) when they come back: judged against the second
    /// largest, the occurrences one and two weeks ago must have decayed by less than the margin
    /// (1.5) lets the next one exceed them; at eight weeks the one two weeks old keeps 84 %.
    /// The tails estimate how probable a value is now, so they follow the series more closely.
    static let recordForgetPerSecond = 1.4325958592922148e-07

    /// The weight a sample `dt` seconds after the previous one gets in an exponential average
    /// with time constant `seconds` of event time: `dt / (seconds + dt)`, so the average forgets
    /// at the same pace in hours whatever the scrape interval. A sample stands for at most
    /// `maxLearnSeconds`: a scrape gap is not time the average saw.
    @inline(__always)
    static func timeRate(dt: Double, seconds: Double) -> Double {
        let d = min(max(dt, 0), maxLearnSeconds)
        return d / (seconds + d)
    }

    /// The most event time one sample stands for in `timeRate`: an hour, so hourly series
    /// learn at their step while a day-long gap counts as one hour.
    static let maxLearnSeconds = 3_600.0

    /// The per-sample false-alarm risk for a step of `stepSeconds`.
    @inline(__always)
    static func risk(stepSeconds: Double) -> Double {
        min(max(stepSeconds, 1) / falseAlarmHorizonSeconds, 0.01)
    }

    /// `log p / log risk`: 1 (score 0.5) when the tail probability `p` equals the risk, 2 at
    /// its square; 0 for `p >= 1`.
    @inline(__always)
    static func surprise(_ p: Double, risk: Double) -> Double {
        guard p < 1 else { return 0 }
        return log(max(p, 1e-300)) / log(risk)
    }
}
