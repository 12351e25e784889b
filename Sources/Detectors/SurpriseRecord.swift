import Foundation

/// The largest statistic seen lately, forgotten slowly: what "unusual" means for one series.
///
/// A fixed z threshold fires again and again on a series whose normal life has large
/// deviations (bursts, spikes, daily edges). Measuring each deviation against the biggest one
/// of the last weeks instead makes only a deviation that breaks the record surprising, so a
/// series with regular bursts alarms on a bigger burst, not on every burst. The record halves
/// every eight weeks of event time (the owner passes each sample's `decay`:
/// `1 - dt · Calibration.recordForgetPerSecond`), so an old outlier stops masking new events
/// eventually, while an event that comes back every week is still remembered when it does.
/// In event time, not in samples: a memory of so many samples would be weeks at a 5-minute
/// step but hours at a 15-second scrape, and records of the noise would then be broken twenty
/// times as often per day.
struct SurpriseRecord: Sendable {

    /// The largest statistic lately, and the second largest: what is judged against.
    var value: Double = 0
    var second: Double = 0
    /// The largest statistic of the alarm episode (or rise, `observeRises`) under way (0 when
    /// none): an episode enters the record once, as its peak, when it ends, so the samples of
    /// one long event do not fill both places and hide the next event of its size.
    var episode: Double = 0

    /// The ratio of `statistic` to the second-largest record (times `margin`, never below
    /// `floor`): 1 means "as unusual as the second most unusual thing seen lately, by the margin".
    ///
    /// The second, not the first: one earlier event (a false alarm, or a real spike six hours
    /// ago) must not hide the next one of the same size; once two have happened lately they are
    /// the series' pattern, and only a bigger one is news.
    @inline(__always)
    func ratio(_ statistic: Double, margin: Double, floor: Double) -> Double {
        statistic / max(second * margin, floor)
    }

    /// Adds a statistic (after scoring with it, so a sample is not compared with itself).
    /// - Parameters:
    ///   - alarming: the statistic reached the bar (ratio >= 1): it is held back as part of an
    ///     episode, which enters the record as one value when a sample below the bar comes.
    ///   - decay: the factor the record is multiplied by for the time since the last sample.
    @inline(__always)
    mutating func observe(_ statistic: Double, alarming: Bool = false, decay: Double) {
        let s = statistic.isFinite ? statistic : 0
        value *= decay
        second *= decay
        if alarming {
            episode = max(episode, s)
            return
        }
        if episode > 0 {
            insert(episode)
            episode = 0
        }
        insert(s)
    }

    /// As `observe`, but a rise is held back as well: a run of growing statistics enters the
    /// record once, as its peak, when the statistic turns. A ramp (a queue backing up, its z
    /// growing 1.5 a sample) otherwise teaches the record each step before the next, so that
    /// every sample stays within the margin of the one before and the ramp is never news. An
    /// isolated spike is a run of one and enters as before, a sample late.
    @inline(__always)
    mutating func observeRises(_ statistic: Double, alarming: Bool = false, decay: Double) {
        observe(statistic, alarming: alarming || statistic > episode, decay: decay)
    }

    @inline(__always)
    private mutating func insert(_ s: Double) {
        if s > value {
            second = value
            value = s
        } else if s > second {
            second = s
        }
    }
}
