/// One of NAB v1.1's application profiles: the weights that turn detections into a raw score.
///
/// NAB applies them exactly so: a true positive scores `A_TP * sigma(position) / sigma(-1)`,
/// a missed window `-A_FN`, a false positive `A_FP * sigma(distance)` (sigma is negative
/// there, so a false positive costs up to `A_FP`). See `NABScorer` for the full rules.
public struct NABProfile: Hashable, Sendable, Codable, CustomStringConvertible {
    /// NAB's profile name: `standard`, `reward_low_FP_rate` or `reward_low_FN_rate`.
    public var name: String
    /// A_TP: the reward for detecting a window at its very first row.
    public var truePositiveWeight: Double
    /// A_FN: the cost of a window with no detection.
    public var falseNegativeWeight: Double
    /// A_FP: the largest cost of one detection outside every window.
    public var falsePositiveWeight: Double

    public init(name: String, truePositiveWeight: Double, falseNegativeWeight: Double, falsePositiveWeight: Double) {
        self.name = name
        self.truePositiveWeight = truePositiveWeight
        self.falseNegativeWeight = falseNegativeWeight
        self.falsePositiveWeight = falsePositiveWeight
    }

    /// (A_TP, A_FN, A_FP) = (1, 1, 0.11).
    public static let standard = NABProfile(name: "standard", truePositiveWeight: 1, falseNegativeWeight: 1, falsePositiveWeight: 0.11)
    /// (A_TP, A_FN, A_FP) = (1, 1, 0.22): false alarms cost twice as much.
    public static let rewardLowFPRate = NABProfile(name: "reward_low_FP_rate", truePositiveWeight: 1, falseNegativeWeight: 1, falsePositiveWeight: 0.22)
    /// (A_TP, A_FN, A_FP) = (1, 2, 0.11): missed windows cost twice as much.
    public static let rewardLowFNRate = NABProfile(name: "reward_low_FN_rate", truePositiveWeight: 1, falseNegativeWeight: 2, falsePositiveWeight: 0.11)

    /// The three NAB profiles, in NAB's order.
    public static let all: [NABProfile] = [.standard, .rewardLowFPRate, .rewardLowFNRate]

    /// The NAB profile with this name (as `--profile` takes it), or nil.
    public static func named(_ name: String) -> NABProfile? {
        all.first { $0.name == name }
    }

    public var description: String { name }
}
