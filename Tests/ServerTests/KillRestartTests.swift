import AIOpsCore
import Foundation
import RemoteWrite
import Snapshots
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `aiops serve` (the built binary, as a child process) killed with SIGKILL at random moments
/// while it ingests and snapshots every second: each start finds an intact snapshot (never a
/// half one, nothing in `damaged/`), says what it loaded, and serves the series again.
/// Scores after a restore equal an uninterrupted run's: `SnapshotTests` in SnapshotsTests.
@Suite struct KillRestartTests {
    /// `aiops` beside the test bundle (`swift test` builds it), else `.build/debug/aiops`.
    static var binary: String? {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("aiops").path
        for candidate in [beside, FileManager.default.currentDirectoryPath + "/.build/debug/aiops"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }

    final class Child {
        let process = Process()
        let port: Int
        let logPath: String

        init(binary: String, directory: String, cycle: Int) throws {
            port = PrometheusEndToEndProcess.freeLoopbackPort() ?? 0
            logPath = "\(directory)/serve-\(cycle).log"
            FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = FileHandle(forWritingAtPath: logPath)!
            defer { try? log.close() }
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["serve", "--listen", "127.0.0.1:\(port)", "--data", "\(directory)/data", "--config", "\(directory)/config.json",
                                 "--rules", "\(directory)/rules", "--snapshot-interval", "1s", "--threads", "1"]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = log
            try process.run()
        }

        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        func waitReady() -> Bool {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline && process.isRunning {
                if let response = try? TestClient(port: port).get("/readyz", token: nil), response.status == 200 { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }

        func signal(_ number: Int32) {
            kill(process.processIdentifier, number)
            process.waitUntilExit()
        }
    }

    @Test(.enabled(if: KillRestartTests.binary != nil, "needs the aiops binary (swift test builds it)"))
    func killedAtRandomPointsRestartsFromAnIntactSnapshot() throws {
        let binary = try #require(Self.binary)
        let directory = NSTemporaryDirectory() + "aiops-kill-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/rules", withIntermediateDirectories: true)
        try TestServer.rulesJSON.write(toFile: directory + "/rules/test.json", atomically: true, encoding: .utf8)
        try #"{"workspaces": [{"name": "team-a", "plan": "pro", "token": "\#(TestServer.tokenA)"}]}"#
            .write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)

        let seriesCount = 20
        let base = SystemClock().now() - 2 * 3_600_000
        var step = 0
        var random = SystemRandomNumberGenerator()
        for cycle in 0..<4 {
            let child = try Child(binary: binary, directory: directory, cycle: cycle)
            try #require(child.waitReady(), "cycle \(cycle): not ready\n\(child.log)")
            let client = TestClient(port: child.port)
            if cycle > 0 {
                #expect(child.log.contains("workspace team-a: loaded \(seriesCount) series"), "cycle \(cycle):\n\(child.log)")
                #expect(child.log.contains("lost up to"))
                let metrics = try client.get("/metrics", token: TestServer.tokenA).bodyText
                #expect(metrics.contains("aiops_active_series{workspace=\"team-a\"} \(seriesCount)"), "cycle \(cycle):\n\(metrics)")
            }
            // Ingest for a random 2.2 to 4 s (at least one snapshot with every series), then kill.
            let until = Date().addingTimeInterval(Double.random(in: 2.2...4, using: &random))
            while Date() < until {
                let t = base + Int64(step) * 1_000
                let series = (0..<seriesCount).map { queue("q\($0)", [(t, 40 + Double((step + $0) % 7))]) }
                let response = try client.write(series)
                try #require(response.status == 204, "cycle \(cycle) step \(step): \(response.status) \(response.bodyText)")
                step += 1
                Thread.sleep(forTimeInterval: 0.01)
            }
            if cycle < 3 {
                child.signal(SIGKILL)
            } else {
                child.signal(SIGTERM)
                #expect(child.log.contains("component=snapshot msg=\"workspace team-a: \(seriesCount) series"), "\(child.log)")
            }
            #expect(!FileManager.default.fileExists(atPath: directory + "/data/damaged"), "nothing refused after cycle \(cycle)")
        }
        // What the last, graceful stop wrote loads whole.
        guard case .loaded(let state, _) = SnapshotDirectory(dataDirectory: directory + "/data").load(workspace: "team-a") else {
            Issue.record("the final snapshot did not load")
            return
        }
        #expect(state.seriesCount == seriesCount)
        #expect(state.shards[0].store.newest.allSatisfy { $0 == base + Int64(step - 1) * 1_000 }, "the graceful stop kept every sample")
    }
}
