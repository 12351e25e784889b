import AIOpsCore
import Delivery
import Dispatch
import Foundation
import Synchronization

/// Remote-writes workspaces' scores: every `interval`, the scores written since the last
/// collection are taken from the workspace (`ScoreSource`, each shard's lock held while they
/// are copied), encoded with the project's remote-write encoder (1.0, snappy), queued
/// (`ScoreRemoteWriteQueue`: bounded, oldest dropped first) and sent one request at a time
/// per workspace, retried with backoff.
///
/// One thread for every workspace; it sleeps until the next collection or attempt. Call
/// `start()` and, when done, `shutdown()`.
public final class ScoreRemoteWriter: Sendable {
    /// One workspace's remote write.
    public struct Target: Sendable {
        public var workspace: String
        public var endpoint: OutboundEndpoint
        public var intervalMilliseconds: Int64
        public var timeout: Double
        public var source: any ScoreSource

        public init(workspace: String, endpoint: OutboundEndpoint, intervalMilliseconds: Int64 = 15_000, timeout: Double = 10, source: any ScoreSource) {
            self.workspace = workspace
            self.endpoint = endpoint
            self.intervalMilliseconds = intervalMilliseconds
            self.timeout = timeout
            self.source = source
        }
    }

    struct Lane: Sendable {
        var target: Target
        var queue: ScoreRemoteWriteQueue
        var nextCollection: Timestamp
    }

    struct State: Sendable {
        var lanes: [Lane]
        /// Bumped by `reconfigure`: completions of an older generation are dropped.
        var generation = 0
        /// Callers of `waitUntilIdle`, signalled whenever a round or a send completes.
        var waiters = SettleWaiters()
    }

    private let state: Mutex<State>
    private let poster: any HTTPPoster
    private let clock: any WallClock
    private let log: DeliveryLog
    private let maxSeriesPerRequest: Int
    private let maxQueuedSamples: Int
    private let retry: RetryPolicy
    private let worker = WorkerThread(name: "aiops-score-write")

    /// - Parameter maxQueuedSamples: per workspace, beyond which the oldest are dropped.
    public init(
        targets: [Target], poster: any HTTPPoster = URLSessionHTTPPoster(), clock: any WallClock = SystemClock(),
        log: DeliveryLog = .standardError, maxQueuedSamples: Int = 100_000, maxSeriesPerRequest: Int = 2000, retry: RetryPolicy = RetryPolicy()
    ) {
        let now = clock.now()
        state = Mutex(State(lanes: targets.map { target in
            Lane(target: target,
                 queue: ScoreRemoteWriteQueue(workspace: target.workspace, url: target.endpoint.redacted, maxQueuedSamples: maxQueuedSamples, retry: retry),
                 nextCollection: now + target.intervalMilliseconds)
        }))
        self.poster = poster
        self.clock = clock
        self.log = log
        self.maxSeriesPerRequest = maxSeriesPerRequest
        self.maxQueuedSamples = maxQueuedSamples
        self.retry = retry
    }

    /// Replaces the workspaces written for (a configuration reload). A workspace whose
    /// endpoint (URL and credentials) and interval stay keeps its queue and schedule; its
    /// request in flight, if any, is sent again.
    public func reconfigure(targets: [Target]) {
        let now = clock.now()
        state.withLock { state in
            var lanes: [Lane] = []
            for target in targets {
                if var kept = state.lanes.first(where: { $0.target.workspace == target.workspace && $0.target.endpoint == target.endpoint }) {
                    kept.target = target
                    kept.queue.abandonInFlight()
                    lanes.append(kept)
                } else {
                    lanes.append(Lane(target: target,
                                      queue: ScoreRemoteWriteQueue(workspace: target.workspace, url: target.endpoint.redacted, maxQueuedSamples: maxQueuedSamples, retry: retry),
                                      nextCollection: now + target.intervalMilliseconds))
                }
            }
            state.lanes = lanes
            state.generation += 1
        }
        worker.wake()
    }

    /// Starts the thread (once).
    public func start() {
        worker.start { [self] in self.round() }
    }

    /// Stops the thread (waiting for it); a request in flight finishes on its own.
    public func shutdown() {
        worker.stop()
    }

    /// Counters per workspace, for `/metrics`.
    public var statuses: [ScoreRemoteWriteStatus] { state.withLock { $0.lanes.map(\.queue.status) } }

    /// Collects every workspace's new scores now (instead of at its next interval) and
    /// queues them. For tests and a graceful stop.
    public func collectNow() {
        let now = clock.now()
        state.withLock { state in
            for index in state.lanes.indices { state.lanes[index].nextCollection = now }
        }
        worker.wake()
    }

    /// Waits up to `timeout` seconds until every queue is empty and nothing is in flight.
    public func waitUntilIdle(timeout: Double) -> Bool {
        SettleWaiters.wait(on: state, waiters: \.waiters, timeout: timeout) { state in
            let now = clock.now()
            return state.lanes.allSatisfy { $0.queue.isIdle && $0.nextCollection > now }
        }
    }

    // MARK: The thread

    /// One round: collect the scores due, send the requests due; returns how long to sleep.
    private func round() -> Int64 {
        let now = clock.now()
        // Collections first (outside `state`: they take shard locks), then sends.
        let collect = state.withLock { state -> [(Int, Target)] in
            var due: [(Int, Target)] = []
            for index in state.lanes.indices where state.lanes[index].nextCollection <= now {
                state.lanes[index].nextCollection = now + state.lanes[index].target.intervalMilliseconds
                due.append((index, state.lanes[index].target))
            }
            return due
        }
        for (_, target) in collect {
            let records = target.source.latestScores(pendingOnly: true, markExported: true)
            let requests = ScoreRemoteWriteQueue.requests(records, maxSeriesPerRequest: maxSeriesPerRequest)
            state.withLock { state in
                // By workspace: a reload may have replaced the lanes meanwhile.
                guard let index = state.lanes.firstIndex(where: { $0.target.workspace == target.workspace }) else { return }
                for request in requests { state.lanes[index].queue.enqueue(body: request.body, samples: request.samples, now: now) }
            }
        }
        let (sends, next) = state.withLock { state -> ([(Int, Int, Target, ScoreRemoteWriteQueue.Request)], Timestamp?) in
            var sends: [(Int, Int, Target, ScoreRemoteWriteQueue.Request)] = []
            var next: Timestamp?
            for index in state.lanes.indices {
                if let request = state.lanes[index].queue.due(now: now) { sends.append((index, state.generation, state.lanes[index].target, request)) }
                let collection = state.lanes[index].nextCollection
                next = min(next ?? collection, collection)
                if let at = state.lanes[index].queue.nextDeadline { next = min(next!, at) }
            }
            state.waiters.signalAll()
            return (sends, next)
        }
        for (index, generation, target, request) in sends { send(request, lane: index, generation: generation, target: target) }
        var waitMs: Int64 = 1000
        if let next { waitMs = min(waitMs, max(0, next - clock.now())) }
        return waitMs
    }

    private func send(_ request: ScoreRemoteWriteQueue.Request, lane: Int, generation: Int, target: Target) {
        let headers = [
            ("Content-Type", "application/x-protobuf"),
            ("Content-Encoding", "snappy"),
            ("X-Prometheus-Remote-Write-Version", "0.1.0"),
        ]
        poster.post(request.body, to: target.endpoint, path: "", headers: headers, timeout: target.timeout) { [self] response in
            let outcome = ScoreRemoteWriteQueue.Outcome.classify(response)
            let now = clock.now()
            let line = state.withLock { state -> String? in
                guard state.generation == generation else { return nil }
                let line = state.lanes[lane].queue.complete(outcome, now: now)
                state.waiters.signalAll()
                return line
            }
            if let line {
                let level: DeliveryLog.Level = outcome == .accepted ? .info : .warning
                log.log(level, "scores remote write \(target.endpoint.redacted) (workspace \(target.workspace)): \(line)")
            }
            worker.wake()
        }
    }
}
