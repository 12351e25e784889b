import AIOpsCore
import Incidents
import Rules

/// The daily summary as text for a terminal (replay, and serve without a webhook).
public struct DailySummaryTextRenderer: Sendable {
    public init() {}

    public func render(_ summary: DailySummary) -> String {
        let zone = summary.schedule
        let when = "\(zone.localDate(at: summary.at)) \(zone.localTime(at: summary.at))"
        if summary.isQuiet {
            return "Daily summary for \(summary.workspace) (\(when)): all quiet. No incidents in the last 24 hours, nothing open, no risks ahead"
                + (summary.includesAdvice ? ", no scaling or cost advice." : ".")
        }
        var lines = ["Daily summary: \(summary.workspace), \(when) (plan \(summary.includesAdvice ? "Pro" : "Hobby"))"]
        if summary.incidents.isEmpty {
            lines.append("  Incidents (24 h): none")
        } else {
            let counts = summary.countsBySeverity.map { "\($0.count) \($0.severity.rawValue)" }.joined(separator: ", ")
            lines.append("  Incidents (24 h): \(summary.incidents.count) (\(counts)), \(summary.open.count) still open")
            for incident in summary.incidents.prefix(5) { lines.append("    - " + line(incident, summary: summary)) }
        }
        if !summary.risks.isEmpty {
            lines.append("  Risks ahead:")
            for risk in summary.risks { lines.append("    - " + risk.text + (risk.from.map { " from \(zone.localTime(at: $0))" } ?? "")) }
        }
        if let advice = summary.advice {
            let scaling = summary.scalingFindings
            lines.append("  Scaling:" + (scaling.isEmpty ? " nothing to change" : ""))
            for finding in scaling { append(finding, to: &lines) }
            let cost = summary.costFindings
            let total = cost.reduce(0) { $0 + max(0, $1.monthlySaving ?? 0) }
            lines.append("  Cost: " + (cost.isEmpty ? "every request is within 30% of its usage" : "\(advice.pricing.format(total)) a month to save:"))
            for finding in cost { append(finding, to: &lines) }
        } else {
            lines.append("  Scaling and cost advice come with the Pro plan.")
        }
        return lines.joined(separator: "\n")
    }

    func append(_ finding: Finding, to lines: inout [String]) {
        lines.append("    - [\(finding.kind.title)] " + finding.summary)
        for command in finding.commands.prefix(3) { lines.append("        $ " + command) }
        if finding.kind != .predictiveScaling, let yaml = finding.yaml {
            for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) { lines.append("        " + line) }
        }
    }

    func line(_ incident: Incident, summary: DailySummary) -> String {
        let fired = incident.firedAt ?? incident.start
        var text = "[\(incident.severity.rawValue)] \(incident.rule) on \(incident.labels)"
        if let end = incident.end {
            text += ", resolved after \(ValueFormatter.duration(seconds: Double(end - fired) / 1000))"
        } else {
            text += ", open for \(ValueFormatter.duration(seconds: Double(summary.at - fired) / 1000))"
        }
        return text
    }
}
