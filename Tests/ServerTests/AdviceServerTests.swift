import Advice
import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Testing
@testable import Server

/// The Pro suite over HTTP: plans gate the recommendations, remote-written Kubernetes series
/// reach the usage summaries, and the daily summary goes out through the notifier at its time.
@Suite struct AdviceServerTests {
    /// Two hours of one pod of Deployment `api` (cAdvisor every minute) and its
    /// kube-state-metrics series, ending at the server's clock.
    static func namespace(now: Timestamp) -> [EncodedSeries] {
        let start = now - 2 * 3_600_000
        let minutes = (0..<120).map { start + Int64($0) * 60_000 }
        let pod = ["namespace": "shop", "pod": "api-5d8f7c9b4-x2k4p", "container": "api"]
        func series(_ name: String, _ labels: [String: String], _ value: (Int) -> Double) -> EncodedSeries {
            EncodedSeries(labels: Labels(metric: name, labels), samples: minutes.enumerated().map { (timestamp: $1, value: value($0)) })
        }
        return [
            series("container_cpu_usage_seconds_total", pod) { 1000 + Double($0) * 60 * 0.25 },
            series("container_memory_working_set_bytes", pod) { _ in 300 * 1_048_576 },
            series("kube_pod_owner", ["namespace": "shop", "pod": "api-5d8f7c9b4-x2k4p", "owner_kind": "ReplicaSet", "owner_name": "api-5d8f7c9b4", "owner_is_controller": "true"]) { _ in 1 },
            series("kube_replicaset_owner", ["namespace": "shop", "replicaset": "api-5d8f7c9b4", "owner_kind": "Deployment", "owner_name": "api"]) { _ in 1 },
            series("kube_deployment_spec_replicas", ["namespace": "shop", "deployment": "api"]) { _ in 2 },
            series("kube_pod_container_resource_requests", pod.merging(["resource": "cpu", "unit": "core"]) { a, _ in a }) { _ in 1 },
            series("node_load1", ["instance": "a"]) { _ in 0.5 },
        ]
    }

    @Test func aHobbyWorkspaceIsToldWhichPlanHasTheRecommendations() throws {
        let test = try TestServer()
        defer { test.stop() }
        let response = try test.get("/api/v1/recommendations", token: TestServer.tokenA)
        #expect(response.status == 403)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.bodyText.utf8)) as? [String: Any])
        #expect(body["plan"] as? String == "pro")
        #expect(body["error"] as? String == "/api/v1/recommendations (scaling and cost advice) is part of the Pro plan; workspace team-a is on the Hobby plan")
        #expect(try test.get("/api/v1/recommendations", token: nil).status == 401)
    }

    @Test func aProWorkspaceGetsItsWorkloadsFromRemoteWrite() throws {
        let test = try TestServer()
        defer { test.stop() }
        #expect(try test.write(Self.namespace(now: test.clock.now()), token: TestServer.tokenB).status == 204)
        #expect(test.server.workspaces[1].trackedUsageSeries == 6, "every series but node_load1")
        let response = try test.get("/api/v1/recommendations", token: TestServer.tokenB)
        #expect(response.status == 200)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.bodyText.utf8)) as? [String: Any])
        let data = try #require(body["data"] as? [String: Any])
        let workloads = try #require(data["workloads"] as? [[String: Any]])
        #expect(workloads.map { $0["workload"] as? String } == ["Deployment/shop/api"])
        #expect(workloads.first?["replicas"] as? Int == 2)
        let container = try #require((workloads.first?["containers"] as? [[String: Any]])?.first)
        let cpu = try #require(container["cpu"] as? [String: Any])
        #expect(cpu["request"] as? Double == 1)
        #expect(abs((cpu["p95"] as? Double ?? 0) - 0.25) < 0.03)
        // Two hours are too few to judge requests.
        #expect((data["findings"] as? [Any])?.isEmpty == true)
    }

    @Test func theSummaryPreviewFollowsThePlan() throws {
        let test = try TestServer()
        defer { test.stop() }
        for (token, pro) in [(TestServer.tokenA, false), (TestServer.tokenB, true)] {
            let response = try test.get("/api/v1/summary", token: token)
            #expect(response.status == 200)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(response.bodyText.utf8)) as? [String: Any])
            let text = try #require((body["data"] as? [String: Any])?["text"] as? String)
            #expect(text.hasPrefix("Daily summary for team-"))
            #expect(text.contains("all quiet"))
            #expect(text.hasSuffix(pro ? "no scaling or cost advice." : "no risks ahead."))
        }
    }

    @Test func theDailySummaryIsSentAtItsLocalTimeThroughTheNotifier() throws {
        let slack = try FakeSlackServer()
        defer { slack.stop() }
        let data = NSTemporaryDirectory() + "aiops-daily-summary-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        // The clock starts at 2027-01-15T08:00:00Z; 09:00 in Tokyo is 00:00 UTC.
        let configuration = ServerConfiguration(
            workspaces: [
                WorkspaceConfiguration(name: "team-a", plan: .pro, token: TestServer.tokenA, slack: SlackConfiguration(webhookURL: slack.url()),
                                       dailySummary: try DailySummarySchedule(at: "09:00", timeZone: "UTC")),
                WorkspaceConfiguration(name: "team-b", plan: .hobby, token: TestServer.tokenB,
                                       dailySummary: try DailySummarySchedule(at: "09:00", timeZone: "Asia/Tokyo")),
            ],
            allowedWebhookHosts: ["127.0.0.1"])
        let serving = try SlackServing(configuration: configuration, dataDirectory: data)
        defer { serving.stop() }
        let start = serving.clock.now()
        #expect(serving.server.nextSummary(of: "team-a") == start + 3_600_000)
        #expect(serving.server.nextSummary(of: "team-b") == start + 16 * 3_600_000)
        #expect(serving.server.sendDueSummaries().isEmpty, "not yet")
        serving.clock.advance(by: 3_600_000)
        let sent = serving.server.sendDueSummaries()
        #expect(sent.map(\.workspace) == ["team-a"])
        #expect(serving.server.nextSummary(of: "team-a") == start + 25 * 3_600_000)
        let deadline = Date().addingTimeInterval(30)
        while slack.requests.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let post = try #require(slack.requests.first)
        #expect(post.body.contains("Daily summary for team-a"))
        #expect(post.body.contains("all quiet"))
        // The Hobby workspace has no webhook: its summary is printed at 09:00 Tokyo time.
        serving.clock.advance(by: 15 * 3_600_000)
        #expect(serving.server.sendDueSummaries().map(\.workspace) == ["team-b"])
        #expect(serving.notifier.flush(timeout: 10).completed)
        #expect(serving.printed.lines.withLock { $0 }.contains { $0.hasPrefix("Daily summary for team-b (2027-01-16 09:00") })
    }
}

@Suite struct AdviceConfigurationTests {
    static func load(_ json: String) throws(ConfigurationError) -> ServerConfiguration {
        let path = NSTemporaryDirectory() + "aiops-advice-config-\(UUID().uuidString).json"
        FileManager.default.createFile(atPath: path, contents: Data(json.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ServerConfiguration.load(path: path)
    }

    static func workspace(_ extra: String) -> String {
        #"{"workspaces": [{"name": "shop", "plan": "pro", "token": "0123456789abcdef0123", "# + extra + "}]}"
    }

    @Test func summaryTimePricesAndScalingAreReadPerWorkspace() throws {
        let configuration = try Self.load(Self.workspace(#""dailySummary": {"at": "07:45", "timeZone": "Europe/Berlin"}, "pricing": {"coreHour": 0.04, "gibHour": 0.005}, "scaling": {"targetUtilisation": 0.6}"#))
        let settings = configuration.workspaces[0].adviceSettings
        #expect(settings.includesAdvice)
        #expect(settings.schedule.atText == "07:45" && settings.schedule.timeZone.identifier == "Europe/Berlin")
        #expect(settings.pricing.coreHour == 0.04 && settings.pricing.gibHour == 0.005)
        #expect(settings.scaling.targetUtilisation == 0.6)
        let plain = try Self.load(Self.workspace(#""limits": {"activeSeries": 100}"#)).workspaces[0].adviceSettings
        #expect(plain.schedule == .default && plain.pricing == .default && plain.scaling == .default)
    }

    @Test(arguments: [
        (#""dailySummary": {"at": "7:45"}"#, "workspaces[0].dailySummary.at"),
        (#""dailySummary": {"timeZone": "Moon/Base"}"#, "workspaces[0].dailySummary.timeZone"),
        (#""pricing": {"coreHour": -1}"#, "workspaces[0].pricing.coreHour"),
        (#""scaling": {"lead": "soon"}"#, "workspaces[0].scaling.lead"),
    ])
    func badAdviceSettingsNameTheirKey(extra: String, path: String) {
        do {
            _ = try Self.load(Self.workspace(extra))
            Issue.record("accepted \(extra)")
        } catch {
            #expect(error.path == path, "\(error)")
        }
    }
}

@Suite struct UsageSnapshotServerTests {
    @Test func usageSummariesSurviveARestart() throws {
        let data = NSTemporaryDirectory() + "aiops-usage-snapshot-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let clock = ManualClock(1_800_000_000_000)
        let configuration = ServerConfiguration(workspaces: [WorkspaceConfiguration(name: "team-b", plan: .pro, token: TestServer.tokenB)])
        let rules = try RuleSet.parse(TestServer.rulesJSON, file: "test.json")
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        options.dataDirectory = data
        let logged = LoggedLines()
        options.log = { line in logged.lines.withLock { $0.append(line) } }
        var recommendations: [String] = []
        for run in 0..<2 {
            let server = try AIOpsServer(configuration: configuration, rules: rules, options: options, clock: clock)
            let client = TestClient(port: try server.start().port)
            if run == 0 {
                #expect(try client.write(AdviceServerTests.namespace(now: clock.now()), token: TestServer.tokenB).status == 204)
            }
            #expect(server.workspaces[0].trackedUsageSeries == 6)
            let body = try client.get("/api/v1/recommendations", token: TestServer.tokenB).bodyText
            recommendations.append(body.replacingOccurrences(of: #""generatedAt":"[^"]*""#, with: "", options: .regularExpression))
            server.shutdown(gracePeriod: .seconds(2))
            server.writeSnapshots()
        }
        #expect(recommendations[0] == recommendations[1])
        #expect(FileManager.default.fileExists(atPath: data + "/team-b/usage.snap"))
        #expect(logged.lines.withLock { $0 }.contains { $0.contains("usage summaries of 6 series loaded") })
    }
}

@Suite struct AdviceReloadTests {
    @Test func aPlanChangeByReloadOpensTheRecommendationsAndMovesTheSummary() throws {
        let server = try ReloadTests.Reloadable(config: ReloadTests.configFile(planA: "hobby", others: []), rules: ReloadTests.rulesFile())
        defer { server.stop() }
        #expect(try server.client.get("/api/v1/recommendations", token: TestServer.tokenA).status == 403)
        let start = server.clock.now()  // 2027-01-15T08:00:00Z
        #expect(server.server.nextSummary(of: "team-a") == start + 3_600_000)
        // Pro, with the summary at 18:00 in Tokyo (09:00 UTC) and a load rule.
        let config = ReloadTests.configFile(planA: "pro", others: []).replacingOccurrences(
            of: #""token": "\#(TestServer.tokenA)"}"#,
            with: #""token": "\#(TestServer.tokenA)", "dailySummary": {"at": "18:30", "timeZone": "Asia/Tokyo"}, "scaling": {"loads": [{"namespace": "shop", "deployment": "web", "series": "http_requests_total", "perReplica": 50}]}}"#)
        try server.write(config: config)
        let answer = try server.reload()
        #expect(answer.status == 200, "\(answer.bodyText)")
        #expect(try server.client.get("/api/v1/recommendations", token: TestServer.tokenA).status == 200)
        let teamA = try #require(server.server.workspaces.first)
        #expect(teamA.advice.includesAdvice && teamA.advice.scaling.loads.count == 1)
        // The next check schedules it at the new time (18:30 JST is 09:30 UTC), and sends nothing yet.
        #expect(server.server.sendDueSummaries().isEmpty)
        #expect(server.server.nextSummary(of: "team-a") == start + 90 * 60_000)
    }
}
