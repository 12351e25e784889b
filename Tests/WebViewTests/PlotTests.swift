import AIOpsCore
import Foundation
import Rules
import Testing
@testable import WebView

/// The plot component on its own: reduction to pixel columns, spikes kept, spans, no NaN
/// in the drawing, escaping of what it shows.
@Suite struct PlotTests {
    static let week = 7 * 86_400 / 15  // 40,320 samples at 15 s

    /// A week of 15-second samples of a daily curve with one spike of one sample.
    static func weekInput(spikeAt spike: Int = 20_000) -> PlotInput {
        let start: Timestamp = 1_800_000_000_000
        var timestamps: [Timestamp] = [], values: [Double] = [], expected: [Double] = [], lower: [Double] = [], upper: [Double] = [], scores: [Double] = []
        for i in 0..<week {
            let t = start + Int64(i) * 15_000
            let curve = 100 + 40 * sin(Double(i) / 5760 * 2 * .pi)
            timestamps.append(t)
            values.append(i == spike ? 900 : curve + Double((i * 37) % 7) - 3)
            expected.append(curve)
            lower.append(curve - 10)
            upper.append(curve + 10)
            scores.append(i == spike ? 0.99 : 0.05)
        }
        let spans = PlotSpan.spans(start: timestamps[spike], firedAt: timestamps[spike + 2], end: timestamps[spike + 40], now: timestamps.last!, name: "spike")
        return PlotInput(timestamps: timestamps, values: values, expected: expected, lower: lower, upper: upper, scores: scores,
                         spans: spans, formatter: ValueFormatter(unit: .plain), threshold: 0.5, title: "a week")
    }

    static func attribute(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: name + "=\"") else { return nil }
        let rest = html[range.upperBound...]
        return String(rest.prefix { $0 != "\"" })
    }

    static func points(of polylineClass: String, in html: String) -> [(x: Double, y: Double)] {
        guard let range = html.range(of: "<polyline class=\"\(polylineClass)\" points=\"") else { return [] }
        let text = html[range.upperBound...].prefix { $0 != "\"" }
        return text.split(separator: " ").map { pair in
            let parts = pair.split(separator: ",")
            return (Double(parts[0])!, Double(parts[1])!)
        }
    }

    @Test func aWeekOfSamplesIsDrawnAsEachColumnsLowestAndHighest() {
        let plot = SVGPlot()
        let html = plot.render(Self.weekInput(), id: "week")
        let columns = plot.columnCount
        let declared = Int(Self.attribute("data-points", in: html) ?? "") ?? -1
        let drawn = Self.points(of: "value", in: html)
        #expect(declared == drawn.count)
        #expect(drawn.count <= 2 * columns && drawn.count > columns, "\(drawn.count) points for \(columns) columns")
        #expect(Self.attribute("data-samples", in: html) == "40320")
        #expect(Self.attribute("data-spans", in: html) == "2")
        #expect(Self.attribute("data-downsampled", in: html) == "true")
        // The one-sample spike is still the highest point drawn (the smallest y).
        let heights = drawn.map(\.y).sorted()
        #expect(heights[1] - heights[0] > 100, "the spike (900) is drawn far above the curve's highest (about 145): \(heights.prefix(3))")
        #expect(!html.contains("nan") && !html.contains("inf"))
        // Points go left to right.
        #expect(zip(drawn, drawn.dropFirst()).allSatisfy { $0.x <= $1.x })
    }

    @Test func fewSamplesAreDrawnOneByOne() {
        let timestamps = (0..<64).map { Timestamp(1_800_000_000_000 + $0 * 15_000) }
        let values = (0..<64).map { Double($0 % 5) }
        let input = PlotInput(timestamps: timestamps, values: values, scores: values.map { _ in .nan }, title: "ring")
        let html = SVGPlot().render(input, id: "ring")
        #expect(Self.points(of: "value", in: html).count == 64)
        #expect(Self.attribute("data-downsampled", in: html) == "false")
        #expect(!html.contains("class=\"score\""), "no score line without a known score")
        #expect(!html.contains("class=\"band\""))
    }

    @Test func columnsKeepTheirLowestAndHighestInTimeOrder() {
        // 10 columns, 100 samples: each column's low and high.
        let input = PlotInput(timestamps: (0..<100).map { Timestamp($0) }, values: (0..<100).map { Double(($0 * 7) % 13) }, title: "t")
        let columns = PlotColumns(input, columnCount: 10) { t in Int(t / 10) }
        #expect(columns.downsampled)
        #expect(columns.columns.count == 10)
        for (index, column) in columns.columns.enumerated() {
            let slice = (index * 10)..<(index * 10 + 10)
            #expect(input.values[column.minIndex] == slice.map { input.values[$0] }.min())
            #expect(input.values[column.maxIndex] == slice.map { input.values[$0] }.max())
        }
        #expect(columns.valueIndices == columns.valueIndices.sorted())
    }

    @Test func missingBandSplitsTheBandAndNothingIsNaN() {
        let n = 50
        let timestamps = (0..<n).map { Timestamp($0 * 1000) }
        let values = (0..<n).map { Double($0) }
        let lower: [Double] = (0..<n).map { (i: Int) -> Double in
            let missing = i < 10 || (20..<30).contains(i)
            return missing ? .nan : Double(i) - 1
        }
        let upper = lower.map { $0 + 2 }
        let input = PlotInput(timestamps: timestamps, values: values, expected: lower.map { $0 + 1 }, lower: lower, upper: upper, title: "gaps")
        let html = SVGPlot().render(input, id: "gaps")
        let band = Self.attribute("d", in: String(html[html.range(of: "class=\"band\"")!.lowerBound...])) ?? ""
        #expect(band.filter { $0 == "Z" }.count == 2, "two runs of known band: \(band.prefix(80))")
        #expect(!html.contains("nan"))
    }

    @Test func mismatchedArraysStillDrawTheValues() {
        let input = PlotInput(timestamps: [1, 2, 3], values: [1, 2, 3], expected: [1], title: "bad")
        let html = SVGPlot().render(input, id: "bad")
        #expect(Self.points(of: "value", in: html).count == 3)
        #expect(!html.contains("class=\"expected\""))
    }

    @Test func theTitleAndReadoutsAreEscaped() {
        let input = PlotInput(timestamps: [1, 2], values: [1, 2], spans: [PlotSpan(kind: .firing, start: 1, end: 2, label: "</title><script>x</script>")],
                              title: "x\"><script>alert(1)</script>")
        let html = SVGPlot().render(input, id: "esc")
        #expect(!html.contains("<script>alert(1)"))
        #expect(!html.contains("<script>x</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test func spansOfAnIncident() {
        #expect(PlotSpan.spans(start: 10, firedAt: nil, end: nil, now: 50, name: "r").map(\.kind) == [.pending])
        #expect(PlotSpan.spans(start: 10, firedAt: 20, end: nil, now: 50, name: "r").map(\.kind) == [.pending, .firing])
        let resolved = PlotSpan.spans(start: 10, firedAt: 20, end: 40, now: 50, name: "r")
        #expect(resolved.map(\.kind) == [.pending, .resolved])
        #expect(resolved.last?.end == 40)
        #expect(PlotSpan.spans(start: 10, firedAt: 10, end: nil, now: 50, name: "r").map(\.kind) == [.firing], "for: 0s fires at once")
    }

    @Test func ticksAreRoundNumbersInTheUnit() {
        #expect(PlotScale.valueTicks(low: 0, high: 100, unit: .plain) == [0, 20, 40, 60, 80, 100])
        let bytes = PlotScale.valueTicks(low: 0, high: 3 * 1_073_741_824, unit: .bytes)
        #expect(bytes == [0, 1_073_741_824, 2_147_483_648, 3_221_225_472], "GiB steps: \(bytes)")
        #expect(PlotScale.valueTicks(low: 0, high: 1_500_000_000, unit: .bytes).dropFirst().first == 536_870_912, "512 MiB steps")
        let (times, step) = PlotScale.timeTicks(start: 0, end: 3_600_000)
        #expect(step == 600_000 && times == stride(from: 0, through: 3_600_000, by: 600_000).map { Timestamp($0) })
        #expect(PlotScale.timeLabel(1_800_000_000_000, step: 900_000) == "08:00")
        #expect(PlotScale.timeLabel(1_800_000_000_000 - 28_800_000, step: 3_600_000) == "01-15", "midnight shows the date")
    }

    @Test func coordinatesHaveOneDecimal() {
        var out = ""
        for value in [0.0, 12.34, -0.05, 7.96, 100.0, -12.25] {
            SVGPlot.append(value, to: &out)
            out += " "
        }
        #expect(out == "0 12.3 -0.1 8 100 -12.3 ")
        #expect(SVGPlot.score(0.5) == "0.50" && SVGPlot.score(0.987) == "0.99" && SVGPlot.score(1) == "1.00")
    }
}
