import AIOpsCore
import Foundation
import RemoteWrite
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `aiops serve` as an operator runs it (the built binary, as a child process): SIGHUP reloads
/// the config and rules, a bad file is refused while the process keeps serving, log lines are
/// JSON with `--log.format json`, `--web.listen-address` works, and the embedded workspace's
/// token is printed only when it is created.
@Suite(.serialized) struct ServeProcessTests {
    final class Child {
        let process = Process()
        let port: Int
        let stdoutPath: String
        let stderrPath: String

        init(binary: String, directory: String, name: String, arguments: [String]) throws {
            port = PrometheusEndToEndProcess.freeLoopbackPort() ?? 0
            stdoutPath = "\(directory)/\(name).out"
            stderrPath = "\(directory)/\(name).err"
            FileManager.default.createFile(atPath: stdoutPath, contents: nil)
            FileManager.default.createFile(atPath: stderrPath, contents: nil)
            let out = FileHandle(forWritingAtPath: stdoutPath)!
            let err = FileHandle(forWritingAtPath: stderrPath)!
            defer { try? out.close(); try? err.close() }
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["serve", "--web.listen-address", "127.0.0.1:\(port)", "--snapshot-interval", "0", "--threads", "1"] + arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = out
            process.standardError = err
            try process.run()
        }

        var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        func waitReady() -> Bool {
            wait { (try? TestClient(port: self.port).get("/-/ready", token: nil))?.status == 200 }
        }

        /// Polls `condition` every 50 ms for up to 30 s while the process runs.
        func wait(_ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline && process.isRunning {
                if condition() { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }

        func signal(_ number: Int32) {
            kill(process.processIdentifier, number)
        }

        func stop() -> Int32 {
            if process.isRunning { signal(SIGTERM) }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    static let adminToken = "admin-0123456789abcdef"

    static func config(planA: String, withB: Bool) -> String {
        var workspaces = [#"{"name": "team-a", "plan": "\#(planA)", "token": "\#(TestServer.tokenA)"}"#]
        if withB { workspaces.append(#"{"name": "team-b", "plan": "hobby", "token": "\#(TestServer.tokenB)"}"#) }
        return #"{"adminToken": "\#(adminToken)", "workspaces": [\#(workspaces.joined(separator: ", "))]}"#
    }

    @Test(.enabled(if: KillRestartTests.binary != nil, "needs the aiops binary (swift test builds it)"))
    func sighupReloadsARunningServeProcess() throws {
        let binary = try #require(KillRestartTests.binary)
        let directory = NSTemporaryDirectory() + "aiops-sighup-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/rules", withIntermediateDirectories: true)
        try TestServer.rulesJSON.write(toFile: directory + "/rules/test.json", atomically: true, encoding: .utf8)
        try Self.config(planA: "hobby", withB: false).write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)

        let child = try Child(binary: binary, directory: directory, name: "serve", arguments: [
            "--data", directory + "/data", "--config", directory + "/config.json", "--rules", directory + "/rules", "--log.format", "json"])
        defer { _ = child.stop() }
        try #require(child.waitReady(), "not ready\n\(child.stderr)")
        let client = TestClient(port: child.port)
        let now = SystemClock().now()
        #expect(try client.write([queue("payments", [(now - 60_000, 40), (now - 30_000, 41)])]).status == 204)
        #expect(try client.write([queue("orders", [(now, 1)])], token: TestServer.tokenB).status == 401)

        // team-a to Pro, team-b added, one more rule: SIGHUP.
        try Self.config(planA: "pro", withB: true).write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        try TestServer.rulesJSON.replacingOccurrences(of: "\n]}", with: #"""
        ,
          {"name": "queue-low", "selector": "queue_depth", "detector": {"kind": "ewma", "direction": "down"}}
        ]}
        """#).write(toFile: directory + "/rules/test.json", atomically: true, encoding: .utf8)
        child.signal(SIGHUP)
        #expect(child.wait { child.stderr.contains("configuration and rules reloaded: 2 workspace(s), 2 rule(s)") }, "\(child.stderr)")
        #expect(child.process.isRunning, "SIGHUP reloads; it does not stop the process")
        #expect(try client.write([queue("orders", [(now, 1)])], token: TestServer.tokenB).status == 204)
        var metrics = try client.get("/metrics", token: Self.adminToken).bodyText
        #expect(metrics.contains("aiops_config_last_reload_successful 1"), "\(metrics)")
        #expect(metrics.contains("aiops_active_series{workspace=\"team-a\"} 1"), "team-a kept its series: \(metrics)")

        // A rule file with an error: refused, with the error logged; the process keeps serving.
        try #"{"rules": [{"name": "broken", "selector": "queue_depth{", "detector": {"kind": "ewma"}}]}"#
            .write(toFile: directory + "/rules/test.json", atomically: true, encoding: .utf8)
        child.signal(SIGHUP)
        #expect(child.wait { child.stderr.contains("reload refused") }, "\(child.stderr)")
        #expect(child.stderr.contains(directory + "/rules/test.json:1: rule \\\"broken\\\""), "the error names the file and line: \(child.stderr)")
        metrics = try client.get("/metrics", token: Self.adminToken).bodyText
        #expect(metrics.contains("aiops_config_last_reload_successful 0"), "\(metrics)")
        #expect(try client.write([queue("orders", [(now + 1000, 2)])], token: TestServer.tokenB).status == 204, "the running configuration stays")

        #expect(child.stop() == 0)
        // Every line of standard error is one JSON object with a timestamp and a level.
        let lines = child.stderr.split(separator: "\n")
        #expect(lines.count >= 5)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            let ts = object?["ts"] ?? ""
            #expect(ts.count == 24 && ts.hasSuffix("Z") && TimeFormat.parse(Substring(ts)) != nil, "\(line)")
            #expect(["debug", "info", "warn", "error"].contains(object?["level"] ?? ""), "\(line)")
        }
        #expect(!child.stderr.contains(TestServer.tokenA) && !child.stderr.contains(Self.adminToken), "no token in the logs")
    }

    @Test(.enabled(if: KillRestartTests.binary != nil, "needs the aiops binary (swift test builds it)"))
    func theEmbeddedTokenIsPrintedOnlyWhenCreated() throws {
        let binary = try #require(KillRestartTests.binary)
        let directory = NSTemporaryDirectory() + "aiops-token-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/rules", withIntermediateDirectories: true)
        try TestServer.rulesJSON.write(toFile: directory + "/rules/test.json", atomically: true, encoding: .utf8)
        let arguments = ["--data", directory + "/data", "--rules", directory + "/rules"]

        let first = try Child(binary: binary, directory: directory, name: "first", arguments: arguments)
        try #require(first.waitReady(), "not ready\n\(first.stderr)")
        #expect(first.stop() == 0)
        let token = try String(contentsOfFile: directory + "/data/dev-workspace.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count == 32)
        #expect(first.stdout.contains("credentials: \(token)"), "printed when created:\n\(first.stdout)")

        let second = try Child(binary: binary, directory: directory, name: "second", arguments: arguments)
        try #require(second.waitReady(), "not ready\n\(second.stderr)")
        #expect(second.stop() == 0)
        #expect(!second.stdout.contains(token) && !second.stderr.contains(token), "never again")
        #expect(second.stdout.contains("credentials_file: "), "\(second.stdout)")
        #expect(second.stderr.contains("its token is kept in \(directory)/data/dev-workspace.token (not printed)"), "\(second.stderr)")
        // logfmt by default: every line starts with a timestamp.
        #expect(second.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("ts=") && $0.contains(" level=") }, "\(second.stderr)")
    }
}
