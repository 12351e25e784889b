import AIOpsCore
import Pipeline

/// One binding's latest scores with the series they belong to: what a `ScoreSource` hands
/// out, copied under the shard lock (the labels are shared, not copied).
public struct ScoreRecord: Sendable {
    public var labels: Labels
    public var rule: String
    public var latest: LatestScore

    public init(labels: Labels, rule: String, latest: LatestScore) {
        self.labels = labels
        self.rule = rule
        self.latest = latest
    }

    /// The labels the scores are exported under: the series' (its metric name as `metric`)
    /// plus `rule` (`Labels.exported(adding:)`).
    public var exportedLabels: Labels { labels.exported(adding: [("rule", rule)]) }
}

/// Where scores come from: a workspace's pipelines (`Server.Workspace`).
public protocol ScoreSource: Sendable {
    /// Every binding's latest scores (each shard's lock held while it is copied).
    /// - Parameters:
    ///   - pendingOnly: only those written since the last call with `markExported`.
    ///   - markExported: marks the returned ones as taken (remote write).
    func latestScores(pendingOnly: Bool, markExported: Bool) -> [ScoreRecord]
}

/// The four series exported per binding.
public enum ScoreFamily: String, CaseIterable, Sendable {
    case score = "aiops_anomaly_score"
    case expected = "aiops_expected_value"
    case lower = "aiops_expected_lower"
    case upper = "aiops_expected_upper"

    public var name: String { rawValue }

    public var help: String {
        switch self {
        case .score: return "Anomaly score of the latest sample of the series under the rule (0 normal, 0.5 worth an incident with default thresholds, 1 certain)."
        case .expected: return "Value the rule's detector expected for the latest sample (counters: per-second rate)."
        case .lower: return "Lower bound of the normal band at the latest sample."
        case .upper: return "Upper bound of the normal band at the latest sample."
        }
    }

    /// The value of this family in `latest`; NaN when the detector could not say (skipped).
    public func value(_ latest: LatestScore) -> Float {
        switch self {
        case .score: return latest.score
        case .expected: return latest.expected
        case .lower: return latest.lower
        case .upper: return latest.upper
        }
    }

    /// `value` as the shortest decimal that reads back as the same `Float` (`42.0893`, not
    /// `42.08930206298828`), for the text format and remote write alike.
    public static func decimal(_ value: Float) -> Double {
        Double(value.description) ?? Double(value)
    }
}
