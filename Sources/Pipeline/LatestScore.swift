import AIOpsCore

/// What a binding's detector said about the latest sample it scored: the values exported as
/// `aiops_anomaly_score`, `aiops_expected_value`, `aiops_expected_lower` and
/// `aiops_expected_upper` (scores as series).
///
/// Plain data kept in a `Slab` parallel to the bindings (same index), written in place by
/// the per-sample loop: no allocation, no lock beyond the shard's, 24 bytes per binding
/// (values as `Float`: seven significant digits are plenty for a chart or an alert on a
/// score, and it halves the memory and the stores). Not part of a snapshot (the next sample
/// writes it again), so the snapshot format does not change with it.
public struct LatestScore: Sendable, Equatable, BitwiseCopyable {
    /// Event time of the sample; `.min` when the binding has scored nothing yet.
    public var timestamp: Timestamp
    public var score: Float
    /// NaN while the detector cannot say (warming up).
    public var expected: Float
    public var lower: Float
    public var upper: Float

    public init(timestamp: Timestamp, score: Double, expected: Double, lower: Double, upper: Double) {
        self.timestamp = timestamp
        self.score = Float(score)
        self.expected = Float(expected)
        self.lower = Float(lower)
        self.upper = Float(upper)
    }

    /// Nothing scored yet.
    public static let none = LatestScore(timestamp: .min, score: .nan, expected: .nan, lower: .nan, upper: .nan)

    public var isScored: Bool { timestamp != .min }
}
