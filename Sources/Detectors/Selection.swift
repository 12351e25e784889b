/// Order statistics over a scratch buffer, for the robust estimators (Theil–Sen medians over
/// single-precision slopes, quartiles of double residuals). Reorders the buffer; allocates
/// nothing. Generic over the float type; the optimiser specialises each use in this module.
///
/// Quickselect with branch-free partitions: the comparisons of random-looking data (slopes,
/// residuals) mispredict half the time, so every element is moved unconditionally and the
/// write position advances by the comparison's result. A round splits the range three ways
/// (< pivot, == pivot, > pivot), so runs of equal values (a flat series: every slope 0) end it
/// at once instead of degrading to O(n²). Ranges of at most 16 are insertion-sorted.
enum Selection {
    static let insertionLimit = 16

    /// The k-th smallest value (0-based); NaN for an empty buffer. On return every element
    /// before index `k` is <= the result (the median's lower middle relies on it). With NaN in
    /// the buffer the order is unspecified.
    /// - Complexity: O(n) expected.
    static func select<T: BinaryFloatingPoint>(_ a: UnsafeMutableBufferPointer<T>, _ k: Int) -> T {
        let n = a.count
        guard n > 0, let p = a.baseAddress else { return .nan }
        precondition(k >= 0 && k < n, "select: rank out of range")
        var lo = 0, hi = n - 1
        while hi - lo >= insertionLimit {
            swapAt(p, pivotIndex(p, lo, hi), hi)
            let pivot = p[hi]
            // [lo, below) < pivot, then [below, equal) == pivot, then (equal, hi] > pivot.
            let below = partition(p, lo, hi - 1) { $0 < pivot }
            if k < below { hi = below - 1; continue }
            let equal = partition(p, below, hi - 1) { $0 <= pivot }
            swapAt(p, equal, hi)
            if k <= equal { return pivot }
            lo = equal + 1
        }
        insertionSort(p, lo, hi)
        return p[k]
    }

    /// The median (mean of the two middle values for an even count); NaN when empty.
    static func median<T: BinaryFloatingPoint>(_ a: UnsafeMutableBufferPointer<T>) -> T {
        let n = a.count
        guard n > 0, let p = a.baseAddress else { return .nan }
        let upper = select(a, n / 2)
        if n % 2 == 1 { return upper }
        // After selecting rank n/2 every element below index n/2 is <= upper: the lower middle is their max.
        return (maximum(p, n / 2) + upper) / 2
    }

    /// The value at quantile `q` in [0, 1] (nearest rank); NaN when empty.
    static func quantile<T: BinaryFloatingPoint>(_ a: UnsafeMutableBufferPointer<T>, _ q: Double) -> T {
        let n = a.count
        guard n > 0 else { return .nan }
        let k = min(n - 1, max(0, Int((q * Double(n - 1)).rounded())))
        return select(a, k)
    }

    /// Moves the elements of [lo, hi] that satisfy `isBefore` to the front of the range.
    /// - Returns: the index after the last of them.
    @inline(__always)
    static func partition<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ lo: Int, _ hi: Int, _ isBefore: (T) -> Bool) -> Int {
        var w = lo
        var i = lo
        while i <= hi {
            let x = p[i]
            p[i] = p[w]
            p[w] = x
            w &+= isBefore(x) ? 1 : 0
            i &+= 1
        }
        return w
    }

    /// The index of the median of three (a ninther, the median of three such medians, over
    /// ranges of 128 or more): a pivot near the middle without sampling at random.
    @inline(__always)
    static func pivotIndex<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ lo: Int, _ hi: Int) -> Int {
        let mid = lo + (hi - lo) / 2
        if hi - lo < 128 { return medianOfThree(p, lo, mid, hi) }
        let step = (hi - lo) / 8
        return medianOfThree(
            p, medianOfThree(p, lo, lo + step, lo + 2 * step), medianOfThree(p, mid - step, mid, mid + step),
            medianOfThree(p, hi - 2 * step, hi - step, hi))
    }

    @inline(__always)
    static func medianOfThree<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ a: Int, _ b: Int, _ c: Int) -> Int {
        let x = p[a], y = p[b], z = p[c]
        if x < y {
            return y < z ? b : (x < z ? c : a)
        } else {
            return x < z ? a : (y < z ? c : b)
        }
    }

    @inline(__always)
    static func swapAt<T>(_ p: UnsafeMutablePointer<T>, _ i: Int, _ j: Int) {
        let x = p[i]
        p[i] = p[j]
        p[j] = x
    }

    static func insertionSort<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ lo: Int, _ hi: Int) {
        guard hi > lo else { return }
        for i in (lo + 1)...hi {
            let x = p[i]
            var j = i
            while j > lo, x < p[j - 1] {
                p[j] = p[j - 1]
                j -= 1
            }
            p[j] = x
        }
    }

    /// The largest of the first `n` values (−∞ for none), in four independent chains.
    static func maximum<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ n: Int) -> T {
        var m0 = -T.infinity, m1 = m0, m2 = m0, m3 = m0
        var i = 0
        while i + 4 <= n {
            m0 = Swift.max(m0, p[i])
            m1 = Swift.max(m1, p[i + 1])
            m2 = Swift.max(m2, p[i + 2])
            m3 = Swift.max(m3, p[i + 3])
            i += 4
        }
        while i < n {
            m0 = Swift.max(m0, p[i])
            i += 1
        }
        return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
    }
}
