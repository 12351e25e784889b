import AIOpsCore
import Foundation
import Rules
import Testing
@testable import Server

/// The config keys this feature adds: `alertmanagers` and `remoteWrite` on a workspace.
@Suite struct AlertingConfigurationTests {
    static func load(_ json: String) throws(ConfigurationError) -> ServerConfiguration {
        let path = NSTemporaryDirectory() + "aiops-alerting-config-\(UUID().uuidString).json"
        try? json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ServerConfiguration.load(path: path)
    }

    @Test func keysAreReadWithTheirOptions() throws {
        let configuration = try Self.load("""
            {"workspaces": [{"name": "team-a", "plan": "pro", "token": "0123456789abcdef0",
              "alertmanagers": [{"url": "http://am-0:9093"}, {"url": "https://am-1/prefix", "basicAuth": {"username": "aiops", "passwordFile": "/etc/aiops/am"}, "timeout": "5s"}],
              "remoteWrite": {"url": "http://prometheus:9090/api/v1/write", "bearerTokenFile": "/etc/aiops/rw", "interval": "30s"}}]}
            """)
        let workspace = configuration.workspaces[0]
        #expect(workspace.alertmanagers?.map(\.url) == ["http://am-0:9093", "https://am-1/prefix"])
        #expect(workspace.alertmanagers?[1].basicAuth?.passwordFile == "/etc/aiops/am")
        #expect(workspace.alertmanagers?[1].timeoutSeconds == 5)
        #expect(workspace.remoteWrite?.intervalMilliseconds == 30_000)
        #expect(workspace.remoteWrite?.bearerTokenFile == "/etc/aiops/rw")
    }

    @Test(arguments: [
        (#""alertmanagers": [{"url": "am:9093"}]"#, "workspaces[0].alertmanagers[0]: "),
        (#""alertmanagers": [{"url": "http://u:p@am:9093"}]"#, "workspaces[0].alertmanagers[0]: credentials in the URL are not allowed"),
        (#""remoteWrite": {"url": "http://p/api/v1/write", "bearerTokenFile": "/a", "basicAuth": {"username": "u"}}"#, "workspaces[0].remoteWrite: basicAuth and bearerTokenFile are exclusive"),
        (#""remoteWrite": {"url": "http://p/api/v1/write?x=1"}"#, "workspaces[0].remoteWrite: a query or fragment is not allowed"),
    ])
    func badEndpointsNameTheirKey(fragment: String, expected: String) {
        do {
            _ = try Self.load(#"{"workspaces": [{"name": "team-a", "plan": "pro", "token": "0123456789abcdef0", \#(fragment)}]}"#)
            Issue.record("accepted: \(fragment)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    /// Validation does not read credential files (it must not touch the file system); the
    /// server does when it starts, and says which key's file it could not read.
    @Test func anUnreadableCredentialsFileStopsTheServerNotTheValidation() throws {
        let configuration = try Self.load("""
            {"workspaces": [{"name": "team-a", "plan": "pro", "token": "0123456789abcdef0",
              "alertmanagers": [{"url": "http://127.0.0.1:9093", "bearerTokenFile": "/nonexistent/aiops-token"}]}]}
            """)
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        do {
            _ = try AIOpsServer(configuration: configuration, rules: RuleSet(rules: []), options: options)
            Issue.record("started with an unreadable token file")
        } catch {
            #expect("\(error)".contains("workspaces[0].alertmanagers[0]: cannot read /nonexistent/aiops-token"), "\(error)")
        }
    }
}
