import AIOpsCore
import Foundation

/// Formats detector numbers for people, in the unit a metric's name implies
/// (Prometheus naming conventions: `_bytes`, `_seconds`, `_total` for counters).
///
/// Used by advice rendering and by the report builders, so a number reads the same in a
/// rule's advice and in the surrounding Slack message.
///
/// | unit | examples |
/// |---|---|
/// | bytes | `512 B`, `1.50 KiB`, `45.2 MiB`, `1.95 GiB`, `2.00 TiB` (two decimals below 10, else one) |
/// | seconds | `850 µs`, `2.50 ms`, `250 ms`, `1.25 s`, `12.5 s`, `2m 5s` |
/// | cores | `0.25 cores` (the rate of a CPU `_seconds_total` counter) |
/// | plain | `42`, `0.853`, `12.35`, `123.5`, `12.3k`, `4.5M` |
///
/// A per-second rate appends `/s` (`1.50 MiB/s`, `12.3/s`); nil, NaN and infinities
/// render as `unknown`.
public struct ValueFormatter: Sendable, Hashable {
    public enum Unit: String, Sendable {
        case bytes
        case seconds
        /// CPU seconds per second.
        case cores
        case plain
    }

    public static let unknown = "unknown"

    public let unit: Unit
    /// The values are per-second rates of a counter (the rule's `rate` transform).
    public let perSecond: Bool

    public init(unit: Unit, perSecond: Bool = false) {
        self.unit = unit
        self.perSecond = perSecond && unit != .cores
    }

    /// Infers the unit from the metric name's suffix; `transform` says whether the values
    /// are the counter's per-second rate.
    /// - `x_bytes`, `x_bytes_total` -> bytes; `x_seconds`, `x_seconds_total` -> seconds,
    ///   except the rate of a `*cpu*_seconds_total` counter, which is cores;
    ///   anything else (`_ratio`, `_percent`, `_total`, ...) -> plain.
    public init(metric: String, transform: SeriesTransform = .none) {
        let rated = transform == .rate
        var base = Substring(metric)
        if base.hasSuffix("_total") { base = base.dropLast("_total".count) }
        if base.hasSuffix("_bytes") {
            self.init(unit: .bytes, perSecond: rated)
        } else if base.hasSuffix("_seconds") {
            if rated && metric.hasSuffix("_seconds_total") && metric.contains("cpu") {
                self.init(unit: .cores)
            } else {
                self.init(unit: .seconds, perSecond: rated)
            }
        } else {
            self.init(unit: .plain, perSecond: rated)
        }
    }

    /// A value in this formatter's unit: `45.2 MiB`, `250 ms`, `12.3/s`.
    public func format(_ value: Double?) -> String {
        guard let value, value.isFinite else { return ValueFormatter.unknown }
        let text: String
        switch unit {
        case .bytes: text = ValueFormatter.bytes(value)
        case .seconds: text = ValueFormatter.seconds(value)
        case .cores: return ValueFormatter.plain(value) + " cores"
        case .plain: text = ValueFormatter.plain(value)
        }
        return perSecond ? text + "/s" : text
    }

    /// A signed growth per hour, as the leak detector reports it: `+45.2 MiB/h`, `-1.20 GiB/h`.
    public func formatGrowth(perHour rate: Double?) -> String {
        guard let rate, rate.isFinite else { return ValueFormatter.unknown }
        let sign = rate < 0 ? "-" : "+"
        return sign + format(abs(rate)) + "/h"
    }

    /// A coarse duration: `45s`, `3h 20m`, `2d 4h`; `unknown` for nil, NaN, infinite or
    /// negative input, `more than 10 years` beyond that.
    public static func duration(seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return unknown }
        if seconds >= 10 * 365 * 86_400 { return "more than 10 years" }
        return PromDuration(milliseconds: Int64(seconds * 1000)).humanized
    }

    // MARK: Units

    /// Binary units, two decimals below 10 and one above: `1.50 KiB`, `45.2 MiB`.
    static func bytes(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude < 1024 { return plain(value) + " B" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var scaled = value / 1024
        var unit = 0
        while abs(scaled) >= 1024 && unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        // Rounding may carry 1023.96 KiB up to "1024.0 KiB"; that is still readable.
        return fixed(scaled, decimals: abs(scaled) < 10 ? 2 : 1) + " " + units[unit]
    }

    /// `850 µs`, `2.50 ms`, `25.3 ms`, `250 ms`, `1.25 s`, `12.5 s`, then `2m 5s`.
    static func seconds(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude == 0 { return "0 s" }
        if magnitude < 0.001 { return threeFigures(value * 1_000_000) + " µs" }
        if magnitude < 1 { return threeFigures(value * 1000) + " ms" }
        if magnitude < 60 { return threeFigures(value) + " s" }
        let text = duration(seconds: magnitude)
        return value < 0 ? "-" + text : text
    }

    /// Integers as integers, SI suffixes from 10 000 (`12.3k`, `4.5M`), otherwise about three
    /// significant figures with trailing zeros dropped (`0.853`, `12.35`, `123.5`).
    static func plain(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 10_000 {
            let suffixes = ["k", "M", "G", "T", "P", "E"]
            var scaled = value / 1000
            var index = 0
            while abs(scaled) >= 1000 && index < suffixes.count - 1 {
                scaled /= 1000
                index += 1
            }
            return trimmed(fixed(scaled, decimals: abs(scaled) < 100 ? 1 : 0)) + suffixes[index]
        }
        if value == value.rounded() { return String(Int64(value)) }
        if magnitude >= 100 { return trimmed(fixed(value, decimals: 1)) }
        if magnitude >= 1 { return trimmed(fixed(value, decimals: 2)) }
        let decimals = min(12, 2 - Int(floor(log10(magnitude))))
        return trimmed(fixed(value, decimals: decimals))
    }

    /// Two decimals below 10, one below 100, none above: `2.50`, `25.3`, `250`.
    static func threeFigures(_ value: Double) -> String {
        let magnitude = abs(value)
        return fixed(value, decimals: magnitude < 10 ? 2 : magnitude < 100 ? 1 : 0)
    }

    static func fixed(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    /// Drops trailing zeros after a decimal point: `12.50` -> `12.5`, `3.00` -> `3`.
    static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var out = Substring(text)
        while out.last == "0" { out = out.dropLast() }
        if out.last == "." { out = out.dropLast() }
        return String(out)
    }
}
