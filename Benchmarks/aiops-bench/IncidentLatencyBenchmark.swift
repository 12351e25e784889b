import AIOpsCore
import Dispatch
import Foundation
import HTTPServer
import Incidents
import RemoteWrite
import Rules
import Server
import Synchronization

/// Write-to-incident latency at about half the peak ingest rate.
///
/// Method: background load on `--connections` connections, paced to half the measured peak;
/// a probe connection warms up `probes` series of its own (40 quiet samples each, sent before
/// the load starts), then, one by one, sends a request carrying one anomalous sample and times
/// it from the send to the 204. The server detects synchronously (the incident fires, with its
/// advice rendered and the sink called, before the response is written), so the response time
/// bounds the write-to-firing time from above; after each response (outside the timing) the
/// probe checks that the incident of that series is firing, and counts it if not.
enum IncidentLatencyBenchmark {
    static let name = "incident.write-to-firing"

    static func run(_ options: BenchmarkOptions, report: Report, peak: Double?) {
        guard options.selects(name) else { return }
        var peakRate = peak
        if peakRate == nil {
            note("incident latency: measuring the peak ingest rate first")
            var short = options
            short.maxRequests = min(options.maxRequests, 4000)
            let bodies = EndToEndBenchmarks.makeBodies(short)
            if let (server, target) = try? EndToEndBenchmarks.startAIOps(options) {
                let result = LoadGenerator.run(target: target, requests: bodies.requests(for: target),
                                               samplesPerRequest: bodies.seriesPerConnection, warmup: 0.2, seconds: min(options.seconds, 2))
                server.shutdown(gracePeriod: .seconds(2))
                peakRate = result.samplesPerSecond
            }
        }
        guard let peakRate, peakRate > 0 else {
            report.skip(name, because: "could not measure the peak ingest rate")
            return
        }
        let server: AIOpsServer, target: LoadTarget
        do {
            // The probes' rule fires on the first anomalous sample (`for: 0s`), as the issue asks;
            // the background load keeps the benchmark's rules.
            let probeRule = """
                {"name": "bench-probe-spike", "selector": "bench_probe", "severity": "critical",
                  "detector": {"kind": "ewma", "direction": "up", "warmup": 20}, "for": "0s"}
                """
            (server, target) = try EndToEndBenchmarks.startAIOps(options, extraRules: [probeRule])
        } catch {
            report.skip(name, because: "\(error)")
            return
        }
        defer { server.shutdown(gracePeriod: .seconds(2)) }

        // Probe series: 40 quiet samples at 15 s steps, then one sample 20x the level.
        let probes = options.probes
        let base = SystemClock().now() - 3_600_000
        var random = SplitMix64(seed: 99)
        let version: RemoteWriteVersion = options.version == .v1 ? .v1 : .v2
        var warmups: [[UInt8]] = [], spikes: [[UInt8]] = []
        for probe in 0..<probes {
            let labels = Labels([Label(name: "__name__", value: "bench_probe"), Label(name: "probe", value: String(probe))])
            let quiet = (0..<40).map { i in EncodedSample(timestamp: base + Int64(i) * 15_000, value: 100 + random.unit()) }
            warmups.append(RemoteWriteEncoder.compressedBody([EncodedSeries(labels: labels, samples: quiet)], version: version))
            spikes.append(RemoteWriteEncoder.compressedBody(
                [EncodedSeries(labels: labels, samples: [EncodedSample(timestamp: base + 40 * 15_000, value: 2000)])], version: version))
        }
        let headers = [("Content-Encoding", "snappy"), ("Content-Type", version.contentType),
                       ("X-Prometheus-Remote-Write-Version", version.versionHeader), ("Authorization", "Bearer \(target.token ?? "")")]
        let probe: HTTPClientConnection
        do {
            probe = try HTTPClientConnection(host: target.host, port: target.port)
            for body in warmups {
                try probe.send(path: target.path, headers: headers, body: body)
                let status = try probe.readStatus()
                guard status == 204 else { throw PeerError(message: "probe warm-up answered \(status)") }
            }
        } catch {
            report.skip(name, because: "probe warm-up: \(error)")
            return
        }

        // Background load at half the peak, on its own threads, until the probes are done.
        var loadOptions = options
        let perConnection = peakRate / 2 / Double(options.connections) / Double(options.seriesPerConnection)
        let duration = 1.0 + Double(probes) * 0.02 + 2
        loadOptions.maxRequests = Int(perConnection * (duration + 2)) + 100
        let bodies = EndToEndBenchmarks.makeBodies(loadOptions)
        let requests = bodies.requests(for: target)
        let stop = StopFlag()
        let background = DispatchGroup()
        let loadResult = Mutex<LoadRunResult?>(nil)
        background.enter()
        spawn {
            let result = LoadGenerator.run(target: target, requests: requests, samplesPerRequest: bodies.seriesPerConnection,
                                     warmup: 0.5, seconds: duration, requestsPerSecond: perConnection, stop: stop)
            loadResult.withLock { $0 = result }
            background.leave()
        }
        usleep(1_000_000)

        var latencies: [Double] = []
        var notFiring = 0
        var failure: String?
        let workspace = server.workspaces[0]
        for index in 0..<probes {
            let started = MonotonicClock.nanoseconds()
            do {
                try probe.send(path: target.path, headers: headers, body: spikes[index])
                let status = try probe.readStatus()
                let elapsed = Double(MonotonicClock.nanoseconds() - started) / 1e6
                guard status == 204 else { throw PeerError(message: "spike answered \(status)") }
                latencies.append(elapsed)
            } catch {
                failure = "\(error)"
                break
            }
            let value = String(index)
            let firing = workspace.incidents().open.contains { $0.phase == .firing && $0.labels["probe"] == value }
            if !firing { notFiring += 1 }
            usleep(20_000)
        }
        stop.set()
        background.wait()
        let load = loadResult.withLock { $0 }
        guard !latencies.isEmpty else {
            report.skip(name, because: failure ?? "no probe answered")
            return
        }
        let sorted = latencies.sorted()
        var notes = String(format: "background %.0f samples/s (target %.0f = half of peak %.0f); response time of the spike request, incident firing checked after each",
                           load?.samplesPerSecond ?? 0, peakRate / 2, peakRate)
        if notFiring > 0 { notes += "; \(notFiring) probes NOT firing" }
        if let failure { notes += "; \(failure)" }
        report.add(BenchmarkResult(
            name: name, unit: "ms", values: latencies,
            extra: [("p50_ms", Statistics.percentile(sorted, 50)), ("p99_ms", Statistics.percentile(sorted, 99)),
                    ("probes", Double(latencies.count)), ("not_firing", Double(notFiring)),
                    ("background_samples_per_s", load?.samplesPerSecond ?? 0)],
            note: notes))
    }
}
