import AIOpsCore
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Testing
@testable import Server

/// What a Prometheus operator expects of a server: `/-/healthy` and `/-/ready`, one
/// `Content-Type` per response, `/metrics` whose sums are right and that `promtool check
/// metrics` accepts, with the `process_*` metrics.
@Suite struct OperatingConventionsTests {
    func request(_ server: TestServer, _ method: String, _ path: String, token: String? = nil) throws -> HTTPClientResponse {
        let connection = try server.connect()
        defer { connection.close() }
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try connection.request(method: method, path: path, headers: headers)
    }

    @Test func healthAndReadinessAnswerLikePrometheus() throws {
        let server = try TestServer()
        defer { server.stop() }
        let healthy = try request(server, "GET", "/-/healthy")
        #expect(healthy.status == 200 && healthy.bodyText == "aiops is Healthy.\n")
        let ready = try request(server, "GET", "/-/ready")
        #expect(ready.status == 200 && ready.bodyText == "aiops is Ready.\n")
        #expect(try request(server, "HEAD", "/-/ready").status == 200)
        #expect(try request(server, "GET", "/healthz").bodyText == "ok\n")
        #expect(try request(server, "GET", "/readyz").bodyText == "ready\n")
        #expect(try request(server, "POST", "/-/healthy").status == 405)

        // Until the snapshots are loaded: not ready, and writes are refused with Retry-After.
        server.server.state.loaded.store(false, ordering: .releasing)
        let loading = try request(server, "GET", "/-/ready")
        #expect(loading.status == 503)
        #expect(try request(server, "GET", "/readyz").status == 503)
        #expect(try request(server, "GET", "/-/healthy").status == 200, "healthy all along")
        let write = try server.write([queue("payments", [(server.clock.now(), 1)])])
        #expect(write.status == 503 && write.header("Retry-After") == "1")
        server.server.state.loaded.store(true, ordering: .releasing)
        #expect(try server.write([queue("payments", [(server.clock.now(), 1)])]).status == 204)

        // Without an adminToken in the config, reloading goes by SIGHUP only.
        let reload = try request(server, "POST", "/-/reload", token: TestServer.tokenA)
        #expect(reload.status == 403 && reload.bodyText.contains("SIGHUP"))
    }

    @Test func everyResponseHasExactlyOneContentType() throws {
        let server = try TestServer()
        defer { server.stop() }
        let cases: [(String, String, String?, Int)] = [
            ("GET", "/api/v1/incidents", TestServer.tokenA, 200),
            ("GET", "/healthz", nil, 200),
            ("GET", "/readyz", nil, 200),
            ("GET", "/-/healthy", nil, 200),
            ("GET", "/-/ready", nil, 200),
            ("GET", "/metrics", nil, 200),
            ("GET", "/", nil, 200),
            ("GET", "/api/v1/incidents", nil, 401),
            ("GET", "/nowhere", nil, 404),
            ("DELETE", "/metrics", nil, 405),
            ("GET", "/api/v1/write", TestServer.tokenA, 405),
        ]
        for (method, path, token, status) in cases {
            let response = try request(server, method, path, token: token)
            #expect(response.status == status, "\(method) \(path)")
            let types = response.headers.filter { $0.0.lowercased() == "content-type" }.map(\.1)
            #expect(types.count == 1, "\(method) \(path): \(types)")
        }
        #expect(try request(server, "GET", "/api/v1/incidents", token: TestServer.tokenA).header("Content-Type") == "application/json")
        #expect(try request(server, "GET", "/nowhere").header("Content-Type") == "text/plain; charset=utf-8")
        let partial = try server.post([1, 2, 3], contentType: "application/x-protobuf")
        #expect(partial.headers.filter { $0.0.lowercased() == "content-type" }.count == 1, "400 from the write endpoint")
    }

    /// Samples of `name` in the text: labels (as text) and value.
    static func samples(_ text: String, _ name: String) -> [(labels: String, value: Double)] {
        text.split(separator: "\n").compactMap { line -> (String, Double)? in
            guard !line.hasPrefix("#") else { return nil }
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]) else { return nil }
            let series = parts[0]
            let bare = series.prefix { $0 != "{" }
            guard bare == name else { return nil }
            return (String(series.dropFirst(bare.count)), value)
        }
    }

    static func sum(_ text: String, _ name: String) -> Double { samples(text, name).reduce(0) { $0 + $1.value } }

    @Test func metricsSumsAreRightWhateverTheToken() throws {
        let adminToken = "admin-0123456789abcdef"
        let clock = ManualClock(1_800_000_000_000)
        let configuration = ServerConfiguration(workspaces: [
            WorkspaceConfiguration(name: "team-a", plan: .hobby, token: TestServer.tokenA),
            WorkspaceConfiguration(name: "team-b", plan: .pro, token: TestServer.tokenB),
        ], adminToken: adminToken)
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        let aiops = try AIOpsServer(configuration: configuration, rules: try RuleSet.parse(TestServer.rulesJSON, file: "test.json"), options: options, clock: clock)
        let client = TestClient(port: try aiops.start().port)
        defer { aiops.shutdown(gracePeriod: .seconds(2)) }
        let now = clock.now()
        #expect(try client.write([queue("a", [(now, 1)]), queue("b", [(now, 2)])], token: TestServer.tokenA).status == 204)
        #expect(try client.write([queue("c", [(now, 1)])], token: TestServer.tokenB).status == 204)
        #expect(try client.write([queue("c", [(now - 1000, 1)])], token: TestServer.tokenB).status == 400)
        #expect(try client.get("/api/v1/incidents", token: "wrong-token-0123456789").status == 401)

        let anonymous = try client.get("/metrics", token: nil).bodyText
        let admin = try client.get("/metrics", token: adminToken).bodyText
        let teamA = try client.get("/metrics", token: TestServer.tokenA).bodyText
        for name in ["aiops_samples_total", "aiops_requests_total", "aiops_active_series", "aiops_series_created_total"] {
            #expect(Self.sum(admin, name) == Self.sum(anonymous, name), "\(name): admin \(Self.sum(admin, name)), totals \(Self.sum(anonymous, name))")
        }
        #expect(Self.sum(anonymous, "aiops_active_series") == 3)
        #expect(Self.sum(admin, "aiops_samples_total") == 4, "3 appended, 1 out of order: \(admin)")
        #expect(Self.sum(teamA, "aiops_active_series") == 2, "team-a's own, not doubled by totals")
        #expect(Self.sum(teamA, "aiops_samples_total") == 2)
        #expect(Self.samples(teamA, "aiops_samples_total").allSatisfy { $0.labels.contains("workspace=\"team-a\"") })
        #expect(Self.samples(admin, "aiops_requests_total").contains { $0.labels == "{code=\"401\",reason=\"unauthorized\"}" }, "what belongs to no workspace, unlabelled, once")
        for name in ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds"] {
            let value = try #require(Self.samples(anonymous, name).first?.value, "\(name) missing")
            #expect(value > 0, "\(name)")
        }
        let start = try #require(Self.samples(anonymous, "process_start_time_seconds").first?.value)
        #expect(abs(start - Date().timeIntervalSince1970) < 3600, "started within the hour: \(start)")
    }

    static var promtool: String? {
        ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `promtool check metrics` on `text`: its exit status and what it said.
    static func promtoolCheck(_ tool: String, _ text: String) throws -> (status: Int32, said: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, said)
    }

    /// Every view (no token, a workspace's, the admin's) passes `promtool check metrics`
    /// without a lint warning.
    @Test(.enabled(if: OperatingConventionsTests.promtool != nil, "needs promtool (Debian package prometheus; .ci/run installs it)"))
    func promtoolAcceptsTheMetrics() throws {
        let tool = try #require(Self.promtool)
        let adminToken = "admin-0123456789abcdef"
        let configuration = ServerConfiguration(workspaces: [
            WorkspaceConfiguration(name: "team-a", plan: .hobby, token: TestServer.tokenA),
            WorkspaceConfiguration(name: "team-b", plan: .pro, token: TestServer.tokenB),
        ], adminToken: adminToken)
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        let clock = ManualClock(1_800_000_000_000)
        let aiops = try AIOpsServer(configuration: configuration, rules: try RuleSet.parse(TestServer.rulesJSON, file: "test.json"), options: options, clock: clock)
        let client = TestClient(port: try aiops.start().port)
        defer { aiops.shutdown(gracePeriod: .seconds(2)) }
        #expect(try client.write([queue("a", [(clock.now(), 1)])]).status == 204)
        #expect(try client.write([queue("b", [(clock.now(), 1)])], token: TestServer.tokenB).status == 204)
        _ = try client.get("/nowhere", token: nil)
        for (view, token) in [("no token", nil), ("team-a", TestServer.tokenA), ("admin", adminToken)] {
            let text = try client.get("/metrics", token: token).bodyText
            let (status, said) = try Self.promtoolCheck(tool, text)
            #expect(status == 0, "promtool check metrics (\(view)): \(said)\n\(text)")
            #expect(said.isEmpty, "no lint warnings (\(view)): \(said)")
        }
    }
}
