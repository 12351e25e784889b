import AIOpsCore
import Testing
@testable import Detectors

@Suite struct DetectorKernelsTests {
    static let sizes = Array(0...41) + [63, 64, 65, 100, 257]

    /// The Mann–Kendall S = Σ_{i<j} sign(x_j − x_i) the plain way, ties 0: the oracle for the S
    /// the slopes kernels count from their slopes' signs.
    static func mannKendallS(_ x: [Float]) -> Int {
        var s = 0
        for i in 0..<x.count {
            for j in (i + 1)..<max(i + 1, x.count) {
                if x[j] > x[i] { s += 1 } else if x[j] < x[i] { s -= 1 }
            }
        }
        return s
    }

    /// Runs both slope kernels over the points into buffers with 8 sentinels on each side.
    static func slopes(_ ts: [Float], _ ys: [Float]) -> (simd: [Float], scalar: [Float], simdS: Int, scalarS: Int, sentinelsKept: Bool) {
        let count = DetectorKernels.pairCount(ts.count)
        var a = [Float](repeating: -7, count: count + 16)
        var b = [Float](repeating: 0, count: max(count, 1))
        let sa = ts.withUnsafeBufferPointer { tb in ys.withUnsafeBufferPointer { yb in
            a.withUnsafeMutableBufferPointer {
                DetectorKernels.simdPairwiseSlopes(t: tb, y: yb, into: UnsafeMutableBufferPointer(rebasing: $0[8..<(8 + count)]))
            } } }
        let sb = ts.withUnsafeBufferPointer { tb in ys.withUnsafeBufferPointer { yb in
            b.withUnsafeMutableBufferPointer { DetectorKernels.scalarPairwiseSlopes(t: tb, y: yb, into: $0) } } }
        let kept = a[0..<8].allSatisfy { $0 == -7 } && a[(8 + count)...].allSatisfy { $0 == -7 }
        return (Array(a[8..<(8 + count)]), Array(b.prefix(count)), sa, sb, kept)
    }

    @Test(arguments: sizes)
    func pairwiseSlopesAgree(n: Int) {
        var rng = SplitMix64(seed: UInt64(n) &+ 100)
        var t: Float = 0
        let ts = (0..<n).map { _ in t += Float.random(in: 0.5...3, using: &rng); return t }
        let ys = (0..<n).map { _ in Float.random(in: -1000...1000, using: &rng) }
        let r = Self.slopes(ts, ys)
        // Bit-identical slopes, and both return the Mann–Kendall S of y.
        #expect(r.simd.map(\.bitPattern) == r.scalar.map(\.bitPattern))
        #expect(r.simdS == Self.mannKendallS(ys))
        #expect(r.scalarS == r.simdS)
        #expect(r.sentinelsKept)
    }

    @Test(arguments: sizes)
    func pairwiseSlopesWithTies(n: Int) {
        // Few distinct y values: many ties, which count 0.
        var rng = SplitMix64(seed: UInt64(n) &+ 300)
        let ts = (0..<n).map { Float($0) * 112.5 + Float.random(in: 0..<100, using: &rng) }
        let ys = (0..<n).map { _ in Float(Int.random(in: 0..<4, using: &rng)) }
        let r = Self.slopes(ts, ys)
        #expect(r.simd == r.scalar)
        #expect(r.simdS == Self.mannKendallS(ys))
        #expect(r.scalarS == r.simdS)
        #expect(r.sentinelsKept)
    }

    /// Every pair appears exactly once, with the slope of the later point against the earlier.
    @Test(arguments: [2, 3, 7, 8, 9, 16, 17, 32])
    func pairwiseSlopesCoverEveryPairOnce(n: Int) {
        // y = 2^i makes every pair's slope distinct, so the multiset of slopes names the pairs.
        let ts = (0..<n).map { Float($0) }
        let ys = (0..<n).map { Float(1 << $0) }
        var expected: [Float] = []
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { expected.append((ys[j] - ys[i]) / (ts[j] - ts[i])) } }
        let r = Self.slopes(ts, ys)
        #expect(r.simd.sorted() == expected.sorted())
        #expect(r.simdS == DetectorKernels.pairCount(n))
    }

    @Test(arguments: sizes)
    func pairwiseSlopesWithNaNAndInfinity(n: Int) {
        // NaN and infinite values (a caller's bad input) count 0 or a sign but never trap, and
        // both variants still agree bit for bit.
        var rng = SplitMix64(seed: UInt64(n) &+ 400)
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0]
        let ts = (0..<n).map { Float($0) + 0.5 }
        let ys = (0..<n).map { _ in
            Int.random(in: 0..<4, using: &rng) == 0 ? specials.randomElement(using: &rng)! : Float(Int.random(in: -3...3, using: &rng))
        }
        let r = Self.slopes(ts, ys)
        #expect(r.simd.map(\.bitPattern) == r.scalar.map(\.bitPattern))
        #expect(r.simdS == r.scalarS)
    }

    @Test(arguments: [0, 1, 48, 84])
    func centreRemovesTheMean(n: Int) {
        var rng = SplitMix64(seed: UInt64(n) &+ 200)
        let x = (0..<n).map { _ in Float.random(in: -50...150, using: &rng) }
        var a = x
        let mean = a.withUnsafeMutableBufferPointer { SeasonalDetector.centre($0) }
        let expected = n == 0 ? 0 : x.reduce(0, +) / Float(n)
        #expect(abs(mean - expected) <= 1e-3)
        for i in 0..<n { #expect(abs(a[i] - (x[i] - mean)) <= 1e-4) }
        if n > 0 { #expect(abs(a.reduce(0, +) / Float(n)) <= 1e-3) }
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

    /// The leak detector selects over single-precision slopes: the same results as a sort.
    @Test(arguments: [1, 16, 17, 120, 496])
    func selectionOverFloats(n: Int) {
        var rng = SplitMix64(seed: UInt64(n) &+ 600)
        let x = (0..<n).map { _ in Float.random(in: -5...5, using: &rng) }
        let sorted = x.sorted()
        var y = x
        let median = y.withUnsafeMutableBufferPointer { Selection.median($0) }
        #expect(median == (n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2))
        var z = x
        #expect(z.withUnsafeMutableBufferPointer { Selection.quantile($0, 0.9) } == sorted[Int((0.9 * Double(n - 1)).rounded())])
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
