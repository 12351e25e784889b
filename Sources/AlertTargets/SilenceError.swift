/// Why a silence request or file cannot be used.
public enum SilenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request is malformed or breaks a rule: what and why.
    case invalid(String)
    /// No silence of that id in the workspace.
    case notFound(id: String)
    /// The workspace holds as many silences as it may.
    case tooMany(limit: Int)
    /// The silences file could not be written; the change was not made.
    case storage(String)

    public var description: String {
        switch self {
        case .invalid(let reason): return reason
        case .notFound(let id): return "no silence with id \(id)"
        case .tooMany(let limit): return "the workspace has \(limit) silences that are active or pending, the most it may hold; expire some first"
        case .storage(let reason): return "silences not saved: \(reason)"
        }
    }

    /// The HTTP status the API answers with.
    public var httpStatus: Int {
        switch self {
        case .invalid: return 400
        case .notFound: return 404
        case .tooMany: return 422
        case .storage: return 500
        }
    }
}
