import AIOpsCore
import Foundation
import Rules
import Snapshots
import Testing
@testable import Server

/// Snapshots and rules: version 2 names each rule with its fingerprint, so a restore under
/// changed rules keeps the unchanged ones; a version 1 file (no per-rule fingerprints) loads
/// only under the very rules it was written with.
@Suite struct SnapshotRulesTests {
    static let other = #"{"rules": [{"name": "queue-low", "selector": "queue_depth", "detector": {"kind": "ewma", "direction": "down"}}]}"#

    func filled(_ rules: RuleSet) -> Workspace {
        let workspace = Workspace(configuration: WorkspaceConfiguration(name: "team-a", plan: .pro, token: TestServer.tokenA), rules: rules, sink: nil, now: 0)
        workspace.shards[0].withLock { box in
            for i in 0..<50 {
                box.pipeline.ingest(Labels(metric: "queue_depth", ["queue": "q"]), timestamp: 1_000_000 + Int64(i) * 10_000, value: 40 + Double(i % 3))
                box.pipeline.ingest(Labels(metric: "other", ["job": "x"]), timestamp: 1_000_000 + Int64(i) * 10_000, value: 1)
            }
        }
        return workspace
    }

    @Test func versionTwoNamesEachRuleAndRestoresUnderChangedRules() throws {
        let rules = try RuleSet.parse(TestServer.rulesJSON, file: "test.json")
        let state = filled(rules).captureState(notifier: nil, now: 2_000_000)
        let decoded = try SnapshotCodec.decode(SnapshotCodec.encode(state))
        #expect(decoded.rules?.map(\.name) == ["queue-spike", "auto"])
        #expect(decoded.rules?.map(\.fingerprint) == (rules.rules + [RuleSet.autoRule]).map(\.fingerprint))

        let changed = Workspace(
            configuration: WorkspaceConfiguration(name: "team-a", plan: .pro, token: TestServer.tokenA),
            rules: try RuleSet.parse(Self.other, file: "other.json"), sink: nil, now: 0)
        let result = changed.restore(decoded, notifier: nil, now: 2_000_000)
        let changes = try result.get()
        #expect(changes.unchanged == ["auto"] && changes.fresh == ["queue-low"] && changes.gone == ["queue-spike"])
        #expect(changes.bindings.kept == 1 && changes.bindings.fresh == 1 && changes.bindings.dropped == 1)
        #expect(changed.activeSeries == 2)
    }

    @Test func aVersionOneFileLoadsOnlyUnderItsOwnRules() throws {
        let rules = try RuleSet.parse(TestServer.rulesJSON, file: "test.json")
        let state = filled(rules).captureState(notifier: nil, now: 2_000_000)
        let bytes = SnapshotCodec.encode(state, version: 1)
        #expect(bytes[8] == 1)
        let decoded = try SnapshotCodec.decode(bytes)
        #expect(decoded.rules == nil)

        let fresh = Workspace(configuration: WorkspaceConfiguration(name: "team-a", plan: .pro, token: TestServer.tokenA), rules: rules, sink: nil, now: 0)
        let loaded = try fresh.restore(decoded, notifier: nil, now: 2_000_000).get()
        #expect(loaded.fresh.isEmpty && loaded.gone.isEmpty && loaded.bindings.kept == 2)
        #expect(fresh.activeSeries == 2)

        let changed = Workspace(
            configuration: WorkspaceConfiguration(name: "team-a", plan: .pro, token: TestServer.tokenA),
            rules: try RuleSet.parse(Self.other, file: "other.json"), sink: nil, now: 0)
        guard case .failure(let refusal) = changed.restore(decoded, notifier: nil, now: 2_000_000) else {
            Issue.record("a version 1 file loaded under other rules")
            return
        }
        #expect(refusal.reason.contains("format version 1"), "\(refusal.reason)")
        #expect(changed.activeSeries == 0)
    }
}
