import AIOpsCore
import Detectors
import Store

extension Pipeline {
    /// Records a binding's latest detector output (called per scored sample).
    /// - Complexity: O(1): a bounds check and one 24-byte store; grows the slab only for a
    ///   binding that never scored before.
    @inline(__always)
    func recordLatestScore(binding index: Int, timestamp: Timestamp, output: DetectorOutput) {
        if index >= latestScores.count { growLatestScores(through: index) }
        latestScores[index] = LatestScore(
            timestamp: timestamp, score: output.score, expected: output.expected, lower: output.lower, upper: output.upper)
    }

    /// Extends the slab with `.none` up to and including `index`. Lazily, so every code path
    /// that adds bindings (creation, restore, rebinding) keeps working without knowing of it.
    @inline(never)
    func growLatestScores(through index: Int) {
        while latestScores.count <= index { latestScores.append(.none) }
    }

    /// Forgets the latest scores of bindings `start..<start+count` (reused by a new series).
    func clearLatestScores(start: Int, count: Int) {
        for index in start..<(start + count) {
            if index < latestScores.count { latestScores[index] = .none }
            if index < exportedScoreTimestamps.count { exportedScoreTimestamps[index] = .min }
        }
    }

    /// Calls `body` with every held series' latest scores, one call per binding that has
    /// scored: the series, the rule's name, and what its detector said.
    /// - Parameters:
    ///   - pendingOnly: only bindings that scored a sample since the last call with
    ///     `markExported` took them (remote write sends each score once).
    ///   - markExported: records the scores passed to `body` as taken.
    ///   - body: returns false to stop (a caller over its limit).
    /// - Complexity: O(series + bindings); allocates the list of series once.
    public func collectLatestScores(
        pendingOnly: Bool = false, markExported: Bool = false,
        _ body: (SeriesRef, _ rule: String, LatestScore) -> Bool
    ) {
        let available = latestScores.count
        if markExported, exportedScoreTimestamps.count < available {
            exportedScoreTimestamps.append(contentsOf: repeatElement(Timestamp.min, count: available - exportedScoreTimestamps.count))
        }
        for ref in store.allSeries {
            let slot = Int(ref.index)
            let start = Int(bindingStart[slot])
            for index in start..<(start + Int(bindingCount[slot])) where index < available {
                let latest = latestScores[index]
                guard latest.isScored else { continue }
                if pendingOnly {
                    let exported = index < exportedScoreTimestamps.count ? exportedScoreTimestamps[index] : .min
                    guard latest.timestamp > exported else { continue }
                }
                if markExported { exportedScoreTimestamps[index] = latest.timestamp }
                if !body(ref, rules[Int(bindings[index].rule)].name, latest) { return }
            }
        }
    }
}
