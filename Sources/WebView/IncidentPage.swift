import AIOpsCore
import Incidents
import Reports
import Rules

/// `/incidents/ID`: the incident's series plotted around it (values as its rule's detector
/// saw them, expected value and band, score, pending/firing/resolved spans), the facts the
/// Slack report gives, the remediation steps and the rule.
enum IncidentPage {
    static func main(_ detail: IncidentDetail, context: PageContext) -> String {
        let incident = detail.incident
        let facts = IncidentFacts(incident, keyLabelNames: SlackReportBuilder.defaultKeyLabels, now: context.now)
        var html = "<h1>\(PageParts.severity(incident.severity)) \(HTML.escape(incident.rule)) "
        html += "<span class=\"muted\">on</span> <code>\(HTML.escape(facts.metric))</code></h1>"
        html += "<p>\(PageParts.phase(incident.phase)) · since \(PageParts.timeElement(incident.start)) (\(HTML.escape(facts.durationText)))"
        if let end = incident.end { html += " · resolved \(PageParts.timeElement(end))" }
        html += "</p>"
        if !incident.advice.summary.isEmpty { html += "<p>\(HTML.escape(incident.advice.summary))</p>" }

        let plot = plotInput(detail)
        html += "<section aria-labelledby=\"plot-heading\"><h2 id=\"plot-heading\">The series around it</h2>"
        if plot.input.timestamps.isEmpty {
            html += "<p>Nothing to plot: the series is gone and no trace of this incident is kept.</p>"
        } else {
            html += SVGPlot().render(plot.input, id: "incident-plot")
        }
        html += "<p class=\"note\">\(HTML.escape(plot.note))</p></section>"

        html += "<section aria-labelledby=\"facts-heading\"><h2 id=\"facts-heading\">Facts</h2>"
        var rows: [(String, String)] = [("Series", incident.labels.description), ("Workspace", context.workspace)]
        for label in facts.keyLabels { rows.append((label.name, label.value)) }
        rows.append(("Detector", facts.detectorText))
        rows.append(("Since", facts.sinceText))
        if let fired = facts.firedText { rows.append(("Fired", fired)) }
        if let end = incident.end { rows.append(("Resolved", TimeFormat.rfc3339(end) + " (" + facts.resolutionText + ")")) }
        rows.append((incident.phase == .resolved ? "Last observed" : "Observed", facts.observedText + " as of " + TimeFormat.rfc3339(incident.lastSeen)))
        if let expected = facts.expectedText { rows.append(("Expected", expected)) }
        if let growth = facts.growthText { rows.append(("Growth", growth)) }
        if let limit = facts.limitText { rows.append(("Limit", limit)) }
        rows.append(("Incident", incident.id))
        html += PageParts.facts(rows)
        html += "<p><a href=\"\(context.seriesHref(incident.labels))\">This series now</a></p></section>"

        html += "<section aria-labelledby=\"steps-heading\"><h2 id=\"steps-heading\">What to do</h2>"
        let steps = incident.advice.steps.filter { !$0.isEmpty }
        if steps.isEmpty {
            html += "<p>The rule gives no steps.</p>"
        } else {
            html += "<ol>" + steps.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ol>"
        }
        if let runbook = incident.advice.runbookURL, let safe = safeLink(runbook) {
            html += "<p>Runbook: <a href=\"\(HTML.escape(safe))\" rel=\"noreferrer\">\(HTML.escape(safe))</a></p>"
        }
        html += "</section>"

        html += "<section aria-labelledby=\"rule-heading\"><h2 id=\"rule-heading\">The rule</h2>"
        if let rule = detail.rule {
            html += RulesPage.ruleFacts(rule)
            html += "<p><a href=\"\(context.ruleHref(rule.name))\">\(HTML.escape(rule.name)) among the rules in force</a></p>"
        } else {
            html += "<p>Rule <code>\(HTML.escape(incident.rule))</code> is no longer in force (changed or removed by a reload).</p>"
        }
        html += "</section>"
        return html
    }

    /// An `http(s)` URL without characters that could break out of an attribute; nil otherwise.
    static func safeLink(_ url: String) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return nil }
        guard !url.unicodeScalars.contains(where: { $0.value < 0x21 || $0 == "\"" || $0 == "<" || $0 == ">" || $0.value == 0x7F }) else { return nil }
        return url
    }

    /// The plot of an incident: its trace (the ring's samples before it started, then every
    /// sample its rule scored, with the expected value and band), then what the ring holds
    /// after the trace; without a trace, what the ring holds. A counter scored as its rate is
    /// plotted as its rate throughout.
    static func plotInput(_ detail: IncidentDetail) -> (input: PlotInput, note: String) {
        let incident = detail.incident
        let rate = incident.transform == .rate
        var timestamps: [Timestamp] = []
        var values: [Double] = []
        var expected: [Double] = []
        var lower: [Double] = []
        var upper: [Double] = []
        var scores: [Double] = []
        var notes: [String] = []
        if let trace = detail.trace {
            for point in trace.points {
                timestamps.append(point.timestamp)
                values.append(point.value)
                expected.append(Double(point.expected))
                lower.append(Double(point.lower))
                upper.append(Double(point.upper))
                scores.append(Double(point.score))
            }
            notes.append("\(trace.seedCount) samples before it started (the series' ring then; no band)")
            var during = "\(trace.points.count - trace.seedCount) points while it was open, with what the detector expected"
            if trace.samplesPerPoint > 1 { during += " (each the most anomalous of up to \(trace.samplesPerPoint) samples)" }
            notes.append(during)
        } else {
            notes.append("no trace of this incident is kept (traces are kept for the latest 100 resolved incidents, and not across a restart): the series' ring only, without the band")
        }
        if let ring = detail.ring {
            let after = timestamps.last ?? .min
            var added = 0
            for i in ring.timestamps.indices where ring.timestamps[i] > after {
                var value = ring.values[i]
                if rate {
                    guard i > 0, value >= ring.values[i - 1], ring.timestamps[i] > ring.timestamps[i - 1] else { continue }
                    value = (value - ring.values[i - 1]) * 1000 / Double(ring.timestamps[i] - ring.timestamps[i - 1])
                }
                timestamps.append(ring.timestamps[i])
                values.append(value)
                expected.append(.nan)
                lower.append(.nan)
                upper.append(.nan)
                scores.append(ring.scores[i] ?? .nan)
                added += 1
            }
            if added > 0 { notes.append("\(added) samples from the series' ring \(detail.trace == nil ? "" : "since then ")(the series' highest score per sample)") }
        } else {
            notes.append("the series is gone (no samples since it was evicted)")
        }
        let spans = PlotSpan.spans(start: incident.start, firedAt: incident.firedAt, end: incident.end, now: max(incident.lastSeen, timestamps.last ?? incident.lastSeen), name: incident.rule)
        let input = PlotInput(
            timestamps: timestamps, values: values, expected: expected, lower: lower, upper: upper, scores: scores, spans: spans,
            formatter: ValueFormatter(metric: incident.labels.metricName, transform: incident.transform),
            threshold: detail.rule?.threshold, title: "\(incident.labels.metricName)\(rate ? " (per-second rate)" : "") around incident \(incident.id)")
        return (input, "Plotted: " + notes.joined(separator: "; ") + ".")
    }
}
