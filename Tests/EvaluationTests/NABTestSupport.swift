import AIOpsCore
import Foundation
@testable import Evaluation

/// Builders for small hand-computed corpora: rows every five minutes, windows given by row.
enum NABTestSupport {
    static let start: Timestamp = 1_400_000_000_000
    static let step: Timestamp = 300_000

    static func timestamp(row: Int) -> Timestamp { start + Timestamp(row) * step }

    /// A file of `rows` rows scoring `background` except at `detections` (row -> score).
    static func file(_ name: String = "f.csv", rows: Int, windows: [ClosedRange<Int>],
                     detections: [Int: Double] = [:], background: Double = 0) -> NABFile {
        var scores = [Double](repeating: background, count: rows)
        for (row, score) in detections { scores[row] = score }
        return NABFile(
            name: name, timestamps: (0..<rows).map(timestamp(row:)), scores: scores,
            windows: windows.map { timestamp(row: $0.lowerBound)...timestamp(row: $0.upperBound) })
    }

    /// NAB's scaled sigmoid, written out again so tests do not lean on the code under test.
    static func sigma(_ x: Double) -> Double { 2 / (1 + exp(5 * x)) - 1 }

    /// The weighted value of a first detection at `row` in a window of rows `window`.
    static func truePositive(row: Int, window: ClosedRange<Int>, _ profile: NABProfile) -> Double {
        let width = Double(window.count)
        return profile.truePositiveWeight * sigma(-Double(window.upperBound - row + 1) / width) / sigma(-1)
    }

    /// The repo's `../shared/nab`, when it exists.
    static var nabDirectory: String? {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let nab = repo.appendingPathComponent("../shared/nab").standardizedFileURL.path
        return FileManager.default.fileExists(atPath: nab + "/windows.json") ? nab : nil
    }
}
