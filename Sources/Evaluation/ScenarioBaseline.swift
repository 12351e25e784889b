import Foundation

/// Which scenario cases passed at some point (`--write-baseline`), so a later run can tell a
/// regression (a case that passed then and fails now, or is gone) from a case that never passed.
public struct ScenarioBaseline: Sendable, Equatable, Codable {
    /// Case names, sorted.
    public var passing: [String]
    public var failing: [String]

    public init(passing: [String], failing: [String]) {
        self.passing = passing.sorted()
        self.failing = failing.sorted()
    }

    public init(_ report: ScenarioReport) {
        self.init(passing: report.results.filter(\.passed).map(\.name), failing: report.results.filter { !$0.passed }.map(\.name))
    }

    /// Cases that pass in the baseline and fail in `report`, or are missing from it, sorted.
    public func regressions(in report: ScenarioReport) -> [String] {
        let now = Dictionary(report.results.map { ($0.name, $0.passed) }, uniquingKeysWith: { $0 && $1 })
        return passing.filter { now[$0] != true }
    }

    /// Whether a regressed case is missing from the report rather than failing.
    public static func isMissing(_ name: String, in report: ScenarioReport) -> Bool {
        !report.results.contains { $0.name == name }
    }

    /// Loads a baseline file.
    /// - Throws: `ScenarioLabelsError` naming the file (the key is the one at fault, if any).
    public static func load(path: String) throws(ScenarioLabelsError) -> ScenarioBaseline {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioLabelsError(file: path, key: "", reason: "cannot read baseline: \(error.localizedDescription)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ScenarioLabelsError(file: path, key: "", reason: "a baseline must be a JSON object {\"passing\": [...], \"failing\": [...]}")
        }
        var lists: [String: [String]] = [:]
        for key in ["passing", "failing"] {
            guard let list = object[key] as? [String] else { throw ScenarioLabelsError(file: path, key: key, reason: "must be a list of case names") }
            lists[key] = list
        }
        return ScenarioBaseline(passing: lists["passing"]!, failing: lists["failing"]!)
    }

    /// The baseline as JSON text, one name per line.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Two lists of strings: cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self) + "\n"
    }
}
