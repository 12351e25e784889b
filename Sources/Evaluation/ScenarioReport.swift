import AIOpsCore
import Foundation

/// The scored scenario corpus: per case pass/fail, per noise family the false-incident rate,
/// and totals; rendered as a text table for people and JSON for tools.
public struct ScenarioReport: Sendable, Equatable {
    public var results: [ScenarioResult]

    public init(results: [ScenarioResult]) {
        self.results = results
    }

    /// False incidents per series per 30 days of event time, over the noise cases of one family.
    public struct NoiseFamily: Sendable, Equatable {
        public var family: String
        public var series: Int
        /// Event time counted, summed over the family's series, from each one's day 2 on.
        public var days: Double
        /// False incidents in that time.
        public var falseIncidents: Int
        /// `falseIncidents` per series per 30 days; 0 when no time was counted.
        public var ratePer30Days: Double { days > 0 ? Double(falseIncidents) * 30 / days : 0 }
    }

    public var casesPassed: Int { results.count { $0.passed } }
    /// Incidents that count for a window, over every case.
    public var truePositives: Int { results.reduce(0) { $0 + $1.truePositives } }
    /// Incidents outside every window, over every case (noise included).
    public var falsePositives: Int { results.reduce(0) { $0 + $1.falsePositives } }
    public var windows: Int { results.reduce(0) { $0 + $1.windows.count } }
    public var windowsDetected: Int { results.reduce(0) { $0 + $1.windows.count { $0.detected } } }
    /// True incidents over true and false ones; nil when nothing fired.
    public var precision: Double? {
        let fired = truePositives + falsePositives
        return fired == 0 ? nil : Double(truePositives) / Double(fired)
    }
    /// Windows with an incident over all windows; nil without windows.
    public var recall: Double? { windows == 0 ? nil : Double(windowsDetected) / Double(windows) }

    /// The noise families in order of first appearance.
    public var noiseFamilies: [NoiseFamily] {
        var order: [String] = []
        var byName: [String: NoiseFamily] = [:]
        for result in results where result.kind == .noise && result.error == nil {
            let name = result.family ?? result.name
            if byName[name] == nil {
                order.append(name)
                byName[name] = NoiseFamily(family: name, series: 0, days: 0, falseIncidents: 0)
            }
            byName[name]!.series += 1
            byName[name]!.days += result.budgetDays
            byName[name]!.falseIncidents += result.budgetFalsePositives
        }
        return order.map { byName[$0]! }
    }

    /// Every noise series together: false incidents per series per 30 days.
    public var noise: NoiseFamily {
        noiseFamilies.reduce(NoiseFamily(family: "all", series: 0, days: 0, falseIncidents: 0)) {
            NoiseFamily(family: "all", series: $0.series + $1.series, days: $0.days + $1.days, falseIncidents: $0.falseIncidents + $1.falseIncidents)
        }
    }

    // MARK: - Text

    /// The case table, the noise table and the totals.
    public func text() -> String {
        var table = NABReport.Table(
            headers: ["case", "kind", "result", "incidents", "TP", "FP", "missed", "start delay", "fire delay", "first false incident"],
            leftAligned: 3, lastLeftAligned: true)
        for result in results {
            let firstFalse = result.incidents.first { $0.verdict == .falsePositive }.map {
                "\(TimeFormat.plain($0.incident.start)) \($0.incident.rule)"
            }
            table.rows.append([
                result.name, result.kind.rawValue, result.passed ? "pass" : (result.error == nil ? "FAIL" : "ERROR"),
                String(result.incidents.count), String(result.truePositives), String(result.falsePositives),
                String(result.missedWindows),
                Self.delays(result.windows.map(\.startDelaySeconds)), Self.delays(result.windows.map(\.fireDelaySeconds)),
                result.error ?? firstFalse ?? "",
            ])
        }
        var out = table.render()
        let families = noiseFamilies
        if !families.isEmpty {
            var noiseTable = NABReport.Table(headers: ["noise family", "series", "days", "false", "per series per 30 days"], leftAligned: 1)
            for family in families + [noise] {
                noiseTable.rows.append([
                    family.family, String(family.series), NABReport.fixed(family.days, 1), String(family.falseIncidents),
                    NABReport.fixed(family.ratePer30Days, 2),
                ])
            }
            out += "\n" + noiseTable.render()
        }
        out += "\ncases passed \(casesPassed)/\(results.count)"
        out += ", precision \(precision.map { NABReport.fixed($0, 3) } ?? "n/a") (\(truePositives) true, \(falsePositives) false incidents)"
        out += ", recall \(recall.map { NABReport.fixed($0, 3) } ?? "n/a") (\(windowsDetected)/\(windows) windows)"
        if !families.isEmpty {
            out += ", noise \(NABReport.fixed(noise.ratePer30Days, 2)) false incidents per series per 30 days"
        }
        return out + "\n"
    }

    /// Delays of a case's windows, `-` for a missed one, joined by commas.
    static func delays(_ seconds: [Double?]) -> String {
        seconds.map { $0.map(duration) ?? "-" }.joined(separator: ",")
    }

    /// `0m`, `25m`, `3h 20m`, `2d 4h`; negative durations get a `-`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 0 { return "-" + duration(-seconds) }
        let minutes = Int((seconds / 60).rounded())
        if minutes < 60 { return "\(minutes)m" }
        if minutes < 48 * 60 { return minutes % 60 == 0 ? "\(minutes / 60)h" : "\(minutes / 60)h \(minutes % 60)m" }
        let hours = minutes / 60
        return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d \(hours % 24)h"
    }

    // MARK: - JSON

    /// The report as one JSON document, keys sorted: `cases` (each with its incidents, verdicts,
    /// windows and delays in seconds), `noise` (per family and `all`) and `totals`. Times are
    /// `YYYY-MM-DD HH:MM:SS` (UTC); a ratio with nothing to divide is null.
    public func json() -> String {
        func time(_ t: Timestamp) -> String { TimeFormat.plain(t) }
        func optional(_ value: Double?) -> Any { value.map { $0 as Any } ?? NSNull() }
        let cases: [[String: Any]] = results.map { result in
            var object: [String: Any] = [
                "name": result.name, "kind": result.kind.rawValue, "passed": result.passed,
                "truePositives": result.truePositives, "falsePositives": result.falsePositives,
                "missedWindows": result.missedWindows,
                "incidents": result.incidents.map { scored -> [String: Any] in
                    ["rule": scored.incident.rule, "start": time(scored.incident.start),
                     "firedAt": time(scored.incident.firedAt), "verdict": scored.verdict.rawValue]
                },
                "windows": result.windows.map { window -> [String: Any] in
                    var entry: [String: Any] = [
                        "start": time(window.start), "end": time(window.end), "detected": window.detected,
                        "startDelaySeconds": optional(window.startDelaySeconds), "fireDelaySeconds": optional(window.fireDelaySeconds),
                    ]
                    if let detection = window.detection { entry["rule"] = detection.rule }
                    return entry
                },
            ]
            if let family = result.family { object["family"] = family }
            if let rule = result.rule { object["rule"] = rule }
            if let error = result.error { object["error"] = error }
            if result.kind == .noise {
                object["budgetDays"] = result.budgetDays
                object["budgetFalsePositives"] = result.budgetFalsePositives
            }
            return object
        }
        let noise: [[String: Any]] = (noiseFamilies + (noiseFamilies.isEmpty ? [] : [self.noise])).map {
            ["family": $0.family, "series": $0.series, "days": $0.days, "falseIncidents": $0.falseIncidents,
             "falseIncidentsPerSeriesPer30Days": $0.ratePer30Days]
        }
        let totals: [String: Any] = [
            "cases": results.count, "casesPassed": casesPassed, "truePositives": truePositives,
            "falsePositives": falsePositives, "windows": windows, "windowsDetected": windowsDetected,
            "precision": optional(precision), "recall": optional(recall),
            "noiseFalseIncidentsPerSeriesPer30Days": noiseFamilies.isEmpty ? NSNull() : noise.last!["falseIncidentsPerSeriesPer30Days"]!,
        ]
        let root: [String: Any] = ["cases": cases, "noise": noise, "totals": totals]
        // Only strings, numbers, booleans, null, arrays and objects of them: cannot fail.
        let data = try! JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
