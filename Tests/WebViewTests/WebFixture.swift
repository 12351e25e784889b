import AIOpsCore
import Foundation
import HTTPServer
import RemoteWrite
import Rules
@testable import Server

/// An in-process `aiops serve` on a loopback port of its own, fed by remote write with a
/// known story per workspace, for the web view's tests:
///
/// - team-a, `queue_depth{queue="orders"}`: 200 quiet samples, 8 at 400, 40 quiet: one
///   incident that fired and resolved;
/// - team-a, `queue_depth{queue="billing"}`: 200 quiet, 10 at 400: one firing incident;
/// - team-a, `queue_depth{queue="<script>alert(1)</script>"}`: 80 quiet samples (a hostile
///   label value, for escaping);
/// - team-b, `queue_depth{queue="secret-b"}`: 200 quiet, 10 at 400: team-b's own incident.
///
/// Samples are 15 s apart and end a minute before the server's (manual) clock.
final class WebFixture {
    static let tokenA = "token-a-0123456789abcdef"
    static let tokenB = "token-b-0123456789abcdef"
    static let adminToken = "admin-0123456789abcdef01"
    static let now: Timestamp = 1_800_000_000_000
    static let step: Int64 = 15_000
    static let hostile = "<script>alert(1)</script>"

    static let rulesJSON = """
    {"rules": [
      {"name": "queue-spike", "selector": "queue_depth", "detector": {"kind": "ewma", "direction": "up", "warmup": 20},
       "for": "30s", "resolveAfter": "1m", "severity": "critical",
       "advice": {"summary": "queue {{labels.queue}} is at {{value}}, expected {{expected}}",
                  "steps": ["Check the consumers of {{labels.queue}}.", "Scale the workers <now> & see."]}}
    ]}
    """

    let clock: ManualClock
    let server: AIOpsServer
    let port: Int
    /// Every sample sent, by workspace and queue.
    private(set) var sent: [String: [(Timestamp, Double)]] = [:]

    init(externalURL: String? = nil, feed: Bool = true) throws {
        clock = ManualClock(Self.now)
        let configuration = ServerConfiguration(
            workspaces: [
                WorkspaceConfiguration(name: "team-a", plan: .hobby, token: Self.tokenA),
                WorkspaceConfiguration(name: "team-b", plan: .pro, token: Self.tokenB),
            ],
            adminToken: Self.adminToken)
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        options.threads = 2
        options.externalURL = externalURL
        options.log = { _ in }
        server = try AIOpsServer(configuration: configuration, rules: try RuleSet.parse(Self.rulesJSON, file: "test.json"), options: options, clock: clock)
        port = try server.start().port
        if feed { try feedStory() }
    }

    func stop() { server.shutdown(gracePeriod: .seconds(2)) }

    var base: String { "http://127.0.0.1:\(port)" }

    /// The quiet level with a little deterministic noise.
    static func quiet(_ i: Int) -> Double { 100 + Double((i * 37) % 11) - 5 }

    static func samples(quiet before: Int, spike: Int, quietAfter: Int, start: Timestamp) -> [(Timestamp, Double)] {
        var out: [(Timestamp, Double)] = []
        for i in 0..<(before + spike + quietAfter) {
            let value = (before..<(before + spike)).contains(i) ? 400 : quiet(i)
            out.append((start + Int64(i) * step, value))
        }
        return out
    }

    func feedStory() throws {
        let length = 248
        let start = Self.now - 60_000 - Int64(length - 1) * Self.step
        try write("team-a", queue: "orders", Self.samples(quiet: 200, spike: 8, quietAfter: 40, start: start))
        let billingStart = start + Int64(length - 210) * Self.step
        try write("team-a", queue: "billing", Self.samples(quiet: 200, spike: 10, quietAfter: 0, start: billingStart))
        let hostileStart = start + Int64(length - 80) * Self.step
        try write("team-a", queue: Self.hostile, Self.samples(quiet: 80, spike: 0, quietAfter: 0, start: hostileStart))
        try write("team-b", queue: "secret-b", Self.samples(quiet: 200, spike: 10, quietAfter: 0, start: billingStart))
    }

    func write(_ workspace: String, queue: String, _ samples: [(Timestamp, Double)]) throws {
        sent[workspace + "/" + queue, default: []] += samples
        let token = workspace == "team-a" ? Self.tokenA : Self.tokenB
        // In requests of 50 samples, as a sender batches them.
        for chunk in stride(from: 0, to: samples.count, by: 50) {
            let part = samples[chunk..<min(samples.count, chunk + 50)]
            let series = EncodedSeries(labels: Labels(metric: "queue_depth", ["queue": queue]), samples: part.map { EncodedSample(timestamp: $0.0, value: $0.1) })
            let response = try request("POST", "/api/v1/write", headers: [
                ("Authorization", "Bearer \(token)"), ("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy"),
                ("X-Prometheus-Remote-Write-Version", "0.1.0"),
            ], body: RemoteWriteEncoder.compressedBody([series], version: .v1))
            guard response.status == 204 else { throw FixtureFailure(message: "write answered \(response.status): \(response.bodyText)") }
        }
    }

    struct FixtureFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> HTTPClientResponse {
        let connection = try HTTPClientConnection(host: "127.0.0.1", port: port)
        defer { connection.close() }
        var all = headers
        if !all.contains(where: { $0.0.lowercased() == "host" }) { all.append(("Host", "127.0.0.1:\(port)")) }
        return try connection.request(method: method, path: path, headers: all, body: body)
    }

    func get(_ path: String, token: String? = nil, cookie: String? = nil) throws -> HTTPClientResponse {
        var headers: [(String, String)] = [("Accept", "text/html")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if let cookie { headers.append(("Cookie", cookie)) }
        return try request("GET", path, headers: headers)
    }

    /// POSTs a form as a browser on this server's own page does (with its `Origin`).
    func postForm(_ path: String, _ fields: [(String, String)], cookie: String? = nil, origin: String? = "") throws -> HTTPClientResponse {
        var headers: [(String, String)] = [("Content-Type", "application/x-www-form-urlencoded")]
        if let origin { headers.append(("Origin", origin.isEmpty ? base : origin)) }
        if let cookie { headers.append(("Cookie", cookie)) }
        let body = fields.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        return try request("POST", path, headers: headers, body: Array(body.utf8))
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Signs in with `token` and returns the `name=value` of the session cookie.
    func signIn(_ token: String) throws -> String {
        let response = try postForm("/login", [("token", token), ("next", "/")])
        guard response.status == 303, let cookie = response.header("Set-Cookie") else {
            throw FixtureFailure(message: "sign-in answered \(response.status)")
        }
        return String(cookie.prefix { $0 != ";" })
    }

    /// The workspace's incidents from the JSON API: (id, queue, state, start, end).
    func incidents(token: String) throws -> [(id: String, queue: String, state: String, start: Timestamp, end: Timestamp?)] {
        let response = try request("GET", "/api/v1/incidents", headers: [("Authorization", "Bearer \(token)")])
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let data = object?["data"] as? [String: Any]
        let all = ((data?["active"] as? [[String: Any]]) ?? []) + ((data?["recent"] as? [[String: Any]]) ?? [])
        return all.map { item in
            let labels = item["labels"] as? [String: String] ?? [:]
            return (item["id"] as? String ?? "", labels["queue"] ?? "", item["state"] as? String ?? "",
                    TimeFormat.parse(item["start"] as? String ?? "") ?? 0, (item["end"] as? String).flatMap { TimeFormat.parse($0) })
        }
    }

    /// How many points the incident page of the incident on `queue` of `workspace` plots:
    /// the ring's samples before its start (at most 63: the ring's 64 hold the start sample
    /// too), every sample from its start to its end (or the last), then the ring's samples
    /// after its end.
    func expectedIncidentPoints(workspace: String, queue: String, start: Timestamp, end: Timestamp?) -> Int {
        let samples = sent[workspace + "/" + queue] ?? []
        let startIndex = samples.firstIndex { $0.0 >= start } ?? samples.count
        let seed = min(63, startIndex)
        let last = end ?? samples.last!.0
        let during = samples.filter { $0.0 >= start && $0.0 <= last }.count
        let ring = samples.suffix(64)
        let after = ring.filter { $0.0 > last }.count
        return seed + during + after
    }
}
