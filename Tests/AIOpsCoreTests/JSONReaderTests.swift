import AIOpsCore
import Testing

@Suite struct JSONReaderTests {
    func parse(_ text: String) throws -> JSONNode { try JSONParser.parse(Array(text.utf8)) }

    @Test func nodesKnowTheirLineAndColumn() throws {
        let root = try parse("{\n  \"a\": [1,\n    true]}")
        let a = try #require(root.member("a"))
        #expect((a.line, a.column) == (2, 3))
        guard case .array(let elements) = a.value.value else { Issue.record("not an array"); return }
        #expect((elements[1].line, elements[1].column) == (3, 5))
    }

    @Test func trailingCommasAreRefusedWithTheReason() {
        #expect(throws: JSONSyntaxError(line: 1, column: 9, reason: "trailing comma before \"}\" (JSON allows none)")) { try parse("{\"a\": 1,}") }
        #expect(throws: JSONSyntaxError(line: 2, column: 1, reason: "trailing comma before \"]\" (JSON allows none)")) { try parse("[1,\n]") }
    }

    @Test func collectsEveryProblemWithPathAndLine() throws {
        let root = try parse("""
        {"name": 5,
         "count": 2.5,
         "mode": "fsat",
         "wait": "10",
         "flag": "yes",
         "extra": null}
        """)
        var reader = JSONReader()
        let members = reader.object(root, "", known: ["name", "count", "mode", "wait", "flag"])
        for member in members ?? [] {
            switch member.key {
            case "name": _ = reader.string(member.value, member.key)
            case "count": _ = reader.integer(member.value, member.key, in: 0...10)
            case "mode": _ = reader.choice(member.value, member.key, Mode.self)
            case "wait": _ = reader.duration(member.value, member.key)
            default: _ = reader.bool(member.value, member.key)
            }
        }
        _ = reader.required("missing", of: root, "")
        #expect(reader.errors.map { "\($0.line): \($0)" } == [
            "6: extra: unknown key (expected one of name, count, mode, wait, flag)",
            "1: name: expected a string, found 5",
            "2: count: expected a whole number from 0 to 10, found 2.5",
            #"3: mode: expected one of slow, fast, found "fsat" (did you mean "fast"?)"#,
            #"4: wait: expected a duration such as "30s", "5m" or "1h30m", found "10""#,
            #"5: flag: expected true or false, found "yes""#,
            "1: missing: missing required key",
        ])
    }

    enum Mode: String, CaseIterable { case slow, fast }

    @Test(arguments: [
        ("slak", "slack", " (did you mean \"slack\"?)"),
        ("fro", "for", " (did you mean \"for\"?)"),
        ("matchon", "matchOn", " (did you mean \"matchOn\"?)"),
        ("repeat", "repeatInterval", " (did you mean \"repeatInterval\"?)"),
        ("url", "for", ""),
        ("colour", "limit", ""),
    ])
    func suggestions(word: String, known: String, expected: String) {
        #expect(JSONReader.suggestion(word, [known, "severity"]) == expected)
    }

    @Test func editDistanceCountsASwapAsOneEdit() {
        #expect(JSONReader.editDistance("fro", "for") == 1)
        #expect(JSONReader.editDistance("kitten", "sitting") == 3)
        #expect(JSONReader.editDistance("", "abc") == 3)
    }
}
