import AIOpsCore
import Fixtures
import Foundation
import Incidents
import Rules
import Testing
@testable import Replay

/// Every shipped fixture, replayed through the default rules, must produce exactly the
/// incidents its `expect.json` names (or none, for the healthy ones).
@Suite struct FixtureReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let cases: [FixtureCase] = (try? FixtureCase.all(in: root.appendingPathComponent("fixtures").path)) ?? []

    static func rules() throws -> RuleSet { try RuleSet.load(directory: root.appendingPathComponent("rules").path) }

    @Test func everyShippedFixtureLoads() {
        #expect(Self.cases.count >= 6)
    }

    @Test(arguments: cases.map(\.name))
    func replayMeetsExpectation(name: String) throws {
        let fixture = try #require(Self.cases.first { $0.name == name })
        let series = try fixture.read()
        let result = Replayer(rules: try Self.rules()).replay(series: series, name: fixture.dataPath)
        let fired = result.incidents.filter { $0.firedAt != nil }
        let expectation = fixture.expectation
        if expectation.quiet {
            #expect(fired.isEmpty, "\(name) should be quiet but fired: \(fired.map { "\($0.rule) \($0.labels) at \(TimeFormat.rfc3339($0.firedAt ?? 0))" })")
        }
        for expected in expectation.incidents {
            let match = fired.first { expected.matches(rule: $0.rule, labels: $0.labels) }
            guard let incident = match else {
                Issue.record("\(name): \(expected.rule) \(expected.labels) did not fire; fired: \(fired.map { "\($0.rule) \($0.labels)" })")
                continue
            }
            let firedAt = incident.firedAt ?? 0
            #expect(expected.acceptsFiring(at: firedAt), "\(name): \(expected.rule) fired at \(TimeFormat.rfc3339(firedAt))")
            if let range = expected.leakRatePerHour {
                let rate = incident.leakRatePerHour ?? .nan
                #expect(range.contains(rate), "\(name): \(expected.rule) rate \(rate)/h")
            }
            if let range = expected.timeToLimit {
                let seconds = incident.secondsToLimit ?? -1
                #expect(seconds >= 0 && range.contains(milliseconds: Int64(seconds * 1000)), "\(name): time to limit \(seconds) s")
            }
            #expect(!incident.advice.summary.isEmpty)
            #expect(!incident.advice.summary.contains("{{"), "placeholders are filled: \(incident.advice.summary)")
        }
        if expectation.exclusive {
            for incident in fired {
                #expect(expectation.incidents.contains { $0.matches(rule: incident.rule, labels: incident.labels) },
                        "\(name): unexpected \(incident.rule) on \(incident.labels) at \(TimeFormat.rfc3339(incident.firedAt ?? 0))")
            }
        }
    }
}
