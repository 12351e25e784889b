import AIOpsCore
import AlertTargets
import Delivery
import Incidents
import ScoreExport
import Synchronization

/// What `aiops serve` adds around the Slack notifier to fit the Prometheus ecosystem:
/// workspaces' Alertmanagers, their silences, and the remote write of their scores. Built by
/// `AIOpsServer`, which starts and stops it; a reload applies a new `Plan` to it in place.
final class ServerAlerting: Sendable {
    let silences: Silences
    let alertmanager: AlertmanagerNotifier
    let scoreWriter: ScoreRemoteWriter
    let externalURL: String?
    let federateLimit: Int
    /// Workspaces whose incidents go to the Slack notifier too: those with a webhook, or with
    /// neither a webhook nor Alertmanagers (their text is printed). Replaced by `apply`.
    private let slackRoutes = SlackRoutes()

    /// What a configuration asks of this object, with credential files read: made before
    /// anything changes, so a reload that cannot read one is refused whole.
    struct Plan: Sendable {
        var workspaces: [String]
        var slackWorkspaces: Set<String>
        var alertTargets: [AlertmanagerQueue.Target]
        /// Score remote write per workspace (the source is the workspace, found by `apply`).
        var scoreTargets: [(workspace: String, endpoint: OutboundEndpoint, interval: Int64, timeout: Double)]

        /// - Throws: `OutboundEndpoint.Problem` naming the key path of the endpoint whose URL
        ///   or credentials file cannot be used.
        init(configuration: ServerConfiguration) throws(OutboundEndpoint.Problem) {
            workspaces = configuration.workspaces.map(\.name)
            slackWorkspaces = []
            alertTargets = []
            scoreTargets = []
            for (index, workspace) in configuration.workspaces.enumerated() {
                let alertmanagers = workspace.alertmanagers ?? []
                if workspace.slack != nil || alertmanagers.isEmpty { slackWorkspaces.insert(workspace.name) }
                for (amIndex, alertmanager) in alertmanagers.enumerated() {
                    do {
                        alertTargets.append(AlertmanagerQueue.Target(workspace: workspace.name, endpoint: try alertmanager.endpoint(), timeout: alertmanager.timeoutSeconds))
                    } catch {
                        throw OutboundEndpoint.Problem(reason: "workspaces[\(index)].alertmanagers[\(amIndex)]: \(error.reason)")
                    }
                }
                if let remoteWrite = workspace.remoteWrite {
                    do {
                        scoreTargets.append((workspace.name, try remoteWrite.endpoint(), remoteWrite.intervalMilliseconds, remoteWrite.timeoutSeconds))
                    } catch {
                        throw OutboundEndpoint.Problem(reason: "workspaces[\(index)].remoteWrite: \(error.reason)")
                    }
                }
            }
        }
    }

    init(plan: Plan, options: AIOpsServer.Options, clock: any WallClock) {
        let log = DeliveryLog(logger: options.logger)
        silences = Silences(workspaces: plan.workspaces, dataDirectory: options.dataDirectory, now: clock.now(), log: log)
        alertmanager = AlertmanagerNotifier(
            targets: plan.alertTargets, settings: AlertmanagerQueue.Settings(resendDelay: options.alertResendDelay),
            externalURL: options.externalURL, clock: clock, log: log)
        scoreWriter = ScoreRemoteWriter(targets: [], clock: clock, log: log)
        externalURL = options.externalURL
        federateLimit = options.federateLimit
        slackRoutes.set(plan.slackWorkspaces)
    }

    /// Applies `plan` (at start, once the workspaces exist, and on every reload).
    func apply(_ plan: Plan, workspaces: [Workspace], now: Timestamp) {
        slackRoutes.set(plan.slackWorkspaces)
        silences.setWorkspaces(plan.workspaces, now: now)
        alertmanager.reconfigure(targets: plan.alertTargets)
        scoreWriter.reconfigure(targets: plan.scoreTargets.compactMap { target in
            guard let source = workspaces.first(where: { $0.name == target.workspace }) else { return nil }
            return ScoreRemoteWriter.Target(workspace: target.workspace, endpoint: target.endpoint, intervalMilliseconds: target.interval, timeout: target.timeout, source: source)
        })
    }

    /// Where a workspace's incidents go: its Slack notifier (when the plan says so) and its
    /// Alertmanagers (any it has), decided per event, so a reload that adds or removes either
    /// applies to a running workspace.
    func incidentSink(forWorkspace workspace: String, notifier: Notifier?) -> any IncidentSink {
        WorkspaceAlertRouter(workspace: workspace, routes: slackRoutes, slack: notifier?.sink(forWorkspace: workspace), alertmanager: alertmanager.sink(forWorkspace: workspace))
    }

    func start() {
        alertmanager.start()
        scoreWriter.start()
    }

    func shutdown() {
        alertmanager.shutdown()
        scoreWriter.shutdown()
    }
}

/// One workspace's incident events to its Slack notifier and its Alertmanagers. Events are
/// transitions (rare): the lookups cost nothing per sample.
final class WorkspaceAlertRouter: IncidentSink {
    let workspace: String
    let routes: SlackRoutes
    let slack: (any IncidentSink)?
    let alertmanager: any IncidentSink

    init(workspace: String, routes: SlackRoutes, slack: (any IncidentSink)?, alertmanager: any IncidentSink) {
        self.workspace = workspace
        self.routes = routes
        self.slack = slack
        self.alertmanager = alertmanager
    }

    func handle(_ event: IncidentEvent) {
        if let slack, routes.contains(workspace) { slack.handle(event) }
        alertmanager.handle(event)
    }
}

/// The workspaces whose incidents go to the Slack notifier: shared by the routers (apart
/// from `ServerAlerting`, so they hold no reference back to it).
final class SlackRoutes: Sendable {
    private let workspaces = Mutex<Set<String>>([])

    func set(_ names: Set<String>) { workspaces.withLock { $0 = names } }

    func contains(_ workspace: String) -> Bool { workspaces.withLock { $0.contains(workspace) } }
}
