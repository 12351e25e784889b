/// Counters of what a store did, by outcome. Plain integers: the store is used under its
/// owner's lock, so no atomics are needed here.
public struct StoreStatistics: Sendable, Equatable {
    /// Indexed by `SampleOutcome.rawValue`.
    public var samples: [Int] = Array(repeating: 0, count: SampleOutcome.allCases.count)
    public var seriesCreated = 0
    public var seriesEvicted = 0
    /// Gaps longer than the store's gap threshold (not anomalies; detectors are told).
    public var gaps = 0

    public init() {}

    public subscript(outcome: SampleOutcome) -> Int {
        get { samples[Int(outcome.rawValue)] }
        set { samples[Int(outcome.rawValue)] = newValue }
    }

    public mutating func add(_ other: StoreStatistics) {
        for index in samples.indices { samples[index] += other.samples[index] }
        seriesCreated += other.seriesCreated
        seriesEvicted += other.seriesEvicted
        gaps += other.gaps
    }
}
