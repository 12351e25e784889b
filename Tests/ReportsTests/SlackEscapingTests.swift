import AIOpsCore
import Incidents
import Rules
import Testing
@testable import Reports

/// Every `&` of escaped text starts a whole entity.
func hasOnlyWholeEntities(_ text: String) -> Bool {
    var rest = Substring(text)
    while let amp = rest.firstIndex(of: "&") {
        let tail = rest[amp...]
        guard tail.hasPrefix("&amp;") || tail.hasPrefix("&lt;") || tail.hasPrefix("&gt;") else { return false }
        rest = rest[rest.index(after: amp)...]
    }
    return true
}

@Suite struct SlackEscapingTests {
    static let hostileValues = ["<!channel>", "<@U123|x>", "a & b", "<https://evil|click>"]
    static let goodRunbook = "https://runbooks.example.com/ok"

    static func hostile(_ pod: String = "<@U123|x>", runbook: String? = goodRunbook) -> Incident {
        var incident = TestIncidents.leak()
        incident.rule = "<!channel>-rule"
        incident.id = "<!everyone>"
        incident.labels = Labels([
            "__name__": "evil_<!here>_bytes", "namespace": "<!channel>", "pod": pod,
            "container": "a & b", "job": "<https://evil|click>", "x<y>": "<!subteam^ID>",
        ])
        incident.advice = RenderedAdvice(
            summary: "Pod \(pod) in <!channel> & <https://evil|click> leaks.",
            steps: ["Restart <@U123|x>.", "Page <!channel> & read <https://evil|click>."],
            runbookURL: runbook
        )
        incident.resolution = "<!channel>"
        return incident
    }

    /// No `<` or `>` anywhere except the one allowed runbook link, and every `&` is an entity.
    func expectNoInjection(_ message: SlackMessage, allowedLink: String? = "<\(goodRunbook)|Runbook>", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let json = try message.jsonString()
        for raw in ["<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U123", "<https://evil", "|click>"] {
            #expect(!json.contains(raw), "\(raw) unescaped", sourceLocation: sourceLocation)
        }
        for text in [message.text] + message.textObjects.map(\.text) {
            var rest = text
            if let allowedLink { rest = rest.replacingOccurrences(of: allowedLink, with: "") }
            #expect(!rest.contains("<") && !rest.contains(">"), "\(text)", sourceLocation: sourceLocation)
            #expect(hasOnlyWholeEntities(text), "\(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func firingEscapesLabelsMetricRuleAdviceAndWorkspace() throws {
        let message = SlackReportBuilder().firing(Self.hostile(), workspace: "<!channel>", now: TestIncidents.now)
        try expectNoInjection(message)
        // The escaped forms are there: the values are shown, not dropped.
        let json = try message.jsonString()
        #expect(json.contains("&lt;!channel&gt;"))
        #expect(json.contains("&lt;@U123|x&gt;"))
        #expect(json.contains("a &amp; b"))
        #expect(json.contains("&lt;https://evil|click&gt;"))
        #expect(json.contains("x&lt;y&gt;=&lt;!subteam^ID&gt;"))
        #expect(json.contains("<\(Self.goodRunbook)|Runbook>"))
    }

    @Test func resolvedAndGroupedEscapeToo() throws {
        let builder = SlackReportBuilder()
        var resolved = Self.hostile()
        resolved.phase = .resolved
        resolved.end = TestIncidents.now
        try expectNoInjection(builder.resolved(resolved, workspace: "<!here>", now: TestIncidents.now), allowedLink: nil)
        let group = Self.hostileValues.map { Self.hostile($0) }
        try expectNoInjection(builder.grouped(group, workspace: "<@U1>", now: TestIncidents.now))
        // Several metrics and rules: the lines carry them, escaped.
        var mixed = group
        mixed[1].rule = "<!here>"
        mixed[2].labels = mixed[2].labels.setting("__name__", to: "<!everyone>")
        try expectNoInjection(builder.grouped(mixed, workspace: "w", now: TestIncidents.now))
    }

    @Test func hostileRunbookIsShownAsTextNotALink() throws {
        let message = SlackReportBuilder().firing(Self.hostile(runbook: "https://evil.example|<!channel>"), workspace: "w", now: TestIncidents.now)
        try expectNoInjection(message, allowedLink: nil)
        #expect(try message.jsonString().contains("Runbook: https://evil.example|&lt;!channel&gt;"))
    }

    @Test(arguments: [
        ("https://runbooks.example.com/a", "<https://runbooks.example.com/a|Runbook>"),
        ("http://x.example/a?b=1&c=2", "<http://x.example/a?b=1&amp;c=2|Runbook>"),
        ("HTTPS://X.EXAMPLE/A", "<HTTPS://X.EXAMPLE/A|Runbook>"),
    ])
    func safeURLsBecomeLinks(url: String, link: String) {
        #expect(SlackMrkdwn.link(url, label: "Runbook") == link)
    }

    @Test(arguments: [
        "https://x.example|y", "https://x.example/<!channel>", "https://x.example/a>b", "https://x.example/ a",
        "https://x.example/\na", "javascript:alert(1)", "ftp://x.example", "https://", "x.example/a", "",
        "https://x.example/\u{7}",
    ])
    func unsafeURLsAreNotLinks(url: String) {
        #expect(SlackMrkdwn.link(url, label: "Runbook") == nil)
    }

    @Test(arguments: [
        ("plain", "plain"), ("a&b", "a&amp;b"), ("<!channel>", "&lt;!channel&gt;"),
        ("&amp;", "&amp;amp;"), ("é<😀>", "é&lt;😀&gt;"),
    ])
    func escapeTable(raw: String, escaped: String) {
        #expect(SlackMrkdwn.escape(raw) == escaped)
    }

    @Test func truncationCountsCharactersNotBytes() {
        #expect(SlackMrkdwn.truncate("ééééé", to: 5) == "ééééé")  // 10 UTF-8 bytes, 5 characters
        #expect(SlackMrkdwn.truncate("ééééé", to: 4) == "ééé…")
        #expect(SlackMrkdwn.truncate("abc", to: 0) == "")
        #expect(SlackMrkdwn.truncate("abc", to: 1) == "…")
    }

    @Test func truncationNeverSplitsACharacter() {
        let decomposed = String(repeating: "e\u{301}", count: 5)  // one Character, two scalars each
        let cut = SlackMrkdwn.truncate(decomposed, to: 5)
        #expect(cut == "e\u{301}e\u{301}…")
        #expect(cut.unicodeScalars.count <= 5)
        let emoji = SlackMrkdwn.truncate("👍👍👍", to: 4)  // two UTF-16 units each
        #expect(emoji == "👍…")
    }

    @Test func truncationNeverCutsAnEscapeSequence() {
        let escaped = SlackMrkdwn.escape("a<b&c>d <!channel> & more & <@U1>")
        for limit in 1...SlackMrkdwn.length(escaped) + 1 {
            let cut = SlackMrkdwn.truncate(escaped, to: limit)
            #expect(SlackMrkdwn.length(cut) <= limit)
            #expect(hasOnlyWholeEntities(cut), "limit \(limit): \(cut)")
            #expect(escaped.hasPrefix(cut.hasSuffix("…") ? String(cut.dropLast()) : cut))
            #expect(cut.hasSuffix("…") == (limit < SlackMrkdwn.length(escaped)))
        }
        #expect(SlackMrkdwn.truncate("ab&amp;cd", to: 5) == "ab…")
        #expect(SlackMrkdwn.truncate("ab&amp;cd", to: 8) == "ab&amp;…")
    }
}
