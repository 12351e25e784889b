import Testing
@testable import Detectors

@Suite struct DetectorKernelsTests {
    static let sizes = Array(0...41) + [63, 64, 65, 100, 257]

    @Test(arguments: sizes)
    func mannKendallAgrees(n: Int) {
        var rng = SplitMix64(seed: UInt64(n) &+ 1)
        // Rounded values so ties occur too.
        let x = (0..<n).map { _ in (Double.random(in: -10...10, using: &rng) * 2).rounded() / 2 }
        x.withUnsafeBufferPointer { b in
            #expect(DetectorKernels.simdMannKendallS(b) == DetectorKernels.scalarMannKendallS(b))
        }
    }

    @Test func mannKendallKnownValues() {
        let increasing = (0..<20).map(Double.init)
        increasing.withUnsafeBufferPointer { b in
            #expect(DetectorKernels.simdMannKendallS(b) == 190)
        }
        let decreasing = increasing.reversed().map { $0 }
        decreasing.withUnsafeBufferPointer { b in
            #expect(DetectorKernels.simdMannKendallS(b) == -190)
        }
        [1.0, 3, 2, 2].withUnsafeBufferPointer { b in
            // pairs: (1,3)+ (1,2)+ (1,2)+ (3,2)- (3,2)- (2,2)0 = 1
            #expect(DetectorKernels.simdMannKendallS(b) == 1)
            #expect(DetectorKernels.scalarMannKendallS(b) == 1)
        }
    }

    @Test(arguments: sizes)
    func pairwiseSlopesAgree(n: Int) {
        var rng = SplitMix64(seed: UInt64(n) &+ 100)
        var t = 0.0
        let ts = (0..<n).map { _ in t += Double.random(in: 0.5...3, using: &rng); return t }
        let ys = (0..<n).map { _ in Double.random(in: -1000...1000, using: &rng) }
        let count = DetectorKernels.pairCount(n)
        var a = [Double](repeating: 0, count: max(count, 1))
        var b = a
        let wa = ts.withUnsafeBufferPointer { tb in ys.withUnsafeBufferPointer { yb in
            a.withUnsafeMutableBufferPointer { DetectorKernels.simdPairwiseSlopes(t: tb, y: yb, into: $0) } } }
        let wb = ts.withUnsafeBufferPointer { tb in ys.withUnsafeBufferPointer { yb in
            b.withUnsafeMutableBufferPointer { DetectorKernels.scalarPairwiseSlopes(t: tb, y: yb, into: $0) } } }
        #expect(wa == count)
        #expect(wb == count)
        #expect(a == b)
    }

    @Test(arguments: sizes)
    func centreAgrees(n: Int) {
        var rng = SplitMix64(seed: UInt64(n) &+ 200)
        let x = (0..<n).map { _ in Float.random(in: -50...150, using: &rng) }
        var a = x, b = x
        let ma = a.withUnsafeMutableBufferPointer { DetectorKernels.simdCentre($0) }
        let mb = b.withUnsafeMutableBufferPointer { DetectorKernels.scalarCentre($0) }
        #expect(abs(ma - mb) <= 1e-3)
        for i in 0..<n { #expect(abs(a[i] - b[i]) <= 1e-3) }
        if n > 0 {
            let residualMean = a.reduce(0, +) / Float(n)
            #expect(abs(residualMean) <= 1e-3)
        }
    }

    @Test func selection() {
        var rng = SplitMix64(seed: 7)
        for n in 1...40 {
            var x = (0..<n).map { _ in Double(Int.random(in: 0..<10, using: &rng)) }
            let sorted = x.sorted()
            let expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
            let median = x.withUnsafeMutableBufferPointer { Selection.median($0) }
            #expect(median == expected)
            let q = x.withUnsafeMutableBufferPointer { Selection.quantile($0, 0.75) }
            #expect(q == sorted[Int((0.75 * Double(n - 1)).rounded())])
        }
    }
}
