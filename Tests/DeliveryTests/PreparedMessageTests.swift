import AIOpsCore
import Foundation
import Testing
@testable import Delivery

/// Messages composed elsewhere (the daily summary) go through the same outbox, rate limit and
/// retries as incident reports, sent as they are.
@Suite struct PreparedMessageTests {
    static let message = PreparedMessage(slackPayload: Array(#"{"text":"Daily summary for team: all quiet."}"#.utf8), text: "Daily summary for team: all quiet.")

    @Test func aPreparedBatchIsPostedAsItIs() throws {
        let transport = ScriptedTransport()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("prepared-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = NotifierConfiguration(
            workspaces: [NotifierWorkspace(name: "team", webhook: try WebhookURL("https://hooks.slack.com/services/T1/B2/c"))],
            dataDirectory: directory, minimumSendInterval: 0)
        let notifier = try Notifier(configuration: configuration, renderer: ReportNotificationRenderer(), transport: transport, clock: ManualClock(), log: .silent)
        defer { notifier.shutdown() }
        let batch = NotificationBatch.prepared(Self.message, workspace: "team", rule: "daily-summary", at: 42)
        #expect(batch.kind == .summary && batch.incidents.isEmpty)
        try notifier.send([batch])
        #expect(notifier.flush(timeout: 5) == FlushResult(completed: true, delivered: 1, givenUp: 0, pending: 0))
        #expect(transport.bodies == [#"{"text":"Daily summary for team: all quiet."}"#])
        #expect(notifier.webhookStatuses() == [WebhookStatus(webhook: "team", sent: 1)])
    }

    @Test func withoutAWebhookThePreparedTextIsPrinted() throws {
        let out = LineCollector()
        let notifier = try Notifier(configuration: NotifierConfiguration(workspaces: [NotifierWorkspace(name: "team")]), renderer: ReportNotificationRenderer(),
                                    textSink: StdoutNotificationSink(write: out.append), log: .silent)
        defer { notifier.shutdown() }
        try notifier.send([NotificationBatch.prepared(Self.message, workspace: "team", rule: "daily-summary", at: 42)])
        #expect(notifier.flush(timeout: 5).completed)
        #expect(out.lines == ["Daily summary for team: all quiet.\n\n"])
    }

    @Test func theOutboxEntryNamesTheSummary() throws {
        let entry = OutboxEntry(id: "1", webhook: "team", workspace: "team", rule: "daily-summary", kind: .summary, created: 1, body: "{}")
        let decoded = try JSONDecoder().decode(OutboxEntry.self, from: JSONEncoder().encode(entry))
        #expect(decoded.kind == .summary)
    }
}
