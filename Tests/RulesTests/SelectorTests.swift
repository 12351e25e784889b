import AIOpsCore
import Testing
@testable import Rules

struct SelectorParsingTests {
    /// A selector and its matchers in canonical form (`name` + op + double-quoted value).
    @Test(arguments: [
        ("up", ["__name__=\"up\""]),
        ("  up  ", ["__name__=\"up\""]),
        ("node:cpu:rate5m", ["__name__=\"node:cpu:rate5m\""]),
        ("up{}", ["__name__=\"up\""]),
        ("up{job=\"api\"}", ["__name__=\"up\"", "job=\"api\""]),
        ("up { job = \"api\" , }", ["__name__=\"up\"", "job=\"api\""]),
        ("{job=\"api\",}", ["job=\"api\""]),
        ("x{a!=\"\", b=~\"c.*\", d!~'e|f', g=`h\\.i`}", ["__name__=\"x\"", "a!=\"\"", "b=~\"c.*\"", "d!~\"e|f\"", "g=\"h\\\\.i\""]),
        ("{__name__=~\".+\"}", ["__name__=~\".+\""]),
        ("{__name__=~\"http_.*\", __name__!=\"http_x\"}", ["__name__=~\"http_.*\"", "__name__!=\"http_x\""]),
        ("{\"my.metric\", \"service.name\"=\"a\"}", ["__name__=\"my.metric\"", "service.name=\"a\""]),
        ("m{a=\"x\\ty\\n\\\\ \\\" \\' \\x41\\101\\u00e9\\U0001F600\"}", ["__name__=\"m\"", "a=\"x\\ty\\n\\\\ \\\" ' AAé😀\""]),
        ("m{a='it\\'s'}", ["__name__=\"m\"", "a=\"it's\""]),
        ("\n\tm{\n a=\"1\"\n}\n", ["__name__=\"m\"", "a=\"1\""]),
        ("m{by=\"x\", on=\"y\"}", ["__name__=\"m\"", "by=\"x\"", "on=\"y\""]),
    ])
    func valid(text: String, expected: [String]) throws {
        let selector = try Selector(parsing: text)
        #expect(selector.matchers.map(\.description) == expected)
        #expect(selector.text == text)
        #expect(selector.description == text)
    }

    /// A selector that must be rejected and the start of the reason (which carries the column).
    @Test(arguments: [
        ("", "column 1: expected a metric name or \"{\", found the end of the selector"),
        ("   ", "column 4: expected a metric name or \"{\", found the end of the selector"),
        ("up job", "column 4: expected \"{\" or the end of the selector, found \"j\""),
        ("up[5m]", "column 3: expected \"{\" or the end of the selector, found \"[\""),
        ("up{} offset 5m", "column 6: expected the end of the selector, found \"o\""),
        ("{}", "column 1: a selector must have at least one matcher that does not match the empty string"),
        ("{a=\"\"}", "column 1: a selector must have at least one matcher that does not match the empty string"),
        ("{a=~\".*\", b!=\"x\"}", "column 1: a selector must have at least one matcher that does not match the empty string"),
        ("up{job=\"api\"", "column 13: expected \",\" or \"}\", found the end of the selector"),
        ("up{job}", "column 7: expected a matcher operator (=, !=, =~, !~), found \"}\""),
        ("up{job==\"x\"}", "column 8: expected a quoted string (\"...\", '...' or `...`), found \"=\""),
        ("up{job=api}", "column 8: expected a quoted string (\"...\", '...' or `...`), found \"a\""),
        ("up{job!\"x\"}", "column 8: expected \"!=\" or \"!~\", found \"\"\""),
        ("up{1a=\"x\"}", "column 4: expected a label name, a quoted metric name or \"}\", found \"1\""),
        ("up{,}", "column 4: expected a label name, a quoted metric name or \"}\", found \",\""),
        ("up{a=\"x\",,}", "column 10: expected a label name, a quoted metric name or \"}\", found \",\""),
        ("up{a=\"x\" b=\"y\"}", "column 10: expected \",\" or \"}\", found \"b\""),
        ("up{a=\"x}", "column 6: unterminated string"),
        ("up{a=\"x\ny\"}", "column 6: unterminated string"),
        ("up{a=`x}", "column 6: unterminated string"),
        ("up{a=\"\\.\"}", "column 7: unknown escape sequence \"\\.\""),
        ("up{a=\"\\xZZ\"}", "column 7: escape needs 2 hexadecimal digits"),
        ("up{a=\"\\400\"}", "column 7: octal escape is above \\377"),
        ("up{a=\"\\uD800\"}", "column 7: escape is not a Unicode scalar value"),
        ("up{a=\"\\xff\"}", "column 6: string is not valid UTF-8 after escapes"),
        ("up{a=~\"(\"}", "column 7: invalid regular expression \"(\""),
        ("up{__name__=\"x\"}", "column 4: the metric name is already set at column 1"),
        ("{\"a\", \"b\"}", "column 7: the metric name is already set at column 2"),
        ("{__name__=\"a\", \"b\"}", "column 16: the metric name is already set by a __name__ matcher"),
    ])
    func invalid(text: String, reasonPrefix: String) {
        do {
            _ = try Selector(parsing: text)
            Issue.record("expected \(text) to be rejected")
        } catch {
            #expect(error.reason.hasPrefix(reasonPrefix), "reason: \(error.reason)")
            #expect(error.file.isEmpty)
            #expect(error.line == nil)
        }
    }

    @Test func errorReasonIsExact() {
        do {
            _ = try Selector(parsing: "up{job}")
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == "column 7: expected a matcher operator (=, !=, =~, !~), found \"}\"")
        }
    }

    @Test func metricNameOfSelector() throws {
        #expect(try Selector(parsing: "up{a=\"b\"}").metricName == "up")
        #expect(try Selector(parsing: "{\"x.y\"}").metricName == "x.y")
        #expect(try Selector(parsing: "{__name__=~\"up|down\"}").metricName == nil)
    }

    @Test func autoRuleSelectorParses() {
        #expect(RuleSet.autoRule.selector.matchers.map(\.description) == ["__name__=~\".+\""])
    }
}

struct SelectorMatchingTests {
    static let api = Labels(metric: "http_requests_total", ["job": "api", "code": "503", "path": "/v1/users"])

    @Test(arguments: [
        // (selector, matches api)
        ("http_requests_total", true),
        ("http_requests", false),
        ("{__name__=\"http_requests_total\"}", true),
        ("{__name__=~\"http_.*\"}", true),
        ("{__name__=~\"http\"}", false),
        ("{__name__!~\"http_.*\", job=\"api\"}", false),
        ("http_requests_total{job=\"api\"}", true),
        ("http_requests_total{job=\"API\"}", false),
        ("http_requests_total{job!=\"api\"}", false),
        ("http_requests_total{job!=\"web\"}", true),
        ("http_requests_total{code=~\"5..\"}", true),
        ("http_requests_total{code=~\"4..\"}", false),
        ("http_requests_total{code!~\"5..\"}", false),
        ("http_requests_total{code!~\"4..\"}", true),
        // Anchoring: a regex must match the whole value.
        ("http_requests_total{code=~\"50\"}", false),
        ("http_requests_total{code=~\"03\"}", false),
        ("http_requests_total{code=~\"503|504\"}", true),
        ("http_requests_total{code=~\"5\"}", false),
        ("http_requests_total{path=~\"/v1/.*\"}", true),
        ("http_requests_total{path=~\"v1\"}", false),
        // Absent labels match as the empty string.
        ("http_requests_total{container=\"\"}", true),
        ("http_requests_total{container!=\"\"}", false),
        ("http_requests_total{container=~\"x|\"}", true),
        ("http_requests_total{container=~\".+\"}", false),
        ("http_requests_total{container=~\".*\"}", true),
        ("http_requests_total{container!~\".+\"}", true),
        ("http_requests_total{container!=\"POD\"}", true),
        // Every matcher must hold.
        ("http_requests_total{job=\"api\", code=\"500\"}", false),
        ("http_requests_total{job=~\"a.i\", code=~\"5.*\", path!=\"\"}", true),
    ])
    func matches(selector: String, expected: Bool) throws {
        #expect(try Selector(parsing: selector).matches(Self.api) == expected)
    }

    @Test func regexDotMatchesNewlineAndEndAnchorIsStrict() throws {
        let labels = Labels(metric: "m", ["a": "x\ny", "b": "abc\n"])
        #expect(try Selector(parsing: "m{a=~\"x.y\"}").matches(labels))
        // `$` in ICU would accept a value with a trailing newline; `\z` must not.
        #expect(try !Selector(parsing: "m{b=~\"abc\"}").matches(labels))
        #expect(try Selector(parsing: "m{b=~\"abc\\\\n\"}").matches(labels))
    }

    @Test func literalAlternationFastPathAgreesWithRegexEngine() throws {
        // `GET|POST|` takes the literal fast path; `(?:GET|POST|)` goes through ICU.
        let fast = try LabelRegex("GET|POST|")
        let slow = try LabelRegex("(?:GET|POST|)")
        for value in ["GET", "POST", "", "PUT", "GETX", "XGET", "get", "GET|POST"] {
            #expect(fast.matches(value) == slow.matches(value), "value \(value)")
        }
        let any = try LabelRegex(".*"), anySlow = try LabelRegex("(?:.*)")
        let nonEmpty = try LabelRegex(".+"), nonEmptySlow = try LabelRegex("(?:.+)")
        for value in ["", "a", "a\nb", "ü"] {
            #expect(any.matches(value) == anySlow.matches(value))
            #expect(nonEmpty.matches(value) == nonEmptySlow.matches(value))
        }
    }

    @Test func regexGivenToTheEngineIsAtMost248Characters() throws {
        // Foundation on Linux leaks every pattern over 256 UTF-16 units it compiles (the
        // rule_file fuzz target's LeakSanitizer report); with the anchors, 248 is the most,
        // counted once rewritten for ICU (`!` becomes `\!`).
        let letters = String(repeating: "a", count: LabelRegex.maxEngineLength - 2)
        let longest = letters + "b?"
        #expect(try LabelRegex(longest).matches(letters + "b"))
        #expect(throws: LabelRegex.CompileError.self) { try LabelRegex(longest + "c") }
        #expect(throws: LabelRegex.CompileError.self) { try LabelRegex(letters + "!b") }
        #expect(throws: RuleError.self) { try Selector(parsing: "m{fstype!~\"tmpfs|\(String(repeating: "x", count: 250))|o!\"}") }
        // Plain alternations skip the engine and may be longer.
        let names = (0..<100).map { "namespace-\($0)" }
        let alternation = try LabelRegex(names.joined(separator: "|"))
        #expect(alternation.matches("namespace-99") && !alternation.matches("namespace-100"))
    }

    @Test func matchingIsSafeFromManyTasks() async throws {
        let selector = try Selector(parsing: "m{a=~\"v[0-9]+\"}")
        let hits = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var count = 0
                    for i in 0..<200 where selector.matches(Labels(metric: "m", ["a": "v\(task * 1000 + i)"])) {
                        count += 1
                    }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(hits == 1600)
    }

    @Test func ruleSetMatchingReturnsRulesInFileOrder() throws {
        let rules = try RuleSet.parse("""
        {"rules": [
          {"name": "a", "selector": "http_requests_total", "detector": {"kind": "ewma"}},
          {"name": "b", "selector": "{job=\\"web\\"}", "detector": {"kind": "ewma"}},
          {"name": "c", "selector": "{code=~\\"5..\\"}", "detector": {"kind": "ewma"}}
        ]}
        """, file: "t.json")
        #expect(rules.matching(Self.api) == [0, 2])
        #expect(rules.matching(Labels(metric: "up", ["job": "web"])) == [1])
        #expect(rules.matching(Labels(metric: "up")) == [])
        #expect(rules.rule(named: "c")?.name == "c")
    }
}
