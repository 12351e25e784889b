import AIOpsCore

/// Which notification to attempt when, per webhook: order, rate limit, retries and deadlines.
///
/// A pure state machine over wall time (the `Notifier` holds it under its lock and performs
/// what it returns), so every timing rule is testable with a `ManualClock` and no network.
/// - One lane per webhook, first in first out: only the head is attempted, so order is kept
///   and a retried head holds back the ones behind it.
/// - Rate limit: an attempt starts at least `minimumInterval` after the previous attempt of
///   its webhook finished (not started), so arrivals at Slack are that far apart whatever the
///   network latency; a 429 also holds the whole lane for its `Retry-After`.
/// - Retries: backoff from `RetryPolicy`; a retry that would start after `queuedAt + deadline`
///   gives the notification up instead.
struct DeliveryQueue: Sendable {
    struct Pending: Sendable {
        var entry: OutboxEntry
        /// When it entered this queue (this process): the deadline counts from here.
        var queuedAt: Timestamp
        var notBefore: Timestamp
        var retries: Int
        /// An attempt (or its bookkeeping) is in progress: not due again until `release`.
        var busy: Bool
    }

    struct Lane: Sendable {
        var pending: [Pending] = []
        var nextStart: Timestamp = .min
        var status: WebhookStatus
    }

    enum Completion: Sendable, Equatable {
        case delivered(OutboxEntry)
        /// Still queued and busy until `release`: the caller persists `attempts` first.
        case retrying(OutboxEntry, at: Timestamp, DeliveryError)
        case gaveUp(OutboxEntry, DeliveryError, afterDeadline: Bool)
    }

    let retry: RetryPolicy
    let minimumIntervalMs: Int64
    private var rng: SplitMix64
    private(set) var lanes: [String: Lane] = [:]

    init(retry: RetryPolicy, minimumInterval: Double, webhooks: [String] = []) {
        self.retry = retry
        self.minimumIntervalMs = Int64((minimumInterval * 1000).rounded())
        self.rng = SplitMix64(seed: retry.resolvedSeed())
        for id in webhooks { lanes[id] = Lane(status: WebhookStatus(webhook: id)) }
    }

    var pendingCount: Int { lanes.values.reduce(0) { $0 + $1.pending.count } }

    mutating func enqueue(_ entry: OutboxEntry, now: Timestamp) {
        var lane = lanes[entry.webhook] ?? Lane(status: WebhookStatus(webhook: entry.webhook))
        lane.pending.append(Pending(entry: entry, queuedAt: now, notBefore: now, retries: 0, busy: false))
        lane.status.queued = lane.pending.count
        lanes[entry.webhook] = lane
    }

    /// The attempts to start now (at most one per webhook), marked busy, their `attempts`
    /// counted, and each lane's rate limit advanced.
    mutating func dueAttempts(now: Timestamp) -> [OutboxEntry] {
        var due: [OutboxEntry] = []
        for id in lanes.keys.sorted() {
            guard var lane = lanes[id], var head = lane.pending.first, !head.busy,
                  now >= head.notBefore, now >= lane.nextStart
            else { continue }
            head.busy = true
            head.entry.attempts += 1
            lane.pending[0] = head
            lane.nextStart = now + minimumIntervalMs
            lanes[id] = lane
            due.append(head.entry)
        }
        return due
    }

    /// Records how the attempt at the head of `webhook`'s lane ended.
    mutating func complete(webhook: String, outcome: AttemptOutcome, now: Timestamp) -> Completion? {
        guard var lane = lanes[webhook], var head = lane.pending.first, head.busy else { return nil }
        defer { lanes[webhook] = lane }
        // +1 ms: the clock's millisecond floor must never make the gap shorter.
        if minimumIntervalMs > 0 { lane.nextStart = max(lane.nextStart, now + minimumIntervalMs + 1) }
        switch outcome {
        case .delivered:
            lane.pending.removeFirst()
            lane.status.sent += 1
            lane.status.failing = false
            lane.status.queued = lane.pending.count
            return .delivered(head.entry)
        case .reject(let error):
            return giveUp(&lane, head.entry, error, afterDeadline: false)
        case .retry(let error, let atLeast):
            lane.status.lastError = error.reason
            head.retries += 1
            var delayMs = Int64((retry.backoff(retry: head.retries, unit: rng.unit()) * 1000).rounded())
            if let atLeast {
                // +1 ms: the clock's millisecond floor must never make the wait shorter.
                let holdMs = Int64((atLeast * 1000).rounded(.up)) + 1
                delayMs = max(delayMs, holdMs)
                lane.nextStart = max(lane.nextStart, now + holdMs)
            }
            let at = now + delayMs
            if Double(at - head.queuedAt) > retry.deadline * 1000 {
                return giveUp(&lane, head.entry, error, afterDeadline: true)
            }
            head.notBefore = at
            lane.pending[0] = head
            lane.status.retried += 1
            return .retrying(head.entry, at: at, error)
        }
    }

    private func giveUp(_ lane: inout Lane, _ entry: OutboxEntry, _ error: DeliveryError, afterDeadline: Bool) -> Completion {
        lane.pending.removeFirst()
        lane.status.failed[error.reason, default: 0] += 1
        lane.status.lastError = error.reason
        lane.status.failing = true
        lane.status.queued = lane.pending.count
        return .gaveUp(entry, error, afterDeadline: afterDeadline)
    }

    /// Takes out `webhook`'s entries not being attempted (all but a busy head); a lane left
    /// empty is removed.
    mutating func removeWaiting(webhook: String) -> [OutboxEntry] {
        guard var lane = lanes[webhook] else { return [] }
        let keep = lane.pending.first.map { $0.busy ? [$0] : [] } ?? []
        let removed = lane.pending.dropFirst(keep.count).map(\.entry)
        lane.pending = keep
        lane.status.queued = keep.count
        lanes[webhook] = keep.isEmpty ? nil : lane
        return removed
    }

    /// Makes a retrying head due again once its bookkeeping is done.
    mutating func release(webhook: String) {
        guard var lane = lanes[webhook], !lane.pending.isEmpty else { return }
        lane.pending[0].busy = false
        lanes[webhook] = lane
    }

    /// The earliest time `dueAttempts` could return something, or nil when all is idle or busy.
    var nextDeadline: Timestamp? {
        var next: Timestamp?
        for lane in lanes.values {
            guard let head = lane.pending.first, !head.busy else { continue }
            let at = max(head.notBefore, lane.nextStart)
            next = min(next ?? at, at)
        }
        return next
    }

    func status(of webhook: String) -> WebhookStatus? { lanes[webhook]?.status }

    var statuses: [WebhookStatus] { lanes.keys.sorted().compactMap { lanes[$0]?.status } }
}
