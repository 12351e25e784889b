import AIOpsCore
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Server
import Testing
import WarmStart

/// Warm start against a real Prometheus: seven days of a series with a strong daily curve are
/// written as OpenMetrics, turned into TSDB blocks by `promtool tsdb create-blocks-from
/// openmetrics` (ending a minute ago, since Prometheus serves only blocks inside its
/// retention window relative to now) and served by `prometheus`. The curve's trough is at
/// this time of day. A fresh `aiops serve --warm-from` that prometheus gets a few live samples
/// by remote write: two at the trough's level, then the day's peak level. Warmed, the auto
/// rule opens an incident on the third sample; the same server without `--warm-from`, fed the
/// same samples, is still in its warm-up (a day of event time) and opens none.
///
/// Skipped when `promtool` or `prometheus` is missing, except under `CI=true` (`.ci/run`
/// installs the Debian `prometheus` package, which ships both).
@Suite struct WarmStartEndToEndTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let token = "warm-e2e-token-0123456789"
    static let workspace = WorkspaceConfiguration(name: "team-a", plan: .hobby, token: token)
    static let metric = "e2e_requests_in_flight"
    static let labels = Labels(metric: metric, ["instance": "web-1:8080", "job": "web"])
    static let step: Int64 = 60_000
    static let day: Int64 = 86_400_000

    static var promtoolPath: String? {
        ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// 10 at the trough (now, modulo a day), 190 at the peak twelve hours away, with noise.
    static func value(at timestamp: Timestamp, now: Timestamp, noise: inout SplitMix64) -> Double {
        let phase = Double((timestamp - now) % day) / Double(day) * 2 * Double.pi
        return 100 - 90 * cos(phase) + noise.gaussian()
    }

    /// Seven days at one-minute steps, ending a minute before `now`, as OpenMetrics.
    static func history(now: Timestamp) -> String {
        var noise = SplitMix64(seed: 11)
        var text = "# HELP \(metric) Requests in flight.\n# TYPE \(metric) gauge\n"
        let end = now - step
        var t = end - 7 * day
        t -= t % step
        while t <= end {
            text += "\(metric){instance=\"web-1:8080\",job=\"web\"} \(String(format: "%.3f", value(at: t, now: now, noise: &noise))) \(t / 1000)\n"
            t += step
        }
        return text + "# EOF\n"
    }

    /// Runs `promtool`; throws with its output when it fails.
    static func run(_ binary: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(binary) \(arguments.joined(separator: " ")) exited \(process.terminationStatus):\n\(text.suffix(2000))")
        }
    }

    /// An in-process `aiops serve` with the auto rule only; warm start from `warmFrom` if given.
    static func server(warmFrom: String?, log: @escaping @Sendable (String) -> Void) throws -> (AIOpsServer, Int) {
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        options.threads = 1
        options.log = log
        if let warmFrom {
            var warm = WarmStartOptions(source: try WarmStartSource(parsing: warmFrom))
            warm.pollInterval = .init(milliseconds: 100)
            options.warmStart = warm
        }
        let server = try AIOpsServer(configuration: ServerConfiguration(workspaces: [workspace]), rules: RuleSet(rules: []), options: options)
        return (server, try server.start().port)
    }

    static func write(_ samples: [(Timestamp, Double)], port: Int) throws {
        let series = EncodedSeries(labels: labels, samples: samples.map { (timestamp: $0.0, value: $0.1) })
        let response = try TestClient(port: port).write([series], token: token)
        guard response.status == 204 else { throw Failure(description: "remote write: \(response.status) \(response.bodyText)") }
    }

    @Test(
        .enabled(
            if: (PrometheusEndToEndProcess.binaryPath != nil && promtoolPath != nil) || PrometheusEndToEndProcess.isCI,
            "needs prometheus and promtool (the Debian prometheus package); CI installs it and fails without it"),
        .timeLimit(.minutes(3)))
    func aWarmedSeriesSeesAPeakValueAtTheTroughInItsFirstMinutes() async throws {
        guard let binary = PrometheusEndToEndProcess.binaryPath, let promtool = Self.promtoolPath else {
            Issue.record("CI=true but prometheus or promtool is missing (.ci/run installs the Debian package)")
            return
        }
        let deadline = ContinuousClock.now + .seconds(90)
        let directory = NSTemporaryDirectory() + "aiops-warm-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = SystemClock().now() / Self.step * Self.step

        // History: OpenMetrics -> TSDB blocks -> Prometheus.
        try Self.history(now: now).write(toFile: directory + "/history.om", atomically: true, encoding: .utf8)
        var prometheus: PrometheusEndToEndProcess?
        defer { prometheus?.stop() }
        for attempt in 1...3 {
            let attemptDirectory = directory + "/prometheus-\(attempt)"
            try FileManager.default.createDirectory(atPath: attemptDirectory, withIntermediateDirectories: true)
            try Self.run(promtool, ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h", directory + "/history.om", attemptDirectory + "/data"])
            let process = try PrometheusEndToEndProcess(
                binary: binary, directory: attemptDirectory, configuration: "global:\n  scrape_interval: 1m\n",
                extraArguments: ["--storage.tsdb.retention.time=30d"])
            prometheus = process
            let ready = try await PrometheusEndToEndTests.poll(until: deadline) { () -> Bool? in
                if !process.isRunning { return false }
                let connection = try? HTTPClientConnection(host: "127.0.0.1", port: process.webPort, timeout: .seconds(2))
                defer { connection?.close() }
                return (try? connection?.request(method: "GET", path: "/-/ready"))?.status == 200 ? true : nil
            }
            if ready == true { break }
            if ready == false, process.lostItsPort, attempt < 3 { continue }
            throw Failure(description: "Prometheus was not ready: \(process.logTail())")
        }
        let source = "http://127.0.0.1:\(prometheus!.webPort)"

        // The same live samples to a warm and a cold aiops: the trough's level twice, then the peak's.
        let logged = LogLines()
        let (warm, warmPort) = try Self.server(warmFrom: source) { line in logged.lines.withLock { $0.append(line) } }
        defer { warm.shutdown(gracePeriod: .seconds(2)) }
        let (cold, coldPort) = try Self.server(warmFrom: nil) { _ in }
        defer { cold.shutdown(gracePeriod: .seconds(2)) }
        let live: [(Timestamp, Double)] = [(now, 10.4), (now + Self.step, 9.7), (now + 2 * Self.step, 190), (now + 3 * Self.step, 188)]
        for sample in live {
            try Self.write([sample], port: warmPort)
            try Self.write([sample], port: coldPort)
        }

        let warmProbe = PrometheusEndToEndProbe(port: warmPort, workspace: Self.workspace.name, token: Self.token)
        let statistics = try await PrometheusEndToEndTests.poll(until: deadline) { () -> WarmStartStatistics? in
            guard let statistics = warm.warmStartStatistics, statistics.seriesQueued == 0,
                  statistics.seriesWarmed + statistics.seriesFailed + statistics.seriesEmpty > 0 else { return nil }
            return statistics
        }
        let seen = try #require(statistics, "warm start did not finish within 90 s; log: \(logged.lines.withLock { $0 })")
        #expect(seen.seriesWarmed == 1, "\(seen); log: \(logged.lines.withLock { $0 })")
        #expect(seen.queriesSucceeded == 1 && seen.queriesFailed == 0, "\(seen)")
        #expect(seen.samples >= 7 * 1440 - 2 && seen.samples <= 7 * 1440 + 1, "a week at one-minute steps: \(seen.samples)")

        let warmIncidents = try warmProbe.incidents()
        let incident = warmIncidents.active.first { $0.rule == "auto" && $0.labels["__name__"] == Self.metric }
        #expect(incident != nil, "the warmed server opened no incident: \(warmIncidents.text)")
        #expect(incident?.labels["instance"] == "web-1:8080")
        let coldIncidents = try PrometheusEndToEndProbe(port: coldPort, workspace: Self.workspace.name, token: Self.token).incidents()
        #expect(coldIncidents.active.isEmpty && coldIncidents.recent.isEmpty, "the cold server is still warming up: \(coldIncidents.text)")

        let text = try warmProbe.get("/metrics")
        #expect(text.contains("aiops_warm_start_series_total{result=\"ok\"} 1"), "\(text)")
        #expect(text.contains("aiops_warm_start_queries_total{result=\"ok\"} 1"))
        #expect(logged.lines.withLock { $0 }.contains { $0.contains("warm start: new series read their last 7d from \(source)") })
    }

    /// A source nobody listens on: the series is counted failed in /metrics and the log says
    /// why (the scheduler's tests show it is then scored as without warm start).
    @Test func anUnreachableSourceIsCountedAndTheSeriesScoresAsBefore() async throws {
        let port = try #require(PrometheusEndToEndProcess.freeLoopbackPort())
        let logged = LogLines()
        let (server, aiopsPort) = try Self.server(warmFrom: "http://127.0.0.1:\(port)") { line in logged.lines.withLock { $0.append(line) } }
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let now = SystemClock().now() / Self.step * Self.step
        try Self.write([(now, 10), (now + Self.step, 11)], port: aiopsPort)
        let statistics = try await PrometheusEndToEndTests.poll(until: ContinuousClock.now + .seconds(30)) { () -> WarmStartStatistics? in
            guard let statistics = server.warmStartStatistics, statistics.seriesFailed > 0 else { return nil }
            return statistics
        }
        #expect(statistics?.seriesFailed == 1 && statistics?.queriesFailed == 1 && statistics?.seriesWarmed == 0)
        let text = try PrometheusEndToEndProbe(port: aiopsPort, workspace: Self.workspace.name, token: Self.token).get("/metrics")
        #expect(text.contains("aiops_warm_start_series_total{result=\"failed\"} 1"), "\(text)")
        #expect(text.contains("aiops_warm_start_queries_total{result=\"failed\"} 1"))
        let lines = logged.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("connection refused") && $0.contains("they warm up from their live samples") }, "\(lines)")
        #expect(server.warmStartStatistics?.seriesQueued == 0)
    }

    /// A workspace a reload adds waits for its new series' history as the ones at start do:
    /// its first series is queued for warm start (and, the source being down, counted failed).
    @Test func aWorkspaceAReloadAddsWarmsItsNewSeriesToo() async throws {
        let port = try #require(PrometheusEndToEndProcess.freeLoopbackPort())
        let (server, aiopsPort) = try Self.server(warmFrom: "http://127.0.0.1:\(port)") { _ in }
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let added = WorkspaceConfiguration(name: "team-b", plan: .hobby, token: "warm-e2e-token-team-b-0123456789")
        let lines = try server.reload(configuration: ServerConfiguration(workspaces: [Self.workspace, added]), rules: RuleSet(rules: []))
        #expect(lines.contains("workspace team-b: added (hobby)"), "\(lines)")
        let now = SystemClock().now() / Self.step * Self.step
        let series = EncodedSeries(labels: Self.labels, samples: [(timestamp: now, value: 10), (timestamp: now + Self.step, value: 11)])
        let response = try TestClient(port: aiopsPort).write([series], token: added.token)
        #expect(response.status == 204, "\(response.bodyText)")
        let statistics = try await PrometheusEndToEndTests.poll(until: ContinuousClock.now + .seconds(30)) { () -> WarmStartStatistics? in
            guard let statistics = server.warmStartStatistics, statistics.seriesFailed > 0 else { return nil }
            return statistics
        }
        #expect(statistics?.seriesFailed == 1 && statistics?.queriesFailed == 1, "\(String(describing: statistics))")
    }
}
