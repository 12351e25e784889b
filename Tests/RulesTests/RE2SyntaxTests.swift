import Foundation
import Testing
@testable import Rules

/// Selector regexes accept exactly RE2's syntax (what Prometheus accepts) and match what
/// Prometheus matches, anchored at both ends.
struct RE2SyntaxTests {
    /// (pattern, values it must match, values it must not match)
    static let accepted: [(String, [String], [String])] = [
        ("5..", ["500", "503"], ["5000", "50"]),
        ("api|web", ["api", "web"], ["apiweb", "ap"]),
        ("a.c", ["abc", "a\nc"], ["ac"]),
        ("(?-s)a.c", ["abc"], ["a\nc"]),
        ("..", ["\r\n", "ab"], ["a"]),
        ("\\d+", ["0123"], ["١٢", "a"]),
        ("\\D", ["a", "١"], ["1"]),
        ("\\w+", ["abc_1"], ["é", "a-b"]),
        ("\\W", ["é", "-"], ["a"]),
        ("\\s", [" ", "\t", "\n", "\r", "\u{0C}"], ["\u{0B}", "\u{A0}"]),
        ("\\S", ["a", "\u{A0}"], [" "]),
        ("[[:alpha:]]+", ["abcXYZ"], ["é", "1"]),
        ("[[:^digit:]]", ["a", "é"], ["5"]),
        ("[[:word:][:punct:]]+", ["a_b.c!"], ["a b"]),
        ("[\\d.]+", ["1.5"], ["1,5"]),
        ("[^\\n]", ["a", "\r"], ["\n"]),
        ("[a-c-]+", ["ab-c"], ["d"]),
        ("[]a]+", ["]a]"], ["b"]),
        ("[^]a]", ["b"], ["]", "a"]),
        ("[a[]+", ["a[a"], ["b"]),
        ("[a&&b]+", ["a&b"], ["c"]),
        ("[\\[\\]]+", ["[]"], ["a"]),
        ("\\Qa.b*\\E", ["a.b*"], ["axb", "a.bbb"]),
        ("\\Qab\\E*", ["a", "abbb"], ["abab"]),
        ("\\pL+", ["abcé"], ["1"]),
        ("\\p{Greek}+", ["αβγ"], ["abc"]),
        ("\\PL", ["1"], ["a"]),
        ("\\p{^Greek}", ["a"], ["α"]),
        ("[\\p{Lu}\\d]+", ["A1"], ["a"]),
        ("\\x41\\x{263a}\\101\\0", ["A☺A\u{0}"], ["A☺A"]),
        ("\\a\\f\\t\\n\\r\\v", ["\u{07}\u{0C}\t\n\r\u{0B}"], []),
        ("\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\\\/\\-", [".*+?()[]{}|^$\\/-"], []),
        ("(?i)get|post", ["GET", "Post"], ["PUT"]),
        ("(?i:a)b", ["Ab"], ["AB"]),
        ("a(?i)b", ["aB"], ["AB"]),
        ("(?U)a+", ["aaa"], []),
        ("(?U)(a+)(a*)", ["aaa"], []),
        ("a{2}", ["aa"], ["a", "aaa"]),
        ("a{2,}", ["aa", "aaaa"], ["a"]),
        ("a{1,3}?", ["a", "aaa"], ["aaaa"]),
        ("a{,2}", ["a{,2}"], ["aa"]),
        ("a{", ["a{"], ["a"]),
        ("x{1000}", [String(repeating: "x", count: 1000)], ["x"]),
        ("(?P<code>5..)|(?<other>4..)", ["503", "404"], ["200"]),
        ("(?P<n>a)(?P<n>b)", ["ab"], []),
        ("(?:a|b)+", ["abab"], ["c"]),
        ("()", [""], ["a"]),
        ("a|", ["a", ""], ["b"]),
        ("^a$", ["a"], ["a\n"]),
        ("a$", ["a"], ["a\n"]),
        ("(?m)a$\\n^b", ["a\nb"], []),
        ("\\Aa\\z", ["a"], []),
        ("^*a", ["a"], []),
        ("\\bfoo\\b", ["foo"], []),
        (".*\\bfoo\\b.*", ["a foo b", "foo"], ["afoo", "foé"]),
        (".*\\Bo\\B.*", ["foo"], ["o"]),
        ("(?s:.)", ["\n"], []),
        ("(?)a", ["a"], []),
        ("}", ["}"], []),
        ("]", ["]"], []),
        ("é+", ["éé"], ["e"]),
    ]

    @Test(arguments: accepted)
    func acceptedPatternsMatchAsRE2Does(pattern: String, matching: [String], notMatching: [String]) throws {
        let regex = try LabelRegex(pattern)
        for value in matching { #expect(regex.matches(value), "\(pattern) should match \(value.debugDescription)") }
        for value in notMatching { #expect(!regex.matches(value), "\(pattern) should not match \(value.debugDescription)") }
    }

    /// (pattern, the position the error names, what it says)
    static let refused: [(String, Int, String)] = [
        ("(?=a)", 1, "lookahead (?= is not supported"),
        ("a(?!b)", 2, "negative lookahead (?! is not supported"),
        ("(?<=a)b", 1, "lookbehind (?<= is not supported"),
        ("(?<!a)b", 1, "negative lookbehind (?<! is not supported"),
        ("(?>a+)", 1, "atomic group (?> is not supported"),
        ("(?#note)a", 1, "comment group (?# is not supported"),
        ("(?(1)a|b)", 1, "conditional (?( is not supported"),
        ("(?|a)", 1, "branch reset (?| is not supported"),
        ("(a)\\1", 4, "backreference \\1 is not supported"),
        ("(a)\\9", 4, "backreference \\9 is not supported"),
        ("(?P<n>a)(?P=n)", 9, "backreference (?P= is not supported"),
        ("(?<n>a)\\k<n>", 8, "backreference \\k is not supported"),
        ("a*+", 2, "possessive quantifier *+ is not supported"),
        ("a++", 2, "possessive quantifier ++ is not supported"),
        ("a{2}+", 2, "possessive quantifier {2}+ is not supported"),
        ("a**", 2, "nested repetition operator **"),
        ("a*?*", 2, "nested repetition operator *?*"),
        ("a{2}{3}", 2, "nested repetition operator {2}{3}"),
        ("*a", 1, "missing argument to repetition operator *"),
        ("a|+", 3, "missing argument to repetition operator +"),
        ("(?i)*", 5, "missing argument to repetition operator *"),
        ("a{1001}", 2, "repeat count {1001} is over RE2's limit of 1000"),
        ("a{3,2}", 2, "invalid repeat count {3,2}"),
        ("a\\Z", 2, "\\Z is not RE2 syntax (use \\z, or $)"),
        ("\\G", 1, "escape \\G is not RE2 syntax"),
        ("\\C", 1, "escape \\C is not RE2 syntax"),
        ("\\e", 1, "escape \\e is not RE2 syntax"),
        ("\\h", 1, "escape \\h is not RE2 syntax"),
        ("a\\", 2, "trailing backslash"),
        ("(?x)a", 3, "flag x in (?x is not supported"),
        ("(?R)", 3, "recursion or subroutine call in (?R is not supported"),
        ("(?i-)a", 5, "no flag after -"),
        ("(?-i-s)a", 5, "a second -"),
        ("(a", 1, "missing closing ) for the group"),
        ("a)", 2, "unexpected ) without an opening ("),
        ("[a", 1, "missing closing ] for the class"),
        ("[]", 1, "missing closing ] for the class"),
        ("[z-a]", 2, "invalid character class range z-a"),
        ("[a-\\d]", 2, "invalid character class range"),
        ("[[:foo:]]", 2, "unknown POSIX class [:foo:]"),
        ("[\\b]", 2, "\\b inside [...] is not RE2 syntax"),
        ("\\p{Klingon}", 1, "unknown Unicode class \\p{Klingon}"),
        ("\\x{110000}", 1, "invalid escape \\x{110000}"),
        ("\\xZ1", 1, "invalid escape \\xZ"),
        ("(?P<a-b>x)", 1, "invalid group name \"a-b\""),
        ("\\Qa.b", 1, "\\Q without \\E"),
    ]

    @Test(arguments: refused)
    func refusedPatternsSayWhatAndWhere(pattern: String, position: Int, reason: String) {
        do {
            _ = try RE2Pattern(pattern)
            Issue.record("\(pattern) was accepted")
        } catch {
            #expect(error.position == position, "\(pattern): \(error.description)")
            #expect(error.reason.hasPrefix(reason), "\(pattern): \(error.description)")
        }
    }

    @Test func aRuleFileErrorNamesTheRegexProblem() {
        let text = #"{"rules": [{"name": "r", "selector": "up{path=~\"/api/(?!health)\"}", "detector": {"kind": "ewma"}}]}"#
        #expect(RuleSet.check(Data(text.utf8), file: "r.json").errors.map(\.description) == [
            #"r.json:1: rule "r": selector: "up{path=~\"/api/(?!health)\"}" at column 10: invalid regular expression "/api/(?!health)": negative lookahead (?! is not supported (RE2, which Prometheus uses, has no lookaround) at character 6 of the regex"#,
        ])
    }

    /// The same matches as Prometheus: every accepted pattern's values as series of a
    /// `promtool test rules` unit test, each pattern's selector expected to return exactly the
    /// values it must match. Values with control characters other than `\t \n \r` are left
    /// out (the series notation cannot carry them).
    @Test func promtoolMatchesTheSameValues() throws {
        let promtool = "/usr/bin/promtool"
        guard FileManager.default.isExecutableFile(atPath: promtool) else {
            print("RE2SyntaxTests.promtoolMatchesTheSameValues: skipped, \(promtool) is not installed")
            return
        }
        func quoted(_ value: String) -> String {
            var out = "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\\": out += "\\\\"
                case "\"": out += "\\\""
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return (out + "\"").replacingOccurrences(of: "'", with: "''")
        }
        // Before 3.0, Prometheus compiled `^(?:VALUE)$`, where `.` does not match `\n`; since
        // 3.0 it is `^(?s:VALUE)$`, which aiops follows. Line breaks are checked only against 3.x.
        let modern = try Self.promtoolMajorVersion(promtool) >= 3
        let usable: (String) -> Bool = { value in
            value.unicodeScalars.allSatisfy { $0.value >= 0x20 || $0 == "\t" || (modern && ($0 == "\n" || $0 == "\r")) }
        }
        var series = "", tests = ""
        var checked = 0
        // `(?<name>` needs Go 1.22; Debian's promtool 2.42 predates it (see promtoolAgrees).
        for (index, row) in Self.accepted.enumerated() where !row.0.contains("`") && !row.0.contains("'") && !row.0.contains("(?<") {
            let values = (row.1 + row.2).filter(usable)
            guard !values.isEmpty else { continue }
            checked += 1
            for (j, value) in values.enumerated() {
                series += "      - series: 'm{p=\"\(index)\",j=\"\(j)\",v=\(quoted(value))}'\n        values: '1'\n"
            }
            tests += "      - expr: 'm{p=\"\(index)\",v=~`\(row.0)`}'\n        eval_time: 0m\n        exp_samples:\n"
            for (j, value) in values.enumerated() where row.1.contains(value) {
                let v = value.isEmpty ? "" : ",v=\(quoted(value))"
                tests += "          - labels: 'm{p=\"\(index)\",j=\"\(j)\"\(v)}'\n            value: 1\n"
            }
            if !values.contains(where: row.1.contains) { tests += "          []\n" }
        }
        let yaml = "tests:\n  - interval: 1m\n    input_series:\n" + series + "    promql_expr_test:\n" + tests
            .replacingOccurrences(of: "exp_samples:\n          []\n", with: "exp_samples: []\n")
        let path = NSTemporaryDirectory() + "re2-match-\(UUID().uuidString).yml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["test", "rules", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(checked > 40)
        #expect(process.terminationStatus == 0, "promtool matches differently:\n\(output)")
    }

    /// `2` for `promtool, version 2.42.0+ds (...)`.
    static func promtoolMajorVersion(_ promtool: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let range = output.range(of: "version ") else { return 0 }
        return Int(output[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    /// The same verdicts as Prometheus' own parser, where `promtool` is installed (Debian
    /// `prometheus` package; `.ci/run` installs it): every pattern of both tables in one
    /// rule file, each rule named after its row.
    @Test func promtoolAgrees() throws {
        let promtool = "/usr/bin/promtool"
        guard FileManager.default.isExecutableFile(atPath: promtool) else {
            print("RE2SyntaxTests.promtoolAgrees: skipped, \(promtool) is not installed")
            return
        }
        // Patterns a YAML single-quoted PromQL backtick string can carry (no ` or ').
        var rows: [(pattern: String, accepted: Bool)] = Self.accepted.map { ($0.0, true) } + Self.refused.map { ($0.0, false) }
        rows = rows.filter { !$0.pattern.contains("`") && !$0.pattern.contains("'") && !$0.pattern.contains("\n") }
        var yaml = "groups:\n- name: re2\n  rules:\n"
        for (index, row) in rows.enumerated() {
            yaml += "  - record: r\(index)\n    expr: 'up{a=~`\(row.pattern)`}'\n"
        }
        let path = NSTemporaryDirectory() + "re2-\(UUID().uuidString).yml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "rules", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for (index, row) in rows.enumerated() {
            let refusedByPrometheus = output.contains("\"r\(index)\": could not parse")
            // `(?<name>` is RE2 and Go 1.22+ syntax; Prometheus built with older Go refuses it.
            if row.pattern.contains("(?<other>"), refusedByPrometheus, output.contains("`(?<`") { continue }
            #expect(refusedByPrometheus != row.accepted, "\(row.pattern): promtool \(refusedByPrometheus ? "refuses" : "accepts") it\n\(output)")
        }
    }
}
