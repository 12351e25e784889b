import AIOpsCore
import Foundation
import Pipeline
import Rules
import Snapshots
import Testing

/// `aiops restore` (the built binary): lists a workspace's daily backups and puts one back as
/// its snapshot; a backup that does not decode is refused and the snapshot is left as it was.
@Suite struct RestoreCommandTests {
    func run(_ binary: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["restore"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func state(series: Int) throws -> WorkspaceState {
        let pipeline = Pipeline(rules: RuleSet(rules: []))
        for i in 0..<series {
            _ = pipeline.ingest(Labels([Label("__name__", "m"), Label("i", String(i))]), timestamp: 1_700_000_000_000, value: Double(i))
        }
        return WorkspaceState(workspace: "team-a", created: 1_700_000_000_000, rulesFingerprint: RulesFingerprint.of(pipeline.rules),
                              shards: [pipeline.capture()], notifications: nil)
    }

    @Test func listsAndRestoresADailyBackupAndRefusesADamagedOne() throws {
        guard let binary = KillRestartTests.binary else {
            Issue.record("the aiops binary was not built")
            return
        }
        let data = NSTemporaryDirectory() + "aiops-restore-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let directory = SnapshotDirectory(dataDirectory: data)
        let day: Int64 = 86_400_000
        let monday: Int64 = 1_765_152_000_000   // 2025-12-08 00:00 UTC
        // Three series on Monday's backup, five in the current snapshot on Tuesday.
        _ = try directory.write(try state(series: 3))
        try directory.keepDailyBackup(workspace: "team-a", now: monday + 3_600_000)
        _ = try directory.write(try state(series: 5))
        try directory.keepDailyBackup(workspace: "team-a", now: monday + day + 3_600_000)

        let listed = try run(binary, ["--data", data, "--workspace", "team-a", "--list"])
        #expect(listed.status == 0)
        #expect(listed.output.contains("2025-12-08") && listed.output.contains("2025-12-09"), "\(listed.output)")

        let restored = try run(binary, ["--data", data, "--workspace", "team-a", "--date", "2025-12-08"])
        #expect(restored.status == 0, "\(restored.output)")
        #expect(restored.output.contains("3 series"), "\(restored.output)")
        guard case .loaded(let loaded, _) = directory.load(workspace: "team-a") else {
            Issue.record("the restored snapshot does not load")
            return
        }
        #expect(loaded.seriesCount == 3)

        // A damaged backup is refused; the snapshot stays the one restored above.
        let tuesday = "\(directory.backupDirectory("team-a"))/state-2025-12-09.snap"
        var bytes = try DurableFile.read(tuesday)
        bytes[bytes.count / 2] ^= 0xFF
        try DurableFile.write(bytes, to: tuesday, temporary: tuesday + ".tmp")
        let refused = try run(binary, ["--data", data, "--workspace", "team-a", "--date", "2025-12-09"])
        #expect(refused.status == 1)
        #expect(refused.output.contains("cannot be restored"), "\(refused.output)")
        if case .loaded(let after, _) = directory.load(workspace: "team-a") { #expect(after.seriesCount == 3) } else { Issue.record("snapshot lost") }

        let missing = try run(binary, ["--data", data, "--workspace", "team-a", "--date", "2025-12-01"])
        #expect(missing.status == 1)
        let usage = try run(binary, ["--workspace", "team-a"])
        #expect(usage.status == 2)
    }
}
