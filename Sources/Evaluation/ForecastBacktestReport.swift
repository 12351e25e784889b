import AIOpsCore
import Fixtures
import Foundation

/// One input of the backtest: a metric file, or a scenario corpus' case (its file with the
/// identity the labels give, and its companions).
public struct ForecastBacktestInput: Sendable {
    public var path: String
    public var corpus: ScenarioCorpus?
    public var scenario: ScenarioCase?

    public init(path: String, corpus: ScenarioCorpus? = nil, scenario: ScenarioCase? = nil) {
        self.path = path
        self.corpus = corpus
        self.scenario = scenario
    }

    /// The series to replay.
    /// - Throws: `FixtureError` naming the file.
    public func read() throws(FixtureError) -> [FixtureSeries] {
        if let corpus, let scenario { return try corpus.series(of: scenario) }
        return try FixtureReader.read(path: path)
    }
}

/// The forecast backtest over many files: per series and the medians.
public struct ForecastBacktestReport: Sendable {
    public var scores: [ForecastScore]
    /// Series that never had a warm seasonal state (too short), by file.
    public var skipped: [String]

    public init(scores: [ForecastScore], skipped: [String]) {
        self.scores = scores
        self.skipped = skipped
    }

    /// The metric files under `paths` (or the files themselves), sorted: `.csv`, `.prom`,
    /// `.om`, `.txt`, and `.json` files holding a `query_range` result (not a corpus'
    /// `labels.json` or a fixture's `expect.json`). In a scenario corpus (a directory with a
    /// `labels.json`) each case is one input with the series identity the labels give (so a
    /// counter is forecast as its rate) and its companion series.
    public static func inputs(in paths: [String]) -> [ForecastBacktestInput] {
        var out: [ForecastBacktestInput] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                out.append(ForecastBacktestInput(path: path))  // the reader reports a missing file
                continue
            }
            guard let enumerator = manager.enumerator(atPath: path) else { continue }
            var found: [ForecastBacktestInput] = []
            var corpusFiles = Set<String>()
            var candidates: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let full = (path as NSString).appendingPathComponent(relative)
                if (relative as NSString).lastPathComponent == ScenarioCorpus.labelsFileName {
                    let directory = (full as NSString).deletingLastPathComponent
                    guard let corpus = try? ScenarioCorpus.load(directory: directory) else { continue }
                    for scenario in corpus.cases {
                        found.append(ForecastBacktestInput(path: corpus.path(scenario.file), corpus: corpus, scenario: scenario))
                        corpusFiles.insert(corpus.path(scenario.file))
                        for companion in scenario.companions { corpusFiles.insert(corpus.path(companion.file)) }
                    }
                    continue
                }
                switch (relative as NSString).pathExtension.lowercased() {
                case "csv", "prom", "om", "txt":
                    candidates.append(full)
                case "json":
                    if let head = manager.contents(atPath: full)?.prefix(4096), String(decoding: head, as: UTF8.self).contains("\"resultType\"") {
                        candidates.append(full)
                    }
                default:
                    break
                }
            }
            found += candidates.filter { !corpusFiles.contains($0) }.map { ForecastBacktestInput(path: $0) }
            out += found.sorted { $0.path < $1.path }
        }
        return out
    }

    /// The median of the series' MASE (nil without any).
    public var medianMASE: Double? { Self.median(scores.compactMap(\.mase)) }
    public var medianCoverage: Double? { Self.median(scores.compactMap(\.coverage)) }
    /// Coverage over every target of every series.
    public var pooledCoverage: Double? {
        let targets = scores.reduce(0) { $0 + $1.targets }
        return targets > 0 ? Double(scores.reduce(0) { $0 + $1.covered }) / Double(targets) : nil
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// A table: one row per series (MASE, coverage, origins, targets, series), then the
    /// medians and the coverage over all targets.
    public func text() -> String {
        var lines = ["  MASE  coverage  origins  targets  series"]
        for score in scores {
            var line = score.mase.map { String(format: "%6.3f", $0) } ?? "     -"
            line += score.coverage.map { String(format: "  %7.1f%%", 100 * $0) } ?? "         -"
            line += String(format: "  %7d  %7d  ", score.origins, score.targets) + Self.name(score)
            lines.append(line)
        }
        lines.append("")
        var summary = "series: \(scores.count)"
        if !skipped.isEmpty {
            summary += "; no forecast (under two days, or no seasonal or auto detector): \(skipped.joined(separator: ", "))"
        }
        lines.append(summary)
        lines.append("median MASE (against the seasonal-naive forecast, yesterday's value): " + (medianMASE.map { String(format: "%.3f", $0) } ?? "-"))
        lines.append("80% interval coverage: median " + (medianCoverage.map { String(format: "%.1f%%", 100 * $0) } ?? "-")
            + ", over all targets " + (pooledCoverage.map { String(format: "%.1f%%", 100 * $0) } ?? "-"))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The file and, for a file of several series, the series.
    static func name(_ score: ForecastScore) -> String {
        score.seriesInFile > 1 ? "\(score.file) \(score.labels)" : score.file
    }
}

extension ForecastBacktestReport {
    /// One JSON document: per series and the summary.
    public func json() -> String {
        let series: [[String: Any]] = scores.map { score in
            [
                "file": score.file, "labels": score.labels.dictionary, "origins": score.origins, "targets": score.targets,
                "mase": score.mase.map { Self.rounded($0) } ?? NSNull(),
                "coverage": score.coverage.map { Self.rounded($0) } ?? NSNull(),
            ]
        }
        let object: [String: Any] = [
            "series": series,
            "skipped": skipped,
            "medianMASE": medianMASE.map { Self.rounded($0) } ?? NSNull(),
            "medianCoverage": medianCoverage.map { Self.rounded($0) } ?? NSNull(),
            "pooledCoverage": pooledCoverage.map { Self.rounded($0) } ?? NSNull(),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func rounded(_ value: Double) -> Double { (value * 1e4).rounded() / 1e4 }

    /// Per hour of horizon, over every series: the mean of the series' MASE on that hour's
    /// targets, the coverage over them, and the mean interval width over the naive error.
    public func byHourText() -> String {
        guard let hours = scores.first?.byHour.count else { return "" }
        var lines = ["hour  targets  mean MASE  coverage  width/naive error"]
        for h in 0..<hours {
            let rows = scores.map { $0.byHour[h] }.filter { $0.targets > 0 && $0.naiveAbsoluteError > 0 }
            guard !rows.isEmpty else { continue }
            let targets = rows.reduce(0) { $0 + $1.targets }
            let mase = rows.reduce(0.0) { $0 + $1.modelAbsoluteError / $1.naiveAbsoluteError } / Double(rows.count)
            let covered = rows.reduce(0) { $0 + $1.covered }
            let width = rows.reduce(0.0) { $0 + $1.width / $1.naiveAbsoluteError } / Double(rows.count)
            lines.append(String(format: "%4d  %7d  %9.3f  %7.1f%%  %17.2f", h + 1, targets, mase, 100 * Double(covered) / Double(targets), width))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
