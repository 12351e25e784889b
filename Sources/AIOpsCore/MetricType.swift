/// The metric type a sender declares: 1.0 `MetricMetadata.type`, 2.0 `Metadata.type`
/// (the same enum values on the wire).
public enum MetricType: UInt8, Sendable, CaseIterable {
    case unknown = 0, counter, gauge, histogram, gaugeHistogram, summary, info, stateSet
}
