import AIOpsCore
import Incidents
import Store

/// The readable summary `aiops replay` prints per file.
public enum ReplayText {
    public static func render(_ result: ReplayResult) -> String {
        var out = "\(result.file): \(result.series.count) series, \(result.samples) samples"
        let rejected = SampleOutcome.allCases.filter { $0 != .appended && result.count($0) > 0 }
        if !rejected.isEmpty {
            out += " (" + rejected.map { "\(result.count($0)) \($0)" }.joined(separator: ", ") + ")"
        }
        out += "\n"
        if let note = seriesNote(result) { out += "  " + note + "\n" }
        if result.incidents.isEmpty {
            out += "  no incidents\n"
            return out
        }
        for incident in result.incidents {
            out += IncidentText.render(incident)
        }
        return out
    }
}

extension ReplayText {
    /// For a CSV replayed without a `--metric` name: which name its series got, and how to
    /// give another (a rule selects series by name, so the wrong one means no incidents).
    public static func seriesNote(_ result: ReplayResult) -> String? {
        guard let name = result.seriesNamedAfterFile else { return nil }
        return "series \(name): named after the file; set another name and labels with --metric 'name{label=\"value\"}'"
    }
}

/// A few lines per incident. (Replaced by the report module's text renderer where available.)
public enum IncidentText {
    public static func render(_ incident: Incident) -> String {
        let state = incident.phase == .resolved ? "RESOLVED" : "FIRING"
        var out = "  [\(state)] \(incident.severity.rawValue.uppercased()) \(incident.rule) on \(incident.labels)\n"
        out += "    from \(TimeFormat.rfc3339(incident.start))"
        if let end = incident.end { out += " to \(TimeFormat.rfc3339(end))" }
        out += ", detector \(incident.detector.rawValue), peak score \(String(format2(incident.peakScore)))\n"
        out += "    \(incident.advice.summary)\n"
        return out
    }

    static func format2(_ x: Double) -> String {
        let scaled = (x * 100).rounded() / 100
        return String(scaled)
    }
}
