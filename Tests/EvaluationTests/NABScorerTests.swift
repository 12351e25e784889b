import AIOpsCore
import Foundation
import Testing
@testable import Evaluation

private typealias T = NABTestSupport

@Suite struct NABScorerTests {
    /// Two files, five windows, all after probation (15 rows of 100, 150 of 1000).
    static let corpusWindows: [(rows: Int, windows: [ClosedRange<Int>])] = [
        (100, [40...49, 70...79]),
        (1000, [300...399, 600...699, 900...950]),
    ]

    @Test(arguments: NABProfile.all)
    func perfectDetectorScoresExactly100(profile: NABProfile) {
        let files = Self.corpusWindows.enumerated().map { index, spec in
            T.file("f\(index).csv", rows: spec.rows, windows: spec.windows,
                   detections: Dictionary(uniqueKeysWithValues: spec.windows.map { ($0.lowerBound, 1.0) }))
        }
        let result = NABScorer.evaluate(files, profile: profile)
        #expect(result.score == 100)
        #expect(result.threshold == 1)
        #expect(result.perfectScore == 5 * profile.truePositiveWeight)
        #expect(result.nullScore == -5 * profile.falseNegativeWeight)
        #expect((result.truePositives, result.falsePositives, result.falseNegatives) == (5, 0, 0))
        #expect(result.precision == 1 && result.recall == 1)
    }

    @Test(arguments: NABProfile.all)
    func nullDetectorScoresExactly0(profile: NABProfile) {
        let files = Self.corpusWindows.enumerated().map { index, spec in
            T.file("f\(index).csv", rows: spec.rows, windows: spec.windows)
        }
        let result = NABScorer.evaluate(files, profile: profile)
        #expect(result.score == 0)
        #expect(result.threshold == NABScorer.noDetectionThreshold)
        #expect(result.rawScore == -5 * profile.falseNegativeWeight)
        #expect((result.truePositives, result.falsePositives, result.falseNegatives) == (0, 0, 5))
        #expect(result.precision == 0 && result.recall == 0)
    }

    @Test func scaledSigmoidMatchesNAB() {
        #expect(NABScorer.scaledSigmoid(0) == 0)
        #expect(abs(NABScorer.scaledSigmoid(-1) - 0.986_614_298_151_430_3) < 1e-15)
        #expect(NABScorer.scaledSigmoid(3) == 2 / (1 + exp(15)) - 1)
        // NAB clamps beyond three window widths to exactly -1.
        #expect(NABScorer.scaledSigmoid(3.000_001) == -1)
        #expect(abs(NABScorer.scaledSigmoid(-0.5) + NABScorer.scaledSigmoid(0.5)) < 1e-15)
    }

    @Test(arguments: [(7, 1), (100, 15), (1000, 150), (4032, 604), (5000, 750), (22695, 750)])
    func probationIsFifteenPercentCappedAt750(rows: Int, probation: Int) {
        #expect(NABScorer.probationLength(rows: rows) == probation)
    }

    @Test(arguments: NABProfile.all)
    func detectionAtWindowStartEarnsTheFullReward(profile: NABProfile) {
        let file = T.file(rows: 1000, windows: [400...499], detections: [400: 1])
        let result = NABScorer.score([file], profile: profile, threshold: 0.5)
        #expect(result.rawScore == profile.truePositiveWeight)
        #expect(result.files[0].truePositives == 1)
    }

    @Test(arguments: NABProfile.all)
    func detectionAtWindowEndEarnsAlmostNothing(profile: NABProfile) {
        let file = T.file(rows: 1000, windows: [400...499], detections: [499: 1])
        let result = NABScorer.score([file], profile: profile, threshold: 0.5)
        // sigma(-(r - r + 1) / W) / sigma(-1) = sigma(-1/100) / sigma(-1), about 0.025.
        let expected = profile.truePositiveWeight * T.sigma(-1.0 / 100) / T.sigma(-1)
        #expect(abs(result.rawScore - expected) < 1e-12)
        #expect(result.rawScore > 0 && result.rawScore < 0.03 * profile.truePositiveWeight)
    }

    @Test func detectionInsideTheWindowFollowsTheSigmoid() {
        let file = T.file(rows: 1000, windows: [400...499], detections: [450: 1])
        let result = NABScorer.score([file], profile: .standard, threshold: 0.5)
        // sigma(-(499 - 450 + 1) / 100) = sigma(-0.5).
        #expect(abs(result.rawScore - T.sigma(-0.5) / T.sigma(-1)) < 1e-12)
    }

    @Test func onlyTheFirstDetectionInAWindowCounts() {
        let file = T.file(rows: 100, windows: [40...49], detections: [42: 1, 45: 1, 49: 1])
        let result = NABScorer.score([file], profile: .standard, threshold: 0.5)
        #expect(abs(result.rawScore - T.truePositive(row: 42, window: 40...49, .standard)) < 1e-12)
        #expect((result.truePositives, result.falsePositives, result.falseNegatives) == (1, 0, 0))
    }

    @Test(arguments: NABProfile.all)
    func falsePositiveBeforeAnyWindowCostsExactlyAFP(profile: NABProfile) {
        // Row 200 is after probation (150) and before the only window.
        let file = T.file(rows: 1000, windows: [400...499], detections: [200: 1, 400: 1])
        let result = NABScorer.score([file], profile: profile, threshold: 0.5)
        #expect(result.rawScore == profile.truePositiveWeight - profile.falsePositiveWeight)
        #expect(result.files[0].falsePositives == 1)
    }

    @Test(arguments: NABProfile.all)
    func falsePositiveFarAfterAWindowCostsAboutAFP(profile: NABProfile) {
        // d = 650 - 499 = 151 rows, W_prev - 1 = 99: 1.53 window widths, sigma about -0.9990.
        let file = T.file(rows: 1000, windows: [400...499], detections: [400: 1, 650: 1])
        let fp = NABScorer.score([file], profile: profile, threshold: 0.5).rawScore - profile.truePositiveWeight
        #expect(abs(fp - profile.falsePositiveWeight * T.sigma(151.0 / 99)) < 1e-12)
        #expect(abs(fp + profile.falsePositiveWeight) < 0.002 * profile.falsePositiveWeight)
        // Beyond three widths NAB charges exactly -A_FP.
        let far = T.file(rows: 1000, windows: [400...499], detections: [400: 1, 900: 1])
        #expect(NABScorer.score([far], profile: profile, threshold: 0.5).rawScore
                == profile.truePositiveWeight - profile.falsePositiveWeight)
    }

    @Test func falsePositiveJustAfterAWindowCostsLess() {
        let profile = NABProfile.standard
        func fpCost(at row: Int) -> Double {
            let file = T.file(rows: 1000, windows: [400...499], detections: [400: 1, row: 1])
            return NABScorer.score([file], profile: profile, threshold: 0.5).rawScore - profile.truePositiveWeight
        }
        // One row after the window's end: A_FP * sigma(1 / 99).
        #expect(abs(fpCost(at: 500) - profile.falsePositiveWeight * T.sigma(1.0 / 99)) < 1e-12)
        #expect(fpCost(at: 500) > -0.03 * profile.falsePositiveWeight)
        #expect(fpCost(at: 500) > fpCost(at: 550))
        #expect(fpCost(at: 550) > fpCost(at: 650))
        #expect(fpCost(at: 650) < 0)
    }

    @Test func falsePositiveUsesThePrecedingWindowOnly() {
        // After the second (10-row) window, the distance is from row 609 over W_prev - 1 = 9.
        let file = T.file(rows: 1000, windows: [400...499, 600...609], detections: [400: 1, 600: 1, 612: 1])
        let result = NABScorer.score([file], profile: .standard, threshold: 0.5)
        #expect(abs(result.rawScore - (2 + 0.11 * T.sigma(3.0 / 9))) < 1e-12)
    }

    @Test func probationDetectionsAreIgnored() {
        // 100 rows: probation is rows 0..<15. The window 10...30 starts inside it.
        let file = T.file(rows: 100, windows: [10...30], detections: [0: 1, 5: 1, 10: 1, 14: 1])
        let result = NABScorer.score([file], profile: .standard, threshold: 0.5)
        #expect((result.truePositives, result.falsePositives, result.falseNegatives) == (0, 0, 1))
        #expect(result.rawScore == -1)
        // The best this window can earn is at its first row after probation, row 15.
        let best = T.truePositive(row: 15, window: 10...30, .standard)
        #expect(abs(result.perfectScore - best) < 1e-12)
        let atFifteen = T.file(rows: 100, windows: [10...30], detections: [14: 1, 15: 1])
        #expect(NABScorer.evaluate([atFifteen], profile: .standard).score == 100)
    }

    @Test func windowsWhollyInProbationAreNotScored() {
        let file = T.file(rows: 100, windows: [2...8, 40...49], detections: [5: 1])
        let result = NABScorer.score([file], profile: .standard, threshold: 0.5)
        #expect(result.files[0].windows == 1)
        #expect(result.files[0].ignoredWindows == 1)
        #expect(result.nullScore == -1 && result.perfectScore == 1)
        // But it is still the preceding window of a later false positive: d = 20 - 8, W_prev - 1 = 6.
        let fp = T.file(rows: 100, windows: [2...8, 40...49], detections: [20: 1, 40: 1])
        let fpResult = NABScorer.score([fp], profile: .standard, threshold: 0.5)
        #expect(abs(fpResult.rawScore - (1 + 0.11 * T.sigma(12.0 / 6))) < 1e-12)
    }

    @Test func rowsMatchWindowsByTimestampInclusively() {
        // Boundaries fall between rows: the window holds rows 40...49 only.
        var file = T.file(rows: 100, windows: [], detections: [40: 1])
        file.windows = [(T.timestamp(row: 39) + 1)...(T.timestamp(row: 49) + 1000)]
        #expect(NABScorer.score([file], profile: .standard, threshold: 0.5).rawScore == 1)
        file.scores[40] = 0
        file.scores[39] = 1
        // Row 39 is outside (before any window): a false positive, and the window is missed.
        #expect(NABScorer.score([file], profile: .standard, threshold: 0.5).rawScore == -0.11 - 1)
    }

    @Test func nanScoresNeverFireAndOutOfRangeScoresAreClamped() {
        var file = T.file(rows: 100, windows: [40...49], detections: [40: 7, 60: .nan])
        var result = NABScorer.evaluate([file], profile: .standard)
        #expect(result.score == 100)
        #expect(result.threshold == 1)
        file.scores = file.scores.map { $0.isNaN ? $0 : -$0 }
        result = NABScorer.evaluate([file], profile: .standard)
        #expect(result.score == 0)
    }

    /// Two files where the best threshold is plain to see, normalised by hand.
    ///
    /// File a (100 rows, window 40...49): 0.9 at row 40 (window start, +A_TP), 0.8 at row 20
    /// (before any window, -A_FP), 0.6 at row 80 (31 rows after the window of width 10:
    /// 31 / 9 > 3 widths, -A_FP), 1.0 at row 3 (probation, ignored).
    /// File b (100 rows, window 50...59): 0.7 at row 55, +A_TP * sigma(-(59 - 55 + 1) / 10) / sigma(-1).
    /// Every other row after probation scores 0.1, which would fire ~170 false alarms.
    ///
    /// Raw score by threshold: 1.0 and above: -2 A_FN (nothing scored fires); 0.9: A_TP - A_FN;
    /// 0.8: A_TP - A_FN - A_FP; 0.7: A_TP + tp_b - A_FP; 0.6: A_TP + tp_b - 2 A_FP;
    /// 0.1: far below. So 0.7 wins under every profile, and
    /// score = 100 * (A_TP + tp_b - A_FP + 2 A_FN) / (2 A_TP + 2 A_FN).
    @Test(arguments: NABProfile.all)
    func thresholdMaximisesTheCorpusScore(profile: NABProfile) {
        let a = T.file("a.csv", rows: 100, windows: [40...49], detections: [40: 0.9, 20: 0.8, 80: 0.6, 3: 1.0], background: 0.1)
        let b = T.file("b.csv", rows: 100, windows: [50...59], detections: [55: 0.7], background: 0.1)
        let result = NABScorer.evaluate([a, b], profile: profile)
        let (tp, fn, fp) = (profile.truePositiveWeight, profile.falseNegativeWeight, profile.falsePositiveWeight)
        let tpB = tp * T.sigma(-0.5) / T.sigma(-1)
        let expected = 100 * (tp + tpB - fp + 2 * fn) / (2 * tp + 2 * fn)
        #expect(result.threshold == 0.7)
        #expect(abs(result.rawScore - (tp + tpB - fp)) < 1e-12)
        #expect(abs(result.score - expected) < 1e-9)
        #expect((result.truePositives, result.falsePositives, result.falseNegatives) == (2, 1, 0))
        #expect(result.files.map(\.file) == ["a.csv", "b.csv"])
        #expect(abs(result.precision - 2.0 / 3) < 1e-15 && result.recall == 1)
    }

    /// The sweep against brute force: every distinct score as a fixed threshold.
    @Test(arguments: [1, 2, 3])
    func sweepFindsTheTrueMaximum(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var files: [NABFile] = []
        for index in 0..<4 {
            let rows = Int.random(in: 200...600, using: &rng)
            var windows: [ClosedRange<Int>] = []
            var row = Int.random(in: 0...60, using: &rng)
            while row + 40 < rows {
                let width = Int.random(in: 1...30, using: &rng)
                windows.append(row...(row + width - 1))
                row += width + Int.random(in: 1...120, using: &rng)
            }
            // Few levels, so many ties; mostly low, higher inside windows.
            var file = T.file("r\(index).csv", rows: rows, windows: windows)
            for i in 0..<rows {
                let inWindow = windows.contains { $0.contains(i) }
                let level = Double(Int.random(in: 0...(inWindow ? 20 : 16), using: &rng)) / 20
                file.scores[i] = level
            }
            files.append(file)
        }
        let candidates = Set(files.flatMap(\.scores)).sorted() + [NABScorer.noDetectionThreshold]
        for profile in NABProfile.all {
            let best = NABScorer.evaluate(files, profile: profile)
            let bruteForce = candidates.map { NABScorer.score(files, profile: profile, threshold: $0).rawScore }
            let maximum = bruteForce.max()!
            #expect(abs(best.rawScore - maximum) < 1e-9)
            // Ties go to the highest threshold, as in NAB.
            let highestBest = zip(candidates, bruteForce).filter { abs($0.1 - maximum) < 1e-9 }.map(\.0).max()!
            #expect(best.threshold == highestBest)
        }
    }

    @Test func evaluatingSeveralProfilesMatchesOneAtATime() {
        let a = T.file("a.csv", rows: 100, windows: [40...49], detections: [40: 0.9, 20: 0.8, 80: 0.6], background: 0.1)
        let together = NABScorer.evaluate([a], profiles: NABProfile.all)
        #expect(together == NABProfile.all.map { NABScorer.evaluate([a], profile: $0) })
        #expect(NABProfile.named("reward_low_FN_rate") == .rewardLowFNRate)
        #expect(NABProfile.named("nope") == nil)
    }
}
