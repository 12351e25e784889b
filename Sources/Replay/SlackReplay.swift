import AIOpsCore
import Delivery
import Fixtures
import Incidents
import Reports
import Rules

/// What `aiops replay --slack-dry-run` and `--slack URL` do: replay a file while
/// `EventTimeNotifications` decides, on the samples' own time, which Slack messages the
/// notification policy would have sent, then print their payloads or post them through a
/// `Notifier` (allow-listed webhook, rate limit, retries).
public struct SlackReplay: Sendable {
    /// The workspace a replay notifies as. Shown in every message ("Workspace replay"), so a
    /// channel can tell a replay from live alerts.
    public static let workspace = "replay"

    /// How hard `--slack` tries: the default backoff, but given up 2 minutes after queueing
    /// (not 10) because someone is waiting for the command to end.
    public static let retry = RetryPolicy(deadline: 120)

    public var policy: NotificationPolicy
    public var ruleOverrides: [String: NotifyOverrides]
    public var renderer: ReportNotificationRenderer

    /// - Parameters:
    ///   - rules: their `notify` settings override `policy` per rule, as in `aiops serve`.
    ///   - policy: the default (Alertmanager's timings, resolved messages on).
    public init(rules: RuleSet, policy: NotificationPolicy = .default, renderer: ReportNotificationRenderer = ReportNotificationRenderer()) {
        self.policy = policy
        self.ruleOverrides = EventTimeNotifications.ruleOverrides(of: rules)
        self.renderer = renderer
    }

    /// One file's replay and the notifications it led to.
    public struct FileReplay: Sendable {
        public var result: ReplayResult
        /// In decision order; `decidedAt` is event time.
        public var batches: [NotificationBatch]
    }

    /// Replays a file and decides its notifications on event time, draining at its last sample.
    /// - Throws: `FixtureError` naming file, line and reason.
    public func replay(path: String, metric: Labels? = nil, replayer: Replayer, keepScores: Bool = false,
                       summaries: DailySummaryReplay? = nil, keepBands: Bool = false) throws(FixtureError) -> FileReplay {
        let notifications = EventTimeNotifications(workspace: Self.workspace, policy: policy, ruleOverrides: ruleOverrides)
        let result = try replayer.replay(path: path, metric: metric, notifications: notifications, keepScores: keepScores, summaries: summaries, keepBands: keepBands)
        return FileReplay(result: result, batches: notifications.finish(at: result.lastTimestamp ?? .min))
    }

    /// Replays series already read (tests, evaluation).
    public func replay(series: [FixtureSeries], name: String, replayer: Replayer) -> FileReplay {
        let notifications = EventTimeNotifications(workspace: Self.workspace, policy: policy, ruleOverrides: ruleOverrides)
        let result = replayer.replay(series: series, name: name, notifications: notifications)
        return FileReplay(result: result, batches: notifications.finish(at: result.lastTimestamp ?? .min))
    }

    /// The bodies that would be POSTed, one compact JSON object per line (no newline inside:
    /// JSON escapes line breaks in strings), as `--slack-dry-run` prints them.
    public func payloadLines(_ batches: [NotificationBatch]) -> [String] {
        batches.map { String(decoding: renderer.slackPayload(for: $0), as: UTF8.self) }
    }

    /// A notifier that posts to `webhook` as workspace `SlackReplay.workspace`, keeping
    /// nothing on disk (a replay that is interrupted need not be resent).
    /// - Parameter minimumSendInterval: seconds between two posts (Slack allows about one per second).
    public func notifier(
        webhook: WebhookURL, retry: RetryPolicy = SlackReplay.retry, minimumSendInterval: Double = 1,
        transport: any WebhookTransport = URLSessionWebhookTransport(), log: DeliveryLog = .standardError
    ) throws(DeliveryError) -> Notifier {
        let configuration = NotifierConfiguration(
            workspaces: [NotifierWorkspace(name: Self.workspace, policy: policy, ruleOverrides: ruleOverrides, webhook: webhook)],
            dataDirectory: nil, retry: retry, minimumSendInterval: minimumSendInterval
        )
        return try Notifier(configuration: configuration, renderer: renderer, transport: transport, log: log)
    }

    /// Seconds to wait for `count` queued notifications, retries included: each waits its
    /// turn in the rate limit, then may retry until the deadline, the last attempt taking
    /// up to the request timeout.
    public static func flushTimeout(count: Int, retry: RetryPolicy = SlackReplay.retry, minimumSendInterval: Double = 1) -> Double {
        Double(count) * max(0, minimumSendInterval) + retry.deadline + retry.requestTimeout + 10
    }

    /// What went wrong with delivery, in one line without any URL, or nil when every
    /// notification was delivered: `2 of 5 notifications were not delivered (no_service: 2)`.
    public static func deliveryProblem(_ flush: FlushResult, statuses: [WebhookStatus]) -> String? {
        let total = flush.delivered + flush.givenUp + flush.pending
        if flush.completed && flush.givenUp == 0 { return nil }
        var failed: [String: Int] = [:]
        for status in statuses { failed.merge(status.failed, uniquingKeysWith: +) }
        var parts = failed.keys.sorted().map { "\($0): \(failed[$0]!)" }
        if !flush.completed { parts.append("still pending at the timeout: \(flush.pending)") }
        let lost = flush.givenUp + (flush.completed ? 0 : flush.pending)
        return "\(lost) of \(total) notification\(total == 1 ? "" : "s") \(lost == 1 ? "was" : "were") not delivered (" + parts.joined(separator: ", ") + ")"
    }
}
