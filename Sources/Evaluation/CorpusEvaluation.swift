import AIOpsCore
import Fixtures
import Foundation
import Pipeline
import Replay
import Rules

/// `aiops evaluate`: replays every CSV under a data directory through the same pipeline as
/// serve, and scores the per-row anomaly scores the NAB way.
public struct CorpusEvaluation {
    public var dataDirectory: String
    public var windows: NABWindows
    public var rules: RuleSet

    public init(dataDirectory: String, windows: NABWindows, rules: RuleSet) {
        self.dataDirectory = dataDirectory
        self.windows = windows
        self.rules = rules
    }

    /// The CSV files under the data directory, relative to it, sorted.
    public func files() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: dataDirectory) else { return [] }
        var out: [String] = []
        while let path = enumerator.nextObject() as? String {
            if path.hasSuffix(".csv") { out.append(path) }
        }
        return out.sorted()
    }

    /// Replays and scores every file.
    /// - Parameter progress: called after each file with (done, total, file).
    /// - Returns: one result per profile, and the files that could not be read.
    public func run(profiles: [NABProfile], progress: (Int, Int, String) -> Void = { _, _, _ in }) -> (results: [NABResult], failures: [FixtureError]) {
        let (nabFiles, failures) = replayAll(progress: progress)
        return (NABScorer.evaluate(nabFiles, profiles: profiles), failures)
    }

    /// Replays every file into NAB's per-row detections (see `incidentStarts`).
    public func replayAll(progress: (Int, Int, String) -> Void = { _, _, _ in }) -> (files: [NABFile], failures: [FixtureError]) {
        let paths = files()
        let replayer = Replayer(rules: rules)
        var nabFiles: [NABFile] = []
        var failures: [FixtureError] = []
        for (index, relative) in paths.enumerated() {
            let full = (dataDirectory as NSString).appendingPathComponent(relative)
            do {
                // NAB files are one series each: `value` named after the file.
                let result = try replayer.replay(path: full, keepScores: true)
                guard let series = result.series.first else { continue }
                let detections = Self.incidentStarts(result, series: series)
                nabFiles.append(NABFile(name: relative, timestamps: series.timestamps, scores: detections, windows: windows.windows(for: relative)))
            } catch {
                failures.append(error)
            }
            progress(index + 1, paths.count, relative)
        }
        return (nabFiles, failures)
    }

    /// NAB's "detection" is what a user is told: the row where an incident fires, scored with
    /// the detector's score on that row; every other row is 0. An anomaly that lasts is one
    /// detection (the incident), not one per anomalous row, and no detector-side hold is needed
    /// to say so.
    static func incidentStarts(_ result: ReplayResult, series: FixtureSeries) -> [Double] {
        var out = [Double](repeating: 0, count: series.timestamps.count)
        let scores = result.scores.first ?? []
        for incident in result.incidents {
            guard let fired = incident.firedAt else { continue }
            let row = series.timestamps.partitioningIndex { $0 >= fired }
            guard row < out.count else { continue }
            out[row] = max(out[row], row < scores.count ? max(scores[row], 0.5) : 0.5)
        }
        return out
    }
}
