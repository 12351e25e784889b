import AIOpsCore
import Foundation
import Incidents
import Synchronization
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

/// Reminders ask the workspace for the incidents' current facts.
@Suite struct ReminderFactsTests {
    /// `<kind> <rule>: <id>=<observed>`, so a test sees which facts were rendered.
    struct ObservedRenderer: NotificationRenderer {
        func line(_ batch: NotificationBatch) -> String {
            "\(batch.kind.rawValue) \(batch.rule): " + batch.incidents.map { "\($0.id)=\(Int($0.observed))" }.joined(separator: ",")
        }
        func slackPayload(for batch: NotificationBatch) -> [UInt8] { Array(line(batch).utf8) }
        func text(for batch: NotificationBatch) -> String { line(batch) }
    }

    @Test func aReminderShowsTheFactsTheWorkspaceHasNow() throws {
        let clock = ManualClock()
        let transport = ScriptedTransport()
        let policy = NotificationPolicy(groupWait: .zero, repeatInterval: .hours(4))
        let configuration = NotifierConfiguration(
            workspaces: [NotifierWorkspace(name: "team", policy: policy, webhook: try WebhookURL("https://hooks.slack.com/services/T1/B2/c"))],
            retry: RetryPolicy(jitter: 0), minimumSendInterval: 0)
        let notifier = try Notifier(configuration: configuration, renderer: ObservedRenderer(), transport: transport, clock: clock, log: .silent)
        defer { notifier.shutdown() }
        let asked = Mutex<[Set<String>]>([])
        notifier.setCurrentIncidents(workspace: "team") { ids in
            asked.withLock { $0.append(ids) }
            var current = makeIncident("a")
            current.observed = 7
            return [current]
        }
        notifier.handle(.firing(makeIncident("a")))
        notifier.tick()
        #expect(transport.waitForPosts(1))
        clock.advance(by: 4 * 3_600_000)
        notifier.tick()
        #expect(transport.waitForPosts(2))
        #expect(transport.bodies == ["firing memory-leak: a=1", "reminder memory-leak: a=7"])
        #expect(asked.withLock { $0 } == [["a"]], "asked once, when the reminder was due, for the incidents it names")
    }
}
