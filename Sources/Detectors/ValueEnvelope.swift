import Foundation

/// The range of values a series has shown lately: the highest and lowest values, each held for
/// `holdMs` of event time after it was last reached and then drawn slowly back toward a running
/// mean, so that a range from months ago does not hold forever while a peak that recurs daily or
/// weekly does.
///
/// A value beyond the envelope by a fraction of its width is something the series has never
/// done in the remembered past: a new extreme. On real infrastructure data (bursty, near-zero,
/// step-changing) this is the most reliable single sign of an anomaly. On a series that is
/// mostly noise, though, the range is a few σ wide and every new record of the noise would be
/// an "extreme": so the excess must also be at least one σ of the sample-to-sample noise
/// (`stepSigma`, from the mean absolute difference of consecutive values, which a slow drift
/// or a daily swing barely moves).
struct ValueEnvelope: Sendable {
    /// Event time after which the envelope has closed half way toward the mean (35 days: the
    /// 10,000 samples it used to be, at NAB's 5-minute step). In event time, so a 15-second
    /// scrape remembers its range as long as a 5-minute series does.
    static let halfLifeSeconds = 3_024_000.0
    /// `ln 2 / halfLifeSeconds` as a literal: a computed `static let` costs a `swift_once` per
    /// read (tests check the two are equal).
    static let closePerSecond = 2.292153374867544e-07
    /// An extreme is held, not drawn in, for this much event time after it was last reached
    /// (a week and a day): a job that peaks every day, or every Sunday, at the same height must
    /// not find the range shrunk below its peak each time it comes back.
    static let holdMs = 691_200_000
    /// A value within this fraction of the width from an extreme reaches it (the hold starts
    /// again): the 3 % by which a new extreme must exceed the range (`AutoDetector.rangeFraction`,
    /// as a literal; tests check the two are equal). A weekly peak a little below the first one
    /// keeps the range, as an exact repeat would.
    static let reachFraction = 0.03
    /// The mean's rate once 100 samples are in (a plain running mean before).
    static let meanRate = 0.01

    var high: Double = 0
    var low: Double = 0
    var mean: Double = 0
    /// EW mean absolute difference of consecutive values (winsorised at 4σ once warm).
    var stepDifference: Double = 0
    var previous: Double = 0
    var count: Int = 0
    /// Event time in milliseconds since `high` and `low` were last reached. (Integers, as the
    /// sample counts they replaced were: a snapshot written before holds counts here, which
    /// read as milliseconds only restart the hold; the layout, and its version, stay.)
    var highAge: Int = 0
    var lowAge: Int = 0

    /// σ of the noise from one sample to the next: E|x_t − x_{t−1}| = 2σ/√π for white noise.
    var stepSigma: Double { stepDifference * 0.886_226_925_452_758 }

    /// How far `x` lies beyond the envelope, as a fraction of its width, in `direction`
    /// (0 inside it).
    @inline(__always)
    func excess(_ x: Double, direction: DetectorDirection) -> Double {
        guard count > 0 else { return 0 }
        let width = max(high - low, 1e-9 * max(1, abs(mean)))
        let signed = x > high ? (x - high) / width : (x < low ? (x - low) / width : 0)
        return direction.directed(signed)
    }

    /// How far `x` lies beyond the envelope in σ of the step noise, in `direction`.
    @inline(__always)
    func excessInSteps(_ x: Double, direction: DetectorDirection) -> Double {
        guard count > 0 else { return 0 }
        let signed = x > high ? x - high : (x < low ? x - low : 0)
        return direction.directed(signed) / max(stepSigma, 1e-12 * max(1, abs(mean)))
    }

    /// Adds a value `dt` seconds of event time after the previous one.
    mutating func observe(_ x: Double, dt: Double) {
        count += 1
        if count == 1 {
            high = x
            low = x
            mean = x
            previous = x
            return
        }
        let step = abs(x - previous)
        previous = x
        let rate = max(Self.meanRate, 1 / Double(count - 1))
        stepDifference += rate * ((count > 50 ? min(step, 4 * stepSigma) : step) - stepDifference)
        let dtMs = Int(dt * 1000)
        highAge &+= dtMs
        lowAge &+= dtMs
        let close = min(dt * Self.closePerSecond, 1)
        let reach = Self.reachFraction * (high - low)
        if x >= high - reach {
            high = max(high, x)
            highAge = 0
        } else if highAge > Self.holdMs {
            high = max(x, high - (high - mean) * close)
        }
        if x <= low + reach {
            low = min(low, x)
            lowAge = 0
        } else if lowAge > Self.holdMs {
            low = min(x, low + (mean - low) * close)
        }
        mean += max(Self.meanRate, 1 / Double(count)) * (x - mean)
    }
}
