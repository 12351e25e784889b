import Advice
import AIOpsCore
import AlertTargets
import Foundation
import Rules
import ScoreExport

/// The config file of `aiops serve --config FILE` (JSON):
///
/// ```json
/// {
///   "adminToken": "optional: sees every workspace in /metrics",
///   "allowedWebhookHosts": ["127.0.0.1"],
///   "notifications": {"groupWait": "30s", "groupInterval": "5m", "repeatInterval": "4h", "sendResolved": true},
///   "workspaces": [
///     {"name": "dev-workspace", "plan": "hobby", "token": "...",
///      "slack": {"webhookURL": "https://hooks.slack.com/services/..."},
///      "limits": {"samplesPerSecond": 50000, "activeSeries": 20000},
///      "notifications": {"repeatInterval": "1h"},
///      "dailySummary": {"at": "09:00", "timeZone": "Asia/Tokyo"},
///      "pricing": {"coreHour": 0.031611, "gibHour": 0.004237},
///      "scaling": {"targetUtilisation": 0.7}}
///   ]
/// }
/// ```
/// `slack`, `limits`, `notifications`, `dailySummary`, `pricing` and `scaling` are optional; a
/// workspace's `limits` override its plan's defaults key by key, its `notifications` override
/// the file's.
public struct ServerConfiguration: Sendable, Equatable {
    public var workspaces: [WorkspaceConfiguration]
    public var adminToken: String?
    /// Hosts besides `hooks.slack.com` that webhooks may point at (a loopback receiver, a proxy).
    public var allowedWebhookHosts: [String]?
    public var notifications: NotifyOverrides?

    public init(workspaces: [WorkspaceConfiguration], adminToken: String? = nil, allowedWebhookHosts: [String]? = nil, notifications: NotifyOverrides? = nil) {
        self.workspaces = workspaces
        self.adminToken = adminToken
        self.allowedWebhookHosts = allowedWebhookHosts
        self.notifications = notifications
    }

    /// Reads and validates a config file (see `ServerConfiguration+JSON.swift`).
    /// - Throws: `ConfigurationError` naming the file, the line and the offending key path.
    public static func load(path: String) throws(ConfigurationError) -> ServerConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, path: "", reason: "cannot read the file")
        }
        return try parse(Array(data), file: path)
    }

    /// Checks what the types cannot: unique names and tokens, token strength, names.
    /// - Parameter lines: the line of each key path, when the configuration was read from a
    ///   file, so that the error can say where.
    public func validate(file: String, lines: [String: Int] = [:]) throws(ConfigurationError) {
        func fail(_ path: String, _ reason: String) -> ConfigurationError {
            ConfigurationError(file: file, line: lines[path], path: path, reason: reason)
        }
        if workspaces.isEmpty {
            throw fail("workspaces", "declare at least one workspace")
        }
        var names = Set<String>()
        var tokens = Set<String>()
        for (index, workspace) in workspaces.enumerated() {
            let at = "workspaces[\(index)]"
            if !WorkspaceConfiguration.isValidName(workspace.name) {
                throw fail(at + ".name", "\"\(workspace.name)\" is not a valid name (lower-case letters, digits and '-', 1 to 63 characters)")
            }
            if WorkspaceConfiguration.reservedNames.contains(workspace.name) {
                throw fail(at + ".name", "\"\(workspace.name)\" is reserved (the data directory's \(workspace.name)/ folder)")
            }
            if !names.insert(workspace.name).inserted {
                throw fail(at + ".name", "workspace \"\(workspace.name)\" is declared twice")
            }
            if workspace.token.count < 16 {
                throw fail(at + ".token", "the token must be at least 16 characters")
            }
            if !tokens.insert(workspace.token).inserted || workspace.token == adminToken {
                throw fail(at + ".token", "the token is used twice")
            }
            for (amIndex, alertmanager) in (workspace.alertmanagers ?? []).enumerated() {
                do { _ = try alertmanager.endpoint(readFiles: false) } catch {
                    throw fail(at + ".alertmanagers[\(amIndex)]", error.reason)
                }
            }
            if let remoteWrite = workspace.remoteWrite {
                do { _ = try remoteWrite.endpoint(readFiles: false) } catch {
                    throw fail(at + ".remoteWrite", error.reason)
                }
            }
        }
        if let adminToken, adminToken.count < 16 {
            throw fail("adminToken", "the token must be at least 16 characters")
        }
    }
}

/// One workspace: a Kubernetes namespace's metrics, its plan, token and Slack webhook.
public struct WorkspaceConfiguration: Sendable, Equatable {
    public var name: String
    public var plan: Plan
    /// The remote-write bearer token that selects this workspace. A secret: never logged.
    public var token: String
    public var slack: SlackConfiguration?
    public var limits: LimitOverrides?
    public var notifications: NotifyOverrides?
    /// Alertmanagers its incidents are sent to (`POST /api/v2/alerts`), beside or instead of
    /// Slack: with Alertmanagers and no `slack`, nothing is printed on standard output.
    public var alertmanagers: [AlertmanagerConfiguration]?
    /// Where its scores are remote-written (`aiops_anomaly_score` and the expected band).
    public var remoteWrite: ScoreRemoteWriteConfiguration?
    /// When the daily summary is sent (default 09:00 UTC).
    public var dailySummary: DailySummarySchedule?
    /// Prices of requested CPU and memory for cost advice (default `Pricing.default`).
    public var pricing: Pricing?
    /// Predictive scaling's target utilisation, replicas floor, lead and load series.
    public var scaling: ScalingPolicy?

    public init(
        name: String, plan: Plan, token: String, slack: SlackConfiguration? = nil, limits: LimitOverrides? = nil, notifications: NotifyOverrides? = nil,
        alertmanagers: [AlertmanagerConfiguration]? = nil, remoteWrite: ScoreRemoteWriteConfiguration? = nil,
        dailySummary: DailySummarySchedule? = nil, pricing: Pricing? = nil, scaling: ScalingPolicy? = nil
    ) {
        self.name = name
        self.plan = plan
        self.token = token
        self.slack = slack
        self.limits = limits
        self.notifications = notifications
        self.alertmanagers = alertmanagers
        self.remoteWrite = remoteWrite
        self.dailySummary = dailySummary
        self.pricing = pricing
        self.scaling = scaling
    }

    /// The advice settings of this workspace: its plan decides whether scaling and cost advice
    /// are included.
    public var adviceSettings: AdviceSettings {
        AdviceSettings(includesAdvice: plan.includesAdvice, pricing: pricing ?? .default, scaling: scaling ?? .default,
                       schedule: dailySummary ?? .default)
    }

    /// The plan's limits with this workspace's overrides.
    public var effectiveLimits: WorkspaceLimits {
        (limits ?? LimitOverrides()).applied(to: plan.defaultLimits)
    }

    /// Folders of the data directory beside the workspaces' own (`<data>/<workspace>/`).
    static let reservedNames: Set<String> = ["outbox", "damaged"]

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 63
            && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}

/// Where a workspace's reports go.
public struct SlackConfiguration: Sendable, Equatable {
    /// A secret: never logged, printed or exported.
    public var webhookURL: String

    public init(webhookURL: String) {
        self.webhookURL = webhookURL
    }
}

/// A config file that cannot be used: which file, which line and key, why.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    /// 1-based line of the offending key or value, when known.
    public var line: Int?
    /// A key path such as `workspaces[1].limits.activeSeries`, or "" for the whole file.
    public var path: String
    public var reason: String
    /// Further problems found in the same pass, in file order.
    public var more: [ConfigurationError]

    public init(file: String, line: Int? = nil, path: String, reason: String, more: [ConfigurationError] = []) {
        self.file = file
        self.line = line
        self.path = path
        self.reason = reason
        self.more = more
    }

    /// `file:line: path: reason`, the parts that are known; one line per problem.
    public var description: String {
        var out = file
        if let line { out += ":\(line)" }
        if !path.isEmpty { out += ": " + path }
        out += ": " + reason
        for other in more { out += "\n" + other.description }
        return out
    }
}
