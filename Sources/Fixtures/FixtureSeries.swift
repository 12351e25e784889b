import AIOpsCore

/// One series read from a fixture file: its identity and its samples in file order.
///
/// Samples are never sorted: a row out of time order stays where it was, so replay
/// feeds it to the pipeline (which rejects and counts it) and writes one score row
/// per input row.
public struct FixtureSeries: Sendable, Equatable {
    public var labels: Labels
    /// Milliseconds since the epoch, one per row, in file order.
    public var timestamps: [Timestamp]
    /// Same count and order as `timestamps`.
    public var values: [Double]
    /// The type the file declares for the series' family (`# TYPE` of exposition text and
    /// OpenMetrics); nil when it declares none. Not part of `==`, which compares the data.
    public var metricType: MetricType?

    public init(labels: Labels, timestamps: [Timestamp] = [], values: [Double] = []) {
        precondition(timestamps.count == values.count, "one value per timestamp")
        self.labels = labels
        self.timestamps = timestamps
        self.values = values
    }

    public var count: Int { timestamps.count }

    /// NaN-aware equality: two fixtures with NaN in the same row are equal.
    public static func == (lhs: FixtureSeries, rhs: FixtureSeries) -> Bool {
        guard lhs.labels == rhs.labels, lhs.timestamps == rhs.timestamps, lhs.values.count == rhs.values.count else { return false }
        for (a, b) in zip(lhs.values, rhs.values) where !(a == b || (a.isNaN && b.isNaN)) { return false }
        return true
    }

    mutating func append(_ timestamp: Timestamp, _ value: Double) {
        timestamps.append(timestamp)
        values.append(value)
    }
}
