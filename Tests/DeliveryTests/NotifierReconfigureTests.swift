import AIOpsCore
import Foundation
import Incidents
import Testing
@testable import Delivery

/// `Notifier.reconfigure`, what a configuration reload does to notifications: policies,
/// overrides and webhooks change in place, workspaces come and go, and what was queued for a
/// webhook that is gone is given up to `outbox/failed/` instead of being sent anywhere.
@Suite struct NotifierReconfigureTests {
    static let url = "https://hooks.slack.com/services/T1/B2/c"

    @Test func aNewPolicyAndNewWorkspacesTakeEffectInPlace() throws {
        let clock = ManualClock()
        let transport = ScriptedTransport()
        let out = LineCollector()
        let notifier = try Notifier(
            configuration: NotifierConfiguration(workspaces: [
                NotifierWorkspace(name: "a", webhook: try WebhookURL(Self.url)), NotifierWorkspace(name: "b"),
            ], retry: RetryPolicy(jitter: 0)),
            renderer: TestRenderer(), transport: transport, clock: clock, textSink: StdoutNotificationSink(write: out.append), log: .silent)
        defer { notifier.shutdown() }
        notifier.handle(.firing(makeIncident("x")), workspace: "a")
        #expect(notifier.waitUntilIdle(timeout: 1))
        #expect(transport.bodies.isEmpty, "waiting out the default 30 s groupWait")

        let change = try notifier.reconfigure([
            NotifierWorkspace(name: "a", policy: NotificationPolicy(groupWait: .zero), webhook: try WebhookURL(Self.url)),
            NotifierWorkspace(name: "c"),
        ])
        #expect(change == Notifier.Reconfiguration(added: ["c"], removed: ["b"], droppedNotifications: 0))
        // A group opened before keeps its schedule; a new one follows the new policy at once.
        notifier.handle(.firing(makeIncident("w", rule: "cpu")), workspace: "a")
        #expect(transport.waitForPosts(1), "the new groupWait (0)")
        #expect(transport.bodies == [#"{"text":"firing cpu: w"}"#])
        // Its completion recorded before the clock moves: a completion recorded after would
        // start the webhook's one-second spacing at the new time, which never passes here.
        #expect(notifier.waitUntilIdle(timeout: 5))
        clock.advance(by: 30_000)
        notifier.tick()
        #expect(transport.waitForPosts(2), "the old group at its own time")
        #expect(transport.bodies.last == #"{"text":"firing memory-leak: x"}"#)
        #expect(notifier.sink(forWorkspace: "b") == nil)
        #expect(!notifier.handle(.firing(makeIncident("y")), workspace: "b"))
        notifier.sink(forWorkspace: "c")?.handle(.firing(makeIncident("z")))
        clock.advance(by: 30_000)
        _ = notifier.flush(timeout: 5)
        #expect(out.lines == ["firing memory-leak: z\n\n"])
        #expect(throws: DeliveryError.unknownWorkspace("")) { try notifier.reconfigure([]) }
    }

    @Test func whatWasQueuedForARemovedWebhookIsGivenUpNotSentElsewhere() throws {
        let data = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        // The first post never answers: the rest wait behind it.
        let transport = ScriptedTransport([.hang])
        let notifier = try Notifier(
            configuration: NotifierConfiguration(workspaces: [NotifierWorkspace(name: "a", webhook: try WebhookURL(Self.url))], dataDirectory: data, minimumSendInterval: 0),
            renderer: TestRenderer(), transport: transport, clock: ManualClock(), log: .silent)
        defer { notifier.shutdown() }
        try notifier.send([NotifierSendTests.batch(.firing, ["a"], workspace: "a"), NotifierSendTests.batch(.firing, ["b"], workspace: "a"),
                           NotifierSendTests.batch(.firing, ["c"], workspace: "a")])
        #expect(transport.waitForPosts(1))

        let change = try notifier.reconfigure([NotifierWorkspace(name: "a")])
        #expect(change.droppedNotifications == 2, "the two waiting behind the one in flight")
        let failed = try FileManager.default.contentsOfDirectory(atPath: data + "/outbox/failed").filter { $0.hasSuffix(".json") }
        #expect(failed.count == 2, "\(failed)")
        let reasons = try failed.map { name in
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data + "/outbox/failed/" + name))) as? [String: Any]
            return object?["failure"] as? String
        }
        #expect(reasons == ["webhook_removed", "webhook_removed"], "\(reasons)")
        #expect(transport.bodies.count == 1, "nothing more was posted")
        #expect(notifier.webhookStatuses().first?.queued == 1, "only the one in flight is left")
    }
}
