import Foundation
import Testing
@testable import Evaluation

@Suite struct NABReportTests {
    static let result = NABResult(
        profile: .standard,
        files: [
            NABFileResult(file: "a.csv", rows: 100, windows: 1, ignoredWindows: 0, truePositives: 1,
                          falsePositives: 1, falseNegatives: 0, rawScore: 0.89),
            NABFileResult(file: "dir/b.csv", rows: 1000, windows: 2, ignoredWindows: 0, truePositives: 1,
                          falsePositives: 0, falseNegatives: 1, rawScore: -0.5),
        ],
        threshold: 0.7, score: 56.5, rawScore: 0.39, nullScore: -3, perfectScore: 3,
        truePositives: 2, falsePositives: 1, falseNegatives: 1)

    @Test func rendersAFileTablePerProfileAndASummary() {
        var other = Self.result
        other.profile = .rewardLowFNRate
        other.threshold = 0.5
        other.score = -12.25
        let text = NABReport.text([Self.result, other])
        let expected = """
        NAB profile standard: score 56.50, threshold 0.700000, precision 0.667, recall 0.667
        raw 0.3900 (null -3.0000, perfect 3.0000)
        file       rows  windows  TP  FP  FN    score
        a.csv       100        1   1   1   0   0.8900
        dir/b.csv  1000        2   1   0   1  -0.5000
        total      1100        3   2   1   1   0.3900

        NAB profile reward_low_FN_rate: score -12.25, threshold 0.500000, precision 0.667, recall 0.667
        raw 0.3900 (null -3.0000, perfect 3.0000)
        file       rows  windows  TP  FP  FN    score
        a.csv       100        1   1   1   0   0.8900
        dir/b.csv  1000        2   1   0   1  -0.5000
        total      1100        3   2   1   1   0.3900

        profile             threshold   score  precision  recall
        standard             0.700000   56.50      0.667   0.667
        reward_low_FN_rate   0.500000  -12.25      0.667   0.667

        """
        #expect(text == expected)
    }

    @Test func jsonRoundTripsAndCarriesPrecisionAndRecall() throws {
        let json = try NABReport.json([Self.result])
        #expect(json.contains(#""precision" : 0.6666666666666666"#))
        #expect(json.contains(#""recall" : 0.6666666666666666"#))
        #expect(json.contains(#""name" : "standard""#))
        let decoded = try JSONDecoder().decode([NABResult].self, from: Data(json.utf8))
        #expect(decoded == [Self.result])
    }
}
