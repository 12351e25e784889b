import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The source of "now" for everything that waits or limits by time (rate limits,
/// notification grouping, retries, timeouts). Injected so tests never sleep.
///
/// Detection itself runs on event time (the samples' own timestamps), so replay and
/// serve behave the same.
public protocol WallClock: Sendable {
    /// Milliseconds since the Unix epoch.
    func now() -> Timestamp
}

/// The real clock: `clock_gettime(CLOCK_REALTIME)`.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// Monotonic nanoseconds, for measuring durations (decode time, latency).
public enum MonotonicClock {
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// A clock tests move by hand.
public final class ManualClock: WallClock {
    private let current: Mutex<Timestamp>

    public init(_ start: Timestamp = 1_700_000_000_000) {
        current = Mutex(start)
    }

    public func now() -> Timestamp { current.withLock { $0 } }

    public func advance(by ms: Int64) { current.withLock { $0 += ms } }

    public func set(_ ms: Timestamp) { current.withLock { $0 = ms } }
}
