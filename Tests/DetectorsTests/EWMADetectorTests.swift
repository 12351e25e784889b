import AIOpsCore
import Foundation
import Testing
@testable import Detectors

@Suite struct EWMADetectorTests {
    let spec = DetectorSpec(kind: .ewma)

    @Test func flatNoiseIsQuiet() {
        var rng = SplitMix64(seed: 1)
        let signal = Signal(count: 3000, stepSeconds: 60) { _, _ in 100 + rng.boxMuller() }
        let out = signal.run(spec)
        #expect(out.maxScore(0..<30) == 0)
        #expect(out.maxScore(30..<3000) < 0.3)
        #expect(out[100].expected > 99 && out[100].expected < 101)
        #expect(out[100].lower < 100 && out[100].upper > 100)
    }

    @Test func stepFiresThenAdapts() {
        var rng = SplitMix64(seed: 2)
        let signal = Signal(count: 600, stepSeconds: 60) { i, _ in (i >= 300 ? 130 : 100) + 2 * rng.boxMuller() }
        let out = signal.run(spec)
        #expect(out.maxScore(40..<300) < 0.5)
        #expect(out[300].score > 0.9)
        #expect(out.maxScore(300..<310) > 0.9)
        // Adopted after adaptAfter (30 minutes = 30 samples here, more than ⌈1/alpha⌉ = 20), then quiet.
        #expect(out[325].score > 0.9)
        #expect(out.maxScore(335..<600) < 0.5)
        #expect(abs(out[400].expected - 130) < 2)
    }

    @Test func shiftAtFifteenSecondScrapesOutlastsAFiveMinuteFor() {
        var rng = SplitMix64(seed: 6)
        let shift = 960  // 4 hours of 15 s scrapes
        let signal = Signal(count: 1440, stepSeconds: 15) { i, _ in (i >= shift ? 450 : 120) * exp(0.05 * rng.boxMuller()) }
        let out = signal.run(DetectorSpec(kind: .ewma, direction: .up))
        #expect(out.maxScore(40..<shift) < 0.5)
        // Anomalous for the whole of a rule's `for: 5m` (20 samples) and well beyond ⌈1/alpha⌉ samples.
        #expect(((shift)..<(shift + 40)).allSatisfy { out[$0].score >= 0.5 })
        // Adopted after 30 minutes (120 samples): quiet again soon after.
        #expect(out.maxScore((shift + 130)..<1440) < 0.5)
    }

    @Test func spikeFiresOnlyAtTheSpike() {
        var rng = SplitMix64(seed: 3)
        let signal = Signal(count: 400, stepSeconds: 60) { i, _ in 50 + rng.boxMuller() + (i == 250 ? 15 : 0) }
        let out = signal.run(spec)
        #expect(out.maxScore(40..<250) < 0.5)
        #expect(out[250].score > 0.9)
        #expect(out.maxScore(251..<400) < 0.5)
    }

    @Test func directionUpIgnoresADrop() {
        var rng = SplitMix64(seed: 4)
        let signal = Signal(count: 400, stepSeconds: 60) { i, _ in 50 + rng.boxMuller() - (i == 250 ? 20 : 0) }
        let up = signal.run(DetectorSpec(kind: .ewma, direction: .up))
        let down = signal.run(DetectorSpec(kind: .ewma, direction: .down))
        #expect(up[250].score == 0)
        #expect(down[250].score > 0.9)
    }

    @Test func minRelativeDeviationKeepsFlatSeriesQuiet() {
        var rng = SplitMix64(seed: 5)
        // Almost constant, with a 1 % wobble after a long calm: below the 2 % floor.
        let signal = Signal(count: 500, stepSeconds: 60) { i, _ in 1000 + 0.01 * rng.boxMuller() + (i == 400 ? 10 : 0) }
        #expect(signal.run(spec)[400].score < 0.5)
        let strict = DetectorSpec(kind: .ewma, minRelativeDeviation: 0)
        #expect(signal.run(strict)[400].score > 0.9)
    }

    @Test func gapIsNotAnAnomaly() {
        var rng = SplitMix64(seed: 6)
        var signal = Signal(count: 600, stepSeconds: 60) { _, _ in 20 + rng.boxMuller() }
        for i in 300..<600 { signal.times[i] += 6 * 3_600_000 }
        let out = signal.run(spec)
        #expect(out.maxScore(30..<600) < 0.5)
    }

    @Test func warmupScoresZero() {
        let signal = Signal(count: 50, stepSeconds: 60) { i, _ in i % 2 == 0 ? 0 : 1000 }
        let out = signal.run(DetectorSpec(kind: .ewma, warmup: 40))
        #expect(out.maxScore(0..<40) == 0)
        #expect(out[0].expected.isNaN)
    }
}
