import AIOpsCore
import Testing
@testable import Fixtures

@Suite struct ExpositionParserTests {
    @Test func prometheusTextWithHelpTypeAndEscapes() throws {
        let text = #"""
        # HELP http_requests_total Requests "served".
        # TYPE http_requests_total counter
        http_requests_total{code="200",path="C:\\tmp \"x\"\nnext"} 1027 1712345678000
        http_requests_total{code="500"} 3 1712345678000

        http_requests_total{path="C:\\tmp \"x\"\nnext", code="200"} 1030 1712345693000
        up 1 1712345693000
        """#
        let series = try FixtureReader.parse(text: text, name: "m.prom")
        #expect(series.count == 3)
        #expect(series[0].labels == Labels(metric: "http_requests_total", ["code": "200", "path": "C:\\tmp \"x\"\nnext"]))
        #expect(series[0].timestamps == [1_712_345_678_000, 1_712_345_693_000])
        #expect(series[0].values == [1027, 1030])
        #expect(series[1].labels == Labels(metric: "http_requests_total", ["code": "500"]))
        #expect(series[2].labels == Labels(metric: "up"))
        #expect(series[2].values == [1])
    }

    @Test func openMetricsTimestampsAreSeconds() throws {
        let text = """
        # TYPE latency summary
        # UNIT latency seconds
        latency{quantile="0.99"} 0.12 1712345678.137
        latency{quantile="0.99"} +Inf 1712345693 # {trace_id="abc"} 0.5 1712345693.001
        latency{quantile="0.99"} NaN 1
        # EOF

        """
        let series = try FixtureReader.parse(text: text, name: "m.om")
        #expect(series.count == 1)
        #expect(series[0].timestamps == [1_712_345_678_137, 1_712_345_693_000, 1000])
        #expect(series[0].values[0] == 0.12)
        #expect(series[0].values[1] == .infinity)
        #expect(series[0].values[2].isNaN)
    }

    @Test func withoutEOFTheMagnitudeDecides() throws {
        let text = "a 1 1712345678\na 2 1712345678500\nb 3 1712345678.25\n"
        let series = try FixtureReader.parse(text: text, name: "m.txt")
        #expect(series[0].timestamps == [1_712_345_678_000, 1_712_345_678_500])
        #expect(series[1].timestamps == [1_712_345_678_250])
    }

    @Test func quotedNamesAndEmptyLabelValues() throws {
        let text = #"{"my.metric", "a.b"="c", empty=""} 1 1712345678000"# + "\n"
        let series = try FixtureReader.parse(text: text, name: "m.prom")
        #expect(series[0].labels == Labels(metric: "my.metric", ["a.b": "c"]))
    }

    @Test(arguments: [
        ("up{job=\"a\"} 1\n", 1, FixtureError.Code.missingTimestamp, "sample has no timestamp; replay needs event time: \"up{job=\"a\"} 1\""),
        ("up 1 1712345678000\nup 2 # {a=\"b\"} 1\n", 2, .missingTimestamp, "sample has no timestamp"),
        ("up 1 1712345678000\nup one 1712345678000\n", 2, .value, "invalid value \"one\""),
        ("up 1 17123x\n", 1, .timestamp, "invalid timestamp \"17123x\""),
        ("up{job=\"a\" 1 1712345678000\n", 1, .syntax, "column 3: unterminated label set"),
        ("up{job=\"a} 1 1712345678000\n", 1, .syntax, "column 3: unterminated quoted string in label set"),
        ("up{job=a} 1 1712345678000\n", 1, .syntax, "column 8: expected a quoted value for label \"job\""),
        ("up{job=\"a\",job=\"b\"} 1 1712345678000\n", 1, .syntax, "column 12: duplicate label \"job\""),
        ("up{1x=\"a\"} 1 1712345678000\n", 1, .syntax, "column 4: expected a label name, found '1'"),
        ("up{job=\"a\"}1 1712345678000\n", 1, .syntax, "column 12: expected a blank and a value"),
        ("up 1 1712345678000 extra\n", 1, .syntax, "column 20: unexpected \"extra\" after the timestamp"),
        ("# TYPE up gauge\n-up 1 2\n", 2, .syntax, "column 1: expected a metric name, found '-'"),
        ("up 1 1712345678\n# EOF\nup 2 1712345679\n", 3, .syntax, "content after # EOF (line 2)"),
        ("{job=\"a\"} 1 1712345678000\n", 1, .syntax, "column 10: missing metric name"),
    ])
    func malformedLines(text: String, line: Int, code: FixtureError.Code, reason: String) {
        #expect {
            _ = try FixtureReader.parse(text: text, name: "bad.prom")
        } throws: { error in
            guard let error = error as? FixtureError else { return false }
            return error.file == "bad.prom" && error.line == line && error.code == code && error.reason.hasPrefix(reason)
        }
    }

    @Test func onlyCommentsIsEmpty() {
        #expect(throws: FixtureError(file: "c.prom", line: nil, code: .empty, reason: "no samples in the file")) {
            _ = try FixtureReader.parse(text: "# HELP up Up.\n# TYPE up gauge\n", name: "c.prom")
        }
    }
}
