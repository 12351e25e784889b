import AIOpsCore
import Foundation

// A small stand-in for `Rules.ValueFormatter` (being written on another branch). Every
// number the reports show goes through `formatValue(_:metric:)` (and `formatRate`, which
// calls it), so swapping in `ValueFormatter` on merge touches only this file.

/// A value with the unit its metric name implies: `_bytes` in binary units
/// (`1.5 GiB`), `_seconds` as `250 ms` / `1.5 s` / `3m 20s`, anything else with SI
/// suffixes (`12.3k`). NaN and infinities are shown as `NaN`, `+Inf`, `-Inf`.
func formatValue(_ value: Double, metric: String) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf") }
    let sign = value < 0 ? "-" : ""
    let magnitude = abs(value)
    switch MetricUnit(metric: metric) {
    case .bytes:
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var scaled = magnitude
        var unit = 0
        while scaled >= 1024, unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        // Whole bytes need no decimals.
        let number = unit == 0 ? String(Int64(scaled.rounded())) : formatNumber(scaled)
        return sign + number + " " + units[unit]
    case .seconds:
        if magnitude == 0 { return "0 s" }
        if magnitude < 1e-3 { return sign + formatNumber(magnitude * 1e6) + " µs" }
        if magnitude < 1 { return sign + formatNumber(magnitude * 1e3) + " ms" }
        if magnitude < 60 { return sign + formatNumber(magnitude) + " s" }
        return sign + formatDuration(seconds: magnitude)
    case .plain:
        let suffixes = ["", "k", "M", "G", "T", "P", "E"]
        var scaled = magnitude
        var index = 0
        while scaled >= 1000, index < suffixes.count - 1 {
            scaled /= 1000
            index += 1
        }
        return sign + formatNumber(scaled) + suffixes[index]
    }
}

/// A growth rate per hour with its sign: `+45.2 MiB/h`.
func formatRate(perHour value: Double, metric: String) -> String {
    guard value.isFinite else { return formatValue(value, metric: metric) + "/h" }
    return (value < 0 ? "-" : "+") + formatValue(abs(value), metric: metric) + "/h"
}

/// A span of time the way people read it: `3h 20m`, `45s`, `2d 4h`.
func formatDuration(seconds: Double) -> String {
    guard seconds.isFinite else { return "∞" }
    let ms = seconds * 1000
    let clamped = max(Double(Int64.min / 2), min(Double(Int64.max / 2), ms))
    return PromDuration(milliseconds: Int64(clamped.rounded())).humanized
}

/// A detector score in [0, 1]: two decimals.
func formatScore(_ score: Double) -> String {
    guard score.isFinite else { return formatValue(score, metric: "") }
    return String(format: "%.2f", score)
}

/// Up to three significant digits without trailing zeros: `1.5`, `45.2`, `512`, `0.00012`.
func formatNumber(_ value: Double) -> String {
    let magnitude = abs(value)
    if magnitude != 0 && magnitude < 1 { return String(format: "%.3g", value) }
    let decimals = magnitude >= 100 ? 0 : (magnitude >= 10 ? 1 : 2)
    var text = String(format: "%.\(decimals)f", value)
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text
}

/// The unit a metric's name implies, Prometheus naming conventions.
enum MetricUnit {
    case bytes
    case seconds
    case plain

    init(metric: String) {
        var name = Substring(metric)
        if name.hasSuffix("_total") { name = name.dropLast(6) }
        if name.hasSuffix("_bytes") {
            self = .bytes
        } else if name.hasSuffix("_seconds") {
            self = .seconds
        } else {
            self = .plain
        }
    }
}
