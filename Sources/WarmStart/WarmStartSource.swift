import Foundation

/// The Prometheus-compatible HTTP API history is read from (`--warm-from`): Prometheus,
/// VictoriaMetrics, Thanos Query, Mimir or Cortex (their Prometheus API prefix included,
/// e.g. `https://mimir.example/prometheus`).
public struct WarmStartSource: Sendable, Equatable, CustomStringConvertible {
    /// `<base>/api/v1/query_range`.
    public let queryRangeURL: URL
    /// `scheme://host[:port][/path]`: how the source is named in logs and errors.
    public let redacted: String

    /// - Throws: `WarmStartError.invalidSource` when `text` is not an `http://` or `https://`
    ///   URL with a host, or carries credentials, a query or a fragment (credentials go in a
    ///   file: `--warm-bearer-token-file`, `--warm-basic-auth-file`).
    public init(parsing text: String) throws(WarmStartError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            throw .invalidSource(reason: "expected an http:// or https:// URL such as http://prometheus:9090")
        }
        guard components.user == nil, components.password == nil else {
            // The text is not repeated: it holds a secret.
            throw .invalidSource(reason: "the URL must not carry credentials; put them in --warm-basic-auth-file or --warm-bearer-token-file")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidSource(reason: "\(text): no host")
        }
        guard components.query == nil, components.fragment == nil else {
            throw .invalidSource(reason: "\(text): a query or fragment is not allowed; give the API's base URL")
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix("/api/v1/query_range") { path.removeLast("/api/v1/query_range".count) }
        var base = URLComponents()
        base.scheme = scheme
        base.host = host
        base.port = components.port
        base.path = path + "/api/v1/query_range"
        guard let url = base.url else { throw .invalidSource(reason: "\(text): not a valid URL") }
        queryRangeURL = url
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        redacted = "\(scheme)://\(hostPart)" + (components.port.map { ":\($0)" } ?? "") + path
    }

    public var description: String { redacted }
}
