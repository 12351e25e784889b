import Rules

/// How one workspace is notified.
public struct NotifierWorkspace: Sendable {
    /// The workspace's name; also its webhook's ID in the outbox and in `WebhookStatus`.
    public var name: String
    public var policy: NotificationPolicy
    /// The rules' `notify` overrides by rule name.
    public var ruleOverrides: [String: NotifyOverrides]
    /// Where messages go; nil prints text to the `NotificationSink` (standard output).
    public var webhook: WebhookURL?

    public init(name: String, policy: NotificationPolicy = .default, ruleOverrides: [String: NotifyOverrides] = [:], webhook: WebhookURL? = nil) {
        self.name = name
        self.policy = policy
        self.ruleOverrides = ruleOverrides
        self.webhook = webhook
    }
}

/// Everything a `Notifier` needs besides its collaborators.
public struct NotifierConfiguration: Sendable {
    /// The first one also receives events given to `Notifier.handle(_:)` without a workspace.
    public var workspaces: [NotifierWorkspace]
    /// The outbox lives in `<dataDirectory>/outbox/`; nil keeps notifications in memory only
    /// (lost on a crash; for replay and tests).
    public var dataDirectory: String?
    public var retry: RetryPolicy
    /// Seconds between two messages to one webhook (Slack allows about one per second).
    public var minimumSendInterval: Double
    /// Longest the delivery thread sleeps without looking at the clock again (seconds), so
    /// a clock that jumps or a `ManualClock` moved by a test is noticed.
    public var maximumIdleWait: Double

    public init(workspaces: [NotifierWorkspace], dataDirectory: String? = nil, retry: RetryPolicy = RetryPolicy(), minimumSendInterval: Double = 1, maximumIdleWait: Double = 1) {
        self.workspaces = workspaces
        self.dataDirectory = dataDirectory
        self.retry = retry
        self.minimumSendInterval = minimumSendInterval
        self.maximumIdleWait = maximumIdleWait
    }
}
