import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Synchronization
import Testing
@testable import Server

/// Reloading the config file and rules of a running server (`POST /-/reload`, what SIGHUP
/// calls): plan, limits, tokens and webhooks change in place, workspaces come and go, a bad
/// file is refused with its errors and the running configuration stays.
@Suite struct ReloadTests {
    static let adminToken = "admin-0123456789abcdef"
    static let tokenC = "token-c-0123456789abcdef"

    static let queueLevel = #"""
      {"name": "queue-level", "selector": "queue_depth", "detector": {"kind": "ewma", "direction": "up", "warmup": 20},
       "for": "0s", "resolveAfter": "1m", "severity": "warning", "advice": {"summary": "queue {{labels.queue}} high"}}
    """#

    /// `TestServer.rulesJSON`'s queue-spike rule, plus `extra` rules.
    static func rulesFile(_ extra: [String] = []) -> String {
        let spike = #"""
          {"name": "queue-spike", "selector": "queue_depth", "detector": {"kind": "ewma", "direction": "up", "warmup": 20},
           "for": "0s", "resolveAfter": "1m", "severity": "critical",
           "advice": {"summary": "queue {{labels.queue}} is at {{value}}, expected {{expected}}"}}
        """#
        return "{\"rules\": [\n" + ([spike] + extra).joined(separator: ",\n") + "\n]}\n"
    }

    /// A config file: team-a with `planA` (and `limitsA`, a webhook when `slackURL` is set),
    /// plus the workspaces in `others` (name, token).
    static func configFile(planA: String, limitsA: String? = nil, slackURL: String? = nil, others: [(String, String)]) -> String {
        var a = #"{"name": "team-a", "plan": "\#(planA)", "token": "\#(TestServer.tokenA)""#
        if let limitsA { a += #", "limits": \#(limitsA)"# }
        if let slackURL { a += #", "slack": {"webhookURL": "\#(slackURL)"}"# }
        a += "}"
        let rest = others.map { #"{"name": "\#($0.0)", "plan": "pro", "token": "\#($0.1)"}"# }
        return """
        {"adminToken": "\(adminToken)", "allowedWebhookHosts": ["127.0.0.1"],
         "notifications": {"groupWait": "0s", "groupInterval": "0s", "repeatInterval": "4h", "sendResolved": true},
         "workspaces": [\(([a] + rest).joined(separator: ", "))]}
        """
    }

    /// A server whose config and rules live in files, reloadable from them.
    final class Reloadable {
        let directory = NSTemporaryDirectory() + "aiops-reload-\(UUID().uuidString)"
        let clock = ManualClock(1_800_000_000_000)
        let printed = CapturingSink()
        let logged = LogLines()
        let notifier: Notifier
        let server: AIOpsServer
        let client: TestClient

        var configPath: String { directory + "/config.json" }
        var rulesDirectory: String { directory + "/rules" }

        init(config: String, rules: String, snapshots: Bool = false) throws {
            try FileManager.default.createDirectory(atPath: directory + "/rules", withIntermediateDirectories: true)
            try config.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
            try rules.write(toFile: directory + "/rules/rules.json", atomically: true, encoding: .utf8)
            let source = ConfigurationSource(configFile: directory + "/config.json", rulesPath: directory + "/rules", dataDirectory: directory + "/data")
            let (configuration, ruleSet) = try source.load()
            // The notifier on the system clock: its one-message-per-second limit must pass.
            notifier = try NotifierSetup.make(configuration: configuration, rules: ruleSet, dataDirectory: nil, textSink: printed, log: .silent)
            var options = AIOpsServer.Options()
            options.listen = "127.0.0.1:0"
            options.source = source
            if snapshots { options.dataDirectory = directory + "/data" }
            let logged = self.logged
            options.logger = Logger(clock: clock, write: { line in logged.lines.withLock { $0.append(line) } })
            server = try AIOpsServer(configuration: configuration, rules: ruleSet, options: options, notifier: notifier, clock: clock)
            client = TestClient(port: try server.start().port)
        }

        func write(config: String? = nil, rules: String? = nil) throws {
            if let config { try config.write(toFile: configPath, atomically: true, encoding: .utf8) }
            if let rules { try rules.write(toFile: rulesDirectory + "/rules.json", atomically: true, encoding: .utf8) }
        }

        func reload(token: String? = ReloadTests.adminToken) throws -> HTTPClientResponse {
            let connection = try HTTPClientConnection(host: "127.0.0.1", port: client.port)
            defer { connection.close() }
            var headers: [(String, String)] = []
            if let token { headers.append(("Authorization", "Bearer \(token)")) }
            return try connection.request(method: "POST", path: "/-/reload", headers: headers)
        }

        func metrics() throws -> String { try client.get("/metrics", token: ReloadTests.adminToken).bodyText }

        func stop() {
            server.shutdown(gracePeriod: .seconds(2))
            notifier.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    func steady(_ from: Timestamp, _ count: Int, step: Int64 = 10_000) -> [(Int64, Double)] {
        (0..<count).map { (from + Int64($0) * step, 40.0 + Double($0 % 5)) }
    }

    func waitFor(_ slack: FakeSlackServer, count: Int, seconds: Double = 60) {
        let deadline = Date().addingTimeInterval(seconds)
        while slack.requests.count < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    }

    @Test func reloadChangesPlanLimitsWebhookAndWorkspacesInPlace() throws {
        let slack = try FakeSlackServer()
        defer { slack.stop() }
        let server = try Reloadable(
            config: Self.configFile(planA: "hobby", limitsA: #"{"samplesPerSecond": 10, "burstSamples": 10}"#, others: [("team-b", TestServer.tokenB)]),
            rules: Self.rulesFile())
        defer { server.stop() }
        let t0 = server.clock.now() - 1_800_000
        let teamA = try #require(server.server.workspaces.first)
        #expect(teamA.plan == .hobby)
        #expect(try server.client.write([queue("payments", steady(t0, 10))]).status == 204)
        #expect(try server.client.write([queue("payments", steady(t0 + 100_000, 30))]).status == 429, "over the Hobby override")

        // Pro, no override, a webhook; team-b removed, team-c added.
        try server.write(config: Self.configFile(planA: "pro", slackURL: slack.url(), others: [("team-c", Self.tokenC)]))
        server.clock.advance(by: 1_000)
        let answer = try server.reload()
        // The rate limiter keeps its (spent) tokens across the reload and refills at Pro's rate.
        server.clock.advance(by: 1_000)
        #expect(answer.status == 200, "\(answer.bodyText)")
        #expect(answer.bodyText.contains("workspace team-a: plan hobby -> pro, limits changed"), "\(answer.bodyText)")
        #expect(answer.bodyText.contains("workspace team-b: removed") && answer.bodyText.contains("workspace team-c: added (pro)"))
        #expect(answer.header("Content-Type") == "text/plain; charset=utf-8")

        let workspaces = server.server.workspaces
        #expect(workspaces.map(\.name) == ["team-a", "team-c"])
        #expect(workspaces[0] === teamA, "team-a changed in place")
        #expect(teamA.plan == .pro && teamA.limits == Plan.pro.defaultLimits)
        #expect(teamA.activeSeries == 1, "its series stay")
        #expect(try server.client.write([queue("payments", steady(t0 + 100_000, 30))]).status == 204, "Pro's rate")
        #expect(try server.client.write([queue("orders", steady(t0, 5))], token: TestServer.tokenB).status == 401, "team-b's token is gone")
        #expect(try server.client.write([queue("orders", steady(t0, 5))], token: Self.tokenC).status == 204)

        // The next incident goes to the new webhook, not to standard output.
        #expect(try server.client.write([queue("payments", [(t0 + 400_000, 4000)])]).status == 204)
        waitFor(slack, count: 1)
        #expect(slack.requests.count == 1)
        #expect(slack.requests.first?.body.contains("queue-spike") == true)
        #expect(server.printed.lines.withLock { $0.isEmpty })

        let metrics = try server.metrics()
        #expect(metrics.contains("aiops_config_last_reload_successful 1"), "\(metrics)")
        #expect(metrics.contains("aiops_config_last_reload_success_timestamp_seconds 1800000001"), "\(metrics)")
        #expect(server.logged.lines.withLock { $0 }.contains { $0.contains("component=reload msg=\"configuration and rules reloaded: 2 workspace(s), 1 rule(s)\"") })
    }

    @Test func aBadRuleFileOrConfigIsRefusedAndTheRunningOnesStay() throws {
        let server = try Reloadable(config: Self.configFile(planA: "hobby", others: [("team-b", TestServer.tokenB)]), rules: Self.rulesFile())
        defer { server.stop() }
        let teamA = try #require(server.server.workspaces.first)

        // A rule with an unknown detector kind, and a new rule beside it.
        let bad = #"{"name": "broken", "selector": "queue_depth", "detector": {"kind": "fourier"}}"#
        try server.write(rules: Self.rulesFile([Self.queueLevel, bad]))
        let answer = try server.reload()
        #expect(answer.status == 500)
        #expect(answer.bodyText.hasPrefix("failed to reload config: "), "\(answer.bodyText)")
        #expect(answer.bodyText.contains(server.rulesDirectory + "/rules.json:") && answer.bodyText.contains("\"broken\""), "\(answer.bodyText)")
        #expect(answer.bodyText.contains("fourier"), "the same error a start gives")
        #expect(teamA.rules.map(\.name) == ["queue-spike", "auto"], "the running rules stay")
        let line = server.logged.lines.withLock { $0 }.first { $0.contains("level=error component=reload") }
        #expect(line?.contains("reload refused; the running configuration and rules stay") == true, "\(server.logged.lines.withLock { $0 })")
        #expect(try server.metrics().contains("aiops_config_last_reload_successful 0"))
        #expect(try server.metrics().contains("aiops_config_last_reload_success_timestamp_seconds 1800000000"))

        // The same from the API: the error names the rule file and line.
        #expect(throws: ReloadError.self) { try server.server.reload() }
        do {
            try server.server.reload()
        } catch {
            #expect(error.lines.contains { $0.hasPrefix(server.rulesDirectory + "/rules.json:") })
        }

        // A bad config: named by file and key; team-b's token still works.
        try server.write(config: Self.configFile(planA: "gold", others: [("team-b", TestServer.tokenB)]), rules: Self.rulesFile([Self.queueLevel]))
        let refused = try server.reload()
        #expect(refused.status == 500)
        #expect(refused.bodyText.contains(server.configPath) && refused.bodyText.contains("plan"), "\(refused.bodyText)")
        #expect(teamA.plan == .hobby && teamA.rules.count == 2)
        #expect(try server.client.write([queue("orders", steady(server.clock.now() - 60_000, 3))], token: TestServer.tokenB).status == 204)

        // Fixed: it loads.
        try server.write(config: Self.configFile(planA: "pro", others: [("team-b", TestServer.tokenB)]))
        #expect(try server.reload().status == 200)
        #expect(teamA.plan == .pro && teamA.rules.map(\.name) == ["queue-spike", "queue-level", "auto"])
        #expect(try server.metrics().contains("aiops_config_last_reload_successful 1"))
    }

    @Test func aChangedRuleRestartsWhileUnchangedOnesKeepTheirIncidents() throws {
        let slack = try FakeSlackServer()
        defer { slack.stop() }
        let server = try Reloadable(
            config: Self.configFile(planA: "pro", slackURL: slack.url(), others: []), rules: Self.rulesFile([Self.queueLevel]))
        defer { server.stop() }
        let t0 = server.clock.now() - 1_800_000
        var samples = steady(t0, 60)
        samples.append((t0 + 600_000, 4000))
        #expect(try server.client.write([queue("payments", samples)]).status == 204)
        waitFor(slack, count: 2)
        try #require(slack.requests.count == 2, "both rules fired")
        let before = server.server.workspaces[0].incidents().open
        #expect(before.map(\.rule).sorted() == ["queue-level", "queue-spike"])

        // queue-level changes (its threshold); queue-spike does not.
        try server.write(rules: Self.rulesFile([Self.queueLevel.replacingOccurrences(of: #""for": "0s""#, with: #""for": "0s", "threshold": 0.9"#)]))
        let answer = try server.reload()
        #expect(answer.status == 200, "\(answer.bodyText)")
        #expect(answer.bodyText.contains("workspace team-a: plan pro; rules: 2 unchanged kept their state; new or changed (start fresh): queue-level; gone or changed (dropped): queue-level; bindings 1 kept, 1 fresh, 1 dropped; 1 firing incident(s) of dropped bindings resolved, 0 pending forgotten\n"), "\(answer.bodyText)")

        let after = server.server.workspaces[0].incidents()
        #expect(after.open.map(\.id) == before.filter { $0.rule == "queue-spike" }.map(\.id), "queue-spike's incident is still firing")
        #expect(after.resolved.last?.rule == "queue-level" && after.resolved.last?.resolution == "rule changed or removed")
        waitFor(slack, count: 3)
        Thread.sleep(forTimeInterval: 1.5)
        let requests = slack.requests
        try #require(requests.count == 3, "one resolution, no second firing: \(requests.map(\.body))")
        #expect(requests[2].body.contains("RESOLVED") && requests[2].body.contains("queue-level"))
        // queue-spike still scores with its warm detector: another spike keeps it firing, no new message.
        #expect(try server.client.write([queue("payments", [(t0 + 610_000, 4100)])]).status == 204)
        #expect(server.server.workspaces[0].incidents().open.map(\.id) == after.open.map(\.id))
    }

    @Test func reloadOverHTTPNeedsTheAdminToken() throws {
        let server = try Reloadable(config: Self.configFile(planA: "hobby", others: []), rules: Self.rulesFile())
        defer { server.stop() }
        #expect(try server.reload(token: nil).status == 401)
        #expect(try server.reload(token: TestServer.tokenA).status == 401, "a workspace token is not enough")
        #expect(try server.client.get("/-/reload", token: Self.adminToken).status == 405)
        #expect(try server.reload().status == 200)
    }
}
