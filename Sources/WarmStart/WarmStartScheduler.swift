import AIOpsCore
import Dispatch
import Fixtures
import Foundation
import Pipeline
import Synchronization

/// Warm start in the background: takes the series that wait for their history from every
/// pipeline, batches them by metric name and step, reads their history from the source at
/// most `queriesPerSecond` queries a second, replays it through their detectors and lets
/// their live samples be scored.
///
/// One thread of its own (`start()`); `runPending()` does one pass synchronously, for tests.
/// A failed query (HTTP error, timeout, bad JSON) ends its series' wait without history:
/// they warm up from their live samples, as without warm start, and are counted.
public final class WarmStartScheduler: Sendable {
    public let options: WarmStartOptions
    let planner: WarmStartPlanner
    let client: QueryRangeClient
    /// The pipelines, in the order they were added: a queued series names its shard by index,
    /// so shards are only ever appended (a reload adds a workspace's; a removed workspace's
    /// stay, and its `WarmStartShard` lets go of the pipeline).
    private let shards: Mutex<[any WarmStartShard]>
    let clock: any WallClock
    /// Waits this many milliseconds (the pacer's delays); nil: a real wait that `stop()` cuts short.
    let sleep: (@Sendable (Int64) -> Void)?
    let log: @Sendable (String) -> Void
    private let state: Mutex<State>
    private let stopped = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    /// Signalled by `stop()`: cuts idle waits and pacing waits short.
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    struct State {
        var queue = WarmQueue()
        var pacer: QueryPacer
        var statistics = WarmStartStatistics()
        /// Failed queries not yet logged, and when a failure was last logged.
        var unloggedFailures = 0
        var lastFailureLog: Timestamp = .min
        /// Whether a summary line is due when the queue next runs dry, and when one was last
        /// written (at most one a minute, as failures).
        var summaryDue = false
        var lastSummary: Timestamp = .min
    }

    /// Failure and summary lines at most this often (a down source fails every query; new
    /// series may trickle in all day).
    static let failureLogInterval: Int64 = 60_000

    /// - Parameters:
    ///   - shards: the pipelines whose new series wait for history (`Pipeline.warmsNewSeries`).
    ///   - clock: wall time for the pacer and the step patience.
    ///   - sleep: how the pacer waits (tests advance a `ManualClock`); nil for a real wait.
    ///   - log: one line per event worth knowing (failures; a summary when the queue runs
    ///     dry), each kind at most once a minute. Never a credential.
    public init(
        options: WarmStartOptions, shards: [any WarmStartShard], clock: any WallClock = SystemClock(),
        sleep: (@Sendable (Int64) -> Void)? = nil, log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.options = options
        planner = WarmStartPlanner(options: options)
        client = QueryRangeClient(source: options.source, credentials: options.credentials, timeout: options.timeout)
        self.shards = Mutex(shards)
        self.clock = clock
        self.sleep = sleep
        self.log = log
        state = Mutex(State(pacer: QueryPacer(queriesPerSecond: options.queriesPerSecond)))
    }

    public var statistics: WarmStartStatistics {
        state.withLock { $0.statistics }
    }

    /// Warms the new series of more pipelines from now on (a workspace a reload adds).
    public func add(shards more: [any WarmStartShard]) {
        shards.withLock { $0.append(contentsOf: more) }
    }

    /// The shard a queued series came from.
    private func shard(_ index: Int) -> any WarmStartShard {
        shards.withLock { $0[index] }
    }

    /// Starts the background thread.
    public func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in self.loop() }
        thread.name = "aiops-warm-start"
        thread.start()
    }

    /// Stops the thread: a query in flight is cancelled, and every series still queued stops
    /// waiting without history (its live samples are scored now), so a snapshot taken after
    /// this sees no series half warmed.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wake.signal()
        if started.load(ordering: .acquiring) {
            _ = exited.wait(timeout: .now() + .seconds(10))
        } else {
            abandonQueued()
        }
    }

    private func loop() {
        let poll = Int(max(10, options.pollInterval.milliseconds))
        while !stopped.load(ordering: .acquiring) {
            runPending()
            if stopped.load(ordering: .acquiring) { break }
            _ = wake.wait(timeout: .now() + .milliseconds(poll))
        }
        abandonQueued()
        exited.signal()
    }

    /// Takes the pipelines' new candidates, then runs queued batches (taking candidates again
    /// between them) until nothing is queued.
    public func runPending() {
        collect()
        while !stopped.load(ordering: .acquiring) {
            // As many series as one query carries at the batch's step, fewer if their
            // selector would be too long.
            let batch = state.withLock { state in
                state.queue.takeBatch(limit: { planner.seriesPerQuery(step: $0.step) }) { members in
                    planner.selector(members.map(\.identity)).utf8.count <= planner.maxSelectorBytes
                }
            }
            guard let batch else { break }
            run(key: batch.key, members: batch.members)
            collect()
        }
        let now = clock.now()
        let summary: WarmStartStatistics? = state.withLock { state in
            guard state.summaryDue, state.queue.count == 0,
                  state.lastSummary == .min || now - state.lastSummary >= Self.failureLogInterval else { return nil }
            state.summaryDue = false
            state.lastSummary = now
            return state.statistics
        }
        if let summary {
            log("warm start: \(summary.seriesWarmed) series warmed from history, \(summary.seriesEmpty) had none, \(summary.seriesFailed) failed (\(summary.queriesSucceeded) queries, \(summary.queriesFailed) failed, \(summary.samples) samples) so far")
        }
    }

    /// Takes every pipeline's candidates into the queue and counts the series that stopped
    /// waiting on their own.
    private func collect() {
        let now = clock.now()
        let patience = options.stepPatience.milliseconds
        var members: [(WarmMember, WarmBatchKey)] = []
        var endedEarly = 0
        for (index, shard) in shards.withLock({ $0 }).enumerated() {
            shard.withPipeline { pipeline in
                for candidate in pipeline.takeWarmCandidates(now: now, patience: patience) {
                    let step = planner.step(first: candidate.firstTimestamp, second: candidate.secondTimestamp)
                    let member = WarmMember(shard: index, candidate: candidate, identity: planner.identity(candidate.labels))
                    members.append((member, WarmBatchKey(metric: candidate.labels.metricName, step: step)))
                }
                endedEarly += pipeline.takeWarmEndedEarly()
            }
        }
        guard !members.isEmpty || endedEarly > 0 else { return }
        state.withLock { state in
            for (member, key) in members { state.queue.add(member, key: key) }
            state.statistics.seriesQueued += members.count
            state.statistics.seriesFailed += endedEarly
            state.summaryDue = true
        }
    }

    /// Reads one batch's history, window by window (oldest first), applying each window's
    /// samples as it arrives, then ends every member's wait.
    private func run(key: WarmBatchKey, members: [WarmMember]) {
        let queries = planner.queries(for: members.map(\.identity), firstTimestamps: members.map(\.candidate.firstTimestamp), step: key.step)
        var byIdentity: [Labels: [Int]] = [:]
        for (index, member) in members.enumerated() { byIdentity[member.identity, default: []].append(index) }
        var applied = [Int](repeating: 0, count: members.count)
        var gone = [Bool](repeating: false, count: members.count)
        var failure: WarmStartError?
        for query in queries {
            waitTurn()
            if stopped.load(ordering: .acquiring) {
                failure = .cancelled
                break
            }
            let series: [FixtureSeries]
            let asked = MonotonicClock.nanoseconds()
            do {
                series = try client.fetch(query) { self.stopped.load(ordering: .acquiring) }
            } catch {
                failure = error
                let spent = MonotonicClock.nanoseconds() - asked
                state.withLock { $0.statistics.queryNanoseconds += spent }
                noteFailure(error, query: query, members: members.count)
                break
            }
            let answered = MonotonicClock.nanoseconds()
            state.withLock { state in
                state.statistics.queriesSucceeded += 1
                state.statistics.queryNanoseconds += answered - asked
            }
            defer {
                let spent = MonotonicClock.nanoseconds() - answered
                state.withLock { $0.statistics.replayNanoseconds += spent }
            }
            for one in series {
                guard let indices = byIdentity[planner.identity(one.labels)] else { continue }
                for index in indices where !gone[index] {
                    let member = members[index]
                    var count: Int?
                    shard(member.shard).withPipeline { pipeline in
                        count = pipeline.applyHistory(member.candidate.ticket, timestamps: one.timestamps, values: one.values)
                    }
                    if let count { applied[index] += count } else { gone[index] = true }
                }
            }
        }
        var warmed = 0, empty = 0, failed = 0, samples = 0
        for (index, member) in members.enumerated() where !gone[index] {
            var finished = false
            shard(member.shard).withPipeline { pipeline in
                finished = pipeline.finishWarming(member.candidate.ticket, keepHistory: failure == nil)
            }
            // A series that stopped waiting on its own is counted by its pipeline.
            guard finished else { continue }
            if failure != nil {
                failed += 1
            } else if applied[index] > 0 {
                warmed += 1
                samples += applied[index]
            } else {
                empty += 1
            }
        }
        state.withLock { state in
            state.statistics.seriesQueued -= members.count
            state.statistics.seriesWarmed += warmed
            state.statistics.seriesEmpty += empty
            state.statistics.seriesFailed += failed
            state.statistics.samples += samples
        }
    }

    /// Waits for the pacer's next slot.
    private func waitTurn() {
        let delay = state.withLock { $0.pacer.reserve(now: clock.now()) }
        guard delay > 0 else { return }
        if let sleep {
            sleep(delay)
        } else {
            _ = wake.wait(timeout: .now() + .milliseconds(Int(delay)))
        }
    }

    /// Counts a failed query and logs it, at most once a minute (with how many failed since).
    private func noteFailure(_ error: WarmStartError, query: QueryRangeQuery, members: Int) {
        let now = clock.now()
        let failures: Int? = state.withLock { state in
            state.statistics.queriesFailed += 1
            state.unloggedFailures += 1
            guard error != .cancelled, state.lastFailureLog == .min || now - state.lastFailureLog >= Self.failureLogInterval else { return nil }
            defer { state.unloggedFailures = 0 }
            state.lastFailureLog = now
            return state.unloggedFailures
        }
        guard let failures else { return }
        var selector = query.query
        if selector.count > 200 { selector = String(selector.prefix(200)) + "..." }
        let others = failures > 1 ? " (\(failures) failed queries since the last such line)" : ""
        log("warm start: history for \(members) series of \(selector) not read: \(error); they warm up from their live samples\(others)")
    }

    /// Ends the wait of every queued series without history (at stop).
    private func abandonQueued() {
        let members = state.withLock { $0.queue.removeAll() }
        var failed = 0
        for member in members {
            var finished = false
            shard(member.shard).withPipeline { finished = $0.finishWarming(member.candidate.ticket, keepHistory: false) }
            if finished { failed += 1 }
        }
        state.withLock { state in
            state.statistics.seriesQueued -= members.count
            state.statistics.seriesFailed += failed
        }
    }
}
