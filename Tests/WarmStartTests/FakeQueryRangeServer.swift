import AIOpsCore
import Foundation
import HTTPServer
import Synchronization

/// A Prometheus impostor on 127.0.0.1 (the project's own HTTP server): answers
/// `POST /api/v1/query_range` from a table of series, each a function of time, or with a
/// scripted failure; records every request.
final class FakeQueryRangeServer: Sendable {
    struct Request: Sendable {
        var path: String
        var method: String
        var authorization: String?
        var contentType: String?
        var form: [String: String]

        var query: String { form["query"] ?? "" }
        /// Milliseconds.
        var start: Timestamp { Self.milliseconds(form["start"]) }
        var end: Timestamp { Self.milliseconds(form["end"]) }
        var step: Int64 { Self.milliseconds(form["step"]) }

        static func milliseconds(_ text: String?) -> Int64 {
            Int64(((Double(text ?? "") ?? .nan) * 1000).rounded())
        }
    }

    /// What the next requests get, in order; then `.data`.
    enum Reply: Sendable {
        /// The matrix of every table series whose `__name__` the query names.
        case data
        case status(Int, String)
    }

    /// Series by labels: the value at an evaluation time, nil for none.
    let table: [(labels: Labels, value: @Sendable (Timestamp) -> Double?)]
    private let recorder: Recorder
    private let server: HTTPServer
    let port: Int

    /// What the handler and the test share.
    final class Recorder: Sendable {
        let script: Mutex<[Reply]>
        let received = Mutex<[Request]>([])
        init(script: [Reply]) { self.script = Mutex(script) }
    }

    init(table: [(labels: Labels, value: @Sendable (Timestamp) -> Double?)], script: [Reply] = []) throws {
        self.table = table
        let recorder = Recorder(script: script)
        self.recorder = recorder
        let handler = HTTPClosureHandler { request, _ in
            let form = Self.parseForm(Array(request.body))
            let recorded = Request(
                path: request.path, method: request.method.description, authorization: request.headers["Authorization"],
                contentType: request.headers["Content-Type"], form: form)
            recorder.received.withLock { $0.append(recorded) }
            let reply = recorder.script.withLock { $0.isEmpty ? Reply.data : $0.removeFirst() }
            switch reply {
            case .status(let status, let body):
                return HTTPResponse(status: status, headers: [("Content-Type", "application/json")], text: body)
            case .data:
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], text: Self.matrix(for: recorded, table: table))
            }
        }
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 1), handler: handler)
        port = try server.start().port
    }

    var requests: [Request] { recorder.received.withLock { $0 } }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() { server.shutdown(gracePeriod: .seconds(1)) }

    /// The answer Prometheus would give for an instant selector naming `__name__="x"`: every
    /// table series of that name, evaluated at `start + k * step` up to `end`.
    static func matrix(for request: Request, table: [(labels: Labels, value: @Sendable (Timestamp) -> Double?)]) -> String {
        let name = metricName(in: request.query)
        var series: [String] = []
        for entry in table where entry.labels.metricName == name {
            var points: [String] = []
            var t = request.start
            while t <= request.end && request.step > 0 {
                if let value = entry.value(t) { points.append("[\(Double(t) / 1000),\"\(value)\"]") }
                t += request.step
            }
            guard !points.isEmpty else { continue }
            let metric = entry.labels.map { "\"\($0.name)\":\"\($0.value)\"" }.joined(separator: ",")
            series.append("{\"metric\":{\(metric)},\"values\":[\(points.joined(separator: ","))]}")
        }
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[\(series.joined(separator: ","))]}}"
    }

    /// The value of `__name__="..."` in a selector.
    static func metricName(in query: String) -> String {
        guard let range = query.range(of: "__name__=\"") else { return "" }
        let rest = query[range.upperBound...]
        return String(rest.prefix { $0 != "\"" })
    }

    static func parseForm(_ body: [UInt8]) -> [String: String] {
        var form: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            form[String(parts[0])] = String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return form
    }
}
