import AIOpsCore

/// The profile-independent part of NAB scoring, computed once per corpus: which window every
/// scored row falls in, the unweighted sigmoid value NAB gives it, and the rows in descending
/// score order for the threshold sweep.
///
/// Rows are flattened over all files (file order, then row order) and only rows after
/// probation are kept: NAB drops probation rows before anything else.
struct NABPreparedCorpus {
    struct File {
        var name: String
        /// Rows scored (the shorter of timestamps and scores).
        var rows: Int
        /// This file's rows in the flat arrays.
        var rowRange: Range<Int>
        /// This file's scored windows in the global window numbering.
        var windowRange: Range<Int>
        /// Windows matching no row or lying wholly in probation.
        var ignoredWindows: Int
    }

    /// Marks a row outside every window in `windowIDs`.
    static let outside: Int32 = -1

    var files: [File] = []
    /// Per scored row: the score clamped to [0, 1], or NaN (never a detection).
    var scores: [Double] = []
    /// Per scored row: its global window, or `outside`.
    var windowIDs: [Int32] = []
    /// Per scored row: NAB's unweighted value. Inside a window sigma(-(r - i + 1) / W), the
    /// true-positive value before `A_TP / sigma(-1)`; outside, sigma(d / (W_prev - 1)) or -1,
    /// the false-positive value before `A_FP`.
    var unweighted: [Double] = []
    /// Per global window: the unweighted value of its first scored row, the best it can earn.
    var windowBest: [Double] = []
    /// Scored rows with a non-NaN score, by descending score, ties in row order (NAB's stable
    /// sort of the concatenated rows).
    var order: [Int32] = []

    var windowCount: Int { windowBest.count }

    init(_ input: [NABFile]) {
        let total = input.reduce(0) { $0 + min($1.timestamps.count, $1.scores.count) }
        scores.reserveCapacity(total)
        windowIDs.reserveCapacity(total)
        unweighted.reserveCapacity(total)
        for file in input { append(file) }

        order.reserveCapacity(scores.count)
        for row in scores.indices where !scores[row].isNaN { order.append(Int32(row)) }
        scores.withUnsafeBufferPointer { s in
            order.sort { a, b in
                let sa = s[Int(a)], sb = s[Int(b)]
                return sa != sb ? sa > sb : a < b
            }
        }
    }

    private mutating func append(_ file: NABFile) {
        let rows = min(file.timestamps.count, file.scores.count)
        let timestamps = file.timestamps[0..<rows]
        let probation = NABScorer.probationLength(rows: rows)

        // Row ranges of the windows that match at least one row. Rows are in time order, so a
        // window is the contiguous run of rows whose timestamps it contains; a window starting
        // inside the one before is clipped to begin after it, so every row has one window.
        var ranges: [Range<Int>] = []
        var ignored = 0
        var previousEnd = 0
        for window in file.windows.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            let lower = max(timestamps.partitioningIndex { $0 >= window.lowerBound }, previousEnd)
            let upper = timestamps.partitioningIndex { $0 > window.upperBound }
            guard lower < upper else {
                ignored += 1
                continue
            }
            ranges.append(lower..<upper)
            previousEnd = upper
        }

        // Windows wholly in probation are not scored (NAB never sees a scored row of them),
        // but they still count as the preceding window of a later false positive.
        let firstWindowID = windowBest.count
        var windowIDOfRange = [Int32](repeating: Self.outside, count: ranges.count)
        for (k, range) in ranges.enumerated() {
            if range.upperBound > probation {
                windowIDOfRange[k] = Int32(windowBest.count)
                let first = max(range.lowerBound, probation)
                windowBest.append(Self.truePositiveValue(row: first, window: range))
            } else {
                ignored += 1
            }
        }

        let firstRow = scores.count
        var k = 0  // the first window not wholly before the current row
        for row in probation..<rows {
            while k < ranges.count, ranges[k].upperBound <= row { k += 1 }
            let raw = file.scores[row]
            scores.append(raw.isNaN ? raw : min(max(raw, 0), 1))
            if k < ranges.count, ranges[k].contains(row) {
                windowIDs.append(windowIDOfRange[k])
                unweighted.append(Self.truePositiveValue(row: row, window: ranges[k]))
            } else {
                windowIDs.append(Self.outside)
                unweighted.append(k > 0 ? Self.falsePositiveValue(row: row, after: ranges[k - 1]) : -1)
            }
        }
        files.append(File(name: file.name, rows: rows, rowRange: firstRow..<scores.count,
                          windowRange: firstWindowID..<windowBest.count, ignoredWindows: ignored))
    }

    /// NAB's `scaledSigmoid(-(r - i + 1) / W)` for row `i` of a window whose last row is `r`
    /// and width `W` rows: sigma(-1) at the first row, sigma(-1/W) (about 0) at the last.
    static func truePositiveValue(row: Int, window: Range<Int>) -> Double {
        let last = window.upperBound - 1
        let width = Double(window.count)
        return NABScorer.scaledSigmoid(-Double(last - row + 1) / width)
    }

    /// NAB's `scaledSigmoid(|r_prev - i| / (W_prev - 1))` for a row after a window whose last
    /// row is `r_prev` and width `W_prev`. A one-row window has no spread (NAB would divide by
    /// zero): the distance is then infinite and the value -1.
    static func falsePositiveValue(row: Int, after window: Range<Int>) -> Double {
        let distance = Double(row - (window.upperBound - 1))
        let spread = Double(window.count - 1)
        return NABScorer.scaledSigmoid(spread > 0 ? distance / spread : .infinity)
    }
}
