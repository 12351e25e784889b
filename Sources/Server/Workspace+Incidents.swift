import Incidents

extension Workspace {
    /// The open incidents with these ids in their current state (latest value, rate, time to
    /// the limit, advice filled in from them): what the notifier's reminders show.
    /// - Complexity: takes each shard's lock once; O(open incidents).
    public func currentIncidents(ids: Set<String>) -> [Incident] {
        var out: [Incident] = []
        for shard in shards {
            shard.withLock { out += $0.pipeline.currentIncidents(ids: ids) }
        }
        return out
    }
}
