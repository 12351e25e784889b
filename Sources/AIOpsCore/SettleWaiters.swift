import Dispatch
import Synchronization

/// The threads waiting for a sender to settle (nothing queued or in flight): what
/// `waitUntilIdle` / `waitUntilSent` of the Slack notifier, the Alertmanager notifier and score
/// remote write share. A waiter registers a semaphore under the owner's lock while the owner is
/// busy; the owner wakes them all (`signalAll`, under its lock) whenever it may have settled, and
/// each looks again.
///
/// Kept inside the owner's locked state, so registering and checking happen in one critical
/// section and no wake-up is lost between them.
public struct SettleWaiters: Sendable {
    private var semaphores: [ObjectIdentifier: DispatchSemaphore] = [:]

    public init() {}

    /// How many threads wait now.
    public var count: Int { semaphores.count }

    /// Wakes every waiting thread; call under the owner's lock when something settled.
    public mutating func signalAll() {
        for semaphore in semaphores.values { semaphore.signal() }
        semaphores.removeAll()
    }

    /// Waits up to `timeout` seconds until `settled` holds, looking again whenever the owner
    /// signals and at least every `poll` seconds (for owners whose "settled" depends on a clock
    /// that moves without a signal).
    /// - Parameters:
    ///   - mutex: the owner's state, holding its waiters at `waiters`.
    ///   - nudge: called each time the thread is about to wait (to wake the owner's worker).
    ///   - settled: whether the owner is settled, run under its lock.
    /// - Returns: true once settled; false when the time ran out first.
    public static func wait<State: Sendable>(
        on mutex: borrowing Mutex<State>, waiters: WritableKeyPath<State, SettleWaiters>, timeout: Double, poll: Double = 0.1,
        nudge: () -> Void = {}, settled: (inout State) -> Bool
    ) -> Bool {
        let deadline = DispatchTime.now() + .milliseconds(Int(max(0, timeout) * 1000))
        let interval = DispatchTimeInterval.milliseconds(max(1, Int(poll * 1000)))
        while true {
            let semaphore = DispatchSemaphore(value: 0)
            let key = ObjectIdentifier(semaphore)
            let done = mutex.withLock { state -> Bool in
                if settled(&state) { return true }
                state[keyPath: waiters].semaphores[key] = semaphore
                return false
            }
            if done { return true }
            nudge()
            if semaphore.wait(timeout: min(deadline, .now() + interval)) == .timedOut {
                mutex.withLock { _ = $0[keyPath: waiters].semaphores.removeValue(forKey: key) }
                if DispatchTime.now() >= deadline {
                    return mutex.withLock { settled(&$0) }
                }
            }
        }
    }
}
