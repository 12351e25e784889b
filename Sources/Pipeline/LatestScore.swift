import AIOpsCore

/// What a binding's detector said about the latest sample it scored: the values exported as
/// `aiops_anomaly_score`, `aiops_expected_value`, `aiops_expected_lower` and
/// `aiops_expected_upper` (scores as series).
///
/// Plain data kept in a `Slab` parallel to the bindings (same index), written in place by
/// the per-sample loop: no allocation, no lock beyond the shard's. Not part of a snapshot
/// (the next sample writes it again), so the snapshot format does not change with it.
public struct LatestScore: Sendable, Equatable, BitwiseCopyable {
    /// Event time of the sample; `.min` when the binding has scored nothing yet.
    public var timestamp: Timestamp
    public var score: Double
    /// NaN while the detector cannot say (warming up).
    public var expected: Double
    public var lower: Double
    public var upper: Double
    /// Written since remote write of the scores last took it (`collectLatestScores(pendingOnly:)`).
    public var pendingExport: Bool

    public init(timestamp: Timestamp, score: Double, expected: Double, lower: Double, upper: Double, pendingExport: Bool = true) {
        self.timestamp = timestamp
        self.score = score
        self.expected = expected
        self.lower = lower
        self.upper = upper
        self.pendingExport = pendingExport
    }

    /// Nothing scored yet.
    public static let none = LatestScore(timestamp: .min, score: .nan, expected: .nan, lower: .nan, upper: .nan, pendingExport: false)

    public var isScored: Bool { timestamp != .min }
}
