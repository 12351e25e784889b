import AIOpsCore
import Foundation
import Incidents
import Reports
import Rules
import Testing
@testable import Advice

@Suite struct DailySummaryTests {
    static let at: Timestamp = 1_773_565_200_000  // 2026-03-15T09:00:00Z
    static let hour: Timestamp = 3_600_000

    static func incident(_ id: String, severity: Severity = .warning, rule: String = "http-latency-spike", fired: Timestamp, end: Timestamp? = nil,
                         labels: [String: String] = ["namespace": "shop", "pod": "web-1"], metric: String = "http_request_duration_seconds") -> Incident {
        Incident(id: id, rule: rule, severity: severity, labels: Labels(metric: metric, labels), detector: .ewma, phase: end == nil ? .firing : .resolved,
                 start: fired - 60_000, firedAt: fired, end: end, lastSeen: end ?? fired, peakScore: 0.9, observed: 1,
                 advice: RenderedAdvice(summary: "", steps: [], runbookURL: nil))
    }

    @Test func theIncidentsAreThoseOfTheLast24HoursWorstFirst() {
        let incidents = [
            Self.incident("old", fired: Self.at - 30 * Self.hour, end: Self.at - 25 * Self.hour),            // over before the window
            Self.incident("overnight", fired: Self.at - 26 * Self.hour, end: Self.at - 20 * Self.hour),      // ended inside it
            Self.incident("short", severity: .critical, fired: Self.at - 3 * Self.hour, end: Self.at - 2 * Self.hour),
            Self.incident("open", fired: Self.at - 5 * Self.hour),
            Self.incident("later", fired: Self.at + Self.hour),                                             // not yet
            Self.incident("resolvesLater", fired: Self.at - Self.hour, end: Self.at + Self.hour),           // still open at `at`
        ]
        let summary = DailySummary(workspace: "team", at: Self.at, schedule: .default, incidents: incidents, advice: nil)
        #expect(summary.incidents.map(\.id) == ["short", "overnight", "open", "resolvesLater"])
        #expect(summary.open.map(\.id) == ["open", "resolvesLater"])
        #expect(summary.countsBySeverity.map(\.count) == [1, 3])
        #expect(!summary.isQuiet)
    }

    @Test func leaksAndFillingDisksAreRisksAhead() {
        var leak = Self.incident("leak", severity: .critical, rule: "container-memory-leak", fired: Self.at - Self.hour,
                                 labels: ["namespace": "shop", "pod": "api-1", "container": "api"], metric: "container_memory_working_set_bytes")
        leak.observed = 600 * 1_048_576
        leak.limit = 1_073_741_824
        leak.secondsToLimit = 7 * 3600
        leak.leakRatePerHour = 60 * 1_048_576
        var disk = Self.incident("disk", severity: .critical, rule: "disk-filling", fired: Self.at - Self.hour,
                                 labels: ["instance": "node-a", "mountpoint": "/var"], metric: "node_filesystem_avail_bytes")
        disk.secondsToLimit = 2 * 3600
        disk.limit = 0
        let summary = DailySummary(workspace: "team", at: Self.at, schedule: .default, incidents: [leak, disk], advice: nil)
        #expect(summary.risks.map(\.kind) == [.diskFilling, .memoryLeak])
        #expect(summary.risks[1].text == "container-memory-leak on shop api-1 api: 600.0 MiB of 1.00 GiB, limit in about 7h (+60.0 MiB/h)")
    }

    @Test func aQuietDayIsOneLine() throws {
        let summary = DailySummary(workspace: "team", at: Self.at, schedule: .default, incidents: [],
                                   advice: AdviceReport(generatedAt: Self.at, windowStart: Self.at - 7 * 24 * Self.hour, pricing: .default, scaling: .default))
        #expect(summary.isQuiet)
        let message = DailySummarySlackBuilder().message(for: summary)
        #expect(message.blocks.count == 1)
        #expect(message.text == "Daily summary for team (2026-03-15): all quiet. No incidents in the last 24 hours, nothing open, no risks ahead, no scaling or cost advice.")
        #expect(DailySummaryTextRenderer().render(summary) == "Daily summary for team (2026-03-15 09:00 UTC): all quiet. No incidents in the last 24 hours, nothing open, no risks ahead, no scaling or cost advice.")
    }

    @Test func hobbySummariesLeaveAdviceToPro() {
        let summary = DailySummary(workspace: "team", at: Self.at, schedule: .default, incidents: [Self.incident("open", fired: Self.at - Self.hour)], advice: nil)
        let message = DailySummarySlackBuilder().message(for: summary)
        let text = message.textObjects.map(\.text).joined(separator: "\n")
        #expect(text.contains("Scaling and cost advice come with the Pro plan."))
        #expect(!text.contains("*Scaling*"))
        #expect(text.contains("plan Hobby"))
        #expect(text.contains("open for 1h"))
    }

    @Test func labelsAreEscapedAndListsStayWithinSlacksLimits() throws {
        var incidents: [Incident] = []
        for index in 0..<200 {
            incidents.append(Self.incident("i\(index)", severity: index % 3 == 0 ? .critical : .warning, fired: Self.at - Self.hour,
                                           labels: ["namespace": "<!channel> & co", "pod": String(repeating: "p", count: 400) + "\(index)"]))
        }
        let summary = DailySummary(workspace: "team<@U1>", at: Self.at, schedule: .default, incidents: incidents, advice: nil)
        let message = DailySummarySlackBuilder().message(for: summary)
        let texts = message.textObjects.map(\.text)
        #expect(!texts.contains { $0.contains("<!channel>") || $0.contains("<@U1>") })
        #expect(texts.contains { $0.contains("&lt;!channel&gt; &amp; co") })
        #expect(texts.contains { $0.contains("…and 19") })
        #expect(message.characterCount <= SlackLimits.slack.messageBudget)
        for block in message.blocks {
            if case .section(let text, _) = block { #expect(SlackMrkdwn.length(text?.text ?? "") <= 3000) }
            if case .header(let text) = block { #expect(SlackMrkdwn.length(text.text) <= 150) }
        }
        #expect(try message.jsonString().count > 0)
    }

    @Test func timesAreInTheWorkspacesZone() throws {
        let tokyo = try DailySummarySchedule(at: "09:00", timeZone: "Asia/Tokyo")
        let at = tokyo.nextTime(after: Self.at)  // 2026-03-16 00:00 UTC = 09:00 JST
        let summary = DailySummary(workspace: "team", at: at, schedule: tokyo, incidents: [Self.incident("open", fired: at - 2 * Self.hour)], advice: nil)
        let text = DailySummarySlackBuilder().message(for: summary).textObjects.map(\.text).joined(separator: "\n")
        #expect(text.contains("2026-03-16 09:00"))
        #expect(text.contains("fired 07:00"))
    }
}
