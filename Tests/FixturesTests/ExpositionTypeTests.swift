import AIOpsCore
import Testing
@testable import Fixtures

/// `# TYPE` lines give each series its family's type, as remote-write metadata does.
@Suite struct ExpositionTypeTests {
    @Test func typeLinesReachTheirSeries() throws {
        let text = """
        # HELP http_requests_total Requests.
        # TYPE http_requests_total counter
        http_requests_total{code="200"} 5 1700000000000
        # TYPE rpc_seconds histogram
        rpc_seconds_bucket{le="0.1"} 3 1700000000000
        rpc_seconds_sum 0.2 1700000000000
        # TYPE pool_size_total gauge
        pool_size_total 4 1700000000000
        # TYPE odd_one flux
        odd_one 1 1700000000000
        queue_depth 1 1700000000000
        """
        let series = try FixtureReader.parse(text: text, name: "x.prom")
        let types = Dictionary(uniqueKeysWithValues: series.map { ($0.labels.metricName, $0.metricType) })
        #expect(types["http_requests_total"] == .counter)
        #expect(types["rpc_seconds_bucket"] == .histogram)
        #expect(types["rpc_seconds_sum"] == .histogram)
        #expect(types["pool_size_total"] == .gauge)
        #expect(types["odd_one"] == .some(nil), "an unknown type word is no declaration")
        #expect(types["queue_depth"] == .some(nil))
    }

    @Test func openMetricsFamilies() throws {
        let text = """
        # TYPE jobs counter
        jobs_total 5 1700000000
        jobs_created 1699990000 1700000000
        # EOF
        """
        let series = try FixtureReader.parse(text: text, name: "x.om")
        #expect(series.map(\.metricType) == [.counter, .counter])
    }
}
