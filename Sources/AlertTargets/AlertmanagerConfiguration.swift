import AIOpsCore
import Delivery

/// One Alertmanager a workspace's incidents are sent to, as the config file declares it
/// (`"alertmanagers": [{"url": "http://alertmanager:9093"}]`, like the targets of
/// Prometheus' `alerting` block):
/// - `url`: the Alertmanager's base URL (a path prefix is kept: `http://host/am`); alerts
///   go to `<url>/api/v2/alerts`;
/// - `basicAuth` (`{"username", "password" | "passwordFile"}`) or `bearerTokenFile`: how
///   requests authenticate (never logged);
/// - `timeout`: per request, default `10s`.
public struct AlertmanagerConfiguration: Sendable, Codable, Equatable {
    public var url: String
    public var basicAuth: BasicAuthConfiguration?
    public var bearerTokenFile: String?
    public var timeout: PromDuration?

    public init(url: String, basicAuth: BasicAuthConfiguration? = nil, bearerTokenFile: String? = nil, timeout: PromDuration? = nil) {
        self.url = url
        self.basicAuth = basicAuth
        self.bearerTokenFile = bearerTokenFile
        self.timeout = timeout
    }

    /// The endpoint, its credentials read (files included).
    /// - Throws: `OutboundEndpoint.Problem` saying what is wrong with the URL or credentials.
    /// - Parameter readFiles: false checks the shape only, touching no file (config validation).
    public func endpoint(readFiles: Bool = true) throws(OutboundEndpoint.Problem) -> OutboundEndpoint {
        let credentials = try HTTPCredentials.configured(basicAuth: basicAuth, bearerTokenFile: bearerTokenFile, readFiles: readFiles)
        return try OutboundEndpoint(url, credentials: credentials)
    }

    /// Seconds per request.
    public var timeoutSeconds: Double {
        guard let timeout, timeout.milliseconds > 0 else { return 10 }
        return timeout.seconds
    }
}
