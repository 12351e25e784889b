/// The metric type a sender declares: 1.0 `MetricMetadata.type`, 2.0 `Metadata.type`
/// (the same enum values on the wire).
public enum MetricType: UInt8, Sendable, CaseIterable {
    case unknown = 0, counter, gauge, histogram, gaugeHistogram, summary, info, stateSet
}

extension MetricType {
    /// The type of a `# TYPE` line of the text exposition or OpenMetrics (`untyped` is
    /// the text format's `unknown`); nil for anything else.
    public init?(exposition word: String) {
        switch word {
        case "counter": self = .counter
        case "gauge": self = .gauge
        case "histogram": self = .histogram
        case "gaugehistogram": self = .gaugeHistogram
        case "summary": self = .summary
        case "info": self = .info
        case "stateset": self = .stateSet
        case "unknown", "untyped": self = .unknown
        default: return nil
        }
    }

    /// The family names a series named `metricName` may be declared under, most specific
    /// first: its own name (the text format declares `foo_total` as `foo_total`), then the
    /// name without a `_total`, `_created`, `_bucket`, `_count` or `_sum` suffix (OpenMetrics
    /// declares family `foo` for `foo_total`, a histogram `foo` for `foo_bucket`).
    public static func familyNames(ofSeries metricName: String) -> [String] {
        for suffix in ["_total", "_created", "_bucket", "_count", "_sum"] where metricName.hasSuffix(suffix) {
            return [metricName, String(metricName.dropLast(suffix.count))]
        }
        return [metricName]
    }
}
