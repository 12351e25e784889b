import AIOpsCore
import Foundation
import Testing
@testable import Detectors

@Suite struct LeakDetectorTests {
    /// A Node.js-like heap scraped every 15 s: troughs grow 20 MB/h from 100 MB, a GC sawtooth
    /// climbs 30 MB and drops every 200 s, noise σ 1 MB; the process restarts at `restart`.
    func heap(hours: Double = 4, restartAfter: Double = 3) -> (Signal, restart: Int) {
        var rng = SplitMix64(seed: 21)
        let step = 15.0
        let restart = Int(restartAfter * 3600 / step)
        let signal = Signal(count: Int(hours * 3600 / step), stepSeconds: step) { i, s in
            let since = i >= restart ? s - Double(restart) * step : s
            return 100 + 20 * since / 3600 + 30 * (s.truncatingRemainder(dividingBy: 200) / 200) + rng.boxMuller()
        }
        return (signal, restart)
    }

    @Test func leakUnderSawtoothFires() {
        let (signal, restart) = heap()
        let out = signal.run(DetectorSpec(kind: .leak), limit: 300)
        let probe = restart - 1
        #expect(out[probe].score >= 0.5)
        #expect(out[probe].detector == .leak)
        // Fires within the first hour.
        #expect(out.firstIndex { $0.score >= 0.5 }.map { $0 < 240 } == true)
        #expect(abs(out[probe].leakRatePerHour - 20) / 20 < 0.15)
        // The peaks (trough + 30 MB) reach 300 MB when the troughs reach 270 MB.
        let seconds = Double(probe) * 15
        let trueToLimit = (300 - (100 + 20 * seconds / 3600 + 30)) / (20 / 3600)
        #expect(abs(out[probe].secondsToLimit - trueToLimit) / trueToLimit < 0.15)
    }

    @Test func restartResetsWithoutAlarm() {
        let (signal, restart) = heap()
        let out = signal.run(DetectorSpec(kind: .leak), limit: 300)
        #expect(out[restart].score == 0)
        // The window refills before it can fire again: quiet for at least half an hour.
        #expect(out.maxScore(restart..<(restart + 120)) < 0.5)
    }

    @Test func flatSawtoothIsNotALeak() {
        var rng = SplitMix64(seed: 22)
        let signal = Signal(count: 1000, stepSeconds: 15) { _, s in
            100 + 30 * (s.truncatingRemainder(dividingBy: 200) / 200) + rng.boxMuller()
        }
        let out = signal.run(DetectorSpec(kind: .leak))
        #expect(out.maxScore(0..<1000) < 0.5)
        #expect(abs(out[999].leakRatePerHour) < 5)
    }

    @Test func stepUpIsNotALeak() {
        var rng = SplitMix64(seed: 23)
        let signal = Signal(count: 600, stepSeconds: 15) { i, _ in (i >= 300 ? 140 : 100) + rng.boxMuller() }
        #expect(signal.run(DetectorSpec(kind: .leak)).maxScore(0..<600) < 0.5)
    }

    @Test func slowGrowthBelowTheMinimumIsNotALeak() {
        var rng = SplitMix64(seed: 24)
        // 3 %/h: steady, but below the default 10 %/h.
        let signal = Signal(count: 960, stepSeconds: 15) { _, s in 100 + 3 * s / 3600 + 0.2 * rng.boxMuller() }
        #expect(signal.run(DetectorSpec(kind: .leak)).maxScore(0..<960) < 0.5)
    }

    @Test func diskFallingTowardTheFloor() {
        var rng = SplitMix64(seed: 25)
        // Free bytes (GB) falling 8 GB/h from 50 GB: 0 is reached at 6.25 h.
        let signal = Signal(count: 480, stepSeconds: 30) { _, s in 50 - 8 * s / 3600 + 0.3 * rng.boxMuller() }
        let down = signal.run(DetectorSpec(kind: .leak, direction: .down), limit: 0)
        #expect(down[479].score >= 0.5)
        #expect(abs(down[479].leakRatePerHour + 8) < 1.2)
        let remaining = (50 - 8 * 479.0 * 30 / 3600) / 8 * 3600
        #expect(abs(down[479].secondsToLimit - remaining) / remaining < 0.15)
        // A direction-up leak detector ignores a fall.
        #expect(signal.run(DetectorSpec(kind: .leak, direction: .up), limit: 0).maxScore(0..<480) == 0)
    }

    @Test func gapLeavesEmptyBucketsAndResetClears() {
        var (signal, _) = heap(hours: 2, restartAfter: 10)
        // A 20-minute hole in the middle of the window: still a leak afterwards.
        let cut = 300..<380
        signal.times.removeSubrange(cut)
        signal.values.removeSubrange(cut)
        let spec = DetectorSpec(kind: .leak)
        var detector = SeriesDetector(spec: spec)
        var last = DetectorOutput.quiet(.leak)
        for i in signal.values.indices { last = detector.update(timestamp: signal.times[i], value: signal.values[i], spec: spec, limit: .nan) }
        #expect(last.score >= 0.5)
        detector.reset(.gap)
        let after = detector.update(timestamp: signal.times.last! + 15_000, value: signal.values.last!, spec: spec, limit: .nan)
        #expect(after.score == 0)
        #expect(after.leakRatePerHour.isNaN)
    }
}
