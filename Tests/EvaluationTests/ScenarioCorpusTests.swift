import AIOpsCore
import Fixtures
import Foundation
import Testing
@testable import Evaluation

@Suite struct ScenarioCorpusTests {
    static let valid = """
    {"cases": [
      {"file": "a.csv", "metric": "container_memory_working_set_bytes{namespace=\\"shop\\", pod=\\"api-1\\", container=\\"api\\"}",
       "description": "a leak", "kind": "event", "rule": "container-memory-leak",
       "windows": [["2026-03-02 12:00:00", "2026-03-02 20:00:00"]],
       "companions": [{"file": "a--limit.csv", "metric": "container_spec_memory_limit_bytes{pod=\\"api-1\\"}"}]},
      {"name": "n-1", "file": "n.csv", "metric": "noise_gaussian", "kind": "noise", "family": "gaussian", "windows": [],
       "ignoreBefore": "2026-03-03 00:00:00"}
    ]}
    """

    @Test func decodesCases() throws {
        let cases = try ScenarioCorpus.parse(Data(Self.valid.utf8), source: "labels.json")
        #expect(cases.count == 2)
        #expect(cases[0].name == "a")
        #expect(cases[0].identity.metricName == "container_memory_working_set_bytes")
        #expect(cases[0].identity["pod"] == "api-1")
        #expect(cases[0].rule == "container-memory-leak")
        #expect(cases[0].windows == [try #require(TimeFormat.parse("2026-03-02 12:00:00"))...(try #require(TimeFormat.parse("2026-03-02 20:00:00")))])
        #expect(cases[0].companions.map(\.file) == ["a--limit.csv"])
        #expect(cases[1].name == "n-1" && cases[1].kind == .noise && cases[1].family == "gaussian")
        #expect(cases[1].ignoreBefore == TimeFormat.parse("2026-03-03 00:00:00"))
    }

    static let malformed: [(String, String)] = [
        ("{not json", "labels.json: not valid JSON"),
        ("[]", #"labels.json: the top level must be an object {"cases": [...]}"#),
        ("{}", "labels.json: cases: missing"),
        (#"{"cases": {}}"#, "labels.json: cases: must be a list of cases"),
        (#"{"cases": [3]}"#, "labels.json: cases[0]: a case must be an object"),
        (#"{"cases": [{"metric": "m", "kind": "event", "windows": []}]}"#, "labels.json: cases[0].file: missing"),
        (#"{"cases": [{"file": "a.csv", "kind": "event", "windows": []}]}"#, "labels.json: cases[0].metric: missing"),
        (#"{"cases": [{"file": "a.csv", "metric": 5, "kind": "event", "windows": []}]}"#, "labels.json: cases[0].metric: must be a non-empty string"),
        (#"{"cases": [{"file": "a.csv", "metric": "m", "kind": "spike", "windows": []}]}"#,
         #"labels.json: cases[0].kind: must be "event" or "noise", not "spike""#),
        (#"{"cases": [{"file": "a.csv", "metric": "m", "kind": "event"}]}"#,
         "labels.json: cases[0].windows: missing (an empty list means no incident may fire)"),
        (#"{"cases": [{"file": "a.csv", "metric": "m", "kind": "event", "windows": [["2026-03-02 00:00:00"]]}]}"#,
         "labels.json: cases[0].windows[0]: must be a [start, end] pair"),
        (#"{"cases": [{"file": "a.csv", "metric": "m", "kind": "event", "windows": [["2026-03-02 00:00:00", "2026-13-02 00:00:00"]]}]}"#,
         #"labels.json: cases[0].windows[0][1]: bad timestamp "2026-13-02 00:00:00""#),
        (#"{"cases": [{"file": "a.csv", "metric": "m", "kind": "event", "windows": [["2026-03-03 00:00:00", "2026-03-02 00:00:00"]]}]}"#,
         "labels.json: cases[0].windows[0]: ends before it starts"),
        (#"{"cases": [{"file": "a.csv", "metric": "m", "kind": "noise", "windows": [["2026-03-02 00:00:00", "2026-03-02 01:00:00"]]}]}"#,
         "labels.json: cases[0].windows: a noise case has no windows"),
        (#"{"cases": [{"file": "a.csv", "metric": "m", "kind": "event", "windows": []}, {"file": "b.csv", "metric": "m", "kind": "event", "windows": [], "companions": [{"file": "c.csv"}]}]}"#,
         "labels.json: cases[1].companions[0].metric: must be a non-empty string"),
        (#"{"cases": [{"file": "a.csv", "metric": "m", "kind": "event", "windows": []}, {"file": "x/a.csv", "metric": "m", "kind": "event", "windows": []}]}"#,
         #"labels.json: cases[1].name: duplicate case name "a""#),
    ]

    @Test(arguments: malformed)
    func errorsNameTheFileAndKey(json: String, message: String) {
        #expect {
            try ScenarioCorpus.parse(Data(json.utf8), source: "labels.json")
        } throws: { error in
            (error as? ScenarioLabelsError)?.description == message
        }
    }

    @Test func aBadMetricNamesItsKey() {
        let json = #"{"cases": [{"file": "a.csv", "metric": "m{a=}", "kind": "event", "windows": []}]}"#
        #expect {
            try ScenarioCorpus.parse(Data(json.utf8), source: "labels.json")
        } throws: { error in
            guard let error = error as? ScenarioLabelsError else { return false }
            return error.file == "labels.json" && error.key == "cases[0].metric" && error.reason.hasPrefix("bad series identity")
        }
    }

    @Test func aMissingLabelsFileIsNamed() {
        #expect(throws: ScenarioLabelsError.self) { try ScenarioCorpus.load(directory: "/nonexistent/scenarios") }
        #expect(!ScenarioCorpus.isCorpus(directory: "/nonexistent/scenarios"))
    }

    /// The shipped corpus: every file it lists exists, and every window lies inside its
    /// file's time range. Replays nothing (that is `aiops evaluate fixtures/scenarios`).
    @Test func theShippedLabelsMatchTheShippedFiles() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = repo.appendingPathComponent("fixtures/scenarios").path
        let corpus = try ScenarioCorpus.load(directory: directory)
        #expect(corpus.cases.count >= 13 + 12 + 10 + 8 * 3)
        #expect(Set(corpus.cases.compactMap(\.family)).count >= 8)
        for scenario in corpus.cases {
            for file in [scenario.file] + scenario.companions.map(\.file) {
                #expect(FileManager.default.fileExists(atPath: corpus.path(file)), "\(scenario.name): \(file) is missing")
            }
            let series = try FixtureReader.read(path: corpus.path(scenario.file), metric: scenario.identity, format: .csv)
            let first = try #require(series.first?.timestamps.first)
            let last = try #require(series.first?.timestamps.last)
            for window in scenario.windows {
                #expect(first <= window.lowerBound && window.upperBound <= last,
                        "\(scenario.name): window \(TimeFormat.plain(window.lowerBound)) .. \(TimeFormat.plain(window.upperBound)) outside the file")
            }
            if let ignoreBefore = scenario.ignoreBefore { #expect(first <= ignoreBefore && ignoreBefore <= last, "\(scenario.name)") }
        }
    }
}
