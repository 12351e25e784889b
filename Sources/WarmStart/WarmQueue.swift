import AIOpsCore
import Pipeline

/// A series handed out by a pipeline, waiting in the scheduler for its query.
struct WarmMember: Sendable {
    /// Index of its pipeline in the scheduler's shards.
    let shard: Int
    let candidate: WarmCandidate
    /// Its labels as matched in a response (`WarmStartPlanner.identity`).
    let identity: Labels
}

/// Series that share a query: one metric name read at one step.
struct WarmBatchKey: Hashable, Sendable {
    let metric: String
    let step: Int64
}

/// Waiting series by batch, batches in the order their first series arrived: a metric's
/// series that come while earlier queries run join its batch instead of making their own.
struct WarmQueue: Sendable {
    private var order: [WarmBatchKey] = []
    private var waiting: [WarmBatchKey: [WarmMember]] = [:]
    private(set) var count = 0

    mutating func add(_ member: WarmMember, key: WarmBatchKey) {
        if waiting[key] == nil { order.append(key) }
        waiting[key, default: []].append(member)
        count += 1
    }

    /// The oldest batch's first `limit(key)` series, fewer while `fits` refuses them
    /// (halving, down to one); the rest stays first in line.
    mutating func takeBatch(limit: (WarmBatchKey) -> Int, fits: ([WarmMember]) -> Bool) -> (key: WarmBatchKey, members: [WarmMember])? {
        guard let key = order.first, let all = waiting[key] else { return nil }
        var size = min(max(1, limit(key)), all.count)
        while size > 1 && !fits(Array(all.prefix(size))) { size = (size + 1) / 2 }
        let members = Array(all.prefix(size))
        if size == all.count {
            waiting[key] = nil
            order.removeFirst()
        } else {
            waiting[key] = Array(all.dropFirst(size))
        }
        count -= size
        return (key, members)
    }

    /// Empties the queue. - Returns: every waiting series.
    mutating func removeAll() -> [WarmMember] {
        let all = order.flatMap { waiting[$0] ?? [] }
        order = []
        waiting = [:]
        count = 0
        return all
    }
}
