import AIOpsCore
import Foundation
import HTTPServer
import Server
import Synchronization

/// Ingest while snapshots are written, side by side with ingest while none is: one `aiops
/// serve` (in-process, as `ingest.aiops` starts it, with a data directory) holding
/// `--snapshot-series` extra series (so one snapshot takes about a second), then the
/// end-to-end load in pairs of runs on that same server: in one run of each pair a background
/// thread writes snapshots back to back (`writeSnapshots()`, what the periodic timer calls), in
/// the other nothing does. The order alternates from pair to pair. Each pair uses fresh series
/// names, its first half of the bodies for one run and its second half for the other, so
/// timestamps keep rising per series. The figure is the ratio of the medians.
enum SnapshotIngestBenchmark {
    static let name = "ingest.snapshot"

    static func run(_ options: BenchmarkOptions, report: Report) {
        guard options.selects(name) else { return }
        let data = NSTemporaryDirectory() + "aiops-bench-snapshot-ingest-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server: AIOpsServer, target: LoadTarget
        do {
            (server, target) = try EndToEndBenchmarks.startAIOps(options) { serverOptions in
                serverOptions.dataDirectory = data
                serverOptions.snapshotInterval = .hours(24)   // written by this benchmark, not the timer
                serverOptions.log = { _ in }
            }
        } catch {
            report.skip(name, because: "\(error)")
            return
        }
        defer { server.shutdown(gracePeriod: .seconds(2)) }

        // The extra series: two bodies per connection over `snapshotSeries` series in all.
        let preloadSeries = options.quick ? 20_000 : 100_000
        let preload = LoadBodies(connections: 2, seriesPerConnection: preloadSeries / 2, requests: 2, stepMs: 15_000,
                                 version: .v1, metric: "bench_snapshot_preload", endingBefore: SystemClock().now())
        do {
            for connection in preload.requests(for: target) {
                let client = try HTTPClientConnection(host: target.host, port: target.port)
                defer { client.close() }
                for request in connection {
                    try client.sendRaw(request)
                    let response = try client.readResponse()
                    guard (200..<300).contains(response.status) else {
                        report.skip(name, because: "preload answered \(response.status)")
                        return
                    }
                }
            }
        } catch {
            report.skip(name, because: "preload: \(error)")
            return
        }

        let warmup = options.quick ? 0.2 : 0.5
        var with: [LoadRunResult] = [], without: [LoadRunResult] = []
        var snapshots = 0
        var snapshotSeconds = 0.0
        for pair in 0..<options.loadRuns {
            let bodies = EndToEndBenchmarks.makeBodies(options, metric: "bench_snapshot_load_\(pair)")
            let requests = bodies.requests(for: target)
            let half = bodies.requestsPerConnection / 2
            let halves = [requests.map { Array($0[..<half]) }, requests.map { Array($0[half...]) }]
            for step in 0..<2 {
                let snapshotting = (pair + step) % 2 == 1
                let stop = StopFlag()
                let done = DispatchSemaphore(value: 0)
                let written = Mutex((count: 0, seconds: 0.0))
                if snapshotting {
                    Thread.detachNewThread {
                        while !stop.isSet {
                            let seconds = Harness.seconds { server.writeSnapshots() }
                            written.withLock { $0.count += 1; $0.seconds += seconds }
                        }
                        done.signal()
                    }
                }
                // Half the bodies last about 4.5 s at the peak rate: runs of at most 3 s.
                let result = LoadGenerator.run(target: target, requests: halves[step], samplesPerRequest: bodies.seriesPerConnection,
                                               warmup: warmup, seconds: min(options.seconds, 3))
                stop.set()
                if snapshotting {
                    done.wait()
                    let (count, seconds) = written.withLock { ($0.count, $0.seconds) }
                    snapshots += count
                    snapshotSeconds += seconds
                    with.append(result)
                } else {
                    without.append(result)
                }
                note(String(format: "%@ pair %d %@: %.0f samples/s, p99 %.2f ms%@", name, pair + 1,
                            snapshotting ? "snapshotting" : "idle", result.samplesPerSecond, result.p99Milliseconds,
                            result.exhausted ? ", ran out of bodies" : ""))
            }
        }
        let withRate = Statistics.median(with.map(\.samplesPerSecond).sorted())
        let withoutRate = Statistics.median(without.map(\.samplesPerSecond).sorted())
        guard withoutRate > 0 else {
            report.skip(name, because: "no samples accepted")
            return
        }
        var notes = "ratio of medians: ingest while snapshots are written back to back / ingest with none, same server, \(preloadSeries + 2 * options.seriesPerConnection)+ series, \(BenchmarkRules.describe(autoRule: options.autoRule))"
        if (with + without).contains(where: \.exhausted) { notes += "; ran out of pre-encoded bodies (raise --max-requests)" }
        report.add(BenchmarkResult(
            name: name, unit: "x", values: [withRate / withoutRate],
            extra: [("with_samples_per_s", withRate), ("without_samples_per_s", withoutRate),
                    ("snapshots", Double(snapshots)), ("seconds_per_snapshot", snapshots > 0 ? snapshotSeconds / Double(snapshots) : 0),
                    ("with_p99_ms", Statistics.median(with.map(\.p99Milliseconds).sorted())),
                    ("without_p99_ms", Statistics.median(without.map(\.p99Milliseconds).sorted()))],
            note: notes))
    }
}
