import Advice
import AIOpsCore
import Foundation
import Rules

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
public struct ServerConfiguration: Sendable, Codable, Equatable {
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

    /// Reads and validates a config file.
    /// - Throws: `ConfigurationError` naming the file and the offending key path.
    public static func load(path: String) throws(ConfigurationError) -> ServerConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, path: "", reason: "cannot read the file")
        }
        let configuration: ServerConfiguration
        do {
            configuration = try JSONDecoder().decode(ServerConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError(file: path, decoding: error)
        } catch {
            throw ConfigurationError(file: path, path: "", reason: "\(error)")
        }
        try configuration.validate(file: path)
        return configuration
    }

    /// Checks what JSON decoding cannot: unique names and tokens, token strength, names.
    public func validate(file: String) throws(ConfigurationError) {
        if workspaces.isEmpty {
            throw ConfigurationError(file: file, path: "workspaces", reason: "declare at least one workspace")
        }
        var names = Set<String>()
        var tokens = Set<String>()
        for (index, workspace) in workspaces.enumerated() {
            let at = "workspaces[\(index)]"
            if !WorkspaceConfiguration.isValidName(workspace.name) {
                throw ConfigurationError(file: file, path: at + ".name", reason: "\"\(workspace.name)\" is not a valid name (lower-case letters, digits and '-', 1 to 63 characters)")
            }
            if WorkspaceConfiguration.reservedNames.contains(workspace.name) {
                throw ConfigurationError(file: file, path: at + ".name", reason: "\"\(workspace.name)\" is reserved (the data directory's \(workspace.name)/ folder)")
            }
            if !names.insert(workspace.name).inserted {
                throw ConfigurationError(file: file, path: at + ".name", reason: "workspace \"\(workspace.name)\" is declared twice")
            }
            if workspace.token.count < 16 {
                throw ConfigurationError(file: file, path: at + ".token", reason: "the token must be at least 16 characters")
            }
            if !tokens.insert(workspace.token).inserted || workspace.token == adminToken {
                throw ConfigurationError(file: file, path: at + ".token", reason: "the token is used twice")
            }
        }
        if let adminToken, adminToken.count < 16 {
            throw ConfigurationError(file: file, path: "adminToken", reason: "the token must be at least 16 characters")
        }
    }
}

/// One workspace: a Kubernetes namespace's metrics, its plan, token and Slack webhook.
public struct WorkspaceConfiguration: Sendable, Codable, Equatable {
    public var name: String
    public var plan: Plan
    /// The remote-write bearer token that selects this workspace. A secret: never logged.
    public var token: String
    public var slack: SlackConfiguration?
    public var limits: LimitOverrides?
    public var notifications: NotifyOverrides?
    /// When the daily summary is sent (default 09:00 UTC).
    public var dailySummary: DailySummarySchedule?
    /// Prices of requested CPU and memory for cost advice (default `Pricing.default`).
    public var pricing: Pricing?
    /// Predictive scaling's target utilisation, replicas floor, lead and load series.
    public var scaling: ScalingPolicy?

    public init(name: String, plan: Plan, token: String, slack: SlackConfiguration? = nil, limits: LimitOverrides? = nil, notifications: NotifyOverrides? = nil,
                dailySummary: DailySummarySchedule? = nil, pricing: Pricing? = nil, scaling: ScalingPolicy? = nil) {
        self.name = name
        self.plan = plan
        self.token = token
        self.slack = slack
        self.limits = limits
        self.notifications = notifications
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
public struct SlackConfiguration: Sendable, Codable, Equatable {
    /// A secret: never logged, printed or exported.
    public var webhookURL: String

    public init(webhookURL: String) {
        self.webhookURL = webhookURL
    }
}

/// A config file that cannot be used: which file, which key, why.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    /// A key path such as `workspaces[1].limits.activeSeries`, or "" for the whole file.
    public var path: String
    public var reason: String

    public init(file: String, path: String, reason: String) {
        self.file = file
        self.path = path
        self.reason = reason
    }

    init(file: String, decoding error: DecodingError) {
        func render(_ codingPath: [CodingKey]) -> String {
            var out = ""
            for key in codingPath {
                if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
            }
            return out
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(file: file, path: render(context.codingPath + [key]), reason: "missing required key")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            self.init(file: file, path: render(context.codingPath), reason: context.debugDescription)
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            self.init(file: file, path: render(context.codingPath), reason: underlying ?? context.debugDescription)
        @unknown default:
            self.init(file: file, path: "", reason: "\(error)")
        }
    }

    public var description: String {
        path.isEmpty ? "\(file): \(reason)" : "\(file): \(path): \(reason)"
    }
}
