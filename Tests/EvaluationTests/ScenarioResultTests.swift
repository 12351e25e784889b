import AIOpsCore
import Foundation
import Testing
@testable import Evaluation

/// The scenario evaluator's matching on small hand-made incident lists.
@Suite struct ScenarioResultTests {
    static let day0: Timestamp = 1_772_409_600_000   // 2026-03-02 00:00:00 UTC
    static let minute: Timestamp = 60_000
    static let hour: Timestamp = 3_600_000
    static let day: Timestamp = 86_400_000

    static func at(_ hours: Double) -> Timestamp { day0 + Timestamp(hours * Double(hour)) }

    static func scenario(windows: [ClosedRange<Timestamp>] = [], rule: String? = nil, kind: ScenarioCase.Kind = .event,
                         ignoreBefore: Timestamp? = nil) -> ScenarioCase {
        ScenarioCase(name: "c", file: "c.csv", identity: Labels(metric: "m"), kind: kind, family: kind == .noise ? "f" : nil,
                     windows: windows, rule: rule, ignoreBefore: ignoreBefore)
    }

    static func incident(_ rule: String = "auto", start: Double, fired: Double? = nil) -> ScenarioIncident {
        ScenarioIncident(rule: rule, start: at(start), firedAt: at(fired ?? start))
    }

    static func score(_ scenario: ScenarioCase, _ incidents: [ScenarioIncident], days: Double = 2) -> ScenarioResult {
        ScenarioResult.score(scenario, incidents: incidents, first: day0, last: at(days * 24))
    }

    @Test func anIncidentStartingInsideTheWindowHitsIt() {
        let result = Self.score(Self.scenario(windows: [Self.at(3)...Self.at(3.5)]), [Self.incident(start: 3.25, fired: 3.5)])
        #expect(result.passed)
        #expect(result.truePositives == 1 && result.falsePositives == 0 && result.missedWindows == 0)
        #expect(result.windows[0].startDelaySeconds == 900)
        #expect(result.windows[0].fireDelaySeconds == 1800)
    }

    @Test func windowBoundsAreInclusive() {
        let window = Self.at(3)...Self.at(4)
        #expect(Self.score(Self.scenario(windows: [window]), [Self.incident(start: 3)]).passed)
        #expect(Self.score(Self.scenario(windows: [window]), [Self.incident(start: 4)]).passed)
        // It fired inside, but started before: the start is what counts.
        let early = Self.score(Self.scenario(windows: [window]), [Self.incident(start: 2.9, fired: 3.2)])
        #expect(!early.passed)
        #expect(early.falsePositives == 1 && early.missedWindows == 1)
    }

    @Test func everyWindowNeedsItsOwnIncident() {
        let windows = [Self.at(8)...Self.at(8.3), Self.at(14)...Self.at(14.3)]
        let one = Self.score(Self.scenario(windows: windows), [Self.incident(start: 8.1)])
        #expect(!one.passed)
        #expect(one.missedWindows == 1)
        #expect(one.windows.map(\.detected) == [true, false])
        #expect(one.windows[1].startDelaySeconds == nil)
        let both = Self.score(Self.scenario(windows: windows), [Self.incident(start: 14.2), Self.incident(start: 8.1)])
        #expect(both.passed)
        #expect(both.windows.map { $0.detection?.start } == [Self.at(8.1), Self.at(14.2)])
    }

    @Test func theEarliestIncidentInAWindowGivesTheDelay() {
        let result = Self.score(Self.scenario(windows: [Self.at(1)...Self.at(9)]), [Self.incident(start: 5), Self.incident(start: 2)])
        #expect(result.passed)
        #expect(result.truePositives == 2)
        #expect(result.windows[0].startDelaySeconds == 3600)
    }

    @Test func anIncidentOutsideEveryWindowIsFalse() {
        let result = Self.score(Self.scenario(windows: [Self.at(10)...Self.at(11)]), [Self.incident(start: 10.5), Self.incident(start: 34)])
        #expect(!result.passed)
        #expect(result.truePositives == 1 && result.falsePositives == 1 && result.missedWindows == 0)
        #expect(result.incidents.map(\.verdict) == [.truePositive, .falsePositive])
    }

    @Test func noWindowsMeansNothingMayFire() {
        #expect(Self.score(Self.scenario(), []).passed)
        let result = Self.score(Self.scenario(), [Self.incident(start: 30)])
        #expect(!result.passed)
        #expect(result.falsePositives == 1)
    }

    @Test func aRuleRestrictedWindowCountsOnlyThatRule() {
        let scenario = Self.scenario(windows: [Self.at(12)...Self.at(20)], rule: "container-memory-leak")
        let other = Self.score(scenario, [Self.incident("auto", start: 13)])
        #expect(!other.passed)
        #expect(other.missedWindows == 1)
        #expect(other.falsePositives == 0)
        #expect(other.incidents.map(\.verdict) == [.otherRule])
        let right = Self.score(scenario, [Self.incident("auto", start: 13), Self.incident("container-memory-leak", start: 15)])
        #expect(right.passed)
        // Outside the windows any rule's incident is false.
        let outside = Self.score(scenario, [Self.incident("container-memory-leak", start: 15), Self.incident("auto", start: 30)])
        #expect(!outside.passed)
        #expect(outside.falsePositives == 1)
    }

    @Test func incidentsBeforeIgnoreBeforeCountForNothing() {
        let scenario = Self.scenario(ignoreBefore: Self.at(72))
        let result = Self.score(scenario, [Self.incident(start: 26), Self.incident(start: 50)], days: 5)
        #expect(result.passed)
        #expect(result.incidents.map(\.verdict) == [.ignored, .ignored])
        #expect(!Self.score(scenario, [Self.incident(start: 74)], days: 5).passed)
    }

    @Test func noiseRatesCountFromDayTwoPerSeriesPer30Days() {
        // Two series of one family, 61 days each: 60 days counted each, 120 in all.
        let noise = Self.scenario(kind: .noise)
        let first = ScenarioResult.score(noise, incidents: [Self.incident(start: 5), Self.incident(start: 30), Self.incident(start: 24 * 40)],
                                         first: Self.day0, last: Self.day0 + 61 * Self.day)
        let second = ScenarioResult.score(noise, incidents: [Self.incident(start: 24 * 10)], first: Self.day0, last: Self.day0 + 61 * Self.day)
        #expect(first.budgetDays == 60)
        #expect(first.falsePositives == 3)
        #expect(first.budgetFalsePositives == 2)   // the one in the warm-up day is not counted
        let report = ScenarioReport(results: [first, second])
        let family = try! #require(report.noiseFamilies.first)
        #expect(report.noiseFamilies.count == 1)
        #expect(family.series == 2 && family.days == 120 && family.falseIncidents == 3)
        #expect(family.ratePer30Days == 0.75)
        #expect(report.noise.ratePer30Days == 0.75)
    }

    @Test func totalsArePrecisionRecallAndPassedCases() {
        let hit = Self.score(Self.scenario(windows: [Self.at(3)...Self.at(4)]), [Self.incident(start: 3.5)])
        let miss = Self.score(Self.scenario(windows: [Self.at(3)...Self.at(4), Self.at(9)...Self.at(10)]), [Self.incident(start: 9.5), Self.incident(start: 20)])
        let quiet = Self.score(Self.scenario(), [])
        let report = ScenarioReport(results: [hit, miss, quiet])
        #expect(report.casesPassed == 2)
        #expect(report.truePositives == 2 && report.falsePositives == 1)
        #expect(report.precision == 2.0 / 3.0)
        #expect(report.windows == 3 && report.windowsDetected == 2)
        #expect(report.recall == 2.0 / 3.0)
        #expect(ScenarioReport(results: [quiet]).precision == nil)
        #expect(ScenarioReport(results: [quiet]).recall == nil)
    }

    @Test func aBaselineReportsCasesThatPassedAndNoLongerDo() {
        func named(_ name: String, _ result: ScenarioResult) -> ScenarioResult {
            var copy = result
            copy.name = name
            return copy
        }
        let pass = Self.score(Self.scenario(), [])
        let fail = Self.score(Self.scenario(), [Self.incident(start: 30)])
        let then = ScenarioReport(results: [named("a", pass), named("b", pass), named("c", fail), named("gone", pass)])
        let baseline = ScenarioBaseline(then)
        #expect(baseline.passing == ["a", "b", "gone"] && baseline.failing == ["c"])
        let now = ScenarioReport(results: [named("a", pass), named("b", fail), named("c", pass)])
        #expect(baseline.regressions(in: now) == ["b", "gone"])
        #expect(ScenarioBaseline.isMissing("gone", in: now))
        #expect(baseline.regressions(in: then).isEmpty)
    }

    @Test func delaysReadAsDurations() {
        #expect(ScenarioReport.duration(0) == "0m")
        #expect(ScenarioReport.duration(25 * 60) == "25m")
        #expect(ScenarioReport.duration(200 * 60) == "3h 20m")
        #expect(ScenarioReport.duration(2 * 3600) == "2h")
        #expect(ScenarioReport.duration(52 * 3600) == "2d 4h")
        #expect(ScenarioReport.duration(-300) == "-5m")
        #expect(ScenarioReport.delays([300, nil]) == "5m,-")
    }
}
