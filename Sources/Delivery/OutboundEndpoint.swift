import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP endpoint `aiops` pushes to besides Slack (an Alertmanager, a remote-write
/// receiver), with its credentials; like `WebhookURL`, it never shows its secrets.
///
/// The URL's path is kept (an Alertmanager behind a path prefix), and shown in `redacted`
/// (`http://am.example:9093/prefix`) since it is not a secret there; credentials come from
/// the configuration's `basicAuth` or `bearerTokenFile`, never the URL (user info in the URL
/// is refused), and appear nowhere but in the request's `Authorization` header.
public struct OutboundEndpoint: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The base URL (no trailing slash); the client appends API paths to it.
    let base: URL
    /// `scheme://host[:port][/path]`: safe to log and to use as a `/metrics` label.
    public let redacted: String
    /// The `Authorization` header value, nil without credentials. A secret.
    let authorization: String?

    /// - Parameters:
    ///   - string: `http://host:port` or `https://...`, optionally with a path prefix.
    ///   - credentials: how requests authenticate.
    /// - Throws: `OutboundEndpoint.Problem` naming what is wrong (never the credentials).
    public init(_ string: String, credentials: HTTPCredentials = .none) throws(Problem) {
        guard let components = URLComponents(string: string), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { throw Problem(reason: "not an absolute http:// or https:// URL") }
        guard scheme == "http" || scheme == "https" else { throw Problem(reason: "scheme \(scheme) is not http or https") }
        guard components.user == nil, components.password == nil else {
            throw Problem(reason: "credentials in the URL are not allowed (use basicAuth or bearerTokenFile)")
        }
        guard components.query == nil, components.fragment == nil else { throw Problem(reason: "a query or fragment is not allowed") }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        var rebuilt = URLComponents()
        rebuilt.scheme = scheme
        rebuilt.host = host
        rebuilt.port = components.port
        rebuilt.path = path
        guard let url = rebuilt.url else { throw Problem(reason: "not a usable URL") }
        base = url
        var shown = "\(scheme)://\(host)"
        if let port = components.port { shown += ":\(port)" }
        redacted = shown + path
        authorization = credentials.authorization
    }

    /// The URL of `path` (starting with `/`) under the base.
    public func url(_ path: String) -> URL {
        URL(string: base.absoluteString + path)!
    }

    /// Why a configured endpoint URL is unusable.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public init(reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    public var description: String { redacted }
    public var debugDescription: String { "OutboundEndpoint(\(redacted))" }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted], displayStyle: .struct) }
}

/// How requests to an `OutboundEndpoint` authenticate: nothing, basic auth, or a bearer
/// token (Prometheus' `basic_auth` and `authorization`). `description` says only which kind.
public enum HTTPCredentials: Sendable, Hashable, CustomStringConvertible {
    case none
    case basic(username: String, password: String)
    case bearer(token: String)

    /// From a configuration's `basicAuth` and `bearerTokenFile` (at most one of them); with
    /// `readFiles`, files are read now (regular files of at most 64 KiB, their content
    /// trimmed of surrounding blanks); without, only the shape is checked (config validation,
    /// which must not touch the file system) and the secrets are left empty.
    /// - Throws: `OutboundEndpoint.Problem` naming the key or file that is wrong.
    public static func configured(basicAuth: BasicAuthConfiguration?, bearerTokenFile: String?, readFiles: Bool = true) throws(OutboundEndpoint.Problem) -> HTTPCredentials {
        func read(_ path: String) throws(OutboundEndpoint.Problem) -> String {
            guard !path.isEmpty else { throw OutboundEndpoint.Problem(reason: "a credentials file path is empty") }
            return readFiles ? try Self.read(path) : "x"
        }
        switch (basicAuth, bearerTokenFile) {
        case (nil, nil):
            return .none
        case (.some, .some):
            throw OutboundEndpoint.Problem(reason: "basicAuth and bearerTokenFile are exclusive: give one")
        case (nil, .some(let path)):
            let token = try read(path)
            guard !token.isEmpty, !token.contains(where: \.isNewline) else {
                throw OutboundEndpoint.Problem(reason: "bearerTokenFile \(path): expected one line holding the token")
            }
            return .bearer(token: token)
        case (.some(let basic), nil):
            guard !basic.username.isEmpty else { throw OutboundEndpoint.Problem(reason: "basicAuth.username is empty") }
            switch (basic.password, basic.passwordFile) {
            case (.some, .some): throw OutboundEndpoint.Problem(reason: "basicAuth: password and passwordFile are exclusive: give one")
            case (.some(let password), nil): return .basic(username: basic.username, password: password)
            case (nil, .some(let path)): return .basic(username: basic.username, password: try read(path))
            case (nil, nil): return .basic(username: basic.username, password: "")
            }
        }
    }

    /// The `Authorization` header value, nil for `.none`.
    public var authorization: String? {
        switch self {
        case .none: return nil
        case .basic(let username, let password): return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case .bearer(let token): return "Bearer \(token)"
        }
    }

    public var description: String {
        switch self {
        case .none: return "no credentials"
        case .basic: return "basic auth"
        case .bearer: return "a bearer token"
        }
    }

    private static func read(_ path: String) throws(OutboundEndpoint.Problem) -> String {
        // `stat` follows symlinks (Kubernetes mounts secrets as links into `..data/`); a
        // device or FIFO (`/dev/zero`) would never end.
        var info = stat()
        guard stat(path, &info) == 0 else { throw OutboundEndpoint.Problem(reason: "cannot read \(path)") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw OutboundEndpoint.Problem(reason: "cannot read \(path): not a regular file")
        }
        guard info.st_size <= 64 << 10 else {
            throw OutboundEndpoint.Problem(reason: "\(path) is over 64 KiB; expected a password or token")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OutboundEndpoint.Problem(reason: "cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// `basicAuth` of an outbound endpoint in the config file: a username and a password given
/// inline or, better, in a file (`passwordFile`), as Prometheus' `basic_auth`.
public struct BasicAuthConfiguration: Sendable, Codable, Hashable {
    public var username: String
    public var password: String?
    public var passwordFile: String?

    public init(username: String, password: String? = nil, passwordFile: String? = nil) {
        self.username = username
        self.password = password
        self.passwordFile = passwordFile
    }
}
