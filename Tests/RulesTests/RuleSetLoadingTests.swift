import AIOpsCore
import Detectors
import Foundation
import Testing
@testable import Rules

/// The shipped `rules/` folder, found from this file's path (Tests/RulesTests/ -> repo root).
let shippedRulesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("rules").path

/// A fresh temporary directory, removed by `body`'s end.
private func withTemporaryDirectory<T>(_ body: (String) throws -> T) rethrows -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rules-test-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

private func write(_ text: String, to path: String) {
    let created = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    precondition(created, "cannot create \(path)")
}

private let validFile = """
{"rules": [
  {"name": "a", "selector": "up", "detector": {"kind": "ewma"}},
  {"name": "b", "selector": "down", "detector": {"kind": "ewma"}}
]}
"""

struct ShippedRulesTests {
    @Test func shippedRulesLoadWithoutErrors() throws {
        let result = RuleSet.check(directory: shippedRulesDirectory)
        #expect(result.errors.isEmpty, "\(result.errors.map(\.description))")
        let set = try #require(result.ruleSet)
        #expect(set.rules.map(\.name).sorted() == [
            "container-memory-leak", "cpu-daily-pattern-break", "disk-filling", "http-error-rate-spike",
            "http-latency-spike", "nodejs-heap-leak", "process-memory-leak", "request-rate-drop",
        ])
        for rule in set.rules {
            #expect(!rule.advice.steps.isEmpty, "\(rule.name) has steps")
            #expect(rule.advice.runbookURL == nil, "\(rule.name) links no made-up runbook site")
        }
    }

    /// The table every other module's fixtures rely on.
    @Test func shippedRulesMatchTheAgreedTable() throws {
        let set = try RuleSet.load(directory: shippedRulesDirectory)
        struct Row {
            var name: String
            var selector: String
            var kind: DetectorKind
            /// nil: the file does not say (the pipeline rates counters, scores the rest raw).
            var transform: SeriesTransform?
            var severity: Severity
            var forDuration: PromDuration
            var resolveAfter: PromDuration
            var limit: LimitSpec?
        }
        let containerLimit = LimitSpec(series: "container_spec_memory_limit_bytes", matchOn: ["namespace", "pod", "container"])
        let table: [Row] = [
            Row(name: "container-memory-leak", selector: "container_memory_working_set_bytes{container!=\"\", container!=\"POD\"}", kind: .leak, transform: nil, severity: .critical, forDuration: .minutes(15), resolveAfter: .minutes(15), limit: containerLimit),
            Row(name: "process-memory-leak", selector: "process_resident_memory_bytes", kind: .leak, transform: nil, severity: .warning, forDuration: .minutes(15), resolveAfter: .minutes(15), limit: nil),
            Row(name: "nodejs-heap-leak", selector: "nodejs_heap_size_used_bytes", kind: .leak, transform: nil, severity: .warning, forDuration: .minutes(15), resolveAfter: .minutes(15), limit: nil),
            Row(name: "http-latency-spike", selector: "http_request_duration_seconds{quantile=~\"0.9|0.95|0.99\"}", kind: .ewma, transform: nil, severity: .warning, forDuration: .minutes(5), resolveAfter: .minutes(10), limit: nil),
            Row(name: "http-error-rate-spike", selector: "http_requests_total{code=~\"5..\"}", kind: .seasonal, transform: .rate, severity: .critical, forDuration: .minutes(5), resolveAfter: .minutes(10), limit: nil),
            Row(name: "request-rate-drop", selector: "http_requests_total{code!~\"5..\"}", kind: .ewma, transform: .rate, severity: .critical, forDuration: .minutes(5), resolveAfter: .minutes(10), limit: nil),
            Row(name: "cpu-daily-pattern-break", selector: "container_cpu_usage_seconds_total{container!=\"\"}", kind: .seasonal, transform: .rate, severity: .warning, forDuration: .minutes(10), resolveAfter: .minutes(15), limit: nil),
            Row(name: "disk-filling", selector: "node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay|squashfs\"}", kind: .leak, transform: nil, severity: .critical, forDuration: .minutes(30), resolveAfter: .minutes(30), limit: LimitSpec(value: 0)),
        ]
        for row in table {
            let rule = try #require(set.rule(named: row.name))
            #expect(rule.selector.text == row.selector, "\(row.name)")
            #expect(rule.detector.kind == row.kind, "\(row.name)")
            #expect(rule.transform == row.transform, "\(row.name)")
            #expect(rule.severity == row.severity, "\(row.name)")
            #expect(rule.forDuration == row.forDuration, "\(row.name)")
            #expect(rule.resolveAfter == row.resolveAfter, "\(row.name)")
            #expect(rule.limit == row.limit, "\(row.name)")
        }
    }

    @Test func shippedRulesSelectTheSeriesTheyAreFor() throws {
        let set = try RuleSet.load(directory: shippedRulesDirectory)
        func names(_ labels: Labels) -> [String] { set.matching(labels).map { set.rules[$0].name } }
        #expect(names(Labels(metric: "container_memory_working_set_bytes", ["namespace": "shop", "pod": "cart-1", "container": "cart"])) == ["container-memory-leak"])
        #expect(names(Labels(metric: "container_memory_working_set_bytes", ["pod": "cart-1", "container": "POD"])) == [])
        #expect(names(Labels(metric: "container_memory_working_set_bytes", ["pod": "cart-1"])) == [])
        #expect(names(Labels(metric: "http_requests_total", ["code": "503"])) == ["http-error-rate-spike"])
        #expect(names(Labels(metric: "http_requests_total", ["code": "200"])) == ["request-rate-drop"])
        #expect(names(Labels(metric: "http_request_duration_seconds", ["quantile": "0.99"])) == ["http-latency-spike"])
        #expect(names(Labels(metric: "http_request_duration_seconds", ["quantile": "0.5"])) == [])
        #expect(names(Labels(metric: "node_filesystem_avail_bytes", ["fstype": "ext4", "mountpoint": "/"])) == ["disk-filling"])
        #expect(names(Labels(metric: "node_filesystem_avail_bytes", ["fstype": "tmpfs"])) == [])
        #expect(names(Labels(metric: "container_cpu_usage_seconds_total", ["container": "api"])) == ["cpu-daily-pattern-break"])
    }
}

struct RuleDirectoryTests {
    @Test func loadsOnlyJSONFilesInNameOrder() throws {
        try withTemporaryDirectory { dir in
            write("{\"rules\": [{\"name\": \"z\", \"selector\": \"zz\", \"detector\": {\"kind\": \"ewma\"}}]}", to: dir + "/b.json")
            write(validFile, to: dir + "/a.json")
            write("not json at all", to: dir + "/README.md")
            write("not json either", to: dir + "/.editor-backup.json")
            try FileManager.default.createDirectory(atPath: dir + "/old.json", withIntermediateDirectories: false)
            let set = try RuleSet.load(directory: dir)
            #expect(set.rules.map(\.name) == ["a", "b", "z"])
            #expect(set.rules.map(\.source) == [dir + "/a.json", dir + "/a.json", dir + "/b.json"])
            // A trailing slash gives the same file names.
            #expect(try RuleSet.load(directory: dir + "/").rules.map(\.source) == set.rules.map(\.source))
        }
    }

    @Test func collectsErrorsOfEveryFile() {
        withTemporaryDirectory { dir in
            write("{\"rules\": [\n{\"name\": \"a\", \"selector\": \"up\", \"detector\": {\"kind\": \"ewma\"}, \"threshold\": 3}]}", to: dir + "/1.json")
            write("{\"rules\": [\n\n{\"name\": \"b\",, }]}", to: dir + "/2.json")
            write("{\"rules\": [{\"name\": \"a\", \"selector\": \"up\", \"detector\": {\"kind\": \"ewma\"}}]}", to: dir + "/3.json")
            write(validFile.replacingOccurrences(of: "\"a\"", with: "\"c\"").replacingOccurrences(of: "\"b\"", with: "\"d\""), to: dir + "/4.json")
            let result = RuleSet.check(directory: dir)
            #expect(result.ruleSet == nil)
            #expect(result.errors.map(\.description) == [
                "\(dir)/1.json:2: rule \"a\": threshold: expected a number in (0, 1], found 3",
                "\(dir)/2.json:3: invalid JSON at column 14: expected a quoted key, found \",\"",
                "\(dir)/3.json:1: rule \"a\": duplicate rule name (first defined at \(dir)/1.json:2)",
            ])
            #expect(throws: result.errors[0]) { try RuleSet.load(directory: dir) }
        }
    }

    @Test func duplicateAcrossFilesInADirectory() {
        withTemporaryDirectory { dir in
            write(validFile, to: dir + "/a.json")
            write("{\"rules\": [\n {\"name\": \"b\", \"selector\": \"x\", \"detector\": {\"kind\": \"ewma\"}}]}", to: dir + "/b.json")
            #expect(RuleSet.check(directory: dir).errors == [
                RuleError(file: dir + "/b.json", line: 2, rule: "b", reason: "duplicate rule name (first defined at \(dir)/a.json:3)"),
            ])
        }
    }

    @Test func directoryWithoutRuleFilesIsAnError() {
        withTemporaryDirectory { dir in
            write("# notes", to: dir + "/README.md")
            #expect(RuleSet.check(directory: dir).errors == [RuleError(file: dir, reason: "no rule files (*.json) in the directory")])
        }
    }

    @Test func missingOrWrongKindOfPath() {
        withTemporaryDirectory { dir in
            let missing = dir + "/nope"
            #expect(RuleSet.check(directory: missing).errors == [RuleError(file: missing, reason: "no such directory")])
            #expect(RuleSet.check(file: missing).errors == [RuleError(file: missing, reason: "no such file")])
            write(validFile, to: dir + "/a.json")
            #expect(RuleSet.check(directory: dir + "/a.json").errors == [RuleError(file: dir + "/a.json", reason: "not a directory")])
            // `path:` takes either.
            #expect((try? RuleSet.load(path: dir + "/a.json"))?.rules.count == 2)
            #expect((try? RuleSet.load(path: dir))?.rules.count == 2)
            #expect((try? RuleSet.load(file: dir + "/a.json"))?.rules.count == 2)
        }
    }

    @Test(.enabled(if: getuid() != 0, "root reads every directory"))
    func unreadableDirectory() {
        withTemporaryDirectory { dir in
            let locked = dir + "/locked"
            try! FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            chmod(locked, 0)
            defer { chmod(locked, 0o755) }
            #expect(RuleSet.check(directory: locked).errors == [RuleError(file: locked, reason: "cannot read directory (permission denied?)")])
        }
    }
}

struct ReadmeExampleTests {
    /// The example in `rules/README.md` must stay a valid rule file.
    @Test func readmeExampleParses() throws {
        let readme = try String(contentsOfFile: shippedRulesDirectory + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "```json\n"))
        let end = try #require(readme.range(of: "\n```", range: start.upperBound..<readme.endIndex))
        let set = try RuleSet.parse(String(readme[start.upperBound..<end.lowerBound]), file: "README.md")
        #expect(set.rules.map(\.name) == ["container-memory-leak"])
        #expect(set.rules.first?.notify?.sendResolved == true)
    }
}
