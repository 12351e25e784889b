import AIOpsCore
import Foundation
import HTTPServer
import Incidents
import RemoteWrite
import Rules
import Server
import WebView

/// The web view's cost for a week of 15-second samples (40,320), the case:
///
/// - `web.plot.week`: the plot component alone on 40,320 samples with expected value, band,
///   score and two incident spans (what `replay --html` draws for such a series): time per
///   render and the bytes of the `<figure>`.
/// - `web.replay.week`: the whole self-contained replay report for that series (page, table,
///   plot): time and bytes.
/// - `web.incident.week`: `GET /incidents/ID` of a real `aiops serve` (in process, loopback,
///   keep-alive) for an incident open for the whole week of a series fed by remote write:
///   the page comes from the incident's trace (bounded: the ring's 63 samples before it, then
///   at most 448 points, pairs merged as it grows) and the ring, so its cost does not grow
///   with the incident's length. Timed from the request to the whole response, so an upper
///   bound of the server's render time.
enum WebViewBenchmark {
    static let names = ["web.plot.week", "web.replay.week", "web.incident.week"]
    static let samples = 7 * 86_400 / 15
    static let start: Timestamp = 1_800_000_000_000

    static func run(_ options: BenchmarkOptions, report: Report) {
        guard options.selectsAny(names) else { return }
        let input = weekInput()
        let runs = options.quick ? 3 : options.runs
        if options.selects(names[0]) {
            var bytes = 0
            let values = Harness.measure(runs: runs) {
                var html = ""
                let seconds = Harness.seconds { html = SVGPlot().render(input, id: "week") }
                bytes = html.utf8.count
                return seconds * 1000
            }
            report.add(BenchmarkResult(name: names[0], unit: "ms", values: values, extra: [("bytes", Double(bytes)), ("samples", Double(samples))],
                                       note: "40,320 samples with band and score, reduced to each pixel's lowest and highest"))
        }
        if options.selects(names[1]) {
            var bytes = 0
            let incident = Incident(
                id: "week-spike", rule: "week-spike", severity: .warning, labels: Labels(metric: "queue_depth", ["queue": "week"]), detector: .ewma,
                phase: .resolved, start: start + 20_000 * 15_000, firedAt: start + 20_002 * 15_000, end: start + 20_040 * 15_000,
                lastSeen: start + 20_040 * 15_000, peakScore: 0.99, observed: 900, advice: RenderedAdvice(summary: "a spike", steps: [], runbookURL: nil))
            let file = ReplayReport.File(name: "week.csv", note: "one week", incidents: [incident],
                                         plots: [ReplayReport.Plot(labels: incident.labels, input: input, incidentIDs: [incident.id])])
            let values = Harness.measure(runs: runs) {
                var html = ""
                let seconds = Harness.seconds { html = ReplayReport.render(files: [file], rules: "bench", version: AIOpsServer.version) }
                bytes = html.utf8.count
                return seconds * 1000
            }
            report.add(BenchmarkResult(name: names[1], unit: "ms", values: values, extra: [("bytes", Double(bytes))], note: "the whole HTML file"))
        }
        if options.selects(names[2]) {
            do {
                try incidentPage(options, report: report, runs: runs)
            } catch {
                report.skip(names[2], because: "\(error)")
            }
        }
    }

    /// A daily curve with noise and a one-sample spike, with what a detector would expect.
    static func weekInput() -> PlotInput {
        var timestamps: [Timestamp] = [], values: [Double] = [], expected: [Double] = [], lower: [Double] = [], upper: [Double] = [], scores: [Double] = []
        var random = AIOpsCore.SplitMix64(seed: 7)
        for i in 0..<samples {
            let curve = 100 + 40 * sin(Double(i) / 5760 * 2 * .pi)
            timestamps.append(start + Int64(i) * 15_000)
            values.append(i == 20_000 ? 900 : curve + random.gaussian() * 3)
            expected.append(curve)
            lower.append(curve - 12)
            upper.append(curve + 12)
            scores.append(i == 20_000 ? 0.99 : abs(random.gaussian()) * 0.1)
        }
        let spans = PlotSpan.spans(start: timestamps[20_000], firedAt: timestamps[20_002], end: timestamps[20_040], now: timestamps.last!, name: "spike")
        return PlotInput(timestamps: timestamps, values: values, expected: expected, lower: lower, upper: upper, scores: scores,
                         spans: spans, formatter: ValueFormatter(unit: .plain), threshold: 0.5, title: "a week")
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func incidentPage(_ options: BenchmarkOptions, report: Report, runs: Int) throws {
        // A leak rule that fires within hours on a steady climb and stays firing all week.
        let rules = try RuleSet.parse("""
            {"rules": [{"name": "week-leak", "selector": "bench_heap_bytes", "severity": "warning",
              "detector": {"kind": "leak", "window": "1h", "minRelativeGrowthPerHour": 0.0001}, "for": "0s", "resolveAfter": "1h"}]}
            """, file: "bench.json")
        let token = "bench-web-token-0123456789"
        let clock = ManualClock(start)
        var serverOptions = AIOpsServer.Options()
        serverOptions.listen = "127.0.0.1:0"
        serverOptions.threads = 1
        serverOptions.idleSeriesTimeout = .hours(24 * 30)
        serverOptions.log = { _ in }
        let server = try AIOpsServer(
            configuration: ServerConfiguration(workspaces: [WorkspaceConfiguration(name: "bench", plan: .pro, token: token)]),
            rules: rules, options: serverOptions, clock: clock)
        let port = try server.start().port
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let connection = try HTTPClientConnection(host: "127.0.0.1", port: port)
        defer { connection.close() }
        let labels = Labels(metric: "bench_heap_bytes", ["pod": "week"])
        var random = AIOpsCore.SplitMix64(seed: 11)
        for batch in stride(from: 0, to: samples, by: 500) {  // 2 h 5 m each: within the 3 h a sample may be old
            let range = batch..<min(samples, batch + 500)
            let encoded = range.map { i in
                EncodedSample(timestamp: start + Int64(i) * 15_000, value: 1e8 + Double(i) * 2000 + random.gaussian() * 5000)
            }
            clock.set(start + Int64(range.upperBound) * 15_000)
            let response = try connection.request(method: "POST", path: "/api/v1/write", headers: [
                ("Authorization", "Bearer \(token)"), ("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy"),
            ], body: RemoteWriteEncoder.compressedBody([EncodedSeries(labels: labels, samples: encoded)], version: .v1))
            guard response.status == 204 else { throw Failure(description: "write answered \(response.status): \(response.bodyText)") }
        }
        let listed = try connection.request(method: "GET", path: "/api/v1/incidents", headers: [("Authorization", "Bearer \(token)")])
        let object = try JSONSerialization.jsonObject(with: Data(listed.body)) as? [String: Any]
        let active = ((object?["data"] as? [String: Any])?["active"] as? [[String: Any]]) ?? []
        guard let id = active.first?["id"] as? String, let since = (active.first?["start"] as? String).flatMap({ TimeFormat.parse($0) }) else {
            throw Failure(description: "the week-long series raised no open incident")
        }
        let headers = [("Authorization", "Bearer \(token)"), ("Accept", "text/html")]
        var bytes = 0
        var points = 0
        let requests = options.quick ? 5 : 50
        let values = Harness.measure(runs: runs) {
            var total = 0.0
            for _ in 0..<requests {
                let started = MonotonicClock.nanoseconds()
                guard let page = try? connection.request(method: "GET", path: "/incidents/\(id)", headers: headers), page.status == 200 else { return .nan }
                total += Double(MonotonicClock.nanoseconds() - started) / 1e6
                bytes = page.body.count
                if let range = page.bodyText.range(of: "data-points=\"") {
                    points = Int(page.bodyText[range.upperBound...].prefix { $0.isNumber }) ?? 0
                }
            }
            return total / Double(requests)
        }
        let openHours = Double(start + Int64(samples) * 15_000 - since) / 3_600_000
        report.add(BenchmarkResult(
            name: names[2], unit: "ms", values: values,
            extra: [("bytes", Double(bytes)), ("points", Double(points)), ("open_hours", openHours.rounded())],
            note: "GET over loopback, mean of \(requests) per run"))
    }
}
