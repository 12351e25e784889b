import AIOpsCore
import Delivery
import Pipeline
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
        withAllShardLocks(from: 0) { pipelines in
            for index in pipelines.indices { pipelines[index].capture(into: &images[index]) }
            log = notifier?.notificationLog(workspace: name)
        }
        return WorkspaceState(workspace: name, created: now, rulesFingerprint: rulesFingerprint, shards: images, notifications: log)
    }

    /// Restores a snapshot into this workspace's fresh pipelines (before it accepts writes).
    /// Series are noted as arriving `now`, so a long downtime does not make them idle.
    /// - Returns: why it was refused (nothing restored), or nil.
    func restore(_ state: WorkspaceState, notifier: Notifier?, now: Timestamp) -> String? {
        guard state.rulesFingerprint == rulesFingerprint else {
            return "written under other rules (a rule was added, removed, reordered or its selector, detector or timing changed)"
        }
        guard state.shards.count == shards.count else {
            return "written with \(state.shards.count) shard(s), the server runs \(shards.count)"
        }
        var problem: String?
        withAllShardLocks(from: 0) { pipelines in
            for (index, pipeline) in pipelines.enumerated() {
                if let reason = pipeline.problem(restoring: state.shards[index]) {
                    problem = "shard \(index): \(reason)"
                    return
                }
            }
            for (index, pipeline) in pipelines.enumerated() {
                pipeline.restore(state.shards[index])
                for ref in pipeline.store.allSeries { pipeline.noteArrival(ref, at: now) }
            }
        }
        if problem == nil, let log = state.notifications, let notifier {
            try? notifier.restoreNotificationLog(log, workspace: name)
        }
        return problem
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
