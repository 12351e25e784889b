import AIOpsCore
import Detectors
import Foundation

/// Turns the text of one rule file into rules, collecting every error rather than stopping
/// at the first, each with the line of the offending key. The format is documented on
/// `RuleSet` and in `rules/README.md`.
///
/// The file is parsed by `JSONParser` and read with `JSONReader`, the same reader as the
/// `aiops serve` config file, so both word their errors alike: the key path within the rule,
/// what was expected and what was found (`detector.warmup: expected a whole number from 0
/// to 1000000, found 1.5`).
struct RuleFileParser {
    static let ruleKeys = ["name", "selector", "detector", "severity", "for", "resolveAfter", "threshold", "transform", "limit", "notify", "advice"]
    static let limitKeys = ["value", "series", "matchOn"]
    static let adviceKeys = ["summary", "steps", "runbook"]
    /// The built-in rule for unselected series is called this; a file may not reuse it.
    static let reservedName = "auto"

    let file: String
    private(set) var rules: [Rule] = []
    /// Every well-formed rule name and its line, including rules with other errors, so a
    /// duplicate name is reported even while its first definition is broken.
    private(set) var names: [(name: String, line: Int)] = []
    private(set) var errors: [RuleError] = []
    /// Collects one rule's problems (or the file's, outside a rule); moved into `errors`
    /// with the rule's name by `absorb`.
    private var reader = JSONReader()

    init(file: String) {
        self.file = file
    }

    mutating func parse(_ data: Data) {
        let root: JSONNode
        do {
            root = try JSONParser.parse(Array(data))
        } catch {
            errors.append(RuleError(file: file, line: error.line, reason: "invalid JSON at column \(error.column): \(error.reason)"))
            return
        }
        guard let members = root.members else {
            fail(root.line, nil, "a rule file must be an object {\"rules\": [...]}, found \(root.typeName)")
            return
        }
        for member in members where member.key != "rules" {
            fail(member.line, nil, "unknown key \"\(member.key)\" (a rule file has only \"rules\")")
        }
        guard let list = root.member("rules") else {
            fail(root.line, nil, "missing required key \"rules\"")
            return
        }
        guard case .array(let elements) = list.value.value else {
            fail(list.line, nil, "\"rules\" must be an array, found \(list.value.typeName)")
            return
        }
        for element in elements {
            parseRule(element)
        }
    }

    // MARK: One rule

    private mutating func parseRule(_ node: JSONNode) {
        guard let members = node.members else {
            fail(node.line, nil, "each rule must be an object, found \(node.typeName)")
            return
        }
        let errorCount = errors.count
        var name: String?
        if let member = node.member("name") {
            if case .string(let text) = member.value.value {
                if !RuleFileParser.isValidName(text) {
                    fail(member.line, text, "name must match [a-z0-9-]+")
                } else if text == RuleFileParser.reservedName {
                    fail(member.line, text, "name \"auto\" is reserved for the built-in rule")
                } else {
                    names.append((text, member.line))
                }
                name = text
            } else {
                _ = reader.string(member.value, "name")
            }
        } else {
            fail(node.line, nil, "missing required key \"name\"")
        }

        var selector: Selector?
        var detector: DetectorSpec?
        var severity = Severity.warning
        var forDuration = PromDuration.zero
        var resolveAfter = PromDuration.minutes(5)
        var threshold = 0.5
        var transform: SeriesTransform?  // nil: not said (the pipeline decides per series)
        var limit: LimitSpec?
        var limitLine = node.line
        var notify: NotifyOverrides?
        var advice: Advice?

        for member in reader.object(node, "", known: RuleFileParser.ruleKeys) ?? members {
            let value = member.value
            switch member.key {
            case "name":
                break
            case "selector":
                selector = parseSelector(member)
            case "detector":
                detector = DetectorSpec(json: value, path: "detector", reader: &reader)
            case "severity":
                severity = reader.choice(value, "severity", Severity.self) ?? severity
            case "for":
                forDuration = reader.duration(value, "for") ?? forDuration
            case "resolveAfter":
                resolveAfter = reader.duration(value, "resolveAfter") ?? resolveAfter
            case "threshold":
                threshold = reader.number(value, "threshold", expected: "a number in (0, 1]", where: { $0 > 0 && $0 <= 1 }) ?? threshold
            case "transform":
                transform = reader.choice(value, "transform", SeriesTransform.self)
            case "limit":
                limit = parseLimit(value)
                limitLine = member.line
            case "notify":
                notify = NotifyOverrides(json: value, path: "notify", reader: &reader)
            case "advice":
                advice = parseAdvice(value)
            default:
                break  // unknown keys were reported by `object`
            }
        }
        if node.member("selector") == nil { fail(node.line, name, "missing required key \"selector\"") }
        if node.member("detector") == nil { fail(node.line, name, "missing required key \"detector\"") }
        if limit != nil, let kind = detector?.kind, kind != .leak {
            fail(limitLine, name, "limit is used only by the leak detector, not \(kind.rawValue)")
        }
        absorb(rule: name)

        guard errors.count == errorCount, let name, let selector, let detector else { return }
        let rule = Rule(
            name: name, selector: selector, detector: detector, severity: severity,
            forDuration: forDuration, resolveAfter: resolveAfter, threshold: threshold,
            limit: limit, transform: transform,
            advice: advice ?? Advice(summary: "{{rule}}: {{metric}} is {{value}}, expected {{expected}}."),
            notify: notify, source: file
        )
        rules.append(rule)
    }

    private mutating func parseSelector(_ member: JSONNode.Member) -> Selector? {
        guard let text = reader.string(member.value, "selector") else { return nil }
        if text.allSatisfy({ $0.isWhitespace }) {
            reader.fail("selector", at: member.value, "expected a series selector such as up{job=\"api\"}, found \(member.value.shortDescription)")
            return nil
        }
        do {
            return try Selector(parsing: text)
        } catch {
            reader.fail("selector", at: member.value, "\(Selector.quote(text)) at \(error.reason)")
            return nil
        }
    }

    private mutating func parseLimit(_ node: JSONNode) -> LimitSpec? {
        let errorsBefore = reader.errors.count
        guard let members = reader.object(node, "limit", known: RuleFileParser.limitKeys, example: "{\"value\": 0} or {\"series\": \"...\"}") else { return nil }
        var spec = LimitSpec()
        for field in members {
            let at = JSONReader.path("limit", field.key)
            switch field.key {
            case "value":
                spec.value = reader.number(field.value, at, expected: "a finite number", where: \.isFinite)
            case "series":
                if let text = reader.string(field.value, at) {
                    if SelectorParser.isValidMetricName(text) {
                        spec.series = text
                    } else {
                        reader.fail(at, at: field.value, "expected a metric name, found \(field.value.shortDescription)")
                    }
                }
            default:  // matchOn
                if let names = reader.strings(field.value, at) {
                    if let bad = names.first(where: { !SelectorParser.isValidLabelName($0) }) {
                        reader.fail(at, at: field.value, "\"\(bad)\" is not a label name")
                    } else {
                        spec.matchOn = names
                    }
                }
            }
        }
        let hasValue = node.member("value") != nil
        let hasSeries = node.member("series") != nil
        if hasValue == hasSeries {
            reader.fail("limit", at: node, "needs exactly one of \"value\" or \"series\"")
        } else if hasValue, node.member("matchOn") != nil {
            reader.fail("limit.matchOn", at: node, "applies only with \"series\"")
        }
        return reader.errors.count == errorsBefore ? spec : nil
    }

    private mutating func parseAdvice(_ node: JSONNode) -> Advice? {
        guard let members = reader.object(node, "advice", known: RuleFileParser.adviceKeys, example: "{\"summary\": \"...\"}") else { return nil }
        var summary: String?
        var steps: [String] = []
        var runbook: String?
        for field in members {
            let at = JSONReader.path("advice", field.key)
            switch field.key {
            case "summary":
                if let text = reader.nonEmptyString(field.value, at) {
                    checkTemplate(text, at, field.value)
                    summary = text
                }
            case "steps":
                guard let elements = reader.array(field.value, at, of: "strings") else { continue }
                for (index, element) in elements.enumerated() {
                    let stepPath = JSONReader.path(at, index: index)
                    guard let text = reader.string(element, stepPath) else { continue }
                    checkTemplate(text, stepPath, element)
                    steps.append(text)
                }
            default:  // runbook
                if let text = reader.string(field.value, at) {
                    if text.hasPrefix("https://") || text.hasPrefix("http://") {
                        checkTemplate(text, at, field.value)
                        runbook = text
                    } else {
                        reader.fail(at, at: field.value, "expected an http(s) URL, found \(field.value.shortDescription)")
                    }
                }
            }
        }
        if node.member("summary") == nil {
            reader.fail("advice.summary", at: node, "missing required key")
        }
        guard let summary else { return nil }
        return Advice(summary: summary, steps: steps, runbookURL: runbook)
    }

    private mutating func checkTemplate(_ text: String, _ path: String, _ node: JSONNode) {
        for problem in AdviceTemplate(text).problems {
            reader.fail(path, at: node, "\(problem) (known: \(AdviceTemplate.knownNames))")
        }
    }

    // MARK: Errors

    private mutating func fail(_ line: Int, _ rule: String?, _ reason: String) {
        errors.append(RuleError(file: file, line: line, rule: rule, reason: reason))
    }

    /// Moves the reader's problems into `errors`, naming `rule`.
    private mutating func absorb(rule: String?) {
        for problem in reader.takeErrors() {
            errors.append(RuleError(file: file, line: problem.line, rule: rule, reason: problem.description))
        }
    }

    // MARK: Helpers

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
        }
    }
}
