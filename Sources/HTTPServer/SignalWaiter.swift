#if canImport(Glibc)
import Glibc

/// Waits for signals synchronously with `sigwait`: SIGINT/SIGTERM for a clean shutdown by
/// default, and any others asked for (`aiops serve` adds SIGHUP, which reloads):
///
/// ```swift
/// let signals = SignalWaiter()            // first thing in main, before any thread starts
/// let server = HTTPServer(...); try server.start()
/// let signal = signals.wait()             // blocks until SIGINT or SIGTERM
/// server.shutdown(gracePeriod: .seconds(10)); exit(0)
/// ```
///
/// `init` blocks the signals in the calling thread; threads started afterwards inherit the
/// mask, and the server's loop threads block all signals themselves, so the signal stays
/// pending until `wait()` takes it instead of killing the process. No handler is installed.
public struct SignalWaiter: Sendable {
    public let signals: [Int32]

    public init(signals: [Int32] = [SIGINT, SIGTERM]) {
        self.signals = signals
        var set = makeSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Blocks until one of `signals` is pending for this thread or the process; returns it.
    /// Call it again for the next one (a loop that reloads on SIGHUP and stops on the rest).
    public func wait() -> Int32 {
        var set = makeSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)  // in case wait() runs on another thread than init
        var received: Int32 = 0
        while true {
            let rc = sigwait(&set, &received)
            if rc == 0 { return received }
            if rc != EINTR { return -rc }
        }
    }

    private func makeSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        return set
    }
}
#endif
