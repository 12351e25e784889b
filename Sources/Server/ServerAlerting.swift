import AIOpsCore
import AlertTargets
import Delivery
import Incidents
import ScoreExport

/// What `aiops serve` adds around the Slack notifier to fit the Prometheus ecosystem:
/// workspaces' Alertmanagers, their silences, and the remote write of their scores. Built
/// from the configuration by `AIOpsServer`, which starts and stops it.
final class ServerAlerting: Sendable {
    let silences: Silences
    /// Nil when no workspace has Alertmanagers.
    let alertmanager: AlertmanagerNotifier?
    /// Nil when no workspace remote-writes its scores (set once the workspaces exist).
    let scoreWriter: ScoreRemoteWriter?
    let externalURL: String?
    let federateLimit: Int

    /// - Parameters:
    ///   - alertmanager: from `makeAlertmanager` (made first: the workspaces' sinks need it).
    ///   - workspaces: the score sources of those that remote-write their scores.
    /// - Throws: `OutboundEndpoint.Problem`, prefixed with the key path, when a configured
    ///   endpoint's URL or credentials cannot be used (a credentials file unreadable now).
    init(
        configuration: ServerConfiguration, workspaces: [Workspace], alertmanager: AlertmanagerNotifier?,
        options: AIOpsServer.Options, clock: any WallClock, log: DeliveryLog
    ) throws(OutboundEndpoint.Problem) {
        silences = Silences(workspaces: configuration.workspaces.map(\.name), dataDirectory: options.dataDirectory, now: clock.now(), log: log)
        externalURL = options.externalURL
        federateLimit = options.federateLimit
        self.alertmanager = alertmanager
        var scoreTargets: [ScoreRemoteWriter.Target] = []
        for (index, workspace) in configuration.workspaces.enumerated() {
            guard let remoteWrite = workspace.remoteWrite, let source = workspaces.first(where: { $0.name == workspace.name }) else { continue }
            do {
                scoreTargets.append(ScoreRemoteWriter.Target(
                    workspace: workspace.name, endpoint: try remoteWrite.endpoint(),
                    intervalMilliseconds: remoteWrite.intervalMilliseconds, timeout: remoteWrite.timeoutSeconds, source: source))
            } catch {
                throw OutboundEndpoint.Problem(reason: "workspaces[\(index)].remoteWrite: \(error.reason)")
            }
        }
        scoreWriter = scoreTargets.isEmpty ? nil : ScoreRemoteWriter(targets: scoreTargets, clock: clock, log: log)
    }

    /// The Alertmanager notifier of every workspace's `alertmanagers`; nil when none has any.
    /// - Throws: `OutboundEndpoint.Problem` prefixed with the key path.
    static func makeAlertmanager(
        configuration: ServerConfiguration, options: AIOpsServer.Options, clock: any WallClock, log: DeliveryLog
    ) throws(OutboundEndpoint.Problem) -> AlertmanagerNotifier? {
        var targets: [AlertmanagerQueue.Target] = []
        for (index, workspace) in configuration.workspaces.enumerated() {
            for (amIndex, alertmanager) in (workspace.alertmanagers ?? []).enumerated() {
                do {
                    targets.append(AlertmanagerQueue.Target(workspace: workspace.name, endpoint: try alertmanager.endpoint(), timeout: alertmanager.timeoutSeconds))
                } catch {
                    throw OutboundEndpoint.Problem(reason: "workspaces[\(index)].alertmanagers[\(amIndex)]: \(error.reason)")
                }
            }
        }
        guard !targets.isEmpty else { return nil }
        return AlertmanagerNotifier(
            targets: targets, settings: AlertmanagerQueue.Settings(resendDelay: options.alertResendDelay),
            externalURL: options.externalURL, clock: clock, log: log)
    }

    /// Where a workspace's incidents go: its Slack notifier (a webhook, or standard output
    /// when it has neither a webhook nor Alertmanagers) and its Alertmanagers.
    static func incidentSink(for workspace: WorkspaceConfiguration, notifier: Notifier?, alertmanager: AlertmanagerNotifier?) -> (any IncidentSink)? {
        let toAlertmanager = alertmanager?.sink(forWorkspace: workspace.name)
        let toSlack = (workspace.slack != nil || toAlertmanager == nil) ? notifier?.sink(forWorkspace: workspace.name) : nil
        return IncidentFanOut.combining([toSlack, toAlertmanager])
    }

    func start() {
        alertmanager?.start()
        scoreWriter?.start()
    }

    func shutdown() {
        alertmanager?.shutdown()
        scoreWriter?.shutdown()
    }
}
