/// The hot loops of the detectors, each as a SIMD kernel and a plain scalar reference with
/// the same signature and the same result (tests check that they agree).
///
/// The SIMD variants work in 8-lane vectors. Instead of a scalar tail per row, the O(n²)
/// kernels copy their input into a stack buffer padded with 8 NaN: a comparison with NaN is
/// false, so padded lanes count 0 and every pair goes through the vector loop.
public enum DetectorKernels {
    /// A comparison mask as integer lanes: −1 where true, 0 where false (the mask's storage).
    @usableFromInline @inline(__always)
    static func lanes(_ mask: SIMDMask<SIMD8<Int64>>) -> SIMD8<Int64> {
        unsafeBitCast(mask, to: SIMD8<Int64>.self)
    }

    @usableFromInline @inline(__always)
    static func load8(_ p: UnsafePointer<Double>) -> SIMD8<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Double>.self)
    }

    /// Runs `body` over a stack copy of `x` followed by 8 NaN.
    @usableFromInline @inline(__always)
    static func withNaNPadded<R>(_ x: UnsafePointer<Double>, count n: Int, _ body: (UnsafePointer<Double>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n + 8) { pad in
            let p = pad.baseAddress!
            p.initialize(from: x, count: n)
            (p + n).initialize(repeating: .nan, count: 8)
            return body(p)
        }
    }

    // MARK: Mann–Kendall S

    /// The Mann–Kendall statistic S = Σ_{i<j} sign(x_j − x_i); ties and NaN count 0.
    /// - Complexity: O(n²)
    @inlinable
    public static func scalarMannKendallS(_ x: UnsafeBufferPointer<Double>) -> Int {
        let n = x.count
        var s = 0
        var i = 0
        while i < n {
            let xi = x[i]
            var j = i + 1
            while j < n {
                let xj = x[j]
                if xj > xi { s += 1 } else if xj < xi { s -= 1 }
                j += 1
            }
            i += 1
        }
        return s
    }

    /// SIMD variant of `scalarMannKendallS(_:)`. Blocks of 8 consecutive x_i sit in one vector
    /// and each later x_j is broadcast against it, so a block costs one loop over j whatever n
    /// is (no scalar tail, few loop exits). The pairs inside a block are 7 unrolled steps that
    /// hide lanes i ≥ j behind NaN (a comparison with NaN is false); lanes past n in the last
    /// block are NaN too.
    /// - Complexity: O(n²)
    @inlinable
    public static func simdMannKendallS(_ x: UnsafeBufferPointer<Double>) -> Int {
        let n = x.count
        guard n > 1, let p = x.baseAddress else { return 0 }
        let iota = SIMD8<Double>(0, 1, 2, 3, 4, 5, 6, 7)
        // Masks are −1 where true: acc gathers −sign(x_j − x_i).
        var acc = SIMD8<Int64>()
        var b = 0
        while b < n - 1 {
            var xi = SIMD8<Double>(repeating: .nan)
            if b + 8 <= n {
                xi = load8(p + b)
            } else {
                for lane in 0..<(n - b) { xi[lane] = p[b + lane] }
            }
            // x_j = x_{b+d} against lanes i < j only: lanes from d on get NaN added (a
            // constant once `d` is a literal), the rest 0, which leaves the value unchanged.
            @inline(__always) func diagonal(_ d: Int) {
                let hide = SIMD8<Double>(repeating: 0).replacing(with: .nan, where: iota .>= SIMD8<Double>(repeating: Double(d)))
                let v = SIMD8<Double>(repeating: p[b + d]) + hide
                acc &+= lanes(v .> xi) &- lanes(v .< xi)
            }
            let steps = min(7, n - 1 - b)
            if steps >= 1 { diagonal(1) }
            if steps >= 2 { diagonal(2) }
            if steps >= 3 { diagonal(3) }
            if steps >= 4 { diagonal(4) }
            if steps >= 5 { diagonal(5) }
            if steps >= 6 { diagonal(6) }
            if steps >= 7 { diagonal(7) }
            var j = b + 8
            while j < n {
                let v = SIMD8<Double>(repeating: p[j])
                acc &+= lanes(v .> xi) &- lanes(v .< xi)
                j += 1
            }
            b += 8
        }
        return -Int(acc.wrappedSum())
    }

    // MARK: Theil–Sen pairwise slopes

    /// The number of pairwise slopes of `n` points: n(n−1)/2.
    @inlinable
    public static func pairCount(_ n: Int) -> Int { n * (n - 1) / 2 }

    /// Writes (y_j − y_i) / (t_j − t_i) for every i < j, ordered by i then j, into `out`, and
    /// counts the signs of the differences y_j − y_i on the way: the Mann–Kendall S of `y`
    /// (same value as `scalarMannKendallS(y)`), so a Theil–Sen fit gets its trend test for free.
    /// - Precondition: `t` and `y` have the same count n, `t` is strictly increasing and
    ///   `out` holds at least n(n−1)/2 values.
    /// - Returns: S = Σ_{i<j} sign(y_j − y_i), ties and NaN 0.
    /// - Complexity: O(n²)
    @inlinable
    public static func scalarPairwiseSlopes(
        t: UnsafeBufferPointer<Double>, y: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>
    ) -> Int {
        let n = t.count
        precondition(y.count == n && out.count >= pairCount(n), "pairwise slopes: buffer sizes")
        var s = 0
        var k = 0
        var i = 0
        while i < n {
            let ti = t[i], yi = y[i]
            var j = i + 1
            while j < n {
                let dy = y[j] - yi
                out[k] = dy / (t[j] - ti)
                if dy > 0 { s += 1 } else if dy < 0 { s -= 1 }
                k += 1
                j += 1
            }
            i += 1
        }
        return s
    }

    /// SIMD variant of `scalarPairwiseSlopes(t:y:into:)` (bit-identical slopes: a true
    /// division per pair, 8 at a time). A row's last vector spills padded lanes into the next
    /// row's slots, which that row then overwrites; only the final rows store lane by lane.
    /// - Complexity: O(n²); a stack copy of 2(n + 8) values.
    @inlinable
    public static func simdPairwiseSlopes(
        t: UnsafeBufferPointer<Double>, y: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>
    ) -> Int {
        let n = t.count
        precondition(y.count == n && out.count >= pairCount(n), "pairwise slopes: buffer sizes")
        guard n > 1, let tb = t.baseAddress, let yb = y.baseAddress, let ob = out.baseAddress else { return 0 }
        let m = pairCount(n)
        return withNaNPadded(tb, count: n) { tp in
            withNaNPadded(yb, count: n) { yp in
                let zero = SIMD8<Double>()
                var up = SIMD8<Int64>(), down = SIMD8<Int64>()
                var k = 0
                for i in 0..<(n - 1) {
                    let tv = SIMD8<Double>(repeating: tp[i]), yv = SIMD8<Double>(repeating: yp[i])
                    var j = i + 1
                    repeat {
                        let dy = load8(yp + j) - yv
                        let q = dy / (load8(tp + j) - tv)
                        up &+= lanes(dy .> zero)
                        down &+= lanes(dy .< zero)
                        let valid = min(8, n - j)
                        if k + 8 <= m {
                            UnsafeMutableRawPointer(ob + k).storeBytes(of: q, as: SIMD8<Double>.self)
                        } else {
                            for lane in 0..<valid { ob[k + lane] = q[lane] }
                        }
                        k += valid
                        j += 8
                    } while j < n
                }
                return Int((down &- up).wrappedSum())
            }
        }
    }

    // MARK: Profile centring

    /// Subtracts the mean from every element in place (keeps a seasonal profile centred on 0).
    /// - Returns: the mean that was removed (0 for an empty buffer).
    @inlinable
    public static func scalarCentre(_ x: UnsafeMutableBufferPointer<Float>) -> Float {
        let n = x.count
        guard n > 0 else { return 0 }
        var sum: Float = 0
        for i in 0..<n { sum += x[i] }
        let mean = sum / Float(n)
        for i in 0..<n { x[i] -= mean }
        return mean
    }

    /// SIMD variant of `scalarCentre(_:)` (sums in a different order, so results agree to
    /// Float rounding, not bit for bit).
    @inlinable
    public static func simdCentre(_ x: UnsafeMutableBufferPointer<Float>) -> Float {
        let n = x.count
        guard n > 0, let base = x.baseAddress else { return 0 }
        let raw = UnsafeMutableRawPointer(base)
        // Two 16-lane accumulators: four independent vector add chains.
        var a = SIMD16<Float>(), b = SIMD16<Float>()
        var i = 0
        while i + 32 <= n {
            a += raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
            b += raw.loadUnaligned(fromByteOffset: 4 * i + 64, as: SIMD16<Float>.self)
            i += 32
        }
        if i + 16 <= n {
            a += raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
            i += 16
        }
        a += b
        var h = a.lowHalf + a.highHalf
        if i + 8 <= n {
            h += raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        var sum = h.sum()
        while i < n { sum += base[i]; i += 1 }
        let mean = sum / Float(n)
        let m = SIMD16<Float>(repeating: mean)
        i = 0
        while i + 16 <= n {
            raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) - m,
                           toByteOffset: 4 * i, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { base[i] -= mean; i += 1 }
        return mean
    }
}
