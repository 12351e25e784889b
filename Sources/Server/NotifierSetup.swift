import AIOpsCore
import Delivery
import Rules

/// Builds the notifier `aiops serve` reports through: one workspace entry per configured
/// workspace, its policy (defaults, then the file's `notifications`, then the workspace's),
/// the rules' own overrides, and its webhook checked against the allow-list.
public enum NotifierSetup {
    /// - Throws: `DeliveryError` for a webhook URL that is malformed or not allowed (its
    ///   description is redacted), or an outbox that cannot be opened.
    public static func make(
        configuration: ServerConfiguration, rules: RuleSet, dataDirectory: String?,
        transport: any WebhookTransport = URLSessionWebhookTransport(), clock: any WallClock = SystemClock(),
        textSink: any NotificationSink = StdoutNotificationSink(), log: DeliveryLog = .standardError
    ) throws(DeliveryError) -> Notifier {
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
        return try Notifier(
            configuration: NotifierConfiguration(workspaces: workspaces, dataDirectory: dataDirectory),
            renderer: ReportNotificationRenderer(), transport: transport, clock: clock, textSink: textSink, log: log)
    }
}
