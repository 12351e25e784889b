import AIOpsCore
import Foundation
import Incidents
import Testing
@testable import Reports

/// The reminder and grouped resolved messages, and the entry point by kind: exact payloads.
@Suite struct ReportKindTests {
    let builder = SlackReportBuilder()
    /// Four hours after the test incidents' `now`: when a reminder would be due.
    static let later = TestIncidents.now + 4 * 3_600_000

    func expectPayload(_ message: SlackMessage, _ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try JSONDecoder().decode(SlackMessage.self, from: Data(json.utf8))
        #expect(message == expected, sourceLocation: sourceLocation)
        #expect(try message.jsonString() == expected.jsonString(), sourceLocation: sourceLocation)
    }

    static func resolvedPair() -> [Incident] {
        var first = TestIncidents.leak(pod: "api-c", observedGiB: 1.3, peakScore: 0.9)
        first.phase = .resolved
        first.end = TestIncidents.now
        first.resolution = "series went away"
        var second = TestIncidents.leak()
        second.phase = .resolved
        second.end = TestIncidents.now - 5 * TestIncidents.minute
        second.resolution = "normal again"
        return [first, second]
    }

    /// "Since" is when the anomaly started, as in every message; the firing time is given
    /// apart, and the values are the incident's latest, with when they are from.
    @Test func reminderSaysSinceWhenFiredAndHowItStandsNow() throws {
        let message = builder.reminder(TestIncidents.leak(), workspace: "prod-eu", now: Self.later)
        try expectPayload(message, #"""
        {
          "text": "CRITICAL (still firing): container-memory-leak — container_memory_working_set_bytes namespace=shop pod=api-7d9f container=api — since 2026-11-26T17:00:00Z (5h), now 1.50 GiB, +45.2 MiB/h, limit 2.00 GiB, reached in 3h 20m",
          "blocks": [
            {"type": "header", "text": {"type": "plain_text", "emoji": true, "text": ":red_circle: CRITICAL (still firing): container-memory-leak"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "container_memory_working_set_bytes namespace=shop pod=api-7d9f container=api\nSince 2026-11-26T17:00:00Z (5h), fired 2026-11-26T17:10:00Z. Now, as of 2026-11-26T18:00:00Z: 1.50 GiB, +45.2 MiB/h, limit 2.00 GiB, reached in 3h 20m."}},
            {"type": "context", "elements": [
              {"type": "mrkdwn", "text": ":book: <https://runbooks.example.com/memory-leak?team=shop&amp;lang=en|Runbook>"},
              {"type": "mrkdwn", "text": "Workspace prod-eu"},
              {"type": "mrkdwn", "text": "Incident container-memory-leak/api-7d9f/1795708800000"}
            ]}
          ]
        }
        """#)
    }

    @Test func groupedReminderListsEachSeries() throws {
        let incidents = [TestIncidents.leak(pod: "api-c", observedGiB: 1.3, peakScore: 0.9), TestIncidents.leak()]
        let message = builder.groupedReminder(incidents, workspace: "prod-eu", now: Self.later)
        try expectPayload(message, #"""
        {
          "text": "CRITICAL (still firing): container-memory-leak — 2 series: namespace=shop pod=api-7d9f container=api, namespace=shop pod=api-c container=api",
          "blocks": [
            {"type": "header", "text": {"type": "plain_text", "emoji": true, "text": ":red_circle: CRITICAL (still firing): container-memory-leak (2 series)"}},
            {"type": "context", "elements": [
              {"type": "mrkdwn", "text": "Metric container_memory_working_set_bytes"},
              {"type": "mrkdwn", "text": "Workspace prod-eu"},
              {"type": "mrkdwn", "text": "Since 2026-11-26T17:00:00Z (5h)"},
              {"type": "mrkdwn", "text": "Fired 2026-11-26T17:10:00Z"},
              {"type": "mrkdwn", "text": "2 series"}
            ]},
            {"type": "section", "text": {"type": "mrkdwn", "text": "• namespace=shop pod=api-7d9f container=api — since 2026-11-26T17:00:00Z (5h); now, as of 2026-11-26T18:00:00Z: 1.50 GiB, +45.2 MiB/h, limit 2.00 GiB, reached in 3h 20m\n• namespace=shop pod=api-c container=api — since 2026-11-26T17:00:00Z (5h); now, as of 2026-11-26T18:00:00Z: 1.30 GiB, +45.2 MiB/h, limit 2.00 GiB, reached in 3h 20m"}},
            {"type": "context", "elements": [
              {"type": "mrkdwn", "text": ":book: <https://runbooks.example.com/memory-leak?team=shop&amp;lang=en|Runbook>"}
            ]}
          ]
        }
        """#)
    }

    @Test func groupedResolvedNamesEachSeriesWithHowLongItLasted() throws {
        let message = builder.groupedResolved(Self.resolvedPair(), workspace: "prod-eu", now: Self.later)
        try expectPayload(message, #"""
        {
          "text": "RESOLVED: container-memory-leak — 2 series: namespace=shop pod=api-7d9f container=api (lasted 55m), namespace=shop pod=api-c container=api (lasted 1h)",
          "blocks": [
            {"type": "header", "text": {"type": "plain_text", "emoji": true, "text": ":white_check_mark: RESOLVED: container-memory-leak (2 series)"}},
            {"type": "context", "elements": [
              {"type": "mrkdwn", "text": "Metric container_memory_working_set_bytes"},
              {"type": "mrkdwn", "text": "Workspace prod-eu"},
              {"type": "mrkdwn", "text": "2 series"}
            ]},
            {"type": "section", "text": {"type": "mrkdwn", "text": "• namespace=shop pod=api-7d9f container=api — lasted 55m (since 2026-11-26T17:00:00Z, to 2026-11-26T17:55:00Z), normal again\n• namespace=shop pod=api-c container=api — lasted 1h (since 2026-11-26T17:00:00Z, to 2026-11-26T18:00:00Z), series went away"}}
          ]
        }
        """#)
    }

    @Test func groupedResolvedEscapesAndListsWhatFits() {
        var incidents = (0..<400).map { index -> Incident in
            var incident = TestIncidents.leak(pod: "<!channel>-\(index)")
            incident.phase = .resolved
            incident.end = TestIncidents.now
            return incident
        }
        incidents[0].resolution = "<@U123> & co"
        let message = builder.groupedResolved(incidents, workspace: "w", now: TestIncidents.now)
        let all = message.textObjects.map(\.text).joined() + message.text
        #expect(!all.contains("<!channel>") && !all.contains("<@U123>"))
        #expect(message.characterCount <= SlackLimits.slack.messageBudget)
        #expect(message.blocks.count <= SlackLimits.slack.maxBlocks)
        let more = message.textObjects.last { $0.text.hasPrefix("…and ") }
        #expect(more != nil && more!.text.hasSuffix(" more series"))
    }

    @Test func groupsWithoutARunbookHaveNoEmptyContext() {
        let incidents = [TestIncidents.latency(), TestIncidents.leak(pod: "x")].map { incident -> Incident in
            var incident = incident
            incident.advice.runbookURL = nil
            return incident
        }
        for kind in ReportKind.allCases {
            let message = builder.message(for: incidents, kind: kind, workspace: "", now: Self.later)
            for block in message.blocks {
                if case .context(let elements) = block { #expect(!elements.isEmpty, "\(kind)") }
            }
        }
    }

    /// The table of `message(for:kind:...)`: one incident gets the single report, several the
    /// grouped one, none only a fallback text.
    @Test(arguments: ReportKind.allCases)
    func entryPointPicksTheMessage(kind: ReportKind) {
        let single: [Incident]
        let group: [Incident]
        let expectedSingle: SlackMessage
        let expectedGroup: SlackMessage
        let now = Self.later
        switch kind {
        case .firing:
            single = [TestIncidents.leak()]
            group = [TestIncidents.leak(), TestIncidents.leak(pod: "b")]
            expectedSingle = builder.firing(single[0], workspace: "w", now: now)
            expectedGroup = builder.grouped(group, workspace: "w", now: now)
        case .reminder:
            single = [TestIncidents.leak()]
            group = [TestIncidents.leak(), TestIncidents.leak(pod: "b")]
            expectedSingle = builder.reminder(single[0], workspace: "w", now: now)
            expectedGroup = builder.groupedReminder(group, workspace: "w", now: now)
        case .resolved:
            group = Self.resolvedPair()
            single = [group[0]]
            expectedSingle = builder.resolved(single[0], workspace: "w", now: now)
            expectedGroup = builder.groupedResolved(group, workspace: "w", now: now)
        }
        #expect(builder.message(for: single, kind: kind, workspace: "w", now: now) == expectedSingle)
        #expect(builder.message(for: group, kind: kind, workspace: "w", now: now) == expectedGroup)
        #expect(expectedSingle != expectedGroup)
        #expect(builder.message(for: [], kind: kind, workspace: "w", now: now) == SlackMessage(text: "No incidents", blocks: []))
    }

    @Test func textReminderIsShort() {
        let text = TextReportRenderer().render([TestIncidents.leak()], kind: .reminder, workspace: "prod-eu", now: Self.later)
        #expect(text == """
        CRITICAL (still firing) container-memory-leak [prod-eu]
          series    container_memory_working_set_bytes{container="api", namespace="shop", node="worker-3", pod="api-7d9f"}
          since     2026-11-26T17:00:00Z (5h)
          fired     2026-11-26T17:10:00Z
          now       as of 2026-11-26T18:00:00Z: 1.50 GiB, +45.2 MiB/h, limit 2.00 GiB, reached in 3h 20m

        """)
    }

    @Test func textByKindMatchesTheSingleRenderers() {
        let renderer = TextReportRenderer()
        let firing = [TestIncidents.leak(), TestIncidents.latency()]
        #expect(renderer.render(firing, kind: .firing, workspace: "", now: Self.later)
            == renderer.renderFiring(firing[0], workspace: "", now: Self.later) + "\n" + renderer.renderFiring(firing[1], workspace: "", now: Self.later))
        let resolved = Self.resolvedPair()
        #expect(renderer.render(resolved, kind: .resolved, workspace: "", now: Self.later)
            == renderer.renderResolved(resolved[0], workspace: "", now: Self.later) + "\n" + renderer.renderResolved(resolved[1], workspace: "", now: Self.later))
    }
}
