import AIOpsCore

/// Which detector a rule runs. `auto` runs all three and combines their scores.
public enum DetectorKind: String, Sendable, Codable, CaseIterable {
    case ewma
    case seasonal
    case leak
    case auto
}

/// What a detector says about one sample: a score in [0, 1] and the band it expected.
///
/// Fields that a detector cannot know are NaN (for example `leakRatePerHour` outside the
/// leak detector, or everything during warm-up except `score`, which is 0 then).
public struct DetectorOutput: Sendable, Equatable {
    /// 0 = normal, 1 = certainly anomalous.
    public var score: Double
    /// The value the detector expected at this sample.
    public var expected: Double
    /// The band of normal values around `expected`.
    public var lower: Double
    public var upper: Double
    /// Leak detector: robust growth in value units per hour.
    public var leakRatePerHour: Double
    /// Leak detector with a known limit: seconds until the limit is reached at the current rate.
    public var secondsToLimit: Double
    /// The detector that produced the score (for `auto`, the one that contributed most).
    public var detector: DetectorKind

    public init(
        score: Double = 0, expected: Double = .nan, lower: Double = .nan, upper: Double = .nan,
        leakRatePerHour: Double = .nan, secondsToLimit: Double = .nan, detector: DetectorKind
    ) {
        self.score = score
        self.expected = expected
        self.lower = lower
        self.upper = upper
        self.leakRatePerHour = leakRatePerHour
        self.secondsToLimit = secondsToLimit
        self.detector = detector
    }

    public static func quiet(_ detector: DetectorKind) -> DetectorOutput { DetectorOutput(detector: detector) }
}
