import Dispatch
import Foundation
import Synchronization

/// A named background thread that runs rounds of work until stopped, sleeping between rounds
/// until woken or until the time the round asked for has passed: the shape of every sender
/// here (the Slack notifier, the Alertmanager notifier, score remote write), kept in one place
/// so start-once, stop-and-wait and wake-up behave the same in all of them.
///
/// The thread holds the worker (and what its rounds capture) until `stop()`.
public final class WorkerThread: Sendable {
    private struct Flags: Sendable {
        var started = false
        var stopped = false
    }

    public let name: String
    private let flags = Mutex(Flags())
    private let wakeup = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    /// - Parameter name: the thread's name (as `top -H` and debuggers show it).
    public init(name: String) {
        self.name = name
    }

    /// Starts the thread, once (later calls, and calls after `stop()`, do nothing).
    /// - Parameter round: one round of work; returns how long to sleep at most, in
    ///   milliseconds, before the next round (0 or less: run again at once). `wake()` ends a
    ///   sleep early.
    public func start(_ round: @escaping @Sendable () -> Int64) {
        let first = flags.withLock { flags -> Bool in
            defer { flags.started = true }
            return !flags.started && !flags.stopped
        }
        guard first else { return }
        let thread = Thread { [self] in
            while !isStopped {
                let sleepMs = round()
                if isStopped { break }
                if sleepMs > 0 { _ = wakeup.wait(timeout: .now() + .milliseconds(Int(min(sleepMs, Int64(Int32.max))))) }
            }
            exited.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Whether `stop()` was called.
    public var isStopped: Bool { flags.withLock { $0.stopped } }

    /// Ends the current sleep (new work, or a clock a test moved).
    public func wake() { wakeup.signal() }

    /// Stops the thread and waits until its current round has finished. Idempotent.
    public func stop() {
        let running = flags.withLock { flags -> Bool in
            defer { flags.stopped = true }
            return flags.started && !flags.stopped
        }
        guard running else { return }
        wakeup.signal()
        exited.wait()
    }
}
