import AIOpsCore
import Foundation
import Testing
@testable import Detectors

@Suite struct SeriesDetectorTests {
    @Test func memoryPerSeriesWithinBudget() {
        // Inline storage only: the same for every kind, within the 2.5 KiB budget for `auto`.
        #expect(SeriesDetector.bytesPerSeries == MemoryLayout<SeriesDetector>.size)
        #expect(SeriesDetector.bytesPerSeries <= 2560)
    }

    @Test func autoIsQuietOnNoiseAndFiresOnASpike() {
        var rng = SplitMix64(seed: 31)
        let spike = 1700
        let signal = Signal(count: 3 * 288, stepSeconds: 300) { i, s in
            40 + 5 * sin(2 * .pi * s / 86_400) + rng.gaussian() + (i == spike - 1000 ? 15 : 0)
        }
        let out = signal.run(.auto)
        // Nothing in the first day (auto's warm-up).
        #expect(out.maxScore(0..<288) == 0)
        #expect(out[spike - 1000].score >= 0.5)
        // Gaussian noise sets a new record of its range now and then: at most one such alarm
        // in the two scored days.
        let others = (288..<signal.values.count).filter { $0 != spike - 1000 && out[$0].score >= 0.5 }
        #expect(others.count <= 1)
        #expect(out[500].expected.isFinite && out[500].lower < out[500].expected && out[500].upper > out[500].expected)
    }

    @Test(arguments: DetectorKind.allCases)
    func gapIsNotAnAnomaly(kind: DetectorKind) {
        var rng = SplitMix64(seed: 34)
        var signal = Signal(count: 1200, stepSeconds: 60) { _, _ in 200 + rng.gaussian() }
        for i in 600..<1200 { signal.times[i] += 3 * 3_600_000 }
        let out = signal.run(DetectorSpec(kind: kind))
        #expect(out.maxScore(0..<1200) < 0.5)
    }

    @Test func resetStaleForgetsEverything() {
        let spec = DetectorSpec.auto
        var detector = SeriesDetector(spec: spec)
        for i in 0..<100 { _ = detector.update(timestamp: Timestamp(i) * 60_000, value: Double(i % 7), spec: spec, limit: .nan) }
        #expect(detector.auto.count == 100)
        detector.reset(.stale)
        #expect(detector.auto.count == 0)
        #expect(detector.auto.envelope.count == 0)
        #expect(detector.auto.shape.samples == 0)
        let first = detector.update(timestamp: 100 * 60_000, value: 1e6, spec: spec, limit: .nan)
        #expect(first.score == 0)
    }
}
