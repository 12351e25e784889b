import Foundation
import AIOpsCore
import Delivery
import Incidents

/// Decides which alerts go to which Alertmanager, and when, by the rules Prometheus' notifier
/// follows (see `../shared/docs/alertmanager.md`):
/// - a firing incident is sent at once, then again every `resendDelay` (1m) while it fires,
///   each time with `endsAt = now + 4 x resendDelay`, so it resolves by itself a few minutes
///   after `aiops` stops sending;
/// - a resolved incident is sent at once with `endsAt` = when it resolved, then again every
///   `resendDelay` for `resolvedRetention` (15m), then forgotten;
/// - every workspace's alerts go to each of its Alertmanagers (an HA pair de-duplicates).
///
/// Grouping, silencing and routing are Alertmanager's: the queue sends each incident as one
/// alert, independent of the Slack policy's groups.
///
/// Each Alertmanager of each workspace is a *lane* with one request in flight at most. A
/// request that fails with a transport error, a timeout, 429 or 5xx is retried with
/// exponential backoff (`RetryPolicy`: 0.5 s doubling to 60 s, jittered); its alerts stay due
/// meanwhile, so the retry carries their latest state. A 4xx is not retried (the same body
/// would be refused again): its alerts count as rejected and the answer is logged.
///
/// Pure: no clock, no thread, no I/O; `AlertmanagerNotifier` drives it.
public struct AlertmanagerQueue: Sendable {
    /// Timing and bounds.
    public struct Settings: Sendable, Equatable {
        /// Prometheus' `--rules.alert.resend-delay`.
        public var resendDelay: PromDuration
        /// How long a resolved alert keeps being sent (Prometheus: 15m).
        public var resolvedRetention: PromDuration
        /// Alerts tracked per workspace; beyond, the oldest resolved (else the oldest) is dropped.
        public var maxAlertsPerWorkspace: Int
        /// Alerts per request (Prometheus: 64 by default; it is a batch size, not a limit).
        public var maxBatch: Int
        public var retry: RetryPolicy

        public init(
            resendDelay: PromDuration = .minutes(1), resolvedRetention: PromDuration = .minutes(15),
            maxAlertsPerWorkspace: Int = 10_000, maxBatch: Int = 256, retry: RetryPolicy = RetryPolicy(maxBackoff: 60)
        ) {
            self.resendDelay = resendDelay
            self.resolvedRetention = resolvedRetention
            self.maxAlertsPerWorkspace = maxAlertsPerWorkspace
            self.maxBatch = maxBatch
            self.retry = retry
        }

        /// How far ahead a firing alert's `endsAt` is: 4 x the resend delay, as Prometheus.
        public var validity: Int64 { 4 * max(resendDelay.milliseconds, 1000) }
    }

    /// One Alertmanager of one workspace.
    public struct Target: Sendable, Hashable {
        public var workspace: String
        public var endpoint: OutboundEndpoint
        /// Seconds per request.
        public var timeout: Double

        public init(workspace: String, endpoint: OutboundEndpoint, timeout: Double = 10) {
            self.workspace = workspace
            self.endpoint = endpoint
            self.timeout = timeout
        }
    }

    /// A request to make: the alerts due on one lane, serialized.
    public struct Dispatch: Sendable {
        public var lane: Int
        /// The lanes' generation it was made in: a completion from before a `reconfigure`
        /// is not applied to the new lanes.
        var generation: Int
        public var target: Target
        /// Incident ids in the body, with the change time of each as it was serialized.
        var sent: [(id: String, changedAt: Timestamp)]
        public var body: [UInt8]
        public var alertCount: Int { sent.count }
    }

    /// What an attempt came to.
    public enum Outcome: Sendable, Equatable {
        case accepted
        /// Worth retrying: transport error, timeout, 429, 5xx.
        case retry(reason: String, description: String, retryAfter: Double?)
        /// Refused for good (4xx other than 429, 3xx): not retried.
        case rejected(reason: String, description: String)

        /// Alertmanager answers 200 with an empty body on success, 400 with a message.
        public static func classify(_ response: WebhookResponse, endpoint: String) -> Outcome {
            switch response {
            case .failed(let error):
                return .retry(reason: error.reason, description: error.description, retryAfter: nil)
            case .http(let status, let body, let retryAfter):
                let message = Self.message(body)
                let described = "alertmanager \(endpoint): HTTP \(status)" + (message.isEmpty ? "" : ": \(message)")
                switch status {
                case 200...299: return .accepted
                case 429, 500...599: return .retry(reason: "http_\(status)", description: described, retryAfter: retryAfter)
                default: return .rejected(reason: "http_\(status)", description: described)
                }
            }
        }

        /// The first 200 printable ASCII characters of an answer, for the log.
        static func message(_ body: [UInt8]) -> String {
            var out = ""
            for byte in body.prefix(400) where out.utf8.count < 200 {
                if byte >= 32 && byte < 127 { out.unicodeScalars.append(Unicode.Scalar(byte)) } else if byte == 10 { out += " " }
            }
            return out.trimmingCharacters(in: .whitespaces)
        }
    }

    struct Tracked: Sendable {
        var alert: AlertmanagerAlert
        /// Wall time of the latest event: a lane that sent before it sends again.
        var changedAt: Timestamp
        /// Wall time the resolution was seen; nil while firing.
        var resolvedSeenAt: Timestamp?
        /// Per lane of the workspace (in `lanesOfWorkspace` order): when last accepted, `.min` never.
        var sentAt: [Timestamp]
        /// Arrival order, for dropping the oldest.
        var sequence: UInt64
    }

    struct Lane: Sendable {
        var target: Target
        /// Position among its workspace's lanes (index into `Tracked.sentAt`).
        var slot: Int
        var inFlight = false
        var nextAttempt: Timestamp = .min
        /// Consecutive failed attempts.
        var failures = 0
        var status: AlertmanagerStatus
    }

    public let settings: Settings
    private(set) var lanes: [Lane] = []
    private var lanesOfWorkspace: [String: [Int]] = [:]
    private var alerts: [String: [String: Tracked]] = [:]
    private var dropped: [String: Int] = [:]
    private var sequence: UInt64 = 0
    private var random: SplitMix64
    /// Bumped by `reconfigure`.
    private var generation = 0

    public init(targets: [Target], settings: Settings = Settings()) {
        self.settings = settings
        random = SplitMix64(seed: settings.retry.resolvedSeed())
        reconfigure(targets: targets)
    }

    /// Replaces the Alertmanagers (a configuration reload). A lane whose workspace and
    /// endpoint stay keeps its counters and backoff; a workspace whose Alertmanagers changed
    /// sends every tracked alert to each of them again; a workspace left without any forgets
    /// its alerts. Requests in flight complete without touching the new lanes.
    public mutating func reconfigure(targets: [Target]) {
        var previous: [String: (lanes: [Lane], endpoints: [OutboundEndpoint])] = [:]
        for lane in lanes { previous[lane.target.workspace, default: ([], [])].lanes.append(lane) }
        for (workspace, entry) in previous { previous[workspace]?.endpoints = entry.lanes.map(\.target.endpoint) }
        generation += 1
        lanes = []
        lanesOfWorkspace = [:]
        for target in targets {
            let slot = lanesOfWorkspace[target.workspace, default: []].count
            lanesOfWorkspace[target.workspace, default: []].append(lanes.count)
            var lane = previous[target.workspace]?.lanes.first { $0.target.endpoint == target.endpoint }
                ?? Lane(target: target, slot: slot, status: AlertmanagerStatus(workspace: target.workspace, alertmanager: target.endpoint.redacted))
            lane.target = target
            lane.slot = slot
            lane.inFlight = false
            lanes.append(lane)
        }
        for workspace in Array(alerts.keys) {
            guard let indices = lanesOfWorkspace[workspace] else {
                alerts[workspace] = nil
                continue
            }
            let endpoints = indices.map { lanes[$0].target.endpoint }
            guard previous[workspace]?.endpoints != endpoints else { continue }
            for id in Array(alerts[workspace]!.keys) {
                alerts[workspace]![id]!.sentAt = Array(repeating: .min, count: endpoints.count)
            }
        }
    }

    /// The workspaces that have at least one Alertmanager.
    public var workspaces: Set<String> { Set(lanesOfWorkspace.keys) }

    // MARK: Events

    /// Records a firing or resolved incident of `workspace` seen at wall time `now`; events
    /// of a workspace without Alertmanagers are ignored.
    /// - Complexity: O(1), or O(alerts of the workspace) when one must be dropped.
    public mutating func handle(_ event: IncidentEvent, workspace: String, externalURL: String?, now: Timestamp) {
        guard let laneIndices = lanesOfWorkspace[workspace] else { return }
        let incident = event.incident
        let alert = AlertmanagerAlert(incident: incident, workspace: workspace, externalURL: externalURL)
        var tracked = alerts[workspace, default: [:]]
        switch event {
        case .firing:
            if var existing = tracked[incident.id] {
                existing.alert = alert
                existing.changedAt = now
                existing.resolvedSeenAt = nil
                tracked[incident.id] = existing
            } else {
                if tracked.count >= settings.maxAlertsPerWorkspace { dropOldest(&tracked, workspace: workspace) }
                sequence += 1
                tracked[incident.id] = Tracked(alert: alert, changedAt: now, resolvedSeenAt: nil,
                                               sentAt: Array(repeating: .min, count: laneIndices.count), sequence: sequence)
            }
        case .resolved:
            // A resolution of an incident never seen firing (a restart lost it) is still
            // worth sending: Alertmanager may hold the alert from before.
            sequence += 1
            var entry = tracked[incident.id] ?? Tracked(
                alert: alert, changedAt: now, resolvedSeenAt: nil,
                sentAt: Array(repeating: .min, count: laneIndices.count), sequence: sequence)
            if tracked[incident.id] == nil, tracked.count >= settings.maxAlertsPerWorkspace { dropOldest(&tracked, workspace: workspace) }
            entry.alert = alert
            entry.changedAt = now
            entry.resolvedSeenAt = now
            tracked[incident.id] = entry
        }
        alerts[workspace] = tracked
    }

    private mutating func dropOldest(_ tracked: inout [String: Tracked], workspace: String) {
        let victim = tracked.filter { $0.value.resolvedSeenAt != nil }.min { $0.value.sequence < $1.value.sequence }
            ?? tracked.min { $0.value.sequence < $1.value.sequence }
        if let victim {
            tracked[victim.key] = nil
            dropped[workspace, default: 0] += 1
        }
    }

    // MARK: Sending

    /// The requests to make now (at most one per lane, none on a lane in flight or backing
    /// off); their lanes are marked in flight until `complete`. Resolved alerts past their
    /// retention are forgotten first.
    public mutating func due(now: Timestamp) -> [Dispatch] {
        expireResolved(now: now)
        var out: [Dispatch] = []
        let resend = settings.resendDelay.milliseconds
        for index in lanes.indices where !lanes[index].inFlight && lanes[index].nextAttempt <= now {
            let lane = lanes[index]
            guard let tracked = alerts[lane.target.workspace], !tracked.isEmpty else { continue }
            var picked: [(id: String, entry: Tracked)] = []
            for (id, entry) in tracked {
                let sent = entry.sentAt[lane.slot]
                if sent == .min || sent < entry.changedAt || now - sent >= resend { picked.append((id, entry)) }
            }
            guard !picked.isEmpty else { continue }
            picked.sort { $0.entry.sequence < $1.entry.sequence }
            if picked.count > settings.maxBatch { picked.removeLast(picked.count - settings.maxBatch) }
            let objects = picked.map { $0.entry.alert.jsonObject(now: now, validity: settings.validity) }
            let body = Array(IncidentJSON.serialize(objects).utf8)
            lanes[index].inFlight = true
            out.append(Dispatch(lane: index, generation: generation, target: lane.target, sent: picked.map { ($0.id, $0.entry.changedAt) }, body: body))
        }
        return out
    }

    /// Records how a dispatch ended at wall time `now`.
    /// - Returns: a line worth logging (already free of secrets), or nil.
    public mutating func complete(_ dispatch: Dispatch, outcome: Outcome, now: Timestamp) -> String? {
        guard dispatch.generation == generation else { return nil }
        let index = dispatch.lane
        lanes[index].inFlight = false
        let name = "alertmanager \(lanes[index].target.endpoint.redacted) (workspace \(lanes[index].target.workspace))"
        switch outcome {
        case .accepted:
            markSent(dispatch, now: now)
            let recovered = lanes[index].failures
            lanes[index].failures = 0
            lanes[index].nextAttempt = .min
            lanes[index].status.alertsSent += dispatch.alertCount
            lanes[index].status.failing = false
            return recovered > 0 ? "\(name): reachable again after \(recovered) failed attempt(s)" : nil
        case .retry(let reason, let description, let retryAfter):
            lanes[index].failures += 1
            var delay = settings.retry.backoff(retry: lanes[index].failures, unit: random.unit())
            if let retryAfter { delay = max(delay, min(retryAfter, settings.retry.maxBackoff)) }
            lanes[index].nextAttempt = now + Int64(delay * 1000)
            lanes[index].status.errors[reason, default: 0] += 1
            lanes[index].status.retried += 1
            lanes[index].status.failing = true
            // One line when a failure streak starts, then one every 10 attempts.
            let failures = lanes[index].failures
            guard failures == 1 || failures % 10 == 0 else { return nil }
            return "\(name): \(description); \(dispatch.alertCount) alert(s) kept, retrying in \(String(format: "%.1f", delay))s (attempt \(failures))"
        case .rejected(let reason, let description):
            // The same body would be refused again: count its alerts as sent (the next change
            // or resend tries them afresh) and move on.
            markSent(dispatch, now: now)
            lanes[index].failures = 0
            lanes[index].nextAttempt = .min
            lanes[index].status.errors[reason, default: 0] += 1
            lanes[index].status.alertsRejected += dispatch.alertCount
            return "\(description); \(dispatch.alertCount) alert(s) not sent"
        }
    }

    private mutating func markSent(_ dispatch: Dispatch, now: Timestamp) {
        let lane = lanes[dispatch.lane]
        guard var tracked = alerts[lane.target.workspace] else { return }
        for (id, changedAt) in dispatch.sent {
            guard var entry = tracked[id] else { continue }
            // Sent as of `changedAt`: a change since then is still due.
            entry.sentAt[lane.slot] = entry.changedAt == changedAt ? now : min(now, changedAt)
            tracked[id] = entry
        }
        alerts[lane.target.workspace] = tracked
    }

    private mutating func expireResolved(now: Timestamp) {
        let retention = settings.resolvedRetention.milliseconds
        for (workspace, tracked) in alerts {
            let kept = tracked.filter { entry in entry.value.resolvedSeenAt.map { now - $0 < retention } ?? true }
            if kept.count != tracked.count { alerts[workspace] = kept }
        }
    }

    /// When `due` next has something to return (or a resolved alert expires); nil when
    /// nothing is tracked. - Complexity: O(lanes x alerts).
    public func nextDeadline(now: Timestamp) -> Timestamp? {
        var next: Timestamp?
        func consider(_ at: Timestamp) { next = min(next ?? at, at) }
        let resend = settings.resendDelay.milliseconds
        let retention = settings.resolvedRetention.milliseconds
        for (workspace, tracked) in alerts {
            for entry in tracked.values {
                if let seen = entry.resolvedSeenAt { consider(seen + retention) }
            }
            for index in lanesOfWorkspace[workspace] ?? [] where !lanes[index].inFlight {
                let slot = lanes[index].slot
                var earliest: Timestamp?
                for entry in tracked.values {
                    let sent = entry.sentAt[slot]
                    let at = (sent == .min || sent < entry.changedAt) ? now : sent + resend
                    earliest = min(earliest ?? at, at)
                }
                if let earliest { consider(max(earliest, lanes[index].nextAttempt)) }
            }
        }
        return next
    }

    // MARK: Status

    /// Counters per Alertmanager, with the workspace's tracked and dropped alerts.
    public var statuses: [AlertmanagerStatus] {
        lanes.map { lane in
            var status = lane.status
            let tracked = alerts[lane.target.workspace] ?? [:]
            status.firing = tracked.values.filter { $0.resolvedSeenAt == nil }.count
            status.resolved = tracked.count - status.firing
            status.dropped = dropped[lane.target.workspace] ?? 0
            status.inFlight = lane.inFlight
            return status
        }
    }

    /// The alert tracked for an incident of `workspace`, for tests.
    func tracked(workspace: String, id: String) -> Tracked? { alerts[workspace]?[id] }
}

/// Counters of one Alertmanager of one workspace, for `/metrics`. Names the Alertmanager by
/// its redacted URL (no credentials).
public struct AlertmanagerStatus: Sendable, Equatable {
    public var workspace: String
    public var alertmanager: String
    /// Alerts in requests answered 2xx (a resend counts again).
    public var alertsSent = 0
    /// Alerts in requests refused with a 4xx (not retried).
    public var alertsRejected = 0
    /// Attempts that failed and were scheduled again.
    public var retried = 0
    /// Failed attempts by reason (`http_400`, `http_503`, `connection_refused`, `timeout`, ...).
    public var errors: [String: Int] = [:]
    /// True from a failed attempt until one succeeds.
    public var failing = false
    /// The workspace's tracked alerts (the same for each of its Alertmanagers).
    public var firing = 0
    public var resolved = 0
    /// The workspace's alerts dropped over `maxAlertsPerWorkspace`.
    public var dropped = 0
    public var inFlight = false

    public init(workspace: String, alertmanager: String) {
        self.workspace = workspace
        self.alertmanager = alertmanager
    }
}
