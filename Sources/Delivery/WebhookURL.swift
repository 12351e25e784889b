import Foundation

/// A validated webhook URL that never shows itself: `description`, `debugDescription` and
/// its mirror all give the redacted form (`https://hooks.slack.com/***`), because Slack
/// revokes leaked webhooks and URLs leak through logs and error texts.
///
/// Allowed by default: `https://hooks.slack.com/...` only. Other hosts (a loopback receiver,
/// a proxy) must be listed in `allowedHosts`; plain `http` is accepted only for those.
/// Credentials in the URL, queries and fragments are refused.
public struct WebhookURL: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let slackHost = "hooks.slack.com"

    /// The real URL: only the transport reads it.
    let url: URL
    /// Computed once; safe to print.
    public let redacted: String

    /// - Parameters:
    ///   - string: The URL as configured.
    ///   - allowedHosts: Hosts allowed besides `hooks.slack.com` (compared case-insensitively).
    /// - Throws: `DeliveryError.invalidWebhookURL`, whose reason never contains the URL's path.
    public init(_ string: String, allowedHosts: Set<String> = []) throws(DeliveryError) {
        guard let components = URLComponents(string: string), let url = components.url,
              let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased(), !host.isEmpty
        else { throw .invalidWebhookURL(reason: "not an absolute URL") }
        let extra = Set(allowedHosts.map { $0.lowercased() })
        guard host == WebhookURL.slackHost || extra.contains(host) else {
            throw .invalidWebhookURL(reason: "host \(host) is not allowed (only \(WebhookURL.slackHost) unless listed in allowedHosts)")
        }
        switch scheme {
        case "https": break
        case "http" where extra.contains(host): break
        default: throw .invalidWebhookURL(reason: "scheme \(scheme) is not allowed for host \(host)")
        }
        guard components.user == nil, components.password == nil else {
            throw .invalidWebhookURL(reason: "credentials in the URL are not allowed")
        }
        guard components.query == nil, components.fragment == nil else {
            throw .invalidWebhookURL(reason: "query or fragment not allowed")
        }
        let segments = components.path.split(separator: "/", omittingEmptySubsequences: true)
        guard !segments.isEmpty else { throw .invalidWebhookURL(reason: "missing path") }
        self.url = url
        self.redacted = WebhookURL.redact(scheme: scheme, host: host, port: components.port, segments: segments)
    }

    /// `scheme://host[:port]/***`: everything after the host is replaced, whatever the path's
    /// shape, so no rule about which segments are secret can miss one (a one-segment URL
    /// `http://proxy/SECRET` is as secret as Slack's `/services/T…/B…/…`).
    static func redact(scheme: String, host: String, port: Int?, segments: [Substring]) -> String {
        var out = "\(scheme)://\(host)"
        if let port { out += ":\(port)" }
        return out + "/***"
    }

    public var description: String { redacted }
    public var debugDescription: String { "WebhookURL(\(redacted))" }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted], displayStyle: .struct) }
}
