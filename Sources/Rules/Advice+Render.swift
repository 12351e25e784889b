import AIOpsCore

extension Advice {
    /// Fills the placeholders and sections of `summary`, `steps` and the runbook URL for one
    /// series (or, with `varyingLabels`, for the series of one grouped message).
    ///
    /// A section shows its text when its fact is known (`{{#limit}}...{{/limit}}`) or when
    /// it is not (`{{^limit}}...{{/limit}}`). Outside sections, a label the series lacks
    /// renders as its name in capitals (`POD`: something to fill in, as in a command), a
    /// number nobody knows as `unknown`; an unknown placeholder (which rule loading
    /// rejects) is left as written.
    public func render(_ context: AdviceContext) -> RenderedAdvice {
        let formatter = context.formatter
        return RenderedAdvice(
            summary: Advice.render(summary, context, formatter),
            steps: steps.map { Advice.render($0, context, formatter) },
            runbookURL: runbookURL.map { Advice.render($0, context, formatter) },
            template: self
        )
    }

    /// Every label the advice's texts name, in order of first use.
    public var labelNames: [String] {
        var out: [String] = []
        for text in [summary] + steps + (runbookURL.map { [$0] } ?? []) {
            for name in AdviceTemplate(text).labelNames where !out.contains(name) { out.append(name) }
        }
        return out
    }

    static func render(_ text: String, _ context: AdviceContext, _ formatter: ValueFormatter) -> String {
        guard text.contains("{{") else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 32)
        append(AdviceTemplate(text).segments, to: &out, context, formatter)
        return out
    }

    private static func append(_ segments: [AdviceTemplate.Segment], to out: inout String, _ context: AdviceContext, _ formatter: ValueFormatter) {
        for segment in segments {
            switch segment {
            case .text(let literal), .invalid(let literal, _):
                out += literal
            case .placeholder(let placeholder):
                out += value(of: placeholder, context, formatter)
            case .section(let placeholder, let inverted, let body):
                if isKnown(placeholder, context) != inverted { append(body, to: &out, context, formatter) }
            }
        }
    }

    /// Whether a placeholder has something to show: a label the series has (absent and
    /// empty are the same thing in Prometheus), a finite number, a non-negative duration.
    static func isKnown(_ placeholder: AdviceTemplate.Placeholder, _ context: AdviceContext) -> Bool {
        func finite(_ x: Double?) -> Bool { x?.isFinite == true }
        switch placeholder {
        case .label(let name): return context.varyingLabels.contains(name) || !(context.labels[name] ?? "").isEmpty
        case .metric: return !context.labels.metricName.isEmpty
        case .rule, .severity: return true
        case .value: return finite(context.value)
        case .expected: return finite(context.expected)
        case .lower: return finite(context.lower)
        case .upper: return finite(context.upper)
        case .rate: return finite(context.leakRatePerHour)
        case .limit: return finite(context.limit)
        case .timeToLimit: return finite(context.secondsToLimit) && context.secondsToLimit! >= 0
        case .duration: return finite(context.durationSeconds) && context.durationSeconds! >= 0
        }
    }

    private static func value(of placeholder: AdviceTemplate.Placeholder, _ context: AdviceContext, _ formatter: ValueFormatter) -> String {
        switch placeholder {
        case .label(let name):
            if context.varyingLabels.contains(name) { return name.uppercased() }
            let value = context.labels[name] ?? ""
            return value.isEmpty ? name.uppercased() : value
        case .metric:
            let name = context.labels.metricName
            return name.isEmpty ? "METRIC" : name
        case .rule: return context.ruleName
        case .severity: return context.severity.rawValue
        case .value: return formatter.format(context.value)
        case .expected: return formatter.format(context.expected)
        case .lower: return formatter.format(context.lower)
        case .upper: return formatter.format(context.upper)
        case .rate: return formatter.formatGrowth(perHour: context.leakRatePerHour)
        case .limit: return formatter.format(context.limit)
        case .timeToLimit: return ValueFormatter.duration(seconds: context.secondsToLimit)
        case .duration: return ValueFormatter.duration(seconds: context.durationSeconds)
        }
    }
}
