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
}
