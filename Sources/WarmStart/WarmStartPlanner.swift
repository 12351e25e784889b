import AIOpsCore

/// The pure part of warm start: which step a series is read at, which series share a query,
/// the selector that matches them, and how a long range is split so that no query asks for
/// more points per series than the source allows.
public struct WarmStartPlanner: Sendable {
    /// Milliseconds of history to read.
    public let history: Int64
    public let defaultStep: Int64
    public let maxPointsPerQuery: Int
    public let maxSamplesPerQuery: Int
    public let maxSelectorBytes: Int
    public let ignoredLabels: Set<String>

    /// Steps are whole seconds within these bounds.
    static let minimumStep: Int64 = 1000
    static let maximumStep: Int64 = 3_600_000

    public init(options: WarmStartOptions) {
        history = options.history.milliseconds
        defaultStep = max(Self.minimumStep, options.defaultStep.milliseconds)
        maxPointsPerQuery = max(2, options.maxPointsPerQuery)
        maxSamplesPerQuery = max(1, options.maxSamplesPerQuery)
        maxSelectorBytes = max(64, options.maxSelectorBytes)
        ignoredLabels = options.ignoredLabels
    }

    /// The step to read a series at: the distance of its first two samples rounded to whole
    /// seconds (scrape jitter does not split a metric's batch), between 1 s and 1 h; the
    /// default step when only one sample is known.
    public func step(first: Timestamp, second: Timestamp?) -> Int64 {
        guard let second, second > first else { return defaultStep }
        let rounded = ((second - first + 500) / 1000) * 1000
        return min(Self.maximumStep, max(Self.minimumStep, rounded))
    }

    /// The labels a series is matched by in a response: its own without the ignored ones.
    public func identity(_ labels: Labels) -> Labels {
        guard !ignoredLabels.isEmpty else { return labels }
        return Labels(labels.labels.filter { !ignoredLabels.contains($0.name) })
    }

    /// A selector matching every label set of `members` (all of one metric name): labels
    /// with one value across them as `name="value"`, the others as `name=~"a|b"` (a missing
    /// label is the empty value, as PromQL has it). One series gets its full label set; a
    /// batch may also match series of the metric outside it (the product of the
    /// alternatives), which the caller ignores.
    public func selector(_ members: [Labels]) -> String {
        precondition(!members.isEmpty, "a selector for no series")
        var names: [String] = []
        var seen: Set<String> = [Labels.metricNameLabel]
        for labels in members {
            for label in labels where !seen.contains(label.name) && !ignoredLabels.contains(label.name) {
                seen.insert(label.name)
                names.append(label.name)
            }
        }
        names.sort()
        var matchers = ["__name__=\"\(Labels.escape(members[0].metricName))\""]
        for name in names {
            let values = Set(members.map { $0[name] ?? "" }).sorted()
            if values.count == 1 {
                matchers.append("\(name)=\"\(Labels.escape(values[0]))\"")
            } else {
                matchers.append("\(name)=~\"\(Labels.escape(values.map(Self.regexQuote).joined(separator: "|")))\"")
            }
        }
        return "{" + matchers.joined(separator: ",") + "}"
    }

    /// How many series one query may carry at `step`: the points of one window (the whole
    /// history, or `maxPointsPerQuery` when it is split) into `maxSamplesPerQuery`.
    public func seriesPerQuery(step: Int64) -> Int {
        let points = min(maxPointsPerQuery, Int(history / step) + 1)
        return max(1, maxSamplesPerQuery / points)
    }

    /// `[start, end]` split into consecutive windows of at most `maxPointsPerQuery` points at
    /// `step`, oldest first; each starts one step after the previous one ends, so the
    /// evaluation times are those of one query over the whole range.
    public func windows(start: Timestamp, end: Timestamp, step: Int64) -> [(start: Timestamp, end: Timestamp)] {
        precondition(step > 0, "a query_range step must be positive")
        let span = Int64(maxPointsPerQuery - 1) * step
        var windows: [(start: Timestamp, end: Timestamp)] = []
        var from = start
        while from <= end {
            let to = min(from + span, end)
            windows.append((from, to))
            from = to + step
        }
        return windows
    }

    /// The queries that read `members`' history at `step`: the range ends just before the
    /// newest first live sample and starts `history` before the oldest.
    public func queries(for members: [Labels], firstTimestamps: [Timestamp], step: Int64) -> [QueryRangeQuery] {
        guard let oldest = firstTimestamps.min(), let newest = firstTimestamps.max() else { return [] }
        let selector = selector(members)
        return windows(start: oldest - history, end: newest - 1, step: step).map {
            QueryRangeQuery(query: selector, start: $0.start, end: $0.end, step: step)
        }
    }

    /// `value` as an RE2 literal (Prometheus anchors label regexes).
    static func regexQuote(_ value: String) -> String {
        var out = ""
        for character in value {
            if "\\.+*?()|[]{}^$".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
