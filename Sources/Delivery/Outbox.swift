import AIOpsCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Durable storage of decided notifications, so each is delivered at least once across
/// crashes and restarts, and a delivered one is not sent again.
///
/// On disk, under `<data>/outbox/`:
/// - `<id>.json`: one pending notification, a JSON object
///   `{"format":1, "id", "webhook", "workspace", "rule", "kind", "created", "attempts", "body"}`
///   where `webhook` is the webhook's ID (never its URL), `created` is ms since the epoch,
///   `kind` is `firing`/`reminder`/`resolved` and `body` the JSON payload as a string.
///   Written before the first attempt (to `.tmp-<id>.json`, fsync, rename, fsync of the
///   directory), rewritten the same way when `attempts` changes, and unlinked (then the
///   directory fsync'd) only after the webhook answered 200 `ok`.
/// - `failed/<id>.json`: a given-up notification, the same object plus `failure` (the
///   reason) and `failedAt`.
/// - `.tmp-*` files are interrupted writes (never sent): removed on load.
///
/// Not thread-safe per entry: the `Notifier` touches each entry from one place at a time.
public struct Outbox: Sendable {
    /// `<data>/outbox`; never changes after construction.
    public let directory: String
    /// `<data>/outbox/failed`.
    public let failedDirectory: String

    /// Opens (creating if needed) `<dataDirectory>/outbox/` and its `failed/` folder.
    /// - Throws: `DeliveryError.outbox` when a folder cannot be created.
    public init(dataDirectory: String) throws(DeliveryError) {
        directory = dataDirectory + "/outbox"
        failedDirectory = directory + "/failed"
        try Outbox.makeDirectory(dataDirectory)
        try Outbox.makeDirectory(directory)
        try Outbox.makeDirectory(failedDirectory)
    }

    /// Writes `entry` durably as pending.
    public func write(_ entry: OutboxEntry) throws(DeliveryError) {
        try writeAtomically(entry, in: directory)
    }

    /// Forgets a delivered entry.
    public func remove(id: String) throws(DeliveryError) {
        let path = "\(directory)/\(id).json"
        if unlink(path) != 0, errno != ENOENT { throw .outbox(path: path, operation: "unlink", errno: errno) }
        try Outbox.syncDirectory(directory)
    }

    /// Moves a given-up entry to `failed/` with its reason.
    public func moveToFailed(_ entry: OutboxEntry, reason: String, at time: Timestamp) throws(DeliveryError) {
        var failed = entry
        failed.failure = reason
        failed.failedAt = time
        try writeAtomically(failed, in: failedDirectory)
        try remove(id: entry.id)
    }

    /// The pending entries, oldest first, and the names of files that could not be read
    /// (moved to `failed/` as corrupt so they do not block every start).
    public func loadPending() -> (entries: [OutboxEntry], corrupt: [String]) {
        var entries: [OutboxEntry] = []
        var corrupt: [String] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted() {
            let path = "\(directory)/\(name)"
            if name.hasPrefix(".tmp-") {
                unlink(path)
                continue
            }
            guard name.hasSuffix(".json") else { continue }
            if let data = FileManager.default.contents(atPath: path),
               let entry = try? JSONDecoder().decode(OutboxEntry.self, from: data), entry.format == 1 {
                entries.append(entry)
            } else {
                corrupt.append(name)
                rename(path, "\(failedDirectory)/\(name)")
            }
        }
        entries.sort { ($0.created, $0.id) < ($1.created, $1.id) }
        return (entries, corrupt)
    }

    /// The given-up entries, oldest first.
    public func loadFailed() -> [OutboxEntry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: failedDirectory)) ?? []
        return names.sorted().compactMap { name -> OutboxEntry? in
            guard name.hasSuffix(".json"), let data = FileManager.default.contents(atPath: "\(failedDirectory)/\(name)") else { return nil }
            return try? JSONDecoder().decode(OutboxEntry.self, from: data)
        }
    }

    private func writeAtomically(_ entry: OutboxEntry, in folder: String) throws(DeliveryError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try encoder.encode(entry) } catch { throw .outbox(path: folder, operation: "encode \(entry.id)", errno: 0) }
        let temporary = "\(folder)/.tmp-\(entry.id).json"
        let final = "\(folder)/\(entry.id).json"
        do throws(DurableFile.Failure) {
            try DurableFile.write([UInt8](data), to: final, temporary: temporary)
        } catch {
            throw .outbox(path: error.path, operation: error.operation, errno: error.errno)
        }
    }

    static func syncDirectory(_ path: String) throws(DeliveryError) {
        do throws(DurableFile.Failure) { try DurableFile.syncDirectory(path) } catch {
            throw .outbox(path: error.path, operation: error.operation, errno: error.errno)
        }
    }

    /// `mkdir -p`: creates missing parents too.
    static func makeDirectory(_ path: String) throws(DeliveryError) {
        do throws(DurableFile.Failure) { try DurableFile.makeDirectory(path) } catch {
            throw .outbox(path: error.path, operation: error.operation, errno: error.errno)
        }
    }
}
