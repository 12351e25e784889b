import AIOpsCore
import Foundation
import Incidents
import Testing
@testable import Delivery

@Suite struct NotifierTests {
    @Test func withoutWebhookNotificationsArePrintedAsText() throws {
        let out = LineCollector()
        let configuration = NotifierConfiguration(workspaces: [NotifierWorkspace(name: "local")])
        let notifier = try Notifier(configuration: configuration, renderer: TestRenderer(), textSink: StdoutNotificationSink(write: out.append), log: .silent)
        defer { notifier.shutdown() }
        notifier.handle(.firing(makeIncident("a")))
        notifier.handle(.firing(makeIncident("b")))
        #expect(notifier.flush(timeout: 5) == FlushResult(completed: true, delivered: 0, givenUp: 0, pending: 0))
        #expect(out.lines == ["firing memory-leak: a,b\n\n"])
        #expect(notifier.webhookStatuses().isEmpty)
    }

    @Test func groupingRunsOnTheInjectedClock() throws {
        let clock = ManualClock()
        let transport = ScriptedTransport()
        let configuration = NotifierConfiguration(workspaces: [NotifierWorkspace(name: "team", webhook: try WebhookURL("https://hooks.slack.com/services/T1/B2/c"))], retry: RetryPolicy(jitter: 0))
        let notifier = try Notifier(configuration: configuration, renderer: TestRenderer(), transport: transport, clock: clock, log: .silent)
        defer { notifier.shutdown() }
        for id in ["a", "b", "c"] { notifier.handle(.firing(makeIncident(id))) }
        clock.advance(by: 29_999)
        notifier.tick()
        #expect(notifier.waitUntilIdle(timeout: 1))
        #expect(transport.bodies.isEmpty)
        clock.advance(by: 1)
        notifier.tick()
        #expect(transport.waitForPosts(1))
        #expect(notifier.waitUntilIdle(timeout: 5))
        #expect(transport.bodies == [#"{"text":"firing memory-leak: a,b,c"}"#])
        #expect(notifier.webhookStatuses() == [WebhookStatus(webhook: "team", sent: 1)])
    }

    @Test func workspacesAreRoutedSeparately() throws {
        let out = LineCollector()
        let transport = ScriptedTransport()
        let fast = NotificationPolicy(groupWait: .zero)
        let configuration = NotifierConfiguration(
            workspaces: [
                NotifierWorkspace(name: "a", policy: fast, webhook: try WebhookURL("https://hooks.slack.com/services/T1/B2/c")),
                NotifierWorkspace(name: "b", policy: fast),
            ],
            minimumSendInterval: 0
        )
        let notifier = try Notifier(configuration: configuration, renderer: TestRenderer(), transport: transport, textSink: StdoutNotificationSink(write: out.append), log: .silent)
        defer { notifier.shutdown() }
        #expect(notifier.sink(forWorkspace: "nope") == nil)
        notifier.sink(forWorkspace: "b")?.handle(.firing(makeIncident("to-b")))
        notifier.handle(.firing(makeIncident("to-a")))
        #expect(!notifier.handle(.firing(makeIncident("lost")), workspace: "nope"))
        #expect(notifier.flush(timeout: 5).delivered == 1)
        #expect(transport.bodies == [#"{"text":"firing memory-leak: to-a"}"#])
        #expect(out.lines == ["firing memory-leak: to-b\n\n"])
        #expect(throws: DeliveryError.unknownWorkspace("nope")) { try notifier.setRuleOverrides([:], workspace: "nope") }
    }

    @Test func notifierNeedsAWorkspace() {
        #expect(throws: DeliveryError.unknownWorkspace("")) {
            _ = try Notifier(configuration: NotifierConfiguration(workspaces: []), renderer: TestRenderer(), log: .silent)
        }
    }
}

/// `Notifier.send`: batches decided elsewhere (replay, on event time) are delivered as given.
@Suite struct NotifierSendTests {
    static func batch(_ kind: NotificationKind, _ ids: [String], workspace: String = "team") -> NotificationBatch {
        NotificationBatch(workspace: workspace, rule: "memory-leak", kind: kind, incidents: ids.map { makeIncident($0) }, firingCount: ids.count, decidedAt: 42)
    }

    @Test func sentBatchesArePostedInOrderWithoutWaitingForTheGroupWait() throws {
        let transport = ScriptedTransport()
        let configuration = NotifierConfiguration(
            workspaces: [NotifierWorkspace(name: "team", webhook: try WebhookURL("https://hooks.slack.com/services/T1/B2/c"))],
            minimumSendInterval: 0
        )
        let notifier = try Notifier(configuration: configuration, renderer: TestRenderer(), transport: transport, clock: ManualClock(), log: .silent)
        defer { notifier.shutdown() }
        try notifier.send([Self.batch(.firing, ["a", "b"]), Self.batch(.reminder, ["a"]), Self.batch(.resolved, ["b"])])
        #expect(notifier.flush(timeout: 5) == FlushResult(completed: true, delivered: 3, givenUp: 0, pending: 0))
        #expect(transport.bodies == [
            #"{"text":"firing memory-leak: a,b"}"#, #"{"text":"reminder memory-leak: a"}"#, #"{"text":"resolved memory-leak: b"}"#,
        ])
    }

    @Test func unknownWorkspaceQueuesNothing() throws {
        let transport = ScriptedTransport()
        let configuration = NotifierConfiguration(workspaces: [NotifierWorkspace(name: "team", webhook: try WebhookURL("https://hooks.slack.com/services/T1/B2/c"))])
        let notifier = try Notifier(configuration: configuration, renderer: TestRenderer(), transport: transport, log: .silent)
        defer { notifier.shutdown() }
        #expect(throws: DeliveryError.unknownWorkspace("other")) {
            try notifier.send([Self.batch(.firing, ["a"]), Self.batch(.firing, ["b"], workspace: "other")])
        }
        #expect(notifier.flush(timeout: 5) == FlushResult(completed: true, delivered: 0, givenUp: 0, pending: 0))
        #expect(transport.bodies.isEmpty)
    }
}
