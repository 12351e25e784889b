import AIOpsCore

/// One sample of a merged replay stream.
public struct FixtureSample: Sendable, Equatable {
    /// Index into the merged series array.
    public var seriesIndex: Int
    /// Index of the sample within its series (its row in file order).
    public var row: Int
    public var timestamp: Timestamp
    public var value: Double

    public init(seriesIndex: Int, row: Int, timestamp: Timestamp, value: Double) {
        self.seriesIndex = seriesIndex
        self.row = row
        self.timestamp = timestamp
        self.value = value
    }

    public static func == (lhs: FixtureSample, rhs: FixtureSample) -> Bool {
        lhs.seriesIndex == rhs.seriesIndex && lhs.row == rhs.row && lhs.timestamp == rhs.timestamp
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// Yields the samples of several series in event-time order, as a live stream would
/// deliver them, without copying them.
///
/// A k-way merge over each series' next row: the smallest timestamp goes first, ties go
/// to the lower series index. Rows within a series keep their file order, so a row out
/// of time order is still delivered right after its predecessor in the file (the pipeline
/// rejects and counts it, and replay can still write one score row per input row).
/// - Complexity: O(log k) per sample for k series; no allocation per sample.
public struct SampleMerger: Sequence, Sendable {
    public let series: [FixtureSeries]

    public init(_ series: [FixtureSeries]) {
        self.series = series
    }

    /// The total number of samples.
    public var underestimatedCount: Int { series.reduce(0) { $0 + $1.count } }

    public func makeIterator() -> Iterator { Iterator(series) }

    public struct Iterator: IteratorProtocol, Sendable {
        let series: [FixtureSeries]
        /// Next row of each series.
        var positions: [Int]
        /// Min-heap of series indices with rows left, by (next timestamp, index).
        var heap: [Int]

        init(_ series: [FixtureSeries]) {
            self.series = series
            self.positions = Array(repeating: 0, count: series.count)
            self.heap = []
            heap.reserveCapacity(series.count)
            for index in series.indices where series[index].count > 0 { push(index) }
        }

        public mutating func next() -> FixtureSample? {
            guard let top = heap.first else { return nil }
            let row = positions[top]
            let sample = FixtureSample(seriesIndex: top, row: row,
                                       timestamp: series[top].timestamps[row], value: series[top].values[row])
            positions[top] = row + 1
            if row + 1 < series[top].count {
                siftDown(0)   // same series, new head: restore order from the root
            } else {
                let last = heap.removeLast()
                if !heap.isEmpty {
                    heap[0] = last
                    siftDown(0)
                }
            }
            return sample
        }

        @inline(__always)
        private func less(_ a: Int, _ b: Int) -> Bool {
            let ta = series[a].timestamps[positions[a]]
            let tb = series[b].timestamps[positions[b]]
            return ta < tb || (ta == tb && a < b)
        }

        private mutating func push(_ index: Int) {
            heap.append(index)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard less(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        private mutating func siftDown(_ start: Int) {
            var parent = start
            let count = heap.count
            while true {
                let left = 2 * parent + 1
                guard left < count else { return }
                var smallest = left
                if left + 1 < count, less(heap[left + 1], heap[left]) { smallest = left + 1 }
                guard less(heap[smallest], heap[parent]) else { return }
                heap.swapAt(smallest, parent)
                parent = smallest
            }
        }
    }
}
