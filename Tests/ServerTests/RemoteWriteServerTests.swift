import AIOpsCore
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Testing
@testable import Server

/// A server on a loopback port of its own, with a hand-moved clock, torn down by `stop()`.
final class TestServer {
    static let tokenA = "token-a-0123456789abcdef"
    static let tokenB = "token-b-0123456789abcdef"
    let clock: ManualClock
    let server: AIOpsServer
    let port: Int

    static let rulesJSON = """
    {"rules": [
      {"name": "queue-spike", "selector": "queue_depth", "detector": {"kind": "ewma", "direction": "up", "warmup": 20},
       "for": "0s", "resolveAfter": "1m", "severity": "critical",
       "advice": {"summary": "queue {{labels.queue}} is at {{value}}, expected {{expected}}"}}
    ]}
    """

    init(limitsA: LimitOverrides? = nil, maxBodyBytes: Int = 32 << 20, shards: Int = 1, now: Timestamp = 1_800_000_000_000) throws {
        clock = ManualClock(now)
        let configuration = ServerConfiguration(workspaces: [
            WorkspaceConfiguration(name: "team-a", plan: .hobby, token: Self.tokenA, limits: limitsA),
            WorkspaceConfiguration(name: "team-b", plan: .pro, token: Self.tokenB),
        ])
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        options.threads = 2
        options.maxBodyBytes = maxBodyBytes
        options.shardsPerWorkspace = shards
        server = try AIOpsServer(configuration: configuration, rules: try RuleSet.parse(Self.rulesJSON, file: "test.json"), options: options, clock: clock)
        port = try server.start().port
    }

    func stop() { server.shutdown(gracePeriod: .seconds(2)) }

    func connect() throws -> HTTPClientConnection { try HTTPClientConnection(host: "127.0.0.1", port: port) }

    /// POSTs a remote-write body.
    func write(_ series: [EncodedSeries], version: RemoteWriteVersion = .v1, token: String? = tokenA, connection: HTTPClientConnection? = nil) throws -> HTTPClientResponse {
        try client.write(series, version: version, token: token, connection: connection)
    }

    func post(_ body: [UInt8], contentType: String?, encoding: String? = "snappy", token: String? = tokenA, connection: HTTPClientConnection? = nil) throws -> HTTPClientResponse {
        try client.post(body, contentType: contentType, encoding: encoding, token: token, connection: connection)
    }

    func get(_ path: String, token: String?) throws -> HTTPClientResponse {
        try client.get(path, token: token)
    }

    var client: TestClient { TestClient(port: port) }

    func incidents(token: String) throws -> (active: [[String: Any]], recent: [[String: Any]]) {
        let response = try get("/api/v1/incidents", token: token)
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let data = object?["data"] as? [String: Any]
        return ((data?["active"] as? [[String: Any]]) ?? [], (data?["recent"] as? [[String: Any]]) ?? [])
    }
}

func queue(_ name: String, _ samples: [(Int64, Double)], extra: [String: String] = [:]) -> EncodedSeries {
    var labels = extra
    labels["queue"] = name
    return EncodedSeries(labels: Labels(metric: "queue_depth", labels), samples: samples.map { (timestamp: $0.0, value: $0.1) })
}

@Suite(.serialized) struct RemoteWriteServerTests {
    /// A steady queue, then a spike: both protocol versions land in the pipeline and fire an
    /// incident that only the sending workspace can see.
    @Test(arguments: [RemoteWriteVersion.v1, .v2])
    func remoteWriteEndToEndIntoIncidents(version: RemoteWriteVersion) throws {
        let server = try TestServer()
        defer { server.stop() }
        let start = server.clock.now() - 3_600_000
        let connection = try server.connect()
        defer { connection.close() }
        for batch in 0..<10 {
            let samples = (0..<30).map { i -> (Int64, Double) in
                let n = batch * 30 + i
                return (start + Int64(n) * 10_000, 100 + Double(n % 7))
            }
            let response = try server.write([queue("orders", samples)], version: version, connection: connection)
            #expect(response.status == 204, "\(response.bodyText)")
            if version == .v2 {
                #expect(response.header("X-Prometheus-Remote-Write-Samples-Written") == "30")
                #expect(response.header("X-Prometheus-Remote-Write-Histograms-Written") == "0")
            }
        }
        #expect(try server.incidents(token: TestServer.tokenA).active.isEmpty, "steady values raise nothing")
        let spike = try server.write([queue("orders", [(start + 300 * 10_000, 5000)])], version: version, connection: connection)
        #expect(spike.status == 204)
        let (active, _) = try server.incidents(token: TestServer.tokenA)
        #expect(active.count == 1)
        #expect(active.first?["rule"] as? String == "queue-spike")
        #expect(active.first?["state"] as? String == "firing")
        #expect((active.first?["labels"] as? [String: String])?["queue"] == "orders")
        #expect((active.first?["summary"] as? String)?.hasPrefix("queue orders is at 5") == true)
        #expect(try server.incidents(token: TestServer.tokenB).active.isEmpty, "workspace B sees none of A's incidents")
    }

    @Test func shardsFollowTheOption() throws {
        let configuration = ServerConfiguration(workspaces: [WorkspaceConfiguration(name: "w", plan: .pro, token: TestServer.tokenA)])
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        #expect(try AIOpsServer(configuration: configuration, rules: RuleSet(rules: []), options: options).workspaces[0].shards.count == 1)
        options.shardsPerWorkspace = 3
        #expect(try AIOpsServer(configuration: configuration, rules: RuleSet(rules: []), options: options).workspaces[0].shards.count == 3)
    }

    /// Series spread over shards are found again by later requests (by key, in their own
    /// shard), never created twice; every sample is taken.
    @Test func seriesAcrossShardsAreFoundAgain() throws {
        let server = try TestServer(shards: 2)
        defer { server.stop() }
        #expect(server.server.workspaces[1].shards.count == 2)
        let now = server.clock.now()
        let connection = try server.connect()
        defer { connection.close() }
        for request in 0..<3 {
            let series = (0..<60).map { i in queue("q\(i)", [(now - 60_000 + Int64(request) * 1000, Double(i))]) }
            let response = try server.write(series, token: TestServer.tokenB, connection: connection)
            #expect(response.status == 204, "\(response.bodyText)")
        }
        #expect(server.server.workspaces[1].activeSeries == 60)
        let perShard = server.server.workspaces[1].shards.map { $0.withLock { $0.pipeline.store.seriesCount } }
        #expect(perShard.allSatisfy { $0 > 0 }, "\(perShard)")
        let snapshot = server.server.workspaces[1].snapshot()
        #expect(snapshot.store[.appended] == 180)
    }

    @Test func workspacesCannotSeeEachOther() throws {
        let server = try TestServer()
        defer { server.stop() }
        let now = server.clock.now()
        #expect(try server.write([queue("a-only", [(now, 1)])], token: TestServer.tokenA).status == 204)
        #expect(try server.write([queue("b-only", [(now, 1)]), queue("b-two", [(now, 2)])], token: TestServer.tokenB).status == 204)
        let metricsA = try server.get("/metrics", token: TestServer.tokenA).bodyText
        let metricsB = try server.get("/metrics", token: TestServer.tokenB).bodyText
        let anonymous = try server.get("/metrics", token: nil).bodyText
        #expect(metricsA.contains("aiops_active_series{workspace=\"team-a\"} 1"))
        #expect(!metricsA.contains("team-b"))
        #expect(metricsB.contains("aiops_active_series{workspace=\"team-b\"} 2"))
        #expect(!metricsB.contains("team-a"))
        #expect(anonymous.contains("aiops_active_series 3"), "totals without a workspace label")
        #expect(!anonymous.contains("team-a") && !anonymous.contains("team-b"))
        // The same labels in two workspaces are two series.
        #expect(try server.write([queue("a-only", [(now + 1000, 1)])], token: TestServer.tokenB).status == 204)
        #expect(server.server.workspaces[0].activeSeries == 1)
        #expect(server.server.workspaces[1].activeSeries == 3)
    }

    @Test func statusCodes() throws {
        let server = try TestServer(limitsA: LimitOverrides(samplesPerSecond: 100, burstSamples: 100, labelsPerSeries: 4), maxBodyBytes: 64 * 1024)
        defer { server.stop() }
        let now = server.clock.now()
        let good = RemoteWriteEncoder.compressedBody([queue("q", [(now, 1)])], version: .v1)

        // 401: no token, wrong token.
        #expect(try server.post(good, contentType: "application/x-protobuf", token: nil).status == 401)
        #expect(try server.post(good, contentType: "application/x-protobuf", token: "wrong-token-0123456789").status == 401)
        // 415: unsupported content type or encoding.
        #expect(try server.post(good, contentType: "application/json").status == 415)
        #expect(try server.post(good, contentType: "application/x-protobuf;proto=io.prometheus.write.v3.Request").status == 415)
        #expect(try server.post(good, contentType: "application/x-protobuf", encoding: "gzip").status == 415)
        #expect(try server.post(good, contentType: "application/x-protobuf", encoding: nil).status == 415)
        // 400: bad snappy, bad protobuf, with a reason in the body.
        let badSnappy = try server.post([0xff, 0xff, 0xff], contentType: "application/x-protobuf")
        #expect(badSnappy.status == 400)
        #expect(!badSnappy.bodyText.isEmpty)
        let badProto = try server.post(Snappy.compress([0x0a, 0x05, 0x01]), contentType: "application/x-protobuf")
        #expect(badProto.status == 400)
        // 400: missing __name__, duplicate label names, too many labels; the valid series is kept.
        let noName = EncodedSeries(labels: Labels([Label("job", "x")]), samples: [(timestamp: now, value: 1)])
        let missing = try server.write([noName, queue("kept", [(now, 1)])])
        #expect(missing.status == 400)
        #expect(missing.bodyText.contains("accepted 1 of 2"), "\(missing.bodyText)")
        let manyLabels = queue("wide", [(now, 1)], extra: ["a": "1", "b": "2", "c": "3", "d": "4"])
        #expect(try server.write([manyLabels]).status == 400)
        // Unsorted labels are sorted, not refused (the encoder keeps Labels sorted, so build v1 by hand).
        var writer = ProtobufWriter()
        writer.writeMessageField(1) { ts in
            ts.writeMessageField(1) { $0.writeStringField(1, "zone"); $0.writeStringField(2, "eu") }
            ts.writeMessageField(1) { $0.writeStringField(1, "__name__"); $0.writeStringField(2, "queue_depth") }
            ts.writeMessageField(2) { $0.writeDoubleField(1, 3); $0.writeInt64Field(2, now) }
        }
        #expect(try server.post(Snappy.compress(writer.bytes), contentType: "application/x-protobuf").status == 204)
        // 400 partial: out-of-order samples are refused, the good ones kept.
        let partial = try server.write([queue("ordered", [(now, 1), (now - 5000, 2), (now + 1000, 3)])])
        #expect(partial.status == 400)
        #expect(partial.bodyText.contains("out_of_order 1"), "\(partial.bodyText)")
        #expect(partial.bodyText.contains("accepted 2 of 3"))
        // 413: a body over the configured cap.
        let huge = [UInt8](repeating: 7, count: 100 * 1024)
        #expect(try server.post(huge, contentType: "application/x-protobuf").status == 413)
        // 429 with Retry-After: over the workspace's 100 samples/s.
        let burst = queue("burst", (0..<150).map { (now + Int64($0), 1.0) })
        let limited = try server.write([burst])
        #expect(limited.status == 429)
        #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        server.clock.advance(by: 1_000)
        #expect(try server.write([queue("after", [(now + 2000, 1)])]).status == 204, "the bucket refills with the clock")
        // 405, 404; health.
        #expect(try server.get("/api/v1/write", token: TestServer.tokenA).status == 405)
        #expect(try server.get("/nope", token: nil).status == 404)
        #expect(try server.get("/healthz", token: nil).status == 200)
        #expect(try server.get("/readyz", token: nil).status == 200)
        // Counted by reason, and the server is still serving.
        let metrics = try server.get("/metrics", token: TestServer.tokenA).bodyText
        #expect(metrics.contains("aiops_requests_total{code=\"429\",reason=\"rate_limited\",workspace=\"team-a\"} 1"))
        #expect(metrics.contains("aiops_requests_total{code=\"415\",reason=\"unsupported_encoding\",workspace=\"team-a\"} 2"))
        #expect(metrics.contains("aiops_samples_total{outcome=\"out_of_order\",workspace=\"team-a\"} 1"))
    }

    /// Issue 13, defect 1: the token is checked on the head. An unauthenticated 31 MiB upload
    /// is answered 401 before a byte of its body is sent, and the connection is closed.
    @Test func unauthenticatedWriteIsRefusedBeforeItsBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        for token in [nil, "wrong-token-0123456789"] {
            let client = try server.connect()
            let auth = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
            try client.sendRaw("POST /api/v1/write HTTP/1.1\r\nHost: x\r\n\(auth)Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\nContent-Length: \(31 << 20)\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 401)
            #expect(!response.keepAlive)
        }
        // A GET to the write path is refused on its head too.
        #expect(try server.get("/api/v1/write", token: TestServer.tokenA).status == 405)
        // A refusal is counted when the server closes its connection, just after the client
        // has read the response: look again for a moment rather than race the close.
        let refusedTwice = "aiops_http_refused_before_body_total{code=\"401\",reason=\"handler\"} 2"
        var metrics = try server.get("/metrics", token: nil).bodyText
        let deadline = ContinuousClock.now + .seconds(5)
        while !metrics.contains(refusedTwice) && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
            metrics = try server.get("/metrics", token: nil).bodyText
        }
        #expect(metrics.contains(refusedTwice), "\(metrics)")
        #expect(metrics.contains("aiops_http_body_bytes_held 0"))
    }

    /// Issue 13, defect 2: staleness is judged by arrival on the wall clock. A series whose
    /// samples arrive steadily but 20 minutes behind keeps its state and its firing incident
    /// through every sweep; once nothing arrives for the idle timeout it is evicted.
    @Test func laggingSeriesIsNotEvictedWhileItArrives() throws {
        let server = try TestServer()
        defer { server.stop() }
        let lag: Int64 = 20 * 60_000
        func send(_ value: Double) throws {
            let now = server.clock.now()
            #expect(try server.write([queue("backlog", [(now - lag, value)])]).status == 204)
            server.clock.advance(by: 15_000)
            server.server.evictIdleSeries()
        }
        for i in 0..<40 { try send(10 + Double(i % 3)) }
        #expect(server.server.workspaces[0].activeSeries == 1)
        try send(900)
        #expect(try server.incidents(token: TestServer.tokenA).active.count == 1)
        for _ in 0..<4 { try send(900) }
        #expect(server.server.workspaces[0].activeSeries == 1, "a lagging series that keeps arriving stays")
        let (active, recent) = try server.incidents(token: TestServer.tokenA)
        #expect(active.count == 1 && recent.isEmpty, "its incident keeps firing")
        // Nothing arrives for longer than the idle timeout: evicted, the incident resolves.
        server.clock.advance(by: 16 * 60_000)
        server.server.evictIdleSeries()
        #expect(server.server.workspaces[0].activeSeries == 0)
        #expect(try server.incidents(token: TestServer.tokenA).active.isEmpty)
    }

    /// Issue 13, defect 3: a 2.0 body under the 1.0 content type, or with none (read as 1.0),
    /// is refused with 400 and a reason instead of a 204 that stored nothing; the mirror
    /// case too.
    @Test func bodyOfTheOtherVersionIsRefused() throws {
        let server = try TestServer()
        defer { server.stop() }
        let now = server.clock.now()
        let series = (0..<50).map { queue("q\($0)", [(now, 1)]) }
        let v2 = RemoteWriteEncoder.compressedBody(series, version: .v2)
        for contentType in ["application/x-protobuf", "application/x-protobuf;proto=prometheus.WriteRequest", nil] {
            let response = try server.post(v2, contentType: contentType)
            #expect(response.status == 400, "\(contentType ?? "no Content-Type")")
            #expect(response.bodyText.contains("not a remote write 1.0 message"), "\(response.bodyText)")
        }
        let v1 = RemoteWriteEncoder.compressedBody(series, version: .v1)
        let mirror = try server.post(v1, contentType: "application/x-protobuf;proto=io.prometheus.write.v2.Request")
        #expect(mirror.status == 400)
        #expect(mirror.header("X-Prometheus-Remote-Write-Samples-Written") == "0")
        #expect(server.server.workspaces[0].activeSeries == 0)
        // The right pairing is taken.
        #expect(try server.post(v2, contentType: "application/x-protobuf;proto=io.prometheus.write.v2.Request").status == 204)
        #expect(try server.post(v1, contentType: nil).status == 204)
        let metrics = try server.get("/metrics", token: TestServer.tokenA).bodyText
        #expect(metrics.contains("aiops_requests_total{code=\"400\",reason=\"wrong_version\",workspace=\"team-a\"} 4"), "\(metrics)")
    }

    @Test func tooOldAndFutureSamplesAreRefused() throws {
        let server = try TestServer()
        defer { server.stop() }
        let now = server.clock.now()
        let response = try server.write([queue("t", [(now - 4 * 3_600_000, 1), (now, 2), (now + 3_600_000, 3)])])
        #expect(response.status == 400)
        #expect(response.bodyText.contains("too_old 1"))
        #expect(response.bodyText.contains("too_far_in_future 1"))
        #expect(response.bodyText.contains("accepted 1 of 3"))
    }

    @Test func staleMarkerResolvesAndNaNIsNotAnError() throws {
        let server = try TestServer()
        defer { server.stop() }
        let start = server.clock.now() - 600_000
        var samples = (0..<40).map { (start + Int64($0) * 10_000, 10.0 + Double($0 % 3)) }
        samples.append((start + 40 * 10_000, 900))
        #expect(try server.write([queue("s", samples)]).status == 204)
        #expect(try server.incidents(token: TestServer.tokenA).active.count == 1)
        let nan = try server.write([queue("s", [(start + 41 * 10_000, .nan)])])
        #expect(nan.status == 204, "a NaN value is counted, not refused")
        #expect(try server.write([queue("s", [(start + 42 * 10_000, StaleMarker.value)])]).status == 204)
        let (active, recent) = try server.incidents(token: TestServer.tokenA)
        #expect(active.isEmpty)
        #expect(recent.first?["state"] as? String == "resolved")
    }
}
