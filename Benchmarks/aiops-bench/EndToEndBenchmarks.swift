import AIOpsCore
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Server

/// End-to-end ingest over loopback HTTP: the same pre-encoded load against `aiops serve`
/// (in-process, all detectors on every series), Prometheus, VictoriaMetrics and any `--target`.
/// Each run gets a fresh receiver (a new server, or a peer on a new data directory), so every
/// run sees the same new series and the same rising timestamps.
enum EndToEndBenchmarks {
    static let token = "aiops-bench-token-0123456789"

    static var names: [String] { ["ingest.aiops", "ingest.prometheus", "ingest.victoria-metrics", "ingest.target"] }

    /// `aiops serve` as the benchmark runs it: one Pro workspace with limits raised so nothing
    /// is rate-limited, the benchmark's rules (`BenchmarkRules`: an EWMA, a seasonal and a leak
    /// detector on every series, or with `--auto-rule` the built-in auto rule only) plus
    /// `extraRules`, listening on a free loopback port; `configure` adjusts the server's options.
    static func startAIOps(_ options: BenchmarkOptions, extraRules: [String] = [],
                           configure: (inout AIOpsServer.Options) -> Void = { _ in }) throws -> (AIOpsServer, LoadTarget) {
        let rules = try BenchmarkRules.ruleSet(autoRule: options.autoRule, extra: extraRules)
        let limits = LimitOverrides(samplesPerSecond: 1_000_000_000, burstSamples: 1_000_000_000_000, activeSeries: 20_000_000)
        let configuration = ServerConfiguration(workspaces: [
            WorkspaceConfiguration(name: "bench", plan: .pro, token: token, limits: limits),
        ])
        var serverOptions = AIOpsServer.Options()
        serverOptions.listen = "127.0.0.1:0"
        serverOptions.shardsPerWorkspace = options.shards
        configure(&serverOptions)
        let server = try AIOpsServer(configuration: configuration, rules: rules, options: serverOptions)
        let address = try server.start()
        return (server, LoadTarget(name: "aiops", host: "127.0.0.1", port: address.port, path: "/api/v1/write", token: token))
    }

    static func makeBodies(_ options: BenchmarkOptions, metric: String = "bench_node_load") -> LoadBodies {
        LoadBodies(connections: options.connections, seriesPerConnection: options.seriesPerConnection,
                   requests: options.maxRequests, stepMs: options.stepMs,
                   version: options.version == .v1 ? .v1 : .v2, metric: metric, endingBefore: SystemClock().now())
    }

    /// Runs the selected targets.
    /// - Returns: the median aiops rate, if aiops was measured (the incident benchmark's peak).
    @discardableResult
    static func run(_ options: BenchmarkOptions, report: Report) -> Double? {
        guard options.selectsAny(names) else { return nil }
        let warmup = options.quick ? 0.2 : 0.5
        note("encoding \(options.connections) x \(options.maxRequests) requests of \(options.seriesPerConnection) samples...")
        var bodies: LoadBodies?
        let elapsed = Harness.seconds { bodies = makeBodies(options) }
        guard let bodies else { return nil }
        note(String(format: "encoded %.1f MB in %.1f s", Double(bodies.totalBytes) / 1e6, elapsed))
        let load = "\(options.connections) conn x \(options.seriesPerConnection) series, rw\(options.version == .v1 ? "1" : "2"), \(options.seconds) s, step \(options.stepMs) ms"

        func measure(_ name: String, start: () throws -> (LoadTarget, () -> Void)) -> [LoadRunResult] {
            var runs: [LoadRunResult] = []
            for run in 0..<options.loadRuns {
                let target: LoadTarget, stop: () -> Void
                do {
                    (target, stop) = try start()
                } catch {
                    report.skip(name, because: "\(error)")
                    return []
                }
                let result = LoadGenerator.run(target: target, requests: bodies.requests(for: target),
                                               samplesPerRequest: bodies.seriesPerConnection, warmup: warmup, seconds: options.seconds)
                stop()
                note(String(format: "%@ run %d: %.0f samples/s, p50 %.2f ms, p99 %.2f ms, %d requests, %d non-2xx%@%@",
                            name, run + 1, result.samplesPerSecond, result.p50Milliseconds, result.p99Milliseconds,
                            result.requests, result.non2xx, result.exhausted ? ", ran out of bodies" : "",
                            result.failures.isEmpty ? "" : ", " + result.failures.joined(separator: "; ")))
                runs.append(result)
            }
            return runs
        }

        func add(_ name: String, _ runs: [LoadRunResult], extraNote: String = "") {
            guard !runs.isEmpty else { return }
            var notes = load
            if runs.contains(where: \.exhausted) { notes += "; ran out of pre-encoded bodies (raise --max-requests)" }
            if let failure = runs.flatMap(\.failures).first { notes += "; \(failure)" }
            if !extraNote.isEmpty { notes += "; " + extraNote }
            report.add(BenchmarkResult(
                name: name, unit: "samples/s", values: runs.map(\.samplesPerSecond),
                extra: [("p50_ms", Statistics.median(runs.map(\.p50Milliseconds).sorted())),
                        ("p99_ms", Statistics.median(runs.map(\.p99Milliseconds).sorted())),
                        ("non2xx", Double(runs.reduce(0) { $0 + $1.non2xx }))],
                note: notes))
        }

        var rates: [String: Double] = [:]
        if options.selects("ingest.aiops") {
            let runs = measure("ingest.aiops") {
                let (server, target) = try startAIOps(options)
                return (target, { server.shutdown(gracePeriod: .seconds(2)) })
            }
            add("ingest.aiops", runs, extraNote: "in-process, \(BenchmarkRules.describe(autoRule: options.autoRule)), shards \(options.shards)")
            if !runs.isEmpty { rates["aiops"] = Statistics.median(runs.map(\.samplesPerSecond).sorted()) }
        }
        for kind in PeerProcess.Kind.allCases {
            let name = "ingest.\(kind.rawValue)"
            guard options.selects(name) else { continue }
            if options.skipPeers {
                report.skip(name, because: "--no-peers")
                continue
            }
            let given = kind == .prometheus ? options.prometheusPath : options.victoriaMetricsPath
            guard let binary = PeerProcess.locate(kind, given: given) else {
                report.skip(name, because: "\(kind.binaryName) not found")
                continue
            }
            let runs = measure(name) {
                let peer = try PeerProcess(kind: kind, binary: binary)
                return (peer.target, { peer.stop() })
            }
            add(name, runs, extraNote: binary)
            if !runs.isEmpty { rates[kind.rawValue] = Statistics.median(runs.map(\.samplesPerSecond).sorted()) }
        }
        for (index, given) in options.targets.enumerated() where options.selects("ingest.target") {
            guard let (host, port, path) = LoadTarget.parse(url: given.url) else { continue }
            let target = LoadTarget(name: given.url, host: host, port: port, path: path, token: given.token)
            // An external receiver keeps its data between runs: each run sends new series.
            var runs: [LoadRunResult] = []
            for run in 0..<options.loadRuns {
                let fresh = makeBodies(options, metric: "bench_load_\(getpid())_\(index)_\(run)")
                let result = LoadGenerator.run(target: target, requests: fresh.requests(for: target),
                                               samplesPerRequest: fresh.seriesPerConnection, warmup: warmup, seconds: options.seconds)
                runs.append(result)
            }
            add("ingest.target\(index + 1)", runs, extraNote: given.url)
        }
        if let ours = rates["aiops"] {
            for peer in ["victoria-metrics", "prometheus"] {
                guard let theirs = rates[peer], theirs > 0 else { continue }
                report.add(BenchmarkResult(name: "ingest.aiops-vs-\(peer)", unit: "x", values: [ours / theirs],
                                           note: "ratio of medians, same load, same run"))
            }
        }
        return rates["aiops"]
    }
}
