import AIOpsCore

/// One decided notification as stored in the outbox: see `Outbox` for the file format.
public struct OutboxEntry: Sendable, Codable, Equatable {
    /// File format version, 1.
    public var format: Int
    /// `<created ms, 13 digits>-<sequence, 6 digits>-<random hex>`: sorts by creation.
    public var id: String
    /// The webhook's ID (the workspace's name), never its URL.
    public var webhook: String
    public var workspace: String
    public var rule: String
    public var kind: NotificationKind
    /// Wall time of the decision, ms since the epoch.
    public var created: Timestamp
    /// Attempts made so far, across restarts.
    public var attempts: Int
    /// The JSON payload as UTF-8 text.
    public var body: String
    /// Only in `failed/`: why it was given up, and when.
    public var failure: String?
    public var failedAt: Timestamp?

    public init(id: String, webhook: String, workspace: String, rule: String, kind: NotificationKind, created: Timestamp, attempts: Int = 0, body: String) {
        self.format = 1
        self.id = id
        self.webhook = webhook
        self.workspace = workspace
        self.rule = rule
        self.kind = kind
        self.created = created
        self.attempts = attempts
        self.body = body
        self.failure = nil
        self.failedAt = nil
    }

    var bodyBytes: [UInt8] { Array(body.utf8) }
}
