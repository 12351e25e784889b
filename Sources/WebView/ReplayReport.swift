import AIOpsCore
import Incidents
import Reports
import Rules

/// `aiops replay FILE... --html OUT.html`: one self-contained HTML file (style, script and
/// plots inline, nothing fetched) that opens from disk in any browser, so a rule change can
/// be judged by eye before it ships. Each file replayed gets a section: its incidents, then a
/// plot per series shown (the whole series, reduced to each pixel column's lowest and
/// highest value), with the same plot component as `aiops serve`'s pages.
public enum ReplayReport {
    /// One replayed file.
    public struct File: Sendable {
        public var name: String
        /// Said under the file's heading (how many samples, which series are shown and why).
        public var note: String
        public var incidents: [Incident]
        public var plots: [Plot]

        public init(name: String, note: String, incidents: [Incident], plots: [Plot]) {
            self.name = name
            self.note = note
            self.incidents = incidents
            self.plots = plots
        }
    }

    /// A series' plot and the incidents drawn on it.
    public struct Plot: Sendable {
        public var labels: Labels
        public var input: PlotInput
        /// Ids of the incidents whose spans it shows (the table links to the plot).
        public var incidentIDs: [String]

        public init(labels: Labels, input: PlotInput, incidentIDs: [String]) {
            self.labels = labels
            self.input = input
            self.incidentIDs = incidentIDs
        }
    }

    /// The whole document.
    /// - Parameters:
    ///   - rules: one line on the rules used (`8 rules from rules/`).
    ///   - version: `aiops` version, in the footer.
    public static func render(files: [File], rules: String, version: String) -> String {
        var main = "<h1>aiops replay</h1><p>\(HTML.escape(rules)). \(files.count) file\(files.count == 1 ? "" : "s"); \(files.reduce(0) { $0 + $1.incidents.count }) incidents.</p>"
        if files.count > 1 {
            main += "<nav aria-label=\"Files\"><ul>"
            for (index, file) in files.enumerated() { main += "<li><a href=\"#file-\(index)\">\(HTML.escape(file.name))</a></li>" }
            main += "</ul></nav>"
        }
        var plotIndex = 0
        for (fileIndex, file) in files.enumerated() {
            main += "<section id=\"file-\(fileIndex)\" aria-labelledby=\"file-\(fileIndex)-heading\"><h2 id=\"file-\(fileIndex)-heading\"><code>\(HTML.escape(file.name))</code></h2>"
            main += "<p class=\"muted\">\(HTML.escape(file.note))</p>"
            var plotOf: [String: Int] = [:]
            for (offset, plot) in file.plots.enumerated() {
                for id in plot.incidentIDs { plotOf[id] = plotIndex + offset }
            }
            if file.incidents.isEmpty {
                main += "<p>No incidents.</p>"
            } else {
                main += incidentTable(file.incidents, plotOf: plotOf)
            }
            for plot in file.plots {
                main += "<section aria-labelledby=\"plot-\(plotIndex)-heading\"><h3 id=\"plot-\(plotIndex)-heading\">\(PageParts.seriesCode(plot.labels))</h3>"
                main += SVGPlot().render(plot.input, id: "plot-\(plotIndex)") + "</section>"
                plotIndex += 1
            }
            main += "</section>"
        }
        let nonce = SessionStore.randomID().prefix(22)
        return PageLayout.page(title: "replay", nonce: String(nonce), navigation: nil, main: main, version: version, metaPolicy: true)
    }

    static func incidentTable(_ incidents: [Incident], plotOf: [String: Int]) -> String {
        var html = "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Incident</th><th scope=\"col\">Series</th><th scope=\"col\">Since</th>"
        html += "<th scope=\"col\">Fired</th><th scope=\"col\">Ended</th><th scope=\"col\">Peak score</th><th scope=\"col\">Summary</th></tr></thead><tbody>"
        for incident in incidents {
            let facts = IncidentFacts(incident, keyLabelNames: SlackReportBuilder.defaultKeyLabels, now: incident.end ?? incident.lastSeen)
            let name = HTML.escape(incident.rule)
            let link = plotOf[incident.id].map { "<a href=\"#plot-\($0)-heading\">\(name)</a>" } ?? name
            html += "<tr><td>\(PageParts.severity(incident.severity)) \(link)</td>"
            html += "<td><code>\(HTML.escape(facts.metric))</code> \(HTML.escape(facts.seriesText))</td>"
            html += "<td>\(PageParts.timeElement(incident.start))</td>"
            html += "<td>\(incident.firedAt.map(PageParts.timeElement) ?? "–")</td>"
            html += "<td>\(incident.end.map { PageParts.timeElement($0) + " (" + HTML.escape(facts.resolutionText) + ")" } ?? "open at the end of the file")</td>"
            html += "<td>\(SVGPlot.score(incident.peakScore))</td><td>\(HTML.escape(incident.advice.summary))</td></tr>"
        }
        return html + "</tbody></table></div>"
    }
}
