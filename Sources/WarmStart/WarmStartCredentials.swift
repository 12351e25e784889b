import Foundation

/// How requests for history authenticate: nothing, a bearer token, or basic auth, each read
/// from a file so the secret stays out of the process list and the shell history. The
/// secret is never logged: `description` says only which kind it is.
public enum WarmStartCredentials: Sendable, Equatable, CustomStringConvertible {
    case none
    case bearer(token: String)
    case basic(user: String, password: String)

    /// The token is the file's content without surrounding blanks (Prometheus' `bearer_token_file`).
    /// - Throws: `WarmStartError.credentials` naming the path when it is unreadable or blank.
    public static func bearerTokenFile(_ path: String) throws(WarmStartError) -> WarmStartCredentials {
        let text = try read(path)
        guard !text.isEmpty, !text.contains(where: \.isNewline) else {
            throw .credentials(path: path, reason: text.isEmpty ? "the file is empty; expected a bearer token" : "expected one line: a bearer token")
        }
        return .bearer(token: text)
    }

    /// The file holds `user:password` on one line (the password may contain `:`).
    /// - Throws: `WarmStartError.credentials` naming the path when it is unreadable or malformed.
    public static func basicAuthFile(_ path: String) throws(WarmStartError) -> WarmStartCredentials {
        let text = try read(path)
        guard !text.contains(where: \.isNewline), let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw .credentials(path: path, reason: "expected one line 'user:password'")
        }
        return .basic(user: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
    }

    /// The `Authorization` header value, nil for `.none`.
    public var authorization: String? {
        switch self {
        case .none: return nil
        case .bearer(let token): return "Bearer \(token)"
        case .basic(let user, let password): return "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        }
    }

    public var description: String {
        switch self {
        case .none: return "no credentials"
        case .bearer: return "a bearer token"
        case .basic: return "basic auth"
        }
    }

    private static func read(_ path: String) throws(WarmStartError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .credentials(path: path, reason: "cannot read the file")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
