import ScoreExport

extension Workspace: ScoreSource {
    /// Every binding's latest scores, shard by shard, each shard's lock held only while its
    /// records are copied (labels are shared, not copied). - Complexity: O(series + bindings).
    public func latestScores(pendingOnly: Bool, markExported: Bool) -> [ScoreRecord] {
        var records: [ScoreRecord] = []
        for shard in shards {
            shard.withLock { box in
                let pipeline = box.pipeline
                pipeline.collectLatestScores(pendingOnly: pendingOnly, markExported: markExported) { ref, rule, latest in
                    records.append(ScoreRecord(labels: pipeline.store.labels(of: ref), rule: rule, latest: latest))
                    return true
                }
            }
        }
        return records
    }
}
