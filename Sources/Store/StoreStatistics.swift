/// Counters of what a store did, by outcome. Plain integers: the store is used under its
/// owner's lock, so no atomics are needed here.
public struct StoreStatistics: Sendable, Equatable {
    /// Indexed by `SampleOutcome.rawValue` (6 outcomes in 8 lanes: counted per sample without
    /// a heap array's uniqueness check).
    public var samples = SIMD8<Int>()
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
        samples &+= other.samples
        seriesCreated += other.seriesCreated
        seriesEvicted += other.seriesEvicted
        gaps += other.gaps
    }
}
