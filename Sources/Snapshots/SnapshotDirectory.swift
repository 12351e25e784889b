import AIOpsCore
import Foundation
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// Where snapshots live under the data directory, and the file operations on them:
/// - `<data>/<workspace>/state.snap`: the latest snapshot, replaced atomically
///   (`.state.snap.tmp`, fsync, rename, directory fsync);
/// - `<data>/<workspace>/backups/state-YYYY-MM-DD.snap`: one a day, kept `backupDays` days;
/// - `<data>/damaged/<workspace>-<time>.snap`: files that were refused, beside a `.reason`.
public struct SnapshotDirectory: Sendable {
    /// The data directory; never changes after construction.
    public let dataDirectory: String

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    public func workspaceDirectory(_ workspace: String) -> String { "\(dataDirectory)/\(workspace)" }
    public func path(workspace: String) -> String { "\(workspaceDirectory(workspace))/state.snap" }
    public var damagedDirectory: String { "\(dataDirectory)/damaged" }
    public func backupDirectory(_ workspace: String) -> String { "\(workspaceDirectory(workspace))/backups" }

    /// Encodes `state` and writes it durably as the workspace's snapshot.
    /// - Returns: the bytes written.
    /// - Throws: `DurableFile.Failure` when a directory or the file cannot be written (the
    ///   previous snapshot, if any, is then untouched).
    @discardableResult
    public func write(_ state: WorkspaceState) throws(DurableFile.Failure) -> Int {
        let bytes = SnapshotCodec.encode(state)
        try DurableFile.makeDirectory(workspaceDirectory(state.workspace))
        try DurableFile.write(bytes, to: path(workspace: state.workspace), temporary: "\(workspaceDirectory(state.workspace))/.state.snap.tmp")
        return bytes.count
    }

    /// What loading a workspace's snapshot found.
    public enum LoadOutcome: Sendable {
        /// No snapshot: a first start.
        case none
        case loaded(WorkspaceState, bytes: Int)
        /// Refused and moved to `movedTo` (nil if even the move failed).
        case damaged(reason: String, movedTo: String?)
    }

    /// Reads and decodes the workspace's snapshot; a file that cannot be read or decoded is
    /// moved to `damaged/` (never loaded half).
    public func load(workspace: String, layouts: [StateLayout] = Pipeline.stateLayouts) -> LoadOutcome {
        let path = path(workspace: workspace)
        unlink("\(workspaceDirectory(workspace))/.state.snap.tmp")  // an interrupted write: never renamed, never valid
        guard access(path, F_OK) == 0 else { return .none }
        // Mapped, not read: the decoder copies each section once, straight into its arrays.
        let outcome: Result<(WorkspaceState, Int), SnapshotError>
        do {
            outcome = try DurableFile.withMapped(path) { raw in
                do throws(SnapshotError) {
                    let state = try SnapshotCodec.decode(raw, layouts: layouts)
                    guard state.workspace == workspace else {
                        throw SnapshotError.incompatible("written for workspace \(state.workspace)")
                    }
                    return .success((state, raw.count))
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            let reason = (error as? DurableFile.Failure)?.description ?? "\(error)"
            return .damaged(reason: reason, movedTo: moveToDamaged(workspace: workspace, reason: reason))
        }
        switch outcome {
        case .success(let (state, bytes)):
            return .loaded(state, bytes: bytes)
        case .failure(let error):
            return .damaged(reason: error.description, movedTo: moveToDamaged(workspace: workspace, reason: error.description))
        }
    }

    /// Moves the workspace's snapshot to `damaged/<workspace>-<ms>.snap` with a `.reason`
    /// file beside it.
    /// - Returns: the new path, or nil when it could not be moved.
    @discardableResult
    public func moveToDamaged(workspace: String, reason: String, now: Timestamp = SystemClock().now()) -> String? {
        do throws(DurableFile.Failure) { try DurableFile.makeDirectory(damagedDirectory) } catch { return nil }
        let target = "\(damagedDirectory)/\(workspace)-\(now).snap"
        guard rename(path(workspace: workspace), target) == 0 else { return nil }
        try? DurableFile.write(Array((reason + "\n").utf8), to: target + ".reason", temporary: target + ".reason.tmp")
        try? DurableFile.syncDirectory(workspaceDirectory(workspace))
        return target
    }

    // MARK: Backups

    /// Keeps one copy of the current snapshot per UTC day in `backups/` (the first of the day
    /// is kept), and removes copies older than `days` days.
    /// - Returns: the backup written today, nil when today's already existed or there is no
    ///   snapshot.
    @discardableResult
    public func keepDailyBackup(workspace: String, now: Timestamp, days: Int = 7) throws(DurableFile.Failure) -> String? {
        let directory = backupDirectory(workspace)
        try DurableFile.makeDirectory(directory)
        let today = Self.day(now)
        var written: String?
        let target = "\(directory)/state-\(today).snap"
        if access(target, F_OK) != 0, access(path(workspace: workspace), F_OK) == 0 {
            let bytes = try DurableFile.read(path(workspace: workspace))
            try DurableFile.write(bytes, to: target, temporary: "\(directory)/.state-\(today).snap.tmp")
            written = target
        }
        let oldest = Self.day(now - Int64(days - 1) * 86_400_000)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard name.hasPrefix("state-"), name.hasSuffix(".snap") else { continue }
            let day = String(name.dropFirst(6).dropLast(5))
            if day < oldest { unlink("\(directory)/\(name)") }
        }
        return written
    }

    /// The backups of a workspace, oldest first.
    public func backups(workspace: String) -> [String] {
        let directory = backupDirectory(workspace)
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("state-") && $0.hasSuffix(".snap") }.sorted().map { "\(directory)/\($0)" }
    }

    /// `YYYY-MM-DD` (UTC) of a wall time in ms.
    static func day(_ time: Timestamp) -> String {
        var seconds = time_t(time / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let text = String(n)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
    }
}
