import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Synchronization
import Testing
@testable import Server

/// `aiops serve` stopped gracefully and started again on the same data directory: the series
/// is still there, its incident still firing and not notified again, and its resolution is
/// notified when it comes.
@Suite struct SnapshotServerTests {
    struct Instance {
        let server: AIOpsServer
        let notifier: Notifier
        let client: TestClient
        let logged: LogLines

        /// The graceful-shutdown order of `aiops serve`.
        func stop() {
            server.shutdown(gracePeriod: .seconds(2))
            _ = notifier.flush(timeout: 10)
            notifier.shutdown()
            server.writeSnapshots()
        }
    }

    func start(data: String, slack: FakeSlackServer, clock: ManualClock, logged: LogLines, rulesJSON: String = TestServer.rulesJSON) throws -> Instance {
        let configuration = ServerConfiguration(
            workspaces: [
                WorkspaceConfiguration(name: "team-a", plan: .pro, token: TestServer.tokenA, slack: SlackConfiguration(webhookURL: slack.url())),
                WorkspaceConfiguration(name: "team-b", plan: .hobby, token: TestServer.tokenB),
            ],
            allowedWebhookHosts: ["127.0.0.1"],
            notifications: NotifyOverrides(groupWait: .zero, groupInterval: .zero, repeatInterval: .hours(4), sendResolved: true))
        let rules = try RuleSet.parse(rulesJSON, file: "test.json")
        let notifier = try NotifierSetup.make(
            configuration: configuration, rules: rules, dataDirectory: data, clock: clock, textSink: CapturingSink(), log: .silent)
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        options.dataDirectory = data
        options.log = { line in logged.lines.withLock { $0.append(line) } }
        let server = try AIOpsServer(configuration: configuration, rules: rules, options: options, notifier: notifier, clock: clock)
        let port = try server.start().port
        return Instance(server: server, notifier: notifier, client: TestClient(port: port), logged: logged)
    }

    func waitFor(_ slack: FakeSlackServer, count: Int, seconds: Double = 60) {
        let deadline = Date().addingTimeInterval(seconds)
        while slack.requests.count < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    }

    func activeIncidents(_ client: TestClient) throws -> [[String: Any]] {
        let response = try client.get("/api/v1/incidents", token: TestServer.tokenA)
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return ((object?["data"] as? [String: Any])?["active"] as? [[String: Any]]) ?? []
    }

    @Test func restartKeepsSeriesAndFiringIncidentWithoutNotifyingAgain() throws {
        let slack = try FakeSlackServer()
        defer { slack.stop() }
        let data = NSTemporaryDirectory() + "aiops-snapshot-serve-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let clock = ManualClock(1_800_000_000_000)
        let t0 = clock.now() - 1_800_000

        let logged = LogLines()
        let first = try start(data: data, slack: slack, clock: clock, logged: logged)
        var samples = (0..<60).map { (t0 + Int64($0) * 10_000, 40.0 + Double($0 % 5)) }
        samples.append((t0 + 60 * 10_000, 4000))
        #expect(try first.client.write([queue("payments", samples)]).status == 204)
        waitFor(slack, count: 1)
        try #require(slack.requests.count == 1)
        #expect(slack.requests[0].body.contains("queue-spike"))
        first.stop()
        #expect(FileManager.default.fileExists(atPath: data + "/team-a/state.snap"))
        #expect(FileManager.default.fileExists(atPath: data + "/team-b/state.snap"))
        #expect(SnapshotsCheck.backups(data + "/team-a/backups").count == 1, "Pro: a daily backup")
        #expect(SnapshotsCheck.backups(data + "/team-b/backups").isEmpty, "Hobby: none")

        clock.advance(by: 120_000)
        let second = try start(data: data, slack: slack, clock: clock, logged: logged)
        defer { second.server.shutdown(gracePeriod: .seconds(2)); second.notifier.shutdown() }
        let lines = logged.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("workspace team-a: loaded 1 series, 1 open incident(s) (1 firing)") && $0.contains("lost up to 2.0 minutes") }, "\(lines)")
        let active = try activeIncidents(second.client)
        try #require(active.count == 1)
        #expect(active[0]["state"] as? String == "firing")
        #expect(second.server.workspaces[0].activeSeries == 1)

        // Still anomalous: no second firing message.
        #expect(try second.client.write([queue("payments", [(t0 + 61 * 10_000, 4100)])]).status == 204)
        // A sample the first instance already accepted is not applied twice.
        let resent = try second.client.write([queue("payments", [(t0 + 60 * 10_000, 4000)])])
        #expect(resent.status == 204 || resent.status == 400)
        // Normal again for longer than resolveAfter (1m): the resolution is notified.
        let after = (62..<76).map { (t0 + Int64($0) * 10_000, 41.0 + Double($0 % 5)) }
        #expect(try second.client.write([queue("payments", after)]).status == 204)
        waitFor(slack, count: 2)
        Thread.sleep(forTimeInterval: 1.5)
        let requests = slack.requests
        try #require(requests.count == 2, "got \(requests.count) posts")
        let resolved = try JSONSerialization.jsonObject(with: Data(requests[1].body.utf8)) as? [String: Any]
        #expect((resolved?["text"] as? String ?? "").contains("RESOLVED"), "\(requests[1].body)")
        #expect(try activeIncidents(second.client).isEmpty)
    }

    @Test func aDamagedSnapshotMovesAsideAndTheOtherWorkspacesLoad() throws {
        let slack = try FakeSlackServer()
        defer { slack.stop() }
        let data = NSTemporaryDirectory() + "aiops-snapshot-damaged-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let clock = ManualClock(1_800_000_000_000)
        let logged = LogLines()
        let first = try start(data: data, slack: slack, clock: clock, logged: logged)
        let samples = (0..<30).map { (clock.now() - 600_000 + Int64($0) * 10_000, 40.0 + Double($0 % 5)) }
        #expect(try first.client.write([queue("payments", samples)]).status == 204)
        #expect(try first.client.write([queue("orders", samples)], token: TestServer.tokenB).status == 204)
        first.stop()

        let path = data + "/team-a/state.snap"
        var bytes = try DurableFile.read(path)
        bytes[bytes.count - 3] ^= 0xFF
        try DurableFile.write(bytes, to: path, temporary: path + ".t")

        let second = try start(data: data, slack: slack, clock: clock, logged: logged)
        defer { second.server.shutdown(gracePeriod: .seconds(2)); second.notifier.shutdown() }
        let lines = logged.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("workspace team-a: \(path) refused (CRC-32C mismatch") && $0.contains("moved to \(data)/damaged/team-a-") }, "\(lines)")
        #expect(lines.contains { $0.contains("workspace team-b: loaded 1 series") }, "\(lines)")
        #expect(second.server.workspaces[0].activeSeries == 0)
        #expect(second.server.workspaces[1].activeSeries == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(SnapshotsCheck.backups(data + "/damaged").contains { $0.hasPrefix("team-a-") && $0.hasSuffix(".snap") })
    }
}

extension SnapshotServerTests {
    /// A restart under changed rules: the snapshot loads, the unchanged rule keeps its series'
    /// state and its firing incident (not notified again), the new rule starts fresh, and a
    /// log line says which is which. (Before format version 2 the whole file was refused.)
    @Test func restartUnderChangedRulesKeepsTheUnchangedOnes() throws {
        let slack = try FakeSlackServer()
        defer { slack.stop() }
        let data = NSTemporaryDirectory() + "aiops-snapshot-rules-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let clock = ManualClock(1_800_000_000_000)
        let t0 = clock.now() - 1_800_000
        let logged = LogLines()
        let first = try start(data: data, slack: slack, clock: clock, logged: logged)
        var samples = (0..<60).map { (t0 + Int64($0) * 10_000, 40.0 + Double($0 % 5)) }
        samples.append((t0 + 60 * 10_000, 4000))
        #expect(try first.client.write([queue("payments", samples)]).status == 204)
        waitFor(slack, count: 1)
        try #require(slack.requests.count == 1)
        let firing = try activeIncidents(first.client)
        first.stop()

        // queue-spike unchanged (now second); a new rule first.
        let changed = """
        {"rules": [
          {"name": "queue-low", "selector": "queue_depth", "detector": {"kind": "ewma", "direction": "down", "warmup": 20}},
          \(TestServer.rulesJSON.components(separatedBy: "\n").dropFirst().dropLast().joined(separator: "\n"))
        ]}
        """
        clock.advance(by: 60_000)
        let second = try start(data: data, slack: slack, clock: clock, logged: logged, rulesJSON: changed)
        defer { second.server.shutdown(gracePeriod: .seconds(2)); second.notifier.shutdown() }
        let lines = logged.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("workspace team-a: written under other rules; rules: 2 unchanged kept their state; new or changed (start fresh): queue-low; bindings 1 kept, 1 fresh, 0 dropped") }, "\(lines)")
        #expect(lines.contains { $0.contains("workspace team-a: loaded 1 series, 1 open incident(s) (1 firing)") }, "\(lines)")
        #expect(!FileManager.default.fileExists(atPath: data + "/damaged"), "nothing refused")
        #expect(second.server.workspaces[0].rules.map(\.name) == ["queue-low", "queue-spike", "auto"])
        let active = try activeIncidents(second.client)
        #expect(active.map { $0["id"] as? String } == firing.map { $0["id"] as? String }, "the firing incident survived")
        // Still anomalous under the warm detector: no second firing message.
        #expect(try second.client.write([queue("payments", [(t0 + 61 * 10_000, 4100)])]).status == 204)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(slack.requests.count == 1, "\(slack.requests.map(\.body))")
    }
}

final class LogLines: Sendable {
    let lines = Mutex<[String]>([])
}

enum SnapshotsCheck {
    static func backups(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".snap") }
    }
}
