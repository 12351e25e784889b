import AIOpsCore
import Delivery
import Rules
import Synchronization

/// A reload that was refused: the running configuration and rules stay. One line per error,
/// as a start would print them.
public struct ReloadError: Error, Sendable, CustomStringConvertible, Equatable {
    public var lines: [String]

    public init(lines: [String]) {
        self.lines = lines
    }

    public var description: String { lines.joined(separator: "\n") }
}

extension AIOpsServer {
    /// Reads the configuration and rules again from `options.source` and applies them
    /// (SIGHUP, `POST /-/reload`).
    /// - Returns: one line per workspace saying what changed.
    /// - Throws: `ReloadError` when there is no source or what it holds is refused; nothing
    ///   changes then.
    @discardableResult
    public func reload() throws(ReloadError) -> [String] {
        guard let source = options.source else {
            throw recordFailure(ReloadError(lines: ["this server was started without a configuration source to reload from"]))
        }
        let loaded: (configuration: ServerConfiguration, rules: RuleSet)
        do {
            loaded = try source.load()
        } catch {
            throw recordFailure(ReloadError(lines: error.lines))
        }
        return try reload(configuration: loaded.configuration, rules: loaded.rules)
    }

    /// Applies `configuration` and `rules` in place, without a restart:
    /// - a workspace kept (same name) changes plan, limits, token, webhook and notification
    ///   policy on its next request; its series stay, and so does every rule binding whose
    ///   rule did not change (`Rule.fingerprint`): detector state, incidents, rate state;
    ///   bindings of new or changed rules start fresh; firing incidents of rules that are gone
    ///   resolve and are notified;
    /// - a new workspace starts (from its snapshot in the data directory, if there is one), and
    ///   with `--warm-from` its new series read their history as at start;
    /// - a removed one is snapshotted (when snapshots are on) and dropped.
    /// Everything that can be refused (a webhook not allowed) is checked before anything
    /// changes.
    /// - Returns: one line per workspace saying what changed.
    /// - Throws: `ReloadError` when a webhook is refused; nothing changes then.
    @discardableResult
    public func reload(configuration: ServerConfiguration, rules: RuleSet) throws(ReloadError) -> [String] {
        let notifierWorkspaces: [NotifierWorkspace]
        let alertingPlan: ServerAlerting.Plan
        do {
            notifierWorkspaces = try NotifierSetup.workspaces(configuration: configuration, rules: rules)
        } catch {
            throw recordFailure(ReloadError(lines: ["\(error)"]))
        }
        do {
            alertingPlan = try ServerAlerting.Plan(configuration: configuration)
        } catch {
            throw recordFailure(ReloadError(lines: [error.reason]))
        }
        let logger = options.logger.with(component: "reload")
        let lines = reloadLock.withLock { _ in snapshotting.withLock { _ -> [String] in
            let now = clock.now()
            let running = state.routing.withLock { $0 }
            let names = Set(configuration.workspaces.map(\.name))
            let removed = running.workspaces.filter { !names.contains($0.name) }
            var lines: [String] = []
            // Before the notifier forgets them, so their notification logs are in the snapshot.
            writeSnapshotsHoldingLock(removed)
            if let notifier {
                do throws(DeliveryError) { try notifier.reconfigure(notifierWorkspaces) } catch {
                    // Not reached: the configuration has at least one workspace (validated).
                    lines.append("notifier: \(error)")
                }
            }
            var workspaces: [Workspace] = []
            var added: [Workspace] = []
            for config in configuration.workspaces {
                if let workspace = running.workspaces.first(where: { $0.name == config.name }) {
                    let change = workspace.reconfigure(config, rules: rules, now: now)
                    var line = "workspace \(config.name): "
                    line += change.planBefore == change.plan ? "plan \(change.plan.rawValue)" : "plan \(change.planBefore.rawValue) -> \(change.plan.rawValue)"
                    line += change.limitsChanged ? ", limits changed" : ""
                    line += "; \(change.rules.description)"
                    lines.append(line)
                    workspaces.append(workspace)
                } else {
                    let workspace = Workspace(configuration: config, rules: rules, shardCount: shardCount,
                                              sink: alerting.incidentSink(forWorkspace: config.name, notifier: notifier), now: now)
                    added.append(workspace)
                    workspaces.append(workspace)
                    lines.append("workspace \(config.name): added (\(config.plan.rawValue))")
                }
            }
            loadSnapshots(added)
            // Before any request reaches them: their new series wait for their history too.
            warmStart?.add(shards: Self.warmShards(of: added))
            // Alertmanagers, silences and score remote write follow the new configuration.
            alerting.apply(alertingPlan, workspaces: workspaces, now: now)
            resendFiring(added)
            for workspace in removed { lines.append("workspace \(workspace.name): removed") }
            state.routing.withLock { $0 = Routing(configuration: configuration, rules: rules, workspaces: workspaces) }
            state.reloadStatus.withLock { $0 = ReloadStatus(lastSuccessful: true, lastSuccess: now) }
            return lines
        } }
        for line in lines { logger.info(line) }
        logger.info("configuration and rules reloaded: \(configuration.workspaces.count) workspace(s), \(rules.rules.count) rule(s)")
        return lines
    }

    /// Records a refused reload (metric and log line) and returns the error to throw.
    private func recordFailure(_ error: ReloadError) -> ReloadError {
        state.reloadStatus.withLock { $0.lastSuccessful = false }
        let logger = options.logger.with(component: "reload")
        logger.error("reload refused; the running configuration and rules stay: \(error.lines.joined(separator: "; "))")
        return error
    }
}

/// Which workspace a token selects, and what the server runs: replaced whole by a reload, read
/// once per request.
struct Routing: Sendable {
    var configuration: ServerConfiguration
    var rules: RuleSet
    var workspaces: [Workspace]
    /// `workspaces[i]`'s bearer token (a secret: never logged).
    var tokens: [[UInt8]]
    var adminToken: [UInt8]?

    init(configuration: ServerConfiguration, rules: RuleSet, workspaces: [Workspace]) {
        self.configuration = configuration
        self.rules = rules
        self.workspaces = workspaces
        let byName = Dictionary(configuration.workspaces.map { ($0.name, Array($0.token.utf8)) }, uniquingKeysWith: { $1 })
        tokens = workspaces.map { byName[$0.name] ?? [] }
        adminToken = configuration.adminToken.map { Array($0.utf8) }
    }

    /// The workspace whose token `candidate` is (compared in constant time with each).
    func workspace(token candidate: UnsafeRawBufferPointer) -> Workspace? {
        var found: Workspace?
        for (index, token) in tokens.enumerated() where !token.isEmpty && TokenComparison.matches(token, candidate) { found = workspaces[index] }
        return found
    }
}
