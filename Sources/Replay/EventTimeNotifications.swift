import AIOpsCore
import Delivery
import Incidents
import Rules
import Synchronization

/// Applies the notification policy to a replay on event time: a `NotificationScheduler` fed
/// with the incidents' own timestamps instead of the wall clock.
///
/// Replay runs hours of samples in a second, so wall-clock grouping would put everything in
/// one group and never remind. Here each event first moves the scheduler's time to the
/// event's time, ticking at every deadline passed on the way (so a group waits its 30 s of
/// event time, and a reminder is decided 4 h of event time after its firing, even when the
/// next event comes much later), then records the event. `finish(at:)` does the same up to
/// the end of the data and sends what still waits.
///
/// One per replayed file: files are independent recordings with their own time.
public final class EventTimeNotifications: IncidentSink {
    struct State: Sendable {
        var scheduler: NotificationScheduler
        /// Event time the scheduler has been moved to; never goes back.
        var now: Timestamp = .min
        /// Decided so far, in decision order.
        var batches: [NotificationBatch] = []
        var finished = false
        /// Where reminders get the incidents' current facts (the replay's pipeline).
        var currentIncidents: CurrentIncidents?

        /// Ticks at every deadline up to `time`, then moves the clock there.
        mutating func advance(to time: Timestamp) {
            let target = max(now, time)
            var last = Timestamp.min
            while let deadline = scheduler.nextDeadline, deadline <= target {
                // A tick always moves every deadline past itself; a deadline that did not move
                // would loop forever, so stop and catch up at `target` instead.
                guard deadline > last else { break }
                last = deadline
                if let currentIncidents {
                    let due = scheduler.remindersDue(now: deadline)
                    if !due.isEmpty { scheduler.refresh(currentIncidents(Set(due))) }
                }
                batches += scheduler.tick(now: deadline)
            }
            now = target
        }
    }

    /// The scheduler, its event-time clock and the decided batches; events come from the
    /// replay's thread, but the sink protocol asks for `Sendable`.
    private let state: Mutex<State>

    /// - Parameters:
    ///   - workspace: named in the batches (and so in the messages).
    ///   - ruleOverrides: the rules' `notify` settings by rule name (`ruleOverrides(of:)`).
    public init(workspace: String, policy: NotificationPolicy = .default, ruleOverrides: [String: NotifyOverrides] = [:]) {
        state = Mutex(State(scheduler: NotificationScheduler(workspace: workspace, policy: policy, ruleOverrides: ruleOverrides)))
    }

    /// The `notify` overrides of a rule set by rule name (the first rule of a name wins).
    public static func ruleOverrides(of rules: RuleSet) -> [String: NotifyOverrides] {
        var overrides: [String: NotifyOverrides] = [:]
        for rule in rules.rules {
            if let notify = rule.notify, overrides[rule.name] == nil { overrides[rule.name] = notify }
        }
        return overrides
    }

    /// The event time of an event: when it fired, or when it resolved.
    public static func eventTime(of event: IncidentEvent) -> Timestamp {
        switch event {
        case .firing(let incident): return incident.firedAt ?? incident.lastSeen
        case .resolved(let incident): return incident.end ?? incident.lastSeen
        }
    }

    public func handle(_ event: IncidentEvent) {
        state.withLock { state in
            guard !state.finished else { return }  // the data has ended: nothing more to decide
            state.advance(to: Self.eventTime(of: event))
            state.scheduler.handle(event, now: state.now)
        }
    }

    /// Gives reminders the current facts of the incidents they name (the replay's pipeline),
    /// as `Notifier.setCurrentIncidents` does in `aiops serve`.
    public func setCurrentIncidents(_ source: @escaping CurrentIncidents) {
        state.withLock { $0.currentIncidents = source }
    }

    /// When the next batch is due (event time), or nil when nothing waits.
    public var nextDeadline: Timestamp? {
        state.withLock { $0.finished ? nil : $0.scheduler.nextDeadline }
    }

    /// Moves event time to `time`, deciding every batch due by then: the replay calls it
    /// as its samples pass a deadline, so a reminder is decided with the facts the pipeline
    /// had then, not when the next event happens to come.
    public func advance(to time: Timestamp) {
        state.withLock { state in
            guard !state.finished else { return }
            state.advance(to: time)
        }
    }

    /// Ticks every deadline up to `end` (the last sample's time: reminders due by then are
    /// decided), then drains what still waits for its group wait or interval at `end`.
    /// - Returns: every batch decided for the file, in decision order. Later calls and
    ///   events add nothing.
    public func finish(at end: Timestamp) -> [NotificationBatch] {
        state.withLock { state in
            guard !state.finished else { return state.batches }
            state.advance(to: end)
            state.batches += state.scheduler.drain(now: state.now)
            state.finished = true
            return state.batches
        }
    }

    /// The batches decided so far (without finishing).
    public var decided: [NotificationBatch] { state.withLock { $0.batches } }
}
