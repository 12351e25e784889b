import AIOpsCore
import Incidents

/// Renders incidents as plain text for a terminal: used when no webhook is configured and by
/// `aiops replay`'s text output. Says what the Slack report says, a few lines per incident.
///
/// Control characters in labels and advice are shown as `\u{1B}` so a label cannot move the
/// cursor or recolour the terminal.
public struct TextReportRenderer: Sendable {
    /// The most columns a sparkline takes.
    public var sparklineWidth: Int
    /// As `SlackReportBuilder.externalURL`: links to rule pages, nil for none.
    public var externalURL: String?

    public init(sparklineWidth: Int = 60) {
        self.sparklineWidth = max(1, sparklineWidth)
    }

    /// The report of an event: the full report when firing, a short one when resolved.
    public func render(_ event: IncidentEvent, workspace: String, now: Timestamp) -> String {
        switch event {
        case .firing(let incident): return renderFiring(incident, workspace: workspace, now: now)
        case .resolved(let incident): return renderResolved(incident, workspace: workspace, now: now)
        }
    }

    /// The report of an incident by its phase (pending and firing get the full report).
    public func render(_ incident: Incident, workspace: String, now: Timestamp) -> String {
        incident.phase == .resolved
            ? renderResolved(incident, workspace: workspace, now: now)
            : renderFiring(incident, workspace: workspace, now: now)
    }

    /// Several reports separated by blank lines.
    public func render(_ incidents: [Incident], workspace: String, now: Timestamp) -> String {
        incidents.map { render($0, workspace: workspace, now: now) }.joined(separator: "\n")
    }

    /// Every line ends with a newline.
    public func renderFiring(_ incident: Incident, workspace: String, now: Timestamp) -> String {
        let facts = IncidentFacts(incident, keyLabelNames: SlackReportBuilder.defaultKeyLabels, now: now)
        var lines = [title(facts.severityWord + (incident.phase == .pending ? " (pending)" : ""), incident, workspace)]
        lines.append(row("series", Self.sanitize(incident.labels.description)))
        lines.append(row("since", "\(facts.sinceText), \(facts.detectorText)"))
        if let fired = facts.firedText { lines.append(row("fired", fired)) }
        var observed = facts.observedText
        if let expected = facts.expectedText { observed += " vs expected " + expected }
        lines.append(row("observed", observed))
        if facts.growthText != nil || facts.limitText != nil {
            let limit = facts.limitText.map { $0 == IncidentFacts.noLimit ? "no limit known" : "limit " + $0 }
            let parts = [facts.growthText, limit].compactMap { $0 }
            lines.append(row("growth", parts.joined(separator: ", ")))
        }
        if !incident.recentValues.isEmpty {
            let sparkline = Sparkline(incident: incident, width: sparklineWidth)
            var notes: [String] = []
            if let first = incident.recentTimestamps.first, let last = incident.recentTimestamps.last, last > first {
                notes.append("last " + PromDuration(milliseconds: last - first).humanized)
            }
            if let low = sparkline.minimum, let high = sparkline.maximum {
                notes.append("min " + formatValue(low, metric: facts.metric) + ", max " + formatValue(high, metric: facts.metric))
            }
            lines.append(row("recent", sparkline.line + (notes.isEmpty ? "" : "  " + notes.joined(separator: "; "))))
            if !sparkline.marker.isEmpty { lines.append(Self.indent + sparkline.marker) }
        }
        if !incident.advice.summary.isEmpty { lines.append(row("advice", Self.sanitize(incident.advice.summary))) }
        for (index, step) in incident.advice.steps.enumerated() where !step.isEmpty {
            lines.append(Self.indent + "\(index + 1). " + Self.sanitize(step))
        }
        if let url = incident.advice.runbookURL ?? RulePage.url(rule: incident.rule, externalURL: externalURL), !url.isEmpty {
            lines.append(row("runbook", Self.sanitize(url)))
        }
        return lines.map { $0 + "\n" }.joined()
    }

    /// Every line ends with a newline.
    public func renderResolved(_ incident: Incident, workspace: String, now: Timestamp) -> String {
        let facts = IncidentFacts(incident, keyLabelNames: SlackReportBuilder.defaultKeyLabels, now: now)
        let lines = [
            title("RESOLVED", incident, workspace),
            row("series", Self.sanitize(incident.labels.description)),
            row("lasted", "\(facts.durationText) (since \(facts.startText)\(facts.firedText.map { ", fired " + $0 } ?? ""), to \(TimeFormat.rfc3339(incident.end ?? now))), "
                + "peak score \(formatScore(incident.peakScore)), " + Self.sanitize(facts.resolutionText)),
        ]
        return lines.map { $0 + "\n" }.joined()
    }

    static let indent = String(repeating: " ", count: 12)

    func title(_ word: String, _ incident: Incident, _ workspace: String) -> String {
        word + " " + Self.sanitize(incident.rule) + (workspace.isEmpty ? "" : " [" + Self.sanitize(workspace) + "]")
    }

    func row(_ name: String, _ value: String) -> String {
        "  " + name + String(repeating: " ", count: max(1, 10 - name.count)) + value
    }

    /// Shows C0 and C1 control characters (line breaks included) as `\u{XX}`.
    static func sanitize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

extension TextReportRenderer {
    /// The text of a notification: every incident's report of `kind`, separated by blank lines.
    public func render(_ incidents: [Incident], kind: ReportKind, workspace: String, now: Timestamp) -> String {
        let reports: [String]
        switch kind {
        case .firing: reports = incidents.map { renderFiring($0, workspace: workspace, now: now) }
        case .reminder: reports = incidents.map { renderReminder($0, workspace: workspace, now: now) }
        case .resolved: reports = incidents.map { renderResolved($0, workspace: workspace, now: now) }
        }
        return reports.joined(separator: "\n")
    }

    /// Short: the series, since when (the anomaly's start; when it fired), and how it
    /// stands now. Every line ends with a newline.
    public func renderReminder(_ incident: Incident, workspace: String, now: Timestamp) -> String {
        let facts = IncidentFacts(incident, keyLabelNames: SlackReportBuilder.defaultKeyLabels, now: now)
        var lines = [
            title(facts.severityWord + " (still firing)", incident, workspace),
            row("series", Self.sanitize(incident.labels.description)),
            row("since", facts.sinceText),
        ]
        if let fired = facts.firedText { lines.append(row("fired", fired)) }
        lines.append(row("now", "as of " + TimeFormat.rfc3339(incident.lastSeen) + ": " + facts.stateText))
        return lines.map { $0 + "\n" }.joined()
    }
}
