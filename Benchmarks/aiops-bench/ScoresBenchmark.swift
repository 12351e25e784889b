import AIOpsCore
import Foundation
import Pipeline
import Rules
import ScoreExport

/// Scores as series at the default `/federate` limit: 25,000 series under the auto rule (one
/// binding each, so 100,000 exported series), each with 40 samples so every family is finite.
/// Timed separately: the copy under the shard lock (`collectLatestScores`, what ingest waits
/// for), the text exposition of all four families (outside the lock), and the remote-write
/// requests of the same scores. Runs only when a filter names `scores`.
enum ScoresBenchmark {
    static let series = 25_000

    static func run(_ options: BenchmarkOptions, report: Report) {
        guard options.filters.contains(where: { $0.contains("scores") }) else { return }
        let pipeline = Pipeline(rules: RuleSet(rules: []))
        for index in 0..<series {
            let labels = Labels(metric: "bench_scores_\(index % 50)", ["instance": "host-\(index / 50)", "job": "bench", "namespace": "ns-\(index % 7)"])
            guard let ref = pipeline.series(for: labels) else { continue }
            for step in 0..<40 { pipeline.ingest(ref, timestamp: Int64(step) * 15_000, value: 100 + Double((index + step) % 9)) }
        }
        var records: [ScoreRecord] = []
        let collect = Harness.measure(runs: options.runs) {
            Harness.seconds {
                records.removeAll(keepingCapacity: true)
                pipeline.collectLatestScores { ref, rule, latest in
                    records.append(ScoreRecord(labels: pipeline.store.labels(of: ref), rule: rule, latest: latest))
                    return true
                }
            } * 1000
        }
        report.add(BenchmarkResult(name: "scores.collect", unit: "ms", values: collect, extra: [("records", Double(records.count))],
                                   note: "copy under the shard lock: \(series) series, auto rule"))
        guard let selectors = try? ScoreExposition.selectors([#"{__name__=~"aiops_.+"}"#]) else { return }
        var bytes = 0
        let render = Harness.measure(runs: options.runs) {
            Harness.seconds { bytes = (try? ScoreExposition.render(records, selectors: selectors, limit: 100_000))?.count ?? -1 } * 1000
        }
        report.add(BenchmarkResult(name: "scores.federate", unit: "ms", values: render, extra: [("bytes", Double(bytes)), ("series_out", Double(records.count * 4))],
                                   note: "text exposition of 4 families, match[]={__name__=~\"aiops_.+\"}, outside the lock"))
        var requestBytes = 0
        let encode = Harness.measure(runs: options.runs) {
            Harness.seconds { requestBytes = ScoreRemoteWriteQueue.requests(records).reduce(0) { $0 + $1.body.count } } * 1000
        }
        report.add(BenchmarkResult(name: "scores.remote_write", unit: "ms", values: encode, extra: [("bytes", Double(requestBytes))],
                                   note: "remote-write 1.0 requests (snappy) of the same scores, 2,000 series each"))
    }
}
