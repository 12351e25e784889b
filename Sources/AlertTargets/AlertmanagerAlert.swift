import AIOpsCore
import Incidents
import Rules

/// One alert as `POST /api/v2/alerts` takes it: labels, annotations, `startsAt`, `endsAt`
/// and a `generatorURL`.
public struct AlertmanagerAlert: Sendable, Equatable {
    public var labels: Labels
    /// `summary`, `description`, `runbook_url` (when there is one), `score`, `expected`
    /// (when known), `observed`.
    public var annotations: [String: String]
    /// Event time the incident fired (Prometheus sends an alert's `FiredAt`).
    public var startsAt: Timestamp
    /// Event time it resolved; nil while firing (the sender sets `endsAt` to its validity).
    public var resolvedAt: Timestamp?
    public var generatorURL: String?

    public init(labels: Labels, annotations: [String: String], startsAt: Timestamp, resolvedAt: Timestamp?, generatorURL: String?) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.resolvedAt = resolvedAt
        self.generatorURL = generatorURL
    }

    /// The alert of an incident.
    /// - Parameter externalURL: where people reach `aiops` (`--external-url`); the
    ///   `generatorURL` is `<externalURL>/api/v1/incidents/<id>`, none without it.
    public init(incident: Incident, workspace: String, externalURL: String?) {
        var annotations: [String: String] = [:]
        let formatter = ValueFormatter(metric: incident.labels.metricName, transform: incident.transform)
        let summary = incident.advice.summary.isEmpty
            ? "\(incident.rule): \(incident.labels.metricName) is anomalous"
            : incident.advice.summary
        annotations["summary"] = summary
        annotations["description"] = Self.description(incident, formatter: formatter)
        if let runbook = incident.advice.runbookURL, !runbook.isEmpty { annotations["runbook_url"] = runbook }
        annotations["score"] = Self.number(incident.peakScore)
        annotations["observed"] = Self.number(incident.observed)
        if let expected = incident.expected { annotations["expected"] = Self.number(expected) }
        self.init(
            labels: AlertLabels.labels(of: incident, workspace: workspace), annotations: annotations,
            startsAt: incident.firedAt ?? incident.start, resolvedAt: incident.phase == .resolved ? (incident.end ?? incident.lastSeen) : nil,
            generatorURL: Self.generatorURL(incidentID: incident.id, externalURL: externalURL))
    }

    /// `<externalURL>/api/v1/incidents/<id>` with the id percent-encoded; nil without a URL.
    public static func generatorURL(incidentID: String, externalURL: String?) -> String? {
        guard var base = externalURL, !base.isEmpty else { return nil }
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/api/v1/incidents/" + PercentEncoding.encode(incidentID)
    }

    /// What the detector saw and what to do, as plain text: "Observed 4000, expected 42
    /// (normal 38 to 46); ewma score 0.98." then the numbered steps.
    static func description(_ incident: Incident, formatter: ValueFormatter) -> String {
        var facts = "Observed \(formatter.format(incident.observed))"
        if let expected = incident.expected {
            facts += ", expected \(formatter.format(expected))"
            if let lower = incident.lower, let upper = incident.upper {
                facts += " (normal \(formatter.format(lower)) to \(formatter.format(upper)))"
            }
        }
        facts += "; \(incident.detector.rawValue) score \(Self.number(incident.peakScore))."
        if let rate = incident.leakRatePerHour {
            facts += " Growing \(formatter.formatGrowth(perHour: rate))"
            if let limit = incident.limit { facts += " toward \(formatter.format(limit))" }
            if let seconds = incident.secondsToLimit { facts += ", reached in about \(ValueFormatter.duration(seconds: seconds))" }
            facts += "."
        }
        if let resolution = incident.resolution, incident.phase == .resolved { facts += " Resolved: \(resolution)." }
        guard !incident.advice.steps.isEmpty else { return facts }
        var text = facts + "\n"
        for (index, step) in incident.advice.steps.enumerated() { text += "\n\(index + 1). \(step)" }
        return text
    }

    /// Shortest text that reads back as the same number; 6 significant digits at most.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let rounded = Double(String(format: "%.6g", value)) ?? value
        return String(rounded)
    }

    /// The alert as the API's JSON object, sent at wall time `now`: a firing alert ends
    /// `validity` from now (Prometheus: 4 x the resend delay), so it resolves by itself if
    /// `aiops` stops sending; a resolved one ends when it resolved. Event times ahead of
    /// `now` (a sender's clock skew) are taken as `now`, so an alert never starts in the
    /// future nor ends after it starts.
    public func jsonObject(now: Timestamp, validity: Int64) -> [String: Any] {
        let ends = resolvedAt.map { min($0, now) } ?? (now + validity)
        let starts = min(startsAt, now, ends)
        var object: [String: Any] = [
            "labels": labels.dictionary,
            "annotations": annotations,
            "startsAt": TimeFormat.rfc3339(starts),
            "endsAt": TimeFormat.rfc3339(ends),
        ]
        if let generatorURL { object["generatorURL"] = generatorURL }
        return object
    }
}
