import AIOpsCore
import Dispatch
import Foundation
import HTTPServer
import Server
import Synchronization

/// `aiops-bench --soak`: `aiops serve` in-process (as `ingest.aiops` starts it) under a steady
/// load at half its peak rate for `--soak-minutes`, with series churn like rolling deploys,
/// recording RSS, ingest rate and write latency every 10 s.
///
/// Method: the peak is measured first (unless `--soak-rate` gives the rate) with the soak's
/// own load, unpaced, against a server of its own (3 s warm-up, 5 s timed). Then a fresh
/// server takes the paced load: `--connections` keep-alive connections, each cycling through
/// its series in requests of 500 (one sample per series, stamped with the wall clock, so the
/// run can last any time inside the accepted window). Every `--churn-minutes` a tenth of the
/// series (a different tenth each time) get new label values; the replaced series stop
/// receiving samples and are evicted after the staleness period (`--soak-staleness-minutes`,
/// shortened from the server's 15 minutes so eviction happens within the run; the server
/// sweeps every `--soak-sweep-seconds`).
enum SoakBenchmark {
    /// What every connection accumulated since the last 10-s row.
    struct Interval: Sendable {
        var samples = 0
        var requests = 0
        var non2xx = 0
        var latencies: [UInt64] = []
        var failure: String?
        var firstNon2xx: Int?
    }

    /// One row of the CSV.
    struct Row {
        var elapsed: Double
        var rssBytes: Int
        var samplesPerSecond: Double
        var p50: Double
        var p99: Double
        var requests: Int
        var non2xx: Int
        var activeSeries: Int
        var churns: Int
        var latencies: [Double]
    }

    final class Meter: Sendable {
        let interval = Mutex(Interval())
        /// Churn cycles applied so far (connection 0's meter is the one read).
        let churns = Atomic<Int>(0)
        init() {}
        func take() -> Interval { interval.withLock { i in defer { i = Interval() }; return i } }
    }

    /// What a soak measured and concluded.
    struct Summary {
        var held = false
        /// The report: a header, the first and last minute as a table, one line per target.
        var lines: [String] = []
        var rate = 0.0
        var rows: [Row] = []
    }

    /// The soak mode: runs, prints the summary; true if the target held.
    static func main(_ options: BenchmarkOptions) -> Bool {
        let summary = run(options)
        for line in summary.lines { print(line) }
        return summary.held
    }

    /// The smoke of `--quick`: 20 s, 10,000 series, churn every 5 s, staleness 5 s, sweep
    /// every 5 s; one row in the report (its rate per 10 s, the first and last 10 s).
    static func smoke(_ options: BenchmarkOptions, report: Report) {
        let name = "soak.smoke"
        guard options.selects(name), options.quick || !options.filters.isEmpty else { return }
        var smoke = options
        smoke.soakMinutes = 20.0 / 60
        smoke.churnMinutes = 5.0 / 60
        smoke.soakStalenessMinutes = 5.0 / 60
        smoke.soakSweepSeconds = 5
        smoke.soakSeries = 10_000
        smoke.soakCSV = nil
        let summary = run(smoke)
        guard let first = summary.rows.first, let last = summary.rows.last else {
            report.skip(name, because: summary.lines.last ?? "no row")
            return
        }
        report.add(BenchmarkResult(
            name: name, unit: "samples/s", values: summary.rows.map(\.samplesPerSecond),
            extra: [("rss_first_mb", Double(first.rssBytes) / 1_048_576), ("rss_last_mb", Double(last.rssBytes) / 1_048_576),
                    ("p99_first_ms", first.p99), ("p99_last_ms", last.p99),
                    ("non2xx", Double(summary.rows.reduce(0) { $0 + $1.non2xx }))],
            note: String(format: "20 s at %.0f samples/s (half the peak), 10,000 series, churn every 5 s; ", summary.rate)
                + (summary.held ? "target held" : "target NOT held: " + summary.lines.filter { $0.contains("NOT") || $0.contains("DRIFT") || $0.hasPrefix("non-2xx") }.joined(separator: "; "))))
    }

    static func run(_ options: BenchmarkOptions) -> Summary {
        let seriesPerConnection = max(SoakLoad.seriesPerRequest, options.soakSeries / options.connections)
        note(String(format: "soak: %d connections x %d series, %.1f min, churn every %.2f min, staleness %.2f min, sweep every %d s",
                    options.connections, seriesPerConnection, options.soakMinutes, options.churnMinutes,
                    options.soakStalenessMinutes, options.soakSweepSeconds))
        var rate = options.soakRate ?? 0
        var peak: Double?
        if options.soakRate == nil {
            guard let measured = measurePeak(options, seriesPerConnection: seriesPerConnection) else {
                return Summary(lines: ["soak: could not measure the peak"])
            }
            peak = measured
            rate = measured / 2
        }
        let server: AIOpsServer, target: LoadTarget
        do {
            (server, target) = try startServer(options)
        } catch {
            note("soak: cannot start aiops: \(error)")
            return Summary(lines: ["soak: cannot start aiops: \(error)"])
        }
        let load = SoakLoad(connections: options.connections, seriesPerConnection: seriesPerConnection, target: target)
        let requestsPerSecond = rate / Double(options.connections) / Double(SoakLoad.seriesPerRequest)
        note(String(format: "soak: %d series, target rate %.0f samples/s%@ (%.0f requests/s per connection)",
                    load.seriesCount, rate, peak.map { String(format: " = half of the peak %.0f", $0) } ?? " (--soak-rate)",
                    requestsPerSecond))

        let csv: FileHandle?
        if let path = options.soakCSV {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            csv = FileHandle(forWritingAtPath: path)
            csv?.write(Data("elapsed_s,rss_mb,samples_per_s,p50_ms,p99_ms,requests,non2xx,active_series,churns\n".utf8))
        } else {
            csv = nil
        }

        let meters = (0..<options.connections).map { _ in Meter() }
        let stop = StopFlag()
        let group = DispatchGroup()
        let start = MonotonicClock.nanoseconds() + 200_000_000
        let churnPeriod = UInt64(options.churnMinutes * 60e9)
        for connection in 0..<options.connections {
            group.enter()
            let meter = meters[connection]
            spawn {
                drive(load: load, connection: connection, target: target, start: start, requestsPerSecond: requestsPerSecond,
                      churnPeriod: churnPeriod, meter: meter, stop: stop)
                group.leave()
            }
        }

        var rows: [Row] = []
        let total = options.soakMinutes * 60
        var failure: String?
        var previous = start
        while MonotonicClock.nanoseconds() < start { usleep(10_000) }
        var tick = 1
        while Double(tick) * 10 <= total + 1e-9 {
            let due = start + UInt64(tick) * 10_000_000_000
            while MonotonicClock.nanoseconds() < due { usleep(UInt32(min(200_000, (due - MonotonicClock.nanoseconds()) / 1000 + 1))) }
            let now = MonotonicClock.nanoseconds()
            var merged = Interval()
            for meter in meters {
                let i = meter.take()
                merged.samples += i.samples
                merged.requests += i.requests
                merged.non2xx += i.non2xx
                merged.latencies.append(contentsOf: i.latencies)
                if failure == nil, let f = i.failure { failure = f }
                if failure == nil, let status = i.firstNon2xx { failure = "first non-2xx status: \(status)" }
            }
            let latencies = merged.latencies.map { Double($0) / 1e6 }.sorted()
            let seconds = Double(now - previous) / 1e9
            previous = now
            let row = Row(elapsed: Double(now - start) / 1e9, rssBytes: MemoryBenchmark.residentBytes(),
                          samplesPerSecond: Double(merged.samples) / seconds,
                          p50: Statistics.percentile(latencies, 50), p99: Statistics.percentile(latencies, 99),
                          requests: merged.requests, non2xx: merged.non2xx, activeSeries: server.workspaces[0].activeSeries,
                          churns: meters[0].churns.load(ordering: .relaxed), latencies: latencies)
            let line = String(format: "%.0f,%.1f,%.0f,%.3f,%.3f,%d,%d,%d,%d", row.elapsed, Double(row.rssBytes) / 1_048_576,
                              row.samplesPerSecond, row.p50, row.p99, row.requests, row.non2xx, row.activeSeries, row.churns)
            csv?.write(Data((line + "\n").utf8))
            note("soak: " + line)
            // Only the first and the last minute's latencies are kept (the whole run's would weigh on RSS).
            rows.append(row)
            if rows.count > 12 { rows[rows.count - 7].latencies = [] }
            tick += 1
        }
        stop.set()
        group.wait()
        try? csv?.close()
        server.shutdown(gracePeriod: .seconds(2))
        return summarize(rows, options: options, rate: rate, peak: peak, failure: failure)
    }

    /// `aiops serve` as `ingest.aiops` starts it, with the soak's staleness and sweep.
    static func startServer(_ options: BenchmarkOptions) throws -> (AIOpsServer, LoadTarget) {
        try EndToEndBenchmarks.startAIOps(options) { server in
            server.idleSeriesTimeout = PromDuration(milliseconds: Int64(options.soakStalenessMinutes * 60_000))
            server.evictionInterval = .seconds(Int64(options.soakSweepSeconds))
        }
    }

    /// The soak's load unpaced for 3 + 5 s against a server of its own; samples/s in 2xx over the last 5 s.
    static func measurePeak(_ options: BenchmarkOptions, seriesPerConnection: Int) -> Double? {
        let server: AIOpsServer, target: LoadTarget
        do {
            (server, target) = try startServer(options)
        } catch {
            note("soak: cannot start aiops: \(error)")
            return nil
        }
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let load = SoakLoad(connections: options.connections, seriesPerConnection: seriesPerConnection, target: target)
        let meters = (0..<options.connections).map { _ in Meter() }
        let stop = StopFlag()
        let group = DispatchGroup()
        let start = MonotonicClock.nanoseconds() + 200_000_000
        for connection in 0..<options.connections {
            group.enter()
            let meter = meters[connection]
            spawn {
                drive(load: load, connection: connection, target: target, start: start, requestsPerSecond: 0,
                      churnPeriod: 0, meter: meter, stop: stop)
                group.leave()
            }
        }
        let warmup = options.quick ? 1.0 : 3.0, timed = options.quick ? 2.0 : 5.0
        usleep(UInt32((0.2 + warmup) * 1e6))
        if let failure = meters.map({ $0.take() }).compactMap(\.failure).first {
            stop.set()
            group.wait()
            note("soak: peak load failed: \(failure)")
            return nil
        }
        let from = MonotonicClock.nanoseconds()
        usleep(UInt32(timed * 1e6))
        let samples = meters.map { $0.take() }
        let seconds = Double(MonotonicClock.nanoseconds() - from) / 1e9
        stop.set()
        group.wait()
        let rate = Double(samples.reduce(0) { $0 + $1.samples }) / seconds
        let non2xx = samples.reduce(0) { $0 + $1.non2xx }
        if let failure = samples.compactMap(\.failure).first {
            note("soak: peak load failed: \(failure)")
            return nil
        }
        let latencies = samples.flatMap(\.latencies).map { Double($0) / 1e6 }.sorted()
        note(String(format: "soak: peak %.0f samples/s (p50 %.2f ms, p99 %.2f ms, %d non-2xx) with %d series",
                    rate, Statistics.percentile(latencies, 50), Statistics.percentile(latencies, 99), non2xx, load.seriesCount))
        return rate > 0 ? rate : nil
    }

    /// One connection's loop: cycle through its chunks, stamp each request with the wall
    /// clock, pace to `requestsPerSecond` (0: back to back), churn a tenth of the chunks every
    /// `churnPeriod` ns (0: never).
    static func drive(load: SoakLoad, connection: Int, target: LoadTarget, start: UInt64, requestsPerSecond: Double,
                      churnPeriod: UInt64, meter: Meter, stop: StopFlag) {
        func fail(_ text: String) { meter.interval.withLock { $0.failure = text } }
        var chunks: [SoakChunk] = []
        var generations = [Int](repeating: 0, count: load.chunksPerConnection)
        do {
            chunks = try (0..<load.chunksPerConnection).map { try load.chunk(connection: connection, chunk: $0, generation: 0) }
        } catch {
            fail("encoding: \(error)")
            return
        }
        var newest = [Int64](repeating: 0, count: chunks.count)
        var random = SplitMix64(seed: UInt64(connection + 17))
        let client: HTTPClientConnection
        do {
            client = try HTTPClientConnection(host: target.host, port: target.port, timeout: .seconds(30))
        } catch {
            fail("connect: \(error)")
            return
        }
        defer { client.close() }
        while MonotonicClock.nanoseconds() < start { usleep(1000) }
        let interval = requestsPerSecond > 0 ? 1e9 / requestsPerSecond : 0
        let clock = SystemClock()
        var sent = 0
        var cycle = 0
        while !stop.isSet {
            if interval > 0 {
                let due = start + UInt64(Double(sent) * interval)
                let now = MonotonicClock.nanoseconds()
                if due > now { usleep(UInt32(min((due - now) / 1000, 100_000))); continue }
            }
            if churnPeriod > 0 {
                let due = Int((MonotonicClock.nanoseconds() - start) / churnPeriod)
                if due > cycle {
                    // A rolling deploy: a tenth of the chunks (a different tenth each cycle) get new pods.
                    cycle = due
                    for index in chunks.indices where index % 10 == (cycle - 1) % 10 {
                        generations[index] += 1
                        do {
                            chunks[index] = try load.chunk(connection: connection, chunk: index, generation: generations[index])
                        } catch {
                            fail("encoding: \(error)")
                            return
                        }
                        newest[index] = 0
                    }
                    meter.churns.store(cycle, ordering: .relaxed)
                }
            }
            let index = sent % chunks.count
            let timestamp = max(clock.now(), newest[index] + 1)
            newest[index] = timestamp
            for series in 0..<SoakLoad.seriesPerRequest {
                chunks[index].patch(series, timestamp: timestamp, value: LoadShape.value(series: series, timestamp: timestamp, random: &random))
            }
            let begin = MonotonicClock.nanoseconds()
            let status: Int
            do {
                try chunks[index].request.withUnsafeBytes { try client.sendRaw($0) }
                status = try client.readStatus()
            } catch {
                fail("request \(sent): \(error)")
                return
            }
            let elapsed = MonotonicClock.nanoseconds() - begin
            sent += 1
            meter.interval.withLock { i in
                i.requests += 1
                if status >= 200 && status < 300 {
                    i.samples += SoakLoad.seriesPerRequest
                    i.latencies.append(elapsed)
                } else {
                    i.non2xx += 1
                    if i.firstNon2xx == nil { i.firstNon2xx = status }
                }
            }
        }
    }

    /// Prints the first and last minute and whether the target held.
    static func summarize(_ rows: [Row], options: BenchmarkOptions, rate: Double, peak: Double?, failure: String?) -> Summary {
        var summary = Summary(rate: rate, rows: rows)
        func print(_ line: String) { summary.lines.append(line) }
        guard rows.count >= 2 else {
            print("soak: too short to summarise (at least 20 s)")
            return summary
        }
        let perMinute = min(6, rows.count / 2)
        let first = Array(rows.prefix(perMinute)), last = Array(rows.suffix(perMinute))
        func figures(_ rows: [Row]) -> (rss: Double, rate: Double, p50: Double, p99: Double, series: Int) {
            let latencies = rows.flatMap(\.latencies).sorted()
            return (rows.map { Double($0.rssBytes) }.reduce(0, +) / Double(rows.count) / 1_048_576,
                    rows.map(\.samplesPerSecond).reduce(0, +) / Double(rows.count),
                    Statistics.percentile(latencies, 50), Statistics.percentile(latencies, 99), rows.last!.activeSeries)
        }
        let a = figures(first), b = figures(last)
        // RSS is judged after the first churn cycle: from the second churn on, the series
        // replaced by the first have been evicted and their memory is there to reuse.
        let churnSeconds = options.churnMinutes * 60
        let reference = rows.filter { $0.elapsed > 2 * churnSeconds && $0.elapsed <= 2 * churnSeconds + 60 }
        let referenceRSS = reference.isEmpty ? nil : reference.map { Double($0.rssBytes) }.reduce(0, +) / Double(reference.count) / 1_048_576
        let after = rows.filter { $0.elapsed > 2 * churnSeconds }
        let maxAfter = after.map { Double($0.rssBytes) / 1_048_576 }.max()
        let non2xx = rows.reduce(0) { $0 + $1.non2xx }
        print(String(format: "soak: %.1f min at %.0f samples/s%@, %d series, churn every %.2f min (%d churns), staleness %.2f min",
                     options.soakMinutes, rate, peak.map { String(format: " (half of the peak %.0f)", $0) } ?? "",
                     rows.last!.activeSeries, options.churnMinutes, rows.last!.churns, options.soakStalenessMinutes))
        print("| minute | RSS MiB | samples/s | p50 ms | p99 ms | active series |")
        print("|---|---:|---:|---:|---:|---:|")
        print(String(format: "| first | %.1f | %.0f | %.3f | %.3f | %d |", a.rss, a.rate, a.p50, a.p99, a.series))
        print(String(format: "| last | %.1f | %.0f | %.3f | %.3f | %d |", b.rss, b.rate, b.p50, b.p99, b.series))
        var held = true
        if let referenceRSS, let maxAfter {
            let drift = (b.rss / referenceRSS - 1) * 100
            let flat = abs(drift) <= 5
            held = held && flat
            print(String(format: "RSS after the first churn cycle: %.1f MiB (minute after %.1f min), last minute %.1f MiB (%+.1f%%), highest after %.1f MiB: %@",
                         referenceRSS, 2 * options.churnMinutes, b.rss, drift, maxAfter, flat ? "flat (within 5%)" : "NOT flat"))
        } else {
            print("RSS: the run ends before the second churn; not judged")
        }
        let p50Ratio = b.p50 / a.p50, p99Ratio = b.p99 / a.p99
        let steady = p50Ratio <= 1.5 && p99Ratio <= 1.5
        held = held && steady
        print(String(format: "latency: p50 %.3f -> %.3f ms (x%.2f), p99 %.3f -> %.3f ms (x%.2f): %@",
                     a.p50, b.p50, p50Ratio, a.p99, b.p99, p99Ratio, steady ? "no drift (within 1.5x)" : "DRIFT"))
        let rateHeld = b.rate >= 0.95 * rate
        held = held && rateHeld
        print(String(format: "rate: last minute %.0f samples/s of %.0f: %@", b.rate, rate, rateHeld ? "held" : "NOT held"))
        held = held && non2xx == 0 && failure == nil
        print("non-2xx: \(non2xx)\(failure.map { "; \($0)" } ?? "")")
        print("soak target \(held ? "held" : "NOT held")")
        summary.held = held
        return summary
    }
}
