import AIOpsCore
import Rules

/// Scores in the Prometheus text format (0.0.4), as `/federate` answers: one family per
/// `ScoreFamily`, each sample with its event-time timestamp (milliseconds), so Prometheus
/// stores it at the time of the sample it scores.
///
/// Like `/federate`: `match[]` selectors (at least one; a series is included when any of
/// them matches it, `__name__` being the family's name); the answer is bounded: over
/// `limit` series, nothing is answered and the error says how to narrow the request.
public enum ScoreExposition {
    /// Parses `match[]` parameters.
    /// - Throws: `ScoreExportError.noMatch` or `.badMatch` naming the selector.
    public static func selectors(_ texts: [String]) throws(ScoreExportError) -> [Selector] {
        guard !texts.isEmpty else { throw .noMatch }
        var out: [Selector] = []
        for text in texts {
            do {
                out.append(try Selector(parsing: text))
            } catch {
                throw .badMatch(selector: text, reason: error.reason)
            }
        }
        return out
    }

    /// The exposition of `records` selected by `selectors`.
    /// - Parameter limit: most series (samples) answered.
    /// - Throws: `ScoreExportError.overLimit` when more match.
    /// - Complexity: O(records x families x matchers); allocates the answer. A selector's
    ///   `__name__` matchers are decided once per family, not per series.
    public static func render(_ records: [ScoreRecord], selectors: [Selector], limit: Int) throws(ScoreExportError) -> [UInt8] {
        let families = ScoreFamily.allCases
        // Per selector: the families its name matchers admit, and its other matchers.
        let plans: [(families: [Bool], matchers: [Selector.Matcher])] = selectors.map { selector in
            let names = selector.matchers.filter { $0.name == Labels.metricNameLabel }
            return (families.map { family in names.allSatisfy { $0.matches(value: family.name) } },
                    selector.matchers.filter { $0.name != Labels.metricNameLabel })
        }
        var bodies = [[UInt8]](repeating: [], count: families.count)
        var count = 0
        var rendered: [UInt8] = []
        for record in records {
            let labels = record.labels.exportedList(adding: [("rule", record.rule)])
            rendered.removeAll(keepingCapacity: true)
            for (index, family) in families.enumerated() {
                let value = family.value(record.latest)
                guard value.isFinite else { continue }
                guard plans.contains(where: { $0.families[index] && matches($0.matchers, labels) }) else { continue }
                count += 1
                if count > limit { throw .overLimit(limit: limit) }
                if rendered.isEmpty { appendLabels(labels, to: &rendered) }
                bodies[index].append(contentsOf: family.name.utf8)
                bodies[index].append(contentsOf: rendered)
                bodies[index].append(UInt8(ascii: " "))
                bodies[index].append(contentsOf: format(ScoreFamily.decimal(value)).utf8)
                bodies[index].append(UInt8(ascii: " "))
                bodies[index].append(contentsOf: String(record.latest.timestamp).utf8)
                bodies[index].append(UInt8(ascii: "\n"))
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bodies.reduce(0) { $0 + $1.count } + 1024)
        for (index, family) in families.enumerated() where !bodies[index].isEmpty {
            out.append(contentsOf: "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) gauge\n".utf8)
            out.append(contentsOf: bodies[index])
        }
        return out
    }

    /// Whether `selector` selects the series `family{labels}`.
    static func matches(_ selector: Selector, family: ScoreFamily, labels: Labels) -> Bool {
        for matcher in selector.matchers {
            let value = matcher.name == Labels.metricNameLabel ? family.name : (labels[matcher.name] ?? "")
            if !matcher.matches(value: value) { return false }
        }
        return true
    }

    /// Whether every matcher holds on `labels` (sorted; an absent label is "").
    static func matches(_ matchers: [Selector.Matcher], _ labels: [Label]) -> Bool {
        for matcher in matchers {
            let value = labels.first { $0.name == matcher.name }?.value ?? ""
            if !matcher.matches(value: value) { return false }
        }
        return true
    }

    /// `{a="1",b="2"}`, values escaped.
    static func labelBytes(_ labels: Labels) -> [UInt8] {
        var out: [UInt8] = []
        appendLabels(Array(labels), to: &out)
        return out
    }

    static func appendLabels(_ labels: [Label], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, label) in labels.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: label.name.utf8)
            out.append(contentsOf: "=\"".utf8)
            // Most values need no escape: copy their bytes as they are.
            if label.value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) {
                out.append(contentsOf: Labels.escape(label.value).utf8)
            } else {
                out.append(contentsOf: label.value.utf8)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
