import Foundation
import Testing

/// `aiops forecast` and `aiops evaluate --forecast` as a user runs them. Skipped when the
/// binary is not built.
@Suite(.enabled(if: AIOpsBinary.available, "needs .build/debug/aiops (swift build)"))
struct ForecastCommandTests {
    /// Three days of a daily wave at 5-minute steps in a CSV, in a directory of its own.
    static func waveFile() throws -> (directory: String, file: String) {
        let directory = NSTemporaryDirectory() + "aiops-forecast-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var text = "timestamp,value\n"
        let start = 1_772_409_600  // 2026-03-02 00:00 UTC
        for i in 0..<(4 * 288) {
            let seconds = i * 300
            text += "\(start + seconds),\(100 + 40 * sin(2 * Double.pi * Double(seconds) / 86_400) + Double(i % 5))\n"
        }
        let file = directory + "/orders.csv"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return (directory, file)
    }

    @Test func forecastPrintsTextJSONAndCSV() throws {
        let (directory, file) = try Self.waveFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = try AIOpsBinary.run(["forecast", file, "--rules", ReplayCommandTests.rules, "--hours", "6"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("orders (auto): from 2026-03-05T23:55:00Z, 80% interval\n  2026-03-06T00:00:00Z  "), "\(text.stdout)")
        #expect(text.stdout.split(separator: "\n").count == 7)

        let json = try AIOpsBinary.run(["forecast", file, "--rules", ReplayCommandTests.rules, "--format", "json", "--step", "30m", "--hours", "2"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let result = ((object?["data"] as? [String: Any])?["result"] as? [[String: Any]])?.first
        #expect((result?["metric"] as? [String: String])?["__name__"] == "orders")
        #expect((result?["values"] as? [Any])?.count == 4)

        let csv = try AIOpsBinary.run(["forecast", file, "--rules", ReplayCommandTests.rules, "--format", "csv", "--hours", "1"])
        #expect(csv.stdout.hasPrefix("series,transform,timestamp,value,lower,upper\n\"orders\",none,2026-03-06T00:00:00Z,"), "\(csv.stdout)")
    }

    @Test(arguments: [["--hours", "72"], ["--step", "5s"], ["--format", "yaml"], ["--match", "orders{"]])
    func badOptionsAreUsageErrors(_ options: [String]) throws {
        let run = try AIOpsBinary.run(["forecast", "whatever.csv"] + options)
        #expect(run.status == 2, "\(options): \(run.stderr)")
        #expect(run.stderr.hasPrefix("aiops: --"), "\(run.stderr)")
    }

    @Test func evaluateForecastPrintsMedians() throws {
        let (directory, _) = try Self.waveFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try AIOpsBinary.run(["evaluate", "--forecast", directory, "--rules", ReplayCommandTests.rules, "--quiet", "--by-hour"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("orders.csv\n"))
        #expect(run.stdout.contains("median MASE (against the seasonal-naive forecast, yesterday's value): "))
        #expect(run.stdout.contains("80% interval coverage: median "))
        #expect(run.stdout.contains("hour  targets  mean MASE  coverage"))
        let help = try AIOpsBinary.run(["forecast", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--hours N"))
    }
}
