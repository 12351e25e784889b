import AIOpsCore
import AlertTargets
import Delivery
import ScoreExport

/// What an Alertmanager and a score remote-write target have in common: an endpoint, its
/// credentials and a timeout, read by one function with the strict reader (`JSONReader`), so
/// the two accept the same keys alike. URLs and credentials are checked by
/// `ServerConfiguration.validate` (shape) and when the server starts (files read).
protocol OutboundTargetConfiguration {
    var url: String { get set }
    var basicAuth: BasicAuthConfiguration? { get set }
    var bearerTokenFile: String? { get set }
    var timeout: PromDuration? { get set }
}

extension AlertmanagerConfiguration: OutboundTargetConfiguration {}
extension ScoreRemoteWriteConfiguration: OutboundTargetConfiguration {}

extension OutboundTargetConfiguration {
    static var endpointKeys: [String] { ["url", "basicAuth", "bearerTokenFile", "timeout"] }

    /// Reads an object of the endpoint keys and `extraKeys` into `empty`; `readExtra` reads an
    /// extra key. Nil (with the errors in `reader`) when anything is wrong.
    static func read(
        _ node: JSONNode, path: String, reader: inout JSONReader, empty: Self, example: String, extraKeys: [String] = [],
        readExtra: (JSONNode.Member, String, inout Self, inout JSONReader) -> Void = { _, _, _, _ in }
    ) -> Self? {
        guard let members = reader.object(node, path, known: endpointKeys + extraKeys, example: example) else { return nil }
        let errorsBefore = reader.errors.count
        var configuration = empty
        for member in members {
            let at = JSONReader.path(path, member.key)
            switch member.key {
            case "url": configuration.url = reader.nonEmptyString(member.value, at) ?? ""
            case "basicAuth": configuration.basicAuth = BasicAuthConfiguration.read(member.value, path: at, reader: &reader)
            case "bearerTokenFile": configuration.bearerTokenFile = reader.nonEmptyString(member.value, at)
            case "timeout": configuration.timeout = reader.duration(member.value, at, in: PromDuration.seconds(1)...PromDuration.minutes(5))
            default: readExtra(member, at, &configuration, &reader)
            }
        }
        _ = reader.required("url", of: node, path)
        return reader.errors.count == errorsBefore ? configuration : nil
    }
}

extension AlertmanagerConfiguration {
    static func read(_ node: JSONNode, path: String, reader: inout JSONReader) -> AlertmanagerConfiguration? {
        read(node, path: path, reader: &reader, empty: AlertmanagerConfiguration(url: ""), example: "{\"url\": \"http://alertmanager:9093\"}")
    }
}

extension ScoreRemoteWriteConfiguration {
    static func read(_ node: JSONNode, path: String, reader: inout JSONReader) -> ScoreRemoteWriteConfiguration? {
        read(node, path: path, reader: &reader, empty: ScoreRemoteWriteConfiguration(url: ""),
             example: "{\"url\": \"http://prometheus:9090/api/v1/write\"}", extraKeys: ["interval"]) { member, at, configuration, reader in
            configuration.interval = reader.duration(member.value, at, in: PromDuration.seconds(1)...PromDuration.hours(1))
        }
    }
}

extension BasicAuthConfiguration {
    static let jsonKeys = ["username", "password", "passwordFile"]

    static func read(_ node: JSONNode, path: String, reader: inout JSONReader) -> BasicAuthConfiguration? {
        guard let members = reader.object(node, path, known: jsonKeys, example: "{\"username\": \"aiops\", \"passwordFile\": \"/etc/aiops/password\"}") else { return nil }
        var configuration = BasicAuthConfiguration(username: "")
        for member in members {
            let at = JSONReader.path(path, member.key)
            switch member.key {
            case "username": configuration.username = reader.nonEmptyString(member.value, at) ?? ""
            case "password": configuration.password = reader.string(member.value, at)
            default: configuration.passwordFile = reader.nonEmptyString(member.value, at)
            }
        }
        guard reader.required("username", of: node, path) != nil else { return nil }
        return configuration
    }
}
