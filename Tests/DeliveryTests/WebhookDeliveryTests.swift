import AIOpsCore
import Dispatch
import Foundation
import Incidents
import Synchronization
import Testing
@testable import Delivery

/// The real URLSession transport against a fake Slack server on loopback, through a Notifier.
@Suite struct WebhookDeliveryTests {
    static let secret = "SECRETtoken"

    /// A notifier with no grouping wait, tiny backoffs and no rate limit, pointed at `url`.
    final class Harness: Sendable {
        let notifier: Notifier
        let log = LineCollector()
        let data = makeTemporaryDirectory()

        init(url: String, retry: RetryPolicy = RetryPolicy(requestTimeout: 2, initialBackoff: 0.02, jitter: 0, deadline: 5), minimumSendInterval: Double = 0) throws {
            let webhook = try WebhookURL(url, allowedHosts: ["127.0.0.1"])
            let configuration = NotifierConfiguration(
                workspaces: [NotifierWorkspace(name: "team", policy: NotificationPolicy(groupWait: .zero, groupInterval: .zero), webhook: webhook)],
                dataDirectory: data, retry: retry, minimumSendInterval: minimumSendInterval
            )
            notifier = try Notifier(configuration: configuration, renderer: TestRenderer(), log: log.log)
        }

        func fire(_ id: String, rule: String = "memory-leak") { notifier.handle(.firing(makeIncident(id, rule: rule))) }

        var status: WebhookStatus? { notifier.webhookStatuses().first { $0.webhook == "team" } }

        func stop() {
            notifier.shutdown()
            try? FileManager.default.removeItem(atPath: data)
        }
    }

    @Test func okIsDeliveredOnce() throws {
        let server = try FakeSlackServer()
        defer { server.stop() }
        let harness = try Harness(url: server.url())
        defer { harness.stop() }
        harness.fire("a")
        let result = harness.notifier.flush(timeout: 5)
        #expect(result == FlushResult(completed: true, delivered: 1, givenUp: 0, pending: 0))
        #expect(server.requests.map(\.method) == ["POST"])
        #expect(server.requests.map(\.path) == ["/services/T000/B000/\(Self.secret)"])
        #expect(server.requests.map(\.body) == [#"{"text":"firing memory-leak: a"}"#])
        #expect(harness.status == WebhookStatus(webhook: "team", sent: 1))
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.data + "/outbox").filter { $0.hasSuffix(".json") }.isEmpty)
    }

    @Test func serverErrorIsRetried() throws {
        let server = try FakeSlackServer(script: [.respond(status: 500, body: "rollup_error")])
        defer { server.stop() }
        let harness = try Harness(url: server.url())
        defer { harness.stop() }
        harness.fire("a")
        #expect(harness.notifier.flush(timeout: 5).completed)
        #expect(server.requests.count == 2)
        #expect(Set(server.requests.map(\.body)).count == 1)
        #expect(harness.status == WebhookStatus(webhook: "team", sent: 1, retried: 1, lastError: "rollup_error"))
    }

    @Test func rateLimitedWaitsForRetryAfter() throws {
        let server = try FakeSlackServer(script: [.respond(status: 429, body: "rate_limited", headers: ["Retry-After": "1"])])
        defer { server.stop() }
        let harness = try Harness(url: server.url())
        defer { harness.stop() }
        harness.fire("a")
        #expect(harness.notifier.flush(timeout: 5).completed)
        let requests = server.requests
        #expect(requests.count == 2)
        if requests.count == 2 {
            #expect(requests[1].receivedAt - requests[0].receivedAt >= 1_000_000_000)
        }
        #expect(harness.status?.sent == 1)
        #expect(harness.status?.retried == 1)
        #expect(harness.status?.lastError == "rate_limited")
    }

    @Test(arguments: [
        ("120", 120.0), (" 0 ", 0), ("Sun, 06 Nov 1994 08:51:07 GMT", 90), ("Sun Nov  6 08:49:30 1994", 0),
        ("-1", nil), ("soon", nil), ("inf", nil),
    ] as [(String, Double?)])
    func retryAfterInSecondsOrAsAnHTTPDate(header: String, seconds: Double?) {
        // now: Sun, 06 Nov 1994 08:49:37 GMT; a date already passed waits 0.
        #expect(URLSessionWebhookTransport.parseRetryAfter(header, now: 784_111_777_000) == seconds)
    }

    /// The transport reads an HTTP-date `Retry-After` against its injected clock.
    @Test func retryAfterDateIsCountedFromTheTransportsClock() throws {
        let server = try FakeSlackServer(script: [.respond(status: 429, body: "rate_limited", headers: ["Retry-After": "Sun, 06 Nov 1994 08:49:47 GMT"])])
        defer { server.stop() }
        let transport = URLSessionWebhookTransport(clock: ManualClock(784_111_777_000))
        let done = DispatchSemaphore(value: 0)
        let response = Mutex<WebhookResponse?>(nil)
        transport.post(Array("{}".utf8), to: try WebhookURL(server.url(), allowedHosts: ["127.0.0.1"]), timeout: 5) { r in
            response.withLock { $0 = r }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        guard case .http(let status, _, let retryAfter)? = response.withLock({ $0 }) else {
            Issue.record("no HTTP response")
            return
        }
        #expect(status == 429)
        #expect(retryAfter == 10)
    }

    @Test func noServiceIsNotRetriedAndMarksTheWebhookFailing() throws {
        let server = try FakeSlackServer(script: [.respond(status: 404, body: "no_service"), .respond(status: 404, body: "no_service")])
        defer { server.stop() }
        let harness = try Harness(url: server.url())
        defer { harness.stop() }
        harness.fire("a")
        let result = harness.notifier.flush(timeout: 5)
        #expect(result == FlushResult(completed: true, delivered: 0, givenUp: 1, pending: 0))
        #expect(server.requests.count == 1)
        #expect(harness.status == WebhookStatus(webhook: "team", failed: ["no_service": 1], lastError: "no_service", failing: true))
        let failed = try Outbox(dataDirectory: harness.data).loadFailed()
        #expect(failed.count == 1)
        #expect(failed.first?.failure?.contains("HTTP 404 no_service") == true)
        #expect(failed.first?.attempts == 1)
        #expect(harness.log.lines.contains { $0.contains("gave up") && $0.contains("no_service") })
    }

    @Test func hangingServerTimesOutAndIsRetried() throws {
        let server = try FakeSlackServer(script: [.hang])
        defer { server.stop() }
        // 1 s, not less: on a loaded 2-core machine the answered retry itself can take longer
        // than a few hundred milliseconds and would time out too.
        let harness = try Harness(url: server.url(), retry: RetryPolicy(requestTimeout: 1, initialBackoff: 0.02, jitter: 0, deadline: 8))
        defer { harness.stop() }
        harness.fire("a")
        #expect(harness.notifier.flush(timeout: 8).completed)
        #expect(server.requests.count == 2)
        #expect(harness.status == WebhookStatus(webhook: "team", sent: 1, retried: 1, lastError: "timeout"))
    }

    @Test func redirectIsNotFollowed() throws {
        let server = try FakeSlackServer()
        defer { server.stop() }
        let redirecting = try FakeSlackServer(script: [.respond(status: 302, body: "", headers: ["Location": server.url(path: "/elsewhere")])])
        defer { redirecting.stop() }
        let harness = try Harness(url: redirecting.url())
        defer { harness.stop() }
        harness.fire("a")
        #expect(harness.notifier.flush(timeout: 5).givenUp == 1)
        #expect(redirecting.requests.count == 1)
        #expect(server.requests.isEmpty)
        #expect(harness.status?.failed == ["redirect_302": 1])
        #expect(harness.status?.failing == true)
    }

    @Test func burstIsSentInOrderAndSpacedByTheRateLimit() throws {
        let server = try FakeSlackServer()
        defer { server.stop() }
        let harness = try Harness(url: server.url(), minimumSendInterval: 0.25)
        defer { harness.stop() }
        for rule in ["r1", "r2", "r3"] { harness.fire("a", rule: rule) }
        #expect(harness.notifier.flush(timeout: 5).delivered == 3)
        let requests = server.requests
        #expect(requests.map(\.body) == ["r1", "r2", "r3"].map { #"{"text":"firing \#($0): a"}"# })
        for index in requests.indices.dropFirst() {
            #expect(requests[index].receivedAt - requests[index - 1].receivedAt >= 250_000_000)
        }
    }

    @Test func webhookURLNeverAppearsInLogsOrErrors() throws {
        let refusing = try RefusingPort()
        let url = refusing.url()
        let harness = try Harness(url: url, retry: RetryPolicy(requestTimeout: 1, initialBackoff: 0.02, jitter: 0, deadline: 0.2))
        defer { harness.stop() }
        harness.fire("a")
        let result = harness.notifier.flush(timeout: 5)
        #expect(result.givenUp == 1)
        #expect(harness.status?.lastError == "connection_refused")
        let lines = harness.log.lines
        #expect(lines.contains { $0.contains("connection_refused") && $0.contains("127.0.0.1:") && $0.contains("/***") })
        #expect(!lines.contains { $0.contains(Self.secret) || $0.contains("B000") })
        // Nor on disk: the outbox keeps the webhook's ID.
        for folder in [harness.data + "/outbox", harness.data + "/outbox/failed"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".json") {
                let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
                #expect(!text.contains(Self.secret))
                #expect(text.contains("\"webhook\":\"team\""))
            }
        }

        // The transport's own error, straight.
        let transport = URLSessionWebhookTransport()
        let response = Mutex<WebhookResponse?>(nil)
        let done = DispatchSemaphore(value: 0)
        transport.post([], to: try WebhookURL(url, allowedHosts: ["127.0.0.1"]), timeout: 1) { result in
            response.withLock { $0 = result }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        guard case .failed(let error)? = response.withLock({ $0 }) else { Issue.record("expected a transport failure"); return }
        for text in [error.description, String(describing: error), String(reflecting: error), "\(error)"] {
            #expect(!text.contains(Self.secret))
        }
        #expect(error.description.contains("127.0.0.1"))
        withExtendedLifetime(refusing) {}
    }
}
