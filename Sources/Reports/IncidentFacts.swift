import AIOpsCore
import Incidents
import Rules

/// The facts of one incident as display strings, shared by the Slack and text reports so
/// both say the same thing. Nothing here is escaped: each renderer escapes for its medium.
struct IncidentFacts {
    let incident: Incident
    /// `CRITICAL`, `WARNING`, `INFO`.
    let severityWord: String
    let metric: String
    /// The key labels present (non-empty), in the order asked for.
    let keyLabels: [Label]
    /// Every other label except `__name__`, sorted by name.
    let otherLabels: [Label]
    /// When the anomaly started (the first anomalous sample), RFC 3339 UTC: what "Since"
    /// means in every message.
    let startText: String
    /// From start to `end`, or to `now` while open: `3h 20m`.
    let durationText: String
    /// When it fired (after the rule's `for`), RFC 3339 UTC; nil while pending.
    let firedText: String?
    /// `leak, peak score 0.97`.
    let detectorText: String
    let observedText: String
    /// `1 GiB`, `1 GiB (band 900 MiB – 1.1 GiB)`, `band 900 MiB – 1.1 GiB`, or nil.
    let expectedText: String?
    /// `+45.2 MiB/h`, leaks only.
    let growthText: String?
    /// `2 GiB, reached in 3h 20m`, `2 GiB`, `reached in 3h 20m`, `none known` (a leak
    /// without a limit), or nil.
    let limitText: String?

    init(_ incident: Incident, keyLabelNames: [String], now: Timestamp) {
        self.incident = incident
        severityWord = incident.severity.rawValue.uppercased()
        let metric = incident.labels.metricName
        self.metric = metric
        var key: [Label] = []
        for name in keyLabelNames where name != Labels.metricNameLabel {
            if let value = incident.labels[name], !value.isEmpty, !key.contains(where: { $0.name == name }) {
                key.append(Label(name, value))
            }
        }
        keyLabels = key
        otherLabels = incident.labels.labels.filter { label in
            label.name != Labels.metricNameLabel && !key.contains(where: { $0.name == label.name })
        }
        startText = TimeFormat.rfc3339(incident.start)
        firedText = incident.firedAt.map(TimeFormat.rfc3339)
        let until = incident.end ?? now
        durationText = PromDuration(milliseconds: max(0, until - incident.start)).humanized
        detectorText = "\(incident.detector.rawValue), peak score \(formatScore(incident.peakScore))"
        // What the detector saw: after the rule's transform (a counter's rate reads `/s`).
        let transform = incident.transform
        observedText = formatValue(incident.observed, metric: metric, transform: transform)

        var band: String?
        if let lower = incident.lower, let upper = incident.upper {
            band = "band \(formatValue(lower, metric: metric, transform: transform)) – \(formatValue(upper, metric: metric, transform: transform))"
        }
        if let expected = incident.expected {
            expectedText = formatValue(expected, metric: metric, transform: transform) + (band.map { " (\($0))" } ?? "")
        } else {
            expectedText = band
        }

        growthText = incident.leakRatePerHour.map { formatRate(perHour: $0, metric: metric, transform: transform) }
        var reach: String?
        if let seconds = incident.secondsToLimit, !seconds.isNaN {
            reach = seconds <= 0 ? "reached" : (seconds.isFinite ? "reached in \(formatDuration(seconds: seconds))" : nil)
        }
        switch (incident.limit.map { formatValue($0, metric: metric, transform: transform) }, reach) {
        case let (limit?, reach?): limitText = "\(limit), \(reach)"
        case let (limit?, nil): limitText = limit
        case let (nil, reach?): limitText = reach
        case (nil, nil): limitText = incident.detector == .leak ? IncidentFacts.noLimit : nil
        }
    }

    /// The series in one line without the metric: `namespace=shop pod=api-1`, or every
    /// other label when no key label is present.
    var seriesText: String {
        let shown = keyLabels.isEmpty ? otherLabels : keyLabels
        return shown.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }

    /// What the Limit field says of a leak whose limit nobody knows.
    static let noLimit = "none known"

    /// The current state in one line: `1.5 GiB vs expected 1 GiB` or for a leak
    /// `1.5 GiB, +45.2 MiB/h, limit 2 GiB, reached in 3h 20m` (`..., no limit known`).
    var stateText: String {
        var out = observedText
        if let expectedText { out += " vs expected \(expectedText)" }
        if let growthText { out += ", \(growthText)" }
        if let limitText { out += limitText == IncidentFacts.noLimit ? ", no limit known" : ", limit \(limitText)" }
        return out
    }

    /// `2026-11-26T17:10:00Z (4h 50m)`: when the anomaly started and how long ago.
    var sinceText: String { "\(startText) (\(durationText))" }

    /// How it ended, for resolved reports.
    var resolutionText: String { incident.resolution ?? "resolved" }
}

extension Severity {
    /// The Slack emoji shortcode of the severity.
    var slackEmoji: String {
        switch self {
        case .critical: return ":red_circle:"
        case .warning: return ":warning:"
        case .info: return ":information_source:"
        }
    }
}
