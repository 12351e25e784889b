import Advice
import AIOpsCore
import Pipeline
import RemoteWrite
import Rules
import Store

/// The Pro suite's costs:
///
/// - `advice.summary.100k`: the daily summary and recommendations of a workspace of 100,000
///   series: 10,000 pods (1,000 Deployments of 10 replicas) with cAdvisor CPU, memory and CFS
///   counters and kube-state-metrics requests, limits and owners, 8 days of hourly samples in
///   the usage summaries. Timed: the copy of the summaries (what `aiops serve` does under the
///   shard lock), the analysis (rollup, rightsizing, forecasts from the daily profiles,
///   scaling), the summary, and its Slack message and recommendations JSON.
/// - `ingest.k8s-path`: `ingest.path`'s request shape (500 series, one sample each) on
///   container CPU counters, every one a series the advice summarises, with the usage recorder
///   fed as `RemoteWriteEndpoint` feeds it, against the same ingest without it
///   (`ingest.k8s-path.no-advice`): the worst case of the recorder's per-sample cost.
enum AdviceBenchmark {
    static let summaryName = "advice.summary.100k"
    static let ingestName = "ingest.k8s-path"

    static func run(_ options: BenchmarkOptions, report: Report) {
        if options.selects(summaryName) { summary(options, report: report) }
        if options.selectsAny([ingestName, ingestName + ".no-advice"]) { ingest(options, report: report) }
    }

    // MARK: Summary of 100,000 series

    static func summary(_ options: BenchmarkOptions, report: Report) {
        let deployments = 1_000
        let replicas = 10
        let hour: Int64 = 3_600_000
        let now: Int64 = 1_773_565_200_000  // 2026-03-15T09:00:00Z
        let start = now - 8 * 24 * hour
        let store = SeriesStore(configuration: .init(ringCapacity: 4))
        let recorder = UsageRecorder(store: store)
        var series = 0
        var random = SplitMix64(seed: 5)
        func feed(_ labels: Labels, _ values: (Int64) -> Double, every step: Int64) {
            let ref = store.insert(labels)
            series += 1
            var t = start
            while t <= now - hour / 2 {
                let value = values(t)
                if store.append(ref, timestamp: t, value: value) == .appended { recorder.observe(ref, timestamp: t, value: value) }
                t += step
            }
        }
        let filled = Harness.seconds {
            for d in 0..<deployments {
                let name = "app-\(d)"
                let replicaSet = "\(name)-5d8f7c9b4"
                feed(Labels(metric: "kube_replicaset_owner", ["namespace": "ns-\(d % 50)", "replicaset": replicaSet, "owner_kind": "Deployment", "owner_name": name]), { _ in 1 }, every: 24 * hour)
                feed(Labels(metric: "kube_deployment_spec_replicas", ["namespace": "ns-\(d % 50)", "deployment": name]), { _ in Double(replicas) }, every: 24 * hour)
                // Some over-provisioned, some peaking above capacity, some idle, most fine.
                let level = [0.05, 0.2, 0.4, 0.001][d % 4]
                let peak = d % 7 == 0 ? 0.5 : 0.05
                for r in 0..<replicas {
                    let pod = "\(replicaSet)-p\(r)"
                    let base = ["namespace": "ns-\(d % 50)", "pod": pod, "container": "app"]
                    var seconds = Double(random.next() % 10_000)
                    feed(Labels(metric: "container_cpu_usage_seconds_total", base), { t in
                        let hourOfDay = Double((t / hour) % 24)
                        seconds += 3600 * (level + peak * max(0, 1 - abs(hourOfDay - 15) / 3))
                        return seconds
                    }, every: hour)
                    feed(Labels(metric: "container_memory_working_set_bytes", base), { t in 200e6 + Double((t / hour) % 24) * 1e6 }, every: hour)
                    var periods = 0.0
                    var throttled = 0.0
                    feed(Labels(metric: "container_cpu_cfs_periods_total", base), { _ in periods += 36_000; return periods }, every: hour)
                    feed(Labels(metric: "container_cpu_cfs_throttled_periods_total", base), { t in
                        throttled += (t / hour) % 24 == 15 ? 9_000 : 0
                        return throttled
                    }, every: hour)
                    feed(Labels(metric: "container_spec_memory_limit_bytes", base), { _ in 1e9 }, every: 24 * hour)
                    feed(Labels(metric: "kube_pod_owner", ["namespace": "ns-\(d % 50)", "pod": pod, "owner_kind": "ReplicaSet", "owner_name": replicaSet, "owner_is_controller": "true"]),
                         { _ in 1 }, every: 24 * hour)
                    for (resource, unit, value) in [("cpu", "core", 0.5), ("memory", "byte", 512e6)] {
                        let labels = base.merging(["resource": resource, "unit": unit]) { a, _ in a }
                        feed(Labels(metric: "kube_pod_container_resource_requests", labels), { _ in value }, every: 24 * hour)
                        feed(Labels(metric: "kube_pod_container_resource_limits", labels), { _ in value * 2 }, every: 24 * hour)
                    }
                }
            }
        }
        note(String(format: "advice.summary.100k: %d series, %d summarised, filled in %.1f s, %.0f MB of summaries", series, recorder.entryCount, filled, Double(recorder.approximateBytes) / 1e6))
        let settings = AdviceSettings(includesAdvice: true)
        var findings = 0
        var parts: [[Double]] = [[], [], [], []]  // copy, analysis + summary, Slack, JSON
        var bytes = 0
        let values = Harness.measure(runs: options.quick ? 1 : 5) {
            var times = [Double](repeating: 0, count: 4)
            let total = Harness.seconds {
                var extract: UsageExtract?
                times[0] = Harness.seconds { extract = recorder.extract(at: now) }
                var summary: DailySummary?
                times[1] = Harness.seconds { summary = settings.summary(workspace: "bench", at: now, incidents: [], extracts: [extract!], forecast: nil) }
                var rendered: (slackPayload: [UInt8], text: String)?
                times[2] = Harness.seconds { rendered = summary!.rendered() }
                var json = ""
                times[3] = Harness.seconds { json = AdviceJSON.serialize(AdviceJSON.object(summary!.advice!)) }
                findings = summary!.advice!.findings.count
                bytes = rendered!.slackPayload.count + json.utf8.count
            }
            for index in 0..<4 { parts[index].append(times[index]) }
            return total
        }
        let medians = parts.map { $0.sorted()[$0.count / 2] }
        report.add(BenchmarkResult(
            name: summaryName, unit: "s", values: values,
            extra: [("series", Double(series)), ("findings", Double(findings)), ("copy_s", medians[0]), ("analysis_s", medians[1]),
                    ("slack_s", medians[2]), ("json_s", medians[3]), ("output_bytes", Double(bytes))],
            note: "\(deployments) Deployments × \(replicas) pods, 8 days of hourly samples; copy + analysis + summary + Slack + JSON"))
    }

    // MARK: Ingest with and without the usage recorder

    static func ingest(_ options: BenchmarkOptions, report: Report) {
        let requests = options.quick ? 400 : 2_000
        let series = IngestPathBenchmark.series
        let t0: Int64 = 1_700_000_000_000
        var totals = [Double](repeating: 1_000, count: series)
        let bodies = (0..<requests).map { r in
            let t = t0 + Int64(r) * IngestPathBenchmark.stepMs
            return RemoteWriteEncoder.compressedBody((0..<series).map { index in
                totals[index] += 0.2 * Double(index % 7 + 1) * Double(IngestPathBenchmark.stepMs) / 1000
                return EncodedSeries(labels: Labels(metric: "container_cpu_usage_seconds_total", [
                    "namespace": "ns-\(index % 10)", "pod": "app-\(index / 3)-5d8f7c9b4-p\(index % 3)", "container": "app", "node": "node-\(index % 16)",
                ]), samples: [EncodedSample(timestamp: t, value: totals[index])])
            }, version: .v1)
        }
        guard let rules = try? BenchmarkRules.ruleSet(autoRule: options.autoRule) else {
            report.skip(ingestName, because: "the benchmark rules did not parse")
            return
        }
        // The two variants alternate run by run (after one warm-up of each), so a change in the
        // machine's load touches both alike; the overhead is the median of the paired ratios.
        let variants = [(true, ingestName), (false, ingestName + ".no-advice")].filter { options.selects($0.1) }
        var values = Array(repeating: [Double](), count: variants.count)
        var fed = 0
        for run in 0...options.runs {
            for (index, variant) in variants.enumerated() {
                let pipeline = Pipeline(rules: rules)
                let recorder = variant.0 ? UsageRecorder(store: pipeline.store) : nil
                var decoder = RemoteWriteDecoder()
                var batch = WriteBatch()
                var keys = SeriesKeys()
                let elapsed = Harness.seconds {
                    fed = IngestPathBenchmark.feed(bodies, pipeline: pipeline, usage: recorder, decoder: &decoder, batch: &batch, keys: &keys)
                }
                if let recorder { precondition(recorder.entryCount == series, "every series summarised") }
                if run > 0 { values[index].append(elapsed * 1e9 / Double(fed)) }
            }
        }
        for (index, variant) in variants.enumerated() {
            report.add(BenchmarkResult(
                name: variant.1, unit: "ns/sample", values: values[index], extra: [("samples", Double(fed))],
                note: variant.0 ? "\(series) container CPU counters, every sample summarised (UsageRecorder.observe)" : "the same without the usage recorder"))
        }
        guard variants.count == 2 else { return }
        let ratios = zip(values[0], values[1]).map { ($0 / $1 - 1) * 100 }
        report.add(BenchmarkResult(name: ingestName + ".overhead", unit: "%", values: ratios,
                                   note: "ingest.k8s-path over ingest.k8s-path.no-advice, run by run"))
    }
}
