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
        let path = (dataDirectory as NSString).appendingPathComponent("\(workspaceName).token")
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError(file: dataDirectory, path: "", reason: "cannot create the data directory: \(error.localizedDescription)")
        }
        if let data = manager.contents(atPath: path),
           let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
           token.count >= 16 {
            return ServerConfiguration(workspaces: [WorkspaceConfiguration(name: workspaceName, plan: .hobby, token: token)])
        }
        let token = randomToken()
        guard manager.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError(file: path, path: "", reason: "cannot write the workspace token")
        }
        return ServerConfiguration(workspaces: [WorkspaceConfiguration(name: workspaceName, plan: .hobby, token: token)])
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

    /// The block a user pastes into `prometheus.yml`.
    public static func remoteWriteSnippet(url: String, token: String) -> String {
        """
        remote_write:
          - url: \(url)
            authorization: { credentials: \(token) }
        """
    }
}
