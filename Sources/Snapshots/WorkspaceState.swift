import AIOpsCore
import Delivery
import Pipeline

/// Everything a snapshot holds for one workspace: each shard's pipeline image, the
/// notification log, and what identifies the writer (time, rules, layouts).
public struct WorkspaceState: Sendable {
    public var workspace: String
    /// Wall time the state was copied, ms since the epoch.
    public var created: Timestamp
    /// `RulesFingerprint` of the rules the pipelines ran (the bindings name rules by index).
    public var rulesFingerprint: UInt64
    /// One image per shard, in shard order.
    public var shards: [Pipeline.Image]
    /// The workspace's notification scheduler; nil when it had none (no notifier).
    public var notifications: NotificationScheduler.Log?

    public init(workspace: String, created: Timestamp, rulesFingerprint: UInt64, shards: [Pipeline.Image], notifications: NotificationScheduler.Log?) {
        self.workspace = workspace
        self.created = created
        self.rulesFingerprint = rulesFingerprint
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
