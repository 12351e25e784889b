import AIOpsCore
import Delivery
import Pipeline
import Rules
import Snapshots

extension Workspace {
    /// Copies the workspace's state for a snapshot: every shard's pipeline and the notifier's
    /// log for this workspace, all under the shard locks at once (incident events are sent
    /// under a shard lock, so the log matches the pipelines). Only memory is copied while the
    /// locks are held (into buffers reserved before taking them); the caller encodes and
    /// writes afterwards.
    /// - Complexity: O(series x (ring + detector states)) of `memcpy`.
    func captureState(notifier: Notifier?, now: Timestamp) -> WorkspaceState {
        // Sized under a brief lock, allocated and touched outside any lock, filled under them:
        // the locks are held for `memcpy`s into memory that is already mapped.
        let sizes = shards.map { shard in shard.withLock { $0.pipeline.captureSizes } }
        var images = sizes.map { Pipeline.Image.reserved(for: $0) }
        var log: NotificationScheduler.Log?
        var rules: [Rule] = []
        withAllShardLocks(from: 0) { pipelines in
            for index in pipelines.indices { pipelines[index].capture(into: &images[index]) }
            rules = pipelines[0].rules
            log = notifier?.notificationLog(workspace: name)
        }
        return WorkspaceState(
            workspace: name, created: now, rulesFingerprint: RulesFingerprint.of(rules), rules: RuleIdentity.of(rules),
            shards: images, notifications: log)
    }

    /// How a snapshot's rules compare with the running ones (by `Rule.fingerprint`).
    struct RuleChanges: Sendable, Equatable {
        /// Running rules the snapshot had too: their bindings keep their state.
        var unchanged: [String] = []
        /// Running rules that are new or changed: their bindings start fresh.
        var fresh: [String] = []
        /// The snapshot's rules that are gone or changed: their bindings were dropped.
        var gone: [String] = []
        var bindings = Pipeline.RebindSummary()

        init(previous: [RuleIdentity], current: [Rule]) {
            let before = Set(previous.map(\.fingerprint))
            let now = Set(current.map(\.fingerprint))
            for rule in current { if before.contains(rule.fingerprint) { unchanged.append(rule.name) } else { fresh.append(rule.name) } }
            gone = previous.filter { !now.contains($0.fingerprint) }.map(\.name)
        }

        /// `rules: 3 unchanged kept their state; new or changed (fresh): cpu; gone or changed: old-cpu; ...`
        var description: String {
            var text = "rules: \(unchanged.count) unchanged kept their state"
            text += fresh.isEmpty ? "" : "; new or changed (start fresh): \(fresh.joined(separator: ", "))"
            text += gone.isEmpty ? "" : "; gone or changed (dropped): \(gone.joined(separator: ", "))"
            text += "; bindings \(bindings.kept) kept, \(bindings.fresh) fresh, \(bindings.dropped) dropped"
            if !bindings.resolved.isEmpty || bindings.cancelled > 0 {
                text += "; \(bindings.resolved.count) firing incident(s) of dropped bindings resolved, \(bindings.cancelled) pending forgotten"
            }
            return text
        }
    }

    /// Restores a snapshot into this workspace's fresh pipelines (before it accepts writes).
    /// Bindings of rules whose `Rule.fingerprint` is unchanged keep their state; new or
    /// changed rules start fresh; firing incidents of rules that are gone resolve (notified
    /// after the notification log is restored, so the log knows them). Series are noted as
    /// arriving `now`, so a long downtime does not make them idle. A version 1 snapshot (no
    /// per-rule fingerprints) is restored only under the very rules it was written with.
    /// - Returns: how the rules compared, or why it was refused (nothing restored).
    func restore(_ state: WorkspaceState, notifier: Notifier?, now: Timestamp) -> Result<RuleChanges, RestoreRefusal> {
        let current = rules
        let previous: [RuleIdentity]
        if let identities = state.rules, !identities.isEmpty {
            previous = identities
        } else if state.rulesFingerprint == RulesFingerprint.of(current) {
            previous = RuleIdentity.of(current)
        } else {
            return .failure(RestoreRefusal(reason: "written under other rules by a format version 1 file, which has no per-rule fingerprints (a rule was added, removed, reordered or its selector, detector or timing changed)"))
        }
        guard state.shards.count == shards.count else {
            return .failure(RestoreRefusal(reason: "written with \(state.shards.count) shard(s), the server runs \(shards.count)"))
        }
        var changes = RuleChanges(previous: previous, current: current)
        let fingerprints = previous.map(\.fingerprint)
        var problem: String?
        let types = metricTypes.withLock { $0 }
        withAllShardLocks(from: 0) { pipelines in
            for (index, pipeline) in pipelines.enumerated() {
                if let reason = pipeline.problem(restoring: state.shards[index], ruleCount: fingerprints.count) {
                    problem = "shard \(index): \(reason)"
                    return
                }
            }
            for (index, pipeline) in pipelines.enumerated() {
                let summary = pipeline.restore(state.shards[index], ruleFingerprints: fingerprints, typeOf: { types.type(ofSeries: $0) }, at: now)
                changes.bindings.add(summary)
                for ref in pipeline.store.allSeries { pipeline.noteArrival(ref, at: now) }
            }
        }
        if let problem { return .failure(RestoreRefusal(reason: problem)) }
        // The stores' slots now hold the snapshot's series: the usage summaries find theirs again.
        for shard in shards { shard.withLock { $0.usage.forgetSlots() } }
        if let log = state.notifications, let notifier {
            try? notifier.restoreNotificationLog(log, workspace: name)
        }
        let sink = shards[0].withLock { $0.pipeline.sink }
        for incident in changes.bindings.resolved { sink?.handle(.resolved(incident)) }
        return .success(changes)
    }

    /// Why a snapshot was not restored.
    struct RestoreRefusal: Error, Sendable {
        var reason: String
    }

    /// Runs `body` with the pipelines of shards `index...` locked, in shard order (the one
    /// order every multi-shard lock takes, so it cannot deadlock with itself).
    private func withAllShardLocks(from index: Int, _ pipelines: [Pipeline] = [], _ body: ([Pipeline]) -> Void) {
        guard index < shards.count else {
            body(pipelines)
            return
        }
        shards[index].withLock { box in withAllShardLocks(from: index + 1, pipelines + [box.pipeline], body) }
    }
}

extension Pipeline.RebindSummary {
    /// Adds another shard's counts.
    mutating func add(_ other: Pipeline.RebindSummary) {
        kept += other.kept
        fresh += other.fresh
        dropped += other.dropped
        resolved += other.resolved
        cancelled += other.cancelled
    }
}
