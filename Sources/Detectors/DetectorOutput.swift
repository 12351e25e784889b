/// What a detector says about one sample: a score in [0, 1] and the band it expected.
///
/// Fields that a detector cannot know are NaN (for example `leakRatePerHour` outside the
/// leak detector, or everything during warm-up except `score`, which is 0 then).
public struct DetectorOutput: Sendable, Equatable {
    /// 0 = normal, 1 = certainly anomalous; 0.5 means "worth an incident" with default parameters.
    public var score: Double
    /// The value the detector expected at this sample.
    public var expected: Double
    /// The band of normal values around `expected` (scores below 0.5 inside it).
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
