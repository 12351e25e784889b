import AIOpsCore

extension ReplayResult {
    /// The event time of the file's last sample, nil for a file without samples: where a
    /// replay's notification clock stops.
    /// - Complexity: O(samples) (a file's rows need not be sorted).
    public var lastTimestamp: Timestamp? {
        series.compactMap { $0.timestamps.max() }.max()
    }
}
