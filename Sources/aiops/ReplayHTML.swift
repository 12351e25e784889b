import AIOpsCore
import Foundation
import Incidents
import Replay
import Rules
import WebView

/// `aiops replay --html OUT.html`: the replay results as one self-contained HTML file
/// (`WebView.ReplayReport`), with a plot of every series that had incidents, or of the
/// series `--metric` names.
enum ReplayHTML {
    /// Plots per file at most (a file of thousands of series with incidents stays readable
    /// and small); the note says how many were left out.
    static let plotsPerFile = 50

    /// The report's section for one file.
    /// - Parameter metric: `--metric`: plot the series carrying all of its labels instead.
    static func file(_ result: ReplayResult, metric: Labels?, rules: RuleSet) -> ReplayReport.File {
        let incidents = result.incidents + result.open.filter { open in !result.incidents.contains { $0.id == open.id } }
        var chosen: [Int]
        var why: String
        if let metric {
            chosen = result.series.indices.filter { index in
                let labels = result.series[index].labels
                return metric.labels.allSatisfy { $0.value.isEmpty || labels[$0.name] == $0.value }
            }
            why = "the series --metric names"
        } else {
            let withIncidents = Set(incidents.map(\.labels))
            chosen = result.series.indices.filter { withIncidents.contains(result.series[$0].labels) }
            why = "every series with an incident"
            if chosen.isEmpty {
                chosen = Array(result.series.indices.prefix(3))
                why = "no series had an incident: the first \(chosen.count) of \(result.series.count) (use --metric to choose)"
            }
        }
        var note = "\(result.samples) samples in \(result.series.count) series; plotted: \(why)"
        if chosen.count > plotsPerFile {
            note += " (the first \(plotsPerFile) of \(chosen.count))"
            chosen = Array(chosen.prefix(plotsPerFile))
        }
        note += "."
        let plots = chosen.map { plot(result, series: $0, incidents: incidents, rules: rules) }
        return ReplayReport.File(name: result.file, note: note, incidents: incidents, plots: plots)
    }

    /// One series: its samples in time order as the pipeline kept them (rows out of order or
    /// not finite left out), as its rules saw them (a counter's rate), with the band and
    /// score of each row and its incidents' spans.
    static func plot(_ result: ReplayResult, series index: Int, incidents all: [Incident], rules: RuleSet) -> ReplayReport.Plot {
        let series = result.series[index]
        let rate = index < result.scoredAsRate.count && result.scoredAsRate[index]
        let scores = index < result.scores.count ? result.scores[index] : []
        let bands = index < result.bands.count ? result.bands[index] : []
        var timestamps: [Timestamp] = [], values: [Double] = [], expected: [Double] = [], lower: [Double] = [], upper: [Double] = [], scored: [Double] = []
        timestamps.reserveCapacity(series.count)
        values.reserveCapacity(series.count)
        var last = Timestamp.min
        var previous = Double.nan
        for row in 0..<series.count {
            let t = series.timestamps[row], v = series.values[row]
            guard t > last, v.isFinite else { continue }
            let before = previous, beforeTime = last
            last = t
            previous = v
            var shown = v
            if rate {
                guard beforeTime != .min, v >= before else { continue }
                shown = (v - before) * 1000 / Double(t - beforeTime)
            }
            timestamps.append(t)
            values.append(shown)
            scored.append(row < scores.count ? scores[row] : .nan)
            let band = row < bands.count ? bands[row] : nil
            expected.append(band?.expected ?? .nan)
            lower.append(band?.lower ?? .nan)
            upper.append(band?.upper ?? .nan)
        }
        let incidents = all.filter { $0.labels == series.labels }
        let end = timestamps.last ?? 0
        var spans: [PlotSpan] = []
        for incident in incidents {
            spans += PlotSpan.spans(start: incident.start, firedAt: incident.firedAt, end: incident.end, now: max(end, incident.lastSeen), name: incident.rule)
        }
        let ruleNames = Set(incidents.map(\.rule))
        let threshold = ruleNames.count == 1 ? rules.rule(named: ruleNames.first!)?.threshold ?? (ruleNames.first == "auto" ? RuleSet.autoRule.threshold : nil) : nil
        let input = PlotInput(
            timestamps: timestamps, values: values, expected: expected, lower: lower, upper: upper, scores: scored, spans: spans,
            formatter: ValueFormatter(metric: series.labels.metricName, transform: rate ? .rate : .none), threshold: threshold,
            title: series.labels.description + (rate ? " (per-second rate)" : ""))
        return ReplayReport.Plot(labels: series.labels, input: input, incidentIDs: incidents.map(\.id))
    }

    /// Writes the report; the file is replaced whole (written beside it, then renamed).
    static func write(_ files: [ReplayReport.File], to path: String, rules: String, version: String) throws {
        let html = ReplayReport.render(files: files, rules: rules, version: version)
        try Data(html.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
