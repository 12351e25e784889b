import AIOpsCore

/// What a series is, as far as scoring goes: decided once, when the series is created, from
/// the sender's metadata where there is some and from the Prometheus naming conventions
/// otherwise.
///
/// A counter's raw value only ever climbs (and drops to 0 when its process restarts), so a
/// detector fed the raw value sees every restart as a new extreme. Rules that do not say
/// `transform` (the built-in `auto` rule among them) therefore score a counter's reset-aware
/// per-second rate instead; see `RuleBinding.transformed(_:at:)`.
public enum SeriesKind: UInt8, Sendable {
    /// Scored as it is.
    case gauge
    /// Scored as a per-second rate by rules that do not say `transform`.
    case counter
    /// Not scored by rules that do not say `transform`: a `_created` series holds the
    /// time its counter was created, which says nothing about the workload.
    case unscored

    /// The kind of a series named `metricName`.
    ///
    /// - Parameters:
    ///   - metricName: the series' `__name__`.
    ///   - type: the sender's metadata for the series' family, nil (or `.unknown`) if none.
    ///     It wins over the name: a gauge called `pool_size_total` stays a gauge.
    ///
    /// | type | `_created` | `_total` | `_bucket`, `_count`, `_sum` | other names |
    /// |---|---|---|---|---|
    /// | counter | unscored | counter | counter | counter |
    /// | histogram, summary | unscored | gauge | counter | gauge (a summary's quantiles) |
    /// | gauge, gauge histogram, info, state set | gauge | gauge | gauge | gauge |
    /// | unknown or none | unscored | counter | counter | gauge |
    public init(metricName: String, type: MetricType? = nil) {
        let suffix = Self.suffix(of: metricName)
        switch type ?? .unknown {
        case .counter:
            self = suffix == .created ? .unscored : .counter
        case .histogram, .summary:
            switch suffix {
            case .created: self = .unscored
            case .bucket, .count, .sum: self = .counter
            case .total, .none: self = .gauge
            }
        case .gauge, .gaugeHistogram, .info, .stateSet:
            self = .gauge
        case .unknown:
            switch suffix {
            case .created: self = .unscored
            case .total, .bucket, .count, .sum: self = .counter
            case .none: self = .gauge
            }
        }
    }

    /// The transform a rule that does not say `transform` applies to a series of this kind.
    var defaultTransform: SeriesTransformKind {
        switch self {
        case .gauge: return .none
        case .counter: return .rate
        case .unscored: return .skip
        }
    }

    /// The naming-convention suffixes (OpenMetrics and the Prometheus exposition format).
    enum Suffix {
        case total, created, bucket, count, sum, none
    }

    static func suffix(of name: String) -> Suffix {
        if name.hasSuffix("_total") { return .total }
        if name.hasSuffix("_created") { return .created }
        if name.hasSuffix("_bucket") { return .bucket }
        if name.hasSuffix("_count") { return .count }
        if name.hasSuffix("_sum") { return .sum }
        return .none
    }
}
