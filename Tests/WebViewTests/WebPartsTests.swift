import AIOpsCore
import Foundation
import Incidents
import Reports
import Rules
import Testing
@testable import WebView

/// The web view's small parts: escaping, form decoding, sessions, the external URL, and the
/// links reports carry to it.
@Suite struct WebPartsTests {
    @Test func escapingForHTMLAndForAJSONBlock() {
        #expect(HTML.escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
        #expect(HTML.escape("plain µs") == "plain µs")
        #expect(HTML.jsonString("</script><!--\n\"\\") == #""\u003c/script\u003e\u003c!--\n\"\\""#)
        #expect(HTML.jsonString("\u{1}\u{2028}") == #""\u0001\u2028""#)
        #expect(HTML.percentEncode("a b/c?&=é") == "a%20b%2Fc%3F%26%3D%C3%A9")
    }

    @Test func formsDecodeAsBrowsersEncodeThem() {
        let pairs = FormDecoding.parse(Array("token=a%2Bb+c&next=%2Fseries%3Fx%3D1&match%5B%5D=up&flag&&bad=%zz%4".utf8))
        #expect(pairs.map(\.name) == ["token", "next", "match[]", "flag", "bad"])
        #expect(pairs.map(\.value) == ["a+b c", "/series?x=1", "up", "", "%zz%4"])
        #expect(FormDecoding.parse([UInt8]()).isEmpty)
        #expect(FormDecoding.decode(Array("%FF".utf8)) == "\u{FFFD}", "not UTF-8: replaced, never a trap")
    }

    @Test func sessionsExpireWhenIdleOrOldAndAreBounded() {
        let store = SessionStore(idleTimeout: .minutes(10), lifetime: .minutes(60), capacity: 3)
        let id = store.create(token: Array("t".utf8), now: 0)
        #expect(id.count == 43 && id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(store.use(id, now: 9 * 60_000) != nil)
        #expect(store.use(id, now: 18 * 60_000) != nil, "used 9 minutes ago: still alive")
        #expect(store.use(id, now: 29 * 60_000) == nil, "idle for 11 minutes")
        let old = store.create(token: [1], now: 0)
        for minute in stride(from: 5, through: 55, by: 5) { #expect(store.use(old, now: Int64(minute) * 60_000) != nil) }
        #expect(store.use(old, now: 60 * 60_000) == nil, "an hour after it began, however used")
        let ids = (0..<5).map { store.create(token: [UInt8($0)], now: Timestamp($0)) }
        #expect(store.count == 3)
        #expect(store.use(ids[0], now: 10) == nil && store.use(ids[4], now: 10) != nil, "the least recently used go first")
        #expect(Set((0..<100).map { _ in SessionStore.randomID() }).count == 100)
    }

    @Test func theExternalURLGivesThePrefixAndOrigin() {
        #expect(WebApp.split(externalURL: "https://aiops.example.com/watch/") == ("https://aiops.example.com", "/watch"))
        #expect(WebApp.split(externalURL: "http://10.0.0.1:9201") == ("http://10.0.0.1:9201", ""))
        #expect(WebApp.split(externalURL: nil) == (nil, ""))
        #expect(WebApp.safeNext("/incidents/x?workspace=a") == "/incidents/x?workspace=a")
        for bad in ["//evil", "/\\evil", "https://evil", "evil", "/a b", nil] { #expect(WebApp.safeNext(bad) == "/") }
    }

    static func incident() -> Incident {
        Incident(
            id: "queue-spike-1f2e-1800000000000", rule: "queue-spike", severity: .critical, labels: Labels(metric: "queue_depth", ["queue": "orders"]),
            detector: .ewma, phase: .firing, start: 1_800_000_000_000, firedAt: 1_800_000_030_000, lastSeen: 1_800_000_060_000, peakScore: 0.97,
            observed: 400, expected: 100, lower: 80, upper: 120, advice: RenderedAdvice(summary: "queue orders is at 400", steps: ["Check it."], runbookURL: nil))
    }

    static func texts(_ message: SlackMessage) -> String {
        String(decoding: (try? message.jsonData()) ?? Data(), as: UTF8.self)
    }

    @Test func withAnExternalURLEveryReportLinksItsIncidentPage() {
        var builder = SlackReportBuilder()
        let incident = Self.incident()
        var second = incident
        second.id = "queue-spike-9a9a-1800000000000"
        second.labels = Labels(metric: "queue_depth", ["queue": "billing"])
        var resolved = incident
        resolved.phase = .resolved
        resolved.end = 1_800_000_120_000
        let now: Timestamp = 1_800_000_100_000
        let messages = [
            builder.firing(incident, workspace: "team-a", now: now), builder.reminder(incident, workspace: "team-a", now: now),
            builder.resolved(resolved, workspace: "team-a", now: now), builder.grouped([incident, second], workspace: "team-a", now: now),
            builder.groupedReminder([incident, second], workspace: "team-a", now: now), builder.groupedResolved([resolved, second], workspace: "team-a", now: now),
        ]
        for message in messages {
            let text = Self.texts(message)
            #expect(!text.contains("/incidents/"), "no link without an external URL")
            #expect(!text.contains("/rules"))
        }
        builder.externalURL = "https://aiops.example.com/"
        let linked = [
            builder.firing(incident, workspace: "team-a", now: now), builder.reminder(incident, workspace: "team-a", now: now),
            builder.resolved(resolved, workspace: "team-a", now: now), builder.grouped([incident, second], workspace: "team-a", now: now),
            builder.groupedReminder([incident, second], workspace: "team-a", now: now), builder.groupedResolved([resolved, second], workspace: "team-a", now: now),
        ]
        for (index, message) in linked.enumerated() {
            let text = Self.texts(message)
            #expect(text.contains("<https://aiops.example.com/incidents/queue-spike-1f2e-1800000000000|"), "message \(index): \(text.prefix(300))")
            if index >= 3 { #expect(text.contains("<https://aiops.example.com/incidents/queue-spike-9a9a-1800000000000|details>"), "every series of a group") }
        }
        #expect(Self.texts(linked[0]).contains("<https://aiops.example.com/rules#rule-queue-spike|Runbook>"))
        var text = TextReportRenderer()
        #expect(!text.renderFiring(incident, workspace: "a", now: now).contains("page"))
        text.externalURL = "http://aiops:9201"
        #expect(text.renderFiring(incident, workspace: "a", now: now).contains("  page      http://aiops:9201/incidents/queue-spike-1f2e-1800000000000\n"))
        #expect(text.renderResolved(resolved, workspace: "a", now: now).contains("/incidents/queue-spike-1f2e-1800000000000"))
        #expect(text.renderReminder(incident, workspace: "a", now: now).contains("/incidents/queue-spike-1f2e-1800000000000"))
    }

    @Test func theReplayReportIsOneSelfContainedFile() {
        var input = PlotTests.weekInput()
        input.title = "cpu{pod=\"<x>\"}"
        var incident = Self.incident()
        incident.labels = Labels(metric: "cpu", ["pod": "<x>"])
        let file = ReplayReport.File(name: "fixtures/<week>.csv", note: "40320 samples", incidents: [incident],
                                     plots: [ReplayReport.Plot(labels: incident.labels, input: input, incidentIDs: [incident.id])])
        let html = ReplayReport.render(files: [file], rules: "1 rule", version: "0.1.0")
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'nonce-"))
        // Nothing is loaded from anywhere: no src, no stylesheet link, no URL but the empty icon.
        #expect(!html.contains(" src="))
        #expect(!html.contains("rel=\"stylesheet\""))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(html.contains("<a href=\"#plot-0-heading\">queue-spike</a>"), "the table links to the incident's plot")
        #expect(!html.contains("<x>") && !html.contains("<week>"))
        #expect(html.utf8.count < 300_000, "\(html.utf8.count) bytes for a week of 15-second samples")
    }

    @Test func slotsSayWhenNothingFillsThemAndEscapeWhatDoes() {
        let context = PageContext(prefix: "", workspace: "w", switchable: [], now: 0)
        let empty = OverviewPage.slot(.forecasts, panel: nil, context: context)
        #expect(empty.hasPrefix("<section id=\"slot-forecasts\" class=\"slot empty\""))
        #expect(empty.contains("Nothing here yet"))
        let panel = OverviewPanel(lines: ["<b>x</b>"], preformatted: "  a <i>\n  b", rows: [OverviewPanel.Row("k<", "v&")])
        let filled = OverviewPage.slot(.dailySummary, panel: panel, context: context)
        #expect(filled.contains("<p>&lt;b&gt;x&lt;/b&gt;</p>"))
        #expect(filled.contains("<pre class=\"panel\">  a &lt;i&gt;\n  b</pre>"))
        #expect(filled.contains("<dt>k&lt;</dt><dd>v&amp;</dd>"))
    }
}
