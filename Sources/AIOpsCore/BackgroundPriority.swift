#if canImport(Glibc)
import Glibc
#endif

/// Runs background work (snapshots) at a lower CPU priority than ingest, on the calling thread
/// only: on Linux the nice value is per thread, and `setpriority(PRIO_PROCESS, 0)` sets the
/// calling thread's (the kernel's `current`). On a machine whose cores
/// ingest keeps busy, the scheduler then gives the background work about a tenth of a core
/// (nice 10 weighs 110 against 1024) instead of half of them; on an idle machine it runs at full
/// speed. The thread's previous nice value is restored afterwards (it is a pool thread).
public enum BackgroundPriority {
    /// The nice value background work runs at.
    public static let niceValue: Int32 = 10

    public static func run<R>(_ body: () throws -> R) rethrows -> R {
        #if os(Linux)
        let tid: id_t = 0   // the calling thread
        errno = 0
        let previous = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid)
        let known = errno == 0
        if known && previous < niceValue { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, niceValue) }
        // Raising priority back needs CAP_SYS_NICE unless RLIMIT_NICE allows it; when it is
        // refused the pool thread stays at nice 10, which only ever slows background work.
        defer { if known && previous < niceValue { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, previous) } }
        #endif
        return try body()
    }
}
