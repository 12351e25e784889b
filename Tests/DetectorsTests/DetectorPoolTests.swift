import AIOpsCore
import Foundation
import Testing
@testable import Detectors

@Suite struct DetectorPoolTests {
    static func signal() -> Signal {
        var rng = SplitMix64(seed: 36)
        return Signal(count: 3 * 288, stepSeconds: 300) { i, s in
            100 + 10 * sin(2 * .pi * s / 86_400) + rng.boxMuller() + Double(i) * 0.05 + (i == 700 ? 40 : 0)
        }
    }

    /// Every kind, held in the pool next to states of the other kinds, gives sample by sample
    /// exactly what a `SeriesDetector` of that kind gives, across a gap reset too.
    @Test func eachStateComputesWhatItsSeriesDetectorDoes() {
        let signal = Self.signal()
        let pool = DetectorPool()
        let kinds = DetectorKind.allCases + DetectorKind.allCases
        let handles = kinds.map { pool.make($0) }
        var singles = kinds.map { SeriesDetector(spec: DetectorSpec(kind: $0)) }
        for (i, (t, x)) in zip(signal.times, signal.values).enumerated() {
            for (k, handle) in handles.enumerated() {
                let spec = DetectorSpec(kind: kinds[k])
                let value = x + Double(k)  // different states, not one state updated twice
                let output = pool.update(handle, timestamp: t, value: value, spec: spec, limit: 300)
                let expected = singles[k].update(timestamp: t, value: value, spec: spec, limit: 300)
                #expect(output.score.bitPattern == expected.score.bitPattern, "\(kinds[k]) sample \(i)")
                #expect(output.expected.bitPattern == expected.expected.bitPattern, "\(kinds[k]) sample \(i)")
                if i == 500 {
                    pool.reset(handle, .gap)
                    singles[k].reset(.gap)
                }
            }
        }
        #expect(pool.count == 8)
        #expect(handles.map(\.kind) == kinds)
    }

    /// A released state is handed out again, fresh, and only for its own kind.
    @Test func releasedStatesAreReusedFresh() {
        let signal = Self.signal()
        let pool = DetectorPool()
        let spec = DetectorSpec(kind: .seasonal)
        let first = pool.make(.seasonal)
        for (t, x) in zip(signal.times, signal.values) { _ = pool.update(first, timestamp: t, value: x, spec: spec, limit: .nan) }
        pool.release(first)
        #expect(pool.count == 0)
        let leak = pool.make(.leak)
        #expect(leak.kind == .leak)
        let again = pool.make(.seasonal)
        #expect(again == first)
        #expect(pool.count == 2)
        // Fresh: the same outputs as a new detector, from the first sample on.
        var fresh = SeriesDetector(spec: spec)
        for (t, x) in zip(signal.times, signal.values).prefix(400) {
            let output = pool.update(again, timestamp: t, value: x, spec: spec, limit: .nan)
            #expect(output.score.bitPattern == fresh.update(timestamp: t, value: x, spec: spec, limit: .nan).score.bitPattern)
        }
    }

    /// A series watched by an EWMA, a seasonal and a leak rule holds well under 2 KiB of
    /// detector state in the pool.
    @Test func threeDetectorsFitInUnderTwoKiB() {
        let bytes = [DetectorKind.ewma, .seasonal, .leak].reduce(0) { $0 + DetectorPool.stateBytes($1) }
        #expect(bytes < 2048)
        #expect(DetectorPool.stateBytes(.auto) <= SeriesDetector.bytesPerSeries)
        #expect(MemoryLayout<DetectorPool.Handle>.size <= 8)
    }
}
