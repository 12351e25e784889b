import AIOpsCore
import Incidents
import Reports
import Rules

/// What every page of one request knows: where links go, which workspace is shown, and now.
struct PageContext {
    /// Link prefix: the path of `--external-url` without its trailing slash, "" at the root.
    var prefix: String
    var workspace: String
    /// Workspaces an admin may switch between; empty for a workspace's own session.
    var switchable: [String]
    var now: Timestamp

    /// `?workspace=<name>` when the viewer is the admin (links keep the workspace shown), else "".
    var workspaceQuery: String {
        switchable.isEmpty ? "" : "?workspace=" + HTML.percentEncode(workspace)
    }

    /// `&workspace=<name>` to append to a query that has other parameters, or "".
    var workspaceParameter: String {
        switchable.isEmpty ? "" : "&workspace=" + HTML.percentEncode(workspace)
    }

    func navigation(current: String) -> PageLayout.Navigation {
        PageLayout.Navigation(prefix: prefix, workspace: workspace, switchable: switchable, current: current, workspaceQuery: workspaceQuery)
    }

    func incidentHref(_ id: String) -> String {
        prefix + "/incidents/" + HTML.percentEncode(id) + workspaceQuery
    }

    func ruleHref(_ rule: String) -> String {
        prefix + "/rules" + workspaceQuery + "#rule-" + HTML.percentEncode(rule)
    }

    func seriesHref(_ labels: Labels) -> String {
        prefix + "/series?match%5B%5D=" + HTML.percentEncode(PageParts.selector(for: labels)) + workspaceParameter
    }
}

/// Pieces several pages use.
enum PageParts {
    static func severity(_ severity: Severity) -> String {
        "<span class=\"sev sev-\(severity.rawValue)\">\(severity.rawValue.uppercased())</span>"
    }

    static func phase(_ phase: IncidentPhase) -> String {
        "<span class=\"phase-\(phase.rawValue)\">\(phase.rawValue)</span>"
    }

    /// `metric{a="b", ...}` escaped for HTML, in a `<code>`.
    static func seriesCode(_ labels: Labels) -> String {
        "<code>" + HTML.escape(labels.description) + "</code>"
    }

    /// The PromQL selector that selects exactly this label set.
    static func selector(for labels: Labels) -> String {
        var text = labels.metricName
        let others = labels.labels.filter { $0.name != Labels.metricNameLabel }
        if !others.isEmpty || text.isEmpty {
            text += "{" + others.map { $0.name + "=" + quote($0.value) }.joined(separator: ", ") + "}"
        }
        return text
    }

    /// A PromQL double-quoted string.
    static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `2026-12-07 14:05:30`.
    static func time(_ t: Timestamp) -> String {
        TimeFormat.plain(t - t % 1000)
    }

    /// A `<time>` element with the RFC 3339 form as its `datetime`.
    static func timeElement(_ t: Timestamp) -> String {
        "<time datetime=\"\(TimeFormat.rfc3339(t))\">\(time(t))</time>"
    }

    /// `45m`, `3h 20m`.
    static func duration(_ milliseconds: Int64) -> String {
        PromDuration(milliseconds: max(0, milliseconds)).humanized
    }

    /// A table of incidents: severity, rule, series, state, since, duration, peak score, each
    /// row's rule linking to its page.
    static func incidentTable(_ incidents: [Incident], context: PageContext, caption: String) -> String {
        var html = "<div class=\"table-wrap\"><table><caption class=\"muted\">\(HTML.escape(caption))</caption><thead><tr>"
        html += "<th scope=\"col\">Incident</th><th scope=\"col\">Series</th><th scope=\"col\">State</th><th scope=\"col\">Since</th><th scope=\"col\">Lasted</th><th scope=\"col\">Peak score</th></tr></thead><tbody>"
        for incident in incidents {
            let facts = IncidentFacts(incident, keyLabelNames: SlackReportBuilder.defaultKeyLabels, now: context.now)
            html += "<tr><td>\(severity(incident.severity)) <a href=\"\(context.incidentHref(incident.id))\">\(HTML.escape(incident.rule))</a></td>"
            html += "<td><code>\(HTML.escape(facts.metric))</code> \(HTML.escape(facts.seriesText))</td>"
            html += "<td>\(phase(incident.phase))\(incident.resolution.map { " <span class=\"muted\">(\(HTML.escape($0)))</span>" } ?? "")</td>"
            html += "<td>\(timeElement(incident.start))</td><td>\(HTML.escape(facts.durationText))</td>"
            html += "<td>\(SVGPlot.score(incident.peakScore))</td></tr>"
        }
        html += "</tbody></table></div>"
        return html
    }

    /// A `<dl>` of name-value pairs, both escaped.
    static func facts(_ rows: [(String, String)]) -> String {
        var html = "<dl class=\"facts\">"
        for (name, value) in rows { html += "<dt>\(HTML.escape(name))</dt><dd>\(HTML.escape(value))</dd>" }
        return html + "</dl>"
    }

    /// Whole numbers with thousands separators: `1,234,567`.
    static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// `12.3` with at most one decimal.
    static func rate(_ value: Double) -> String {
        guard value.isFinite else { return "unknown" }
        if value >= 100 { return count(Int(value.rounded())) }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
