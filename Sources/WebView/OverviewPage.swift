import AIOpsCore
import Incidents

/// `/`: a workspace at a glance. Open incidents first, then the last 7 days' resolved ones,
/// then ingest (rate, active series against the limit), the Slack webhook's health, and the
/// slots other modules fill (daily summary, forecasts, recommendations).
enum OverviewPage {
    static let recentDays = 7

    static func main(_ overview: WorkspaceOverview, panels: [OverviewSlot: OverviewPanelProvider], context: PageContext) -> String {
        var html = "<h1>Workspace \(HTML.escape(overview.name)) <span class=\"muted\">(\(HTML.escape(overview.plan)) plan)</span></h1>"

        html += "<section aria-labelledby=\"open-heading\"><h2 id=\"open-heading\">Open incidents (\(overview.open.count))</h2>"
        if overview.open.isEmpty {
            html += "<p>No open incidents.</p>"
        } else {
            html += PageParts.incidentTable(overview.open, context: context, caption: "Pending and firing, oldest first")
        }
        html += "</section>"

        let cutoff = context.now - Int64(recentDays) * 86_400_000
        let recent = overview.resolved.filter { ($0.end ?? $0.lastSeen) >= cutoff }
        html += "<section aria-labelledby=\"recent-heading\"><h2 id=\"recent-heading\">Incidents of the last \(recentDays) days (\(recent.count) resolved)</h2>"
        if recent.isEmpty {
            html += "<p>None resolved in the last \(recentDays) days.</p>"
        } else {
            html += PageParts.incidentTable(recent, context: context, caption: "Resolved, newest first")
        }
        html += "</section>"

        html += "<section aria-labelledby=\"ingest-heading\"><h2 id=\"ingest-heading\">Ingest and limits</h2><div class=\"cards\">"
        html += "<div class=\"card\"><div class=\"muted\">Ingest rate</div><div class=\"big\">"
        if let rate = overview.ingestRate {
            html += "\(PageParts.rate(rate)) samples/s</div>"
            if let window = overview.ingestRateWindow { html += "<div class=\"muted\">over the last \(PageParts.duration(Int64(window * 1000)))</div>" }
        } else {
            html += "not measured yet</div><div class=\"muted\">needs two readings a minute apart</div>"
        }
        let rateLimit = overview.samplesPerSecondLimit
        if let rate = overview.ingestRate, rateLimit > 0 {
            html += "<label class=\"muted\" for=\"rate-meter\">of \(PageParts.count(rateLimit))/s allowed</label>"
            html += "<meter id=\"rate-meter\" min=\"0\" max=\"\(rateLimit)\" high=\"\(rateLimit * 8 / 10)\" value=\"\(min(Double(rateLimit), rate))\">\(PageParts.rate(rate))</meter>"
        }
        html += "</div>"
        html += "<div class=\"card\"><div class=\"muted\">Active series</div><div class=\"big\">\(PageParts.count(overview.activeSeries))</div>"
        html += "<label class=\"muted\" for=\"series-meter\">of \(PageParts.count(overview.activeSeriesLimit)) allowed (\(percent(overview.activeSeries, overview.activeSeriesLimit)))</label>"
        html += "<meter id=\"series-meter\" min=\"0\" max=\"\(max(1, overview.activeSeriesLimit))\" high=\"\(overview.activeSeriesLimit * 8 / 10)\" value=\"\(overview.activeSeries)\">\(overview.activeSeries)</meter></div>"
        html += "<div class=\"card\"><div class=\"muted\">Samples since start</div><div class=\"big\">\(PageParts.count(overview.samplesAccepted))</div>"
        let refused = overview.samplesRefused.filter { $0.value > 0 }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        if refused.isEmpty {
            html += "<div class=\"muted\">none refused</div>"
        } else {
            html += "<div class=\"muted\">refused: " + refused.map { "\(PageParts.count($0.value)) \(HTML.escape($0.key))" }.joined(separator: ", ") + "</div>"
        }
        html += "</div>"
        html += "<div class=\"card\"><div class=\"muted\">Slack webhook</div>"
        if let webhook = overview.webhook {
            html += webhook.failing
                ? "<div class=\"big bad\">failing</div>"
                : "<div class=\"big good\">\(webhook.queued > 0 ? "delivering" : "healthy")</div>"
            html += "<div class=\"muted\">\(PageParts.count(webhook.sent)) sent, \(PageParts.count(webhook.retried)) retried, \(PageParts.count(webhook.failed)) given up, \(PageParts.count(webhook.queued)) queued</div>"
            if let error = webhook.lastError { html += "<div class=\"muted\">last error: \(HTML.escape(error))</div>" }
        } else {
            html += "<div class=\"big\">none</div><div class=\"muted\">reports go to standard output</div>"
        }
        html += "</div></div>"
        html += "<p class=\"muted\">\(overview.ruleCount) rules in force: <a href=\"\(context.prefix)/rules\(context.workspaceQuery)\">see the rules</a>.</p></section>"

        for slot in OverviewSlot.allCases {
            html += Self.slot(slot, panel: panels[slot]?(overview.name, context.now), context: context)
        }
        return html
    }

    static func percent(_ part: Int, _ whole: Int) -> String {
        guard whole > 0 else { return "no limit" }
        return PageParts.rate(Double(part) * 100 / Double(whole)) + " %"
    }

    /// A slot's section: the provider's panel, or a note that nothing fills it yet.
    static func slot(_ slot: OverviewSlot, panel: OverviewPanel?, context: PageContext) -> String {
        let id = "slot-\(slot.rawValue)"
        guard let panel else {
            return "<section id=\"\(id)\" class=\"slot empty\" aria-labelledby=\"\(id)-heading\"><h2 id=\"\(id)-heading\">\(slot.title)</h2>"
                + "<p>Nothing here yet: no module of this build fills in the \(slot.title.lowercased()) of a workspace.</p></section>"
        }
        var html = "<section id=\"\(id)\" class=\"slot\" aria-labelledby=\"\(id)-heading\"><h2 id=\"\(id)-heading\">\(slot.title)</h2>"
        for line in panel.lines { html += "<p>\(HTML.escape(line))</p>" }
        if let text = panel.preformatted { html += "<pre class=\"panel\">\(HTML.escape(text))</pre>" }
        if !panel.rows.isEmpty { html += PageParts.facts(panel.rows.map { ($0.name, $0.value) }) }
        for (index, plot) in panel.plots.enumerated() {
            html += "<h3>\(HTML.escape(plot.title))</h3>" + SVGPlot().render(plot, id: "\(id)-plot-\(index)")
        }
        if let link = panel.link {
            html += "<p><a href=\"\(HTML.escape(context.prefix + link.path))\">\(HTML.escape(link.title))</a></p>"
        }
        return html + "</section>"
    }
}
