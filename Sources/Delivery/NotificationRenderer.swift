/// Turns a batch into what is sent: a Slack webhook JSON body, or text for a person.
///
/// Delivery treats both as opaque; the real implementation wraps the Reports module's
/// Slack and text builders. Called rarely (once per batch), outside any lock.
public protocol NotificationRenderer: Sendable {
    /// The JSON body POSTed to the webhook (UTF-8).
    func slackPayload(for batch: NotificationBatch) -> [UInt8]
    /// A readable message for standard output when no webhook is configured.
    func text(for batch: NotificationBatch) -> String
}
