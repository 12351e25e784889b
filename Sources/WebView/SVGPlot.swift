import AIOpsCore
import Rules

/// The plot component of every page and of the offline replay report: an inline SVG of a
/// series' values, the expected value and band, the score on a second axis (0 to 1, right)
/// with the rule's threshold, and incident spans shaded, inside a `<figure>` with a legend
/// and a readout that hover (pointer) or the arrow keys (the plot is focusable) fill in.
///
/// Self-contained: no external asset; the readouts are a JSON block the page's one script
/// reads. More samples than two per pixel column are reduced to each column's lowest and
/// highest value (`PlotColumns`), so a week of 15-second samples (40,320) draws as at most
/// about 1,400 points and a one-sample spike keeps its height.
///
/// The `svg` element carries `data-points` (vertices of the value line) and `data-spans`
/// (shaded spans), which the browser tests check.
public struct SVGPlot: Sendable {
    /// The drawing's size in SVG units; the page scales it to its width.
    public var width: Int
    public var height: Int

    // Axis labels sit inside the plot area (value labels at its left edge above their grid
    // line, score labels at its right edge), so the margins stay small and the drawing can
    // shrink to a phone's width, with larger text there (the page's style), without labels
    // being cut off.
    static let left = 6.0
    static let right = 6.0
    static let top = 8.0
    static let bottom = 30.0

    public init(width: Int = 800, height: Int = 260) {
        self.width = max(200, width)
        self.height = max(120, height)
    }

    /// Pixel columns of the plot area: what `PlotColumns` reduces to.
    var columnCount: Int { Int(Double(width) - Self.left - Self.right) }

    /// The `<figure>` for `input`.
    /// - Parameter id: unique on the page (an HTML id: letters, digits, `-`).
    /// - Complexity: O(samples) for the reduction, then O(columns) to draw.
    public func render(_ input: PlotInput, id: String) -> String {
        var input = input
        if input.problem != nil {
            // A caller's bug must not break the page: plot the values alone.
            input.expected = []
            input.lower = []
            input.upper = []
            input.scores = []
            if input.values.count != input.timestamps.count {
                let n = min(input.values.count, input.timestamps.count)
                input.values = Array(input.values.prefix(n))
                input.timestamps = Array(input.timestamps.prefix(n))
            }
        }
        let plotWidth = Double(width) - Self.left - Self.right
        let plotHeight = Double(height) - Self.top - Self.bottom
        var start = input.timestamps.first ?? 0
        var end = input.timestamps.last ?? 1
        for span in input.spans {
            start = min(start, span.start)
            end = max(end, span.end)
        }
        if end <= start { end = start + 1 }
        let tSpan = Double(end - start)
        func x(_ t: Timestamp) -> Double { Self.left + Double(t - start) / tSpan * plotWidth }
        let columnCount = max(1, Int(plotWidth))
        let columns = PlotColumns(input, columnCount: columnCount) { t in
            min(columnCount - 1, max(0, Int(Double(t - start) / tSpan * Double(columnCount))))
        }
        let (low, high) = PlotScale.valueRange(input)
        func y(_ v: Double) -> Double { Self.top + (1 - (v - low) / (high - low)) * plotHeight }
        func yScore(_ s: Double) -> Double { Self.top + (1 - min(1, max(0, s))) * plotHeight }

        var svg = ""
        svg.reserveCapacity(64 * columns.valueIndices.count + 8192)
        let title = HTML.escape(input.title)
        let hasScores = columns.columns.contains { $0.score.isFinite }
        let hasBand = columns.columns.contains { $0.lower.isFinite && $0.upper.isFinite }
        let hasExpected = columns.columns.contains { $0.expected.isFinite }
        let description = Self.describe(input, columns: columns)

        svg += "<figure class=\"plot\" id=\"\(id)\">"
        svg += "<div class=\"plot-frame\"><svg viewBox=\"0 0 \(width) \(height)\" role=\"img\" tabindex=\"0\" aria-labelledby=\"\(id)-title \(id)-desc\""
        svg += " data-points=\"\(columns.valueIndices.count)\" data-spans=\"\(input.spans.count)\" data-samples=\"\(input.timestamps.count)\" data-columns=\"\(columnCount)\" data-downsampled=\"\(columns.downsampled)\">"
        svg += "<title id=\"\(id)-title\">\(title)</title><desc id=\"\(id)-desc\">\(HTML.escape(description))</desc>"

        // Spans behind everything.
        for span in input.spans {
            let x0 = x(span.start), x1 = max(x(span.end), x0 + 1.5)
            svg += "<rect class=\"span span-\(span.kind.rawValue)\" x=\""
            Self.append(x0, to: &svg)
            svg += "\" y=\"\(Int(Self.top))\" width=\""
            Self.append(x1 - x0, to: &svg)
            svg += "\" height=\"\(Int(plotHeight))\"><title>\(HTML.escape(span.label)): \(PlotScale.readoutTime(span.start)) to \(PlotScale.readoutTime(span.end)) UTC</title></rect>"
        }

        // Grid and value axis.
        svg += "<g class=\"grid\">"
        let ticks = PlotScale.valueTicks(low: low, high: high, unit: input.formatter.unit)
        for tick in ticks {
            let ty = y(tick)
            svg += "<line x1=\"\(Int(Self.left))\" x2=\"\(Int(Self.left + plotWidth))\" y1=\""
            Self.append(ty, to: &svg)
            svg += "\" y2=\""
            Self.append(ty, to: &svg)
            svg += "\"/>"
        }
        let (timeTicks, step) = PlotScale.timeTicks(start: start, end: end)
        for tick in timeTicks {
            let tx = x(tick)
            svg += "<line x1=\""
            Self.append(tx, to: &svg)
            svg += "\" x2=\""
            Self.append(tx, to: &svg)
            svg += "\" y1=\"\(Int(Self.top))\" y2=\"\(Int(Self.top + plotHeight))\"/>"
        }
        svg += "</g>"
        // Axis labels are drawn last, over the lines, each with a white halo.
        var axis = "<g class=\"axis\">"
        for tick in ticks where y(tick) >= Self.top + 10 {
            axis += "<text class=\"y\" x=\"\(Int(Self.left) + 4)\" y=\""
            Self.append(y(tick) - 4, to: &axis)
            axis += "\">\(HTML.escape(input.formatter.format(tick)))</text>"
        }
        for (index, tick) in timeTicks.enumerated() {
            // Every other label is left out on a narrow screen (class `alt`); one at an edge
            // is anchored to it rather than centred past it.
            let tx = x(tick)
            let edge = tx < Self.left + 30 ? " start" : tx > Self.left + plotWidth - 30 ? " end" : ""
            axis += "<text class=\"x\(index % 2 == 1 ? " alt" : "")\(edge)\" x=\""
            Self.append(tx, to: &axis)
            axis += "\" y=\"\(height - 8)\">\(PlotScale.timeLabel(tick, step: step))</text>"
        }
        if hasScores {
            for (score, dy, label) in [(0.0, -4.0, "score 0"), (0.5, -4.0, "0.5"), (1.0, 16.0, "1")] {
                axis += "<text class=\"s\" x=\"\(Int(Self.left + plotWidth) - 4)\" y=\""
                Self.append(yScore(score) + dy, to: &axis)
                axis += "\">\(label)</text>"
            }
        }
        axis += "</g>"

        // Band: one closed path per run of columns with both bounds known.
        if hasBand {
            svg += "<path class=\"band\" d=\""
            var run: [PlotColumns.Column] = []
            func flush() {
                guard !run.isEmpty else { return }
                for (i, column) in run.enumerated() {
                    svg += i == 0 ? "M" : "L"
                    Self.append(x(column.middle), to: &svg)
                    svg += ","
                    Self.append(y(column.upper), to: &svg)
                }
                for column in run.reversed() {
                    svg += "L"
                    Self.append(x(column.middle), to: &svg)
                    svg += ","
                    Self.append(y(column.lower), to: &svg)
                }
                svg += "Z"
                run.removeAll(keepingCapacity: true)
            }
            for column in columns.columns {
                if column.lower.isFinite && column.upper.isFinite { run.append(column) } else { flush() }
            }
            flush()
            svg += "\"/>"
        }
        if hasExpected {
            svg += "<path class=\"expected\" d=\""
            var drawing = false
            for column in columns.columns {
                guard column.expected.isFinite else { drawing = false; continue }
                svg += drawing ? "L" : "M"
                drawing = true
                Self.append(x(column.middle), to: &svg)
                svg += ","
                Self.append(y(column.expected), to: &svg)
            }
            svg += "\"/>"
        }
        svg += "<polyline class=\"value\" points=\""
        for (i, index) in columns.valueIndices.enumerated() {
            if i > 0 { svg += " " }
            Self.append(x(input.timestamps[index]), to: &svg)
            svg += ","
            Self.append(y(input.values[index]), to: &svg)
        }
        svg += "\"/>"
        if hasScores {
            if let threshold = input.threshold, threshold.isFinite {
                let ty = yScore(threshold)
                svg += "<line class=\"threshold\" x1=\"\(Int(Self.left))\" x2=\"\(Int(Self.left + plotWidth))\" y1=\""
                Self.append(ty, to: &svg)
                svg += "\" y2=\""
                Self.append(ty, to: &svg)
                svg += "\"><title>score threshold \(Self.score(threshold))</title></line>"
            }
            svg += "<polyline class=\"score\" points=\""
            var first = true
            for column in columns.columns where column.score.isFinite {
                if !first { svg += " " }
                first = false
                Self.append(x(column.middle), to: &svg)
                svg += ","
                Self.append(yScore(column.score), to: &svg)
            }
            svg += "\"/>"
        }
        svg += axis
        svg += "<line class=\"cursor\" x1=\"0\" x2=\"0\" y1=\"\(Int(Self.top))\" y2=\"\(Int(Self.top + plotHeight))\"/>"
        svg += "</svg></div>"

        // Legend, readout, and the readouts' data.
        svg += "<p class=\"legend\"><span class=\"key key-value\">\(HTML.escape(input.valueName))</span>"
        if hasExpected { svg += " <span class=\"key key-expected\">expected</span>" }
        if hasBand { svg += " <span class=\"key key-band\">band</span>" }
        if hasScores { svg += " <span class=\"key key-score\">score (right axis, 0–1)</span>" }
        if input.threshold != nil && hasScores { svg += " <span class=\"key key-threshold\">threshold</span>" }
        for kind in [PlotSpan.Kind.pending, .firing, .resolved] where input.spans.contains(where: { $0.kind == kind }) {
            svg += " <span class=\"key key-\(kind.rawValue)\">\(kind.rawValue)</span>"
        }
        svg += " <span class=\"note\">times in UTC"
        if columns.downsampled { svg += "; \(input.timestamps.count) samples drawn as each pixel's lowest and highest" }
        svg += "</span></p>"
        svg += "<output class=\"readout\" aria-live=\"polite\">Point at the plot, or focus it and use the arrow keys, to read values.</output>"
        svg += "<script type=\"application/json\" class=\"plot-data\">{\"x\":["
        for (i, column) in columns.columns.enumerated() {
            if i > 0 { svg += "," }
            Self.append(x(column.middle), to: &svg)
        }
        svg += "],\"r\":["
        for (i, column) in columns.columns.enumerated() {
            if i > 0 { svg += "," }
            svg += HTML.jsonString(Self.readout(column, input))
        }
        svg += "]}</script></figure>"
        return svg
    }

    /// What the readout says of one column: time, value (or range), expected and band, score.
    static func readout(_ column: PlotColumns.Column, _ input: PlotInput) -> String {
        let format = input.formatter
        var text = PlotScale.readoutTime(column.first)
        if column.last != column.first { text += " to " + PlotScale.readoutTime(column.last).dropFirst(11) }
        text += " UTC: "
        let low = input.values[column.minIndex], high = input.values[column.maxIndex]
        text += low == high ? format.format(low) : format.format(low) + " to " + format.format(high)
        if column.expected.isFinite { text += ", expected " + format.format(column.expected) }
        if column.lower.isFinite && column.upper.isFinite {
            text += " (band " + format.format(column.lower) + " to " + format.format(column.upper) + ")"
        }
        if column.score.isFinite { text += ", score " + score(column.score) }
        return text
    }

    /// What a screen reader hears of the plot as a whole.
    static func describe(_ input: PlotInput, columns: PlotColumns) -> String {
        guard let first = input.timestamps.first, let last = input.timestamps.last else { return "No samples." }
        var low = Double.infinity, high = -Double.infinity
        for value in input.values where value.isFinite {
            low = min(low, value)
            high = max(high, value)
        }
        var text = "\(input.timestamps.count) samples from \(PlotScale.readoutTime(first)) to \(PlotScale.readoutTime(last)) UTC"
        if low.isFinite { text += ", lowest \(input.formatter.format(low)), highest \(input.formatter.format(high))" }
        if let top = input.scores.filter(\.isFinite).max() { text += ", highest score \(score(top))" }
        text += "."
        for span in input.spans {
            text += " \(span.label) from \(PlotScale.readoutTime(span.start)) to \(PlotScale.readoutTime(span.end))."
        }
        return text
    }

    static func score(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }

    /// Appends a coordinate with one decimal (`123.4`, `-0.5`, `12`), without `String(format:)`.
    @inline(__always)
    static func append(_ value: Double, to out: inout String) {
        guard value.isFinite else {
            out += "0"
            return
        }
        let tenths = Int((value * 10).rounded())
        if tenths < 0 { out += "-" }
        let magnitude = abs(tenths)
        out += String(magnitude / 10)
        let fraction = magnitude % 10
        if fraction != 0 {
            out += "."
            out.unicodeScalars.append(Unicode.Scalar(UInt8(48 + fraction)))
        }
    }
}
