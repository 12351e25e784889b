import Delivery
import Foundation
import Testing
@testable import Replay

/// The built `aiops` binary, run by path: `.build/debug/aiops` of this checkout.
enum AIOpsBinary {
    static let path = FixtureReplayTests.root.appendingPathComponent(".build/debug/aiops").path

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `aiops` with `arguments`; output goes through files so a full pipe cannot stall it.
    static func run(_ arguments: [String]) throws -> Run {
        let directory = NSTemporaryDirectory() + "aiops-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outPath = directory + "/out", errPath = directory + "/err"
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
              FileManager.default.createFile(atPath: errPath, contents: nil)
        else { throw CocoaError(.fileWriteUnknown) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Built, and recent enough to know the Slack options (a stale binary is skipped, not failed).
    static let available: Bool = {
        guard FileManager.default.isExecutableFile(atPath: path), let help = try? run(["replay", "--help"]) else { return false }
        return help.stdout.contains("--slack-dry-run")
    }()
}

/// `aiops replay --slack-dry-run / --slack` as a user runs it. Skipped when the binary is not built.
@Suite(.enabled(if: AIOpsBinary.available, "needs .build/debug/aiops with the Slack options (swift build)"))
struct ReplayCommandTests {
    static let rules = FixtureReplayTests.root.appendingPathComponent("rules").path
    static let secret = "SECRETtoken"

    /// The heap series of the Node.js leak, first 90 minutes: one incident, one message.
    static let heapFile: String = {
        let source = (try? String(contentsOfFile: SlackReplayTests.fixture, encoding: .utf8)) ?? ""
        let start: Int64 = 1_772_409_600_000
        let lines = source.split(separator: "\n").filter { line in
            guard line.contains("nodejs_heap_size_used_bytes") else { return false }
            return line.hasPrefix("#") || (Int64(line.split(separator: " ").last ?? "") ?? .max) < start + 90 * 60_000
        }
        // A fixed name: rewritten (atomically, same content) by each run instead of piling up.
        let path = NSTemporaryDirectory() + "aiops-replay-tests-heap-leak-90m.prom"
        try? (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    /// What the dry run of `path` prints, computed through the module API.
    static func expectedPayloads(_ path: String) throws -> [String] {
        let ruleSet = try FixtureReplayTests.rules()
        let slack = SlackReplay(rules: ruleSet)
        return slack.payloadLines(try slack.replay(path: path, replayer: Replayer(rules: ruleSet)).batches)
    }

    @Test func dryRunPrintsEachPayloadOnALine() throws {
        let run = try AIOpsBinary.run(["replay", SlackReplayTests.fixture, "--rules", Self.rules, "--slack-dry-run"])
        #expect(run.status == 0)
        let expected = try Self.expectedPayloads(SlackReplayTests.fixture)
        #expect(run.stdout == expected.map { $0 + "\n" }.joined())
        #expect(run.stderr == "slack dry run: \(expected.count) payloads\n")
    }

    @Test func postsToAnAllowedLoopbackReceiverAndWaits() throws {
        let server = try FakeSlackServer()
        defer { server.stop() }
        let run = try AIOpsBinary.run([
            "replay", Self.heapFile, "--rules", Self.rules, "--format", "json",
            "--slack", server.url(), "--allow-webhook-host", "127.0.0.1",
        ])
        #expect(run.status == 0)
        let expected = try Self.expectedPayloads(Self.heapFile)
        #expect(expected.count == 1)
        #expect(server.requests.map(\.body) == expected)
        #expect(run.stdout.split(separator: "\n").count == 1 && run.stdout.contains(#""rule":"nodejs-heap-leak""#))
        #expect(run.stderr.hasSuffix("slack: 1 notification delivered\n"))
        #expect(!(run.stdout + run.stderr).contains(Self.secret))
    }

    /// `--slack @FILE`: the URL comes from a file (surrounding whitespace ignored), never from argv.
    @Test func readsTheWebhookURLFromAFile() throws {
        let server = try FakeSlackServer()
        defer { server.stop() }
        let file = NSTemporaryDirectory() + "aiops-webhook-\(UUID().uuidString)"
        try ("  " + server.url() + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = try AIOpsBinary.run([
            "replay", Self.heapFile, "--rules", Self.rules, "--quiet",
            "--slack", "@" + file, "--allow-webhook-host", "127.0.0.1",
        ])
        #expect(run.status == 0)
        #expect(server.requests.count == 1)
        #expect(!(run.stdout + run.stderr).contains(Self.secret))
    }

    @Test func givenUpNotificationExitsOneWithTheReasonNotTheURL() throws {
        let server = try FakeSlackServer(script: [.respond(status: 404, body: "no_service")])
        defer { server.stop() }
        let run = try AIOpsBinary.run([
            "replay", Self.heapFile, "--rules", Self.rules, "--quiet",
            "--slack", server.url(), "--allow-webhook-host", "127.0.0.1",
        ])
        #expect(run.status == 1)
        #expect(server.requests.count == 1)
        #expect(run.stderr.contains("aiops: slack: 1 of 1 notification was not delivered (no_service: 1)"))
        #expect(!(run.stdout + run.stderr).contains(Self.secret))
        #expect(!(run.stdout + run.stderr).contains("B000"))
    }

    @Test(arguments: [
        (["--slack", "http://127.0.0.1:9/services/T000/B000/SECRETtoken"], "host 127.0.0.1 is not allowed"),
        (["--slack", "https://hooks.slack.com.evil.example/services/T000/B000/SECRETtoken"], "is not allowed"),
        (["--slack", "hooks.slack.com/services/T000/B000/SECRETtoken"], "not an absolute URL"),
        (["--slack", "https://hooks.slack.com/services/T000/B000/SECRETtoken?x=1"], "query or fragment not allowed"),
        (["--slack-dry-run", "https://hooks.slack.com/services/T000/B000/SECRETtoken"], "looks like a URL"),
        (["--slack", "https://hooks.slack.com/services/T000/B000/SECRETtoken", "--slack-dry-run"], "cannot be combined"),
        (["--slack-dry-run", "--format", "json"], "cannot be combined with --format"),
        (["--allow-webhook-host", "127.0.0.1"], "only applies to --slack"),
        (["--slack", "@/nonexistent/aiops-webhook"], "--slack @/nonexistent/aiops-webhook: cannot read the file"),
        (["--slack", "@/dev/null"], "the file is empty"),
    ])
    func usageErrorsNeverShowTheURL(arguments: [String], message: String) throws {
        let run = try AIOpsBinary.run(["replay", Self.heapFile, "--rules", Self.rules] + arguments)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains(message))
        #expect(!run.stderr.contains(Self.secret) && !run.stderr.contains("B000"))
    }
}
