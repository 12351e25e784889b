import Advice
import AIOpsCore
import Pipeline
import RemoteWrite
import Rules
import Store

/// The server's ingest path without HTTP: pre-encoded remote-write 1.0 requests of the
/// end-to-end load (500 series, one sample each, 500 ms step) decoded into a reused
/// `WriteBatch`, keyed, looked up in the store (new series validated and created) and fed to a
/// `Pipeline` with the benchmark's rules (`BenchmarkRules`), and what the pipeline appends to
/// the shard's `UsageRecorder`, as `RemoteWriteEndpoint` does for one shard (the load's series
/// have no advice role: the recorder's cost here is its check per sample).
///
/// Each run feeds a fixed number of requests to a fresh pipeline, so the work is the same in
/// every run and under `valgrind --tool=callgrind` (instructions per sample: the inclusive
/// cost of `IngestPathBenchmark.feed` divided by the samples it fed).
enum IngestPathBenchmark {
    static let name = "ingest.path"
    static let series = 500
    static let stepMs: Int64 = 500

    static func run(_ options: BenchmarkOptions, report: Report) {
        guard options.selects(name) else { return }
        let requests = options.quick ? 400 : 2_000
        var random = SplitMix64(seed: 11)
        let t0: Int64 = 1_700_000_000_000
        let bodies = (0..<requests).map { r in
            let t = t0 + Int64(r) * stepMs
            return RemoteWriteEncoder.compressedBody((0..<series).map { index in
                EncodedSeries(labels: LoadShape.labels(connection: 0, index: index), samples: [
                    EncodedSample(timestamp: t, value: LoadShape.value(series: index, timestamp: t, random: &random)),
                ])
            }, version: .v1)
        }
        guard let rules = try? BenchmarkRules.ruleSet(autoRule: options.autoRule) else {
            report.skip(name, because: "the benchmark rules did not parse")
            return
        }
        var fed = 0
        let values = Harness.measure(runs: options.runs) {
            let pipeline = Pipeline(rules: rules)
            let usage = UsageRecorder(store: pipeline.store)
            var decoder = RemoteWriteDecoder()
            var batch = WriteBatch()
            var keys = SeriesKeys()
            let elapsed = Harness.seconds { fed = feed(bodies, pipeline: pipeline, usage: usage, decoder: &decoder, batch: &batch, keys: &keys) }
            return elapsed * 1e9 / Double(fed)
        }
        precondition(fed == requests * series, "the ingest path lost samples")
        report.add(BenchmarkResult(
            name: name, unit: "ns/sample", values: values,
            extra: [("requests", Double(requests)), ("samples", Double(fed))],
            note: "decode + key + find/create + Pipeline.ingest + UsageRecorder.observe, \(BenchmarkRules.describe(autoRule: options.autoRule)), \(series) series, step \(stepMs) ms"))
    }

    /// Feeds every body; returns the samples appended.
    @inline(never)
    static func feed(_ bodies: [[UInt8]], pipeline: Pipeline, usage: UsageRecorder?, decoder: inout RemoteWriteDecoder, batch: inout WriteBatch, keys: inout SeriesKeys) -> Int {
        var appended = 0
        let store = pipeline.store
        for body in bodies {
            body.withUnsafeBytes { try! decoder.decode(body: $0, version: .v1, into: &batch) }
            keys.build(from: &batch)
            batch.series.withUnsafeBufferPointer { series in
                batch.samples.withUnsafeBufferPointer { samples in
                    keys.hashes.withUnsafeBufferPointer { hashes in
                        keys.withKeys(in: batch) { view in
                            for index in 0..<series.count {
                                var ref = store.find(hash: hashes[index], key: view[index])
                                if ref == nil {
                                    precondition(batch.validate(series: index) == nil, "invalid series")
                                    ref = pipeline.create(batch.makeLabels(series: index))
                                }
                                for sample in samples[series[index].sampleRange] {
                                    if pipeline.ingest(ref!, timestamp: sample.timestamp, value: sample.value) == .appended {
                                        usage?.observe(ref!, timestamp: sample.timestamp, value: sample.value)
                                        appended += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return appended
    }
}
