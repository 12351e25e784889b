/// Delivery counters of one webhook, for the server's `/metrics`. Never contains the URL.
public struct WebhookStatus: Sendable, Equatable {
    /// The webhook's ID (its workspace's name).
    public var webhook: String
    /// Notifications answered 200 `ok`.
    public var sent: Int
    /// Attempts that failed and were scheduled again.
    public var retried: Int
    /// Given-up notifications by reason (`no_service`, `timeout`, `http_500`, ...).
    public var failed: [String: Int]
    /// The reason of the latest failed attempt, retried or not.
    public var lastError: String?
    /// True after a notification was given up, until one is delivered.
    public var failing: Bool
    /// Notifications waiting or in flight.
    public var queued: Int

    public init(webhook: String, sent: Int = 0, retried: Int = 0, failed: [String: Int] = [:], lastError: String? = nil, failing: Bool = false, queued: Int = 0) {
        self.webhook = webhook
        self.sent = sent
        self.retried = retried
        self.failed = failed
        self.lastError = lastError
        self.failing = failing
        self.queued = queued
    }

    /// All given-up notifications.
    public var failedTotal: Int { failed.values.reduce(0, +) }
}
