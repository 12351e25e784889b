import Foundation

/// Scores a detector on a labeled corpus exactly as NAB v1.1 does (`nab/sweeper.py`,
/// `nab/optimizer.py`, `nab/runner.py`).
///
/// The rules, for a file of n rows:
/// - **Detections.** Row i is a detection when its score >= the threshold.
/// - **Probation.** The first min(floor(0.15 * n), 750) rows are ignored entirely: detections
///   there neither earn nor cost anything, even inside a window. A window with no row after
///   probation (or matching no row) is not scored at all: no reward, no miss.
/// - **Windows.** Rows are matched to windows by timestamp, both boundaries inclusive. A
///   window's width W is its number of rows (probation rows included) and r its last row.
/// - **True positive.** Only the first detection in a window counts (the sigmoid falls along
///   the window, so that is also the best one, which is how NAB keeps it); it earns
///   `A_TP * sigma(-(r - i + 1) / W) / sigma(-1)`: exactly A_TP at the window's first row,
///   about 0 at its last. Later detections in the window earn and cost nothing.
/// - **Missed window.** -A_FN.
/// - **False positive.** A detection outside every window scores `A_FP * sigma(d / (W_prev - 1))`
///   with d = i - r_prev the distance after the preceding window (the last window ending
///   before row i, even one in probation) and W_prev its width; with no preceding window, -A_FP.
/// - **Sigmoid.** sigma(x) = 2 / (1 + e^(5x)) - 1, and exactly -1 for x > 3 as NAB clamps it.
/// - **Threshold.** One threshold per profile for the whole corpus, the one that maximises the
///   summed raw score; among equal maxima the highest threshold, as NAB's stable sort keeps.
/// - **Normalisation.** 100 * (S - S_null) / (S_perfect - S_null), S_null = -A_FN per scored
///   window (never firing), S_perfect the raw score of firing at the first scored row of every
///   window and nowhere else (A_TP per window; NAB's `runner.py` uses A_TP per window too,
///   which is the same whenever no window starts inside probation, as in NAB's corpus).
///
/// Threshold search: the profile-independent work (window membership, sigmoid values, one
/// sort of every scored row by descending score) is done once. Each profile then sweeps the
/// sorted rows, lowering the threshold through every distinct score value: a false positive
/// adds its weighted value, a window row raises its window's value to the row's if better
/// (from -A_FN), so the running total is the corpus raw score at each candidate threshold.
/// That is every threshold that makes a difference, so the maximum found is the true one.
/// The total is kept with compensated summation so near-ties are ordered right. The per-file
/// results are then recomputed directly at the chosen threshold.
/// - Complexity: O(n log n) for n rows, the sort; O(n) per profile.
public enum NABScorer {
    /// NAB's probation fraction of each file's rows.
    public static let probationFraction = 0.15
    /// NAB's cap on probation rows (`probationPercent * 5000`).
    public static let probationCap = 750
    /// The threshold reported when firing nowhere is best, NAB's first threshold.
    public static let noDetectionThreshold = 1.1

    /// The number of leading probation rows of a file: min(floor(0.15 * rows), 750).
    public static func probationLength(rows: Int) -> Int {
        min(Int((probationFraction * Double(rows)).rounded(.down)), probationCap)
    }

    /// NAB's scaled sigmoid, 2 / (1 + e^(5x)) - 1, clamped to exactly -1 for x > 3.
    public static func scaledSigmoid(_ x: Double) -> Double {
        if x > 3 { return -1 }
        return 2 * (1 / (1 + exp(5 * x))) - 1
    }

    /// sigma(-1), the true-positive value of a window's first row that NAB divides by.
    static let maxTruePositive = scaledSigmoid(-1)

    /// NAB's weighting of a true positive, `unweighted * A_TP / sigma(-1)` in that order, so a
    /// detection at a window's first row earns exactly A_TP when A_TP is 1.
    @inline(__always)
    static func truePositiveValue(_ unweighted: Double, _ profile: NABProfile) -> Double {
        unweighted * profile.truePositiveWeight / maxTruePositive
    }

    /// Scores `files` under one profile at the best corpus threshold.
    public static func evaluate(_ files: [NABFile], profile: NABProfile) -> NABResult {
        evaluate(files, profiles: [profile])[0]
    }

    /// Scores `files` under several profiles, each at its own best threshold, sharing the
    /// profile-independent work.
    /// - Returns: one result per profile, in order.
    public static func evaluate(_ files: [NABFile], profiles: [NABProfile]) -> [NABResult] {
        let corpus = NABPreparedCorpus(files)
        return profiles.map { profile in
            result(corpus, profile: profile, threshold: bestThreshold(corpus, profile: profile))
        }
    }

    /// Scores `files` at a given threshold instead of searching for the best one.
    public static func score(_ files: [NABFile], profile: NABProfile, threshold: Double) -> NABResult {
        result(NABPreparedCorpus(files), profile: profile, threshold: threshold)
    }

    /// The threshold with the highest corpus raw score (see the type's comment).
    static func bestThreshold(_ corpus: NABPreparedCorpus, profile: NABProfile) -> Double {
        let miss = -profile.falseNegativeWeight
        var windowValue = [Double](repeating: miss, count: corpus.windowCount)
        var total = NeumaierSum(Double(corpus.windowCount) * miss)
        var best = total.value
        var bestThreshold = noDetectionThreshold
        let order = corpus.order
        var position = 0
        while position < order.count {
            let threshold = corpus.scores[Int(order[position])]
            repeat {
                let row = Int(order[position])
                let window = corpus.windowIDs[row]
                if window == NABPreparedCorpus.outside {
                    total.add(corpus.unweighted[row] * profile.falsePositiveWeight)
                } else {
                    let value = truePositiveValue(corpus.unweighted[row], profile)
                    if value > windowValue[Int(window)] {
                        total.add(value - windowValue[Int(window)])
                        windowValue[Int(window)] = value
                    }
                }
                position += 1
            } while position < order.count && corpus.scores[Int(order[position])] == threshold
            if total.value > best {
                best = total.value
                bestThreshold = threshold
            }
        }
        return bestThreshold
    }

    /// Every file's result at `threshold`, computed directly, and the corpus totals.
    static func result(_ corpus: NABPreparedCorpus, profile: NABProfile, threshold: Double) -> NABResult {
        var windowValue = [Double](repeating: 0, count: corpus.windowCount)
        var windowHit = [Bool](repeating: false, count: corpus.windowCount)
        var files: [NABFileResult] = []
        files.reserveCapacity(corpus.files.count)
        var rawTotal = 0.0, nullTotal = 0.0, perfectTotal = 0.0
        var tp = 0, fp = 0, fn = 0
        for file in corpus.files {
            var falsePositives = 0
            var falsePositiveSum = 0.0
            for row in file.rowRange where corpus.scores[row] >= threshold {
                let window = corpus.windowIDs[row]
                if window == NABPreparedCorpus.outside {
                    falsePositives += 1
                    falsePositiveSum += corpus.unweighted[row] * profile.falsePositiveWeight
                } else if !windowHit[Int(window)] {
                    // Rows come in time order, so this is the window's first detection.
                    windowHit[Int(window)] = true
                    windowValue[Int(window)] = truePositiveValue(corpus.unweighted[row], profile)
                }
            }
            // Sums run in window order and the same way for the perfect detector, so a
            // perfect detector's score equals S_perfect to the bit and normalises to 100.
            var truePositiveSum = 0.0, perfect = 0.0
            var truePositives = 0
            for window in file.windowRange {
                perfect += truePositiveValue(corpus.windowBest[window], profile)
                if windowHit[window] {
                    truePositives += 1
                    truePositiveSum += windowValue[window]
                }
            }
            let falseNegatives = file.windowRange.count - truePositives
            let raw = truePositiveSum + falsePositiveSum - Double(falseNegatives) * profile.falseNegativeWeight
            files.append(NABFileResult(
                file: file.name, rows: file.rows, windows: file.windowRange.count,
                ignoredWindows: file.ignoredWindows, truePositives: truePositives,
                falsePositives: falsePositives, falseNegatives: falseNegatives, rawScore: raw))
            rawTotal += raw
            nullTotal += -Double(file.windowRange.count) * profile.falseNegativeWeight
            perfectTotal += perfect
            tp += truePositives
            fp += falsePositives
            fn += falseNegatives
        }
        let span = perfectTotal - nullTotal
        // Divide first: (S - S_null) / span is exactly 1 for the perfect detector, so it scores 100.
        let normalised = span > 0 ? 100 * ((rawTotal - nullTotal) / span) : 0
        return NABResult(
            profile: profile, files: files, threshold: threshold, score: normalised,
            rawScore: rawTotal, nullScore: nullTotal, perfectScore: perfectTotal,
            truePositives: tp, falsePositives: fp, falseNegatives: fn)
    }
}
