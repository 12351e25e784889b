/// A piece of advice text split into literal text and `{{placeholder}}`s.
///
/// Rule loading parses every advice string once to reject unknown placeholders; rendering
/// parses again (rendering happens per incident, not per sample, so that is cheap enough).
struct AdviceTemplate {
    /// What a placeholder stands for.
    enum Placeholder: Equatable {
        case label(String)
        case metric, rule, severity
        case value, expected, lower, upper
        case rate, limit, timeToLimit, duration

        /// The names after `{{`, other than `labels.NAME`.
        static let named: [String: Placeholder] = [
            "metric": .metric, "rule": .rule, "severity": .severity,
            "value": .value, "expected": .expected, "lower": .lower, "upper": .upper,
            "rate": .rate, "limit": .limit, "timeToLimit": .timeToLimit, "duration": .duration,
        ]

        init?(name: String) {
            if name.hasPrefix("labels.") {
                let label = String(name.dropFirst("labels.".count))
                guard SelectorParser.isValidLabelName(label) else { return nil }
                self = .label(label)
            } else if let known = Placeholder.named[name] {
                self = known
            } else {
                return nil
            }
        }
    }

    enum Segment: Equatable {
        case text(Substring)
        case placeholder(Placeholder)
        /// An unknown name or an unclosed `{{`, kept verbatim when rendering.
        case invalid(Substring, reason: String)
    }

    let segments: [Segment]

    init(_ text: String) {
        var segments: [Segment] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex {
                segments.append(.text(rest[..<open.lowerBound]))
            }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                segments.append(.invalid(rest[open.lowerBound...], reason: "\"{{\" without a closing \"}}\""))
                rest = rest[rest.endIndex...]
                break
            }
            let whole = rest[open.lowerBound..<close.upperBound]
            let name = rest[open.upperBound..<close.lowerBound].trimmingSpaces()
            if let placeholder = Placeholder(name: String(name)) {
                segments.append(.placeholder(placeholder))
            } else {
                segments.append(.invalid(whole, reason: "unknown placeholder \(whole)"))
            }
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { segments.append(.text(rest)) }
        self.segments = segments
    }

    /// Why each invalid part is invalid, in order.
    var problems: [String] {
        segments.compactMap {
            if case .invalid(_, let reason) = $0 { return reason }
            return nil
        }
    }

    /// Every placeholder the rule language knows, for error messages and docs.
    static let knownNames = "{{labels.NAME}}, {{metric}}, {{rule}}, {{severity}}, {{value}}, {{expected}}, {{lower}}, {{upper}}, {{rate}}, {{limit}}, {{timeToLimit}}, {{duration}}"
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
