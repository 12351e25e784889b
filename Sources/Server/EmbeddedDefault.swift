import AIOpsCore
import Foundation

/// The configuration `aiops serve` uses without `--config`: one workspace `dev-workspace` on
/// the Hobby plan whose random token is kept in `<data>/dev-workspace.token` (mode 0600), so a
/// restart keeps the token a Prometheus was given.
public enum EmbeddedDefault {
    public static let workspaceName = "dev-workspace"

    /// Loads the token from the data directory, creating both if needed.
    /// - Throws: `ConfigurationError` when the directory or token file cannot be written or read.
    public static func configuration(dataDirectory: String) throws(ConfigurationError) -> ServerConfiguration {
        try load(dataDirectory: dataDirectory).configuration
    }

    /// Where the token is kept.
    public static func tokenPath(dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("\(workspaceName).token")
    }

    /// `configuration(dataDirectory:)`, and whether the token was created just now (the only
    /// time `aiops serve` prints it; later starts say where it is kept).
    public static func load(dataDirectory: String) throws(ConfigurationError) -> (configuration: ServerConfiguration, created: Bool) {
        let path = tokenPath(dataDirectory: dataDirectory)
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError(file: dataDirectory, path: "", reason: "cannot create the data directory: \(error.localizedDescription)")
        }
        if let data = manager.contents(atPath: path),
           let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
           token.count >= 16 {
            return (ServerConfiguration(workspaces: [WorkspaceConfiguration(name: workspaceName, plan: .hobby, token: token)]), false)
        }
        let token = randomToken()
        guard manager.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError(file: path, path: "", reason: "cannot write the workspace token")
        }
        return (ServerConfiguration(workspaces: [WorkspaceConfiguration(name: workspaceName, plan: .hobby, token: token)]), true)
    }

    /// 32 hex characters from the system's secure generator.
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        var out = ""
        for _ in 0..<2 {
            let word = generator.next() as UInt64
            let hex = String(word, radix: 16)
            out += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return out
    }

    /// The block a user pastes into `prometheus.yml` when the token is not printed: Prometheus
    /// reads it from the file itself.
    public static func remoteWriteSnippet(url: String, credentialsFile: String) -> String {
        """
        remote_write:
          - url: \(url)
            authorization: { credentials_file: \(credentialsFile) }
        """
    }

    /// The block a user pastes into `prometheus.yml`.
    public static func remoteWriteSnippet(url: String, token: String) -> String {
        """
        remote_write:
          - url: \(url)
            authorization: { credentials: \(token) }
        """
    }
}
