import AIOpsCore
import Dispatch
import Foundation
import Incidents
import Rules
import Synchronization

/// The current state of a workspace's open incidents with the given ids (unknown ids left
/// out): where reminders get their facts. In `aiops serve`, the workspace's pipelines'
/// `currentIncidents(ids:)`.
public typealias CurrentIncidents = @Sendable (_ ids: Set<String>) -> [Incident]

/// How `Notifier.flush(timeout:)` ended.
public struct FlushResult: Sendable, Equatable {
    /// True when nothing was left to deliver before the timeout.
    public var completed: Bool
    /// Since the notifier started: delivered and given-up notifications.
    public var delivered: Int
    public var givenUp: Int
    /// Still queued (when `completed` is false).
    public var pending: Int

    public init(completed: Bool, delivered: Int, givenUp: Int, pending: Int) {
        self.completed = completed
        self.delivered = delivered
        self.givenUp = givenUp
        self.pending = pending
    }
}

/// Receives incident events, decides notifications, stores them in the outbox and delivers
/// them: the one object the server and replay use.
///
/// One `Notifier` serves several workspaces: each has its own `NotificationScheduler` and
/// webhook (ID = workspace name), and all share one outbox and one delivery thread. Events
/// arrive through `handle(_:workspace:)`, through `sink(forWorkspace:)`, or, as an
/// `IncidentSink`, through `handle(_:)` for the first workspace.
///
/// Threads: callers' threads record events; one delivery thread ticks the schedulers,
/// renders, writes the outbox and starts attempts; transport completions run on the
/// transport's threads. It sleeps on a semaphore until the next deadline or a wake-up, never
/// spinning. Call `shutdown()` when done (the thread keeps the notifier alive until then).
///
/// Lock order: `emission` before `state`; neither is held during network I/O, and `state` is
/// never held during disk I/O.
public final class Notifier: IncidentSink, Sendable {
    struct State: Sendable {
        /// Configured workspaces by name; replaced by `reconfigure`.
        var workspaces: [String: NotifierWorkspace]
        var schedulers: [String: NotificationScheduler]
        var queue: DeliveryQueue
        var delivered = 0
        var givenUp = 0
        /// Notifications queued and not yet settled (delivered or given up, outbox updated).
        var unsettled = 0
        /// Callers of `waitUntilIdle`, signalled when `unsettled` drops to zero.
        var idleWaiters = SettleWaiters()

        mutating func enqueue(_ entry: OutboxEntry, now: Timestamp) {
            queue.enqueue(entry, now: now)
            unsettled += 1
        }

        mutating func settle() {
            unsettled -= 1
            if unsettled == 0 {
                idleWaiters.signalAll()
            }
        }
    }

    // Never change after init.
    private let defaultWorkspace: String
    private let outbox: Outbox?
    private let renderer: any NotificationRenderer
    private let transport: any WebhookTransport
    private let clock: any WallClock
    private let textSink: any NotificationSink
    private let log: DeliveryLog
    private let retry: RetryPolicy
    private let maximumIdleWaitMs: Int64

    /// Workspaces, schedulers, delivery queue and counters: protected by `state`.
    private let state: Mutex<State>
    /// Serializes render + outbox write + enqueue so each webhook's order is the decision
    /// order; holds the id sequence counter.
    private let emission = Mutex<UInt64>(0)
    /// Mutes silenced incidents (`setFilter`); nil lets every batch through.
    private let filter = Mutex<(any NotificationFilter)?>(nil)
    /// Where each workspace's reminders get their incidents' current facts, by workspace
    /// (`setCurrentIncidents`). Called with `emission` held and `state` not.
    private let currentIncidents = Mutex<[String: CurrentIncidents]>([:])
    /// The delivery thread, woken on every event, completion and request.
    private let worker = WorkerThread(name: "aiops-delivery")

    /// Opens the outbox, queues what it holds and starts the delivery thread.
    /// - Parameters:
    ///   - renderer: Turns batches into payloads and text.
    ///   - transport: The network; `URLSessionWebhookTransport` by default.
    ///   - clock: Wall time for the policy, rate limit and retries.
    ///   - textSink: Where workspaces without a webhook print.
    /// - Throws: `DeliveryError.outbox` when the outbox cannot be opened,
    ///   `.unknownWorkspace("")` when no workspace is configured.
    public init(
        configuration: NotifierConfiguration, renderer: any NotificationRenderer,
        transport: any WebhookTransport = URLSessionWebhookTransport(), clock: any WallClock = SystemClock(),
        textSink: any NotificationSink = StdoutNotificationSink(), log: DeliveryLog = .standardError
    ) throws(DeliveryError) {
        guard let first = configuration.workspaces.first else { throw .unknownWorkspace("") }
        var byName: [String: NotifierWorkspace] = [:]
        var schedulers: [String: NotificationScheduler] = [:]
        for workspace in configuration.workspaces {
            byName[workspace.name] = workspace
            schedulers[workspace.name] = NotificationScheduler(workspace: workspace.name, policy: workspace.policy, ruleOverrides: workspace.ruleOverrides)
        }
        let webhookIDs = configuration.workspaces.filter { $0.webhook != nil }.map(\.name)
        self.defaultWorkspace = first.name
        self.outbox = try configuration.dataDirectory.map { (dir: String) throws(DeliveryError) -> Outbox in try Outbox(dataDirectory: dir) }
        self.renderer = renderer
        self.transport = transport
        self.clock = clock
        self.textSink = textSink
        self.log = log
        self.retry = configuration.retry
        self.maximumIdleWaitMs = max(1, Int64(configuration.maximumIdleWait * 1000))
        self.state = Mutex(State(
            workspaces: byName,
            schedulers: schedulers,
            queue: DeliveryQueue(retry: configuration.retry, minimumInterval: configuration.minimumSendInterval, webhooks: webhookIDs)
        ))
        loadOutbox()
        worker.start { [self] in self.round() }
    }

    private func loadOutbox() {
        guard let outbox else { return }
        let (entries, corrupt) = outbox.loadPending()
        for name in corrupt { log.log(.error, "outbox: unreadable \(name) moved to failed/") }
        let now = clock.now()
        var loaded = 0
        let workspaces = state.withLock { $0.workspaces }
        for entry in entries {
            guard workspaces[entry.webhook]?.webhook != nil else {
                log.log(.error, "outbox: \(entry.id) is for webhook \(entry.webhook), which is not configured: moved to failed/")
                try? outbox.moveToFailed(entry, reason: "webhook_not_configured", at: now)
                continue
            }
            state.withLock { $0.enqueue(entry, now: now) }
            loaded += 1
        }
        if loaded > 0 { log.log(.info, "outbox: \(loaded) pending notification(s) loaded") }
    }

    // MARK: Events

    /// An event of the first configured workspace.
    public func handle(_ event: IncidentEvent) {
        handle(event, workspace: defaultWorkspace)
    }

    /// Records an event of `workspace`; returns false (and logs) for an unknown workspace.
    @discardableResult
    public func handle(_ event: IncidentEvent, workspace: String) -> Bool {
        let now = clock.now()
        let known = state.withLock { state -> Bool in
            guard state.schedulers[workspace] != nil else { return false }
            state.schedulers[workspace]!.handle(event, now: now)
            return true
        }
        if !known { log.log(.warning, "event for unknown workspace \(workspace) dropped") }
        worker.wake()
        return known
    }

    /// An `IncidentSink` feeding `workspace`, or nil when it is not configured.
    public func sink(forWorkspace workspace: String) -> (any IncidentSink)? {
        state.withLock { $0.workspaces[workspace] } == nil ? nil : WorkspaceIncidentSink(notifier: self, workspace: workspace)
    }

    /// What `reconfigure` changed.
    public struct Reconfiguration: Sendable, Equatable {
        public var added: [String] = []
        public var removed: [String] = []
        /// Queued notifications of webhooks that are gone, moved to `outbox/failed/`.
        public var droppedNotifications = 0
    }

    /// Replaces the workspaces (a configuration reload): a workspace kept keeps its open
    /// groups, repeat timers and queue under its new policy, rule overrides and webhook (the
    /// next attempt goes to the new URL); a new one starts with an empty scheduler; a removed
    /// one's scheduler is dropped. Notifications queued for a webhook that is gone (its
    /// workspace removed, or now without webhook) are given up to `outbox/failed/` with the
    /// reason `webhook_removed`; one in flight finishes, and is not retried.
    /// - Throws: `DeliveryError.unknownWorkspace("")` when `workspaces` is empty (nothing changes).
    @discardableResult
    public func reconfigure(_ workspaces: [NotifierWorkspace]) throws(DeliveryError) -> Reconfiguration {
        guard !workspaces.isEmpty else { throw .unknownWorkspace("") }
        var change = Reconfiguration()
        let dropped = state.withLock { state -> [OutboxEntry] in
            var byName: [String: NotifierWorkspace] = [:]
            for workspace in workspaces { byName[workspace.name] = workspace }
            for name in state.workspaces.keys.sorted() where byName[name] == nil {
                change.removed.append(name)
                state.schedulers[name] = nil
            }
            for workspace in workspaces {
                if state.schedulers[workspace.name] == nil {
                    change.added.append(workspace.name)
                    state.schedulers[workspace.name] = NotificationScheduler(workspace: workspace.name, policy: workspace.policy, ruleOverrides: workspace.ruleOverrides)
                } else {
                    state.schedulers[workspace.name]!.policy = workspace.policy
                    state.schedulers[workspace.name]!.ruleOverrides = workspace.ruleOverrides
                }
            }
            var dropped: [OutboxEntry] = []
            for (name, old) in state.workspaces where old.webhook != nil && byName[name]?.webhook == nil {
                let entries = state.queue.removeWaiting(webhook: name)
                for _ in entries { state.settle() }
                dropped += entries
            }
            state.workspaces = byName
            return dropped
        }
        let now = clock.now()
        for entry in dropped {
            log.log(.warning, "webhook \(entry.webhook): removed by a reload; \(entry.id) given up (webhook_removed)")
            if let outbox {
                do throws(DeliveryError) { try outbox.moveToFailed(entry, reason: "webhook_removed", at: now) } catch { log.log(.error, "outbox: \(error.description)") }
            }
        }
        change.droppedNotifications = dropped.count
        worker.wake()
        return change
    }

    /// Replaces a workspace's rule overrides (after a rules reload); open groups keep going.
    public func setRuleOverrides(_ overrides: [String: NotifyOverrides], workspace: String) throws(DeliveryError) {
        let known = state.withLock { state -> Bool in
            guard state.schedulers[workspace] != nil else { return false }
            state.schedulers[workspace]!.ruleOverrides = overrides
            return true
        }
        if !known { throw .unknownWorkspace(workspace) }
        worker.wake()
    }

    /// Gives `workspace`'s reminders the current facts of its incidents: before a reminder is
    /// rendered, `source` is asked for the incidents it names (the pipeline's open ones, with
    /// their latest value, rate and time to the limit), so a leak four hours on does not still
    /// say what it said when it fired. Without a source, reminders show the facts of the last
    /// event.
    ///
    /// `source` runs on the delivery thread with no lock of the notifier's held except the
    /// one that orders emissions: it may take the workspace's own locks (which are never held
    /// while taking the notifier's emission lock).
    public func setCurrentIncidents(workspace: String, _ source: @escaping CurrentIncidents) {
        currentIncidents.withLock { $0[workspace] = source }
        worker.wake()
    }

    /// The notification log of `workspace` (its scheduler's decisions), nil when unknown.
    public func notificationLog(workspace: String) -> NotificationScheduler.Log? {
        state.withLock { $0.schedulers[workspace]?.log }
    }

    /// Replaces `workspace`'s notification log (from a snapshot): a firing incident notified
    /// before the restart is not notified again, and its reminders keep their schedule.
    /// - Throws: `DeliveryError.unknownWorkspace` when it is not configured.
    public func restoreNotificationLog(_ log: NotificationScheduler.Log, workspace: String) throws(DeliveryError) {
        let known = state.withLock { state -> Bool in
            guard state.schedulers[workspace] != nil else { return false }
            state.schedulers[workspace]!.restore(log)
            return true
        }
        if !known { throw .unknownWorkspace(workspace) }
        worker.wake()
    }

    /// Wakes the delivery thread to look at the clock now (after a `ManualClock` moved).
    public func tick() {
        worker.wake()
    }

    // MARK: Waiting

    /// Sends every batch that waits for `groupWait`/`groupInterval` now, then waits up to
    /// `timeout` seconds for every queued notification to be delivered or given up (retries
    /// included). For replay, before it exits; `givenUp > 0` means something was lost.
    /// Call before `shutdown()`: afterwards nothing is sent.
    public func flush(timeout: Double) -> FlushResult {
        emit(drain: true)
        let completed = waitUntilIdle(timeout: timeout)
        return state.withLock { FlushResult(completed: completed, delivered: $0.delivered, givenUp: $0.givenUp, pending: $0.queue.pendingCount) }
    }

    /// Waits up to `timeout` seconds until no notification is queued or in flight; true if so.
    /// Batches still waiting in the policy are not counted (see `flush`).
    public func waitUntilIdle(timeout: Double) -> Bool {
        SettleWaiters.wait(on: state, waiters: \.idleWaiters, timeout: timeout) { $0.unsettled == 0 }
    }

    /// Delivery counters per webhook, by ID.
    public func webhookStatuses() -> [WebhookStatus] {
        state.withLock { $0.queue.statuses }
    }

    /// Stops the delivery thread (waiting for it). Queued notifications stay in the outbox for
    /// the next start; attempts in flight finish and are recorded.
    public func shutdown() {
        worker.stop()
    }

    // MARK: The delivery thread

    /// One round: emit what the schedulers decided, start the attempts that are due; returns
    /// how long to sleep until the next deadline.
    private func round() -> Int64 {
        emit(drain: false)
        let now = clock.now()
        let stopping = worker.isStopped
        let (due, next) = state.withLock { state -> ([OutboxEntry], Timestamp?) in
            let due = stopping ? [] : state.queue.dueAttempts(now: now)
            var next = state.queue.nextDeadline
            for scheduler in state.schedulers.values {
                if let at = scheduler.nextDeadline { next = min(next ?? at, at) }
            }
            return (due, next)
        }
        for entry in due { start(entry) }
        var waitMs = maximumIdleWaitMs
        if let next { waitMs = min(waitMs, max(0, next - clock.now())) }
        return waitMs
    }

    /// Ticks (or drains) the schedulers and turns their batches into queued notifications or
    /// printed text.
    private func emit(drain: Bool) {
        emission.withLock { sequence in
            let now = clock.now()
            if !drain { refreshReminders(now: now) }
            let batches = state.withLock { state -> [NotificationBatch] in
                var all: [NotificationBatch] = []
                for name in state.schedulers.keys.sorted() {
                    all += drain ? state.schedulers[name]!.drain(now: now) : state.schedulers[name]!.tick(now: now)
                }
                return all
            }
            enqueue(batches, now: now, sequence: &sequence)
        }
    }

    /// Installs the filter every batch passes before it is rendered (silences); nil removes it.
    public func setFilter(_ filter: (any NotificationFilter)?) {
        self.filter.withLock { $0 = filter }
    }

    /// Brings the facts of the incidents whose reminder is due up to date, from each
    /// workspace's `CurrentIncidents` source. Called with `emission` held, never `state`:
    /// a source takes its workspace's locks, under which events come in and take `state`.
    private func refreshReminders(now: Timestamp) {
        let sources = currentIncidents.withLock { $0 }
        guard !sources.isEmpty else { return }
        let due = state.withLock { state -> [(String, [String])] in
            sources.keys.compactMap { name in
                guard let ids = state.schedulers[name]?.remindersDue(now: now), !ids.isEmpty else { return nil }
                return (name, ids)
            }
        }
        for (workspace, ids) in due {
            guard let source = sources[workspace] else { continue }
            let current = source(Set(ids))
            state.withLock { $0.schedulers[workspace]?.refresh(current) }
        }
    }

    /// Renders batches and queues them (or prints them, for a workspace without a webhook).
    /// Called with `emission` held.
    private func enqueue(_ batches: [NotificationBatch], now: Timestamp, sequence: inout UInt64) {
        let workspaces = state.withLock { $0.workspaces }
        let filter = self.filter.withLock { $0 }
        for decided in batches {
            guard let batch = filter == nil ? decided : filter!.admit(decided, now: now) else { continue }
            guard workspaces[batch.workspace]?.webhook != nil else {
                textSink.deliver(renderer.text(for: batch), batch: batch)
                continue
            }
            sequence += 1
            let id = Notifier.makeID(created: now, sequence: sequence)
            // JSON is UTF-8; the outbox keeps it as text.
            let body = String(decoding: renderer.slackPayload(for: batch), as: UTF8.self)
            let entry = OutboxEntry(id: id, webhook: batch.workspace, workspace: batch.workspace, rule: batch.rule, kind: batch.kind, created: now, body: body)
            if let outbox {
                do throws(DeliveryError) { try outbox.write(entry) } catch {
                    // Sending without a durable copy beats not sending.
                    log.log(.error, "outbox: \(error.description); \(entry.id) is kept in memory only")
                }
            }
            state.withLock { $0.enqueue(entry, now: now) }
        }
        if !batches.isEmpty { worker.wake() }
    }

    // MARK: Batches decided elsewhere

    /// Delivers batches the caller decided itself, bypassing the workspace's scheduler:
    /// rendered, written to the outbox, and sent in the given order with the same rate limit
    /// and retries as every other notification.
    ///
    /// For `aiops replay`, which applies the policy on event time (its own
    /// `NotificationScheduler` fed with the samples' timestamps) while delivery runs on wall
    /// time. Follow with `flush(timeout:)` to wait for them.
    /// - Throws: `DeliveryError.unknownWorkspace` (before queueing any) when a batch names a
    ///   workspace this notifier was not configured with.
    public func send(_ batches: [NotificationBatch]) throws(DeliveryError) {
        let workspaces = state.withLock { $0.workspaces }
        if let unknown = batches.first(where: { workspaces[$0.workspace] == nil }) {
            throw .unknownWorkspace(unknown.workspace)
        }
        emission.withLock { sequence in
            enqueue(batches, now: clock.now(), sequence: &sequence)
        }
    }

    /// `<created, 13 digits>-<sequence, 6 digits>-<random, 8 hex>`: sorts by decision order.
    static func makeID(created: Timestamp, sequence: UInt64) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return pad(String(created), 13) + "-" + pad(String(sequence % 1_000_000), 6) + "-" + pad(String(UInt32.random(in: 0...UInt32.max), radix: 16), 8)
    }

    private func start(_ entry: OutboxEntry) {
        guard let url = state.withLock({ $0.workspaces[entry.webhook]?.webhook }) else {
            // Its webhook was removed by a reload while this entry was being retried.
            finish(entry, outcome: .reject(.unknownWorkspace(entry.webhook)))
            return
        }
        transport.post(entry.bodyBytes, to: url, timeout: retry.requestTimeout) { [self] response in
            self.finish(entry, outcome: AttemptOutcome.classify(response, webhook: url.redacted))
        }
    }

    private func finish(_ entry: OutboxEntry, outcome: AttemptOutcome) {
        let now = clock.now()
        let completion = state.withLock { state -> DeliveryQueue.Completion? in
            let completion = state.queue.complete(webhook: entry.webhook, outcome: outcome, now: now)
            switch completion {
            case .delivered: state.delivered += 1
            case .gaveUp: state.givenUp += 1
            default: break
            }
            return completion
        }
        switch completion {
        case .delivered(let done):
            if let outbox {
                do { try outbox.remove(id: done.id) } catch {
                    log.log(.error, "outbox: \(error.description); \(done.id) may be sent again after a restart")
                }
            }
            state.withLock { $0.settle() }
        case .retrying(let updated, let at, let error):
            log.log(.warning, "webhook \(entry.webhook): attempt \(updated.attempts) of \(updated.id) failed: \(error.description); retrying in \(Double(at - now) / 1000)s")
            if let outbox {
                do { try outbox.write(updated) } catch { log.log(.error, "outbox: \(error.description)") }
            }
            state.withLock { $0.queue.release(webhook: entry.webhook) }
        case .gaveUp(let failed, let error, let afterDeadline):
            let reason = afterDeadline ? "deadline exceeded after \(failed.attempts) attempt(s): \(error.description)" : error.description
            log.log(.error, "webhook \(entry.webhook): gave up \(failed.id): \(reason)")
            if let outbox {
                do { try outbox.moveToFailed(failed, reason: reason, at: now) } catch { log.log(.error, "outbox: \(error.description)") }
            }
            state.withLock { $0.settle() }
        case nil:
            break
        }
        worker.wake()
    }
}

/// Feeds one workspace of a `Notifier`.
final class WorkspaceIncidentSink: IncidentSink {
    let notifier: Notifier
    let workspace: String

    init(notifier: Notifier, workspace: String) {
        self.notifier = notifier
        self.workspace = workspace
    }

    func handle(_ event: IncidentEvent) {
        notifier.handle(event, workspace: workspace)
    }
}
