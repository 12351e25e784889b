import AIOpsCore

/// An incident that fired during a case's replay, reduced to what scoring needs.
public struct ScenarioIncident: Sendable, Equatable, Codable {
    public var rule: String
    /// Event time of the episode's first anomalous sample (`Incident.start`).
    public var start: Timestamp
    /// Event time it fired (`Incident.firedAt`).
    public var firedAt: Timestamp

    public init(rule: String, start: Timestamp, firedAt: Timestamp) {
        self.rule = rule
        self.start = start
        self.firedAt = firedAt
    }
}

/// How one case scored: which incidents were true or false, which windows were found and how
/// late.
public struct ScenarioResult: Sendable, Equatable, Codable {
    /// What an incident counts as.
    public enum Verdict: String, Sendable, Codable {
        /// It starts inside a window (and is of the case's rule, if it names one).
        case truePositive
        /// It starts outside every window.
        case falsePositive
        /// It starts inside a window but is of another rule than the case's: neither.
        case otherRule
        /// It starts before the case's `ignoreBefore`.
        case ignored
    }

    public struct ScoredIncident: Sendable, Equatable, Codable {
        public var incident: ScenarioIncident
        public var verdict: Verdict
    }

    public struct WindowOutcome: Sendable, Equatable, Codable {
        public var start: Timestamp
        public var end: Timestamp
        /// The earliest-starting incident that counts for this window, nil when missed.
        public var detection: ScenarioIncident?

        /// Incident start minus window start, in seconds.
        public var startDelaySeconds: Double? { detection.map { Double($0.start - start) / 1000 } }
        /// Firing time minus window start, in seconds.
        public var fireDelaySeconds: Double? { detection.map { Double($0.firedAt - start) / 1000 } }
        public var detected: Bool { detection != nil }
    }

    public var name: String
    public var kind: ScenarioCase.Kind
    public var family: String?
    public var rule: String?
    public var incidents: [ScoredIncident]
    public var windows: [WindowOutcome]
    /// Event time of the case's first and last sample.
    public var firstTimestamp: Timestamp
    public var lastTimestamp: Timestamp
    /// Why the case could not be replayed, nil when it was.
    public var error: String?

    public var truePositives: Int { incidents.count { $0.verdict == .truePositive } }
    public var falsePositives: Int { incidents.count { $0.verdict == .falsePositive } }
    public var missedWindows: Int { windows.count { !$0.detected } }
    /// Every window found and no false incident.
    public var passed: Bool { error == nil && missedWindows == 0 && falsePositives == 0 }

    /// Where the false-alarm budget starts counting: one day after the first sample (the
    /// detectors' warm-up is that day; "from day 2 on").
    public var budgetStart: Timestamp { firstTimestamp + ScenarioResult.warmupMs }
    /// False incidents starting from `budgetStart` on.
    public var budgetFalsePositives: Int {
        incidents.count { $0.verdict == .falsePositive && $0.incident.start >= budgetStart }
    }
    /// The event time the budget covers, in days (0 for a case shorter than its warm-up).
    public var budgetDays: Double { Double(max(0, lastTimestamp - budgetStart)) / 86_400_000 }

    static let warmupMs: Timestamp = 86_400_000

    /// Scores the incidents of one case against its windows.
    /// - Parameters:
    ///   - scenario: the case (windows, rule restriction, grace period).
    ///   - incidents: the incidents that fired, in any order.
    ///   - first: event time of the case's first sample.
    ///   - last: event time of its last sample.
    /// - Complexity: O(incidents × windows).
    public static func score(_ scenario: ScenarioCase, incidents: [ScenarioIncident], first: Timestamp, last: Timestamp) -> ScenarioResult {
        let ordered = incidents.sorted { ($0.start, $0.firedAt, $0.rule) < ($1.start, $1.firedAt, $1.rule) }
        var windows = scenario.windows.map { WindowOutcome(start: $0.lowerBound, end: $0.upperBound, detection: nil) }
        var scored: [ScoredIncident] = []
        for incident in ordered {
            let verdict: Verdict
            if let ignoreBefore = scenario.ignoreBefore, incident.start < ignoreBefore {
                verdict = .ignored
            } else {
                let inside = windows.indices.filter { windows[$0].start <= incident.start && incident.start <= windows[$0].end }
                if inside.isEmpty {
                    verdict = .falsePositive
                } else if let rule = scenario.rule, incident.rule != rule {
                    verdict = .otherRule
                } else {
                    verdict = .truePositive
                    for index in inside where windows[index].detection == nil { windows[index].detection = incident }
                }
            }
            scored.append(ScoredIncident(incident: incident, verdict: verdict))
        }
        return ScenarioResult(
            name: scenario.name, kind: scenario.kind, family: scenario.family, rule: scenario.rule,
            incidents: scored, windows: windows, firstTimestamp: first, lastTimestamp: last, error: nil)
    }

    /// A case that could not be replayed: it fails, with its windows missed.
    public static func failed(_ scenario: ScenarioCase, error: String) -> ScenarioResult {
        ScenarioResult(
            name: scenario.name, kind: scenario.kind, family: scenario.family, rule: scenario.rule, incidents: [],
            windows: scenario.windows.map { WindowOutcome(start: $0.lowerBound, end: $0.upperBound, detection: nil) },
            firstTimestamp: 0, lastTimestamp: 0, error: error)
    }
}
