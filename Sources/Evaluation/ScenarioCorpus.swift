import AIOpsCore
import Fixtures
import Foundation
import Incidents
import Replay
import Rules

/// The scenario corpus: a directory of CSVs and the `labels.json` that says, per case, which
/// series it is and when an incident must start. `aiops evaluate DIR` replays every case
/// through the same pipeline as serve and scores the incidents that fired.
public struct ScenarioCorpus: Sendable {
    /// The labels file's name inside a corpus directory.
    public static let labelsFileName = "labels.json"

    public var directory: String
    public var cases: [ScenarioCase]

    public init(directory: String, cases: [ScenarioCase]) {
        self.directory = directory
        self.cases = cases
    }

    /// Whether a directory holds a scenario corpus (a `labels.json`).
    public static func isCorpus(directory: String) -> Bool {
        FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(labelsFileName))
    }

    /// Loads `DIR/labels.json`.
    /// - Throws: `ScenarioLabelsError` naming the file and the key at fault.
    public static func load(directory: String) throws(ScenarioLabelsError) -> ScenarioCorpus {
        let path = (directory as NSString).appendingPathComponent(labelsFileName)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioLabelsError(file: path, key: "", reason: "cannot read: \(error.localizedDescription)")
        }
        return ScenarioCorpus(directory: directory, cases: try parse(data, source: path))
    }

    /// Parses the text of a labels file: `{"cases": [{...}, ...]}`.
    /// - Parameter source: where the text came from, for errors.
    /// - Throws: `ScenarioLabelsError` naming `source` and the key at fault.
    public static func parse(_ data: Data, source: String = labelsFileName) throws(ScenarioLabelsError) -> [ScenarioCase] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ScenarioLabelsError(file: source, key: "", reason: "not valid JSON")
        }
        guard let object = root as? [String: Any] else {
            throw ScenarioLabelsError(file: source, key: "", reason: "the top level must be an object {\"cases\": [...]}")
        }
        guard let list = object["cases"] else { throw ScenarioLabelsError(file: source, key: "cases", reason: "missing") }
        guard let items = list as? [Any] else { throw ScenarioLabelsError(file: source, key: "cases", reason: "must be a list of cases") }
        var cases: [ScenarioCase] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            let scenario = try ScenarioCase.decode(item, source: source, key: "cases[\(index)]")
            guard seen.insert(scenario.name).inserted else {
                throw ScenarioLabelsError(file: source, key: "cases[\(index)].name", reason: "duplicate case name \"\(scenario.name)\"")
            }
            cases.append(scenario)
        }
        return cases
    }

    /// The path of a file named in the labels.
    public func path(_ file: String) -> String {
        (directory as NSString).appendingPathComponent(file)
    }

    /// Reads a case's series: the main one first, then its companions.
    /// - Throws: `FixtureError` naming the file.
    public func series(of scenario: ScenarioCase) throws(FixtureError) -> [FixtureSeries] {
        var series = try FixtureReader.read(path: path(scenario.file), metric: scenario.identity, format: .csv)
        for companion in scenario.companions {
            series += try FixtureReader.read(path: path(companion.file), metric: companion.identity, format: .csv)
        }
        return series
    }

    /// Replays and scores every case.
    /// - Parameters:
    ///   - rules: the rule set (the shipped `rules/` by default in the command).
    ///   - progress: called after each case with (done, total, case name).
    /// - Returns: the report; cases whose files could not be read fail with the reason.
    public func run(rules: RuleSet, progress: (Int, Int, String) -> Void = { _, _, _ in }) -> ScenarioReport {
        let replayer = Replayer(rules: rules)
        var results: [ScenarioResult] = []
        for (index, scenario) in cases.enumerated() {
            results.append(run(scenario, replayer: replayer))
            progress(index + 1, cases.count, scenario.name)
        }
        return ScenarioReport(results: results)
    }

    func run(_ scenario: ScenarioCase, replayer: Replayer) -> ScenarioResult {
        let series: [FixtureSeries]
        do {
            series = try self.series(of: scenario)
        } catch {
            return .failed(scenario, error: error.description)
        }
        let replay = replayer.replay(series: series, name: path(scenario.file))
        // The recorder keeps incidents that fired (a cancelled pending episode never reaches a
        // sink); `firedAt` is checked all the same.
        let fired = replay.incidents.compactMap { incident in
            incident.firedAt.map { ScenarioIncident(rule: incident.rule, start: incident.start, firedAt: $0) }
        }
        let main = series[0].timestamps
        return ScenarioResult.score(scenario, incidents: fired, first: main.min() ?? 0, last: main.max() ?? 0)
    }
}
