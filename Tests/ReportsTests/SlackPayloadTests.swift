import AIOpsCore
import Foundation
import Incidents
import Rules
import Testing
@testable import Reports

/// Exact payloads: the expected JSON is decoded and compared as a structure, then both are
/// re-encoded with sorted keys and compared as bytes.
@Suite struct SlackPayloadTests {
    let builder = SlackReportBuilder()

    func expectPayload(_ message: SlackMessage, _ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try JSONDecoder().decode(SlackMessage.self, from: Data(json.utf8))
        #expect(message == expected, sourceLocation: sourceLocation)
        #expect(try message.jsonString() == expected.jsonString(), sourceLocation: sourceLocation)
    }

    @Test func firingLeakIncident() throws {
        let message = builder.firing(TestIncidents.leak(), workspace: "prod-eu", now: TestIncidents.now)
        try expectPayload(message, #"""
        {
          "text": "CRITICAL: container-memory-leak — container_memory_working_set_bytes namespace=shop pod=api-7d9f container=api — 1.50 GiB, +45.2 MiB/h, limit 2.00 GiB, reached in 3h 20m",
          "blocks": [
            {"type": "header", "text": {"type": "plain_text", "emoji": true, "text": ":red_circle: CRITICAL: container-memory-leak"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "Memory of api-7d9f in shop grows by 45.2 MiB/h &amp; reaches its limit in 3h 20m."}},
            {"type": "section", "fields": [
              {"type": "mrkdwn", "text": "*Metric*\ncontainer_memory_working_set_bytes"},
              {"type": "mrkdwn", "text": "*Workspace*\nprod-eu"},
              {"type": "mrkdwn", "text": "*namespace*\nshop"},
              {"type": "mrkdwn", "text": "*pod*\napi-7d9f"},
              {"type": "mrkdwn", "text": "*container*\napi"}
            ]},
            {"type": "section", "fields": [
              {"type": "mrkdwn", "text": "*Detector*\nleak, peak score 0.97"},
              {"type": "mrkdwn", "text": "*Since*\n2026-11-26T17:00:00Z (1h)"},
              {"type": "mrkdwn", "text": "*Fired*\n2026-11-26T17:10:00Z"},
              {"type": "mrkdwn", "text": "*Observed*\n1.50 GiB"},
              {"type": "mrkdwn", "text": "*Growth*\n+45.2 MiB/h"},
              {"type": "mrkdwn", "text": "*Limit*\n2.00 GiB, reached in 3h 20m"}
            ]},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Labels: node=worker-3"}]},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Recent values* (last 1h 50m; min 1.00 GiB, max 1.50 GiB; ^ anomalous)\n```\n▁▁▁▁▁▂▄▅▅▇▇█\n     ^^^^^^^\n```"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*What to do*\n1. Check the recent deploys of api.\n2. Take a heap profile of api-7d9f."}},
            {"type": "context", "elements": [
              {"type": "mrkdwn", "text": ":book: <https://runbooks.example.com/memory-leak?team=shop&amp;lang=en|Runbook>"},
              {"type": "mrkdwn", "text": "Incident container-memory-leak/api-7d9f/1795708800000"}
            ]}
          ]
        }
        """#)
    }

    @Test func firingWithExpectedBand() throws {
        let message = builder.firing(TestIncidents.latency(), workspace: "", now: TestIncidents.now)
        try expectPayload(message, #"""
        {
          "text": "WARNING: http-latency — http_request_duration_seconds instance=10.0.0.7:9090 job=api — 750 ms vs expected 120 ms (band 80.0 ms – 200 ms)",
          "blocks": [
            {"type": "header", "text": {"type": "plain_text", "emoji": true, "text": ":warning: WARNING: http-latency"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "Latency of api is high."}},
            {"type": "section", "fields": [
              {"type": "mrkdwn", "text": "*Metric*\nhttp_request_duration_seconds"},
              {"type": "mrkdwn", "text": "*instance*\n10.0.0.7:9090"},
              {"type": "mrkdwn", "text": "*job*\napi"}
            ]},
            {"type": "section", "fields": [
              {"type": "mrkdwn", "text": "*Detector*\newma, peak score 0.80"},
              {"type": "mrkdwn", "text": "*Since*\n2026-11-26T17:55:00Z (5m)"},
              {"type": "mrkdwn", "text": "*Observed*\n750 ms"},
              {"type": "mrkdwn", "text": "*Expected*\n120 ms (band 80.0 ms – 200 ms)"}
            ]},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Incident latency/abc"}]}
          ]
        }
        """#)
    }

    @Test func groupedThreeSeries() throws {
        // Given out of order: the message lists the highest peak score first, then by series.
        let incidents = [
            TestIncidents.leak(pod: "api-c", observedGiB: 1.3, peakScore: 0.9),
            TestIncidents.leak(),
            TestIncidents.leak(pod: "api-b", observedGiB: 1.4, peakScore: 0.9),
        ]
        let message = builder.grouped(incidents, workspace: "prod-eu", now: TestIncidents.now)
        try expectPayload(message, #"""
        {
          "text": "CRITICAL: container-memory-leak — 3 series: namespace=shop pod=api-7d9f container=api, namespace=shop pod=api-b container=api, namespace=shop pod=api-c container=api",
          "blocks": [
            {"type": "header", "text": {"type": "plain_text", "emoji": true, "text": ":red_circle: CRITICAL: container-memory-leak (3 series)"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "namespace=shop pod=api-7d9f container=api: Memory of api-7d9f in shop grows by 45.2 MiB/h &amp; reaches its limit in 3h 20m."}},
            {"type": "context", "elements": [
              {"type": "mrkdwn", "text": "Metric container_memory_working_set_bytes"},
              {"type": "mrkdwn", "text": "Workspace prod-eu"},
              {"type": "mrkdwn", "text": "Since 2026-11-26T17:00:00Z (1h)"},
              {"type": "mrkdwn", "text": "Fired 2026-11-26T17:10:00Z"},
              {"type": "mrkdwn", "text": "3 series"}
            ]},
            {"type": "section", "text": {"type": "mrkdwn", "text": "• namespace=shop pod=api-7d9f container=api — 1.50 GiB, +45.2 MiB/h, limit 2.00 GiB, reached in 3h 20m\n• namespace=shop pod=api-b container=api — 1.40 GiB, +45.2 MiB/h, limit 2.00 GiB, reached in 3h 20m\n• namespace=shop pod=api-c container=api — 1.30 GiB, +45.2 MiB/h, limit 2.00 GiB, reached in 3h 20m"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*What to do*\n1. Check the recent deploys of api.\n2. Take a heap profile of api-7d9f."}},
            {"type": "context", "elements": [
              {"type": "mrkdwn", "text": ":book: <https://runbooks.example.com/memory-leak?team=shop&amp;lang=en|Runbook>"}
            ]}
          ]
        }
        """#)
    }

    @Test func groupedWithSharedSummaryShowsItUnchanged() {
        var incidents = (0..<3).map { TestIncidents.leak(pod: "api-\($0)") }
        for index in incidents.indices { incidents[index].advice.summary = "Memory grows in shop." }
        let message = builder.grouped(incidents, workspace: "", now: TestIncidents.now)
        #expect(message.blocks[1] == .section(text: .mrkdwn("Memory grows in shop."), fields: nil))
    }

    @Test func groupedDoesNotDependOnArrivalOrder() throws {
        let incidents = (0..<7).map { TestIncidents.leak(pod: "api-\($0)", peakScore: 0.5 + Double($0 % 3) / 10) }
        let forward = builder.grouped(incidents, workspace: "w", now: TestIncidents.now)
        let backward = builder.grouped(incidents.reversed(), workspace: "w", now: TestIncidents.now)
        #expect(try forward.jsonString() == backward.jsonString())
    }

    @Test func groupOfOneIsTheFiringReportAndEmptyGroupHasFallbackOnly() {
        let single = builder.grouped([TestIncidents.leak()], workspace: "w", now: TestIncidents.now)
        #expect(single == builder.firing(TestIncidents.leak(), workspace: "w", now: TestIncidents.now))
        let empty = builder.grouped([], workspace: "w", now: TestIncidents.now)
        #expect(empty.blocks.isEmpty && empty.text == "No incidents")
    }

    @Test func resolvedMessage() throws {
        var incident = TestIncidents.leak()
        incident.phase = .resolved
        incident.end = TestIncidents.now - 5 * TestIncidents.minute
        incident.resolution = "normal again"
        let message = builder.resolved(incident, workspace: "prod-eu", now: TestIncidents.now)
        try expectPayload(message, #"""
        {
          "text": "RESOLVED: container-memory-leak — container_memory_working_set_bytes namespace=shop pod=api-7d9f container=api — lasted 55m, normal again",
          "blocks": [
            {"type": "header", "text": {"type": "plain_text", "emoji": true, "text": ":white_check_mark: RESOLVED: container-memory-leak"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "container_memory_working_set_bytes namespace=shop pod=api-7d9f container=api\nLasted 55m (since 2026-11-26T17:00:00Z, fired 2026-11-26T17:10:00Z, to 2026-11-26T17:55:00Z), peak score 0.97, normal again."}},
            {"type": "context", "elements": [
              {"type": "mrkdwn", "text": "Workspace prod-eu"},
              {"type": "mrkdwn", "text": "Incident container-memory-leak/api-7d9f/1795708800000"}
            ]}
          ]
        }
        """#)
    }

    @Test func eventDispatchPicksTheMessageKind() {
        var resolved = TestIncidents.leak()
        resolved.phase = .resolved
        resolved.end = TestIncidents.now
        #expect(builder.message(for: .firing(TestIncidents.leak()), workspace: "w", now: TestIncidents.now)
            == builder.firing(TestIncidents.leak(), workspace: "w", now: TestIncidents.now))
        #expect(builder.message(for: .resolved(resolved), workspace: "w", now: TestIncidents.now)
            == builder.resolved(resolved, workspace: "w", now: TestIncidents.now))
    }

    @Test func encodingHasSortedKeysAndNoEscapedSlashes() throws {
        let message = SlackMessage(text: "a/b", blocks: [.header(.plain("h")), .section(text: .mrkdwn("t"), fields: [.mrkdwn("f")]), .divider])
        #expect(try message.jsonString() == #"{"blocks":[{"text":{"emoji":true,"text":"h","type":"plain_text"},"type":"header"},{"fields":[{"text":"f","type":"mrkdwn"}],"text":{"text":"t","type":"mrkdwn"},"type":"section"},{"type":"divider"}],"text":"a/b"}"#)
        let decoded = try JSONDecoder().decode(SlackMessage.self, from: message.jsonData())
        #expect(decoded == message)
    }

    @Test func decodingAnUnknownBlockTypeThrows() {
        let json = #"{"text":"x","blocks":[{"type":"image"}]}"#
        #expect(throws: SlackBlock.UnknownBlockType.self) {
            try JSONDecoder().decode(SlackMessage.self, from: Data(json.utf8))
        }
    }
}
