import AIOpsCore
import Incidents
import Rules

/// `/series?match[]=SELECTOR`: the series a PromQL selector selects (the rules' own
/// selector syntax and semantics), each plotted from its ring with its scores.
enum SeriesPage {
    /// Series plotted at most per page (the rest are counted).
    static let limit = 20

    enum Outcome {
        /// No selector given: the form alone.
        case form
        case invalid(selector: String, reason: String)
        case found(selector: String, series: [SeriesDetail], total: Int)
    }

    static func main(_ outcome: Outcome, context: PageContext) -> String {
        var selector = ""
        switch outcome {
        case .form: break
        case .invalid(let text, _), .found(let text, _, _): selector = text
        }
        var html = "<h1>Series</h1>"
        html += "<form class=\"search\" method=\"get\" action=\"\(context.prefix)/series\" role=\"search\"><div class=\"grow\">"
        html += "<label for=\"match\">PromQL selector</label>"
        html += "<input type=\"text\" id=\"match\" name=\"match[]\" value=\"\(HTML.escape(selector))\" placeholder=\"http_requests_total{job=&quot;api&quot;}\" autocomplete=\"off\" spellcheck=\"false\" aria-describedby=\"match-help\"></div>"
        if !context.switchable.isEmpty { html += "<input type=\"hidden\" name=\"workspace\" value=\"\(HTML.escape(context.workspace))\">" }
        html += "<button type=\"submit\">Find</button></form>"
        html += "<p id=\"match-help\" class=\"muted\">As in Prometheus: a metric name and/or <code>{label=\"value\"}</code> matchers with <code>=</code>, <code>!=</code>, <code>=~</code>, <code>!~</code> (regexes in RE2 syntax, fully anchored). At most \(limit) series are plotted.</p>"

        switch outcome {
        case .form:
            break
        case .invalid(_, let reason):
            html += "<p class=\"error\" role=\"alert\">Not a selector: \(HTML.escape(reason))</p>"
        case .found(_, let series, let total):
            html += "<p>\(total == 0 ? "No series match." : "\(total) series match\(total == 1 ? "es" : "")\(total > series.count ? "; the first \(series.count) by labels are shown" : "").")</p>"
            for (index, detail) in series.enumerated() {
                html += section(detail, index: index, context: context)
            }
            if !series.isEmpty {
                html += "<p class=\"note\">Each plot is what the series' ring holds: its last \(series.map { $0.ring.timestamps.count }.max() ?? 0) samples at most (64 per series), as received. The score is the highest any of its rules gave each sample, kept beside the ring one byte per sample; samples not scored (warm-up, a counter's first sample or a reset, or received before a restart) have none.</p>"
            }
        }
        return html
    }

    static func section(_ detail: SeriesDetail, index: Int, context: PageContext) -> String {
        var html = "<section aria-labelledby=\"series-\(index)-heading\"><h2 id=\"series-\(index)-heading\">\(PageParts.seriesCode(detail.labels))</h2>"
        var facts = "rules: " + detail.rules.map { "<a href=\"\(context.ruleHref($0))\">\(HTML.escape($0))</a>" }.joined(separator: ", ")
        if detail.scoredAsRate { facts += " · scored as its per-second rate (a counter); plotted as received" }
        html += "<p class=\"muted\">\(facts)</p>"
        if !detail.incidents.isEmpty {
            html += "<p>Open: " + detail.incidents.map { incident in
                "\(PageParts.phase(incident.phase)) <a href=\"\(context.incidentHref(incident.id))\">\(HTML.escape(incident.rule))</a>"
            }.joined(separator: ", ") + "</p>"
        }
        let scores = detail.ring.scores.map { $0 ?? .nan }
        var spans: [PlotSpan] = []
        let last = detail.ring.timestamps.last ?? context.now
        for incident in detail.incidents {
            spans += PlotSpan.spans(start: incident.start, firedAt: incident.firedAt, end: incident.end, now: max(last, incident.lastSeen), name: incident.rule)
        }
        if let first = detail.ring.timestamps.first {
            // Spans that began before the ring's oldest sample start at it.
            spans = spans.map { var span = $0; span.start = max(span.start, first); span.end = max(span.end, span.start); return span }
        }
        let input = PlotInput(
            timestamps: detail.ring.timestamps, values: detail.ring.values, scores: scores, spans: spans,
            formatter: ValueFormatter(metric: detail.labels.metricName), title: detail.labels.description)
        html += SVGPlot().render(input, id: "series-plot-\(index)")
        return html + "</section>"
    }
}
