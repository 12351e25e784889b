import AIOpsCore
import Foundation
import Testing
@testable import Detectors

/// Series without noise or anomaly (NAB's `artificialNoAnomaly` kind): a daily square wave, and
/// a daily curve flat half the day. The level's record had not seen their daily edges while
/// warm, so the second day's first edge broke it: an incident on a series that never changes.
@Suite struct DailyEdgeTests {
    func maxScoreAfterWarmup(_ value: (Double) -> Double) -> Double {
        let day = 86_400.0
        let signal = Signal(count: Int(14 * day / 300), stepSeconds: 300, start: 1_699_920_000_000) { _, s in
            value(s.truncatingRemainder(dividingBy: day) / 3_600)
        }
        let out = signal.run(.auto)
        return out.maxScore(Int(day / 300)..<out.count)
    }

    @Test func aDailySquareWaveIsNotAnIncident() {
        let score = maxScoreAfterWarmup { hour in hour >= 8 && hour < 20 ? 80 : 20 }
        #expect(score < 0.5, "max score \(score)")
    }

    @Test func aDailyCurveFlatHalfTheDayIsNotAnIncident() {
        let score = maxScoreAfterWarmup { hour in 20 + 60 * max(0, sin(2 * Double.pi * hour / 24)) }
        #expect(score < 0.5, "max score \(score)")
    }
}
