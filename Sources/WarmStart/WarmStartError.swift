/// Why warm start could not be set up, or why one query for history failed.
///
/// Never carries a credential: the source appears as `WarmStartSource.redacted` (scheme, host,
/// port and path), and a credentials file only by its path.
public enum WarmStartError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--warm-from` is not a usable base URL.
    case invalidSource(reason: String)
    /// A credentials file could not be read or holds nothing usable.
    case credentials(path: String, reason: String)
    /// The source answered with a status other than 200 (`detail`: its error message, short).
    case http(source: String, status: Int, detail: String)
    /// No HTTP answer: connection refused, reset, DNS, TLS.
    case transport(source: String, reason: String)
    /// No complete answer within the timeout.
    case timedOut(source: String, seconds: Double)
    /// A 200 whose body is not a `query_range` matrix (the parser's reason, with line and column).
    case badResponse(source: String, reason: String)
    /// The scheduler stopped (server shutdown) while the query was in flight.
    case cancelled

    public var description: String {
        switch self {
        case .invalidSource(let reason): return "--warm-from: \(reason)"
        case .credentials(let path, let reason): return "\(path): \(reason)"
        case .http(let source, let status, let detail):
            return "\(source): HTTP \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .transport(let source, let reason): return "\(source): \(reason)"
        case .timedOut(let source, let seconds): return "\(source): no answer within \(seconds) s"
        case .badResponse(let source, let reason): return "\(source): bad query_range response: \(reason)"
        case .cancelled: return "cancelled: the server is stopping"
        }
    }

    /// A short label for logs and counters: `http_503`, `transport`, `timeout`, `bad_response`.
    public var kind: String {
        switch self {
        case .invalidSource: return "invalid_source"
        case .credentials: return "credentials"
        case .http(_, let status, _): return "http_\(status)"
        case .transport: return "transport"
        case .timedOut: return "timeout"
        case .badResponse: return "bad_response"
        case .cancelled: return "cancelled"
        }
    }
}
