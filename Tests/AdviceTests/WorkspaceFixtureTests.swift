import AIOpsCore
import Foundation
import Replay
import Reports
import Rules
import Testing
@testable import Advice

/// `fixtures/workspace-k8s`: 14 days of a namespace replayed through the same pipeline as
/// `aiops serve` with `--daily-summary`; the summary at `expect.json`'s `at` must carry
/// exactly the expected findings with their numbers within the stated tolerances, and no
/// advice for what is fine.
@Suite struct WorkspaceFixtureTests {
    struct Range: Decodable, Sendable { var min: Double; var max: Double }
    struct Expected: Decodable, Sendable {
        var workload: String
        var kind: String
        var container: String?
        var replicas: Int?
        var cpuP95: Range?
        var cpuRecommended: Range?
        var memoryPeak: Range?
        var memoryRecommended: Range?
        var monthlySaving: Range?
        var replicasNeeded: Range?
        var exceedsFromHour: Range?
        var throttledShare: Range?
    }
    struct Advice: Decodable, Sendable {
        var at: String
        var exclusive: Bool
        var findings: [Expected]
        var noAdvice: [String]
    }
    struct Expectation: Decodable, Sendable {
        var file: String
        var advice: Advice
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fixtures/workspace-k8s").standardized

    static func load() throws -> Expectation {
        try JSONDecoder().decode(Expectation.self, from: Data(contentsOf: directory.appendingPathComponent("expect.json")))
    }

    static func rules() throws -> RuleSet {
        try RuleSet.load(directory: directory.appendingPathComponent("../../rules").standardized.path)
    }

    /// One replay shared by the tests of this suite (it takes seconds in a debug build).
    static let replay: Result<(summaries: [DailySummary], expectation: Expectation), any Error> = Result {
        let expectation = try load()
        let summaries = DailySummaryReplay(workspace: "shop", settings: AdviceSettings(includesAdvice: true))
        _ = try Replayer(rules: rules()).replay(path: directory.appendingPathComponent(expectation.file).path, summaries: summaries)
        return (summaries.summaries, expectation)
    }

    static func check(_ value: Double?, _ range: Range?, _ what: String) {
        guard let range else { return }
        guard let value else {
            Issue.record("\(what): no value, expected \(range.min)...\(range.max)")
            return
        }
        #expect(value >= range.min && value <= range.max, "\(what) = \(value), expected \(range.min)...\(range.max)")
    }

    @Test func theSummaryCarriesTheThreeFindingsWithTheirNumbers() throws {
        let (summaries, fixture) = try Self.replay.get()
        let expectation = fixture.advice
        let at = try #require(TimeFormat.parse(expectation.at))
        let summary = try #require(summaries.first { $0.at == at }, "a summary at \(expectation.at)")
        let advice = try #require(summary.advice)
        let findings = advice.findings
        for expected in expectation.findings {
            let matching = findings.filter { $0.workload.key == expected.workload && $0.kind.rawValue == expected.kind }
            guard let finding = matching.first else {
                Issue.record("no \(expected.kind) finding for \(expected.workload); found \(findings.map { "\($0.kind.rawValue) \($0.workload.key)" })")
                continue
            }
            #expect(matching.count == 1)
            let workload = try #require(advice.workloads.first { $0.workload.key == expected.workload })
            if let replicas = expected.replicas { #expect(workload.replicas == replicas, "\(expected.workload) replicas") }
            if let name = expected.container {
                #expect(finding.container == name)
                let container = try #require(workload.containers.first { $0.name == name })
                Self.check(container.cpuP95, expected.cpuP95, "\(expected.workload) cpuP95")
                Self.check(container.recommendedCPU, expected.cpuRecommended, "\(expected.workload) cpuRecommended")
                Self.check(container.memoryPeak, expected.memoryPeak, "\(expected.workload) memoryPeak")
                Self.check(container.recommendedMemory, expected.memoryRecommended, "\(expected.workload) memoryRecommended")
            }
            Self.check(finding.monthlySaving, expected.monthlySaving, "\(expected.workload) monthlySaving")
            if let scaling = finding.scaling {
                Self.check(Double(scaling.neededReplicas), expected.replicasNeeded, "\(expected.workload) replicasNeeded")
                Self.check(scaling.exceedsFrom.map { Double(($0 / 3_600_000) % 24) }, expected.exceedsFromHour, "\(expected.workload) exceedsFromHour")
                Self.check(scaling.throttledShare, expected.throttledShare, "\(expected.workload) throttledShare")
            } else {
                #expect(expected.replicasNeeded == nil && expected.exceedsFromHour == nil)
            }
        }
        if expectation.exclusive {
            #expect(findings.count == expectation.findings.count,
                    "exactly the expected findings; found \(findings.map { "\($0.kind.rawValue) \($0.workload.key)" })")
        }
        for quiet in expectation.noAdvice {
            #expect(!findings.contains { $0.workload.key == quiet }, "no advice for \(quiet)")
            #expect(advice.workloads.contains { $0.workload.key == quiet }, "\(quiet) was looked at")
        }
        #expect(advice.unattributedPods == 0)
    }

    @Test func theSlackMessageShowsTheThreeFindings() throws {
        let (summaries, fixture) = try Self.replay.get()
        let expectation = fixture.advice
        let at = try #require(TimeFormat.parse(expectation.at))
        let summary = try #require(summaries.first { $0.at == at })
        let message = DailySummarySlackBuilder().message(for: summary)
        let text = message.textObjects.map(\.text).joined(separator: "\n")
        #expect(text.contains("*Deployment shop/checkout*: forecast"))
        #expect(text.contains("kubectl scale deployment/checkout -n shop --replicas="))
        #expect(text.contains(":money_with_wings: *Deployment shop/catalog* (catalog): requests 2 / 4Gi"))
        #expect(text.contains(":zzz: *Deployment shop/reports-legacy*"))
        #expect(!text.contains("redis"))
        #expect(message.characterCount <= SlackLimits.slack.messageBudget)
        #expect(message.blocks.count <= SlackLimits.slack.maxBlocks)
    }

    @Test func everyDayHasOneSummaryAndTheIdleFindingNeedsSevenDays() throws {
        let (summaries, _) = try Self.replay.get()
        #expect(summaries.count == 14)
        let idle = summaries.map { summary in summary.costFindings.contains { $0.kind == .idle } }
        // Idle from day 6 00:00: seven full days are in the window from day 13 on.
        #expect(idle == Array(repeating: false, count: 13) + [true])
        // The first summary has 9 hours of data: too little to judge requests.
        #expect(summaries[0].advice?.findings.isEmpty == true)
    }
}
