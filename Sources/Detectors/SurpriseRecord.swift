import Foundation

/// The largest statistic seen lately, forgotten slowly: what "unusual" means for one series.
///
/// A fixed z threshold fires again and again on a series whose normal life has large
/// deviations (bursts, spikes, daily edges). Measuring each deviation against the biggest one
/// of the last weeks instead makes only a deviation that breaks the record surprising, so a
/// series with regular bursts alarms on a bigger burst, not on every burst. The record halves
/// every `halfLife` samples, so an old outlier stops masking new events eventually.
struct SurpriseRecord: Sendable {
    /// Samples after which an old record counts half.
    static let halfLife = 4000.0
    /// `exp2(-1 / halfLife)` as a literal: a computed `static let` costs a `swift_once` per read
    /// (tests check the two are equal).
    static let decay = 0.9998267282181494

    var value: Double = 0

    /// The ratio of `statistic` to the record (times `margin`, never below `floor`): 1 means
    /// "as unusual as the most unusual thing seen lately, by the margin".
    @inline(__always)
    func ratio(_ statistic: Double, margin: Double, floor: Double) -> Double {
        statistic / max(value * margin, floor)
    }

    /// Adds a statistic (after scoring with it, so a sample is not compared with itself).
    @inline(__always)
    mutating func observe(_ statistic: Double) {
        value = max(value * Self.decay, statistic.isFinite ? statistic : 0)
    }
}
