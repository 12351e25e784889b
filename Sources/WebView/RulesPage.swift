import AIOpsCore
import Detectors
import Rules

/// `/rules`: the rules in force with their advice, each under the anchor `#rule-<name>`, so
/// a rule without a `runbook` of its own links here from its Slack reports (`RulePage`).
enum RulesPage {
    static func main(_ rules: [Rule], context: PageContext) -> String {
        var html = "<h1>Rules in force</h1>"
        html += "<p>\(rules.count) rules for workspace \(HTML.escape(context.workspace)); a series no rule selects gets the built-in <a href=\"#rule-auto\">auto</a> rule.</p>"
        html += "<nav aria-label=\"Rules\"><ul>"
        for rule in rules {
            html += "<li><a href=\"#rule-\(HTML.percentEncode(rule.name))\">\(HTML.escape(rule.name))</a> \(PageParts.severity(rule.severity))</li>"
        }
        html += "</ul></nav>"
        for rule in rules {
            let anchor = "rule-" + HTML.percentEncode(rule.name)
            html += "<section id=\"\(anchor)\" aria-labelledby=\"\(anchor)-heading\"><h2 id=\"\(anchor)-heading\">\(HTML.escape(rule.name)) \(PageParts.severity(rule.severity))</h2>"
            html += ruleFacts(rule)
            html += "<h3>Advice</h3>"
            if !rule.advice.summary.isEmpty { html += "<p>\(HTML.escape(rule.advice.summary))</p>" }
            let steps = rule.advice.steps.filter { !$0.isEmpty }
            if !steps.isEmpty { html += "<ol>" + steps.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ol>" }
            if let runbook = rule.advice.runbookURL {
                if let safe = IncidentPage.safeLink(runbook) {
                    html += "<p>Runbook (the rule's own): <a href=\"\(HTML.escape(safe))\" rel=\"noreferrer\">\(HTML.escape(safe))</a></p>"
                } else {
                    html += "<p>Runbook (the rule's own, a template): <code>\(HTML.escape(runbook))</code></p>"
                }
            }
            html += "<p class=\"muted\">Placeholders such as <code>{{labels.pod}}</code> and <code>{{value}}</code> are filled in per series in each report.</p>"
            html += "</section>"
        }
        return html
    }

    /// What a rule selects and how it decides, as a definition list.
    static func ruleFacts(_ rule: Rule) -> String {
        var rows: [(String, String)] = [
            ("Selector", rule.selector.text),
            ("Detector", detectorText(rule.detector)),
            ("Threshold", "score ≥ \(SVGPlot.score(rule.threshold))"),
            ("For", rule.forDuration.milliseconds == 0 ? "0s (fires on the first anomalous sample)" : rule.forDuration.description),
            ("Resolves after", rule.resolveAfter.description + " normal"),
            ("Severity", rule.severity.rawValue),
            ("Transform", rule.transform?.rawValue ?? "by series (a counter's per-second rate, else the value)"),
        ]
        if let limit = rule.limit {
            var text = ""
            if let value = limit.value { text = ValueFormatter(metric: rule.selector.text).format(value) }
            if let series = limit.series { text += (text.isEmpty ? "" : ", ") + "series " + series + (limit.matchOn.map { " on " + $0.joined(separator: ", ") } ?? "") }
            rows.append(("Limit", text))
        }
        if !rule.source.isEmpty { rows.append(("Defined in", rule.source)) }
        return PageParts.facts(rows)
    }

    /// `ewma (direction up, warmup 30, alpha 0.05, z 5, ...)`: the parameters that apply to the kind.
    static func detectorText(_ spec: DetectorSpec) -> String {
        var parts = ["direction \(spec.direction.rawValue)", "warmup \(spec.warmup) samples"]
        switch spec.kind {
        case .ewma:
            parts += ["alpha \(spec.alpha)", "z \(spec.zThreshold)", "min deviation \(spec.minRelativeDeviation)", "adapts after \(spec.adaptAfter)"]
        case .seasonal:
            parts += ["period \(spec.period.description)", "z \(spec.zThreshold)", "min deviation \(spec.minRelativeDeviation)"]
        case .leak:
            parts += ["window \(spec.window) (and 6x, 24x)", "min growth \(spec.minRelativeGrowthPerHour * 100)%/h"]
        case .auto:
            parts += ["new extremes, level, daily and weekly shape, volatility against the series' own history"]
        }
        return spec.kind.rawValue + " (" + parts.joined(separator: ", ") + ")"
    }
}
