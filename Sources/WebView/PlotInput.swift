import AIOpsCore
import Rules

/// What one plot shows: a series' samples, what its detector expected (value and band),
/// its scores on a second axis, and incident spans shaded behind.
///
/// `expected`, `lower`, `upper` and `scores` are either empty (not known) or as long as
/// `timestamps`, with NaN where a sample's number is unknown.
public struct PlotInput: Sendable {
    public var timestamps: [Timestamp]
    public var values: [Double]
    public var expected: [Double]
    public var lower: [Double]
    public var upper: [Double]
    public var scores: [Double]
    public var spans: [PlotSpan]
    /// Formats the value axis and readouts in the metric's unit.
    public var formatter: ValueFormatter
    /// The rule's score threshold, drawn on the score axis; nil for none.
    public var threshold: Double?
    /// Names the plot for screen readers (`aria-label`) and its heading.
    public var title: String
    /// What the legend calls the line of `values` (`value`; `forecast` for a forecast).
    public var valueName = "value"

    public init(
        timestamps: [Timestamp], values: [Double], expected: [Double] = [], lower: [Double] = [], upper: [Double] = [],
        scores: [Double] = [], spans: [PlotSpan] = [], formatter: ValueFormatter = ValueFormatter(unit: .plain),
        threshold: Double? = nil, title: String
    ) {
        self.timestamps = timestamps
        self.values = values
        self.expected = expected
        self.lower = lower
        self.upper = upper
        self.scores = scores
        self.spans = spans
        self.formatter = formatter
        self.threshold = threshold
        self.title = title
    }

    /// Why the arrays do not fit together, or nil.
    var problem: String? {
        let n = timestamps.count
        if values.count != n { return "values: \(values.count) for \(n) timestamps" }
        for (name, array) in [("expected", expected), ("lower", lower), ("upper", upper), ("scores", scores)] where !array.isEmpty && array.count != n {
            return "\(name): \(array.count) for \(n) timestamps"
        }
        return nil
    }
}

/// A stretch of an incident's life, shaded behind the plot.
public struct PlotSpan: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Anomalous, not yet for the rule's `for`.
        case pending
        /// Firing (notified), still open.
        case firing
        /// The firing stretch of an incident that has resolved since.
        case resolved
    }

    public var kind: Kind
    public var start: Timestamp
    public var end: Timestamp
    /// Said on hover and to screen readers: `firing 12:00–12:40 (cpu-spike)`.
    public var label: String

    public init(kind: Kind, start: Timestamp, end: Timestamp, label: String) {
        self.kind = kind
        self.start = start
        self.end = max(start, end)
        self.label = label
    }

    /// The spans of an incident: pending from its start until it fired (or until now, if
    /// it has not), then firing until now, or resolved once it has ended.
    /// - Parameter now: where an open incident's spans end (its latest sample).
    public static func spans(start: Timestamp, firedAt: Timestamp?, end: Timestamp?, now: Timestamp, name: String) -> [PlotSpan] {
        var out: [PlotSpan] = []
        let last = end ?? now
        if let firedAt {
            if firedAt > start {
                out.append(PlotSpan(kind: .pending, start: start, end: firedAt, label: "pending, \(name)"))
            }
            out.append(PlotSpan(kind: end == nil ? .firing : .resolved, start: firedAt, end: last, label: "\(end == nil ? "firing" : "fired, resolved since"), \(name)"))
        } else {
            out.append(PlotSpan(kind: .pending, start: start, end: last, label: "pending, \(name)"))
        }
        return out
    }
}
