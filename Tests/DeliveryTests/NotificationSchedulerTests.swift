import AIOpsCore
import Incidents
import Rules
import Testing
@testable import Delivery

@Suite struct NotificationSchedulerTests {
    let clock = ManualClock(1_700_000_000_000)

    func ids(_ batch: NotificationBatch) -> [String] { batch.incidents.map(\.id) }

    @Test func groupWaitGroupsThreeSeriesIntoOneNotification() {
        var scheduler = NotificationScheduler(workspace: "team")
        scheduler.handle(.firing(makeIncident("a")), now: clock.now())
        #expect(scheduler.nextDeadline == clock.now() + 30_000)
        clock.advance(by: 10_000)
        scheduler.handle(.firing(makeIncident("b")), now: clock.now())
        clock.advance(by: 10_000)
        scheduler.handle(.firing(makeIncident("c")), now: clock.now())
        #expect(scheduler.tick(now: clock.now()).isEmpty)
        clock.advance(by: 9_999)
        #expect(scheduler.tick(now: clock.now()).isEmpty)
        clock.advance(by: 1)
        let batches = scheduler.tick(now: clock.now())
        #expect(batches.count == 1)
        #expect(batches.first.map(ids) == ["a", "b", "c"])
        #expect(batches.first?.kind == .firing)
        #expect(batches.first?.workspace == "team")
        #expect(batches.first?.firingCount == 3)
        #expect(scheduler.tick(now: clock.now()).isEmpty)
    }

    @Test func differentRulesAreSeparateGroups() {
        var scheduler = NotificationScheduler(workspace: "team")
        scheduler.handle(.firing(makeIncident("a", rule: "r1")), now: clock.now())
        scheduler.handle(.firing(makeIncident("b", rule: "r2")), now: clock.now())
        let batches = scheduler.tick(now: clock.now() + 30_000)
        #expect(batches.map(\.rule) == ["r1", "r2"])
        #expect(batches.map(ids) == [["a"], ["b"]])
    }

    @Test func lateSeriesWaitsForGroupInterval() {
        var scheduler = NotificationScheduler(workspace: "team")
        let t0 = clock.now()
        scheduler.handle(.firing(makeIncident("a")), now: t0)
        #expect(scheduler.tick(now: t0 + 30_000).count == 1)
        scheduler.handle(.firing(makeIncident("late")), now: t0 + 60_000)
        #expect(scheduler.nextDeadline == t0 + 30_000 + 300_000)
        #expect(scheduler.tick(now: t0 + 329_999).isEmpty)
        let batches = scheduler.tick(now: t0 + 330_000)
        #expect(batches.map(ids) == [["late"]])
        #expect(batches.first?.firingCount == 2)
        // Long after the last flush, a new series still waits groupWait to gather others.
        scheduler.handle(.firing(makeIncident("later")), now: t0 + 3_600_000)
        #expect(scheduler.nextDeadline == t0 + 3_630_000)
    }

    @Test func stillFiringIncidentIsRemindedAfterRepeatInterval() {
        var scheduler = NotificationScheduler(workspace: "team")
        let t0 = clock.now()
        scheduler.handle(.firing(makeIncident("a")), now: t0)
        _ = scheduler.tick(now: t0 + 30_000)
        // An update of the same incident is not a new notification.
        scheduler.handle(.firing(makeIncident("a")), now: t0 + 60_000)
        #expect(scheduler.tick(now: t0 + 30_000 + 4 * 3_600_000 - 1).isEmpty)
        let batches = scheduler.tick(now: t0 + 30_000 + 4 * 3_600_000)
        #expect(batches.map(\.kind) == [.reminder])
        #expect(batches.map(ids) == [["a"]])
        #expect(scheduler.nextDeadline == t0 + 30_000 + 8 * 3_600_000)
    }

    @Test func resolvedIncidentsAreBatchedPerRule() {
        var scheduler = NotificationScheduler(workspace: "team")
        let t0 = clock.now()
        for id in ["a", "b", "c"] { scheduler.handle(.firing(makeIncident(id)), now: t0) }
        _ = scheduler.tick(now: t0 + 30_000)
        scheduler.handle(.resolved(makeIncident("a", phase: .resolved)), now: t0 + 400_000)
        scheduler.handle(.resolved(makeIncident("b", phase: .resolved)), now: t0 + 410_000)
        #expect(scheduler.tick(now: t0 + 429_999).isEmpty)
        let batches = scheduler.tick(now: t0 + 430_000)
        #expect(batches.map(\.kind) == [.resolved])
        #expect(batches.map(ids) == [["a", "b"]])
        #expect(batches.first?.incidents.allSatisfy { $0.phase == .resolved } == true)
        #expect(batches.first?.firingCount == 1)
        scheduler.handle(.resolved(makeIncident("c", phase: .resolved)), now: t0 + 500_000)
        #expect(scheduler.tick(now: t0 + 730_000).map(ids) == [["c"]])
        #expect(scheduler.openGroupCount == 0)
    }

    @Test func incidentResolvedBeforeNotifyIsDroppedSilently() {
        var scheduler = NotificationScheduler(workspace: "team")
        let t0 = clock.now()
        scheduler.handle(.firing(makeIncident("flap")), now: t0)
        scheduler.handle(.resolved(makeIncident("flap", phase: .resolved)), now: t0 + 5_000)
        #expect(scheduler.nextDeadline == nil)
        #expect(scheduler.tick(now: t0 + 30_000).isEmpty)
        #expect(scheduler.drain(now: t0 + 30_000).isEmpty)
        #expect(scheduler.openGroupCount == 0)
        // In a group with another series, only the flapping one is left out.
        scheduler.handle(.firing(makeIncident("a")), now: t0 + 60_000)
        scheduler.handle(.firing(makeIncident("flap2")), now: t0 + 61_000)
        scheduler.handle(.resolved(makeIncident("flap2", phase: .resolved)), now: t0 + 62_000)
        #expect(scheduler.tick(now: t0 + 90_000).map(ids) == [["a"]])
    }

    @Test func sendResolvedOffDropsResolutions() {
        var scheduler = NotificationScheduler(workspace: "team", policy: NotificationPolicy(sendResolved: false))
        let t0 = clock.now()
        scheduler.handle(.firing(makeIncident("a")), now: t0)
        _ = scheduler.tick(now: t0 + 30_000)
        scheduler.handle(.resolved(makeIncident("a", phase: .resolved)), now: t0 + 60_000)
        #expect(scheduler.nextDeadline == nil)
        #expect(scheduler.tick(now: t0 + 10_000_000).isEmpty)
    }

    @Test func perRuleOverridesApplyOnTopOfTheWorkspacePolicy() {
        let workspacePolicy = NotificationPolicy(groupWait: .seconds(10), groupInterval: .minutes(1), repeatInterval: .hours(1))
        let overrides = ["fast": NotifyOverrides(groupWait: .zero, repeatInterval: .minutes(10), sendResolved: false)]
        var scheduler = NotificationScheduler(workspace: "team", policy: workspacePolicy, ruleOverrides: overrides)
        let effective = scheduler.policy(forRule: "fast")
        #expect(effective == NotificationPolicy(groupWait: .zero, groupInterval: .minutes(1), repeatInterval: .minutes(10), sendResolved: false))
        #expect(scheduler.policy(forRule: "other") == workspacePolicy)

        let t0 = clock.now()
        scheduler.handle(.firing(makeIncident("x", rule: "fast")), now: t0)
        scheduler.handle(.firing(makeIncident("y", rule: "other")), now: t0)
        #expect(scheduler.tick(now: t0).map(\.rule) == ["fast"])
        #expect(scheduler.tick(now: t0 + 10_000).map(\.rule) == ["other"])
        #expect(scheduler.tick(now: t0 + 600_000).map { "\($0.rule) \($0.kind)" } == ["fast reminder"])
        scheduler.handle(.resolved(makeIncident("x", rule: "fast", phase: .resolved)), now: t0 + 700_000)
        scheduler.handle(.resolved(makeIncident("y", rule: "other", phase: .resolved)), now: t0 + 700_000)
        #expect(scheduler.tick(now: t0 + 800_000).map { "\($0.rule) \($0.kind)" } == ["other resolved"])
    }

    @Test func zeroRepeatIntervalDisablesReminders() {
        var scheduler = NotificationScheduler(workspace: "team", policy: NotificationPolicy(groupWait: .zero, repeatInterval: .zero))
        scheduler.handle(.firing(makeIncident("a")), now: clock.now())
        #expect(scheduler.tick(now: clock.now()).count == 1)
        #expect(scheduler.nextDeadline == nil)
        #expect(scheduler.tick(now: clock.now() + 1_000_000).isEmpty)
    }

    @Test func drainSendsWaitingBatchesImmediately() {
        var scheduler = NotificationScheduler(workspace: "team")
        scheduler.handle(.firing(makeIncident("a")), now: clock.now())
        scheduler.handle(.firing(makeIncident("b", rule: "other")), now: clock.now())
        let batches = scheduler.drain(now: clock.now())
        #expect(batches.map(ids) == [["a"], ["b"]])
    }
}
