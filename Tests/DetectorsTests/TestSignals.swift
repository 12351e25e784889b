import AIOpsCore
import Foundation
@testable import Detectors

extension SplitMix64 {
    /// A standard normal variate drawn as these tests always have (Box–Muller over the
    /// standard library's `Double.random`), so their data, and what they pin, stay the same.
    mutating func boxMuller() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// A synthetic series: a timestamp and a value per sample.
struct Signal {
    var times: [Timestamp] = []
    var values: [Double] = []

    /// `count` samples every `stepSeconds` from `start`, valued by `value(index, seconds since start)`.
    init(count: Int, stepSeconds: Double, start: Timestamp = 1_700_000_000_000, value: (Int, Double) -> Double) {
        for i in 0..<count {
            let s = Double(i) * stepSeconds
            times.append(start + Timestamp(s * 1000))
            values.append(value(i, s))
        }
    }

    /// Scores every sample with a fresh detector.
    func run(_ spec: DetectorSpec, limit: Double = .nan) -> [DetectorOutput] {
        var detector = SeriesDetector(spec: spec)
        var out: [DetectorOutput] = []
        out.reserveCapacity(values.count)
        for i in values.indices {
            out.append(detector.update(timestamp: times[i], value: values[i], spec: spec, limit: limit))
        }
        return out
    }
}

extension Array where Element == DetectorOutput {
    /// The largest score over `range` (0 when empty).
    func maxScore(_ range: Range<Int>) -> Double {
        self[range].reduce(0) { Swift.max($0, $1.score) }
    }
}
