import AIOpsCore
import Foundation
import Testing
@testable import Detectors

@Suite struct TailModelTests {
    /// Exponential data with mean 1: P(S > s) = e^-s. The fitted tail agrees within a factor of
    /// three far beyond the threshold (erring high: ξ is never below 0), where an empirical
    /// count would have nothing to say.
    @Test func exponentialTailIsExtrapolated() {
        var rng = SplitMix64(seed: 7)
        var model = TailModel()
        for _ in 0..<20_000 {
            let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
            model.observe(-log(u), decay: 1)
        }
        for s in [5.0, 8.0, 11.0] {
            let ratio = model.tail(s) / exp(-s)
            #expect(ratio > 0.5 && ratio < 3, "s = \(s): fitted \(model.tail(s)), true \(exp(-s))")
        }
        #expect(model.tail(0) == 1)
    }

    /// A heavier tail (|Student t| with 3 degrees of freedom) must be judged heavier: the same
    /// value is far more probable than under the exponential fit.
    @Test func heavyTailIsHeavier() {
        var rng = SplitMix64(seed: 8)
        var light = TailModel(), heavy = TailModel()
        for _ in 0..<20_000 {
            let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
            light.observe(-log(u), decay: 1)
            let g = rng.boxMuller()
            let chi = (rng.boxMuller() * rng.boxMuller() + rng.boxMuller() * rng.boxMuller() + rng.boxMuller() * rng.boxMuller()) / 3
            heavy.observe(abs(g / max(abs(chi).squareRoot(), 1e-6)), decay: 1)
        }
        #expect(heavy.fit().shape > light.fit().shape)
        #expect(heavy.tail(30) > 100 * light.tail(30))
    }

    /// An alarm counts as an observation but does not teach the model that alarms are normal.
    @Test func alarmsAreNotLearnedAsExcesses() {
        var rng = SplitMix64(seed: 9)
        var a = TailModel(), b = TailModel()
        for i in 0..<5_000 {
            let s = abs(rng.boxMuller())
            a.observe(s, decay: 1)
            b.observe(s, decay: 1)
            if i % 500 == 0 {
                a.observe(50, decay: 1, learnExcess: true)
                b.observe(50, decay: 1, learnExcess: false)
            }
        }
        #expect(b.tail(10) < a.tail(10) / 10)
    }

    /// Before any excess is seen the prior is heavy: a first large value is not yet improbable.
    @Test func priorKeepsAFreshModelCautious() {
        var model = TailModel()
        for _ in 0..<50 { model.observe(1, decay: 1) }
        #expect(model.tail(3) > 1e-3)
    }
}
