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
                nabFiles.append(NABFile(name: relative, timestamps: series.timestamps, scores: result.scores[0], windows: windows.windows(for: relative)))
            } catch {
                failures.append(error)
            }
            progress(index + 1, paths.count, relative)
        }
        return (NABScorer.evaluate(nabFiles, profiles: profiles), failures)
    }
}
