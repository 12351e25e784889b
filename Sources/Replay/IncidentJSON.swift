import AIOpsCore
import Foundation
import Incidents

/// The `--format json` line of one incident: times as RFC 3339 UTC strings, unknown numbers
/// as null, keys sorted so output is stable.
public enum IncidentJSON {
    public static func line(_ incident: Incident, file: String? = nil) -> String {
        var object: [String: Any] = [
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
        ]
        if let file { object["file"] = file }
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
