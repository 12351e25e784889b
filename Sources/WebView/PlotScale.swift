import AIOpsCore
import Foundation
import Rules

/// Axis ranges and tick marks for a plot: round numbers in the value's unit, and clock
/// times in UTC.
enum PlotScale {
    /// The value range shown: every finite value and band bound, padded by 5 %, never empty.
    static func valueRange(_ input: PlotInput) -> (low: Double, high: Double) {
        var low = Double.infinity
        var high = -Double.infinity
        for array in [input.values, input.lower, input.upper, input.expected] {
            for value in array where value.isFinite {
                if value < low { low = value }
                if value > high { high = value }
            }
        }
        if !low.isFinite || !high.isFinite { return (0, 1) }
        if high - low <= abs(high) * 1e-9 {
            let pad = high == 0 ? 1 : abs(high) * 0.1
            return (low - pad, high + pad)
        }
        let pad = (high - low) * 0.05
        return (low - pad, high + pad)
    }

    /// Tick values between `low` and `high`, about `count` of them, at round steps
    /// (1, 2, 5 x 10^k; for bytes 1, 2, 4, ... 512 x 1024^k).
    static func valueTicks(low: Double, high: Double, count: Int = 5, unit: ValueFormatter.Unit) -> [Double] {
        let raw = (high - low) / Double(max(1, count))
        guard raw > 0, raw.isFinite else { return [] }
        let step: Double
        if unit == .bytes && raw >= 1024 {
            var scale = 1024.0
            while raw / scale >= 1024 { scale *= 1024 }
            var multiple = 1.0
            while multiple * scale < raw { multiple *= 2 }
            step = multiple * scale
        } else {
            let power = pow(10, floor(log10(raw)))
            let fraction = raw / power
            step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power
        }
        var ticks: [Double] = []
        var tick = (low / step).rounded(.up) * step
        while tick <= high, ticks.count < 20 {
            ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return ticks
    }

    static let timeSteps: [Int64] = [
        1_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
        3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000,
    ]

    /// Tick times between `start` and `end` at a round step giving at most about `count`.
    static func timeTicks(start: Timestamp, end: Timestamp, count: Int = 6) -> (ticks: [Timestamp], step: Int64) {
        let span = max(1, end - start)
        let step = timeSteps.first { span / $0 <= Int64(count) } ?? (span / Int64(count) / 86_400_000 + 1) * 86_400_000
        var ticks: [Timestamp] = []
        var tick = (start / step + (start % step == 0 ? 0 : 1)) * step
        while tick <= end, ticks.count < 40 {
            ticks.append(tick)
            tick += step
        }
        return (ticks, step)
    }

    /// `14:05`, `14:05:30` below a minute's step, `12-07` at midnight or for steps of days.
    static func timeLabel(_ t: Timestamp, step: Int64) -> String {
        let text = TimeFormat.rfc3339(t - t % 1000)  // 2026-12-07T14:05:30Z
        let date = text.dropFirst(5).prefix(5)        // 12-07
        let clock = text.dropFirst(11).prefix(8)      // 14:05:30
        if step >= 86_400_000 || clock == "00:00:00" { return String(date) }
        return String(step < 60_000 ? clock : clock.prefix(5))
    }

    /// `2026-12-07 14:05:30` (UTC): a readout's time.
    static func readoutTime(_ t: Timestamp) -> String {
        TimeFormat.plain(t - t % 1000)
    }
}
