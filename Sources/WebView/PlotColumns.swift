import AIOpsCore

/// A plot's samples reduced to what its pixels can show: with more samples than two per
/// pixel column, each column keeps its lowest and highest value (so a one-sample spike
/// still reaches its height), the lowest lower bound and highest upper bound of the band,
/// the mean expected value and the highest score. With fewer, every sample is its own column.
///
/// - Complexity: O(samples), one pass; the output has at most `2 x columns` value points.
struct PlotColumns {
    /// One column (or one sample).
    struct Column {
        var first: Timestamp
        var last: Timestamp
        /// Indices of the column's lowest and highest value.
        var minIndex: Int
        var maxIndex: Int
        var expected: Double
        var lower: Double
        var upper: Double
        var score: Double

        /// Where the band, expected value and score are drawn.
        var middle: Timestamp { first + (last - first) / 2 }
    }

    var columns: [Column] = []
    /// Indices of the samples the value line goes through, in time order.
    var valueIndices: [Int] = []
    /// Whether samples were reduced (more than two per column).
    var downsampled = false

    /// - Parameters:
    ///   - xOf: a timestamp's pixel column (0..<columnCount).
    init(_ input: PlotInput, columnCount: Int, xOf: (Timestamp) -> Int) {
        let n = input.timestamps.count
        guard n > 0 else { return }
        let hasExpected = !input.expected.isEmpty
        let hasBand = !input.lower.isEmpty && !input.upper.isEmpty
        let hasScores = !input.scores.isEmpty
        if n <= 2 * columnCount {
            columns.reserveCapacity(n)
            valueIndices = Array(0..<n)
            for i in 0..<n {
                columns.append(Column(
                    first: input.timestamps[i], last: input.timestamps[i], minIndex: i, maxIndex: i,
                    expected: hasExpected ? input.expected[i] : .nan,
                    lower: hasBand ? input.lower[i] : .nan, upper: hasBand ? input.upper[i] : .nan,
                    score: hasScores ? input.scores[i] : .nan))
            }
            return
        }
        downsampled = true
        columns.reserveCapacity(columnCount)
        valueIndices.reserveCapacity(2 * columnCount)
        var current = -1
        var column = Column(first: 0, last: 0, minIndex: 0, maxIndex: 0, expected: .nan, lower: .nan, upper: .nan, score: .nan)
        var expectedSum = 0.0
        var expectedCount = 0
        func close() {
            guard current >= 0 else { return }
            column.expected = expectedCount > 0 ? expectedSum / Double(expectedCount) : .nan
            columns.append(column)
            if column.minIndex == column.maxIndex {
                valueIndices.append(column.minIndex)
            } else {
                valueIndices.append(min(column.minIndex, column.maxIndex))
                valueIndices.append(max(column.minIndex, column.maxIndex))
            }
        }
        for i in 0..<n {
            let t = input.timestamps[i]
            let x = xOf(t)
            if x != current {
                close()
                current = x
                column = Column(first: t, last: t, minIndex: i, maxIndex: i, expected: .nan, lower: .nan, upper: .nan, score: .nan)
                expectedSum = 0
                expectedCount = 0
            } else {
                column.last = t
                let v = input.values[i]
                if v < input.values[column.minIndex] { column.minIndex = i }
                if v > input.values[column.maxIndex] { column.maxIndex = i }
            }
            if hasExpected, input.expected[i].isFinite {
                expectedSum += input.expected[i]
                expectedCount += 1
            }
            if hasBand {
                let lower = input.lower[i], upper = input.upper[i]
                if lower.isFinite, !(column.lower <= lower) { column.lower = lower }
                if upper.isFinite, !(column.upper >= upper) { column.upper = upper }
            }
            if hasScores, input.scores[i].isFinite, !(column.score >= input.scores[i]) { column.score = input.scores[i] }
        }
        close()
    }
}
