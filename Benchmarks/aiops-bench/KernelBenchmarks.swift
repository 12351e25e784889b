import AIOpsCore
import Detectors

/// The detector kernels, SIMD against the scalar reference, at the sizes the detectors use:
/// pairwise slopes (with their Mann–Kendall S) over 32 leak buckets and the 16-point halves.
/// Inputs rotate through 64 different vectors so a branch predictor cannot memorise one.
enum KernelBenchmarks {
    static let variants = 64

    static var names: [String] {
        ["kernel.pairwiseSlopes.n32", "kernel.pairwiseSlopes.n16"]
    }

    static func run(_ options: BenchmarkOptions, report: Report) {
        for n in [32, 16] { slopes(n: n, options, report) }
    }

    /// Times SIMD and scalar in alternating runs and reports both, with the speedup.
    static func compare(name: String, size: Int, options: BenchmarkOptions, report: Report,
                        simd: (Int) -> Void, scalar: (Int) -> Void) {
        let target = options.quick ? 0.02 : 0.1
        var k = 0
        let simdIterations = Harness.calibrate(target: target) { simd(k & (variants - 1)); k &+= 1 }
        let scalarIterations = Harness.calibrate(target: target) { scalar(k & (variants - 1)); k &+= 1 }
        var simdNs: [Double] = [], scalarNs: [Double] = []
        for run in 0...options.runs {
            let a = Harness.seconds { for i in 0..<simdIterations { simd(i & (variants - 1)) } } / Double(simdIterations) * 1e9
            let b = Harness.seconds { for i in 0..<scalarIterations { scalar(i & (variants - 1)) } } / Double(scalarIterations) * 1e9
            if run > 0 {  // run 0 is the warm-up
                simdNs.append(a)
                scalarNs.append(b)
            }
        }
        let speedups = zip(scalarNs, simdNs).map { $0 / $1 }
        let speedup = Statistics.median(speedups.sorted())
        let simdMedian = Statistics.median(simdNs.sorted())
        report.add(BenchmarkResult(
            name: name + ".simd", unit: "ns/call", values: simdNs,
            extra: [("ns_per_element", simdMedian / Double(size)), ("speedup_vs_scalar", speedup)]))
        report.add(BenchmarkResult(
            name: name + ".scalar", unit: "ns/call", values: scalarNs,
            extra: [("ns_per_element", Statistics.median(scalarNs.sorted()) / Double(size))]))
    }

    static func slopes(n: Int, _ options: BenchmarkOptions, _ report: Report) {
        let name = "kernel.pairwiseSlopes.n\(n)"
        guard options.selects(name) else { return }
        var random = SplitMix64(seed: 8)
        // As the leak detector passes them: seconds into the window, values relative to the
        // first point scaled into [-2, 2].
        let ts = (0..<(variants * n)).map { i in Float((Double(i % n) + random.unit() * 0.9) * 112.5) }
        let ys = (0..<(variants * n)).map { i in Float((Double(i % n) * 1e6 + random.unit() * 5e6) / 67_108_864) }
        var out = [Float](repeating: 0, count: DetectorKernels.pairCount(n))
        ts.withUnsafeBufferPointer { t in
            ys.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { o in
                    let tv = { (v: Int) in UnsafeBufferPointer(rebasing: t[(v * n)..<((v + 1) * n)]) }
                    let yv = { (v: Int) in UnsafeBufferPointer(rebasing: y[(v * n)..<((v + 1) * n)]) }
                    compare(name: name, size: n, options: options, report: report,
                            simd: { v in blackHole(DetectorKernels.simdPairwiseSlopes(t: tv(v), y: yv(v), into: o)); blackHole(Double(o[7])) },
                            scalar: { v in blackHole(DetectorKernels.scalarPairwiseSlopes(t: tv(v), y: yv(v), into: o)); blackHole(Double(o[7])) })
                }
            }
        }
    }
}

/// `DetectorPool.update` per kind (what the pipeline runs per binding), fed a realistic series: 15-second steps over several days,
/// a daily wave, noise and a slow climb, from a fresh detector (warm-up included).
enum DetectorBenchmarks {
    static var names: [String] { DetectorKind.allCases.map { "detector.update.\($0.rawValue)" } }

    static func run(_ options: BenchmarkOptions, report: Report) {
        guard options.selectsAny(names) else { return }
        let count = options.quick ? 6_000 : 40_000  // 25 h / ~7 days at 15 s
        var random = SplitMix64(seed: 11)
        let start: Int64 = 1_700_000_000_000
        let timestamps = (0..<count).map { start + Int64($0) * 15_000 }
        let values = timestamps.enumerated().map { i, t in
            LoadShape.value(series: 3, timestamp: t, random: &random) * 1e6 + Double(i) * 50
        }
        for kind in DetectorKind.allCases {
            let name = "detector.update.\(kind.rawValue)"
            guard options.selects(name) else { continue }
            let spec = DetectorSpec(kind: kind)
            let runs = Harness.measure(runs: options.runs) {
                // Through a DetectorPool, as the pipeline runs it.
                let pool = DetectorPool()
                let detector = pool.make(kind)
                var best = 0.0
                let elapsed = Harness.seconds {
                    for i in 0..<count {
                        let output = pool.update(detector, timestamp: timestamps[i], value: values[i], spec: spec, limit: .nan)
                        if output.score > best { best = output.score }
                    }
                }
                blackHole(best)
                return elapsed / Double(count) * 1e9
            }
            report.add(BenchmarkResult(
                name: name, unit: "ns/sample", values: runs,
                note: "\(count) samples at 15 s steps, fresh detector per run; state \(DetectorPool.stateBytes(kind)) B"))
        }
    }
}
