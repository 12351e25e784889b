import AIOpsCore
import Delivery
import Foundation
import Incidents
import Synchronization

/// One workspace's silences: created, listed and expired through the API, kept in
/// `<data>/<workspace>/silences.json` (written durably on every change, read at start), and
/// consulted for every notification batch of the workspace (`admit`).
///
/// Expired silences are kept for `retention` (Alertmanager's `--data.retention`, 120h) so
/// they can be looked at and re-created, then dropped. Changes are serialized by `writing`
/// and made only once the file holds them, so a failed write changes nothing.
public final class SilenceStore: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Active and pending silences a workspace may hold.
        public var maxSilences: Int
        /// How long an expired silence is kept.
        public var retention: PromDuration

        public init(maxSilences: Int = 1000, retention: PromDuration = .hours(120)) {
            self.maxSilences = maxSilences
            self.retention = retention
        }
    }

    struct State: Sendable {
        /// By id.
        var silences: [String: Silence] = [:]
        /// Incidents whose firing message a silence muted and that no message has reached
        /// since: their resolution is not told either (nobody heard they fired).
        var mutedFiring: Set<String> = []
        /// Incidents left out of messages because a silence muted them (per message).
        var mutedCount = 0
    }

    public let workspace: String
    /// Nil: in memory only (no `--data`).
    public let path: String?
    public let settings: Settings
    private let state = Mutex(State())
    /// Held for a whole change (read, write the file, commit), so changes never interleave.
    private let writing = Mutex(())

    /// Loads the workspace's silences from `<dataDirectory>/<workspace>/silences.json`, if
    /// there is such a file.
    /// - Parameter log: told when the file cannot be read (it is then moved aside to
    ///   `silences.json.damaged-<time>` and the workspace starts with none).
    public init(workspace: String, dataDirectory: String?, settings: Settings = Settings(), now: Timestamp, log: DeliveryLog = .standardError) {
        self.workspace = workspace
        self.settings = settings
        path = dataDirectory.map { "\($0)/\(workspace)/silences.json" }
        guard let path, FileManager.default.fileExists(atPath: path) else { return }
        do {
            let bytes = try DurableFile.read(path)
            let loaded = try SilenceJSON.decodeFile(bytes)
            state.withLock { state in
                for silence in loaded where !isGone(silence, now: now) { state.silences[silence.id] = silence }
            }
        } catch {
            let aside = path + ".damaged-\(now)"
            let moved = rename(path, aside) == 0
            log.log(.error, "silences: workspace \(workspace): \(path) unreadable (\(error)); \(moved ? "moved to \(aside)" : "left in place"); starting with no silences")
        }
    }

    private func isGone(_ silence: Silence, now: Timestamp) -> Bool {
        now - silence.endsAt >= settings.retention.milliseconds
    }

    // MARK: API

    /// Creates a silence, or replaces the one of `request.id` (keeping its id).
    /// - Returns: the silence's id.
    /// - Throws: `SilenceError`: `.invalid` (bad times, matchers), `.notFound` (an unknown
    ///   `id`), `.tooMany`, `.storage` (the file could not be written: nothing changed).
    @discardableResult
    public func create(_ request: SilenceRequest, now: Timestamp) throws(SilenceError) -> String {
        try writing.withLock { _ throws(SilenceError) -> String in
            var silences = state.withLock { $0.silences }
            // An update without `startsAt` keeps the silence's own.
            let startsAt = request.startsAt ?? request.id.flatMap { silences[$0]?.startsAt } ?? now
            guard request.endsAt > now else {
                throw .invalid("endsAt \(TimeFormat.rfc3339(request.endsAt)) is not in the future")
            }
            guard request.endsAt > startsAt else {
                throw .invalid("endsAt \(TimeFormat.rfc3339(request.endsAt)) is not after startsAt \(TimeFormat.rfc3339(startsAt))")
            }
            let id: String
            if let existing = request.id {
                guard silences[existing] != nil else { throw .notFound(id: existing) }
                id = existing
            } else {
                let live = silences.values.filter { $0.state(at: now) != .expired }.count
                guard live < settings.maxSilences else { throw .tooMany(limit: settings.maxSilences) }
                id = UUID().uuidString.lowercased()
            }
            silences[id] = Silence(
                id: id, matchers: request.matchers, startsAt: startsAt, endsAt: request.endsAt,
                createdBy: request.createdBy, comment: request.comment, updatedAt: now)
            try commit(silences, now: now)
            return id
        }
    }

    /// Expires a silence now (Alertmanager's `DELETE`): an active one ends now, a pending one
    /// ends before it started.
    /// - Throws: `.notFound`, `.invalid` when it has expired already, `.storage`.
    public func expire(id: String, now: Timestamp) throws(SilenceError) {
        try writing.withLock { _ throws(SilenceError) in
            var silences = state.withLock { $0.silences }
            guard var silence = silences[id] else { throw .notFound(id: id) }
            switch silence.state(at: now) {
            case .expired:
                throw .invalid("silence \(id) has expired already")
            case .pending:
                silence.startsAt = now
                silence.endsAt = now
            case .active:
                silence.endsAt = now
            }
            silence.updatedAt = now
            silences[id] = silence
            try commit(silences, now: now)
        }
    }

    /// Writes `silences` (without those past retention) to the file, then makes them current.
    private func commit(_ silences: [String: Silence], now: Timestamp) throws(SilenceError) {
        let kept = silences.filter { !isGone($0.value, now: now) }
        if let path {
            let bytes = SilenceJSON.encodeFile(kept.values.sorted { $0.id < $1.id })
            do {
                try DurableFile.makeDirectory(DurableFile.directory(of: path))
                try DurableFile.write(bytes, to: path, temporary: path + ".tmp")
            } catch {
                throw .storage(error.description)
            }
        }
        state.withLock { $0.silences = kept }
    }

    /// Every silence kept (expired ones within retention), by `startsAt` then id.
    public func list(now: Timestamp) -> [Silence] {
        state.withLock { state in
            state.silences.values.filter { !isGone($0, now: now) }.sorted { ($0.startsAt, $0.id) < ($1.startsAt, $1.id) }
        }
    }

    public func silence(id: String) -> Silence? {
        state.withLock { $0.silences[id] }
    }

    /// How many silences are in each state at `now`.
    public func counts(now: Timestamp) -> [Silence.State: Int] {
        var counts: [Silence.State: Int] = [.active: 0, .pending: 0, .expired: 0]
        for silence in list(now: now) { counts[silence.state(at: now), default: 0] += 1 }
        return counts
    }

    /// Incidents left out of messages because a silence muted them, since start.
    public var mutedCount: Int { state.withLock { $0.mutedCount } }

    /// The ids of the active silences muting an alert with `labels` at `now`.
    public func muting(_ labels: Labels, now: Timestamp) -> [String] {
        state.withLock { state in state.silences.values.filter { $0.mutes(labels, at: now) }.map(\.id).sorted() }
    }

    // MARK: Notifications

    /// `batch` without the incidents an active silence mutes at `now`; nil when none is left.
    /// A resolution is also left out when its incident's firing was muted and no message
    /// has carried it since.
    /// - Complexity: O(incidents x silences x matchers).
    public func admit(_ batch: NotificationBatch, now: Timestamp) -> NotificationBatch? {
        // The daily summary is about the workspace, not an incident: silences do not mute it.
        if batch.kind == .summary { return batch }
        return state.withLock { state -> NotificationBatch? in
            let active = state.silences.values.filter { $0.state(at: now) == .active }
            var kept: [Incident] = []
            for incident in batch.incidents {
                let muted = !active.isEmpty && active.contains { $0.mutes(AlertLabels.labels(of: incident, workspace: workspace), at: now) }
                switch batch.kind {
                case .firing, .reminder:
                    if muted {
                        state.mutedFiring.insert(incident.id)
                        state.mutedCount += 1
                    } else {
                        state.mutedFiring.remove(incident.id)
                        kept.append(incident)
                    }
                case .summary:
                    kept.append(incident)
                case .resolved:
                    let neverTold = state.mutedFiring.remove(incident.id) != nil
                    if muted || neverTold {
                        state.mutedCount += 1
                    } else {
                        kept.append(incident)
                    }
                }
            }
            // Bounded: the set only matters for incidents still open; a flood of muted ones
            // resets it (their resolutions may then be told).
            if state.mutedFiring.count > 100_000 { state.mutedFiring.removeAll() }
            guard !kept.isEmpty else { return nil }
            var admitted = batch
            admitted.incidents = kept
            return admitted
        }
    }
}

/// What `POST /api/v1/silences` asks for, decoded (`SilenceJSON.decodeRequest`).
public struct SilenceRequest: Sendable {
    /// Replaces that silence when set.
    public var id: String?
    public var matchers: [SilenceMatcher]
    /// Nil: now.
    public var startsAt: Timestamp?
    public var endsAt: Timestamp
    public var createdBy: String
    public var comment: String

    public init(id: String? = nil, matchers: [SilenceMatcher], startsAt: Timestamp? = nil, endsAt: Timestamp, createdBy: String, comment: String) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
    }
}
