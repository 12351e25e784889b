import HTTPServer
import Synchronization

/// The scrape target of the end-to-end test: `GET /metrics` serves one gauge,
/// `e2e_queue_depth{queue="ingest"}`, steady around 100 with small deterministic noise until
/// `startAnomaly()`, then far above it.
///
/// Counting scrapes lets the test wait for "the detector has seen its warm-up" without
/// sleeping for a guessed time.
final class PrometheusEndToEndTarget: HTTPHandler {
    static let metricName = "e2e_queue_depth"
    static let steadyLevel = 100.0
    static let anomalousLevel = 10_000.0
    /// Well inside the detector's band (its σ floor is 2 % of the level / zThreshold).
    static let noise: [Double] = [0, 0.3, -0.2, 0.1, -0.3]

    private struct State {
        var scrapes = 0
        var anomalous = false
    }
    private let state = Mutex(State())

    /// Scrapes served so far.
    var scrapes: Int { state.withLock { $0.scrapes } }

    /// From the next scrape on, the gauge reads `anomalousLevel`.
    func startAnomaly() {
        state.withLock { $0.anomalous = true }
    }

    func handle(_ request: HTTPRequest, context: HTTPRequestContext) throws -> HTTPResponse {
        guard request.path == "/metrics" else {
            return HTTPResponse(status: 404, headers: [("Content-Type", "text/plain")], text: "not found\n")
        }
        let value = state.withLock { state -> Double in
            defer { state.scrapes += 1 }
            if state.anomalous { return Self.anomalousLevel }
            return Self.steadyLevel + Self.noise[state.scrapes % Self.noise.count]
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], text: """
            # HELP \(Self.metricName) Jobs waiting in the end-to-end test's queue.
            # TYPE \(Self.metricName) gauge
            \(Self.metricName){queue="ingest"} \(value)

            """)
    }
}
