/// The hot loops of the detectors, each as a SIMD kernel and a plain scalar reference with
/// the same signature and the same result (tests check that they agree).
///
/// The SIMD variants work in 8-lane vectors over contiguous storage with a scalar tail.
public enum DetectorKernels {
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

    /// SIMD variant of `scalarMannKendallS(_:)`.
    @inlinable
    public static func simdMannKendallS(_ x: UnsafeBufferPointer<Double>) -> Int {
        let n = x.count
        guard n > 1, let base = x.baseAddress else { return 0 }
        let zero = SIMD8<Int64>(repeating: 0)
        let one = SIMD8<Int64>(repeating: 1)
        var acc = zero
        var tail = 0
        for i in 0..<(n - 1) {
            let xi = base[i]
            let v = SIMD8<Double>(repeating: xi)
            var j = i + 1
            while j + 8 <= n {
                let w = UnsafeRawPointer(base + j).loadUnaligned(as: SIMD8<Double>.self)
                acc &+= zero.replacing(with: one, where: w .> v)
                acc &-= zero.replacing(with: one, where: w .< v)
                j += 8
            }
            while j < n {
                let xj = base[j]
                if xj > xi { tail += 1 } else if xj < xi { tail -= 1 }
                j += 1
            }
        }
        return Int(acc.wrappedSum()) + tail
    }

    // MARK: Theil–Sen pairwise slopes

    /// The number of pairwise slopes of `n` points: n(n−1)/2.
    @inlinable
    public static func pairCount(_ n: Int) -> Int { n * (n - 1) / 2 }

    /// Writes (y_j − y_i) / (t_j − t_i) for every i < j, ordered by i then j, into `out`.
    /// - Precondition: `t` and `y` have the same count n, `t` is strictly increasing and
    ///   `out` holds at least n(n−1)/2 values.
    /// - Returns: the number of slopes written, n(n−1)/2.
    @inlinable
    public static func scalarPairwiseSlopes(
        t: UnsafeBufferPointer<Double>, y: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>
    ) -> Int {
        let n = t.count
        precondition(y.count == n && out.count >= pairCount(n), "pairwise slopes: buffer sizes")
        var k = 0
        var i = 0
        while i < n {
            let ti = t[i], yi = y[i]
            var j = i + 1
            while j < n {
                out[k] = (y[j] - yi) / (t[j] - ti)
                k += 1
                j += 1
            }
            i += 1
        }
        return k
    }

    /// SIMD variant of `scalarPairwiseSlopes(t:y:into:)`.
    @inlinable
    public static func simdPairwiseSlopes(
        t: UnsafeBufferPointer<Double>, y: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>
    ) -> Int {
        let n = t.count
        precondition(y.count == n && out.count >= pairCount(n), "pairwise slopes: buffer sizes")
        guard n > 1, let tb = t.baseAddress, let yb = y.baseAddress, let ob = out.baseAddress else { return 0 }
        var k = 0
        for i in 0..<(n - 1) {
            let ti = tb[i], yi = yb[i]
            let tv = SIMD8<Double>(repeating: ti), yv = SIMD8<Double>(repeating: yi)
            var j = i + 1
            while j + 8 <= n {
                let tw = UnsafeRawPointer(tb + j).loadUnaligned(as: SIMD8<Double>.self)
                let yw = UnsafeRawPointer(yb + j).loadUnaligned(as: SIMD8<Double>.self)
                UnsafeMutableRawPointer(ob + k).storeBytes(of: (yw - yv) / (tw - tv), as: SIMD8<Double>.self)
                k += 8
                j += 8
            }
            while j < n {
                ob[k] = (yb[j] - yi) / (tb[j] - ti)
                k += 1
                j += 1
            }
        }
        return k
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
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            acc += UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var sum = acc.sum()
        while i < n { sum += base[i]; i += 1 }
        let mean = sum / Float(n)
        let m = SIMD8<Float>(repeating: mean)
        i = 0
        while i + 8 <= n {
            let raw = UnsafeMutableRawPointer(base + i)
            raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self) - m, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { base[i] -= mean; i += 1 }
        return mean
    }
}
