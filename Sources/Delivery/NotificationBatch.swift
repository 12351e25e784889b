import AIOpsCore
import Incidents

/// Why a batch is sent.
public enum NotificationKind: String, Sendable, Codable {
    /// Incidents of the rule nobody was told about yet (the first group, or new series later).
    case firing
    /// Incidents still firing `repeatInterval` after they were last notified.
    case reminder
    /// Notified incidents that resolved.
    case resolved
}

/// What the policy decided to send: some incidents of one rule in one workspace, all of one kind.
///
/// A renderer turns it into a Slack payload or text; delivery never looks inside.
public struct NotificationBatch: Sendable, Equatable {
    public var workspace: String
    public var rule: String
    public var kind: NotificationKind
    /// In the order the policy first saw them; never empty.
    public var incidents: [Incident]
    /// How many incidents of the rule are firing after this batch (including ones notified
    /// earlier), so a message can say "2 new, 5 firing".
    public var firingCount: Int
    /// Wall-clock time of the decision.
    public var decidedAt: Timestamp

    public init(workspace: String, rule: String, kind: NotificationKind, incidents: [Incident], firingCount: Int, decidedAt: Timestamp) {
        self.workspace = workspace
        self.rule = rule
        self.kind = kind
        self.incidents = incidents
        self.firingCount = firingCount
        self.decidedAt = decidedAt
    }
}
