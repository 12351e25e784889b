import AIOpsCore
import Incidents
import Testing
@testable import Reports

@Suite struct SparklineTests {
    static let vectors: [([Double], String)] = [
        ([0.0, 1, 2, 3, 4, 5, 6, 7], "▁▂▃▄▅▆▇█"),
        ([7.0, 0], "█▁"),
        ([10.0, 20, 15], "▁█▅"),
        ([-1.0, 0, 1], "▁▅█"),
        ([1.0, 1.1, 1.2, 5], "▁▁▁█"),
        ([0.0, .nan, 7], "▁ █"),
        ([0.0, .infinity, -.infinity, 7], "▁  █"),
        ([5.0, 5, 5], "▄▄▄"),
        ([5.0, .nan, 5], "▄ ▄"),
        ([Double.nan, .nan], "  "),
        ([], ""),
        ([-Double.greatestFiniteMagnitude, 0, Double.greatestFiniteMagnitude], "▁▅█"),
    ]

    @Test(arguments: SparklineTests.vectors)
    func knownVectors(values: [Double], line: String) {
        let sparkline = Sparkline(values: values)
        #expect(sparkline.line == line)
        #expect(sparkline.marker == "")
    }

    @Test func minimumAndMaximumIgnoreNaN() {
        let sparkline = Sparkline(values: [3, .nan, 1, 2])
        #expect(sparkline.minimum == 1 && sparkline.maximum == 3)
        let empty = Sparkline(values: [.nan])
        #expect(empty.minimum == nil && empty.maximum == nil)
    }

    static let markings: [([Bool], String)] = [
        ([false, false, true, true], "  ^^"),
        ([false, true, false, false], " ^"),
        ([true], "^"),
        ([], ""),
        ([false, false, false, false, true], ""),  // marks past the values are ignored
    ]

    @Test(arguments: SparklineTests.markings)
    func marking(marked: [Bool], marker: String) {
        let sparkline = Sparkline(values: [1, 2, 3, 4], marked: marked)
        #expect(sparkline.marker == marker)
        #expect(sparkline.line == "▁▃▆█")
    }

    @Test func incidentMarksSamplesAtOrAfterItsStart() {
        var incident = TestIncidents.leak()
        incident.recentValues = [1, 1, 1, 5, 9]
        incident.recentTimestamps = [100, 200, 300, 400, 500]
        incident.start = 300
        let sparkline = Sparkline(incident: incident)
        #expect(sparkline.line == "▁▁▁▅█")
        #expect(sparkline.marker == "  ^^^")
    }

    @Test func longHistoriesAreGroupedKeepingSpikesAndMarks() {
        var values = [Double](repeating: 0, count: 120)
        values[77] = 10
        let marked = (0..<120).map { $0 >= 100 }
        let sparkline = Sparkline(values: values, marked: marked, width: 60)
        #expect(sparkline.line.count == 60)
        #expect(sparkline.line == String(repeating: "▁", count: 38) + "█" + String(repeating: "▁", count: 21))
        #expect(sparkline.marker == String(repeating: " ", count: 50) + String(repeating: "^", count: 10))
        // One column has no range to scale: it is drawn flat.
        #expect(Sparkline(values: values, width: 1).line == "▄")
    }

    @Test func slackSectionShowsTheSparklineInACodeBlock() throws {
        var incident = TestIncidents.leak()
        incident.recentValues = [1, 1, 1, 5, 9].map { $0 * TestIncidents.gib }
        incident.recentTimestamps = [0, 1, 2, 3, 4].map { incident.start + ($0 - 2) * 600_000 }
        let message = SlackReportBuilder().firing(incident, workspace: "w", now: TestIncidents.now)
        let section = try #require(message.textObjects.first { $0.text.hasPrefix("*Recent values*") })
        #expect(section.text == "*Recent values* (last 40m; min 1.00 GiB, max 9.00 GiB; ^ anomalous)\n```\n▁▁▁▅█\n  ^^^\n```")
    }
}

@Suite struct ValueFormattingTests {
    static let byteCases: [(Double, String)] = [
        (0.0, "0 B"), (512, "512 B"), (1536, "1.50 KiB"), (1.5 * 1_073_741_824, "1.50 GiB"),
        (45.2 * 1_048_576, "45.2 MiB"), (1023 * 1_048_576, "1023.0 MiB"), (-2048, "-2.00 KiB"),
        (1.25 * 1_099_511_627_776, "1.25 TiB"),
    ]

    @Test(arguments: ValueFormattingTests.byteCases)
    func bytes(value: Double, text: String) {
        #expect(formatValue(value, metric: "container_memory_working_set_bytes") == text)
    }

    static let secondCases: [(Double, String)] = [
        (0.0, "0 s"), (0.25, "250 ms"), (0.0000005, "0.50 µs"), (1.5, "1.50 s"), (200, "3m 20s"), (7200, "2h"),
    ]

    @Test(arguments: ValueFormattingTests.secondCases)
    func seconds(value: Double, text: String) {
        #expect(formatValue(value, metric: "http_request_duration_seconds") == text)
    }

    static let plainCases: [(Double, String)] = [
        (3.0, "3"), (0.95, "0.95"), (0.00012, "0.00012"), (12_345, "12.3k"), (1e9, "1G"), (-1500, "-1500"), (-15_000, "-15k"),
        (.nan, "unknown"), (.infinity, "unknown"), (-.infinity, "unknown"),
    ]

    @Test(arguments: ValueFormattingTests.plainCases)
    func plain(value: Double, text: String) {
        #expect(formatValue(value, metric: "up") == text)
    }

    @Test func countersOfBytesAndRates() {
        #expect(formatValue(2048, metric: "node_network_receive_bytes_total") == "2.00 KiB")
        #expect(formatRate(perHour: 45.2 * 1_048_576, metric: "x_bytes") == "+45.2 MiB/h")
        #expect(formatRate(perHour: -1024, metric: "x_bytes") == "-1.00 KiB/h")
        #expect(formatRate(perHour: 0, metric: "x") == "+0/h")
        #expect(formatScore(0.966) == "0.97")
    }
}
