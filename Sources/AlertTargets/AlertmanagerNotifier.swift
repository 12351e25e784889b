import AIOpsCore
import Delivery
import Dispatch
import Foundation
import Incidents
import Synchronization

/// Sends workspaces' incidents to their Alertmanagers (`POST /api/v2/alerts`): an
/// `IncidentSink` per workspace feeds an `AlertmanagerQueue`, and one thread makes the
/// requests it decides, sleeping until the next deadline or event.
///
/// Lock order: `state` is never held during I/O; completions run on the poster's threads.
/// Call `start()` to begin sending and `shutdown()` when done (the thread keeps the object
/// alive until then). Unsent alerts are not kept across a restart: Prometheus does not either,
/// and a still-firing incident restored from a snapshot is handed in again (`restore`).
public final class AlertmanagerNotifier: Sendable {
    struct State: Sendable {
        var queue: AlertmanagerQueue
        var inFlight = 0
        /// Callers of `waitUntilSent`, signalled whenever a request completes.
        var waiters = SettleWaiters()
    }

    private let state: Mutex<State>
    // Never change after init.
    private let poster: any HTTPPoster
    private let clock: any WallClock
    private let log: DeliveryLog
    private let externalURL: String?
    private let worker = WorkerThread(name: "aiops-alertmanager")
    /// Longest sleep without looking at the clock (a `ManualClock` moved by a test, a jump).
    private let maximumIdleWaitMs: Int64

    /// - Parameters:
    ///   - targets: every workspace's Alertmanagers.
    ///   - externalURL: `--external-url`, for alerts' `generatorURL`.
    public init(
        targets: [AlertmanagerQueue.Target], settings: AlertmanagerQueue.Settings = .init(), externalURL: String? = nil,
        poster: any HTTPPoster = URLSessionHTTPPoster(), clock: any WallClock = SystemClock(), log: DeliveryLog = .standardError,
        maximumIdleWait: Double = 1
    ) {
        state = Mutex(State(queue: AlertmanagerQueue(targets: targets, settings: settings)))
        self.poster = poster
        self.clock = clock
        self.log = log
        self.externalURL = externalURL
        maximumIdleWaitMs = max(1, Int64(maximumIdleWait * 1000))
    }

    /// Starts the sending thread (once).
    public func start() {
        worker.start { [self] in self.round() }
    }

    /// Stops the thread (waiting for it); requests in flight finish on their own.
    public func shutdown() {
        worker.stop()
    }

    /// Whether `workspace` has Alertmanagers now.
    public func serves(workspace: String) -> Bool { state.withLock { $0.queue.workspaces.contains(workspace) } }

    /// Replaces the Alertmanagers (a configuration reload; see `AlertmanagerQueue.reconfigure`).
    public func reconfigure(targets: [AlertmanagerQueue.Target]) {
        state.withLock { $0.queue.reconfigure(targets: targets) }
        worker.wake()
    }

    /// An `IncidentSink` feeding `workspace`'s Alertmanagers (whichever it has when an event
    /// comes; none: the event is dropped).
    public func sink(forWorkspace workspace: String) -> any IncidentSink {
        AlertmanagerIncidentSink(notifier: self, workspace: workspace)
    }

    /// Records an event of `workspace` (ignored when it has no Alertmanager).
    public func handle(_ event: IncidentEvent, workspace: String) {
        let now = clock.now()
        state.withLock { $0.queue.handle(event, workspace: workspace, externalURL: externalURL, now: now) }
        worker.wake()
    }

    /// Hands in incidents that were firing before a restart (loaded from a snapshot), so they
    /// are sent again and keep their alerts alive.
    public func restore(firing incidents: [Incident], workspace: String) {
        for incident in incidents where incident.phase == .firing { handle(.firing(incident), workspace: workspace) }
    }

    /// Counters per Alertmanager, for `/metrics`.
    public var statuses: [AlertmanagerStatus] { state.withLock { $0.queue.statuses } }

    /// Wakes the thread to look at the clock now (after a `ManualClock` moved).
    public func tick() { worker.wake() }

    /// Waits up to `timeout` seconds until nothing is due or in flight; true if so. For tests
    /// and for a graceful stop.
    public func waitUntilSent(timeout: Double) -> Bool {
        SettleWaiters.wait(on: state, waiters: \.waiters, timeout: timeout, nudge: { worker.wake() }) { state in
            let now = clock.now()
            return state.inFlight == 0 && !(state.queue.nextDeadline(now: now).map { $0 <= now } ?? false)
        }
    }

    // MARK: The thread

    /// One round: send what is due; returns how long to sleep until the next deadline.
    private func round() -> Int64 {
        let now = clock.now()
        let (dispatches, next) = state.withLock { state -> ([AlertmanagerQueue.Dispatch], Timestamp?) in
            let due = state.queue.due(now: now)
            state.inFlight += due.count
            return (due, state.queue.nextDeadline(now: now))
        }
        for dispatch in dispatches { send(dispatch) }
        var waitMs = maximumIdleWaitMs
        if let next { waitMs = min(waitMs, max(0, next - clock.now())) }
        return waitMs
    }

    private func send(_ dispatch: AlertmanagerQueue.Dispatch) {
        let endpoint = dispatch.target.endpoint
        poster.post(dispatch.body, to: endpoint, path: "/api/v2/alerts", headers: [("Content-Type", "application/json")],
                    timeout: dispatch.target.timeout) { [self] response in
            let outcome = AlertmanagerQueue.Outcome.classify(response, endpoint: endpoint.redacted)
            let now = clock.now()
            let line = state.withLock { state -> String? in
                state.inFlight -= 1
                let line = state.queue.complete(dispatch, outcome: outcome, now: now)
                state.waiters.signalAll()
                return line
            }
            if let line {
                switch outcome {
                case .accepted: log.log(.info, line)
                case .retry: log.log(.warning, line)
                case .rejected: log.log(.error, line)
                }
            }
            worker.wake()
        }
    }
}

/// Feeds one workspace of an `AlertmanagerNotifier`.
final class AlertmanagerIncidentSink: IncidentSink {
    let notifier: AlertmanagerNotifier
    let workspace: String

    init(notifier: AlertmanagerNotifier, workspace: String) {
        self.notifier = notifier
        self.workspace = workspace
    }

    func handle(_ event: IncidentEvent) {
        notifier.handle(event, workspace: workspace)
    }
}

/// Hands every event to several sinks in order: a workspace's Slack notifier and its
/// Alertmanagers. Events are rare (transitions only), so the loop costs nothing per sample.
public final class IncidentFanOut: IncidentSink {
    public let sinks: [any IncidentSink]

    public init(_ sinks: [any IncidentSink]) {
        self.sinks = sinks
    }

    /// The one sink when there is one, a fan-out when several, nil when none.
    public static func combining(_ sinks: [(any IncidentSink)?]) -> (any IncidentSink)? {
        let present = sinks.compactMap { $0 }
        switch present.count {
        case 0: return nil
        case 1: return present[0]
        default: return IncidentFanOut(present)
        }
    }

    public func handle(_ event: IncidentEvent) {
        for sink in sinks { sink.handle(event) }
    }
}
