import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Testing
@testable import Server

/// `aiops serve` sending to a real Alertmanager (Debian `prometheus-alertmanager`), which
/// routes to a webhook receiver and a Slack-shaped receiver on loopback: two series of one
/// rule spike and arrive grouped in one notification with the right labels; a third, muted by
/// a silence created through Alertmanager's API, never reaches a receiver; the resolution
/// arrives. The configurations are the README's ("Alertmanager").
///
/// Skipped when no Alertmanager binary is installed, except under `CI=true`.
@Suite struct AlertmanagerEndToEndTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// README, "Alertmanager": the workspace's part of `aiops.json` (ports filled in).
    static func aiopsConfiguration(alertmanager: String) -> String {
        """
        {
          "workspaces": [
            {"name": "team-a", "plan": "pro", "token": "\(TestServer.tokenA)",
             "alertmanagers": [{"url": "\(alertmanager)"}]}
          ]
        }
        """
    }

    /// README, "Alertmanager": `alertmanager.yml`, receivers on loopback.
    static func alertmanagerConfiguration(webhook: String, slack: String) -> String {
        """
        route:
          receiver: team-a
          group_by: [alertname, workspace]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: team-a
            webhook_configs:
              - url: \(webhook)
                send_resolved: true
            slack_configs:
              - api_url: \(slack)
                channel: '#alerts'
                send_resolved: true
                title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} in {{ .CommonLabels.workspace }}'
                text: '{{ range .Alerts }}{{ .Labels.queue }}: {{ .Annotations.summary }} {{ .GeneratorURL }}{{ "\\n" }}{{ end }}'

        """
    }

    static func poll<T>(_ what: String, deadline: ContinuousClock.Instant, _ check: () throws -> T?) async throws -> T {
        while true {
            if let value = try check() { return value }
            if ContinuousClock.now >= deadline { throw Failure(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The webhook notifications received: (status, alerts).
    static func notifications(_ receiver: FakeSlackServer) -> [(status: String, alerts: [[String: Any]])] {
        receiver.requests.compactMap { request in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body.utf8))) as? [String: Any] else { return nil }
            return (object["status"] as? String ?? "", object["alerts"] as? [[String: Any]] ?? [])
        }
    }

    static func queues(_ alerts: [[String: Any]]) -> Set<String> {
        Set(alerts.compactMap { ($0["labels"] as? [String: String])?["queue"] })
    }

    @Test(
        .enabled(if: AlertmanagerProcess.binaryPath != nil || PrometheusEndToEndProcess.isCI,
                 "needs prometheus-alertmanager (/usr/bin/prometheus-alertmanager); CI installs it and fails without it"),
        .timeLimit(.minutes(2)))
    func groupedSilencedAndResolvedThroughAlertmanager() async throws {
        guard let binary = AlertmanagerProcess.binaryPath else {
            Issue.record("CI=true but no Alertmanager binary (.ci/run installs prometheus-alertmanager)")
            return
        }
        let deadline = ContinuousClock.now + .seconds(90)
        let directory = NSTemporaryDirectory() + "aiops-am-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let webhook = try FakeSlackServer()
        defer { webhook.stop() }
        let slack = try FakeSlackServer()
        defer { slack.stop() }
        let alertmanager = try await AlertmanagerProcess.start(
            binary: binary, directory: directory,
            configuration: Self.alertmanagerConfiguration(webhook: webhook.url(path: "/hook"), slack: slack.url()))
        defer { alertmanager.stop() }

        do {
            // 1. A silence made with Alertmanager's own API, before anything fires.
            let now = SystemClock().now()
            let silence = try alertmanager.api("POST", "/api/v2/silences", body: """
                {"matchers": [{"name": "queue", "value": "refunds", "isRegex": false, "isEqual": true}],
                 "startsAt": "\(TimeFormat.rfc3339(now - 1_000))", "endsAt": "\(TimeFormat.rfc3339(now + 3_600_000))",
                 "createdBy": "aiops-test", "comment": "refunds are being migrated"}
                """)
            let silenceID = try #require((silence.json as? [String: Any])?["silenceID"] as? String, "\(silence.status) \(silence.text)")

            // 2. aiops serve with the README's configuration, in process.
            let configPath = directory + "/aiops.json"
            try Self.aiopsConfiguration(alertmanager: alertmanager.url).write(toFile: configPath, atomically: true, encoding: .utf8)
            let configuration = try ServerConfiguration.load(path: configPath)
            let rules = try RuleSet.parse(TestServer.rulesJSON, file: "test.json")
            let printed = CapturingSink()
            let notifier = try NotifierSetup.make(configuration: configuration, rules: rules, dataDirectory: nil, textSink: printed, log: .silent)
            defer { notifier.shutdown() }
            var options = AIOpsServer.Options()
            options.listen = "127.0.0.1:0"
            options.threads = 2
            options.externalURL = "http://aiops.example:9201/"
            options.log = { _ in }
            let server = try AIOpsServer(configuration: configuration, rules: rules, options: options, notifier: notifier)
            let client = TestClient(port: try server.start().port)
            defer { server.shutdown(gracePeriod: .seconds(2)) }

            // 3. Three queues, steady for 10 minutes, then all spike together.
            let start = now - 15 * 60_000
            var steady = (0..<60).map { (start + Int64($0) * 10_000, 40.0 + Double($0 % 5)) }
            steady.append((start + 60 * 10_000, 4000))
            let spikeAt = start + 60 * 10_000
            #expect(try client.write(["payments", "orders", "refunds"].map { queue($0, steady) }).status == 204)

            // 4. One notification with both unsilenced series, grouped by Alertmanager.
            let firing = try await Self.poll("a firing notification with payments and orders", deadline: deadline) { () -> [[String: Any]]? in
                Self.notifications(webhook).first { $0.status == "firing" && Self.queues($0.alerts) == ["payments", "orders"] }?.alerts
            }
            let payments = try #require(firing.first { ($0["labels"] as? [String: String])?["queue"] == "payments" })
            #expect(payments["labels"] as? [String: String] == [
                "alertname": "queue-spike", "severity": "critical", "workspace": "team-a", "metric": "queue_depth", "queue": "payments",
            ])
            let annotations = try #require(payments["annotations"] as? [String: String])
            #expect(annotations["summary"]?.hasPrefix("queue payments is at 4000, expected 4") == true, "\(annotations)")
            #expect(annotations["description"]?.hasPrefix("Observed 4000, expected 4") == true)
            #expect(Double(annotations["score"] ?? "") ?? 0 >= 0.5)
            #expect(annotations["observed"] == "4000")
            #expect((payments["startsAt"] as? String).flatMap { TimeFormat.parse($0) } == spikeAt, "startsAt: when it fired, \(payments["startsAt"] ?? "")")
            #expect((payments["generatorURL"] as? String)?.hasPrefix("http://aiops.example:9201/api/v1/incidents/queue-spike-") == true)

            // 5. The silenced one reached Alertmanager, which holds it suppressed by the silence.
            let refunds = try await Self.poll("the refunds alert in Alertmanager", deadline: deadline) { () -> [String: Any]? in
                let answer = try alertmanager.api("GET", "/api/v2/alerts?filter=queue%3D%22refunds%22")
                return (answer.json as? [[String: Any]])?.first
            }
            let status = try #require(refunds["status"] as? [String: Any])
            #expect(status["state"] as? String == "suppressed")
            #expect(status["silencedBy"] as? [String] == [silenceID])
            // The Slack-shaped receiver got Alertmanager's Slack message.
            let slackPost = try await Self.poll("a Slack message", deadline: deadline) { slack.requests.first }
            #expect(slackPost.path == "/services/T000/B000/SECRETtoken")
            #expect(slackPost.body.contains("[FIRING:2] queue-spike in team-a") || slackPost.body.contains("[FIRING] queue-spike in team-a"), "\(slackPost.body)")
            #expect(slackPost.body.contains("payments: queue payments is at 4000"))

            // 6. Normal again for over resolveAfter (1m): the resolution arrives.
            let after = (1...8).map { (spikeAt + Int64($0) * 10_000, 41.0) }
            #expect(try client.write(["payments", "orders", "refunds"].map { queue($0, after) }).status == 204)
            let resolved = try await Self.poll("a resolved notification", deadline: deadline) { () -> [[String: Any]]? in
                Self.notifications(webhook).first { $0.status == "resolved" && Self.queues($0.alerts) == ["payments", "orders"] }?.alerts
            }
            #expect(resolved.allSatisfy { $0["status"] as? String == "resolved" })
            #expect(resolved.allSatisfy { ($0["endsAt"] as? String).flatMap { TimeFormat.parse($0) } == spikeAt + 70_000 },
                    "endsAt: the resolution's event time (the first normal sample + resolveAfter), \(resolved.map { $0["endsAt"] ?? "" })")

            // 7. The silenced series never reached a receiver; nothing was printed.
            #expect(!webhook.requests.contains { $0.body.contains("refunds") })
            #expect(!slack.requests.contains { $0.body.contains("refunds") })
            #expect(printed.lines.withLock { $0.isEmpty }, "a workspace with Alertmanagers and no Slack prints nothing")
            let metrics = try client.get("/metrics", token: TestServer.tokenA).bodyText
            #expect(metrics.contains(#"aiops_alertmanager_alerts_sent_total{alertmanager="\#(alertmanager.url)",workspace="team-a"}"#), "\(metrics)")
            #expect(metrics.contains(#"aiops_alertmanager_failing{alertmanager="\#(alertmanager.url)",workspace="team-a"} 0"#))
        } catch {
            Issue.record("\(error)\n--- alertmanager log ---\n\(alertmanager.log.suffix(4000))")
        }
    }
}
