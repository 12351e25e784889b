import AIOpsCore
import Foundation
import Rules

// Every number a report shows goes through `Rules.ValueFormatter`, the formatter rule advice
// uses too, so a value reads the same in the advice and in the fields around it. These
// helpers only pick the formatter from the metric name and the rule's transform.

/// A value in the unit its metric name implies: `1.50 GiB`, `250 ms`, `12.3k`, `/s` after a
/// `rate` transform; `unknown` for NaN and infinities.
func formatValue(_ value: Double, metric: String, transform: SeriesTransform = .none) -> String {
    ValueFormatter(metric: metric, transform: transform).format(value)
}

/// A growth rate per hour with its sign: `+45.2 MiB/h`.
func formatRate(perHour value: Double, metric: String, transform: SeriesTransform = .none) -> String {
    ValueFormatter(metric: metric, transform: transform).formatGrowth(perHour: value)
}

/// A span of time the way people read it: `3h 20m`, `45s`, `2d 4h`.
func formatDuration(seconds: Double) -> String {
    ValueFormatter.duration(seconds: seconds)
}

/// A detector score in [0, 1]: two decimals. (A score has no unit, so it is not a
/// `ValueFormatter` value.)
func formatScore(_ score: Double) -> String {
    guard score.isFinite else { return ValueFormatter.unknown }
    return String(format: "%.2f", score)
}
