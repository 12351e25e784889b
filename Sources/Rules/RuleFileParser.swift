import AIOpsCore
import Detectors
import Foundation

/// Turns the text of one rule file into rules, collecting every error rather than stopping
/// at the first, each with the line of the offending key. The format is documented on
/// `RuleSet` and in `rules/README.md`.
struct RuleFileParser {
    static let ruleKeys = ["name", "selector", "detector", "severity", "for", "resolveAfter", "threshold", "transform", "limit", "notify", "advice"]
    static let limitKeys = ["value", "series", "matchOn"]
    static let notifyKeys = ["groupWait", "groupInterval", "repeatInterval", "sendResolved"]
    static let adviceKeys = ["summary", "steps", "runbook"]
    /// The built-in rule for unselected series is called this; a file may not reuse it.
    static let reservedName = "auto"

    let file: String
    private(set) var rules: [Rule] = []
    /// Every well-formed rule name and its line, including rules with other errors, so a
    /// duplicate name is reported even while its first definition is broken.
    private(set) var names: [(name: String, line: Int)] = []
    private(set) var errors: [RuleError] = []
    private var bytes: [UInt8] = []

    init(file: String) {
        self.file = file
    }

    mutating func parse(_ data: Data) {
        bytes = Array(data)
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            errors.append(RuleError(file: file, line: error.line, reason: "invalid JSON at column \(error.column): \(error.reason)"))
            return
        }
        guard case .object(let members) = root.value else {
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
        guard case .object(let members) = node.value else {
            fail(node.line, nil, "each rule must be an object, found \(node.typeName)")
            return
        }
        let errorCount = errors.count
        var name: String?
        if let member = node.member("name") {
            if let text = string(member, nil) {
                if !RuleFileParser.isValidName(text) {
                    fail(member.line, text, "name must match [a-z0-9-]+")
                } else if text == RuleFileParser.reservedName {
                    fail(member.line, text, "name \"auto\" is reserved for the built-in rule")
                } else {
                    names.append((text, member.line))
                }
                name = text
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

        for member in members {
            switch member.key {
            case "name":
                break
            case "selector":
                selector = parseSelector(member, name)
            case "detector":
                detector = parseDetector(member, name)
            case "severity":
                if let text = string(member, name) {
                    if let value = Severity(rawValue: text) {
                        severity = value
                    } else {
                        fail(member.line, name, "unknown severity \"\(text)\" (expected info, warning or critical)")
                    }
                }
            case "for":
                forDuration = duration(member, name) ?? forDuration
            case "resolveAfter":
                resolveAfter = duration(member, name) ?? resolveAfter
            case "threshold":
                if let value = number(member, name) {
                    if value > 0 && value <= 1 {
                        threshold = value
                    } else {
                        fail(member.line, name, "threshold \(value) is out of range (0, 1]")
                    }
                }
            case "transform":
                if let text = string(member, name) {
                    if let value = SeriesTransform(rawValue: text) {
                        transform = value
                    } else {
                        fail(member.line, name, "unknown transform \"\(text)\" (expected none or rate)")
                    }
                }
            case "limit":
                limit = parseLimit(member, name)
                limitLine = member.line
            case "notify":
                notify = parseNotify(member, name)
            case "advice":
                advice = parseAdvice(member, name)
            default:
                fail(member.line, name, "unknown key \"\(member.key)\"" + RuleFileParser.suggestion(member.key, RuleFileParser.ruleKeys))
            }
        }
        if node.member("selector") == nil { fail(node.line, name, "missing required key \"selector\"") }
        if node.member("detector") == nil { fail(node.line, name, "missing required key \"detector\"") }
        if limit != nil, let kind = detector?.kind, kind != .leak {
            fail(limitLine, name, "limit is used only by the leak detector, not \(kind.rawValue)")
        }

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

    private mutating func parseSelector(_ member: JSONNode.Member, _ rule: String?) -> Selector? {
        guard let text = string(member, rule) else { return nil }
        if text.allSatisfy({ $0.isWhitespace }) {
            fail(member.line, rule, "selector is empty")
            return nil
        }
        do {
            return try Selector(parsing: text)
        } catch {
            fail(member.line, rule, "invalid selector \(Selector.quote(text)): \(error.reason)")
            return nil
        }
    }

    /// Hands the object's own bytes to `JSONDecoder`, so `DetectorSpec` alone decides its keys.
    private mutating func parseDetector(_ member: JSONNode.Member, _ rule: String?) -> DetectorSpec? {
        guard case .object = member.value.value else {
            fail(member.line, rule, "\"detector\" must be an object such as {\"kind\": \"ewma\"}, found \(member.value.typeName)")
            return nil
        }
        let data = Data(bytes[member.value.byteRange])
        do {
            return try JSONDecoder().decode(DetectorSpec.self, from: data)
        } catch {
            let (reason, key) = RuleFileParser.describe(error)
            let line = key.flatMap { member.value.member($0)?.line } ?? member.line
            fail(line, rule, "detector: " + reason)
            return nil
        }
    }

    private mutating func parseLimit(_ member: JSONNode.Member, _ rule: String?) -> LimitSpec? {
        guard let members = object(member, rule, example: "{\"value\": 0} or {\"series\": \"...\"}") else { return nil }
        var spec = LimitSpec()
        var ok = true
        for field in members {
            switch field.key {
            case "value":
                if let value = number(field, rule) { spec.value = value } else { ok = false }
            case "series":
                if let text = string(field, rule) {
                    if SelectorParser.isValidMetricName(text) {
                        spec.series = text
                    } else {
                        fail(field.line, rule, "limit series \"\(text)\" is not a metric name")
                        ok = false
                    }
                } else {
                    ok = false
                }
            case "matchOn":
                if let names = stringArray(field, rule) {
                    if let bad = names.first(where: { !SelectorParser.isValidLabelName($0) }) {
                        fail(field.line, rule, "matchOn \"\(bad)\" is not a label name")
                        ok = false
                    } else {
                        spec.matchOn = names
                    }
                } else {
                    ok = false
                }
            default:
                fail(field.line, rule, "unknown key \"\(field.key)\" in limit" + RuleFileParser.suggestion(field.key, RuleFileParser.limitKeys))
                ok = false
            }
        }
        let hasValue = member.value.member("value") != nil
        let hasSeries = member.value.member("series") != nil
        if hasValue == hasSeries {
            fail(member.line, rule, "limit needs exactly one of \"value\" or \"series\"")
            ok = false
        } else if hasValue, member.value.member("matchOn") != nil {
            fail(member.line, rule, "limit \"matchOn\" applies only with \"series\"")
            ok = false
        }
        return ok ? spec : nil
    }

    private mutating func parseNotify(_ member: JSONNode.Member, _ rule: String?) -> NotifyOverrides? {
        guard let members = object(member, rule, example: "{\"repeatInterval\": \"4h\"}") else { return nil }
        var overrides = NotifyOverrides()
        for field in members {
            switch field.key {
            case "groupWait": overrides.groupWait = duration(field, rule)
            case "groupInterval": overrides.groupInterval = duration(field, rule)
            case "repeatInterval": overrides.repeatInterval = duration(field, rule)
            case "sendResolved":
                if case .bool(let flag) = field.value.value {
                    overrides.sendResolved = flag
                } else {
                    fail(field.line, rule, "\"sendResolved\" must be true or false, found \(field.value.typeName)")
                }
            default:
                fail(field.line, rule, "unknown key \"\(field.key)\" in notify" + RuleFileParser.suggestion(field.key, RuleFileParser.notifyKeys))
            }
        }
        return overrides
    }

    private mutating func parseAdvice(_ member: JSONNode.Member, _ rule: String?) -> Advice? {
        guard let members = object(member, rule, example: "{\"summary\": \"...\"}") else { return nil }
        var summary: String?
        var steps: [String] = []
        var runbook: String?
        for field in members {
            switch field.key {
            case "summary":
                if let text = string(field, rule) {
                    if text.allSatisfy({ $0.isWhitespace }) {
                        fail(field.line, rule, "advice summary is empty")
                    } else {
                        checkPlaceholders(text, "advice summary", field.line, rule)
                        summary = text
                    }
                }
            case "steps":
                guard case .array(let elements) = field.value.value else {
                    fail(field.line, rule, "advice \"steps\" must be an array of strings, found \(field.value.typeName)")
                    continue
                }
                for (index, element) in elements.enumerated() {
                    guard case .string(let text) = element.value else {
                        fail(element.line, rule, "advice step \(index + 1) must be a string, found \(element.typeName)")
                        continue
                    }
                    checkPlaceholders(text, "advice step \(index + 1)", element.line, rule)
                    steps.append(text)
                }
            case "runbook":
                if let text = string(field, rule) {
                    if text.hasPrefix("https://") || text.hasPrefix("http://") {
                        checkPlaceholders(text, "advice runbook", field.line, rule)
                        runbook = text
                    } else {
                        fail(field.line, rule, "advice runbook \"\(text)\" must be an http(s) URL")
                    }
                }
            default:
                fail(field.line, rule, "unknown key \"\(field.key)\" in advice" + RuleFileParser.suggestion(field.key, RuleFileParser.adviceKeys))
            }
        }
        if member.value.member("summary") == nil {
            fail(member.line, rule, "advice is missing required key \"summary\"")
        }
        guard let summary else { return nil }
        return Advice(summary: summary, steps: steps, runbookURL: runbook)
    }

    private mutating func checkPlaceholders(_ text: String, _ what: String, _ line: Int, _ rule: String?) {
        for problem in AdviceTemplate(text).problems {
            fail(line, rule, "\(what): \(problem) (known: \(AdviceTemplate.knownNames))")
        }
    }

    // MARK: Typed values

    private mutating func string(_ member: JSONNode.Member, _ rule: String?) -> String? {
        if case .string(let text) = member.value.value { return text }
        fail(member.line, rule, "\"\(member.key)\" must be a string, found \(member.value.typeName)")
        return nil
    }

    private mutating func number(_ member: JSONNode.Member, _ rule: String?) -> Double? {
        if case .number(let value) = member.value.value { return value }
        fail(member.line, rule, "\"\(member.key)\" must be a number, found \(member.value.typeName)")
        return nil
    }

    private mutating func stringArray(_ member: JSONNode.Member, _ rule: String?) -> [String]? {
        if case .array(let elements) = member.value.value {
            var out: [String] = []
            for element in elements {
                guard case .string(let text) = element.value else { break }
                out.append(text)
            }
            if out.count == elements.count { return out }
        }
        fail(member.line, rule, "\"\(member.key)\" must be an array of strings")
        return nil
    }

    private mutating func object(_ member: JSONNode.Member, _ rule: String?, example: String) -> [JSONNode.Member]? {
        if case .object(let members) = member.value.value { return members }
        fail(member.line, rule, "\"\(member.key)\" must be an object such as \(example), found \(member.value.typeName)")
        return nil
    }

    /// Durations are strings in PromQL form; numbers are rejected so `"for": 5` (5 what?)
    /// cannot slip through.
    private mutating func duration(_ member: JSONNode.Member, _ rule: String?) -> PromDuration? {
        guard case .string(let text) = member.value.value else {
            fail(member.line, rule, "\"\(member.key)\" must be a duration string such as \"5m\", found \(member.value.typeName)")
            return nil
        }
        guard let value = PromDuration(parsing: text) else {
            fail(member.line, rule, "invalid duration \"\(text)\" for \"\(member.key)\" (expected e.g. 30s, 5m, 1h30m)")
            return nil
        }
        return value
    }

    private mutating func fail(_ line: Int, _ rule: String?, _ reason: String) {
        errors.append(RuleError(file: file, line: line, rule: rule, reason: reason))
    }

    // MARK: Helpers

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
        }
    }

    /// ` (did you mean "for"?)` when a known key is within two edits of `key`.
    static func suggestion(_ key: String, _ known: [String]) -> String {
        let best = known.map { ($0, editDistance(key.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= 2 else { return "" }
        return " (did you mean \"\(best.0)\"?)"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// A decoding error as one line, and the detector key it concerns (for its line).
    static func describe(_ error: Error) -> (String, String?) {
        guard let decoding = error as? DecodingError else { return (String(describing: error), nil) }
        func path(_ codingPath: [CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch decoding {
        case .keyNotFound(let key, let context):
            let prefix = path(context.codingPath)
            return ("missing required key \"\(prefix.isEmpty ? "" : prefix + ".")\(key.stringValue)\"", nil)
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let at = path(context.codingPath)
            return ((at.isEmpty ? "" : "\"\(at)\": ") + context.debugDescription, context.codingPath.first?.stringValue)
        @unknown default:
            return (String(describing: decoding), nil)
        }
    }
}
