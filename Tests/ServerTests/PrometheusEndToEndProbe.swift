import Foundation
import HTTPServer

/// Reads one workspace's view of a running `aiops serve`: its `/metrics` and its
/// `/api/v1/incidents`, with the workspace's token.
struct PrometheusEndToEndProbe {
    /// What the probe could not read, with the path and the cause.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// One sample line of the text format.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// An incident of `/api/v1/incidents`, the keys the test looks at.
    struct IncidentView {
        var rule: String
        var state: String
        var labels: [String: String]
    }

    let port: Int
    let workspace: String
    let token: String

    /// `GET path` with the workspace's token; anything but 200 is a failure.
    func get(_ path: String) throws -> String {
        do {
            let connection = try HTTPClientConnection(host: "127.0.0.1", port: port, timeout: .seconds(5))
            defer { connection.close() }
            let response = try connection.request(method: "GET", path: path, headers: [("Authorization", "Bearer \(token)")])
            guard response.status == 200 else {
                throw Failure(description: "GET \(path) as \(workspace): status \(response.status): \(response.bodyText)")
            }
            return response.bodyText
        } catch let error as HTTPClientError {
            throw Failure(description: "GET \(path) as \(workspace): \(error)")
        }
    }

    /// This workspace's samples of `/metrics` (labelled `workspace="<name>"`).
    func metrics() throws -> (samples: [Sample], text: String) {
        let text = try get("/metrics")
        let samples = Self.parse(text).filter { $0.labels["workspace"] == workspace }
        return (samples, text)
    }

    /// `data.active` and `data.recent` of `/api/v1/incidents`, checking the envelope.
    func incidents() throws -> (active: [IncidentView], recent: [IncidentView], text: String) {
        let text = try get("/api/v1/incidents")
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              object["status"] as? String == "success",
              object["workspace"] as? String == workspace,
              let data = object["data"] as? [String: Any],
              let active = data["active"] as? [[String: Any]],
              let recent = data["recent"] as? [[String: Any]]
        else {
            throw Failure(description: "GET /api/v1/incidents as \(workspace): unexpected body \(text)")
        }
        func view(_ incident: [String: Any]) -> IncidentView {
            IncidentView(
                rule: incident["rule"] as? String ?? "", state: incident["state"] as? String ?? "",
                labels: incident["labels"] as? [String: String] ?? [:])
        }
        return (active.map(view), recent.map(view), text)
    }

    /// The value of the sample named `name` whose labels include `labels`; 0 when there is none
    /// (a counter never incremented is not written).
    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.first { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }?.value ?? 0
    }

    /// The sample lines of Prometheus text exposition (comments skipped; escapes in label
    /// values `\\`, `\"`, `\n` undone). Malformed lines are skipped.
    static func parse(_ text: String) -> [Sample] {
        var samples: [Sample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let chars = Array(line)
            var index = 0
            var name = ""
            while index < chars.count, chars[index] != "{", chars[index] != " " {
                name.append(chars[index])
                index += 1
            }
            var labels: [String: String] = [:]
            if index < chars.count, chars[index] == "{" {
                index += 1
                while index < chars.count, chars[index] != "}" {
                    var key = ""
                    while index < chars.count, chars[index] != "=" {
                        if chars[index] != "," && chars[index] != " " { key.append(chars[index]) }
                        index += 1
                    }
                    index += 2  // `="`
                    var value = ""
                    while index < chars.count, chars[index] != "\"" {
                        if chars[index] == "\\", index + 1 < chars.count {
                            index += 1
                            value.append(chars[index] == "n" ? "\n" : chars[index])
                        } else {
                            value.append(chars[index])
                        }
                        index += 1
                    }
                    index += 1  // closing quote
                    labels[key] = value
                }
                index += 1  // `}`
            }
            let rest = String(chars[min(index, chars.count)...]).split(separator: " ")
            guard !name.isEmpty, let first = rest.first, let value = Double(first) else { continue }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
        return samples
    }
}
