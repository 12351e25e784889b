import HTTPServer
import Synchronization

/// The scrape target of the scale-out test: `GET /metrics` serves `count` gauges
/// `e2e_shard_gauge{series="0"...}`, steady around 100, until `startAnomaly(series:)` sends one
/// of them far above.
final class ScaleOutTarget: HTTPHandler {
    static let metricName = "e2e_shard_gauge"
    let count: Int
    private struct State {
        var scrapes = 0
        var anomalous: Set<Int> = []
    }
    private let state = Mutex(State())

    init(count: Int) {
        self.count = count
    }

    var scrapes: Int { state.withLock { $0.scrapes } }

    func startAnomaly(series: Int) {
        state.withLock { _ = $0.anomalous.insert(series) }
    }

    func handle(_ request: HTTPRequest, context: HTTPRequestContext) throws -> HTTPResponse {
        guard request.path == "/metrics" else {
            return HTTPResponse(status: 404, headers: [("Content-Type", "text/plain")], text: "not found\n")
        }
        let (scrape, anomalous) = state.withLock { state -> (Int, Set<Int>) in
            defer { state.scrapes += 1 }
            return (state.scrapes, state.anomalous)
        }
        var text = "# HELP \(Self.metricName) A gauge per series of the scale-out test.\n# TYPE \(Self.metricName) gauge\n"
        for series in 0..<count {
            let value = anomalous.contains(series) ? 10_000.0 : 100.0 + Double((scrape + series) % 5) * 0.1
            text += "\(Self.metricName){series=\"\(series)\"} \(value)\n"
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], text: text)
    }
}
