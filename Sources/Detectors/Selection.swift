/// Order statistics over a scratch buffer, for the robust estimators (Theil–Sen medians,
/// quartiles). Reorders the buffer; allocates nothing.
enum Selection {
    /// The k-th smallest value (0-based) by Hoare's quickselect; NaN for an empty buffer.
    /// - Complexity: O(n) expected.
    static func select(_ a: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var lo = 0, hi = a.count - 1
        guard hi >= 0 else { return .nan }
        precondition(k >= 0 && k <= hi, "select: rank out of range")
        while lo < hi {
            let pivot = a[lo + (hi - lo) / 2]
            var i = lo, j = hi
            while i <= j {
                while i <= hi, a[i] < pivot { i += 1 }
                while j >= lo, a[j] > pivot { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return a[k] }
        }
        return a[k]
    }

    /// The median (mean of the two middle values for an even count); NaN when empty.
    static func median(_ a: UnsafeMutableBufferPointer<Double>) -> Double {
        let n = a.count
        guard n > 0 else { return .nan }
        let upper = select(a, n / 2)
        if n % 2 == 1 { return upper }
        // After selecting rank n/2 every element below index n/2 is <= upper: the lower middle is their max.
        var lower = -Double.infinity
        for i in 0..<(n / 2) where a[i] > lower { lower = a[i] }
        return (lower + upper) / 2
    }

    /// The value at quantile `q` in [0, 1] (nearest rank); NaN when empty.
    static func quantile(_ a: UnsafeMutableBufferPointer<Double>, _ q: Double) -> Double {
        let n = a.count
        guard n > 0 else { return .nan }
        let k = min(n - 1, max(0, Int((q * Double(n - 1)).rounded())))
        return select(a, k)
    }
}
