import AIOpsCore

extension Advice {
    /// Fills the placeholders of `summary`, `steps` and the runbook URL for one series.
    ///
    /// `{{labels.NAME}}` renders as the label's value or `(none)` when the series lacks it;
    /// numbers render through `ValueFormatter` in the metric's unit or as `unknown`; an
    /// unknown placeholder (which rule loading rejects) is left as written.
    public func render(_ context: AdviceContext) -> RenderedAdvice {
        let formatter = context.formatter
        return RenderedAdvice(
            summary: Advice.render(summary, context, formatter),
            steps: steps.map { Advice.render($0, context, formatter) },
            runbookURL: runbookURL.map { Advice.render($0, context, formatter) }
        )
    }

    static func render(_ text: String, _ context: AdviceContext, _ formatter: ValueFormatter) -> String {
        guard text.contains("{{") else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 32)
        for segment in AdviceTemplate(text).segments {
            switch segment {
            case .text(let literal), .invalid(let literal, _):
                out += literal
            case .placeholder(let placeholder):
                out += value(of: placeholder, context, formatter)
            }
        }
        return out
    }

    private static func value(of placeholder: AdviceTemplate.Placeholder, _ context: AdviceContext, _ formatter: ValueFormatter) -> String {
        switch placeholder {
        case .label(let name):
            // Absent and empty are the same thing in Prometheus.
            let value = context.labels[name] ?? ""
            return value.isEmpty ? "(none)" : value
        case .metric:
            let name = context.labels.metricName
            return name.isEmpty ? "(none)" : name
        case .rule: return context.rule.name
        case .severity: return context.rule.severity.rawValue
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
