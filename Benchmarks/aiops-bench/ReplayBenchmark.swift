import AIOpsCore
import Fixtures
import Foundation
import Replay
import Rules

/// `Replayer` throughput over the NAB subset: every CSV under the data directory, read once
/// (untimed), then replayed through the pipeline (all detectors, the `auto` rule) per run.
enum ReplayBenchmark {
    static let name = "replay.nab"

    static func run(_ options: BenchmarkOptions, report: Report) {
        guard options.selects(name) else { return }
        let directory = options.nabDirectory
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            report.skip(name, because: "no NAB data at \(directory) (use --nab DIR)")
            return
        }
        let paths = enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".csv") }.sorted()
        var files: [(String, [FixtureSeries])] = []
        for path in paths {
            do {
                files.append((path, try FixtureReader.read(path: directory + "/" + path)))
            } catch {
                note("replay: skipping \(path): \(error)")
            }
        }
        guard !files.isEmpty else {
            report.skip(name, because: "no readable CSV under \(directory)")
            return
        }
        let replayer = Replayer(rules: RuleSet(rules: []))
        var samples = 0
        let values = Harness.measure(runs: options.quick ? 2 : max(3, options.runs / 2)) {
            samples = 0
            let elapsed = Harness.seconds {
                for (path, series) in files {
                    let result = replayer.replay(series: series, name: path)
                    samples += result.samples
                }
            }
            return Double(samples) / elapsed
        }
        report.add(BenchmarkResult(
            name: name, unit: "samples/s", values: values,
            extra: [("files", Double(files.count)), ("samples", Double(samples))],
            note: "one pipeline per file, auto rule; CSV parsing not timed"))
    }
}
