import AIOpsCore
import Foundation
import Incidents
import Testing
@testable import Delivery

@Suite struct OutboxTests {
    func configuration(_ data: String) throws -> NotifierConfiguration {
        NotifierConfiguration(
            workspaces: [NotifierWorkspace(name: "team", policy: NotificationPolicy(groupWait: .zero), webhook: try WebhookURL("https://hooks.slack.com/services/T1/B2/xyz"))],
            dataDirectory: data, retry: RetryPolicy(initialBackoff: 0.01, jitter: 0), minimumSendInterval: 0
        )
    }

    func pendingFiles(_ data: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: data + "/outbox").filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test func pendingNotificationsSurviveARestartAndDeliveredOnesAreNotResent() throws {
        let data = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }

        // First run: r1 is delivered, r2 is in flight forever, r3 waits behind it.
        let first = ScriptedTransport([.respond(.http(status: 200, body: Array("ok".utf8), retryAfter: nil)), .hang])
        let a = try Notifier(configuration: configuration(data), renderer: TestRenderer(), transport: first, log: .silent)
        a.handle(.firing(makeIncident("x", rule: "r1")))
        #expect(first.waitForPosts(1))
        a.handle(.firing(makeIncident("x", rule: "r2")))
        a.handle(.firing(makeIncident("x", rule: "r3")))
        #expect(!a.flush(timeout: 0).completed)
        #expect(first.waitForPosts(2))
        #expect(first.bodies == [#"{"text":"firing r1: x"}"#, #"{"text":"firing r2: x"}"#])
        a.shutdown()  // the "crash": nothing else is delivered
        #expect(try pendingFiles(data).count == 2)

        // Second run on the same directory: exactly the two pending ones, in order, once.
        let second = ScriptedTransport()
        let b = try Notifier(configuration: configuration(data), renderer: TestRenderer(), transport: second, log: .silent)
        #expect(b.flush(timeout: 5) == FlushResult(completed: true, delivered: 2, givenUp: 0, pending: 0))
        #expect(second.bodies == [#"{"text":"firing r2: x"}"#, #"{"text":"firing r3: x"}"#])
        b.shutdown()
        #expect(try pendingFiles(data).isEmpty)

        // Third run: nothing left to send.
        let third = ScriptedTransport()
        let c = try Notifier(configuration: configuration(data), renderer: TestRenderer(), transport: third, log: .silent)
        #expect(c.flush(timeout: 5).delivered == 0)
        c.shutdown()
        #expect(third.bodies.isEmpty)
    }

    @Test func entryIsWrittenBeforeTheFirstAttempt() throws {
        let data = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let transport = ScriptedTransport([.hang])
        let notifier = try Notifier(configuration: configuration(data), renderer: TestRenderer(), transport: transport, log: .silent)
        defer { notifier.shutdown() }
        notifier.handle(.firing(makeIncident("x")))
        #expect(transport.waitForPosts(1))
        let entries = try Outbox(dataDirectory: data).loadPending().entries
        #expect(entries.count == 1)
        #expect(entries.first?.webhook == "team")
        #expect(entries.first?.body == #"{"text":"firing memory-leak: x"}"#)
        let raw = try String(contentsOfFile: data + "/outbox/" + pendingFiles(data)[0], encoding: .utf8)
        #expect(!raw.contains("hooks.slack.com"))
    }

    @Test func writeLoadRemoveAndFail() throws {
        let data = makeTemporaryDirectory() + "/nested/dir"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let outbox = try Outbox(dataDirectory: data)
        let older = OutboxEntry(id: "0000000000002-000001-aa", webhook: "w", workspace: "w", rule: "r", kind: .firing, created: 2, body: "{\"a\":1}")
        let newer = OutboxEntry(id: "0000000000003-000001-bb", webhook: "w", workspace: "w", rule: "r", kind: .resolved, created: 3, attempts: 2, body: "{}")
        try outbox.write(newer)
        try outbox.write(older)
        // An interrupted write and a corrupt file.
        _ = FileManager.default.createFile(atPath: outbox.directory + "/.tmp-x.json", contents: Data("{".utf8))
        _ = FileManager.default.createFile(atPath: outbox.directory + "/broken.json", contents: Data("not json".utf8))
        let loaded = outbox.loadPending()
        #expect(loaded.entries == [older, newer])
        #expect(loaded.corrupt == ["broken.json"])
        #expect(!FileManager.default.fileExists(atPath: outbox.directory + "/.tmp-x.json"))
        try outbox.remove(id: older.id)
        try outbox.moveToFailed(newer, reason: "no_service", at: 9)
        #expect(outbox.loadPending().entries.isEmpty)
        let failed = outbox.loadFailed()
        #expect(failed.map(\.id) == [newer.id])
        #expect(failed.first?.failure == "no_service")
        #expect(failed.first?.failedAt == 9)
    }

    @Test func entryForAnUnconfiguredWebhookIsMovedToFailed() throws {
        let data = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        try Outbox(dataDirectory: data).write(OutboxEntry(id: "1", webhook: "gone", workspace: "gone", rule: "r", kind: .firing, created: 1, body: "{}"))
        let transport = ScriptedTransport()
        let notifier = try Notifier(configuration: configuration(data), renderer: TestRenderer(), transport: transport, log: .silent)
        #expect(notifier.flush(timeout: 5).completed)
        notifier.shutdown()
        #expect(transport.bodies.isEmpty)
        #expect(try Outbox(dataDirectory: data).loadFailed().map(\.failure) == ["webhook_not_configured"])
    }
}
