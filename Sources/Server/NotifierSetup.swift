import AIOpsCore
import Delivery
import Rules

/// Builds the notifier `aiops serve` reports through: one workspace entry per configured
/// workspace, its policy (defaults, then the file's `notifications`, then the workspace's),
/// the rules' own overrides, and its webhook checked against the allow-list.
public enum NotifierSetup {
    /// - Throws: `DeliveryError` for a webhook URL that is malformed or not allowed (its
    ///   description is redacted), or an outbox that cannot be opened.
    /// - Parameter externalURL: `--external-url`: reports link their incident's page (and a
    ///   rule without a runbook its entry on the rules page) under it; nil: no such links.
    public static func make(
        configuration: ServerConfiguration, rules: RuleSet, dataDirectory: String?, externalURL: String? = nil,
        minimumSendInterval: Double = 1,
        transport: any WebhookTransport = URLSessionWebhookTransport(), clock: any WallClock = SystemClock(),
        textSink: any NotificationSink = StdoutNotificationSink(), log: DeliveryLog = .standardError
    ) throws(DeliveryError) -> Notifier {
        let workspaces = try Self.workspaces(configuration: configuration, rules: rules)
        var renderer = ReportNotificationRenderer()
        renderer.slack.externalURL = externalURL
        renderer.text.externalURL = externalURL
        return try Notifier(
            configuration: NotifierConfiguration(workspaces: workspaces, dataDirectory: dataDirectory, minimumSendInterval: minimumSendInterval),
            renderer: renderer, transport: transport, clock: clock, textSink: textSink, log: log)
    }

    /// Each workspace's notification settings: policy (defaults, the file's `notifications`,
    /// the workspace's), the rules' `notify` overrides, and its webhook checked against the
    /// allow-list. What `make` starts with and a reload hands to `Notifier.reconfigure`.
    /// - Throws: `DeliveryError` for a webhook URL that is malformed or not allowed.
    public static func workspaces(configuration: ServerConfiguration, rules: RuleSet) throws(DeliveryError) -> [NotifierWorkspace] {
        var ruleOverrides: [String: NotifyOverrides] = [:]
        for rule in rules.rules { if let notify = rule.notify { ruleOverrides[rule.name] = notify } }
        let allowed = Set(configuration.allowedWebhookHosts ?? [])
        var workspaces: [NotifierWorkspace] = []
        for workspace in configuration.workspaces {
            let policy = NotificationPolicy.default.applying(configuration.notifications).applying(workspace.notifications)
            var webhook: WebhookURL?
            if let url = workspace.slack?.webhookURL { webhook = try WebhookURL(url, allowedHosts: allowed) }
            workspaces.append(NotifierWorkspace(name: workspace.name, policy: policy, ruleOverrides: ruleOverrides, webhook: webhook))
        }
        return workspaces
    }
}
