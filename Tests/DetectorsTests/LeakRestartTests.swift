import AIOpsCore
import Foundation
import Testing
@testable import Detectors

/// A restart used to clear every leak window, so whatever climbed after it was judged as if
/// the series had just appeared: a cache evicted every night and refilled over six hours was a
/// fast leak every morning. The longest window now keeps its day; an OOM kill's loop, whose
/// older points reached the limit, is still judged afresh each cycle.
@Suite struct LeakRestartTests {
    /// The memory rule's detector: a 1-hour window (with 6 h and 24 h), up, 2 % an hour.
    static let spec = DetectorSpec(kind: .leak, window: .hours(1), minRelativeGrowthPerHour: 0.02)
    static let mb = 1_000_000.0
    static let limit = 1_073_741_824.0

    @Test func aCacheRefilledEveryNightIsALeakOnlyOnItsFirstDay() {
        var rng = SplitMix64(seed: 111)
        var cache = 0.0
        let signal = Signal(count: 7 * 1_440, stepSeconds: 60) { i, s in
            let minute = Int(s / 60) % 1_440
            if minute == 180 { cache = 0 } else if i > 0 { cache = min(250 * Self.mb, cache + 0.7 * Self.mb) }
            let sawtooth = Double(i % 37) / 37 * 40 * Self.mb
            return 500 * Self.mb + cache + sawtooth + 2 * Self.mb * rng.boxMuller()
        }
        let out = signal.run(Self.spec, limit: Self.limit)
        let late = out[1_440...].filter { $0.score >= 0.5 }.count
        #expect(late == 0, "\(late) samples at 0.5 or more after the first day")
    }

    @Test func anOOMLoopIsALeakInEveryCycle() {
        var rng = SplitMix64(seed: 112)
        var level = 400 * Self.mb
        var kills: [Int] = []
        var values: [Double] = []
        for i in 0..<(2 * 2_880) {
            level += 60 * Self.mb / 120
            var v = level + Double(i % 37) / 37 * 40 * Self.mb + 2 * Self.mb * rng.boxMuller()
            if v >= Self.limit {
                kills.append(i)
                level = 400 * Self.mb
                v = level + 2 * Self.mb * rng.boxMuller()
            }
            values.append(v)
        }
        let signal = Signal(count: values.count, stepSeconds: 30) { i, _ in values[i] }
        let out = signal.run(Self.spec, limit: Self.limit)
        #expect(kills.count >= 4)
        for (start, end) in zip([0] + kills, kills) {
            #expect(out.maxScore(start..<end) >= 0.5, "the cycle from sample \(start) to \(end)")
        }
    }

    /// A deploy's restart whose first sample already lands part way back up (the refill starts
    /// at once, under a sawtooth) and whose next sample is the deepest: with the first sample
    /// as the reference the drop was missed, and the refill read as a fast leak an hour later.
    @Test func aRestartWhoseFirstSampleIsPartWayUpIsARestart() {
        var rng = SplitMix64(seed: 113)
        let restartAt = 3 * 120
        let signal = Signal(count: 8 * 120, stepSeconds: 30) { i, s in
            let sawtooth = Double(i % 6) / 6 * 50 * Self.mb
            guard i >= restartAt else { return 575 * Self.mb + sawtooth + Self.mb * rng.boxMuller() }
            // 84 % of the trough, then 76 %, then refilling with a 10-minute time constant.
            if i == restartAt { return 0.84 * 575 * Self.mb }
            if i == restartAt + 1 { return 0.76 * 575 * Self.mb }
            let warm = 1 - exp(-Double(i - restartAt - 1) * 30 / 600)
            return (0.76 + 0.24 * warm) * 575 * Self.mb + sawtooth * warm + Self.mb * rng.boxMuller()
        }
        let out = signal.run(Self.spec, limit: Self.limit)
        let alarmed = out[restartAt...].filter { $0.score >= 0.5 }.count
        #expect(alarmed == 0, "\(alarmed) samples at 0.5 or more after the restart")
    }
}
