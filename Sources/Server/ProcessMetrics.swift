import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's own `process_*` metrics, read from `/proc/self` as Prometheus' client
/// libraries do: CPU seconds, resident and virtual memory, open and maximum file descriptors,
/// start time. Nil fields are what this system does not expose (no `/proc`).
struct ProcessMetrics: Sendable, Equatable {
    var cpuSeconds: Double?
    var residentBytes: Double?
    var virtualBytes: Double?
    var openFDs: Double?
    var maxFDs: Double?
    var startTimeSeconds: Double?

    /// Reads them now. - Complexity: a few small file reads and one directory listing.
    static func read() -> ProcessMetrics {
        var metrics = ProcessMetrics()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let parsed = parse(stat: stat), ticks > 0 {
            metrics.cpuSeconds = Double(parsed.utime + parsed.stime) / ticks
            metrics.virtualBytes = Double(parsed.vsize)
            metrics.residentBytes = Double(parsed.rss) * page
            if let boot = bootTime() { metrics.startTimeSeconds = boot + Double(parsed.starttime) / ticks }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            // The listing's own descriptor is among them, as in client_golang.
            metrics.openFDs = Double(entries.count)
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            metrics.maxFDs = Double(limit.rlim_cur)
        }
        return metrics
    }

    struct Stat: Equatable {
        var utime: UInt64
        var stime: UInt64
        var starttime: UInt64
        var vsize: UInt64
        var rss: Int64
    }

    /// Fields of `/proc/self/stat` (proc(5)): after the command name in parentheses (which may
    /// hold spaces and parentheses itself, so the last `)` ends it), field 3 is the state;
    /// utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
    static func parse(stat: String) -> Stat? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state): field n is fields[n - 3].
        guard fields.count >= 22,
              let utime = UInt64(fields[11]), let stime = UInt64(fields[12]), let starttime = UInt64(fields[19]),
              let vsize = UInt64(fields[20]), let rss = Int64(fields[21])
        else { return nil }
        return Stat(utime: utime, stime: stime, starttime: starttime, vsize: vsize, rss: rss)
    }

    /// Boot time in Unix seconds: `btime` of `/proc/stat`.
    static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// The six families, in the text format (those with a value).
    func write(into w: inout PrometheusTextWriter) {
        if let cpuSeconds {
            w.family("process_cpu_seconds_total", .counter, help: "Total user and system CPU time spent in seconds.")
            w.sample("process_cpu_seconds_total", [:], cpuSeconds)
        }
        if let openFDs {
            w.family("process_open_fds", .gauge, help: "Number of open file descriptors.")
            w.sample("process_open_fds", [:], openFDs)
        }
        if let maxFDs {
            w.family("process_max_fds", .gauge, help: "Maximum number of open file descriptors.")
            w.sample("process_max_fds", [:], maxFDs)
        }
        if let virtualBytes {
            w.family("process_virtual_memory_bytes", .gauge, help: "Virtual memory size in bytes.")
            w.sample("process_virtual_memory_bytes", [:], virtualBytes)
        }
        if let residentBytes {
            w.family("process_resident_memory_bytes", .gauge, help: "Resident memory size in bytes.")
            w.sample("process_resident_memory_bytes", [:], residentBytes)
        }
        if let startTimeSeconds {
            w.family("process_start_time_seconds", .gauge, help: "Start time of the process since unix epoch in seconds.")
            w.sample("process_start_time_seconds", [:], startTimeSeconds)
        }
    }
}
