import AIOpsCore
@testable import Delivery
import Foundation
import Incidents
import Testing
@testable import AlertTargets

/// The notifier's thread posts what the queue decides, to `<url>/api/v2/alerts` with the
/// endpoint's credentials, and its sink ignores workspaces without Alertmanagers.
@Suite struct AlertmanagerNotifierTests {
    @Test func postsToTheAlertsAPIWithCredentials() throws {
        let directory = NSTemporaryDirectory() + "aiops-am-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "  s3cret-token\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        let configuration = AlertmanagerConfiguration(url: "http://127.0.0.1:9093/am", bearerTokenFile: directory + "/token")
        let endpoint = try configuration.endpoint()
        #expect("\(endpoint)" == "http://127.0.0.1:9093/am")
        #expect(!String(reflecting: endpoint).contains("s3cret"))
        let poster = RecordingPoster()
        let clock = ManualClock(1_800_000_000_000)
        let notifier = AlertmanagerNotifier(
            targets: [.init(workspace: "team-a", endpoint: endpoint)], poster: poster, clock: clock, log: .silent, maximumIdleWait: 0.05)
        notifier.start()
        defer { notifier.shutdown() }
        #expect(!notifier.serves(workspace: "team-b") && notifier.serves(workspace: "team-a"))
        notifier.sink(forWorkspace: "team-b").handle(.firing(makeIncident(rule: "elsewhere")))
        notifier.sink(forWorkspace: "team-a").handle(.firing(makeIncident()))
        #expect(notifier.waitUntilSent(timeout: 10))
        let posts = poster.posts.withLock { $0 }
        try #require(posts.count == 1)
        #expect(posts[0].path == "/api/v2/alerts")
        #expect(posts[0].headers["Authorization"] == "Bearer s3cret-token")
        #expect(posts[0].headers["Content-Type"] == "application/json")
        #expect(posts[0].json.first?["labels"] as? [String: String] != nil)
        // A minute later it is sent again.
        clock.advance(by: 60_000)
        notifier.tick()
        #expect(notifier.waitUntilSent(timeout: 10))
        #expect(poster.posts.withLock { $0.count } == 2)
        #expect(notifier.statuses.first?.alertsSent == 2, "team-b's event went nowhere")
        // A reload that gives team-b an Alertmanager and takes team-a's away.
        notifier.reconfigure(targets: [.init(workspace: "team-b", endpoint: try OutboundEndpoint("http://127.0.0.1:9094"))])
        #expect(!notifier.serves(workspace: "team-a") && notifier.serves(workspace: "team-b"))
        notifier.sink(forWorkspace: "team-b").handle(.firing(makeIncident(rule: "elsewhere")))
        #expect(notifier.waitUntilSent(timeout: 10))
        let last = try #require(poster.posts.withLock { $0.last })
        #expect(last.endpoint == "http://127.0.0.1:9094" && (last.json.first?["labels"] as? [String: String])?["alertname"] == "elsewhere")
    }

    @Test func credentialsAreCheckedAndNeverShown() throws {
        #expect(throws: OutboundEndpoint.Problem.self) { try AlertmanagerConfiguration(url: "http://user:pw@host:9093").endpoint() }
        #expect(throws: OutboundEndpoint.Problem.self) { try AlertmanagerConfiguration(url: "ftp://host").endpoint() }
        #expect(throws: OutboundEndpoint.Problem.self) { try AlertmanagerConfiguration(url: "http://host", bearerTokenFile: "/nonexistent/token").endpoint() }
        #expect(throws: OutboundEndpoint.Problem.self) {
            try AlertmanagerConfiguration(url: "http://host", basicAuth: BasicAuthConfiguration(username: "u", password: "p"), bearerTokenFile: "/x").endpoint()
        }
        let basic = try AlertmanagerConfiguration(url: "http://host:9093", basicAuth: BasicAuthConfiguration(username: "aiops", password: "hunter2")).endpoint()
        #expect(basic.authorization == "Basic " + Data("aiops:hunter2".utf8).base64EncodedString())
        #expect(!"\(basic) \(String(reflecting: basic))".contains("hunter2"))
        #expect(HTTPCredentials.basic(username: "a", password: "b").description == "basic auth")
    }
}

@Suite struct CredentialsFileTests {
    @Test func symlinksAreFollowedDevicesRefused() throws {
        let directory = NSTemporaryDirectory() + "aiops-creds-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/..data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "tok-123\n".write(toFile: directory + "/..data/token", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/token", withDestinationPath: "..data/token")
        let endpoint = try AlertmanagerConfiguration(url: "http://am:9093", bearerTokenFile: directory + "/token").endpoint()
        #expect(endpoint.authorization == "Bearer tok-123")
        do {
            _ = try AlertmanagerConfiguration(url: "http://am:9093", bearerTokenFile: "/dev/zero").endpoint()
            Issue.record("/dev/zero accepted")
        } catch {
            #expect(error.reason == "cannot read /dev/zero: not a regular file")
        }
    }
}
