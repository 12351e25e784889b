import Pipeline

/// One pipeline the scheduler warms series of, behind its owner's lock (a workspace's shard
/// in `aiops serve`). The scheduler holds the lock only for short calls: taking candidates,
/// one response's samples for one series, finishing a series.
public protocol WarmStartShard: Sendable {
    /// Runs `body` with the pipeline, under the owner's lock.
    func withPipeline(_ body: (Pipeline) -> Void)
}
