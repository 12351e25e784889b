import AIOpsCore
import Delivery
import Pipeline
import Rules

/// Everything a snapshot holds for one workspace: each shard's pipeline image, the
/// notification log, and what identifies the writer (time, rules, layouts).
public struct WorkspaceState: Sendable {
    public var workspace: String
    /// Wall time the state was copied, ms since the epoch.
    public var created: Timestamp
    /// `RulesFingerprint` of the rules the pipelines ran (the bindings name rules by index).
    public var rulesFingerprint: UInt64
    /// Each of those rules, in binding-index order (`auto` last): its name and
    /// `Rule.fingerprint`, so a start under changed rules keeps the bindings of the unchanged
    /// ones. Nil in a format version 1 file, which only has `rulesFingerprint`.
    public var rules: [RuleIdentity]?
    /// One image per shard, in shard order.
    public var shards: [Pipeline.Image]
    /// The workspace's notification scheduler; nil when it had none (no notifier).
    public var notifications: NotificationScheduler.Log?

    public init(workspace: String, created: Timestamp, rulesFingerprint: UInt64, rules: [RuleIdentity]? = nil, shards: [Pipeline.Image], notifications: NotificationScheduler.Log?) {
        self.workspace = workspace
        self.created = created
        self.rulesFingerprint = rulesFingerprint
        self.rules = rules
        self.shards = shards
        self.notifications = notifications
    }

    /// Series held across shards.
    public var seriesCount: Int { shards.reduce(0) { $0 + $1.store.labels.count(where: { $0 != nil }) } }
    /// Open incidents (pending and firing) across shards.
    public var openIncidentCount: Int { shards.reduce(0) { $0 + $1.open.count } }
    /// Firing incidents across shards.
    public var firingIncidentCount: Int { shards.reduce(0) { $0 + $1.open.count(where: { $0.incident.phase == .firing }) } }
}

/// A rule as a snapshot names it: enough to tell whether a binding may keep its state.
public struct RuleIdentity: Sendable, Equatable {
    public var name: String
    /// `Rule.fingerprint`.
    public var fingerprint: UInt64

    public init(name: String, fingerprint: UInt64) {
        self.name = name
        self.fingerprint = fingerprint
    }

    /// The identities of `rules`, in order.
    public static func of(_ rules: [Rule]) -> [RuleIdentity] {
        rules.map { RuleIdentity(name: $0.name, fingerprint: $0.fingerprint) }
    }
}
