import AIOpsCore
import Foundation
import Testing
@testable import Replay

/// A CSV carries no series name: replay says which one it used and how to set another.
@Suite struct SeriesNameNoteTests {
    static let csv: String = {
        let path = NSTemporaryDirectory() + "aiops-note-tests-node_load1.csv"
        try? "timestamp,value\n2026-03-02 00:00:00,1\n2026-03-02 00:01:00,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    @Test func aCSVWithoutMetricNamesItsSeriesAfterTheFileAndSaysSo() throws {
        let result = try Replayer(rules: try FixtureReplayTests.rules()).replay(path: Self.csv)
        #expect(result.seriesNamedAfterFile == "aiops_note_tests_node_load1")
        #expect(ReplayText.render(result).contains(
            "\n  series aiops_note_tests_node_load1: named after the file; set another name and labels with --metric 'name{label=\"value\"}'\n  no incidents\n"))
    }

    @Test func noNoteWhenTheNameIsGivenOrTheFileCarriesIt() throws {
        let replayer = Replayer(rules: try FixtureReplayTests.rules())
        let named = try replayer.replay(path: Self.csv, metric: Labels(metric: "node_load1", ["instance": "a"]))
        #expect(named.seriesNamedAfterFile == nil)
        #expect(!ReplayText.render(named).contains("named after the file"))
        let labelsOnly = try replayer.replay(path: Self.csv, metric: Labels(["instance": "a"]))
        #expect(labelsOnly.seriesNamedAfterFile == "aiops_note_tests_node_load1", "labels without a name: the name still comes from the file")
        #expect(try replayer.replay(path: SlackReplayTests.fixture).seriesNamedAfterFile == nil)
    }
}
