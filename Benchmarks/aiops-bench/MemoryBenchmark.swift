import AIOpsCore
import Foundation
import Detectors
import Pipeline
import Rules

/// Resident bytes per active series with all three detectors at default settings (an EWMA, a
/// seasonal and a leak rule on every series; `--auto-rule`: the auto rule only): VmRSS before
/// and after creating the series in a `Pipeline` and feeding each four samples, divided by the
/// series count. Each size runs in a child process of its own (`aiops-bench --memory-child N`),
/// so memory freed by earlier benchmarks does not hide growth.
enum MemoryBenchmark {
    static func names(_ options: BenchmarkOptions) -> [String] {
        ["memory.100k"] + (options.millionSeries ? ["memory.1m"] : [])
    }

    static func run(_ options: BenchmarkOptions, report: Report) {
        for (name, count) in [("memory.100k", 100_000), ("memory.1m", 1_000_000)] where options.selects(name) {
            if count == 1_000_000 && !options.millionSeries {
                continue
            }
            let runs = options.quick || count == 1_000_000 ? 1 : 3
            var values: [Double] = []
            var seconds = 0.0
            for _ in 0..<runs {
                guard let (bytes, elapsed) = child(count, autoRule: options.autoRule) else {
                    report.skip(name, because: "the child process failed")
                    return
                }
                values.append(bytes)
                seconds = elapsed
            }
            report.add(BenchmarkResult(
                name: name, unit: "B/series", values: values,
                extra: [("series", Double(count)), ("kib_per_series", Statistics.median(values.sorted()) / 1024),
                        ("create_feed_seconds", seconds), ("detector_state_bytes", Double(stateBytes(autoRule: options.autoRule)))],
                note: "VmRSS delta / series; \(BenchmarkRules.describe(autoRule: options.autoRule)), ring 64, 5 labels, 4 samples each"))
        }
    }

    /// Detector state per series: the kinds the rules put on it.
    static func stateBytes(autoRule: Bool) -> Int {
        autoRule ? DetectorPool.stateBytes(.auto) : [DetectorKind.ewma, .seasonal, .leak].reduce(0) { $0 + DetectorPool.stateBytes($1) }
    }

    /// Runs `--memory-child count [auto]` and parses "bytes seconds".
    static func child(_ count: Int, autoRule: Bool) -> (Double, Double)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["--memory-child", String(count)] + (autoRule ? ["auto"] : [])
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        guard process.terminationStatus == 0, fields.count == 2 else { return nil }
        return (fields[0], fields[1])
    }

    /// In the child: builds `count` series, prints "bytes-per-series seconds".
    static func measureInChild(_ count: Int, autoRule: Bool) {
        guard let rules = try? BenchmarkRules.ruleSet(autoRule: autoRule) else { exit(1) }
        let pipeline = Pipeline(rules: rules)
        let before = residentBytes()
        let start: Int64 = 1_700_000_000_000
        let elapsed = Harness.seconds {
            // Labels are built inside the measurement: the store keeps them per series.
            LoadShape.fill(pipeline, series: count, samples: 4, metric: "bench_memory", seed: 5, start: start)
        }
        let after = residentBytes()
        precondition(pipeline.store.seriesCount == count, "series were refused")
        print(Double(after - before) / Double(count), elapsed)
        withExtendedLifetime(pipeline) {}
    }

    /// VmRSS of this process, in bytes.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kib = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) } ?? 0
            return kib * 1024
        }
        return 0
    }
}
