import AIOpsCore

/// A silence: alerts (incidents, with `AlertLabels`) matching every matcher are muted from
/// `startsAt` to `endsAt`, as in Alertmanager.
public struct Silence: Sendable {
    public enum State: String, Sendable, CaseIterable {
        /// Not yet started.
        case pending
        case active
        case expired
    }

    public var id: String
    public var matchers: [SilenceMatcher]
    public var startsAt: Timestamp
    public var endsAt: Timestamp
    public var createdBy: String
    public var comment: String
    /// Wall time of the last change.
    public var updatedAt: Timestamp

    public init(id: String, matchers: [SilenceMatcher], startsAt: Timestamp, endsAt: Timestamp, createdBy: String, comment: String, updatedAt: Timestamp) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
        self.updatedAt = updatedAt
    }

    public func state(at now: Timestamp) -> State {
        if now >= endsAt { return .expired }
        return now < startsAt ? .pending : .active
    }

    /// Whether it mutes an alert with `labels` at `now`.
    public func mutes(_ labels: Labels, at now: Timestamp) -> Bool {
        state(at: now) == .active && matchers.allSatisfy { $0.matches(labels) }
    }

    /// The matchers in text form: `{alertname="x", severity=~"crit.*"}`.
    public var matcherText: String {
        "{" + matchers.map(\.description).joined(separator: ", ") + "}"
    }
}
