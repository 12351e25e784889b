import Incidents

/// A one-line chart of recent values in Unicode block characters, with a second line that
/// marks the anomalous stretch with `^`.
///
/// A sparkline travels in any text channel (Slack, a terminal, a log) where an image would
/// need a publicly hosted URL.
public struct Sparkline: Sendable, Equatable {
    /// The eight levels, lowest first.
    public static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    /// The level drawn for a constant series (no range to scale).
    public static let flatLevel: Character = "▄"
    /// Drawn under each marked column.
    public static let markCharacter: Character = "^"

    /// One character per column: a level, or a space for NaN or infinity.
    public var line: String
    /// `^` under marked columns and spaces elsewhere, without trailing spaces; empty when
    /// nothing is marked.
    public var marker: String
    /// The smallest and largest finite value drawn, nil when there is none.
    public var minimum: Double?
    public var maximum: Double?

    /// Draws `values` scaled from their finite minimum (`▁`) to maximum (`█`).
    ///
    /// When there are more values than `width`, consecutive values are grouped into `width`
    /// columns; a column shows the largest finite value of its group (so a spike stays
    /// visible) and is marked if any value of its group is.
    /// - Parameters:
    ///   - values: oldest first.
    ///   - marked: which values to mark; missing entries count as unmarked.
    ///   - width: the most columns to draw (at least 1).
    public init(values: [Double], marked: [Bool] = [], width: Int = 60) {
        let columns = Sparkline.columns(values: values, marked: marked, width: max(1, width))
        var low = Double.infinity
        var high = -Double.infinity
        for (value, _) in columns where value.isFinite {
            low = min(low, value)
            high = max(high, value)
        }
        let hasFinite = low <= high
        var line = ""
        var marker = ""
        for (value, isMarked) in columns {
            if !value.isFinite {
                line.append(" ")
            } else if !(high > low) {
                line.append(Sparkline.flatLevel)
            } else {
                // Halves keep the range finite even for values near ±Double.greatestFiniteMagnitude.
                let fraction = (value / 2 - low / 2) / (high / 2 - low / 2)
                let level = Int((fraction * Double(Sparkline.levels.count - 1)).rounded())
                line.append(Sparkline.levels[min(Sparkline.levels.count - 1, max(0, level))])
            }
            marker.append(isMarked ? Sparkline.markCharacter : " ")
        }
        while marker.last == " " { marker.removeLast() }
        self.line = line
        self.marker = marker
        self.minimum = hasFinite ? low : nil
        self.maximum = hasFinite ? high : nil
    }

    /// The sparkline of an incident's recent values, marking the samples at or after its start.
    public init(incident: Incident, width: Int = 60) {
        let marked = incident.recentTimestamps.map { $0 >= incident.start }
        self.init(values: incident.recentValues, marked: marked, width: width)
    }

    static func columns(values: [Double], marked: [Bool], width: Int) -> [(Double, Bool)] {
        let isMarked = { (index: Int) in index < marked.count && marked[index] }
        if values.count <= width {
            return values.indices.map { (values[$0], isMarked($0)) }
        }
        var out: [(Double, Bool)] = []
        out.reserveCapacity(width)
        for column in 0..<width {
            let lower = column * values.count / width
            let upper = (column + 1) * values.count / width
            var best = Double.nan
            var any = false
            for index in lower..<upper {
                let value = values[index]
                if value.isFinite && !(best >= value) { best = value }
                if isMarked(index) { any = true }
            }
            out.append((best, any))
        }
        return out
    }
}
