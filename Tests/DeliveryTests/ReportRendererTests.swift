import AIOpsCore
import Foundation
import Incidents
import Reports
import Rules
import Testing
@testable import Delivery

/// `ReportNotificationRenderer`: each batch kind, one incident and several, as exact payloads.
@Suite struct ReportRendererTests {
    /// 2026-03-02T01:00:00Z.
    static let start: Timestamp = TimeFormat.parse("2026-03-02T01:00:00Z")!
    static let decided: Timestamp = start + 2 * 3_600_000

    /// A working-set leak, firing 15 minutes after it started (resolved 30 minutes in when asked).
    static func incident(pod: String, resolved: Bool = false) -> Incident {
        Incident(
            id: "mem-\(pod)", rule: "mem", severity: .critical,
            labels: Labels(metric: "container_memory_working_set_bytes", ["namespace": "shop", "pod": pod]),
            detector: .leak, phase: resolved ? .resolved : .firing, start: start, firedAt: start + 900_000,
            end: resolved ? start + 1_800_000 : nil, lastSeen: start + 900_000, peakScore: 0.9,
            observed: 512 * 1_048_576, leakRatePerHour: 60 * 1_048_576,
            advice: RenderedAdvice(summary: "Memory of \(pod) grows.", steps: [], runbookURL: nil),
            resolution: resolved ? "normal again" : nil
        )
    }

    /// (kind, incidents in the batch, the exact body POSTed).
    static let payloads: [(NotificationKind, Int, String)] = [
        (.firing, 1, #"{"blocks":[{"text":{"emoji":true,"text":":red_circle: CRITICAL: mem","type":"plain_text"},"type":"header"},{"text":{"text":"Memory of api-0 grows.","type":"mrkdwn"},"type":"section"},{"fields":[{"text":"*Metric*\ncontainer_memory_working_set_bytes","type":"mrkdwn"},{"text":"*Workspace*\nprod","type":"mrkdwn"},{"text":"*namespace*\nshop","type":"mrkdwn"},{"text":"*pod*\napi-0","type":"mrkdwn"}],"type":"section"},{"fields":[{"text":"*Detector*\nleak, peak score 0.90","type":"mrkdwn"},{"text":"*Since*\n2026-03-02T01:00:00Z (2h)","type":"mrkdwn"},{"text":"*Fired*\n2026-03-02T01:15:00Z","type":"mrkdwn"},{"text":"*Observed*\n512.0 MiB","type":"mrkdwn"},{"text":"*Growth*\n+60.0 MiB/h","type":"mrkdwn"},{"text":"*Limit*\nnone known","type":"mrkdwn"}],"type":"section"},{"elements":[{"text":"Incident mem-api-0","type":"mrkdwn"}],"type":"context"}],"text":"CRITICAL: mem — container_memory_working_set_bytes namespace=shop pod=api-0 — 512.0 MiB, +60.0 MiB/h, no limit known"}"#),
        (.firing, 2, #"{"blocks":[{"text":{"emoji":true,"text":":red_circle: CRITICAL: mem (2 series)","type":"plain_text"},"type":"header"},{"text":{"text":"namespace=shop pod=api-0: Memory of api-0 grows.","type":"mrkdwn"},"type":"section"},{"elements":[{"text":"Metric container_memory_working_set_bytes","type":"mrkdwn"},{"text":"Workspace prod","type":"mrkdwn"},{"text":"Since 2026-03-02T01:00:00Z (2h)","type":"mrkdwn"},{"text":"Fired 2026-03-02T01:15:00Z","type":"mrkdwn"},{"text":"2 series","type":"mrkdwn"}],"type":"context"},{"text":{"text":"• namespace=shop pod=api-0 — 512.0 MiB, +60.0 MiB/h, no limit known\n• namespace=shop pod=api-1 — 512.0 MiB, +60.0 MiB/h, no limit known","type":"mrkdwn"},"type":"section"}],"text":"CRITICAL: mem — 2 series: namespace=shop pod=api-0, namespace=shop pod=api-1"}"#),
        (.reminder, 1, #"{"blocks":[{"text":{"emoji":true,"text":":red_circle: CRITICAL (still firing): mem","type":"plain_text"},"type":"header"},{"text":{"text":"container_memory_working_set_bytes namespace=shop pod=api-0\nSince 2026-03-02T01:00:00Z (2h), fired 2026-03-02T01:15:00Z. Now, as of 2026-03-02T01:15:00Z: 512.0 MiB, +60.0 MiB/h, no limit known.","type":"mrkdwn"},"type":"section"},{"elements":[{"text":"Workspace prod","type":"mrkdwn"},{"text":"Incident mem-api-0","type":"mrkdwn"}],"type":"context"}],"text":"CRITICAL (still firing): mem — container_memory_working_set_bytes namespace=shop pod=api-0 — since 2026-03-02T01:00:00Z (2h), now 512.0 MiB, +60.0 MiB/h, no limit known"}"#),
        (.reminder, 2, #"{"blocks":[{"text":{"emoji":true,"text":":red_circle: CRITICAL (still firing): mem (2 series)","type":"plain_text"},"type":"header"},{"elements":[{"text":"Metric container_memory_working_set_bytes","type":"mrkdwn"},{"text":"Workspace prod","type":"mrkdwn"},{"text":"Since 2026-03-02T01:00:00Z (2h)","type":"mrkdwn"},{"text":"Fired 2026-03-02T01:15:00Z","type":"mrkdwn"},{"text":"2 series","type":"mrkdwn"}],"type":"context"},{"text":{"text":"• namespace=shop pod=api-0 — since 2026-03-02T01:00:00Z (2h); now, as of 2026-03-02T01:15:00Z: 512.0 MiB, +60.0 MiB/h, no limit known\n• namespace=shop pod=api-1 — since 2026-03-02T01:00:00Z (2h); now, as of 2026-03-02T01:15:00Z: 512.0 MiB, +60.0 MiB/h, no limit known","type":"mrkdwn"},"type":"section"}],"text":"CRITICAL (still firing): mem — 2 series: namespace=shop pod=api-0, namespace=shop pod=api-1"}"#),
        (.resolved, 1, #"{"blocks":[{"text":{"emoji":true,"text":":white_check_mark: RESOLVED: mem","type":"plain_text"},"type":"header"},{"text":{"text":"container_memory_working_set_bytes namespace=shop pod=api-0\nLasted 30m (since 2026-03-02T01:00:00Z, fired 2026-03-02T01:15:00Z, to 2026-03-02T01:30:00Z), peak score 0.90, normal again.","type":"mrkdwn"},"type":"section"},{"elements":[{"text":"Workspace prod","type":"mrkdwn"},{"text":"Incident mem-api-0","type":"mrkdwn"}],"type":"context"}],"text":"RESOLVED: mem — container_memory_working_set_bytes namespace=shop pod=api-0 — lasted 30m, normal again"}"#),
        (.resolved, 2, #"{"blocks":[{"text":{"emoji":true,"text":":white_check_mark: RESOLVED: mem (2 series)","type":"plain_text"},"type":"header"},{"elements":[{"text":"Metric container_memory_working_set_bytes","type":"mrkdwn"},{"text":"Workspace prod","type":"mrkdwn"},{"text":"2 series","type":"mrkdwn"}],"type":"context"},{"text":{"text":"• namespace=shop pod=api-0 — lasted 30m (since 2026-03-02T01:00:00Z, to 2026-03-02T01:30:00Z), normal again\n• namespace=shop pod=api-1 — lasted 30m (since 2026-03-02T01:00:00Z, to 2026-03-02T01:30:00Z), normal again","type":"mrkdwn"},"type":"section"}],"text":"RESOLVED: mem — 2 series: namespace=shop pod=api-0 (lasted 30m), namespace=shop pod=api-1 (lasted 30m)"}"#),
    ]

    @Test(arguments: 0..<payloads.count)
    func slackPayloadOfEachKind(index: Int) {
        let (kind, count, expected) = Self.payloads[index]
        let incidents = (0..<count).map { Self.incident(pod: "api-\($0)", resolved: kind == .resolved) }
        let batch = NotificationBatch(workspace: "prod", rule: "mem", kind: kind, incidents: incidents, firingCount: count, decidedAt: Self.decided)
        let body = String(decoding: ReportNotificationRenderer().slackPayload(for: batch), as: UTF8.self)
        #expect(body == expected)
    }

    @Test func payloadIsTheBuildersMessageAtTheDecisionTime() throws {
        let incidents = [Self.incident(pod: "b"), Self.incident(pod: "a")]
        let batch = NotificationBatch(workspace: "w", rule: "mem", kind: .reminder, incidents: incidents, firingCount: 2, decidedAt: Self.decided)
        let renderer = ReportNotificationRenderer()
        let message = SlackReportBuilder().groupedReminder(incidents, workspace: "w", now: Self.decided)
        #expect(renderer.message(for: batch) == message)
        #expect(renderer.slackPayload(for: batch) == Array(try message.jsonData()))
    }

    @Test func textOfAResolvedBatch() {
        let incidents = [Self.incident(pod: "api-0", resolved: true)]
        let batch = NotificationBatch(workspace: "prod", rule: "mem", kind: .resolved, incidents: incidents, firingCount: 0, decidedAt: Self.decided)
        #expect(ReportNotificationRenderer().text(for: batch) == """
        RESOLVED mem [prod]
          series    container_memory_working_set_bytes{namespace="shop", pod="api-0"}
          lasted    30m (since 2026-03-02T01:00:00Z, fired 2026-03-02T01:15:00Z, to 2026-03-02T01:30:00Z), peak score 0.90, normal again

        """)
    }

    @Test func everyNotificationKindHasAReportKind() {
        #expect([NotificationKind.firing, .reminder, .resolved].map { ReportKind($0).rawValue } == ["firing", "reminder", "resolved"])
    }
}
