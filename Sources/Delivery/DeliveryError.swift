/// Why a notification could not be delivered (or a webhook not configured).
///
/// Descriptions never contain a webhook URL: cases carry the redacted form
/// (`WebhookURL.redacted`) or a webhook ID. Foundation errors are mapped to these cases by
/// code, and their own descriptions (which include the failing URL) are never kept.
public enum DeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configured URL is unusable; `reason` names the problem, not the URL.
    case invalidWebhookURL(reason: String)
    /// No response within the per-request timeout.
    case timedOut(webhook: String, seconds: Double)
    /// The connection failed: `reason` is a short token (`connection_refused`, `tls_failure`, ...)
    /// and `code` the `URLError` code.
    case transport(webhook: String, reason: String, code: Int)
    /// The webhook answered with an error status; `reason` is Slack's body token.
    case http(webhook: String, status: Int, reason: String)
    /// A 3xx: redirects are refused (they could lead a secret-bearing request anywhere).
    case redirectRefused(webhook: String, status: Int)
    /// Reading or writing the outbox failed.
    case outbox(path: String, operation: String, errno: Int32)
    /// An event or setting named a workspace the notifier was not configured with.
    case unknownWorkspace(String)

    /// A short token for counters and the failed-outbox record: `no_service`, `timeout`, `http_500`.
    public var reason: String {
        switch self {
        case .invalidWebhookURL: return "invalid_webhook_url"
        case .timedOut: return "timeout"
        case .transport(_, let reason, _): return reason
        case .http(_, let status, let reason): return reason.isEmpty ? "http_\(status)" : reason
        case .redirectRefused(_, let status): return "redirect_\(status)"
        case .outbox: return "outbox_io"
        case .unknownWorkspace: return "unknown_workspace"
        }
    }

    public var description: String {
        switch self {
        case .invalidWebhookURL(let reason):
            return "invalid webhook URL: \(reason)"
        case .timedOut(let webhook, let seconds):
            return "webhook \(webhook): no response within \(seconds)s"
        case .transport(let webhook, let reason, let code):
            return "webhook \(webhook): \(reason) (URLError \(code))"
        case .http(let webhook, let status, let reason):
            return "webhook \(webhook): HTTP \(status) \(reason)"
        case .redirectRefused(let webhook, let status):
            return "webhook \(webhook): HTTP \(status) redirect refused"
        case .outbox(let path, let operation, let errno):
            return "outbox \(operation) \(path): errno \(errno)"
        case .unknownWorkspace(let name):
            return "unknown workspace \"\(name)\""
        }
    }
}
