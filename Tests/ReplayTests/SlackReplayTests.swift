import AIOpsCore
import Delivery
import Foundation
import Incidents
import Reports
import Rules
import Synchronization
import Testing
@testable import Replay

/// `SlackReplay` end to end on the shipped Node.js leak: the payloads a dry run prints, and
/// the same payloads posted to a fake Slack on loopback through the Delivery machinery.
@Suite struct SlackReplayTests {
    static let fixture = FixtureReplayTests.root.appendingPathComponent("fixtures/nodejs-memory-leak/metrics.prom").path
    static let pod = "checkout-api-7d9f8b6c5d-x2k4p"
    static let secret = "SECRETtoken"
    /// Tiny backoffs and deadline: a failing test ends quickly.
    static let fastRetry = RetryPolicy(requestTimeout: 2, initialBackoff: 0.02, jitter: 0, deadline: 3)

    /// Replayed once for the suite (the replay is pure: every test sees the same result).
    static let replayed = Result { () throws -> (SlackReplay, SlackReplay.FileReplay) in
        let rules = try FixtureReplayTests.rules()
        let slack = SlackReplay(rules: rules)
        return (slack, try slack.replay(path: fixture, replayer: Replayer(rules: rules)))
    }

    static func replay() throws -> (SlackReplay, SlackReplay.FileReplay) { try replayed.get() }

    @Test func dryRunPayloadsNameTheRuleThePodAndTheGrowthRate() throws {
        let (slack, replay) = try Self.replay()
        let lines = slack.payloadLines(replay.batches)
        try #require(!lines.isEmpty)
        #expect(replay.batches.first?.kind == .firing)
        let leak = try #require(lines.first { $0.contains(":red_circle: CRITICAL: container-memory-leak") })
        #expect(leak.contains(Self.pod))
        #expect(leak.contains(#"*Growth*\n+"#) && leak.contains(" MiB/h"))
        #expect(leak.contains(#"*Workspace*\nreplay"#))
        for line in lines {
            #expect(!line.contains("\n"))
            let message = try JSONDecoder().decode(SlackMessage.self, from: Data(line.utf8))
            #expect(!message.blocks.isEmpty && message.characterCount <= SlackLimits.slack.messageBudget)
        }
    }

    @Test func notificationsAreDecidedOnEventTime() throws {
        let (_, replay) = try Self.replay()
        let end = try #require(replay.result.lastTimestamp)
        let first = try #require(replay.result.series.compactMap(\.timestamps.first).min())
        for batch in replay.batches {
            #expect(batch.decidedAt >= first && batch.decidedAt <= end, "decided on the data's time, not the wall clock")
            if batch.kind == .firing {
                // Each first message goes out the default group wait (30s) after its first series fired.
                let firedAt = try #require(batch.incidents.compactMap(\.firedAt).min())
                #expect(batch.decidedAt >= firedAt + 30_000)
            }
        }
        // 8 hours of data: the incidents still firing 4 hours after their message were reminded of.
        #expect(replay.batches.contains { $0.kind == .reminder })
    }

    /// A reminder four hours on says how the leak stands then, not what it said when it
    /// fired: the incident's facts as of the last sample before the reminder was due.
    @Test func remindersCarryTheFactsOfTheirOwnTime() throws {
        let (slack, replay) = try Self.replay()
        let index = try #require(replay.batches.firstIndex { $0.kind == .reminder })
        let reminder = replay.batches[index]
        let now = reminder.incidents[0]
        let firing = try #require(replay.batches.first { $0.kind == .firing && $0.incidents.contains { $0.id == now.id } })
        let then = try #require(firing.incidents.first { $0.id == now.id })
        #expect(now.lastSeen >= then.lastSeen + 3 * 3_600_000)
        #expect(now.lastSeen <= reminder.decidedAt && reminder.decidedAt - now.lastSeen <= 5 * 60_000, "the sample before the reminder was due")
        #expect(now.observed > then.observed, "the heap grew meanwhile")
        let payload = slack.payloadLines([reminder])[0]
        #expect(payload.contains("Now, as of \(TimeFormat.rfc3339(now.lastSeen))"))
        #expect(payload.contains("Since \(TimeFormat.rfc3339(now.start))"))
    }

    @Test func postedToAFakeSlackExactlyThePayloadsOfTheDryRun() throws {
        let (slack, replay) = try Self.replay()
        let server = try FakeSlackServer()
        defer { server.stop() }
        let log = LogLines()
        let notifier = try slack.notifier(
            webhook: try WebhookURL(server.url(), allowedHosts: ["127.0.0.1"]), retry: Self.fastRetry, minimumSendInterval: 0, log: log.log)
        defer { notifier.shutdown() }
        try notifier.send(replay.batches)
        let flush = notifier.flush(timeout: 10)
        #expect(flush == FlushResult(completed: true, delivered: replay.batches.count, givenUp: 0, pending: 0))
        #expect(SlackReplay.deliveryProblem(flush, statuses: notifier.webhookStatuses()) == nil)
        #expect(server.requests.map(\.body) == slack.payloadLines(replay.batches))
        #expect(Set(server.requests.map(\.path)) == ["/services/T000/B000/\(Self.secret)"])
        #expect(!log.lines.contains { $0.contains(Self.secret) })
    }

    @Test func givenUpNotificationsAreReportedWithTheirReasonAndNoURL() throws {
        let (slack, replay) = try Self.replay()
        let server = try FakeSlackServer(script: [.respond(status: 404, body: "no_service")])
        defer { server.stop() }
        let log = LogLines()
        let notifier = try slack.notifier(
            webhook: try WebhookURL(server.url(), allowedHosts: ["127.0.0.1"]), retry: Self.fastRetry, minimumSendInterval: 0, log: log.log)
        defer { notifier.shutdown() }
        try notifier.send(Array(replay.batches.prefix(2)))
        let flush = notifier.flush(timeout: 10)
        #expect(flush == FlushResult(completed: true, delivered: 1, givenUp: 1, pending: 0))
        let problem = SlackReplay.deliveryProblem(flush, statuses: notifier.webhookStatuses())
        #expect(problem == "1 of 2 notifications was not delivered (no_service: 1)")
        #expect(log.lines.contains { $0.hasPrefix("delivery error:") && $0.contains("no_service") })
        #expect(!log.lines.contains { $0.contains(Self.secret) || $0.contains("B000") })
    }

    @Test func aHostNotOnTheAllowListIsRefusedWithoutShowingThePath() throws {
        let server = try FakeSlackServer()
        defer { server.stop() }
        #expect(throws: DeliveryError.self) { try WebhookURL(server.url()) }
        do {
            _ = try WebhookURL(server.url())
        } catch {
            #expect(error.description.contains("host 127.0.0.1 is not allowed"))
            #expect(!error.description.contains(Self.secret))
        }
        #expect(server.requests.isEmpty)
    }

    @Test(arguments: [
        (FlushResult(completed: true, delivered: 3, givenUp: 0, pending: 0), [WebhookStatus](), nil),
        (FlushResult(completed: true, delivered: 0, givenUp: 1, pending: 0), [WebhookStatus(webhook: "replay", failed: ["timeout": 1])],
         "1 of 1 notification was not delivered (timeout: 1)"),
        (FlushResult(completed: false, delivered: 1, givenUp: 1, pending: 2), [WebhookStatus(webhook: "replay", failed: ["http_500": 1])],
         "3 of 4 notifications were not delivered (http_500: 1, still pending at the timeout: 2)"),
    ] as [(FlushResult, [WebhookStatus], String?)])
    func deliveryProblemLine(flush: FlushResult, statuses: [WebhookStatus], expected: String?) {
        #expect(SlackReplay.deliveryProblem(flush, statuses: statuses) == expected)
    }
}

/// Collects a `DeliveryLog`'s lines.
final class LogLines: Sendable {
    private let storage = Mutex<[String]>([])
    var lines: [String] { storage.withLock { $0 } }
    var log: DeliveryLog { DeliveryLog { [self] line in self.storage.withLock { $0.append(line) } } }
}
