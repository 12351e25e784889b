import AIOpsCore
import Foundation
import Testing
@testable import Detectors

@Suite struct SeriesDetectorTests {
    @Test func memoryPerSeriesWithinBudget() {
        // Inline storage only, one kind's state: the same for every kind, under 1.3 KiB (the auto
        // detector with its three calibrated tails and its daily band's seen ranges; a whole
        // series stays under 3 KiB in aiops-bench, 3,045 bytes).
        #expect(SeriesDetector.bytesPerSeries == MemoryLayout<SeriesDetector>.size)
        #expect(SeriesDetector.bytesPerSeries <= 1300)
        // The storage holds the largest state, and no more than a word beyond it.
        let largest = [
            MemoryLayout<EWMADetector>.size, MemoryLayout<SeasonalDetector>.size,
            MemoryLayout<LeakDetector>.size, MemoryLayout<AutoDetector>.size,
        ].max()!
        let storage = MemoryLayout<SeriesDetector.Storage>.size
        #expect(storage >= largest && storage - largest < 8)
    }

    /// Every kind run through `SeriesDetector` gives, sample by sample, exactly what its
    /// detector gives on its own.
    @Test(arguments: DetectorKind.allCases)
    func sharedStorageComputesWhatTheDetectorDoes(kind: DetectorKind) {
        var rng = SplitMix64(seed: 35)
        let signal = Signal(count: 3 * 288, stepSeconds: 300) { i, s in
            100 + 10 * sin(2 * .pi * s / 86_400) + rng.boxMuller() + Double(i) * 0.05 + (i == 700 ? 40 : 0)
        }
        let spec = DetectorSpec(kind: kind)
        var shared = SeriesDetector(spec: spec)
        var ewma = EWMADetector(), seasonal = SeasonalDetector(), leak = LeakDetector(), auto = AutoDetector()
        var scored = 0
        for (i, (t, x)) in zip(signal.times, signal.values).enumerated() {
            let expected: DetectorOutput
            switch kind {
            case .ewma: expected = ewma.update(timestamp: t, value: x, spec: spec)
            case .seasonal: expected = seasonal.update(timestamp: t, value: x, spec: spec)
            case .leak: expected = leak.update(timestamp: t, value: x, spec: spec, direction: spec.direction, limit: 300)
            case .auto: expected = auto.update(timestamp: t, value: x, spec: spec)
            }
            let output = shared.update(timestamp: t, value: x, spec: spec, limit: 300)
            #expect(output.score.bitPattern == expected.score.bitPattern, "sample \(i)")
            #expect(output.expected.bitPattern == expected.expected.bitPattern, "sample \(i)")
            #expect(output.detector == expected.detector)
            if output.score > 0 { scored += 1 }
            if i == 500 {
                shared.reset(.gap)
                switch kind {
                case .ewma: ewma.reset()
                case .seasonal: seasonal.reset(.gap)
                case .leak: leak.clear()
                case .auto: auto.reset(.gap)
                }
            }
        }
        #expect(shared.kind == kind)
        #expect(scored > 0 || kind == .leak)
    }

    @Test func aSpecOfAnotherKindStartsThatKindAfresh() {
        var detector = SeriesDetector(spec: DetectorSpec(kind: .ewma))
        for i in 0..<50 { _ = detector.update(timestamp: Timestamp(i) * 60_000, value: 10, spec: DetectorSpec(kind: .ewma), limit: .nan) }
        #expect(detector.ewma.count == 50)
        _ = detector.update(timestamp: 50 * 60_000, value: 10, spec: .auto, limit: .nan)
        #expect(detector.kind == .auto)
        #expect(detector.auto.count == 1)
        #expect(detector.ewma.count == 0)  // no EWMA state is held any more
    }

    @Test func decayConstantsAreTheirFormulas() {
        // Written as literals so reading them costs no `swift_once`; they must stay exact.
        #expect(ValueEnvelope.closePerSecond == log(2.0) / ValueEnvelope.halfLifeSeconds)
        #expect(AutoDetector.volatilityDecay == exp2(-0.5 / (14 * 24)))
        #expect(Calibration.tailForgetPerSecond == log(2.0) / (14 * 86_400))
        #expect(Calibration.recordForgetPerSecond == log(2.0) / (56 * 86_400))
        // The range is reached within the margin a new extreme must exceed it by.
        #expect(ValueEnvelope.reachFraction == AutoDetector.rangeFraction)
        #expect(Calibration.falseAlarmHorizonSeconds == 30 * 86_400)
    }

    @Test func autoIsQuietOnNoiseAndFiresOnASpike() {
        var rng = SplitMix64(seed: 31)
        let spike = 1700
        let signal = Signal(count: 3 * 288, stepSeconds: 300) { i, s in
            40 + 5 * sin(2 * .pi * s / 86_400) + rng.boxMuller() + (i == spike - 1000 ? 15 : 0)
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
        var signal = Signal(count: 1200, stepSeconds: 60) { _, _ in 200 + rng.boxMuller() }
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
