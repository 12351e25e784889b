/// Why a scores request is refused.
public enum ScoreExportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `match[]` parameter (as Prometheus' `/federate`, one is required).
    case noMatch
    /// A `match[]` that is not a series selector; `reason` says where.
    case badMatch(selector: String, reason: String)
    /// More series match than the limit: nothing is answered.
    case overLimit(limit: Int)

    public var description: String {
        switch self {
        case .noMatch:
            return "at least one match[] parameter is required, e.g. match[]={__name__=~\"aiops_.+\"} or match[]=aiops_anomaly_score{namespace=\"shop\"}"
        case .badMatch(let selector, let reason):
            return "match[]=\(selector): \(reason)"
        case .overLimit(let limit):
            return "more than \(limit) series match; narrow match[] (by rule, namespace, metric, ...) or raise the limit (aiops serve --federate-limit)"
        }
    }

    public var httpStatus: Int {
        switch self {
        case .noMatch, .badMatch: return 400
        case .overLimit: return 422
        }
    }
}
