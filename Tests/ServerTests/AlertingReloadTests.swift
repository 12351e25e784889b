import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Testing
@testable import Server

/// A reload (what SIGHUP and `POST /-/reload` call) applies Alertmanagers, silences and score
/// remote write to running and new workspaces, and is refused whole when a credentials file
/// cannot be read. Loopback receivers stand in for Alertmanager and Prometheus.
@Suite struct AlertingReloadTests {
    static let tokenC = "token-c-0123456789abcdef"

    static func configuration(alertmanager: String?, remoteWrite: String?, tokenFile: String? = nil) throws -> ServerConfiguration {
        var a = #"{"name": "team-a", "plan": "pro", "token": "\#(TestServer.tokenA)""#
        if let alertmanager {
            a += #", "alertmanagers": [{"url": "\#(alertmanager)""# + (tokenFile.map { #", "bearerTokenFile": "\#($0)""# } ?? "") + "}]"
        }
        a += "}"
        var workspaces = [a]
        if let remoteWrite {
            workspaces.append(#"{"name": "team-c", "plan": "pro", "token": "\#(tokenC)", "remoteWrite": {"url": "\#(remoteWrite)/api/v1/write", "interval": "1s"}}"#)
        }
        return try ServerConfiguration.parse(Array(#"{"workspaces": [\#(workspaces.joined(separator: ", "))]}"#.utf8), file: "reload.json")
    }

    static func waitFor(_ what: String, _ check: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(30)
        while !check() {
            if Date() > deadline { throw PrometheusEndToEndTests.Failure(description: "timed out waiting for \(what)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    @Test func reloadAppliesAlertmanagersSilencesAndRemoteWrite() throws {
        let alertmanager = try FakeSlackServer()
        defer { alertmanager.stop() }
        let receiver = try FakeSlackServer()
        defer { receiver.stop() }
        let rules = try RuleSet.parse(TestServer.rulesJSON, file: "test.json")
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        options.log = { _ in }
        let server = try AIOpsServer(configuration: try Self.configuration(alertmanager: nil, remoteWrite: nil), rules: rules, options: options)
        let client = TestClient(port: try server.start().port)
        defer { server.shutdown(gracePeriod: .seconds(1)) }
        #expect(try SilencesServerTests.request(client, "GET", "/api/v1/silences", token: Self.tokenC).status == 401)

        // A credentials file that cannot be read: refused whole, nothing changes.
        #expect(throws: ReloadError.self) {
            try server.reload(configuration: try Self.configuration(alertmanager: alertmanager.url(path: ""), remoteWrite: receiver.url(path: ""), tokenFile: "/nonexistent/token"), rules: rules)
        }
        #expect(server.workspaces.map(\.name) == ["team-a"])

        let lines = try server.reload(configuration: try Self.configuration(alertmanager: alertmanager.url(path: ""), remoteWrite: receiver.url(path: "")), rules: rules)
        #expect(lines.contains("workspace team-c: added (pro)"), "\(lines)")
        // team-a's spike now goes to its new Alertmanager.
        let now = SystemClock().now()
        var samples = (0..<60).map { (now - 700_000 + Int64($0) * 10_000, 40.0 + Double($0 % 5)) }
        samples.append((now - 100_000, 4000))
        #expect(try client.write([queue("payments", samples)]).status == 204)
        try Self.waitFor("the alert at the new Alertmanager") { alertmanager.requests.contains { $0.path == "/api/v2/alerts" && $0.body.contains("\"alertname\":\"queue-spike\"") } }
        // team-c, added by the reload, has silences and writes its scores.
        let created = try SilencesServerTests.request(client, "POST", "/api/v1/silences", token: Self.tokenC,
                                                      body: #"{"matchers": "{queue=\"x\"}", "duration": "1h", "createdBy": "t", "comment": "c"}"#)
        #expect(created.status == 200, "\(created.text)")
        #expect(try client.write([queue("orders", samples)], token: Self.tokenC).status == 204)
        try Self.waitFor("team-c's scores at the receiver") { receiver.requests.contains { $0.path == "/api/v1/write" } }
        let metrics = try client.get("/metrics", token: Self.tokenC).bodyText
        #expect(metrics.contains(#"aiops_silences{state="active",workspace="team-c"} 1"#), "\(metrics)")

        // Alertmanager removed again: team-a's next incident goes nowhere but Slack's notifier (none here).
        _ = try server.reload(configuration: try Self.configuration(alertmanager: nil, remoteWrite: receiver.url(path: "")), rules: rules)
        #expect(server.alerting.alertmanager.statuses.isEmpty)
    }
}
