import AIOpsCore
import Foundation
import Pipeline
import Rules
import Snapshots

/// Snapshot of a workspace's pipeline: `count` series with full rings (64 samples each) under
/// the benchmark's rules (`--auto-rule`: the auto rule only), copied (the time `aiops serve`
/// holds the shard lock), encoded, written durably, then read, decoded and restored into a
/// fresh pipeline (the time a start spends per workspace). One run per size: the sizes are
/// large and the steps seconds long. `snapshot.1m` runs only when a filter names it (it needs
/// about 3 x 2.4 GB of memory).
enum SnapshotBenchmark {
    static func run(_ options: BenchmarkOptions, report: Report) {
        for (name, count) in [("snapshot.100k", 100_000), ("snapshot.1m", 1_000_000)] where options.selects(name) {
            if count == 1_000_000 && !options.filters.contains(where: { $0.contains("snapshot.1m") }) { continue }
            guard let rules = try? BenchmarkRules.ruleSet(autoRule: options.autoRule) else {
                report.skip(name, because: "rules did not parse")
                continue
            }
            let data = NSTemporaryDirectory() + "aiops-bench-snapshot-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: data) }
            let pipeline = Pipeline(rules: rules)
            let start: Int64 = 1_700_000_000_000
            let feed = Harness.seconds {
                LoadShape.fill(pipeline, series: count, samples: 64, metric: "bench_snapshot", seed: 11, start: start)
            }
            // As `aiops serve` does: buffers reserved (and touched) before the lock, filled under it.
            var image: Pipeline.Image? = Pipeline.Image.reserved(for: pipeline.captureSizes)
            let copy = Harness.seconds { pipeline.capture(into: &image!) }
            let state = WorkspaceState(workspace: "bench", created: start, rulesFingerprint: RulesFingerprint.of(pipeline.rules), shards: [image!], notifications: nil)
            image = nil
            let directory = SnapshotDirectory(dataDirectory: data)
            var bytes: [UInt8] = []
            let encode = Harness.seconds { bytes = SnapshotCodec.encode(state) }
            let size = bytes.count
            let write = Harness.seconds {
                try? DurableFile.makeDirectory(directory.workspaceDirectory("bench"))
                try? DurableFile.write(bytes, to: directory.path(workspace: "bench"), temporary: data + "/bench/.state.snap.tmp")
            }
            bytes = []
            var restored: Pipeline?
            var failure: String?
            var (readSeconds, decodeSeconds, restoreSeconds) = (0.0, 0.0, 0.0)
            let load = Harness.seconds {
                // As `SnapshotDirectory.load` does: the file mapped (populated at once), then decoded.
                var loaded: WorkspaceState?
                let started = DispatchTime.now().uptimeNanoseconds
                var mapped = started
                _ = try? DurableFile.withMapped(directory.path(workspace: "bench")) { raw in
                    mapped = DispatchTime.now().uptimeNanoseconds
                    loaded = try? SnapshotCodec.decode(raw)
                }
                readSeconds = Double(mapped - started) / 1e9
                decodeSeconds = Double(DispatchTime.now().uptimeNanoseconds - mapped) / 1e9
                guard let loaded else {
                    failure = "the snapshot did not decode"
                    return
                }
                restoreSeconds = Harness.seconds {
                    let fresh = Pipeline(rules: rules)
                    if let problem = fresh.problem(restoring: loaded.shards[0]) {
                        failure = problem
                        return
                    }
                    fresh.restore(loaded.shards[0])
                    restored = fresh
                }
            }
            if let failure {
                report.skip(name, because: failure)
                continue
            }
            precondition(restored?.store.seriesCount == count, "series lost in the round trip")
            report.add(BenchmarkResult(
                name: name, unit: "s", values: [load],
                extra: [("series", Double(count)), ("bytes", Double(size)), ("bytes_per_series", Double(size) / Double(count)),
                        ("copy_under_lock_s", copy), ("encode_s", encode), ("write_fsync_s", write),
                        ("read_s", readSeconds), ("decode_s", decodeSeconds), ("restore_s", restoreSeconds), ("feed_s", feed)],
                note: "load = read + decode + restore; \(BenchmarkRules.describe(autoRule: options.autoRule)), ring 64 full"))
            withExtendedLifetime(pipeline) {}
        }
    }
}
