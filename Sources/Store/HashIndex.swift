/// An open-addressing map from a 64-bit series hash to a slot (`Int32`), for `SeriesStore`'s
/// index: linear probing over a power-of-two table of 16-byte buckets, deletion by backward
/// shift (no tombstones, so probe lengths never degrade after churn).
///
/// The keys are already well-mixed hashes (`Labels.stableHash`), so they are not hashed
/// again (no SipHash, unlike `Dictionary`). The home bucket comes from the key's high bits:
/// the low bits pick the workspace shard (`hash % shards`), so within one shard's store they
/// are all alike and would crowd half the table.
///
/// Keys are unique; the store chains series whose full 64-bit hashes collide itself.
public struct HashIndex {
    @usableFromInline
    struct Bucket {
        @usableFromInline var key: UInt64
        /// The slot, or -1 when the bucket is empty.
        @usableFromInline var value: Int32

        @inlinable init(key: UInt64, value: Int32) {
            self.key = key
            self.value = value
        }
    }

    @usableFromInline var buckets: [Bucket]
    /// `64 - log2(buckets.count)`: the home bucket of `key` is `key >> shift`.
    @usableFromInline var shift: UInt64
    public private(set) var count = 0

    /// - Parameter capacity: entries to hold before the first growth.
    public init(capacity: Int = 16) {
        var size = 8
        while size * 3 < capacity * 4 { size <<= 1 }
        buckets = Array(repeating: Bucket(key: 0, value: -1), count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    /// Buckets allocated (a power of two; at most 3/4 of them used).
    public var bucketCount: Int { buckets.count }

    /// Bytes of the table.
    public var approximateBytes: Int { buckets.count * MemoryLayout<Bucket>.stride }

    @inlinable
    func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: key >> shift) }

    /// The value of `key`, or nil.
    /// - Complexity: O(1) expected (load at most 3/4).
    @inlinable
    public subscript(key: UInt64) -> Int32? {
        buckets.withUnsafeBufferPointer { table -> Int32? in
            let mask = table.count - 1
            var i = home(key)
            while true {
                let bucket = table[i]
                if bucket.value < 0 { return nil }
                if bucket.key == key { return bucket.value }
                i = (i + 1) & mask
            }
        }
    }

    /// Sets the value of `key` (added or replaced); `value` must not be negative.
    /// - Complexity: O(1) amortised; allocates only when the table grows.
    public mutating func set(_ key: UInt64, _ value: Int32) {
        precondition(value >= 0, "HashIndex values are slots (>= 0)")
        if (count + 1) * 4 > buckets.count * 3 { grow() }
        let mask = buckets.count - 1
        var i = home(key)
        while buckets[i].value >= 0 {
            if buckets[i].key == key {
                buckets[i].value = value
                return
            }
            i = (i + 1) & mask
        }
        buckets[i] = Bucket(key: key, value: value)
        count += 1
    }

    /// Removes `key`; no effect if absent. Later entries of the probe run move back into the
    /// gap, so lookups never need tombstones.
    public mutating func remove(_ key: UInt64) {
        let mask = buckets.count - 1
        var i = home(key)
        while true {
            if buckets[i].value < 0 { return }
            if buckets[i].key == key { break }
            i = (i + 1) & mask
        }
        var gap = i
        var j = i
        while true {
            j = (j + 1) & mask
            if buckets[j].value < 0 { break }
            // The entry at j may fill the gap if its home is not cyclically in (gap, j].
            let h = home(buckets[j].key)
            let distanceToJ = (j - h) & mask
            let distanceToGap = (gap - h) & mask
            if distanceToGap < distanceToJ {
                buckets[gap] = buckets[j]
                gap = j
            }
        }
        buckets[gap] = Bucket(key: 0, value: -1)
        count -= 1
    }

    private mutating func grow() {
        let old = buckets
        let size = old.count * 2
        buckets = Array(repeating: Bucket(key: 0, value: -1), count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
        let mask = size - 1
        for bucket in old where bucket.value >= 0 {
            var i = home(bucket.key)
            while buckets[i].value >= 0 { i = (i + 1) & mask }
            buckets[i] = bucket
        }
    }

    /// Checks the table's invariants (for tests): every entry is reachable from its home
    /// bucket without crossing an empty one, keys are unique, and `count` is right.
    public func isConsistent() -> Bool {
        let mask = buckets.count - 1
        var seen = Set<UInt64>()
        var live = 0
        for (i, bucket) in buckets.enumerated() where bucket.value >= 0 {
            live += 1
            guard seen.insert(bucket.key).inserted else { return false }
            var k = home(bucket.key)
            while k != i {
                if buckets[k].value < 0 { return false }
                k = (k + 1) & mask
            }
        }
        return live == count && count * 4 <= buckets.count * 3
    }

    /// Every (key, value) pair, in table order (for tests and diagnostics).
    public var entries: [(key: UInt64, value: Int32)] {
        buckets.filter { $0.value >= 0 }.map { ($0.key, $0.value) }
    }
}
