import AIOpsCore
import Foundation
import Testing
@testable import Rules

/// Every error `check` finds in `text`, as `line: rule: reason` strings.
private func errors(_ text: String, file: String = "r.json") -> [RuleError] {
    RuleSet.check(Data(text.utf8), file: file).errors
}

/// A one-rule file with `extra` keys spliced in after the required ones (line 2 holds the name).
private func rule(_ extra: String = "", name: String = "r1") -> String {
    """
    {"rules": [{
      "name": "\(name)",
      "selector": "up",
      "detector": {"kind": "ewma"}\(extra.isEmpty ? "" : ",\n  " + extra)
    }]}
    """
}

struct RuleParsingTests {
    @Test func everyField() throws {
        let text = """
        {"rules": [
          {
            "name": "container-memory-leak",
            "selector": "container_memory_working_set_bytes{container!=\\"\\", container!=\\"POD\\"}",
            "detector": {"kind": "leak", "window": "1h"},
            "severity": "critical",
            "for": "15m",
            "resolveAfter": "10m",
            "threshold": 0.7,
            "transform": "rate",
            "limit": {"series": "container_spec_memory_limit_bytes", "matchOn": ["namespace", "pod", "container"]},
            "notify": {"groupWait": "30s", "groupInterval": "5m", "repeatInterval": "4h", "sendResolved": false},
            "advice": {"summary": "{{labels.pod}} leaks {{rate}}", "steps": ["kubectl top pod {{labels.pod}}", "b"], "runbook": "https://wiki.example.com/x"}
          }
        ]}
        """
        let set = try RuleSet.parse(text, file: "rules/memory.json")
        try #require(set.rules.count == 1)
        let r = set.rules[0]
        #expect(r.name == "container-memory-leak")
        #expect(r.selector.text == "container_memory_working_set_bytes{container!=\"\", container!=\"POD\"}")
        #expect(r.selector.matchers.count == 3)
        #expect(r.detector.kind == .leak)
        #expect(r.severity == .critical)
        #expect(r.forDuration == .minutes(15))
        #expect(r.resolveAfter == .minutes(10))
        #expect(r.threshold == 0.7)
        #expect(r.transform == .rate)
        #expect(r.limit == LimitSpec(series: "container_spec_memory_limit_bytes", matchOn: ["namespace", "pod", "container"]))
        #expect(r.notify == NotifyOverrides(groupWait: .seconds(30), groupInterval: .minutes(5), repeatInterval: .hours(4), sendResolved: false))
        #expect(r.advice == Advice(summary: "{{labels.pod}} leaks {{rate}}", steps: ["kubectl top pod {{labels.pod}}", "b"], runbookURL: "https://wiki.example.com/x"))
        #expect(r.source == "rules/memory.json")
    }

    /// An explicit `"transform": "none"` is kept apart from a rule that does not say, so that
    /// it wins over the pipeline's per-series choice (rate for counters).
    @Test(arguments: [("\"transform\": \"none\"", SeriesTransform?.some(.none)), ("\"transform\": \"rate\"", .some(.rate)), ("", nil)])
    func transformSaidOrNot(extra: String, expected: SeriesTransform?) throws {
        let r = try #require(try RuleSet.parse(rule(extra), file: "r.json").rules.first)
        #expect(r.transform == expected)
    }

    @Test func defaults() throws {
        let set = try RuleSet.parse(rule(), file: "r.json")
        let r = try #require(set.rules.first)
        #expect(r.severity == .warning)
        #expect(r.forDuration == .zero)
        #expect(r.resolveAfter == .minutes(5))
        #expect(r.threshold == 0.5)
        #expect(r.transform == nil, "not said: the pipeline decides per series")
        #expect(r.limit == nil)
        #expect(r.notify == nil)
        #expect(r.advice.summary == "{{rule}}: {{metric}} is {{value}}, expected {{expected}}.")
        #expect(r.advice.steps.isEmpty)
        #expect(r.advice.runbookURL == nil)
    }

    @Test func constantLimitAndPartialNotify() throws {
        let set = try RuleSet.parse(rule("\"limit\": {\"value\": 0}, \"notify\": {\"repeatInterval\": \"1h\"}").replacingOccurrences(of: "ewma", with: "leak"), file: "r.json")
        let r = try #require(set.rules.first)
        #expect(r.limit == LimitSpec(value: 0))
        #expect(r.notify == NotifyOverrides(repeatInterval: .hours(1)))
    }

    @Test func emptyRuleListAndByteOrderMark() throws {
        #expect(try RuleSet.parse("\u{FEFF}{\"rules\": []}", file: "r.json").rules.isEmpty)
    }
}

struct RuleErrorTests {
    /// (extra keys on line 5 of `rule()`, expected reason)
    @Test(arguments: [
        ("\"severity\": \"fatal\"", "severity: expected one of info, warning, critical, found \"fatal\""),
        ("\"transform\": \"delta\"", "transform: expected one of none, rate, found \"delta\""),
        ("\"threshold\": 0", "threshold: expected a number in (0, 1], found 0"),
        ("\"threshold\": 1.5", "threshold: expected a number in (0, 1], found 1.5"),
        ("\"threshold\": \"high\"", "threshold: expected a number in (0, 1], found \"high\""),
        ("\"for\": \"5 minutes\"", "for: expected a duration such as \"30s\", \"5m\" or \"1h30m\", found \"5 minutes\""),
        ("\"resolveAfter\": \"m5\"", "resolveAfter: expected a duration such as \"30s\", \"5m\" or \"1h30m\", found \"m5\""),
        ("\"for\": 300", "for: expected a duration such as \"30s\", \"5m\" or \"1h30m\", found 300"),
        ("\"fro\": \"5m\"", "fro: unknown key (did you mean \"for\"?)"),
        ("\"colour\": \"red\"", "colour: unknown key (expected one of name, selector, detector, severity, for, resolveAfter, threshold, transform, limit, notify, advice)"),
        ("\"limit\": {}", "limit: needs exactly one of \"value\" or \"series\""),
        ("\"limit\": {\"value\": 1, \"series\": \"m\"}", "limit: needs exactly one of \"value\" or \"series\""),
        ("\"limit\": {\"value\": 1, \"matchOn\": [\"pod\"]}", "limit.matchOn: applies only with \"series\""),
        ("\"limit\": {\"series\": \"not a metric\"}", "limit.series: expected a metric name, found \"not a metric\""),
        ("\"limit\": {\"series\": \"m\", \"matchon\": [\"pod\"]}", "limit.matchon: unknown key (did you mean \"matchOn\"?)"),
        ("\"limit\": {\"value\": 0}", "limit is used only by the leak detector, not ewma"),
        ("\"notify\": {\"groupWait\": \"soon\"}", "notify.groupWait: expected a duration such as \"30s\", \"5m\" or \"1h30m\", found \"soon\""),
        ("\"notify\": {\"sendResolved\": \"yes\"}", "notify.sendResolved: expected true or false, found \"yes\""),
        ("\"notify\": {\"repeat\": \"1h\"}", "notify.repeat: unknown key (did you mean \"repeatInterval\"?)"),
        ("\"advice\": {\"steps\": []}", "advice.summary: missing required key"),
        ("\"advice\": {\"summary\": \" \"}", "advice.summary: expected a non-empty string, found \" \""),
        ("\"advice\": {\"summary\": \"{{valeu}} high\"}", "advice.summary: unknown placeholder {{valeu}} (known: {{labels.NAME}}, {{metric}}, {{rule}}, {{severity}}, {{value}}, {{expected}}, {{lower}}, {{upper}}, {{rate}}, {{limit}}, {{timeToLimit}}, {{duration}}; sections {{#NAME}}...{{/NAME}} and {{^NAME}}...{{/NAME}})"),
        ("\"advice\": {\"summary\": \"{{labels.}}\"}", "advice.summary: unknown placeholder {{labels.}} (known: {{labels.NAME}}, {{metric}}, {{rule}}, {{severity}}, {{value}}, {{expected}}, {{lower}}, {{upper}}, {{rate}}, {{limit}}, {{timeToLimit}}, {{duration}}; sections {{#NAME}}...{{/NAME}} and {{^NAME}}...{{/NAME}})"),
        ("\"advice\": {\"summary\": \"{{value\"}", "advice.summary: \"{{\" without a closing \"}}\" (known: {{labels.NAME}}, {{metric}}, {{rule}}, {{severity}}, {{value}}, {{expected}}, {{lower}}, {{upper}}, {{rate}}, {{limit}}, {{timeToLimit}}, {{duration}}; sections {{#NAME}}...{{/NAME}} and {{^NAME}}...{{/NAME}})"),
        ("\"advice\": {\"summary\": \"s\", \"runbook\": \"runbooks/x\"}", "advice.runbook: expected an http(s) URL, found \"runbooks/x\""),
        ("\"advice\": {\"summary\": \"s\", \"url\": \"https://x\"}", "advice.url: unknown key (expected one of summary, steps, runbook)"),
        ("\"advice\": \"restart it\"", "advice: expected an object such as {\"summary\": \"...\"}, found \"restart it\""),
    ])
    func fieldError(extra: String, reason: String) {
        #expect(errors(rule(extra)) == [RuleError(file: "r.json", line: 5, rule: "r1", reason: reason)])
    }

    @Test func errorInAnAdviceStepNamesTheStepAndItsLine() {
        let text = rule("""
        "advice": {
            "summary": "ok",
            "steps": [
              "fine {{labels.pod}}",
              "bad {{timetolimit}}"
            ]
          }
        """)
        let found = errors(text)
        #expect(found.count == 1)
        #expect(found.first?.line == 9)
        #expect(found.first?.rule == "r1")
        #expect(found.first?.reason.hasPrefix("advice.steps[1]: unknown placeholder {{timetolimit}}") == true)
    }

    @Test func selectorErrors() {
        let empty = rule().replacingOccurrences(of: "\"selector\": \"up\"", with: "\"selector\": \"\"")
        #expect(errors(empty) == [RuleError(file: "r.json", line: 3, rule: "r1", reason: "selector: expected a series selector such as up{job=\"api\"}, found \"\"")])
        let bad = rule().replacingOccurrences(of: "\"selector\": \"up\"", with: "\"selector\": \"up{job}\"")
        #expect(errors(bad) == [RuleError(file: "r.json", line: 3, rule: "r1", reason: "selector: \"up{job}\" at column 7: expected a matcher operator (=, !=, =~, !~), found \"}\"")])
        let matchesEverything = rule().replacingOccurrences(of: "\"selector\": \"up\"", with: "\"selector\": \"{a=~\\\".*\\\"}\"")
        #expect(errors(matchesEverything).first?.reason.hasSuffix("column 1: a selector must have at least one matcher that does not match the empty string") == true)
    }

    @Test func missingRequiredKeys() {
        let text = """
        {"rules": [
          {"name": "a", "detector": {"kind": "ewma"}},
          {"name": "b", "selector": "up"},
          {"selector": "up", "detector": {"kind": "ewma"}}
        ]}
        """
        #expect(errors(text) == [
            RuleError(file: "r.json", line: 2, rule: "a", reason: "missing required key \"selector\""),
            RuleError(file: "r.json", line: 3, rule: "b", reason: "missing required key \"detector\""),
            RuleError(file: "r.json", line: 4, reason: "missing required key \"name\""),
        ])
    }

    @Test func badNames() {
        #expect(errors(rule(name: "Memory_Leak")) == [RuleError(file: "r.json", line: 2, rule: "Memory_Leak", reason: "name must match [a-z0-9-]+")])
        #expect(errors(rule(name: "auto")) == [RuleError(file: "r.json", line: 2, rule: "auto", reason: "name \"auto\" is reserved for the built-in rule")])
    }

    @Test func detectorIsDecodedByDetectorSpec() {
        let text = rule().replacingOccurrences(of: "\"detector\": {\"kind\": \"ewma\"}", with: "\"detector\": {\n    \"kind\": \"magic\"\n  }")
        let found = errors(text)
        #expect(found.count == 1)
        #expect(found.first?.line == 5, "the line of the offending detector key")
        #expect(found.first?.rule == "r1")
        #expect(found.first?.reason.hasPrefix("detector.") == true)
        let notObject = rule().replacingOccurrences(of: "{\"kind\": \"ewma\"}", with: "\"ewma\"")
        #expect(errors(notObject) == [RuleError(file: "r.json", line: 4, rule: "r1", reason: "detector: expected an object such as {\"kind\": \"ewma\"}, found \"ewma\"")])
    }

    @Test func duplicateNamesInOneFile() {
        let text = """
        {"rules": [
          {"name": "x", "selector": "up", "detector": {"kind": "ewma"}},
          {"name": "x", "selector": "down", "detector": {"kind": "ewma"}}
        ]}
        """
        #expect(errors(text, file: "a.json") == [RuleError(file: "a.json", line: 3, rule: "x", reason: "duplicate rule name (first defined at a.json:2)")])
    }

    @Test func duplicateNamesAcrossFilesAndErrorsOfEveryFile() {
        let a = Data(rule(name: "x").utf8)
        let b = Data("""
        {"rules": [
          {"name": "y", "selector": "up", "detector": {"kind": "ewma"}, "severity": "loud"},
          {"name": "x", "selector": "up", "detector": {"kind": "ewma"}}
        ]}
        """.utf8)
        let result = RuleSet.check(sources: [("rules/a.json", a), ("rules/b.json", b)])
        #expect(result.ruleSet == nil)
        #expect(result.errors == [
            RuleError(file: "rules/b.json", line: 2, rule: "y", reason: "severity: expected one of info, warning, critical, found \"loud\""),
            RuleError(file: "rules/b.json", line: 3, rule: "x", reason: "duplicate rule name (first defined at rules/a.json:2)"),
        ])
        #expect(result.errors[1].description == "rules/b.json:3: rule \"x\": duplicate rule name (first defined at rules/a.json:2)")
    }

    @Test func everyErrorOfARuleIsReported() {
        let found = errors(rule("\"severity\": \"x\", \"for\": \"y\",\n  \"threshold\": 2"))
        #expect(found.map(\.line) == [5, 5, 6])
        #expect(found.allSatisfy { $0.rule == "r1" })
    }

    @Test(arguments: [
        ("{\"rules\": [\n  {\"name\": \"a\",}\n]}", 2, "invalid JSON at column 16: trailing comma before \"}\" (JSON allows none)"),
        ("{\"rules\": [\n\n  {\"name\": \"a\" \"selector\": \"up\"}\n]}", 3, "invalid JSON at column 16: expected \",\" or \"}\", found \"\"\""),
        ("{\"rules\": [\n  {\"name\": \"a\n\"}]}", 2, "invalid JSON at column 14: unterminated string (newline inside quotes)"),
        ("{\"rules\": [", 1, "invalid JSON at column 12: expected a value, found the end of the file"),
        ("{\"rules\": []}\n{}", 2, "invalid JSON at column 1: unexpected \"{\" after the end of the document"),
        ("{\"rules\": [], \"rules\": []}", 1, "invalid JSON at column 15: duplicate key \"rules\""),
        ("", 1, "invalid JSON at column 1: expected a value, found the end of the file"),
    ])
    func syntaxErrorsHaveALine(text: String, line: Int, reason: String) {
        #expect(errors(text) == [RuleError(file: "r.json", line: line, reason: reason)])
    }

    @Test func fileShapeErrors() {
        #expect(errors("[]") == [RuleError(file: "r.json", line: 1, reason: "a rule file must be an object {\"rules\": [...]}, found an array")])
        #expect(errors("{}") == [RuleError(file: "r.json", line: 1, reason: "missing required key \"rules\"")])
        #expect(errors("{\"rules\": {}}") == [RuleError(file: "r.json", line: 1, reason: "\"rules\" must be an array, found an object")])
        #expect(errors("{\"rules\": [],\n \"version\": 2}") == [RuleError(file: "r.json", line: 2, reason: "unknown key \"version\" (a rule file has only \"rules\")")])
        #expect(errors("{\"rules\": [\n 42\n]}") == [RuleError(file: "r.json", line: 2, reason: "each rule must be an object, found a number")])
    }

    @Test func parseThrowsTheFirstError() {
        do {
            _ = try RuleSet.parse(rule("\"severity\": \"x\", \"for\": \"y\""), file: "r.json")
            Issue.record("expected an error")
        } catch {
            #expect(error == RuleError(file: "r.json", line: 5, rule: "r1", reason: "severity: expected one of info, warning, critical, found \"x\""))
        }
    }
}
