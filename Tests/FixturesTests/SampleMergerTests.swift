import AIOpsCore
import Testing
@testable import Fixtures

@Suite struct SampleMergerTests {
    func series(_ name: String, _ timestamps: [Timestamp]) -> FixtureSeries {
        FixtureSeries(labels: Labels(metric: name), timestamps: timestamps, values: timestamps.map { Double($0) })
    }

    @Test func mergesByTimeWithTiesBySeriesOrder() {
        let merger = SampleMerger([series("a", [10, 20, 30]), series("b", [5, 20, 40]), series("c", [20])])
        let order = merger.map { "\($0.seriesIndex):\($0.row)@\($0.timestamp)" }
        #expect(order == ["1:0@5", "0:0@10", "0:1@20", "1:1@20", "2:0@20", "0:2@30", "1:2@40"])
        #expect(merger.underestimatedCount == 7)
        #expect(merger.allSatisfy { $0.value == Double($0.timestamp) })
    }

    @Test func rowsOutOfOrderStayInFileOrderWithinTheirSeries() {
        let merger = SampleMerger([series("a", [10, 50, 20, 60]), series("b", [30, 40])])
        let samples = Array(merger)
        #expect(samples.map(\.timestamp) == [10, 30, 40, 50, 20, 60])
        #expect(samples.filter { $0.seriesIndex == 0 }.map(\.row) == [0, 1, 2, 3])
        #expect(samples.filter { $0.seriesIndex == 1 }.map(\.row) == [0, 1])
    }

    @Test func emptySeriesAndNoSeries() {
        #expect(Array(SampleMerger([])).isEmpty)
        let samples = Array(SampleMerger([series("a", []), series("b", [1]), series("c", [])]))
        #expect(samples == [FixtureSample(seriesIndex: 1, row: 0, timestamp: 1, value: 1)])
    }

    /// Against a plain reference: a stable sort of every (timestamp, series, row) triple
    /// gives the same order when each series is in time order.
    @Test func agreesWithAStableSortOnManySeries() {
        var rng = SplitMix64(seed: 42)
        var all: [FixtureSeries] = []
        for s in 0..<37 {
            var t: Timestamp = Timestamp(rng.next() % 1000)
            var ts: [Timestamp] = []
            for _ in 0..<(Int(rng.next() % 50)) {
                t += Timestamp(rng.next() % 30)   // steps of 0 make ties within a series
                ts.append(t)
            }
            all.append(series("s\(s)", ts))
        }
        let merged = Array(SampleMerger(all)).map { [$0.timestamp, Int64($0.seriesIndex), Int64($0.row)] }
        var reference: [[Int64]] = []
        for (s, one) in all.enumerated() {
            for (row, t) in one.timestamps.enumerated() { reference.append([t, Int64(s), Int64(row)]) }
        }
        reference.sort { $0.lexicographicallyPrecedes($1) }
        #expect(merged == reference)
    }
}
