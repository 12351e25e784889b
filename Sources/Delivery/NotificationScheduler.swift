import AIOpsCore
import Incidents
import Rules

/// Decides which incident events of one workspace become which notifications, and when.
///
/// Pure: it never reads a clock or sleeps. `handle(_:now:)` records events and `tick(now:)`
/// returns the batches due at `now`; `nextDeadline` says when to tick next. Per rule:
/// - the first firing series opens a group, notified `groupWait` later with every series of
///   the rule that fired meanwhile;
/// - later series and resolutions are notified at `max(now + groupWait, lastFlush +
///   groupInterval)`, so at most once per `groupInterval` and still grouped;
/// - an incident notified `repeatInterval` ago and still firing is sent again as a reminder;
/// - an incident that resolves before its group was notified is dropped without a message,
///   and so is every resolution when `sendResolved` is off;
/// - a rule with nothing firing or pending is forgotten, so a later firing waits `groupWait`.
///
/// State is in memory; `log` and `restore(_:)` copy it out and back in, so a snapshot carries
/// groups, last flushes and repeat timers across a restart (the outbox makes decided
/// notifications survive a crash).
public struct NotificationScheduler: Sendable {
    public let workspace: String
    public var policy: NotificationPolicy
    /// Per-rule overrides by rule name; rules absent here use `policy` as is.
    public var ruleOverrides: [String: NotifyOverrides]

    struct Tracked: Sendable, Codable, Equatable {
        var incident: Incident
        /// Wall time of the last firing or reminder message with it; nil until notified.
        var notifiedAt: Timestamp?
    }

    struct Group: Sendable, Codable, Equatable {
        /// In arrival order.
        var firing: [Tracked] = []
        var resolvedPending: [Incident] = []
        /// Last time a firing or resolved batch of this rule went out.
        var lastFlush: Timestamp?
        /// When the next firing/resolved batch is due; nil when nothing waits.
        var flushAt: Timestamp?

        var isEmpty: Bool { firing.isEmpty && resolvedPending.isEmpty && flushAt == nil }
        var hasUnnotified: Bool { firing.contains { $0.notifiedAt == nil } }
    }

    /// Open groups by rule name.
    private(set) var groups: [String: Group] = [:]

    /// What the scheduler has decided so far (open groups, when each was last flushed and is
    /// next due, which incidents were notified when): the part of its state a restart must
    /// keep. Opaque outside the module except as `Codable`.
    public struct Log: Sendable, Codable, Equatable {
        var groups: [String: Group]

        /// Open groups (rules with something firing or waiting).
        public var groupCount: Int { groups.count }
        /// Firing incidents the groups track.
        public var trackedCount: Int { groups.values.reduce(0) { $0 + $1.firing.count } }
    }

    /// A copy of the decisions so far.
    public var log: Log { Log(groups: groups) }

    /// Replaces the decisions with `log` (taken from a scheduler of the same workspace); the
    /// policy stays this scheduler's.
    public mutating func restore(_ log: Log) {
        groups = log.groups
    }

    public init(workspace: String, policy: NotificationPolicy = .default, ruleOverrides: [String: NotifyOverrides] = [:]) {
        self.workspace = workspace
        self.policy = policy
        self.ruleOverrides = ruleOverrides
    }

    /// The effective policy of a rule: the workspace's with the rule's overrides on top.
    public func policy(forRule rule: String) -> NotificationPolicy {
        policy.applying(ruleOverrides[rule])
    }

    /// The number of rules with open groups (firing, or with a batch pending).
    public var openGroupCount: Int { groups.count }

    /// Records a firing or resolved event seen at wall time `now`.
    /// - Complexity: O(n) in the number of open incidents of the event's rule.
    public mutating func handle(_ event: IncidentEvent, now: Timestamp) {
        let incident = event.incident
        let rule = incident.rule
        let effective = policy(forRule: rule)
        switch event {
        case .firing:
            var group = groups[rule] ?? Group()
            if let index = group.firing.firstIndex(where: { $0.incident.id == incident.id }) {
                // Already known: keep the latest data for reminders and resolutions.
                group.firing[index].incident = incident
            } else {
                group.firing.append(Tracked(incident: incident, notifiedAt: nil))
                schedule(&group, now: now, policy: effective)
            }
            groups[rule] = group
        case .resolved:
            guard var group = groups[rule],
                  let index = group.firing.firstIndex(where: { $0.incident.id == incident.id })
            else { return }  // never seen firing (or already dropped): nothing to tell
            let tracked = group.firing.remove(at: index)
            if tracked.notifiedAt != nil, effective.sendResolved {
                group.resolvedPending.append(incident)
                schedule(&group, now: now, policy: effective)
            } else if !group.hasUnnotified, group.resolvedPending.isEmpty {
                // The only reason to flush was this incident: cancel.
                group.flushAt = nil
            }
            groups[rule] = group.isEmpty ? nil : group
        }
    }

    private func schedule(_ group: inout Group, now: Timestamp, policy: NotificationPolicy) {
        guard group.flushAt == nil else { return }
        let wait = max(0, policy.groupWait.milliseconds)
        if let last = group.lastFlush {
            group.flushAt = max(now + wait, last + max(0, policy.groupInterval.milliseconds))
        } else {
            group.flushAt = now + wait
        }
    }

    /// The batches due at `now`, firing before reminders before resolved per rule, rules by name.
    public mutating func tick(now: Timestamp) -> [NotificationBatch] {
        collect(now: now, force: false)
    }

    /// Every firing and resolved batch that is waiting, as if its time had come (reminders
    /// are not due early). For a replay that ends: no more events will come to group with.
    public mutating func drain(now: Timestamp) -> [NotificationBatch] {
        collect(now: now, force: true)
    }

    private mutating func collect(now: Timestamp, force: Bool) -> [NotificationBatch] {
        var batches: [NotificationBatch] = []
        for rule in groups.keys.sorted() {
            guard var group = groups[rule] else { continue }
            let effective = policy(forRule: rule)
            if let due = group.flushAt, force || due <= now {
                var fresh: [Incident] = []
                for index in group.firing.indices where group.firing[index].notifiedAt == nil {
                    fresh.append(group.firing[index].incident)
                    group.firing[index].notifiedAt = now
                }
                if !fresh.isEmpty {
                    batches.append(batch(rule, .firing, fresh, group, now))
                }
                if !group.resolvedPending.isEmpty {
                    batches.append(batch(rule, .resolved, group.resolvedPending, group, now))
                    group.resolvedPending.removeAll()
                }
                group.lastFlush = now
                group.flushAt = nil
            }
            let repeatMs = effective.repeatInterval.milliseconds
            if !force, repeatMs > 0 {
                var again: [Incident] = []
                for index in group.firing.indices {
                    if let at = group.firing[index].notifiedAt, at + repeatMs <= now {
                        again.append(group.firing[index].incident)
                        group.firing[index].notifiedAt = now
                    }
                }
                if !again.isEmpty {
                    batches.append(batch(rule, .reminder, again, group, now))
                }
            }
            groups[rule] = group.isEmpty ? nil : group
        }
        return batches
    }

    private func batch(_ rule: String, _ kind: NotificationKind, _ incidents: [Incident], _ group: Group, _ now: Timestamp) -> NotificationBatch {
        NotificationBatch(workspace: workspace, rule: rule, kind: kind, incidents: incidents, firingCount: group.firing.count, decidedAt: now)
    }

    /// The ids of the firing incidents whose reminder is due at `now`: those `tick(now:)`
    /// would remind of, so their facts can be brought up to date (`refresh`) first.
    public func remindersDue(now: Timestamp) -> [String] {
        var ids: [String] = []
        for (rule, group) in groups {
            let repeatMs = policy(forRule: rule).repeatInterval.milliseconds
            guard repeatMs > 0 else { continue }
            for tracked in group.firing {
                if let at = tracked.notifiedAt, at + repeatMs <= now { ids.append(tracked.incident.id) }
            }
        }
        return ids
    }

    /// Replaces the facts of tracked firing incidents with `current` ones of the same id
    /// (their latest values, time to the limit and advice), so reminders say how things
    /// stand now. Unknown ids are ignored; what was notified when is kept.
    public mutating func refresh(_ current: [Incident]) {
        guard !current.isEmpty else { return }
        var byID: [String: Incident] = [:]
        for incident in current where incident.phase == .firing { byID[incident.id] = incident }
        for rule in groups.keys {
            for index in groups[rule]!.firing.indices {
                if let fresh = byID[groups[rule]!.firing[index].incident.id] { groups[rule]!.firing[index].incident = fresh }
            }
        }
    }

    /// When `tick` next has something to return, or nil when nothing is scheduled.
    /// - Complexity: O(n) in the number of open incidents.
    public var nextDeadline: Timestamp? {
        var next: Timestamp?
        for (rule, group) in groups {
            if let at = group.flushAt { next = min(next ?? at, at) }
            let repeatMs = policy(forRule: rule).repeatInterval.milliseconds
            guard repeatMs > 0 else { continue }
            for tracked in group.firing {
                if let at = tracked.notifiedAt { next = min(next ?? (at + repeatMs), at + repeatMs) }
            }
        }
        return next
    }
}
