/// A piece of advice text split into literal text, `{{placeholder}}`s and sections.
///
/// A section, as in Mustache, shows its text only when a fact is known
/// (`{{#labels.device}} ({{labels.device}}){{/labels.device}}`) or only when it is not
/// (`{{^limit}}no memory limit known{{/limit}}`), so a template reads well whatever the
/// series or the detector could tell: a missing label leaves its phrase out instead of
/// printing a stand-in. Sections nest.
///
/// Rule loading parses every advice string once to reject unknown placeholders and
/// unbalanced sections; rendering parses again (rendering happens per incident, not per
/// sample, so that is cheap enough).
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

        /// The label a `.label` placeholder names, else nil.
        var labelName: String? {
            if case .label(let name) = self { return name }
            return nil
        }
    }

    indirect enum Segment: Equatable {
        case text(Substring)
        case placeholder(Placeholder)
        /// `{{#name}}body{{/name}}` (shown when the fact is known) or, `inverted`,
        /// `{{^name}}body{{/name}}` (shown when it is not).
        case section(Placeholder, inverted: Bool, body: [Segment])
        /// An unknown name, an unclosed `{{` or an unbalanced section tag, kept verbatim when
        /// rendering.
        case invalid(Substring, reason: String)
    }

    let segments: [Segment]

    init(_ text: String) {
        // Open sections: the segments before each, its tag, and its placeholder.
        var stack: [(outer: [Segment], tag: Substring, placeholder: Placeholder, inverted: Bool, name: Substring)] = []
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
            let inner = rest[open.upperBound..<close.lowerBound].trimmingSpaces()
            rest = rest[close.upperBound...]
            switch inner.first {
            case "#", "^":
                let name = inner.dropFirst().trimmingSpaces()
                guard let placeholder = Placeholder(name: String(name)) else {
                    segments.append(.invalid(whole, reason: "unknown placeholder \(whole)"))
                    continue
                }
                stack.append((segments, whole, placeholder, inner.first == "^", name))
                segments = []
            case "/":
                let name = inner.dropFirst().trimmingSpaces()
                guard let top = stack.last, top.name == name else {
                    let reason = stack.last.map { "\(whole) closes nothing: \($0.tag) is open" } ?? "\(whole) closes nothing"
                    segments.append(.invalid(whole, reason: reason))
                    continue
                }
                stack.removeLast()
                let body = segments
                segments = top.outer
                segments.append(.section(top.placeholder, inverted: top.inverted, body: body))
            default:
                if let placeholder = Placeholder(name: String(inner)) {
                    segments.append(.placeholder(placeholder))
                } else {
                    segments.append(.invalid(whole, reason: "unknown placeholder \(whole)"))
                }
            }
        }
        if !rest.isEmpty { segments.append(.text(rest)) }
        // Unclosed sections: their tag is invalid, their body stays as plain segments.
        while let top = stack.popLast() {
            let body = segments
            segments = top.outer
            segments.append(.invalid(top.tag, reason: "\(top.tag) without a closing {{/\(top.name)}}"))
            segments.append(contentsOf: body)
        }
        self.segments = segments
    }

    /// Why each invalid part is invalid, in order.
    var problems: [String] {
        var out: [String] = []
        func walk(_ segments: [Segment]) {
            for segment in segments {
                switch segment {
                case .invalid(_, let reason): out.append(reason)
                case .section(_, _, let body): walk(body)
                case .text, .placeholder: break
                }
            }
        }
        walk(segments)
        return out
    }

    /// Every label named by a placeholder or a section, in order of first use.
    var labelNames: [String] {
        var out: [String] = []
        func walk(_ segments: [Segment]) {
            for segment in segments {
                switch segment {
                case .placeholder(let p):
                    if let name = p.labelName, !out.contains(name) { out.append(name) }
                case .section(let p, _, let body):
                    if let name = p.labelName, !out.contains(name) { out.append(name) }
                    walk(body)
                case .text, .invalid: break
                }
            }
        }
        walk(segments)
        return out
    }

    /// Every placeholder the rule language knows, for error messages and docs.
    static let knownNames = "{{labels.NAME}}, {{metric}}, {{rule}}, {{severity}}, {{value}}, {{expected}}, {{lower}}, {{upper}}, {{rate}}, {{limit}}, {{timeToLimit}}, {{duration}}; sections {{#NAME}}...{{/NAME}} and {{^NAME}}...{{/NAME}}"
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
