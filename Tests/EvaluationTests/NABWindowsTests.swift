import AIOpsCore
import Foundation
import Testing
@testable import Evaluation

@Suite struct NABWindowsTests {
    @Test(.enabled(if: NABTestSupport.nabDirectory != nil, "needs ../shared/nab"))
    func loadsTheRealWindowsFile() throws {
        let windows = try NABWindows.load(path: NABTestSupport.nabDirectory! + "/windows.json")
        #expect(windows.files.count == 30)
        #expect(windows.count == 55)
        let flat = try #require(TimeFormat.parse("2014-04-10 07:15:00")) ... #require(TimeFormat.parse("2014-04-11 16:45:00"))
        #expect(windows.windows(for: "artificialWithAnomaly/art_daily_flatmiddle.csv") == [flat])
        #expect(windows.windows(for: "./artificialWithAnomaly/art_daily_flatmiddle.csv") == [flat])
        #expect(windows.windows(for: "realKnownCause/nyc_taxi.csv").count == 5)
        #expect(windows.windows(for: "missing.csv").isEmpty)
        for file in windows.files {
            let ranges = windows.windows(for: file)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound < $1.lowerBound }, "\(file)")
        }
    }

    @Test func parsesInlineWindowsInTimeOrder() throws {
        let json = """
        {"b/x.csv": [["2014-01-03 00:00:00.000000", "2014-01-03 01:00:00.000000"],
                     ["2014-01-01 00:00:00.500000", "2014-01-01 00:10:00.000000"]],
         "a.csv": []}
        """
        let windows = try NABWindows.parse(Data(json.utf8))
        #expect(windows.files == ["a.csv", "b/x.csv"])
        let first = try #require(TimeFormat.parse("2014-01-01 00:00:00"))
        #expect(windows.windows(for: "b/x.csv").first == (first + 500)...(first + 600_000))
        #expect(windows.windows(for: "b/x.csv").count == 2)
        #expect(windows.windows(for: "a.csv").isEmpty)
    }

    static let malformed: [(String, NABWindowsError)] = [
        ("{not json", .notAnObject(source: "w.json", reason: "not valid JSON")),
        ("[1, 2]", .notAnObject(source: "w.json", reason: "the top level is not an object")),
        (#"{"a.csv": "2014-01-01"}"#, .notAList(source: "w.json", file: "a.csv")),
        (#"{"a.csv": [["2014-01-01 00:00:00"]]}"#, .malformedEntry(source: "w.json", file: "a.csv", entry: 0)),
        (#"{"a.csv": [["2014-01-01 00:00:00", 5]]}"#, .malformedEntry(source: "w.json", file: "a.csv", entry: 0)),
        (#"{"a.csv": [["2014-01-01 00:00:00", "2014-01-02 00:00:00"], ["2014-13-01 00:00:00", "2014-01-03 00:00:00"]]}"#,
         .badTimestamp(source: "w.json", file: "a.csv", entry: 1, text: "2014-13-01 00:00:00")),
        (#"{"a.csv": [["2014-01-02 00:00:00", "2014-01-01 00:00:00"]]}"#, .reversed(source: "w.json", file: "a.csv", entry: 0)),
        (#"{"a.csv": [["2014-01-05 00:00:00", "2014-01-06 00:00:00"], ["2014-01-01 00:00:00", "2014-01-05 00:00:00"]]}"#,
         .overlapping(source: "w.json", file: "a.csv", entry: 1)),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedWindows(json: String, expected: NABWindowsError) {
        #expect(throws: expected) { try NABWindows.parse(Data(json.utf8), source: "w.json") }
    }

    @Test func errorsNameTheFileAndEntry() {
        let error = NABWindowsError.badTimestamp(source: "w.json", file: "a.csv", entry: 1, text: "x")
        #expect(error.description == #"w.json: a.csv: window 1: bad timestamp "x""#)
        #expect(throws: NABWindowsError.self) { try NABWindows.load(path: "/nonexistent/windows.json") }
    }
}
