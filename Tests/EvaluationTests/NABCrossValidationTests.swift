import AIOpsCore
import Foundation
import Testing
@testable import Evaluation

private typealias T = NABTestSupport

@Suite struct NABCrossValidationTests {
    @Test func categoryIsTheFirstPathComponent() {
        #expect(NABCrossValidation.category(of: "realKnownCause/nyc_taxi.csv") == "realKnownCause")
        #expect(NABCrossValidation.category(of: "top.csv") == "")
    }

    /// Category A's detections score 0.9 (true) and 0.6 (false); B's and C's 0.6 (true) only.
    /// On the full corpus 0.6 pays (two windows for one false positive); held out, A is scored at
    /// the threshold B and C choose (0.6), B at the one A and C choose (0.6), and so on.
    @Test func eachCategoryIsScoredAtTheThresholdOfTheOthers() {
        let a = T.file("A/a.csv", rows: 1000, windows: [500...549], detections: [500: 0.9, 800: 0.6])
        let b = T.file("B/b.csv", rows: 1000, windows: [500...549], detections: [500: 0.6])
        let c = T.file("C/c.csv", rows: 1000, windows: [500...549], detections: [500: 0.6])
        let cv = NABCrossValidation.run([a, b, c], profile: .standard)
        #expect(cv.folds.map(\.category) == ["A", "B", "C"])
        #expect(cv.folds.map(\.threshold) == [0.6, 0.6, 0.6])
        #expect(cv.folds[0].heldOut < cv.folds[1].heldOut)
        #expect(abs(cv.fullScore - NABScorer.evaluate([a, b, c], profile: .standard).score) < 1e-9)
        // All folds at the full threshold: the cross-validated score equals the full one.
        #expect(abs(cv.crossValidatedScore - cv.fullScore) < 1e-9)
        #expect(cv.text().contains("cross-validated"))
    }

    /// A threshold fitted without a category can cost it: C alone is best at 0.6, but A and B
    /// (whose 0.6 detections are false) choose 0.9, which misses C's window.
    @Test func aThresholdChosenElsewhereCanMissAWindow() {
        let a = T.file("A/a.csv", rows: 1000, windows: [500...549], detections: [500: 0.9, 100: 0.6, 200: 0.6])
        let b = T.file("B/b.csv", rows: 1000, windows: [500...549], detections: [500: 0.9, 100: 0.6, 200: 0.6])
        let c = T.file("C/c.csv", rows: 1000, windows: [500...549], detections: [500: 0.6])
        let cv = NABCrossValidation.run([a, b, c], profile: .standard)
        #expect(cv.folds[2].threshold == 0.9)
        #expect(cv.folds[2].heldOut == 0)
        #expect(cv.crossValidatedScore < cv.fullScore)
    }
}
