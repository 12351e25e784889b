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
    /// A message composed elsewhere (the daily summary), sent as it is: the batch carries it
    /// in `prepared` and no incidents.
    case summary
}

/// A message built by its sender rather than rendered from incidents: the Slack payload and
/// the text for standard output.
public struct PreparedMessage: Sendable, Equatable {
    /// The JSON body POSTed to the webhook (UTF-8).
    public var slackPayload: [UInt8]
    /// What a workspace without a webhook prints.
    public var text: String

    public init(slackPayload: [UInt8], text: String) {
        self.slackPayload = slackPayload
        self.text = text
    }
}

/// What the policy decided to send: some incidents of one rule in one workspace, all of one
/// kind; or (kind `summary`) a message prepared by its sender.
///
/// A renderer turns it into a Slack payload or text; delivery never looks inside.
public struct NotificationBatch: Sendable, Equatable {
    public var workspace: String
    public var rule: String
    public var kind: NotificationKind
    /// In the order the policy first saw them; never empty, except for a `summary`.
    public var incidents: [Incident]
    /// How many incidents of the rule are firing after this batch (including ones notified
    /// earlier), so a message can say "2 new, 5 firing".
    public var firingCount: Int
    /// Wall-clock time of the decision.
    public var decidedAt: Timestamp
    /// The message itself, when the sender built it (a `summary`); renderers send it as it is.
    public var prepared: PreparedMessage?

    public init(workspace: String, rule: String, kind: NotificationKind, incidents: [Incident], firingCount: Int, decidedAt: Timestamp, prepared: PreparedMessage? = nil) {
        self.workspace = workspace
        self.rule = rule
        self.kind = kind
        self.incidents = incidents
        self.firingCount = firingCount
        self.decidedAt = decidedAt
        self.prepared = prepared
    }

    /// A prepared message (the daily summary) of `workspace`, sent through the same outbox,
    /// rate limit and retries as incident reports.
    /// - Parameter rule: what the outbox entry names instead of a rule (`daily-summary`).
    public static func prepared(_ message: PreparedMessage, workspace: String, rule: String, at: Timestamp) -> NotificationBatch {
        NotificationBatch(workspace: workspace, rule: rule, kind: .summary, incidents: [], firingCount: 0, decidedAt: at, prepared: message)
    }
}
