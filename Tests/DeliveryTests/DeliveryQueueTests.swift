import AIOpsCore
import Testing
@testable import Delivery

@Suite struct DeliveryQueueTests {
    let clock = ManualClock(1_700_000_000_000)
    let ok = AttemptOutcome.classify(.http(status: 200, body: Array("ok".utf8), retryAfter: nil), webhook: "w")

    func entry(_ id: String, webhook: String = "team") -> OutboxEntry {
        OutboxEntry(id: id, webhook: webhook, workspace: webhook, rule: "r", kind: .firing, created: 0, body: "{}")
    }

    @Test func burstIsSpacedOneSecondApartInOrder() {
        var queue = DeliveryQueue(retry: RetryPolicy(), minimumInterval: 1)
        for id in ["1", "2", "3"] { queue.enqueue(entry(id), now: clock.now()) }
        var starts: [(String, Timestamp)] = []
        var guardCount = 0
        while queue.pendingCount > 0, guardCount < 100 {
            guardCount += 1
            for due in queue.dueAttempts(now: clock.now()) {
                starts.append((due.id, clock.now()))
                _ = queue.complete(webhook: due.webhook, outcome: ok, now: clock.now())
            }
            if let next = queue.nextDeadline { clock.set(max(next, clock.now())) }
        }
        #expect(starts.map(\.0) == ["1", "2", "3"])
        #expect(starts[1].1 - starts[0].1 >= 1000)
        #expect(starts[2].1 - starts[1].1 >= 1000)
        #expect(starts[2].1 - starts[0].1 <= 2002)
        #expect(queue.status(of: "team")?.sent == 3)
    }

    @Test func webhooksAreRateLimitedIndependently() {
        var queue = DeliveryQueue(retry: RetryPolicy(), minimumInterval: 1)
        queue.enqueue(entry("a1", webhook: "a"), now: clock.now())
        queue.enqueue(entry("a2", webhook: "a"), now: clock.now())
        queue.enqueue(entry("b1", webhook: "b"), now: clock.now())
        #expect(queue.dueAttempts(now: clock.now()).map(\.id) == ["a1", "b1"])
    }

    @Test func backoffGrowsWithJitterUpToTheMaximum() {
        let policy = RetryPolicy(initialBackoff: 0.5, multiplier: 2, maxBackoff: 60, jitter: 0.2)
        #expect(policy.backoff(retry: 1, unit: 0) == 0.5)
        #expect(policy.backoff(retry: 2, unit: 0) == 1)
        #expect(policy.backoff(retry: 4, unit: 0) == 4)
        #expect(policy.backoff(retry: 30, unit: 0) == 60)
        #expect(policy.backoff(retry: 1, unit: 0.5) == 0.45)
        #expect(policy.backoff(retry: 30, unit: 0.999) > 48)
    }

    @Test func retryAfterHoldsTheLane() {
        var queue = DeliveryQueue(retry: RetryPolicy(initialBackoff: 0.01, jitter: 0), minimumInterval: 0)
        queue.enqueue(entry("1"), now: clock.now())
        let t0 = clock.now()
        _ = queue.dueAttempts(now: t0)
        let outcome = AttemptOutcome.classify(.http(status: 429, body: Array("rate_limited".utf8), retryAfter: 2), webhook: "w")
        let completion = queue.complete(webhook: "team", outcome: outcome, now: t0)
        guard case .retrying(_, let at, let error) = completion else { Issue.record("expected a retry"); return }
        #expect(at >= t0 + 2000)
        #expect(error.reason == "rate_limited")
        queue.release(webhook: "team")
        #expect(queue.dueAttempts(now: t0 + 1999).isEmpty)
        #expect(queue.dueAttempts(now: at).map(\.attempts) == [2])
        #expect(queue.status(of: "team")?.retried == 1)
    }

    @Test func givesUpWhenTheDeadlinePasses() {
        var queue = DeliveryQueue(retry: RetryPolicy(initialBackoff: 1, multiplier: 2, jitter: 0, deadline: 5), minimumInterval: 0)
        queue.enqueue(entry("1"), now: clock.now())
        let failure = AttemptOutcome.classify(.http(status: 500, body: Array("rollup_error".utf8), retryAfter: nil), webhook: "w")
        var results: [String] = []
        for _ in 0..<10 {
            guard let due = queue.dueAttempts(now: clock.now()).first else { break }
            switch queue.complete(webhook: due.webhook, outcome: failure, now: clock.now()) {
            case .retrying(_, let at, _): results.append("retry"); queue.release(webhook: "team"); clock.set(at)
            case .gaveUp(let e, _, let afterDeadline): results.append("gave up \(e.attempts) \(afterDeadline)")
            default: results.append("?")
            }
        }
        // Retries at +1 s and +3 s; the next (+7 s) is past the 5 s deadline.
        #expect(results == ["retry", "retry", "gave up 3 true"])
        #expect(queue.status(of: "team") == WebhookStatus(webhook: "team", retried: 2, failed: ["rollup_error": 1], lastError: "rollup_error", failing: true))
    }

    @Test(arguments: [
        (400, "invalid_payload"), (403, "action_prohibited"), (404, "no_service"), (404, "channel_not_found"), (410, "channel_is_archived"),
    ])
    func clientErrorsAreNotRetried(status: Int, reason: String) {
        let outcome = AttemptOutcome.classify(.http(status: status, body: Array(reason.utf8), retryAfter: nil), webhook: "w")
        #expect(outcome == .reject(.http(webhook: "w", status: status, reason: reason)))
    }

    @Test func classification() {
        #expect(AttemptOutcome.classify(.http(status: 200, body: Array("ok\n".utf8), retryAfter: nil), webhook: "w") == .delivered)
        #expect(AttemptOutcome.classify(.http(status: 200, body: Array("<html>".utf8), retryAfter: nil), webhook: "w") == .reject(.http(webhook: "w", status: 200, reason: "unexpected_response")))
        #expect(AttemptOutcome.classify(.http(status: 503, body: Array("<html>oops</html>".utf8), retryAfter: nil), webhook: "w") == .retry(.http(webhook: "w", status: 503, reason: ""), atLeast: nil))
        #expect(AttemptOutcome.classify(.http(status: 429, body: [], retryAfter: nil), webhook: "w") == .retry(.http(webhook: "w", status: 429, reason: "rate_limited"), atLeast: 1))
        #expect(AttemptOutcome.classify(.http(status: 301, body: [], retryAfter: nil), webhook: "w") == .reject(.redirectRefused(webhook: "w", status: 301)))
        #expect(AttemptOutcome.classify(.failed(.timedOut(webhook: "w", seconds: 1)), webhook: "w") == .retry(.timedOut(webhook: "w", seconds: 1), atLeast: nil))
        #expect(DeliveryError.http(webhook: "w", status: 503, reason: "").reason == "http_503")
    }
}

/// Issue 13: the retry jitter is seeded from a random source unless a test fixes it, so
/// processes started together do not retry at the same instants.
@Suite struct RetryJitterSeedTests {
    /// The delays (ms after the failure) of the first `count` retries of one entry.
    static func retryDelays(_ policy: RetryPolicy, count: Int = 6) -> [Int64] {
        let clock = ManualClock(1_700_000_000_000)
        var queue = DeliveryQueue(retry: policy, minimumInterval: 0)
        queue.enqueue(OutboxEntry(id: "1", webhook: "team", workspace: "team", rule: "r", kind: .firing, created: clock.now(), body: "{}"), now: clock.now())
        let failure = AttemptOutcome.classify(.http(status: 500, body: Array("rollup_error".utf8), retryAfter: nil), webhook: "w")
        var delays: [Int64] = []
        for _ in 0..<count {
            guard let due = queue.dueAttempts(now: clock.now()).first,
                  case .retrying(_, let at, _) = queue.complete(webhook: due.webhook, outcome: failure, now: clock.now()) else { break }
            delays.append(at - clock.now())
            queue.release(webhook: "team")
            clock.set(at)
        }
        return delays
    }

    @Test func unseededQueuesJitterDifferently() {
        let policy = RetryPolicy(initialBackoff: 0.5, jitter: 0.2, deadline: 3600)
        #expect(policy.seed == nil)
        let first = Self.retryDelays(policy), second = Self.retryDelays(policy)
        #expect(first.count == 6)
        #expect(first != second, "two processes (queues) with the default policy retry at different instants")
    }

    @Test func aFixedSeedIsReproducible() {
        let policy = RetryPolicy(initialBackoff: 0.5, jitter: 0.2, deadline: 3600, seed: 42)
        #expect(Self.retryDelays(policy) == Self.retryDelays(policy))
    }
}
