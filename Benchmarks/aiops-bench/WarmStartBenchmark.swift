import AIOpsCore
import Foundation
import Pipeline
import Rules
import Synchronization
import WarmStart

/// Warm start against a real Prometheus: `series` series (`metrics` metric names) with 7 days
/// of history at one-minute steps, written as OpenMetrics, made into TSDB blocks by `promtool`
/// and served by `prometheus`; a fresh pipeline (the auto rule on every series) gets two live
/// samples per series a minute apart, then the scheduler reads and replays every series'
/// history. Timed: from the first query to the last series warmed, at the default rate
/// (5 queries/s) and unthrottled (what the source and aiops can do). One run each: the
/// setup (blocks, Prometheus) is long. Runs only when a filter names `warmstart`.
enum WarmStartBenchmark {
    static let metrics = 10
    static let series = 1_000
    static let step: Int64 = 60_000
    static let day: Int64 = 86_400_000

    static func run(_ options: BenchmarkOptions, report: Report) {
        let name = "warmstart.1k"
        guard options.filters.contains(where: { $0.contains("warmstart") }) else { return }
        guard let binary = PeerProcess.locate(.prometheus, given: options.prometheusPath) else {
            report.skip(name, because: "no prometheus binary")
            return
        }
        let promtool = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("promtool").path
        guard FileManager.default.isExecutableFile(atPath: promtool) else {
            report.skip(name, because: "no promtool beside \(binary)")
            return
        }
        let now = SystemClock().now() / step * step
        var blocksSeconds = 0.0
        let peer: PeerProcess
        do {
            peer = try PeerProcess(kind: .prometheus, binary: binary, extraArguments: ["--storage.tsdb.retention.time=30d"]) { directory in
                let file = directory + "/history.om"
                try history(now: now).write(toFile: file, atomically: false, encoding: .utf8)
                blocksSeconds = Harness.seconds {
                    try? run(promtool, ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h", file, directory + "/data"])
                }
                try? FileManager.default.removeItem(atPath: file)
            }
        } catch {
            report.skip(name, because: "\(error)")
            return
        }
        defer { peer.stop() }
        for (label, rate) in [("default rate 5/s", 5.0), ("unthrottled", 1000.0)] {
            let rules = RuleSet(rules: [])
            let pipeline = Pipeline(rules: rules)
            pipeline.warmsNewSeries = true
            for index in 0..<series {
                let labels = labelsOf(index)
                pipeline.ingest(labels, timestamp: now, value: 10)
                pipeline.ingest(labels, timestamp: now + step, value: 10)
            }
            guard var warm = try? WarmStartOptions(source: WarmStartSource(parsing: "http://127.0.0.1:\(peer.port)")) else { return }
            warm.queriesPerSecond = rate
            let scheduler = WarmStartScheduler(options: warm, shards: [BenchShard(pipeline)])
            let seconds = Harness.seconds { scheduler.runPending() }
            let statistics = scheduler.statistics
            guard statistics.seriesWarmed == series else {
                report.skip(name, because: "\(label): only \(statistics.seriesWarmed) of \(series) series warmed (\(statistics))")
                continue
            }
            report.add(BenchmarkResult(
                name: name + (rate > 100 ? ".unthrottled" : ""), unit: "s", values: [seconds],
                extra: [("series", Double(series)), ("queries", Double(statistics.queriesSucceeded)), ("samples", Double(statistics.samples)),
                        ("series_per_s", Double(series) / seconds), ("query_s_mean", Double(statistics.queryNanoseconds) / 1e9 / Double(statistics.queriesSucceeded)),
                        ("replay_ns_per_sample", Double(statistics.replayNanoseconds) / Double(statistics.samples)),
                        ("blocks_s", blocksSeconds)],
                note: "\(label); \(metrics) metric names, 7 d at 1 m per series, auto rule"))
        }
    }

    static func labelsOf(_ index: Int) -> Labels {
        Labels(metric: "bench_warm_\(index % metrics)", ["instance": "host-\(index / metrics)", "job": "bench"])
    }

    /// OpenMetrics: every series' 7 days ending a minute before `now`, one family after another.
    static func history(now: Timestamp) -> String {
        var rng = AIOpsCore.SplitMix64(seed: 5)
        var text = ""
        text.reserveCapacity(series * 10_081 * 60)
        let end = now - step
        for metric in 0..<metrics {
            text += "# TYPE bench_warm_\(metric) gauge\n"
            for index in stride(from: metric, to: series, by: metrics) {
                let labels = labelsOf(index)
                let prefix = "\(labels.metricName){instance=\"\(labels["instance"]!)\",job=\"bench\"} "
                var t = end - 7 * day
                while t <= end {
                    let phase = Double((t - now) % day) / Double(day) * 2 * Double.pi
                    let value = 100 - 90 * cos(phase) + rng.gaussian()
                    text += prefix + String(Int(value * 100) / 100) + " " + String(t / 1000) + "\n"
                    t += step
                }
            }
        }
        return text + "# EOF\n"
    }

    static func run(_ binary: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PeerError(message: "\(binary) exited \(process.terminationStatus)") }
    }
}

/// The benchmark's one pipeline, behind a lock as a workspace's shard is.
final class BenchShard: WarmStartShard, @unchecked Sendable {
    // `@unchecked Sendable`: the pipeline is only reached through `lock`.
    private let lock = Mutex(())
    private let pipeline: Pipeline

    init(_ pipeline: Pipeline) {
        self.pipeline = pipeline
    }

    func withPipeline(_ body: (Pipeline) -> Void) {
        lock.withLock { _ in body(pipeline) }
    }
}
