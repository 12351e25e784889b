import Advice
import AIOpsCore
import AlertTargets
import Rules
import ScoreExport

/// Reading the config file with the rule files' reader (`JSONParser`, `JSONReader`): strict
/// JSON (no trailing commas, no duplicate keys), unknown keys refused with their key path and
/// the nearest known key, values checked for their type and range, every problem with its
/// line. To add a key: list it in the object's `jsonKeys` and read it in the `switch`.
extension ServerConfiguration {
    static let jsonKeys = ["adminToken", "allowedWebhookHosts", "notifications", "workspaces"]

    /// Reads and validates a config file's bytes; `file` names it in errors.
    /// - Throws: `ConfigurationError` for the first problem in file order (`more` holds the
    ///   others found in the same pass).
    public static func parse(_ bytes: [UInt8], file: String) throws(ConfigurationError) -> ServerConfiguration {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw ConfigurationError(file: file, line: error.line, path: "", reason: "invalid JSON at column \(error.column): \(error.reason)")
        }
        var reader = JSONReader()
        var lines: [String: Int] = [:]
        let configuration = read(root, reader: &reader, lines: &lines)
        let problems = reader.errors.enumerated().sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }.map {
            ConfigurationError(file: file, line: $0.element.line, path: $0.element.path, reason: $0.element.reason)
        }
        if var first = problems.first {
            first.more = Array(problems.dropFirst())
            throw first
        }
        guard let configuration else {
            // `read` returns nil only after recording a problem.
            throw ConfigurationError(file: file, line: root.line, path: "", reason: "not a configuration")
        }
        try configuration.validate(file: file, lines: lines)
        return configuration
    }

    /// The configuration in `root`, or nil when a required part is missing or wrong.
    /// - Parameter lines: receives the line of every key path read, for `validate`.
    static func read(_ root: JSONNode, reader: inout JSONReader, lines: inout [String: Int]) -> ServerConfiguration? {
        guard let members = reader.object(root, "", known: jsonKeys, example: "{\"workspaces\": [...]}") else { return nil }
        var configuration = ServerConfiguration(workspaces: [])
        var complete = true
        for member in members {
            let path = member.key
            let value = member.value
            lines[path] = member.line
            switch member.key {
            case "adminToken":
                configuration.adminToken = reader.string(value, path)
            case "allowedWebhookHosts":
                configuration.allowedWebhookHosts = reader.strings(value, path)
            case "notifications":
                configuration.notifications = NotifyOverrides(json: value, path: path, reader: &reader)
            default:  // workspaces
                guard let elements = reader.array(value, path, of: "workspace objects") else {
                    complete = false
                    continue
                }
                for (index, element) in elements.enumerated() {
                    let at = JSONReader.path(path, index: index)
                    lines[at] = element.line
                    if let workspace = WorkspaceConfiguration.read(element, path: at, reader: &reader, lines: &lines) {
                        configuration.workspaces.append(workspace)
                    } else {
                        complete = false
                    }
                }
            }
        }
        if reader.required("workspaces", of: root, "") == nil { complete = false }
        return complete ? configuration : nil
    }
}

extension WorkspaceConfiguration {
    static let jsonKeys = ["name", "plan", "token", "slack", "limits", "notifications", "alertmanagers", "remoteWrite", "dailySummary", "pricing", "scaling"]

    /// One element of `workspaces`, or nil when a required key is missing or wrong.
    static func read(_ node: JSONNode, path: String, reader: inout JSONReader, lines: inout [String: Int]) -> WorkspaceConfiguration? {
        let errorsBefore = reader.errors.count
        guard let members = reader.object(node, path, known: jsonKeys, example: "{\"name\": \"team-a\", \"plan\": \"hobby\", \"token\": \"...\"}") else { return nil }
        var name: String?
        var plan: Plan?
        var token: String?
        var slack: SlackConfiguration?
        var limits: LimitOverrides?
        var notifications: NotifyOverrides?
        var alertmanagers: [AlertmanagerConfiguration]?
        var remoteWrite: ScoreRemoteWriteConfiguration?
        var dailySummary: DailySummarySchedule?
        var pricing: Pricing?
        var scaling: ScalingPolicy?
        for member in members {
            let at = JSONReader.path(path, member.key)
            let value = member.value
            lines[at] = member.line
            switch member.key {
            case "name": name = reader.string(value, at)
            case "plan": plan = reader.choice(value, at, Plan.self)
            case "token": token = reader.string(value, at)
            case "slack": slack = SlackConfiguration.read(value, path: at, reader: &reader)
            case "limits": limits = LimitOverrides.read(value, path: at, reader: &reader)
            case "alertmanagers":
                guard let elements = reader.array(value, at, of: "Alertmanager objects") else { continue }
                alertmanagers = []
                for (index, element) in elements.enumerated() {
                    let elementPath = JSONReader.path(at, index: index)
                    lines[elementPath] = element.line
                    if let alertmanager = AlertmanagerConfiguration.read(element, path: elementPath, reader: &reader) { alertmanagers?.append(alertmanager) }
                }
            case "remoteWrite": remoteWrite = ScoreRemoteWriteConfiguration.read(value, path: at, reader: &reader)
            case "dailySummary": dailySummary = DailySummarySchedule(json: value, path: at, reader: &reader)
            case "pricing": pricing = Pricing(json: value, path: at, reader: &reader)
            case "scaling": scaling = ScalingPolicy(json: value, path: at, reader: &reader)
            default: notifications = NotifyOverrides(json: value, path: at, reader: &reader)
            }
        }
        for key in ["name", "plan", "token"] { _ = reader.required(key, of: node, path) }
        guard reader.errors.count == errorsBefore, let name, let plan, let token else { return nil }
        return WorkspaceConfiguration(
            name: name, plan: plan, token: token, slack: slack, limits: limits, notifications: notifications,
            alertmanagers: alertmanagers, remoteWrite: remoteWrite, dailySummary: dailySummary, pricing: pricing, scaling: scaling)
    }
}

extension SlackConfiguration {
    static let jsonKeys = ["webhookURL"]

    static func read(_ node: JSONNode, path: String, reader: inout JSONReader) -> SlackConfiguration? {
        guard reader.object(node, path, known: jsonKeys, example: "{\"webhookURL\": \"https://hooks.slack.com/services/...\"}") != nil,
              let value = reader.required("webhookURL", of: node, path),
              let url = reader.nonEmptyString(value, JSONReader.path(path, "webhookURL"))
        else { return nil }
        return SlackConfiguration(webhookURL: url)
    }
}

extension LimitOverrides {
    static let jsonKeys = ["samplesPerSecond", "burstSamples", "activeSeries", "labelsPerSeries", "labelNameLength", "labelValueLength"]

    /// Every limit is a whole number of at least 1.
    static func read(_ node: JSONNode, path: String, reader: inout JSONReader) -> LimitOverrides? {
        guard let members = reader.object(node, path, known: jsonKeys, example: "{\"activeSeries\": 20000}") else { return nil }
        var limits = LimitOverrides()
        for member in members {
            let value = reader.integer(member.value, JSONReader.path(path, member.key), in: 1...Int.max)
            switch member.key {
            case "samplesPerSecond": limits.samplesPerSecond = value
            case "burstSamples": limits.burstSamples = value
            case "activeSeries": limits.activeSeries = value
            case "labelsPerSeries": limits.labelsPerSeries = value
            case "labelNameLength": limits.labelNameLength = value
            default: limits.labelValueLength = value
            }
        }
        return limits
    }
}
