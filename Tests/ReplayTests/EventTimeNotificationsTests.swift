import AIOpsCore
import Delivery
import Incidents
import Rules
import Testing
@testable import Replay

/// The notification policy applied on event time: groups wait, reminders and resolutions are
/// decided at the event times they were due, not when the next event happens to arrive.
@Suite struct EventTimeNotificationsTests {
    static let t0: Timestamp = TimeFormat.parse("2026-03-02T00:00:00Z")!
    static let second: Int64 = 1000
    static let hour: Int64 = 3_600_000

    static func incident(_ id: String, rule: String = "leak", firedAt: Timestamp, end: Timestamp? = nil) -> Incident {
        Incident(
            id: id, rule: rule, severity: .warning, labels: Labels(metric: "m", ["pod": id]), detector: .leak,
            phase: end == nil ? .firing : .resolved, start: firedAt - 900_000, firedAt: firedAt, end: end,
            lastSeen: end ?? firedAt, peakScore: 0.9, observed: 1,
            advice: RenderedAdvice(summary: "s", steps: [], runbookURL: nil), resolution: end == nil ? nil : "normal again"
        )
    }

    /// `kind ids @seconds after t0` per batch.
    static func summary(_ batches: [NotificationBatch]) -> [String] {
        batches.map { "\($0.kind.rawValue) \($0.incidents.map(\.id).joined(separator: ",")) @\(($0.decidedAt - t0) / 1000)s" }
    }

    @Test func seriesFiringWithinTheGroupWaitShareAMessageLaterOnesWaitTheirTurn() {
        let sink = EventTimeNotifications(workspace: "replay")
        sink.handle(.firing(Self.incident("a", firedAt: Self.t0)))
        sink.handle(.firing(Self.incident("b", firedAt: Self.t0 + 10 * Self.second)))
        sink.handle(.firing(Self.incident("c", firedAt: Self.t0 + 2 * Self.hour)))
        let batches = sink.finish(at: Self.t0 + 3 * Self.hour)
        #expect(Self.summary(batches) == ["firing a,b @30s", "firing c @7230s"])
        #expect(batches.allSatisfy { $0.workspace == "replay" && $0.rule == "leak" })
    }

    @Test func remindersAndResolutionsAreDecidedAtTheirEventTimes() {
        let sink = EventTimeNotifications(workspace: "replay")
        sink.handle(.firing(Self.incident("a", firedAt: Self.t0)))
        // The next event comes five hours later: the firing message and the 4h reminder were
        // due long before it.
        sink.handle(.resolved(Self.incident("a", firedAt: Self.t0, end: Self.t0 + 5 * Self.hour)))
        #expect(Self.summary(sink.decided) == ["firing a @30s", "reminder a @14430s"])
        // The data ends 10 s after the resolution: what waits for the group wait is drained then.
        let batches = sink.finish(at: Self.t0 + 5 * Self.hour + 10 * Self.second)
        #expect(Self.summary(batches) == ["firing a @30s", "reminder a @14430s", "resolved a @18010s"])
        #expect(batches[2].incidents[0].end == Self.t0 + 5 * Self.hour)
    }

    @Test func anIncidentResolvedBeforeItsGroupWentOutIsNeverMentioned() {
        let sink = EventTimeNotifications(workspace: "replay")
        sink.handle(.firing(Self.incident("a", firedAt: Self.t0)))
        sink.handle(.resolved(Self.incident("a", firedAt: Self.t0, end: Self.t0 + 10 * Self.second)))
        #expect(sink.finish(at: Self.t0 + Self.hour).isEmpty)
    }

    @Test func finishIsFinal() {
        let sink = EventTimeNotifications(workspace: "replay")
        sink.handle(.firing(Self.incident("a", firedAt: Self.t0)))
        let first = sink.finish(at: Self.t0)
        #expect(Self.summary(first) == ["firing a @0s"])
        sink.handle(.firing(Self.incident("b", firedAt: Self.t0 + Self.hour)))
        #expect(Self.summary(sink.finish(at: Self.t0 + 2 * Self.hour)) == ["firing a @0s"])
    }

    @Test func rulesNotifySettingsOverrideThePolicy() {
        var quiet = RuleSet.autoRule
        quiet.name = "quiet"
        quiet.notify = NotifyOverrides(groupWait: .zero, repeatInterval: .zero, sendResolved: false)
        let overrides = EventTimeNotifications.ruleOverrides(of: RuleSet(rules: [quiet, RuleSet.autoRule]))
        #expect(overrides == ["quiet": quiet.notify!])
        let sink = EventTimeNotifications(workspace: "replay", ruleOverrides: overrides)
        sink.handle(.firing(Self.incident("a", rule: "quiet", firedAt: Self.t0)))
        sink.handle(.firing(Self.incident("b", rule: "auto", firedAt: Self.t0)))
        sink.handle(.resolved(Self.incident("a", rule: "quiet", firedAt: Self.t0, end: Self.t0 + 9 * Self.hour)))
        let batches = sink.finish(at: Self.t0 + 9 * Self.hour)
        // quiet: sent at once, no reminders, no resolved message; auto: the defaults.
        #expect(batches.map { "\($0.rule) \(Self.summary([$0])[0])" } == [
            "quiet firing a @0s", "auto firing b @30s", "auto reminder b @14430s", "auto reminder b @28830s",
        ])
    }
}
