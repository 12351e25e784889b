import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Synchronization
import Testing
@testable import Server

/// `aiops serve` end to end to Slack: an anomaly fed in by remote write becomes a firing
/// message, and a resolved one when the series is normal again, posted to a Slack-shaped
/// receiver on loopback; the webhook's secret path never reaches a log.
@Suite struct ServeSlackTests {
    @Test func postsFiringThenResolvedToTheWorkspaceWebhook() throws {
        let slack = try FakeSlackServer()
        defer { slack.stop() }
        let data = NSTemporaryDirectory() + "aiops-serve-slack-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let configuration = ServerConfiguration(
            workspaces: [
                WorkspaceConfiguration(name: "team-a", plan: .pro, token: TestServer.tokenA, slack: SlackConfiguration(webhookURL: slack.url())),
                WorkspaceConfiguration(name: "team-b", plan: .pro, token: TestServer.tokenB),
            ],
            allowedWebhookHosts: ["127.0.0.1"],
            notifications: NotifyOverrides(groupWait: .zero, groupInterval: .zero, repeatInterval: .zero, sendResolved: true))
        let serving = try SlackServing(configuration: configuration, dataDirectory: data)
        defer { serving.stop() }
        let (printed, clock, client) = (serving.printed, serving.clock, serving.client)
        let start = clock.now() - 1_800_000
        let samples = serving.anomalousSamples()
        #expect(try client.write([queue("payments", samples)]).status == 204)
        // Normal again for longer than resolveAfter (1m).
        let after = (61..<75).map { (start + Int64($0) * 10_000, 41.0 + Double($0 % 5)) }
        #expect(try client.write([queue("payments", after)]).status == 204)

        // Usually about a second; generous because the whole suite runs other URLSession clients
        // (some against hanging receivers) at the same time on 2 cores.
        let deadline = Date().addingTimeInterval(60)
        while slack.requests.count < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let requests = slack.requests
        try #require(requests.count == 2, "got \(requests.count) posts")
        #expect(requests.allSatisfy { $0.path == "/services/T000/B000/SECRETtoken" && $0.method == "POST" })
        let firing = try JSONSerialization.jsonObject(with: Data(requests[0].body.utf8)) as? [String: Any]
        let resolved = try JSONSerialization.jsonObject(with: Data(requests[1].body.utf8)) as? [String: Any]
        let firingText = firing?["text"] as? String ?? ""
        let resolvedText = resolved?["text"] as? String ?? ""
        #expect(firingText.contains("queue-spike"), "\(firingText)")
        #expect(firingText.contains("CRITICAL"))
        #expect(requests[0].body.contains("payments"))
        #expect(resolvedText.contains("RESOLVED"), "\(resolvedText)")
        #expect(requests[1].receivedAt - requests[0].receivedAt >= 990_000_000, "at most one message per second per webhook")
        #expect(printed.lines.withLock { $0.isEmpty }, "a workspace with a webhook prints nothing")
        #expect(serving.logged.lines.withLock { $0.allSatisfy { !$0.contains("SECRETtoken") } })
        // The receiver records a post before it answers; the notifier counts it after the answer.
        var metrics = ""
        let countedBy = Date().addingTimeInterval(20)
        repeat {
            metrics = try client.get("/metrics", token: TestServer.tokenA).bodyText
            if metrics.contains("aiops_notifications_sent_total{workspace=\"team-a\"} 2") { break }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < countedBy
        #expect(metrics.contains("aiops_notifications_sent_total{workspace=\"team-a\"} 2"), "\(metrics)")
        #expect(!metrics.contains("SECRETtoken"))
    }
}

/// `aiops serve` wired as the serve-to-Slack tests need it: the notifier with captured log
/// lines and printed text, the server on a loopback port of its own with a manual clock, and
/// a client. `stop()` shuts the server down, then the notifier.
final class SlackServing {
    let logged = LoggedLines()
    let printed = CapturingSink()
    let clock = ManualClock(1_800_000_000_000)
    let notifier: Notifier
    let server: AIOpsServer
    let client: TestClient

    init(configuration: ServerConfiguration, dataDirectory: String) throws {
        let rules = try RuleSet.parse(TestServer.rulesJSON, file: "test.json")
        let logged = self.logged
        notifier = try NotifierSetup.make(
            configuration: configuration, rules: rules, dataDirectory: dataDirectory,
            textSink: printed, log: DeliveryLog { line in logged.lines.withLock { $0.append(line) } })
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        do {
            server = try AIOpsServer(configuration: configuration, rules: rules, options: options, notifier: notifier, clock: clock)
            client = TestClient(port: try server.start().port)
        } catch {
            notifier.shutdown()
            throw error
        }
    }

    /// An hour of a queue's depth at 40-44, then one sample of 4000: the anomaly both tests feed.
    func anomalousSamples() -> [(Int64, Double)] {
        let start = clock.now() - 1_800_000
        var samples = (0..<60).map { (start + Int64($0) * 10_000, 40.0 + Double($0 % 5)) }
        samples.append((start + 60 * 10_000, 4000))
        return samples
    }

    func stop() {
        server.shutdown(gracePeriod: .seconds(2))
        notifier.shutdown()
    }
}

/// Delivery log lines, captured.
final class LoggedLines: Sendable {
    let lines = Mutex<[String]>([])
}

final class CapturingSink: NotificationSink {
    let lines = Mutex<[String]>([])
    func deliver(_ text: String, batch: NotificationBatch) { lines.withLock { $0.append(text) } }
}

/// A client for a test server on loopback: remote-write POSTs and authenticated GETs.
struct TestClient {
    let port: Int

    func write(_ series: [EncodedSeries], version: RemoteWriteVersion = .v1, token: String? = TestServer.tokenA, connection: HTTPClientConnection? = nil) throws -> HTTPClientResponse {
        try post(RemoteWriteEncoder.compressedBody(series, version: version), contentType: version.contentType, token: token, connection: connection)
    }

    func post(_ body: [UInt8], contentType: String?, encoding: String? = "snappy", token: String? = TestServer.tokenA, connection: HTTPClientConnection? = nil) throws -> HTTPClientResponse {
        var headers: [(String, String)] = [("X-Prometheus-Remote-Write-Version", "0.1.0")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let encoding { headers.append(("Content-Encoding", encoding)) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let client = try connection ?? HTTPClientConnection(host: "127.0.0.1", port: port)
        defer { if connection == nil { client.close() } }
        return try client.request(method: "POST", path: "/api/v1/write", headers: headers, body: body)
    }

    func get(_ path: String, token: String?) throws -> HTTPClientResponse {
        let connection = try HTTPClientConnection(host: "127.0.0.1", port: port)
        defer { connection.close() }
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try connection.request(method: "GET", path: path, headers: headers)
    }
}
