import AIOpsCore
import Testing
@testable import Store

@Suite struct SeriesStoreTests {
    func series(_ name: String, pod: String = "a") -> Labels {
        Labels(metric: name, ["pod": pod, "namespace": "dev"])
    }

    @Test func findsKnownSeriesByLabels() {
        let store = SeriesStore()
        let a = store.insert(series("mem"))
        let b = store.insert(series("mem", pod: "b"))
        #expect(a != b)
        #expect(store.lookup(series("mem")) == a)
        #expect(store.lookup(series("mem", pod: "b")) == b)
        #expect(store.lookup(series("cpu")) == nil)
        #expect(store.seriesCount == 2)
        #expect(store.labels(of: b) == series("mem", pod: "b"))
    }

    /// The ring must give back the newest samples oldest first whatever the write position,
    /// so every wrap-around position of every small capacity is checked.
    @Test(arguments: [2, 4, 8, 16])
    func ringWrapsAtEveryPosition(capacity: Int) {
        for total in 0...(3 * capacity + 1) {
            let store = SeriesStore(configuration: .init(ringCapacity: capacity))
            let ref = store.insert(series("x"))
            for i in 0..<total {
                #expect(store.append(ref, timestamp: Int64(i) * 1000, value: Double(i)) == .appended)
            }
            let held = min(total, capacity)
            let expected = (total - held..<total).map(Double.init)
            let recent = store.recent(ref)
            #expect(recent.values == expected, "capacity \(capacity) after \(total)")
            #expect(recent.timestamps == expected.map { Int64($0) * 1000 })
            #expect(store.sampleCount(ref) == held)
            let joined = store.withValueSegments(ref) { first, second in Array(first) + Array(second) }
            #expect(joined == expected)
            if held > 1 {
                #expect(store.recent(ref, count: held - 1).values == Array(expected.dropFirst()))
            }
        }
    }

    @Test func capacityRoundsUpToPowerOfTwo() {
        #expect(SeriesStore(configuration: .init(ringCapacity: 50)).ringCapacity == 64)
        #expect(SeriesStore(configuration: .init(ringCapacity: 64)).ringCapacity == 64)
    }

    @Test func classifiesOddSamples() {
        let store = SeriesStore()
        let ref = store.insert(series("x"))
        #expect(store.append(ref, timestamp: 1000, value: 1) == .appended)
        #expect(store.append(ref, timestamp: 1000, value: 1) == .duplicate)
        #expect(store.append(ref, timestamp: 1000, value: 2) == .duplicateConflict)
        #expect(store.append(ref, timestamp: 500, value: 2) == .outOfOrder)
        #expect(store.append(ref, timestamp: 2000, value: .nan) == .nonFinite)
        #expect(store.append(ref, timestamp: 2000, value: .infinity) == .nonFinite)
        #expect(store.append(ref, timestamp: 2000, value: StaleMarker.value) == .stale)
        #expect(store.isStale(ref))
        #expect(store.append(ref, timestamp: 3000, value: 3) == .appended)
        #expect(!store.isStale(ref))
        #expect(store.recent(ref).values == [1, 3])
        let stats = store.statistics
        #expect(stats[.appended] == 2)
        #expect(stats[.duplicate] == 1)
        #expect(stats[.duplicateConflict] == 1)
        #expect(stats[.outOfOrder] == 1)
        #expect(stats[.nonFinite] == 2)
        #expect(stats[.stale] == 1)
    }

    @Test func staleMarkerIsComparedByBits() {
        #expect(StaleMarker.isStale(Double(bitPattern: 0x7ff0_0000_0000_0002)))
        #expect(!StaleMarker.isStale(Double(bitPattern: 0x7ff8_0000_0000_0001)))
        #expect(!StaleMarker.isStale(.nan))
    }

    @Test func countsGapsWithoutRejecting() {
        let store = SeriesStore()
        let ref = store.insert(series("x"))
        for i in 0..<10 { _ = store.append(ref, timestamp: Int64(i) * 15_000, value: 1) }
        #expect(store.append(ref, timestamp: 9 * 15_000 + 3_600_000, value: 1) == .appended)
        #expect(store.statistics.gaps == 1)
    }

    @Test func removalUnlinksAndReusesSlots() {
        let store = SeriesStore()
        var refs: [SeriesRef] = []
        for i in 0..<100 { refs.append(store.insert(series("m", pod: "p\(i)"))) }
        for i in stride(from: 0, to: 100, by: 2) { store.remove(refs[i]) }
        #expect(store.seriesCount == 50)
        for i in 0..<100 {
            #expect((store.lookup(series("m", pod: "p\(i)")) != nil) == (i % 2 == 1))
        }
        let again = store.insert(series("m", pod: "new"))
        #expect(again.index % 2 == 0, "a freed slot is reused")
        #expect(store.recent(again).values.isEmpty)
        #expect(store.append(again, timestamp: 1, value: 5) == .appended)
        #expect(store.recent(again).values == [5])
    }

    @Test func hashCollisionsAreChained() {
        // Force a chain by inserting, removing the head and looking up the rest.
        let store = SeriesStore()
        let labels = (0..<2000).map { series("m", pod: "p\($0)") }
        let refs = labels.map { store.insert($0) }
        for (label, ref) in zip(labels, refs) { #expect(store.lookup(label) == ref) }
        // Walk candidates by hash the way the remote-write path does.
        let target = labels[1234]
        var candidate = store.firstCandidate(hash: target.stableHash)
        var found: SeriesRef?
        while let c = candidate {
            if store.labels(of: c) == target { found = c }
            candidate = store.nextCandidate(after: c)
        }
        #expect(found == refs[1234])
    }

    @Test func growsSlabsKeepingData() {
        let store = SeriesStore(configuration: .init(ringCapacity: 4))
        var refs: [SeriesRef] = []
        for i in 0..<300 {
            let ref = store.insert(series("m", pod: "p\(i)"))
            refs.append(ref)
            _ = store.append(ref, timestamp: 1, value: Double(i))
        }
        for (i, ref) in refs.enumerated() { #expect(store.recent(ref).values == [Double(i)]) }
    }

    /// The remote-write path: a known series is found by hash and key bytes alone.
    @Test func findsByKeyBytes() {
        let store = SeriesStore()
        let labels = (0..<500).map { series("m", pod: "p\($0)") }
        let refs = labels.map { store.insert($0) }
        var wrong = 0
        for (label, ref) in zip(labels, refs) {
            let found = label.keyBytes.withUnsafeBytes { store.find(hash: label.stableHash, key: $0) }
            if found != ref { wrong += 1 }
            if Array(store.key(of: ref)) != label.keyBytes { wrong += 1 }
        }
        #expect(wrong == 0)
        let unknown = series("m", pod: "nope")
        #expect(unknown.keyBytes.withUnsafeBytes { store.find(hash: unknown.stableHash, key: $0) } == nil)
        // A right hash with the wrong bytes is not a match.
        #expect(unknown.keyBytes.withUnsafeBytes { store.find(hash: labels[3].stableHash, key: $0) } == nil)
    }

    /// Series forced onto one hash: every chain position found by its key, and removed at
    /// head, middle and tail, with the freed slots reused by new chain members.
    @Test(arguments: 0..<5)
    func fullHashCollisionsChainAndUnlinkAtEveryPosition(removed: Int) {
        let store = SeriesStore()
        let hash: UInt64 = 0xDEAD_BEEF
        let labels = (0..<5).map { series("c", pod: "p\($0)") }
        let refs = labels.map { store.insert($0, hash: hash) }
        func find(_ l: Labels) -> SeriesRef? { l.keyBytes.withUnsafeBytes { store.find(hash: hash, key: $0) } }
        for (l, ref) in zip(labels, refs) { #expect(find(l) == ref) }
        store.remove(refs[removed])
        for (k, l) in labels.enumerated() { #expect(find(l) == (k == removed ? nil : refs[k])) }
        // Chain walk by candidates sees exactly the survivors.
        var chain: [SeriesRef] = []
        var candidate = store.firstCandidate(hash: hash)
        while let c = candidate { chain.append(c); candidate = store.nextCandidate(after: c) }
        #expect(Set(chain) == Set(refs.enumerated().filter { $0.offset != removed }.map(\.element)))
        let newcomer = series("c", pod: "new")
        let again = store.insert(newcomer, hash: hash)
        #expect(again == refs[removed], "the freed slot is reused")
        #expect(find(newcomer) == again)
        #expect(find(labels[removed]) == nil)
        // Removing everything empties the index entry.
        for (k, ref) in refs.enumerated() where k != removed { store.remove(ref) }
        store.remove(again)
        #expect(store.firstCandidate(hash: hash) == nil)
        #expect(store.seriesCount == 0)
        #expect(store.index.isConsistent())
    }

    /// Churn: the key arena compacts its garbage and every live key stays findable.
    @Test func keyArenaCompactsUnderChurn() {
        let store = SeriesStore()
        var live: [Int: (Labels, SeriesRef)] = [:]
        var next = 0
        var wrong = 0
        var peakLiveBytes = 0
        var insertedBytes = 0
        for round in 0..<40 {
            for _ in 0..<200 {
                let l = series("churn", pod: "pod-\(next)-" + String(repeating: "x", count: next % 50))
                live[next] = (l, store.insert(l))
                insertedBytes += l.keyBytes.count
                next += 1
            }
            peakLiveBytes = max(peakLiveBytes, live.values.reduce(0) { $0 + $1.0.keyBytes.count })
            // Remove about two thirds, oldest first.
            for key in live.keys.sorted().prefix(live.count * 2 / 3) {
                store.remove(live[key]!.1)
                live[key] = nil
            }
            for (l, ref) in live.values {
                let found = l.keyBytes.withUnsafeBytes { store.find(hash: l.stableHash, key: $0) }
                if found != ref || store.labels(of: ref) != l { wrong += 1 }
            }
            let usage = store.keyArenaUsage
            #expect(usage.used <= usage.capacity, "round \(round)")
        }
        #expect(wrong == 0)
        let usage = store.keyArenaUsage
        let liveBytes = live.values.reduce(0) { $0 + $1.0.keyBytes.count }
        #expect(usage.used - usage.garbage == liveBytes)
        #expect(usage.capacity <= 4 * peakLiveBytes, "garbage is reclaimed, not accumulated")
        #expect(usage.capacity * 4 < insertedBytes)
        #expect(store.index.isConsistent())
        #expect(store.index.count == live.count)
    }
}
