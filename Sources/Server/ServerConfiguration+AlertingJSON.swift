import AIOpsCore
import AlertTargets
import Delivery
import ScoreExport

/// The strict reader (`JSONReader`) for the keys of Alertmanagers and score remote write.
/// URLs and credentials are checked by `ServerConfiguration.validate` (shape) and when the
/// server starts (files read).
extension AlertmanagerConfiguration {
    static let jsonKeys = ["url", "basicAuth", "bearerTokenFile", "timeout"]

    static func read(_ node: JSONNode, path: String, reader: inout JSONReader) -> AlertmanagerConfiguration? {
        guard let members = reader.object(node, path, known: jsonKeys, example: "{\"url\": \"http://alertmanager:9093\"}") else { return nil }
        let errorsBefore = reader.errors.count
        var configuration = AlertmanagerConfiguration(url: "")
        for member in members {
            let at = JSONReader.path(path, member.key)
            switch member.key {
            case "url": configuration.url = reader.nonEmptyString(member.value, at) ?? ""
            case "basicAuth": configuration.basicAuth = BasicAuthConfiguration.read(member.value, path: at, reader: &reader)
            case "bearerTokenFile": configuration.bearerTokenFile = reader.nonEmptyString(member.value, at)
            default: configuration.timeout = reader.duration(member.value, at, in: PromDuration.seconds(1)...PromDuration.minutes(5))
            }
        }
        _ = reader.required("url", of: node, path)
        return reader.errors.count == errorsBefore ? configuration : nil
    }
}

extension ScoreRemoteWriteConfiguration {
    static let jsonKeys = ["url", "basicAuth", "bearerTokenFile", "interval", "timeout"]

    static func read(_ node: JSONNode, path: String, reader: inout JSONReader) -> ScoreRemoteWriteConfiguration? {
        guard let members = reader.object(node, path, known: jsonKeys, example: "{\"url\": \"http://prometheus:9090/api/v1/write\"}") else { return nil }
        let errorsBefore = reader.errors.count
        var configuration = ScoreRemoteWriteConfiguration(url: "")
        for member in members {
            let at = JSONReader.path(path, member.key)
            switch member.key {
            case "url": configuration.url = reader.nonEmptyString(member.value, at) ?? ""
            case "basicAuth": configuration.basicAuth = BasicAuthConfiguration.read(member.value, path: at, reader: &reader)
            case "bearerTokenFile": configuration.bearerTokenFile = reader.nonEmptyString(member.value, at)
            case "interval": configuration.interval = reader.duration(member.value, at, in: PromDuration.seconds(1)...PromDuration.hours(1))
            default: configuration.timeout = reader.duration(member.value, at, in: PromDuration.seconds(1)...PromDuration.minutes(5))
            }
        }
        _ = reader.required("url", of: node, path)
        return reader.errors.count == errorsBefore ? configuration : nil
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
