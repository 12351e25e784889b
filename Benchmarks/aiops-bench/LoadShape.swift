import AIOpsCore
import Foundation
import Pipeline
import RemoteWrite

/// The synthetic series the load, decode and memory benchmarks send: node-exporter-like label
/// sets and a daily wave with noise, deterministic from the seed.
enum LoadShape {
    /// Labels of series `index` on connection `connection`, sorted by name as senders do.
    static func labels(connection: Int, index: Int, metric: String = "bench_node_load") -> Labels {
        Labels([
            Label(name: "__name__", value: metric),
            Label(name: "cpu", value: String(index % 64)),
            Label(name: "instance", value: "10.0.\(connection).\(index / 64):9100"),
            Label(name: "job", value: "node"),
            Label(name: "series", value: "c\(connection)-s\(index)"),
        ])
    }

    /// A plausible value: a daily wave around a per-series level, plus noise.
    @inline(__always)
    /// Creates `count` series named `metric` in `pipeline` (labels built here, as a sender's
    /// would be) and feeds each `samples` samples 15 s apart: the fill the memory and snapshot
    /// benchmarks measure.
    static func fill(_ pipeline: Pipeline, series count: Int, samples: Int, metric: String, seed: UInt64, start: Int64) {
        var random = SplitMix64(seed: seed)
        for index in 0..<count {
            let labels = Self.labels(connection: index / 100_000, index: index % 100_000, metric: metric)
            guard let ref = pipeline.series(for: labels) else { continue }
            for step in 0..<samples {
                let t = start + Int64(step) * 15_000
                pipeline.ingest(ref, timestamp: t, value: value(series: index, timestamp: t, random: &random))
            }
        }
    }

    static func value(series: Int, timestamp: Int64, random: inout SplitMix64) -> Double {
        let level = 100 + Double(series % 97)
        let phase = Double(timestamp % 86_400_000) / 86_400_000 * 2 * Double.pi
        return level + 10 * sin(phase) + random.unit() * 2
    }
}
