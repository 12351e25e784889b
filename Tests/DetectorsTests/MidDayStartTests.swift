import AIOpsCore
import Foundation
import Testing
@testable import Detectors

/// A series that starts in the middle of the afternoon. The weekly buckets once learned from
/// the first sample on, against the daily profile's level while it was still a running mean
/// of the hours seen: the first afternoon's buckets were set near 0 and, at 30 % a week, were
/// still half wrong three weeks later: false incidents at that hour on the fourth Monday,
/// when the weekly profile is first read there (the corpus' daily-weekly noise family, started
/// at 13:37, raised 7 in 3 series).
@Suite struct MidDayStartTests {
    @Test func aDailyWeeklyCurveStartingAt1337HasNoIncident() {
        var rng = SplitMix64(seed: 91)
        let monday: Timestamp = 1_772_409_600_000   // 2026-03-02 00:00 UTC, a Monday
        let start = monday + (13 * 60 + 37) * 60_000
        let day = 86_400.0
        let signal = Signal(count: Int(25 * day / 300), stepSeconds: 300, start: start) { _, s in
            let t = Double(13 * 3_600 + 37 * 60) + s
            let hour = t.truncatingRemainder(dividingBy: day) / 3_600
            let weekday = Int(t / day) % 7
            let high = weekday < 5 ? 200.0 : 70.0
            let curve = hour >= 6 && hour <= 23 ? 20 + (high - 20) * pow(sin(Double.pi * (hour - 6) / 17), 1.5) : 20
            return curve * (1 + 0.05 * rng.boxMuller())
        }
        let out = signal.run(.auto)
        // The fourth Monday's late morning and afternoon, when the first afternoon's buckets
        // are read (three weeks of 5-minute samples after the start).
        let from = Int((21 * day - Double(3 * 3_600 + 37 * 60)) / 300)
        let score = out.maxScore(from..<(from + 48))
        #expect(score < 0.5, "max score \(score)")
        #expect(out.maxScore(Int(day / 300)..<out.count) < 0.5, "max score after the first day \(out.maxScore(Int(day / 300)..<out.count))")
    }
}
