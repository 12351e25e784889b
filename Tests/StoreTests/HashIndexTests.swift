import AIOpsCore
import Testing
@testable import Store

@Suite struct HashIndexTests {
    /// A key whose home bucket in a table of `buckets` is `home` (the high bits pick it),
    /// made distinct by `tag` in the low bits.
    static func key(home: Int, tag: Int, buckets: Int) -> UInt64 {
        let bits = UInt64(buckets.trailingZeroBitCount)
        return UInt64(home) << (64 - bits) | UInt64(tag)
    }

    @Test func findsSetsReplacesAndRemoves() {
        var index = HashIndex()
        #expect(index[42] == nil)
        index.set(42, 7)
        index.set(43, 8)
        #expect(index[42] == 7)
        #expect(index[43] == 8)
        index.set(42, 9)
        #expect(index[42] == 9)
        #expect(index.count == 2)
        index.remove(42)
        index.remove(42)
        #expect(index[42] == nil)
        #expect(index[43] == 8)
        #expect(index.count == 1)
        #expect(index.isConsistent())
    }

    /// Every cluster shape of an 8-bucket table (the table a fresh index has): runs of 1...6
    /// keys (the most before growth) starting at every bucket, so clusters wrap around the
    /// end; keys with mixed homes inside the run; then each key removed in turn, checking
    /// that the rest stay reachable (backward shift) and that re-inserting works.
    @Test func everyClusterAndRemovalPositionInASmallTable() {
        var failures: [String] = []
        for start in 0..<8 {
            for size in 1...6 {
                // Homes: all at `start`, or staggered (start, start, start+1, start+1, ...).
                for staggered in [false, true] {
                    let keys = (0..<size).map { k in
                        HashIndexTests.key(home: (start + (staggered ? k / 2 : 0)) & 7, tag: k + 1, buckets: 8)
                    }
                    for removed in 0..<size {
                        var index = HashIndex(capacity: 6)
                        guard index.bucketCount == 8 else { failures.append("table is not 8 buckets"); continue }
                        for (k, key) in keys.enumerated() { index.set(key, Int32(k)) }
                        index.remove(keys[removed])
                        let context = "start \(start) size \(size) staggered \(staggered) removed \(removed)"
                        if !index.isConsistent() { failures.append("inconsistent: \(context)") }
                        for (k, key) in keys.enumerated() {
                            let expected: Int32? = k == removed ? nil : Int32(k)
                            if index[key] != expected { failures.append("key \(k) lost: \(context)") }
                        }
                        index.set(keys[removed], 99)
                        if index[keys[removed]] != 99 || !index.isConsistent() { failures.append("reinsert: \(context)") }
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    /// Random sets and removals against a `Dictionary`, with keys crowded onto few homes (and
    /// equal low bits, as one shard's keys are), through several growths.
    @Test(arguments: [1, 2, 3])
    func agreesWithDictionaryUnderChurn(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var index = HashIndex()
        var model: [UInt64: Int32] = [:]
        var mismatches = 0
        for step in 0..<20_000 {
            // High bits from a small pool: long collision runs; low bit fixed like a shard's.
            let key = (UInt64.random(in: 0..<64, using: &rng) << 58) | (UInt64.random(in: 0..<512, using: &rng) << 1)
            if UInt64.random(in: 0..<3, using: &rng) == 0 {
                index.remove(key)
                model[key] = nil
            } else {
                let value = Int32(step)
                index.set(key, value)
                model[key] = value
            }
            if step % 997 == 0 && !index.isConsistent() { mismatches += 1 }
        }
        for (key, value) in model where index[key] != value { mismatches += 1 }
        #expect(index.count == model.count)
        #expect(index.isConsistent())
        #expect(mismatches == 0)
        #expect(Set(index.entries.map(\.key)) == Set(model.keys))
    }

    @Test func growsKeepingEntriesAndLoadBelowThreeQuarters() {
        var index = HashIndex()
        for k in 0..<10_000 { index.set(UInt64(k) &* 0x9E37_79B9_7F4A_7C15, Int32(k)) }
        #expect(index.count == 10_000)
        #expect(index.bucketCount * 3 >= index.count * 4)
        #expect(index.isConsistent())
        var lost = 0
        for k in 0..<10_000 where index[UInt64(k) &* 0x9E37_79B9_7F4A_7C15] != Int32(k) { lost += 1 }
        #expect(lost == 0)
    }
}
