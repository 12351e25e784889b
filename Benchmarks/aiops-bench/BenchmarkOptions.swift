import Foundation

/// The command line of `aiops-bench`.
struct BenchmarkOptions {
    /// Seconds-long smoke pass (what CI runs): fewer runs, shorter loads, no 1M-series memory run.
    var quick = false
    /// Only benchmarks whose name contains one of these substrings.
    var filters: [String] = []
    /// Timed runs (after one warm-up) of the micro benchmarks.
    var runs = 10
    /// End to end: connections, series per connection, samples per request is the same.
    var connections = 2
    var seriesPerConnection = 500
    var seconds = 4.0
    var loadRuns = 3
    /// Event-time step between a series' samples in the generated load (ms).
    var stepMs: Int64 = 250
    /// Requests pre-encoded per connection: the count bound of a load run.
    var maxRequests = 40_000
    var version: RemoteWriteVersionChoice = .v1
    /// Locks each aiops workspace's series are spread over (`aiops serve --shards`; default 1).
    var shards = 1
    /// Extra targets measured with the same load: URL and optional bearer token.
    var targets: [(url: String, token: String?)] = []
    var skipPeers = false
    var prometheusPath: String?
    var victoriaMetricsPath: String?
    /// Also measure 1,000,000 series (always in the full run; never with `--quick`).
    var millionSeries = true
    var nabDirectory = "../shared/nab/data"
    /// aiops runs only the built-in auto rule instead of the three catch-all rules.
    var autoRule = false
    var probes = 200
    /// `--soak`: the soak instead of the benchmarks (see `SoakBenchmark`).
    var soak = false
    var soakMinutes = 30.0
    /// Samples/s of the soak; nil: half the peak, measured first.
    var soakRate: Double?
    var churnMinutes = 3.0
    var soakCSV: String?
    var soakSeries = 100_000
    /// The server's staleness period (`idleSeriesTimeout`) and sweep interval during the soak.
    var soakStalenessMinutes = 1.0
    var soakSweepSeconds = 60

    enum RemoteWriteVersionChoice: String { case v1, v2 }

    static let help = """
    Usage: aiops-bench [--quick] [--filter NAME]... [options]

    Measures aiops in release mode: decode, detector kernels (SIMD vs scalar), end-to-end ingest
    over loopback HTTP against aiops serve and the peers (Prometheus, VictoriaMetrics), memory per
    series, write-to-incident latency and replay throughput. Prints a table, then one JSON line
    per result. Build with: swift build -c release --product aiops-bench

    Benchmarks (names for --filter, matched as substrings):
      decode.*        snappy MB/s, remote-write 1.0 / 2.0 samples/s
      kernel.*        Theil-Sen pairwise slopes (with Mann-Kendall S): SIMD vs scalar, ns per call
      detector.*      DetectorPool.update per kind (as the pipeline runs it), ns per sample
      ingest.*        end to end over loopback HTTP (aiops, prometheus, victoria-metrics, --target);
                      ingest.path: the server's ingest path without HTTP; ingest.k8s-path: the same
                      on container CPU counters, with and without the advice's usage recorder
      advice.*        daily summary and recommendations of 100,000 series
      memory.*        resident bytes per active series (100k; 1M in the full run)
      snapshot.*      snapshot of 100k series (full rings): bytes, copy under the lock, encode,
                      write, and load (read + decode + restore); snapshot.1m only when a filter
                      names it
      ingest.snapshot ingest while snapshots are written back to back / ingest with none
                      (same server, 100k extra series), ratio of medians
      reload.*        rules reload of one shard's 100k series (10k with --quick): the time the
                      shard lock is held with the same rules, one changed, one added
      incident.*      write-to-incident latency at half the peak ingest rate
      replay.*        Replayer over the NAB subset
      soak.smoke      20-s soak at half the peak with churn (with --quick, or --filter soak)
      warmstart.*     warm start of 1,000 series (7 days at 1 m each) from a real Prometheus
                      (blocks made by promtool); only when a filter names it
      web.*           the web view on a week of 15-second samples: the plot component alone, the
                      replay --html report, and GET /incidents/ID of a week-long incident

    Options:
      --quick                 smoke pass of a few seconds (CI): short loads, 1M-series run skipped
      --filter NAME           run only benchmarks whose name contains NAME (repeatable)
      --runs N                timed runs of micro benchmarks (default 10; 3 with --quick)
      --connections N         load connections (default 2)
      --series N              series per connection = samples per request (default 250)
      --seconds S             duration of each load run (default 4)
      --load-runs N           load runs per target, median reported (default 3)
      --step-ms MS            event-time step between a series' samples (default 250)
      --max-requests N        requests pre-encoded per connection: the count bound (default 40000: 2.8 h of event time at 250 ms steps, inside the server's 3 h window)
      --rw2                   send remote-write 2.0 instead of 1.0
      --shards N              aiops workspace shards (aiops serve --shards; default 1)
      --auto-rule             aiops runs only the built-in auto rule on every series (aiops serve
                              without rule files) instead of three catch-all rules putting an
                              EWMA, a seasonal and a leak detector on every series
      --target URL[,TOKEN]    also load this remote-write URL (repeatable)
      --no-peers              do not start prometheus / victoria-metrics
      --prometheus PATH       prometheus binary (default: found on PATH)
      --victoria-metrics PATH victoria-metrics binary (default: found on PATH)
      --no-million            skip the 1,000,000-series memory run
      --nab DIR               NAB data for the replay benchmark (default ../shared/nab/data)
      --probes N              anomalous requests of the incident-latency benchmark (default 200)
      --help                  this text

    Soak (instead of the benchmarks):
      --soak                  aiops serve in-process at half its peak rate (measured first) with
                              series churn; RSS, ingest rate and write latency every 10 s; prints
                              the first and last minute and whether the target held (exit 1 if not)
      --soak-minutes M        duration (default 30)
      --soak-rate R           samples/s instead of half the measured peak
      --soak-series N         series in all (default 100000; requests of 500, one sample each)
      --churn-minutes M       every M minutes a tenth of the series get new label values (default 3)
      --soak-staleness-minutes M  the server's staleness period during the soak (default 1; serve: 15)
      --soak-sweep-seconds S  the server's idle-series sweep interval during the soak (default 60)
      --soak-csv FILE         the 10-s rows as CSV
    """

    enum ParseError: Error, CustomStringConvertible {
        case missingValue(String)
        case badValue(String, String)
        case unknown(String)

        var description: String {
            switch self {
            case .missingValue(let flag): return "\(flag) needs a value"
            case .badValue(let flag, let value): return "\(flag): cannot use '\(value)'"
            case .unknown(let flag): return "unknown option \(flag) (see --help)"
            }
        }
    }

    /// Parses arguments; returns nil for `--help`.
    static func parse(_ arguments: [String]) throws(ParseError) -> BenchmarkOptions? {
        var options = BenchmarkOptions()
        var runsGiven = false, secondsGiven = false, loadRunsGiven = false, requestsGiven = false, probesGiven = false
        var index = 0
        func value(_ flag: String) throws(ParseError) -> String {
            index += 1
            guard index < arguments.count else { throw .missingValue(flag) }
            return arguments[index]
        }
        func integer(_ flag: String) throws(ParseError) -> Int {
            let text = try value(flag)
            guard let n = Int(text), n > 0 else { throw .badValue(flag, text) }
            return n
        }
        func positive(_ flag: String) throws(ParseError) -> Double {
            let text = try value(flag)
            guard let d = Double(text), d > 0, d.isFinite else { throw .badValue(flag, text) }
            return d
        }
        while index < arguments.count {
            let flag = arguments[index]
            switch flag {
            case "--help", "-h": return nil
            case "--quick": options.quick = true
            case "--filter": options.filters.append(try value(flag))
            case "--runs": options.runs = try integer(flag); runsGiven = true
            case "--connections": options.connections = try integer(flag)
            case "--series": options.seriesPerConnection = try integer(flag)
            case "--seconds":
                let text = try value(flag)
                guard let s = Double(text), s > 0 else { throw .badValue(flag, text) }
                options.seconds = s
                secondsGiven = true
            case "--load-runs": options.loadRuns = try integer(flag); loadRunsGiven = true
            case "--step-ms": options.stepMs = Int64(try integer(flag))
            case "--max-requests": options.maxRequests = try integer(flag); requestsGiven = true
            case "--rw2": options.version = .v2
            case "--shards": options.shards = try integer(flag)
            case "--target":
                let text = try value(flag)
                let parts = text.split(separator: ",", maxSplits: 1).map(String.init)
                guard let url = parts.first, LoadTarget.parse(url: url) != nil else { throw .badValue(flag, text) }
                options.targets.append((url, parts.count > 1 ? parts[1] : nil))
            case "--no-peers": options.skipPeers = true
            case "--prometheus": options.prometheusPath = try value(flag)
            case "--victoria-metrics": options.victoriaMetricsPath = try value(flag)
            case "--no-million": options.millionSeries = false
            case "--auto-rule": options.autoRule = true
            case "--nab": options.nabDirectory = try value(flag)
            case "--probes": options.probes = try integer(flag); probesGiven = true
            case "--soak": options.soak = true
            case "--soak-minutes": options.soakMinutes = try positive(flag)
            case "--soak-rate": options.soakRate = try positive(flag)
            case "--soak-series": options.soakSeries = try integer(flag)
            case "--churn-minutes": options.churnMinutes = try positive(flag)
            case "--soak-staleness-minutes": options.soakStalenessMinutes = try positive(flag)
            case "--soak-sweep-seconds": options.soakSweepSeconds = try integer(flag)
            case "--soak-csv": options.soakCSV = try value(flag)
            default: throw .unknown(flag)
            }
            index += 1
        }
        if options.quick {
            if !runsGiven { options.runs = 3 }
            if !secondsGiven { options.seconds = 1 }
            if !loadRunsGiven { options.loadRuns = 1 }
            if !requestsGiven { options.maxRequests = 3_000 }
            if !probesGiven { options.probes = 20 }
            options.millionSeries = false
        }
        return options
    }

    /// Whether a benchmark called `name` is selected by `--filter`.
    func selects(_ name: String) -> Bool {
        filters.isEmpty || filters.contains { name.contains($0) }
    }

    /// Whether any of `names` is selected (to skip a group's costly setup).
    func selectsAny(_ names: [String]) -> Bool {
        names.contains { selects($0) }
    }
}
