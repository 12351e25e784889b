/// The hot loops of the detectors, each as a SIMD kernel and a plain scalar reference with
/// the same signature and the same result (tests check that they agree).
///
/// The SIMD variants work in 8-lane vectors and have no scalar tails: short rows are padded
/// or masked instead, so every element goes through the vector loop.
public enum DetectorKernels {
    /// A comparison mask as integer lanes: −1 where true, 0 where false (the mask's storage).
    @usableFromInline @inline(__always)
    static func lanes(_ mask: SIMDMask<SIMD8<Int32>>) -> SIMD8<Int32> {
        unsafeBitCast(mask, to: SIMD8<Int32>.self)
    }

    @usableFromInline @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @usableFromInline @inline(__always)
    static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    // MARK: Theil–Sen pairwise slopes

    /// The number of pairwise slopes of `n` points: n(n−1)/2.
    @inlinable
    public static func pairCount(_ n: Int) -> Int { n * (n - 1) / 2 }

    /// Writes the slope (y_j − y_i) / (t_j − t_i) of every pair of points into `out`, and counts
    /// the slopes' signs on the way: the Mann–Kendall S of `y`, so a Theil–Sen fit gets its trend
    /// test for free.
    ///
    /// Pairs come in circular-lag order: for lag d = 1 … n/2, the n pairs (i, (i + d) mod n)
    /// (n/2 of them for d = n/2, where the other half would repeat them). A wrapped pair has
    /// i > j, but its quotient is the same ((−a)/(−b) = a/b exactly) and, t rising, its sign is
    /// still that of the later value minus the earlier. Every lag is a full row of n, so the SIMD
    /// variant loses no lanes to a triangle's short rows.
    ///
    /// Single precision, since a median of slopes needs a few digits, not sixteen, and float
    /// lanes halve the divider's cost per slope. Callers centre and scale `y` first (the leak
    /// detector subtracts the first value and divides by a power of two) so that large levels
    /// keep their small differences.
    /// - Precondition: `t` and `y` have the same count n, `t` is strictly increasing and
    ///   `out` holds at least n(n−1)/2 values.
    /// - Returns: S = Σ_{i<j} sign(y_j − y_i) over the slopes' signs; ties (slope 0) and NaN
    ///   count 0.
    /// - Complexity: O(n²)
    @inlinable
    public static func scalarPairwiseSlopes(
        t: UnsafeBufferPointer<Float>, y: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>
    ) -> Int {
        let n = t.count
        precondition(y.count == n && out.count >= pairCount(n), "pairwise slopes: buffer sizes")
        guard n > 1 else { return 0 }
        var s = 0
        var k = 0
        for d in 1...(n / 2) {
            let count = 2 * d == n ? d : n
            for i in 0..<count {
                let j = i + d < n ? i + d : i + d - n
                let q = (y[j] - y[i]) / (t[j] - t[i])
                out[k] = q
                if q > 0 { s += 1 } else if q < 0 { s -= 1 }
                k += 1
            }
        }
        return s
    }

    /// SIMD variant of `scalarPairwiseSlopes(t:y:into:)`, bit-identical: a true division per
    /// pair, 8 at a time. Both sides read one stack copy of the points written twice, so
    /// (i + d) mod n is a plain offset. A lag's last vector masks its extra lanes out of S and
    /// lets their quotients spill into the next lag's slots, which that lag then overwrites
    /// (only the very last vector stores lane by lane).
    /// - Complexity: O(n²); a stack copy of 4n + 16 floats.
    @inlinable
    public static func simdPairwiseSlopes(
        t: UnsafeBufferPointer<Float>, y: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>
    ) -> Int {
        let n = t.count
        precondition(y.count == n && out.count >= pairCount(n), "pairwise slopes: buffer sizes")
        guard n > 1, let tb = t.baseAddress, let yb = y.baseAddress, let ob = out.baseAddress else { return 0 }
        let m = pairCount(n)
        let stride = 2 * n + 8
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * stride) { pad in
            // The points twice, then 8 zeros that only masked lanes read. Vector copies: a
            // dozen memcpy calls would cost as much as the slopes of 16 points.
            @inline(__always) func copy(_ from: UnsafePointer<Float>, to p: UnsafeMutablePointer<Float>) {
                var c = 0
                while c &+ 8 <= n {
                    let v = load8(from + c)
                    store8(v, p + c)
                    store8(v, p + (n &+ c))
                    c &+= 8
                }
                while c < n {
                    p[c] = from[c]
                    p[n &+ c] = from[c]
                    c &+= 1
                }
                store8(SIMD8<Float>(), p + 2 * n)
            }
            let tp = pad.baseAddress!, yp = tp + stride
            copy(tb, to: tp)
            copy(yb, to: yp)
            let iota = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
            let zero = SIMD8<Float>()
            var up = SIMD8<Int32>(), down = SIMD8<Int32>()
            var k = 0
            for d in 1...(n / 2) {
                let count = 2 * d == n ? d : n
                var i = 0
                repeat {
                    let q = (load8(yp + (i &+ d)) - load8(yp + i)) / (load8(tp + (i &+ d)) - load8(tp + i))
                    var rising = lanes(q .> zero), falling = lanes(q .< zero)
                    let left = count &- i
                    if left < 8 {
                        let keep = lanes(iota .< SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: left)))
                        rising &= keep
                        falling &= keep
                    }
                    up &+= rising
                    down &+= falling
                    if k &+ i &+ 8 <= m {
                        store8(q, ob + (k &+ i))
                    } else {
                        for lane in 0..<min(8, left) { ob[k &+ i &+ lane] = q[lane] }
                    }
                    i &+= 8
                } while i < count
                k &+= count
            }
            return Int((down &- up).wrappedSum())
        }
    }
}
