import AIOpsCore

/// The streaming state of one detector on one series (one per rule and series).
///
/// A plain struct with fixed-size inline storage: `update` is O(1) amortised (the leak fit,
/// O(32²), runs once per leak bucket), allocates nothing, and uses only samples up to and
/// including this one. Every kind carries the state of all four detectors, so the size is the
/// same for each kind (`MemoryLayout<SeriesDetector>.size`, under 2 KiB, no heap storage).
///
/// `ewma`, `seasonal` and `leak` run their detector, for rules that say what to look for and
/// hold a score up for as long as the condition lasts (the rule's `for` and `resolveAfter`
/// decide the incident). `auto`, for series no rule covers, runs `AutoDetector`: new extremes,
/// level and daily-shape surprises measured against the series' own history, one alarm per
/// episode (see there).
public struct SeriesDetector: Sendable {
    var ewma = EWMADetector()
    var seasonal = SeasonalDetector()
    var leak = LeakDetector()
    var auto = AutoDetector()

    public init(spec: DetectorSpec) {}

    /// Feeds one sample (finite value, timestamps strictly increasing) and scores it.
    /// - Parameters:
    ///   - spec: the rule's parameters; passed in, not stored, to keep the state small.
    ///   - limit: a known limit (upper for direction up, the floor for down), or NaN.
    /// - Complexity: O(1) amortised; no allocation.
    public mutating func update(timestamp: Timestamp, value: Double, spec: DetectorSpec, limit: Double) -> DetectorOutput {
        switch spec.kind {
        case .ewma:
            return ewma.update(timestamp: timestamp, value: value, spec: spec)
        case .seasonal:
            return seasonal.update(timestamp: timestamp, value: value, spec: spec)
        case .leak:
            return leak.update(timestamp: timestamp, value: value, spec: spec, direction: spec.direction, limit: limit)
        case .auto:
            return auto.update(timestamp: timestamp, value: value, spec: spec)
        }
    }

    /// Forgets learned state the way `reason` requires (see `DetectorReset`).
    public mutating func reset(_ reason: DetectorReset) {
        switch reason {
        case .stale:
            self = SeriesDetector(spec: .auto)
        case .gap:
            ewma.reset()
            seasonal.reset(.gap)
            leak.clear()
            auto.reset(.gap)
        }
    }

    /// Bytes one `SeriesDetector` takes: its inline size (it owns no heap storage).
    public static var bytesPerSeries: Int { MemoryLayout<SeriesDetector>.size }
}
