import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Testing
@testable import Server

/// `/api/v1/silences` with the workspace token, kept across restarts in
/// `<data>/<workspace>/silences.json`, counted in `/metrics`, and honoured by the Slack
/// notifier: a silenced incident's message is not posted.
@Suite struct SilencesServerTests {
    static func request(_ client: TestClient, _ method: String, _ path: String, token: String? = TestServer.tokenA, body: String = "") throws -> (status: Int, json: [String: Any], text: String) {
        let connection = try HTTPClientConnection(host: "127.0.0.1", port: client.port)
        defer { connection.close() }
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let response = try connection.request(method: method, path: path, headers: headers, body: Array(body.utf8))
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return (response.status, json, response.bodyText)
    }

    static func server(data: String, clock: ManualClock, notifier: Notifier? = nil, configuration: ServerConfiguration? = nil) throws -> (AIOpsServer, TestClient) {
        let configuration = configuration ?? ServerConfiguration(workspaces: [
            WorkspaceConfiguration(name: "team-a", plan: .hobby, token: TestServer.tokenA),
            WorkspaceConfiguration(name: "team-b", plan: .hobby, token: TestServer.tokenB),
        ])
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        options.threads = 2
        options.dataDirectory = data
        options.snapshotInterval = .zero
        options.log = { _ in }
        let server = try AIOpsServer(configuration: configuration, rules: try RuleSet.parse(TestServer.rulesJSON, file: "test.json"), options: options, notifier: notifier, clock: clock)
        return (server, TestClient(port: try server.start().port))
    }

    @Test func createListExpireAndKeepAcrossARestart() throws {
        let data = NSTemporaryDirectory() + "aiops-silences-server-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let clock = ManualClock(1_800_000_000_000)
        var (server, client) = try Self.server(data: data, clock: clock)
        let body = #"{"matchers": "{alertname=\"queue-spike\", queue=~\"pay.*\"}", "duration": "2h", "createdBy": "ana", "comment": "deploying the fix"}"#
        #expect(try Self.request(client, "POST", "/api/v1/silences", token: nil, body: body).status == 401)
        let created = try Self.request(client, "POST", "/api/v1/silences", body: body)
        #expect(created.status == 200, "\(created.text)")
        let id = try #require(created.json["silenceID"] as? String)
        let bad = try Self.request(client, "POST", "/api/v1/silences", body: #"{"matchers": "{queue=~\".*\"}", "duration": "2h", "createdBy": "a", "comment": "c"}"#)
        #expect(bad.status == 400 && bad.text.contains("at least one matcher"), "\(bad.text)")
        #expect(bad.text.contains("\"status\":\"error\""))

        let listed = try Self.request(client, "GET", "/api/v1/silences")
        let silences = try #require((listed.json["data"] as? [[String: Any]]))
        try #require(silences.count == 1)
        #expect(silences[0]["id"] as? String == id)
        #expect(silences[0]["createdBy"] as? String == "ana")
        #expect((silences[0]["status"] as? [String: String])?["state"] == "active")
        #expect(silences[0]["endsAt"] as? String == TimeFormat.rfc3339(clock.now() + 7_200_000))
        let matchers = try #require(silences[0]["matchers"] as? [[String: Any]])
        #expect(matchers.count == 2 && matchers[1]["isRegex"] as? Bool == true && matchers[1]["value"] as? String == "pay.*")
        #expect(((try Self.request(client, "GET", "/api/v1/silences", token: TestServer.tokenB)).json["data"] as? [Any])?.isEmpty == true, "team-b sees none of team-a's")
        #expect(try Self.request(client, "DELETE", "/api/v1/silences/\(id)", token: TestServer.tokenB).status == 404)
        let metrics = try client.get("/metrics", token: TestServer.tokenA).bodyText
        #expect(metrics.contains(#"aiops_silences{state="active",workspace="team-a"} 1"#), "\(metrics)")
        #expect(!metrics.contains(#"workspace="team-b""#))

        // A restart with the same data directory still has it.
        server.shutdown(gracePeriod: .seconds(1))
        #expect(FileManager.default.fileExists(atPath: data + "/team-a/silences.json"))
        (server, client) = try Self.server(data: data, clock: clock)
        defer { server.shutdown(gracePeriod: .seconds(1)) }
        let again = try Self.request(client, "GET", "/api/v1/silences/\(id)")
        #expect(again.status == 200 && (again.json["data"] as? [String: Any])?["comment"] as? String == "deploying the fix", "\(again.text)")

        clock.advance(by: 1_000)
        #expect(try Self.request(client, "DELETE", "/api/v1/silences/\(id)").status == 200)
        let expired = try Self.request(client, "GET", "/api/v1/silences/\(id)")
        #expect(((expired.json["data"] as? [String: Any])?["status"] as? [String: String])?["state"] == "expired")
        #expect(try Self.request(client, "DELETE", "/api/v1/silences/\(id)").status == 400, "already expired")
        #expect(try Self.request(client, "PUT", "/api/v1/silences").status == 405)
        let after = try client.get("/metrics", token: TestServer.tokenA).bodyText
        #expect(after.contains(#"aiops_silences{state="expired",workspace="team-a"} 1"#) && after.contains(#"aiops_silences{state="active",workspace="team-a"} 0"#))
    }

    /// Two queues spike together; a silence on one: the Slack message carries only the other.
    @Test func aSilencedIncidentIsNotPostedToSlack() throws {
        let slack = try FakeSlackServer()
        defer { slack.stop() }
        let data = NSTemporaryDirectory() + "aiops-silences-slack-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let clock = ManualClock(1_800_000_000_000)
        let configuration = ServerConfiguration(
            workspaces: [WorkspaceConfiguration(name: "team-a", plan: .pro, token: TestServer.tokenA, slack: SlackConfiguration(webhookURL: slack.url()))],
            allowedWebhookHosts: ["127.0.0.1"],
            notifications: NotifyOverrides(groupWait: .seconds(5), groupInterval: .zero, repeatInterval: .zero, sendResolved: true))
        let rules = try RuleSet.parse(TestServer.rulesJSON, file: "test.json")
        let notifier = try NotifierSetup.make(configuration: configuration, rules: rules, dataDirectory: data, clock: clock, log: .silent)
        defer { notifier.shutdown() }
        let (server, client) = try Self.server(data: data, clock: clock, notifier: notifier, configuration: configuration)
        defer { server.shutdown(gracePeriod: .seconds(1)) }

        let silence = #"{"matchers": [{"name": "queue", "value": "payments", "isRegex": false, "isEqual": true}], "duration": "1h", "createdBy": "ana", "comment": "known"}"#
        #expect(try Self.request(client, "POST", "/api/v1/silences", body: silence).status == 200)
        let start = clock.now() - 1_800_000
        var samples = (0..<60).map { (start + Int64($0) * 10_000, 40.0 + Double($0 % 5)) }
        samples.append((start + 60 * 10_000, 4000))
        #expect(try client.write([queue("payments", samples), queue("orders", samples)]).status == 204)
        #expect(server.workspaces[0].incidents().open.filter { $0.phase == .firing }.count == 2)
        // Past groupWait: the group of both goes out, without the silenced one.
        clock.advance(by: 6_000)
        notifier.tick()
        let deadline = Date().addingTimeInterval(30)
        while slack.requests.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(notifier.waitUntilIdle(timeout: 10))
        let posts = slack.requests
        try #require(posts.count == 1, "got \(posts.count) posts")
        #expect(posts[0].body.contains("orders"))
        #expect(!posts[0].body.contains("payments"), "\(posts[0].body)")
        let metrics = try client.get("/metrics", token: TestServer.tokenA).bodyText
        #expect(metrics.contains(#"aiops_notifications_silenced_total{workspace="team-a"} 1"#), "\(metrics)")
    }
}

/// `GET /federate?match[]=...`: the workspace's own scores, bounded, with its token.
@Suite struct FederateServerTests {
    @Test func scoresOfTheWorkspaceAsTextWithTimestamps() throws {
        let clock = ManualClock(1_800_000_000_000)
        let configuration = ServerConfiguration(workspaces: [
            WorkspaceConfiguration(name: "team-a", plan: .hobby, token: TestServer.tokenA),
            WorkspaceConfiguration(name: "team-b", plan: .hobby, token: TestServer.tokenB),
        ])
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        options.threads = 1
        options.federateLimit = 3
        let server = try AIOpsServer(configuration: configuration, rules: try RuleSet.parse(TestServer.rulesJSON, file: "test.json"), options: options, clock: clock)
        let client = TestClient(port: try server.start().port)
        defer { server.shutdown(gracePeriod: .seconds(1)) }
        let start = clock.now() - 600_000
        let samples = (0..<30).map { (start + Int64($0) * 10_000, 40.0 + Double($0 % 5)) }
        #expect(try client.write([queue("payments", samples)]).status == 204)
        #expect(try client.write([queue("orders", samples)], token: TestServer.tokenB).status == 204)

        let match = "match%5B%5D=" + "aiops_anomaly_score{queue=\"payments\"}".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(try client.get("/federate?\(match)", token: nil).status == 401)
        let missing = try client.get("/federate", token: TestServer.tokenA)
        #expect(missing.status == 400 && missing.bodyText.contains("at least one match[]"))
        let ok = try client.get("/federate?\(match)", token: TestServer.tokenA)
        #expect(ok.status == 200)
        #expect(ok.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let lines = ok.bodyText.split(separator: "\n").filter { !$0.hasPrefix("#") }
        try #require(lines.count == 1, "\(ok.bodyText)")
        #expect(lines[0].hasPrefix(#"aiops_anomaly_score{metric="queue_depth",queue="payments",rule="queue-spike"} "#))
        #expect(lines[0].hasSuffix(" \(start + 29 * 10_000)"), "the last sample's event time")
        // team-b's token sees team-b's scores only.
        let other = try client.get("/federate?match%5B%5D=aiops_anomaly_score%7Bqueue%3D~%22.%2B%22%7D", token: TestServer.tokenB).bodyText
        #expect(other.contains(#"queue="orders""#) && !other.contains(#"queue="payments""#), "\(other)")
        // Four families over the limit of 3.
        let over = try client.get("/federate?match%5B%5D=%7Bqueue%3D%22payments%22%7D", token: TestServer.tokenA)
        #expect(over.status == 422 && over.bodyText.contains("more than 3 series match"), "\(over.bodyText)")
    }
}
