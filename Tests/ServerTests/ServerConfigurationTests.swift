import AIOpsCore
import Foundation
import Testing
@testable import Server

@Suite struct ServerConfigurationTests {
    func write(_ json: String) throws -> String {
        let path = NSTemporaryDirectory() + "aiops-config-\(UUID().uuidString).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func loadsWorkspacesWithOverrides() throws {
        let path = try write("""
        {"workspaces": [{"name": "dev-workspace", "plan": "hobby", "token": "0123456789abcdef0123",
          "slack": {"webhookURL": "https://hooks.slack.com/services/T/B/X"},
          "limits": {"samplesPerSecond": 50000, "activeSeries": 20000}},
          {"name": "team-b", "plan": "pro", "token": "fedcba9876543210fedc"}]}
        """)
        let configuration = try ServerConfiguration.load(path: path)
        #expect(configuration.workspaces.count == 2)
        let limits = configuration.workspaces[0].effectiveLimits
        #expect(limits.samplesPerSecond == 50000)
        #expect(limits.burstSamples == 500_000, "a raised rate keeps ten seconds of burst")
        #expect(limits.activeSeries == 20000)
        #expect(limits.labelsPerSeries == Plan.hobby.defaultLimits.labelsPerSeries)
        #expect(configuration.workspaces[1].effectiveLimits == Plan.pro.defaultLimits)
    }

    @Test(arguments: [
        (#"{"workspaces": []}"#, "workspaces", "at least one"),
        (#"{"workspaces": [{"name": "a", "plan": "gold", "token": "0123456789abcdef"}]}"#, "workspaces[0].plan", ""),
        (#"{"workspaces": [{"name": "a", "plan": "pro"}]}"#, "workspaces[0].token", "missing"),
        (#"{"workspaces": [{"name": "a", "plan": "pro", "token": "short"}]}"#, "workspaces[0].token", "16"),
        (#"{"workspaces": [{"name": "A B", "plan": "pro", "token": "0123456789abcdef"}]}"#, "workspaces[0].name", "not a valid name"),
        (#"{"workspaces": [{"name": "damaged", "plan": "pro", "token": "0123456789abcdef"}]}"#, "workspaces[0].name", "reserved"),
        (#"{"workspaces": [{"name": "a", "plan": "pro", "token": "0123456789abcdef"}, {"name": "a", "plan": "pro", "token": "0123456789abcdeg"}]}"#, "workspaces[1].name", "twice"),
        (#"{"workspaces": [{"name": "a", "plan": "pro", "token": "0123456789abcdef"}, {"name": "b", "plan": "pro", "token": "0123456789abcdef"}]}"#, "workspaces[1].token", "twice"),
        (#"{"workspaces": [{"name": "a", "plan": "pro", "token": "0123456789abcdef", "limits": {"activeSeries": "many"}}]}"#, "workspaces[0].limits.activeSeries", ""),
        (#"{"workspaces": [ oops"#, "", ""),
    ])
    func reportsWhereAndWhy(json: String, path: String, reason: String) throws {
        let file = try write(json)
        #expect {
            try ServerConfiguration.load(path: file)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.file == file && error.path == path && (reason.isEmpty || error.reason.contains(reason))
        }
    }

    /// The problem the config reader reports for `json`, as printed.
    func problem(_ json: String) -> String {
        do {
            _ = try ServerConfiguration.parse(Array(json.utf8), file: "aiops.json")
            return ""
        } catch {
            return error.description
        }
    }

    /// The issue's examples, each refused with the file, the line, the key path and what was
    /// expected.
    @Test(arguments: [
        // An unknown key used to be ignored: reports silently went to stdout.
        ("""
        {"workspaces": [
          {"name": "a", "plan": "pro", "token": "0123456789abcdef",
           "slak": {"webhookURL": "https://hooks.slack.com/services/T/B/X"}}
        ]}
        """, #"aiops.json:3: workspaces[0].slak: unknown key (did you mean "slack"?)"#),
        ("{\"workspaces\": [{\"name\": \"a\", \"plan\": \"pro\", \"token\": \"0123456789abcdef\"}],\n \"adminTokn\": \"x\"}",
         #"aiops.json:2: adminTokn: unknown key (did you mean "adminToken"?)"#),
        ("{\"workspaces\": [{\"name\": \"a\", \"plan\": \"pro\", \"token\": \"0123456789abcdef\", \"colour\": 1}]}",
         "aiops.json:1: workspaces[0].colour: unknown key (expected one of name, plan, token, slack, limits, notifications, alertmanagers, remoteWrite, dailySummary, pricing, scaling)"),
        // A trailing comma, which the rule files always refused.
        ("{\"workspaces\": [{\"name\": \"a\", \"plan\": \"pro\", \"token\": \"0123456789abcdef\",}]}",
         #"aiops.json:1: invalid JSON at column 74: trailing comma before "}" (JSON allows none)"#),
        // A bad enum value lists the allowed ones.
        ("{\"workspaces\": [\n{\"name\": \"a\", \"plan\": \"gold\", \"token\": \"0123456789abcdef\"}]}",
         #"aiops.json:2: workspaces[0].plan: expected one of hobby, pro, found "gold""#),
        ("{\"workspaces\": [{\"name\": \"a\", \"plan\": \"Hobby\", \"token\": \"0123456789abcdef\"}]}",
         #"aiops.json:1: workspaces[0].plan: expected one of hobby, pro, found "Hobby" (did you mean "hobby"?)"#),
        // Type errors say which key expected what.
        ("{\"workspaces\": [{\"name\": \"a\", \"plan\": \"pro\", \"token\": \"0123456789abcdef\",\n \"limits\": {\"activeSeries\": 1.5}}]}",
         "aiops.json:2: workspaces[0].limits.activeSeries: expected a whole number of at least 1, found 1.5"),
        ("{\"workspaces\": [{\"name\": \"a\", \"plan\": \"pro\", \"token\": 1234567890123456}]}",
         "aiops.json:1: workspaces[0].token: expected a string, found 1234567890123456"),
        ("{\"notifications\": {\"groupWait\": 30},\n \"workspaces\": [{\"name\": \"a\", \"plan\": \"pro\", \"token\": \"0123456789abcdef\"}]}",
         #"aiops.json:1: notifications.groupWait: expected a duration such as "30s", "5m" or "1h30m", found 30"#),
        ("{\"workspaces\": {}}", "aiops.json:1: workspaces: expected an array of workspace objects, found an object"),
        ("{}", "aiops.json:1: workspaces: missing required key"),
        // Checks after reading name the line too.
        ("{\"workspaces\": [\n{\"name\": \"a\", \"plan\": \"pro\", \"token\": \"0123456789abcdef\"},\n{\"name\": \"a\", \"plan\": \"pro\", \"token\": \"0123456789abcdeg\"}]}",
         #"aiops.json:3: workspaces[1].name: workspace "a" is declared twice"#),
    ])
    func refusesWithFileLineAndKeyPath(json: String, expected: String) {
        #expect(problem(json) == expected)
    }

    @Test func reportsEveryProblemOfOnePass() {
        let text = problem("""
        {"workspaces": [
          {"name": "a", "plan": "gold", "token": "0123456789abcdef",
           "limits": {"activeSeries": -1, "burst": 5}}
        ]}
        """)
        #expect(text == """
        aiops.json:2: workspaces[0].plan: expected one of hobby, pro, found "gold"
        aiops.json:3: workspaces[0].limits.activeSeries: expected a whole number of at least 1, found -1
        aiops.json:3: workspaces[0].limits.burst: unknown key (did you mean "burstSamples"?)
        """)
    }

    /// Every config the project shows or ships stays valid: the README's example and the
    /// fuzz corpus' seeds.
    @Test func documentedConfigsAreValid() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: repo.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Configuration of `aiops serve`"))
        let fence = try #require(readme.range(of: "```json\n", range: section.upperBound..<readme.endIndex))
        let end = try #require(readme.range(of: "```", range: fence.upperBound..<readme.endIndex))
        let example = try ServerConfiguration.parse(Array(readme[fence.upperBound..<end.lowerBound].utf8), file: "README.md")
        #expect(example.workspaces.first?.slack?.webhookURL.hasPrefix("https://hooks.slack.com/") == true)
        #expect(example.notifications?.repeatInterval == .hours(4))
        let corpus = repo.appendingPathComponent("Fuzz/Corpus/config").path
        for name in try FileManager.default.contentsOfDirectory(atPath: corpus) {
            let data = try #require(FileManager.default.contents(atPath: corpus + "/" + name))
            #expect(throws: Never.self, "\(name)") { try ServerConfiguration.parse(Array(data), file: name) }
        }
    }

    @Test func embeddedDefaultKeepsItsTokenAcrossRestarts() throws {
        let dir = NSTemporaryDirectory() + "aiops-data-\(UUID().uuidString)"
        let first = try EmbeddedDefault.configuration(dataDirectory: dir)
        let second = try EmbeddedDefault.configuration(dataDirectory: dir)
        #expect(first.workspaces.count == 1)
        #expect(first.workspaces[0].name == "dev-workspace")
        #expect(first.workspaces[0].plan == .hobby)
        #expect(first.workspaces[0].token.count == 32)
        #expect(first.workspaces[0].token == second.workspaces[0].token)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/dev-workspace.token")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(EmbeddedDefault.randomToken() != EmbeddedDefault.randomToken())
    }
}

@Suite struct TokenBucketTests {
    @Test func refusesOverTheRateAndSaysWhenToRetry() {
        var bucket = TokenBucket(rate: 1000, burst: 2000, now: 0)
        #expect(bucket.take(1500, now: 0) == nil)
        #expect(bucket.take(1000, now: 0) == 1, "500 left, 500 missing at 1000/s: retry after 1 s")
        #expect(bucket.take(1000, now: 500) == nil, "refilled 500 in half a second")
        #expect(bucket.take(1, now: 500) != nil)
        #expect(bucket.take(2000, now: 10_000) == nil, "refill is capped at the burst")
        #expect(bucket.take(10, now: 10_000) != nil)
    }

    @Test func aRequestLargerThanTheBucketPassesWhenFull() {
        var bucket = TokenBucket(rate: 10, burst: 100, now: 0)
        #expect(bucket.take(500, now: 0) == nil)
        let retry = bucket.take(500, now: 1000)
        #expect(retry != nil && retry! >= 10)
    }
}

@Suite struct PrometheusTextWriterTests {
    @Test func writesFamiliesOnceAndEscapes() {
        var writer = PrometheusTextWriter()
        writer.family("aiops_samples_total", .counter, help: "Samples by outcome.")
        writer.sample("aiops_samples_total", ["workspace": "a\"b\\c\nd", "outcome": "appended"], 12)
        writer.family("aiops_samples_total", .counter, help: "Samples by outcome.")
        writer.sample("aiops_samples_total", ["workspace": "x", "outcome": "out_of_order"], 0.5)
        writer.sample("aiops_up", [:], .nan)
        #expect(writer.text == """
        # HELP aiops_samples_total Samples by outcome.
        # TYPE aiops_samples_total counter
        aiops_samples_total{workspace="a\\"b\\\\c\\nd",outcome="appended"} 12
        aiops_samples_total{workspace="x",outcome="out_of_order"} 0.5
        aiops_up NaN

        """)
    }
}
