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
        // Both return the Mann–Kendall S of y, counted from the signs of the differences.
        let s = ys.withUnsafeBufferPointer { DetectorKernels.scalarMannKendallS($0) }
        #expect(wa == s)
        #expect(wb == s)
        #expect(a.prefix(count) == b.prefix(count))
    }

    @Test(arguments: sizes)
    func pairwiseSlopesWithTiesAndSpillRoom(n: Int) {
        // Rounded y (ties: sign 0), and an output buffer exactly n(n−1)/2 long surrounded by
        // sentinels, so a vector store past the end would show.
        var rng = SplitMix64(seed: UInt64(n) &+ 300)
        let ts = (0..<n).map { Double($0) * 112.5 + Double.random(in: 0..<100, using: &rng) }
        let ys = (0..<n).map { _ in Double(Int.random(in: 0..<4, using: &rng)) }
        let count = DetectorKernels.pairCount(n)
        var out = [Double](repeating: -7, count: count + 16)
        let s = ts.withUnsafeBufferPointer { tb in ys.withUnsafeBufferPointer { yb in
            out.withUnsafeMutableBufferPointer {
                DetectorKernels.simdPairwiseSlopes(t: tb, y: yb, into: UnsafeMutableBufferPointer(rebasing: $0[8..<(8 + count)]))
            } } }
        var reference = [Double](repeating: 0, count: max(count, 1))
        let r = ts.withUnsafeBufferPointer { tb in ys.withUnsafeBufferPointer { yb in
            reference.withUnsafeMutableBufferPointer { DetectorKernels.scalarPairwiseSlopes(t: tb, y: yb, into: $0) } } }
        #expect(s == r)
        #expect(s == ys.withUnsafeBufferPointer { DetectorKernels.scalarMannKendallS($0) })
        #expect(Array(out[8..<(8 + count)]) == Array(reference.prefix(count)))
        #expect(out[0..<8].allSatisfy { $0 == -7 } && out[(8 + count)...].allSatisfy { $0 == -7 })
    }

    @Test(arguments: sizes)
    func mannKendallAgreesWithNaNAndInfinity(n: Int) {
        var rng = SplitMix64(seed: UInt64(n) &+ 400)
        let specials: [Double] = [.nan, .infinity, -.infinity, 0, -0.0]
        let x = (0..<n).map { _ in
            Int.random(in: 0..<4, using: &rng) == 0 ? specials.randomElement(using: &rng)! : Double(Int.random(in: -3...3, using: &rng))
        }
        x.withUnsafeBufferPointer { b in
            #expect(DetectorKernels.simdMannKendallS(b) == DetectorKernels.scalarMannKendallS(b))
        }
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

    /// Sizes around the insertion-sort limit and the ninther threshold; values with many ties,
    /// all equal, sorted, reversed and random, against a sort.
    @Test(arguments: [1, 2, 15, 16, 17, 31, 32, 33, 100, 127, 128, 129, 496, 1000])
    func selectionAgreesWithSorting(n: Int) {
        var rng = SplitMix64(seed: UInt64(n) &+ 500)
        let shapes: [[Double]] = [
            (0..<n).map { _ in Double.random(in: -1...1, using: &rng) },
            (0..<n).map { _ in Double(Int.random(in: 0..<3, using: &rng)) },
            [Double](repeating: 5, count: n),
            (0..<n).map(Double.init),
            (0..<n).map { Double(n - $0) },
        ]
        for shape in shapes {
            let sorted = shape.sorted()
            for k in Set([0, n / 4, n / 2, n - 1]) {
                var x = shape
                let v = x.withUnsafeMutableBufferPointer { Selection.select($0, k) }
                #expect(v == sorted[k])
                // Everything before k is <= the result, and the buffer is a permutation.
                #expect(x[0..<k].allSatisfy { $0 <= v })
                #expect(x.sorted() == sorted)
            }
            var y = shape
            let median = y.withUnsafeMutableBufferPointer { Selection.median($0) }
            #expect(median == (n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2))
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
