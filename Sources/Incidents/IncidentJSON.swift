import AIOpsCore
import Foundation

/// The `--format json` line of one incident: times as RFC 3339 UTC strings, unknown numbers
/// as null, keys sorted so output is stable.
public enum IncidentJSON {
    public static func line(_ incident: Incident, file: String? = nil) -> String {
        var object = self.object(incident)
        if let file { object["file"] = file }
        return serialize(object)
    }

    /// The incident as a JSON-ready dictionary.
    public static func object(_ incident: Incident) -> [String: Any] {
        [
            "id": incident.id,
            "rule": incident.rule,
            "detector": incident.detector.rawValue,
            "severity": incident.severity.rawValue,
            "labels": incident.labels.dictionary,
            "start": TimeFormat.rfc3339(incident.start),
            "end": incident.end.map { TimeFormat.rfc3339($0) } ?? NSNull(),
            "firedAt": incident.firedAt.map { TimeFormat.rfc3339($0) } ?? NSNull(),
            "state": incident.phase.rawValue,
            "peakScore": rounded(incident.peakScore),
            "observed": number(incident.observed),
            "expected": number(incident.expected),
            "leakRatePerHour": number(incident.leakRatePerHour),
            "secondsToLimit": number(incident.secondsToLimit),
            "limit": number(incident.limit),
            "summary": incident.advice.summary,
            "steps": incident.advice.steps,
            "runbook": incident.advice.runbookURL ?? NSNull(),
            "lastSeen": TimeFormat.rfc3339(incident.lastSeen),
        ]
    }

    /// Compact JSON with sorted keys.
    public static func serialize(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func number(_ value: Double?) -> Any {
        guard let value, value.isFinite else { return NSNull() }
        return rounded(value)
    }

    static func rounded(_ value: Double) -> Double {
        guard value.isFinite, abs(value) < 1e12 else { return value }
        return (value * 1e6).rounded() / 1e6
    }
}
