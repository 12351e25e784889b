import AIOpsCore
import Detectors
import Store

extension Pipeline {
    /// Records a binding's latest detector output (called per scored sample).
    /// - Complexity: O(1); grows the slab only for a binding that never scored before.
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
        for index in start..<(start + count) where index < latestScores.count {
            latestScores[index] = .none
        }
    }

    /// Calls `body` with every held series' latest scores, one call per binding that has
    /// scored: the series, the rule's name, and what its detector said.
    /// - Parameters:
    ///   - pendingOnly: only bindings written since the last call with `markExported`.
    ///   - markExported: clears `pendingExport` on every binding passed to `body`.
    ///   - body: returns false to stop (a caller over its limit).
    /// - Complexity: O(series + bindings); allocates the list of series once.
    public func collectLatestScores(
        pendingOnly: Bool = false, markExported: Bool = false,
        _ body: (SeriesRef, _ rule: String, LatestScore) -> Bool
    ) {
        let available = latestScores.count
        for ref in store.allSeries {
            let slot = Int(ref.index)
            let start = Int(bindingStart[slot])
            for index in start..<(start + Int(bindingCount[slot])) where index < available {
                let latest = latestScores[index]
                guard latest.isScored, !pendingOnly || latest.pendingExport else { continue }
                if markExported { latestScores[index].pendingExport = false }
                if !body(ref, rules[Int(bindings[index].rule)].name, latest) { return }
            }
        }
    }
}
