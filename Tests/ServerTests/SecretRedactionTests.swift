import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Synchronization
import Testing
@testable import Server

/// Issue 13, defect 4: a webhook URL whose whole secret is one path segment. A delivery that
/// fails (404 `no_service` from a loopback receiver) is logged, counted, exported and moved to
/// `outbox/failed/`; the secret appears in none of the log lines, printed text, HTTP
/// responses, or files of the data directory.
@Suite struct SecretRedactionTests {
    @Test func plantedSecretAppearsInNoOutputAndNoFile() throws {
        let secret = "PLANTEDsecret7f3a9c"
        let slack = try FakeSlackServer(script: [.respond(status: 404, body: "no_service")])
        defer { slack.stop() }
        let data = NSTemporaryDirectory() + "aiops-secret-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let configuration = ServerConfiguration(
            workspaces: [WorkspaceConfiguration(name: "team-a", plan: .pro, token: TestServer.tokenA,
                                                slack: SlackConfiguration(webhookURL: slack.url(path: "/" + secret)))],
            allowedWebhookHosts: ["127.0.0.1"],
            notifications: NotifyOverrides(groupWait: .zero, groupInterval: .zero, repeatInterval: .zero, sendResolved: true))
        let serving = try SlackServing(configuration: configuration, dataDirectory: data)
        defer { serving.stop() }
        let (printed, client) = (serving.printed, serving.client)
        let samples = serving.anomalousSamples()
        var outputs: [String] = []
        let written = try client.write([queue("payments", samples)])
        #expect(written.status == 204)
        outputs.append(written.bodyText)

        let failed = data + "/outbox/failed"
        let deadline = Date().addingTimeInterval(60)
        while ((try? FileManager.default.contentsOfDirectory(atPath: failed)) ?? []).isEmpty && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        try #require(!((try? FileManager.default.contentsOfDirectory(atPath: failed)) ?? []).isEmpty, "the 404 was given up")
        #expect(slack.requests.first?.path == "/" + secret, "the real URL was used")
        // Let the failure be logged and counted.
        let countedBy = Date().addingTimeInterval(20)
        while !serving.logged.lines.withLock({ $0.contains { $0.contains("no_service") } }) && Date() < countedBy {
            Thread.sleep(forTimeInterval: 0.05)
        }

        outputs += serving.logged.lines.withLock { $0 }
        outputs += printed.lines.withLock { $0 }
        for path in ["/metrics", "/api/v1/incidents", "/"] {
            let response = try client.get(path, token: TestServer.tokenA)
            outputs.append(response.bodyText)
            outputs += response.headers.map { "\($0.0): \($0.1)" }
        }
        #expect(serving.logged.lines.withLock { $0.contains { $0.contains("no_service") } }, "the failure is logged")
        for output in outputs {
            #expect(!output.contains(secret), "secret in output: \(output.prefix(300))")
        }
        var files = 0
        let enumerator = FileManager.default.enumerator(atPath: data)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = data + "/" + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files += 1
            let contents = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(contents.range(of: Data(secret.utf8)) == nil, "secret in \(relative)")
            #expect(!relative.contains(secret))
        }
        #expect(files >= 1, "the failed entry is a file of the data dir")
    }
}
