/// The buckets of the per-day CPU histograms: log-linear like HdrHistogram, 8 linear
/// sub-buckets per power of two from 2^-10 (about one millicore) to 2^8 (256 cores), read
/// straight from a `Double`'s exponent and top mantissa bits (no `log` per sample).
///
/// Bucket 0 holds everything below 2^-10 (idle), the last one everything from 2^8 up. A
/// bucket spans at most 12.5 % of its lower bound, and a quantile interpolates inside its
/// bucket, so a p95 read back is within 12.5 % of the exact one at worst (a few percent on
/// real distributions).
public enum UsageHistogram {
    public static let firstExponent = -10
    public static let octaves = 18
    public static let subBuckets = 8
    public static let bucketCount = 1 + octaves * subBuckets

    /// The bucket of a value. - Complexity: O(1), a few bit operations.
    @inlinable
    public static func bucket(_ value: Double) -> Int {
        guard value >= 0x1p-10 else { return 0 }  // NaN, negatives, zero and below a millicore
        let bits = value.bitPattern
        let exponent = Int(truncatingIfNeeded: (bits >> 52) & 0x7FF) - 1023
        guard exponent < firstExponent + octaves else { return bucketCount - 1 }
        return 1 + (exponent - firstExponent) * subBuckets + Int(truncatingIfNeeded: (bits >> 49) & 7)
    }

    /// The values bucket `index` holds: `[lower, upper)`.
    public static func bounds(_ index: Int) -> (lower: Double, upper: Double) {
        if index <= 0 { return (0, 0x1p-10) }
        let octave = (index - 1) / subBuckets
        let sub = (index - 1) % subBuckets
        let base = Double(sign: .plus, exponent: firstExponent + octave, significand: 1)
        return (base * (1 + Double(sub) / 8), base * (1 + Double(sub + 1) / 8))
    }

    /// The `q` quantile (0...1) of the values counted in `counts` (one count per bucket),
    /// interpolated linearly inside its bucket; nil when nothing was counted.
    public static func quantile(_ counts: ArraySlice<UInt32>, _ q: Double) -> Double? {
        var total: UInt64 = 0
        for count in counts { total += UInt64(count) }
        guard total > 0 else { return nil }
        let rank = max(0, min(1, q)) * Double(total)
        var below = 0.0
        for (offset, count) in counts.enumerated() where count > 0 {
            let next = below + Double(count)
            if next >= rank {
                let (lower, upper) = bounds(offset)
                let fraction = (rank - below) / Double(count)
                return lower + (upper - lower) * max(0, min(1, fraction))
            }
            below = next
        }
        return bounds(counts.count - 1).upper
    }
}
