import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import Rules
import Server
import Testing

/// `aiops serve` behind a real Prometheus: Prometheus scrapes a tiny target and remote-writes
/// into one workspace of an in-process server; the series must land in that workspace only,
/// and a spike of the target's gauge must open a firing incident and a notification.
///
/// Skipped when no `prometheus` binary is installed, except under `CI=true`, where CI
/// (`.ci/run`) installs it and its absence is a failure.
@Suite struct PrometheusEndToEndTests {
    /// A failure with what was expected and what was seen; the test adds Prometheus' log.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let ruleName = "e2e-queue-depth"
    /// Samples the rule's detector learns from before it scores.
    static let warmup = 4
    static let teamA = WorkspaceConfiguration(name: "team-a", plan: .hobby, token: "e2e-team-a-token-0123456789")
    static let teamB = WorkspaceConfiguration(name: "team-b", plan: .hobby, token: "e2e-team-b-token-9876543210")

    /// Fires on the first sample far above the learned level, and notifies at once.
    static let rulesJSON = """
        {"rules": [{
          "name": "\(ruleName)",
          "selector": "\(PrometheusEndToEndTarget.metricName){queue=\\"ingest\\"}",
          "detector": {"kind": "ewma", "direction": "up", "warmup": \(warmup)},
          "severity": "critical",
          "for": "0s",
          "notify": {"groupWait": "0s"},
          "advice": {"summary": "Queue {{labels.queue}} of {{labels.job}} holds {{value}} jobs, expected {{expected}}."}
        }]}
        """

    static func prometheusConfiguration(targetPort: Int, aiopsPort: Int, token: String) -> String {
        """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: e2e-target
            static_configs:
              - targets: ["127.0.0.1:\(targetPort)"]
        remote_write:
          - url: http://127.0.0.1:\(aiopsPort)/api/v1/write
            name: aiops-e2e
            remote_timeout: 5s
            authorization:
              credentials: "\(token)"
            queue_config:
              capacity: 500
              batch_send_deadline: 1s
              max_samples_per_send: 50
              min_shards: 1
              max_shards: 2
              min_backoff: 50ms
              max_backoff: 1s
            metadata_config:
              send: true
              send_interval: 1s

        """
    }

    /// Calls `check` every 250 ms until it returns a value; nil once `deadline` has passed.
    static func poll<T>(until deadline: ContinuousClock.Instant, _ check: () throws -> T?) async throws -> T? {
        while true {
            if let value = try check() { return value }
            if ContinuousClock.now >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    @Test(
        .enabled(
            if: PrometheusEndToEndProcess.binaryPath != nil || PrometheusEndToEndProcess.isCI,
            "needs a prometheus binary (/usr/bin/prometheus or on PATH); CI installs it and fails without it"),
        .timeLimit(.minutes(2)))
    func prometheusWritesIntoItsWorkspaceAndASpikeFires() async throws {
        guard let binary = PrometheusEndToEndProcess.binaryPath else {
            Issue.record("CI=true but no prometheus binary at /usr/bin/prometheus or on PATH (.ci/run installs the Debian package)")
            return
        }
        let started = ContinuousClock.now
        let deadline = started + .seconds(60)
        let directory = NSTemporaryDirectory() + "aiops-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // aiops serve, in process, two workspaces.
        let configuration = ServerConfiguration(workspaces: [Self.teamA, Self.teamB])
        try configuration.validate(file: "end-to-end")
        let rules = try RuleSet.parse(Self.rulesJSON, file: "end-to-end.json")
        let sink = PrometheusEndToEndSink()
        let notifier = try NotifierSetup.make(configuration: configuration, rules: rules, dataDirectory: nil, textSink: sink, log: .silent)
        defer { notifier.shutdown() }
        var options = AIOpsServer.Options()
        options.listen = "127.0.0.1:0"
        options.threads = 2
        let server = try AIOpsServer(configuration: configuration, rules: rules, options: options, notifier: notifier)
        let aiopsPort = try server.start().port
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let probeA = PrometheusEndToEndProbe(port: aiopsPort, workspace: Self.teamA.name, token: Self.teamA.token)
        let probeB = PrometheusEndToEndProbe(port: aiopsPort, workspace: Self.teamB.name, token: Self.teamB.token)

        // The scrape target.
        let target = PrometheusEndToEndTarget()
        let targetServer = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 1), handler: target)
        let targetPort = try targetServer.start().port
        defer { targetServer.shutdown(gracePeriod: .seconds(1)) }

        // Prometheus, writing with team-a's token. A port taken between our probe and its
        // bind is retried with another.
        var prometheus: PrometheusEndToEndProcess?
        defer { prometheus?.stop() }
        let yaml = Self.prometheusConfiguration(targetPort: targetPort, aiopsPort: aiopsPort, token: Self.teamA.token)
        do {
            for attempt in 1...3 {
                let attemptDirectory = directory + "/prometheus-\(attempt)"
                try FileManager.default.createDirectory(atPath: attemptDirectory, withIntermediateDirectories: true)
                let process = try PrometheusEndToEndProcess(binary: binary, directory: attemptDirectory, configuration: yaml)
                prometheus = process
                let ready = try await Self.poll(until: deadline) { () -> Bool? in
                    if !process.isRunning { return false }
                    let connection = try? HTTPClientConnection(host: "127.0.0.1", port: process.webPort, timeout: .seconds(2))
                    defer { connection?.close() }
                    return (try? connection?.request(method: "GET", path: "/-/ready"))?.status == 200 ? true : nil
                }
                if ready == true { break }
                if ready == false, process.lostItsPort, attempt < 3 { continue }
                throw Failure(description: ready == nil
                    ? "Prometheus was not ready (GET /-/ready) within 60 s"
                    : "Prometheus exited during start-up")
            }
            guard let prometheus else { throw Failure(description: "Prometheus was not started") }
            let readyAt = ContinuousClock.now

            /// Polls until `check` answers, failing when Prometheus dies or the deadline passes.
            func waitFor<T>(_ what: @autoclosure () -> String, _ check: () throws -> T?) async throws -> T {
                let value = try await Self.poll(until: deadline) { () throws -> T? in
                    guard prometheus.isRunning else { throw Failure(description: "Prometheus exited while waiting for \(what())") }
                    return try check()
                }
                guard let value else { throw Failure(description: "timed out (60 s) waiting for \(what())") }
                return value
            }

            // 1. The scraped series arrive in team-a: the gauge, `up` and the four scrape_* series.
            var lastA = ""
            let firstAppended = try await waitFor("the scraped series in team-a's /metrics (last:\n\(lastA))") { () throws -> Double? in
                let (samples, text) = try probeA.metrics()
                lastA = text.split(separator: "\n").filter { $0.contains("workspace=\"\(Self.teamA.name)\"") || $0.hasPrefix("aiops_requests_total") }.joined(separator: "\n")
                let active = PrometheusEndToEndProbe.value(samples, "aiops_active_series")
                let appended = PrometheusEndToEndProbe.value(samples, "aiops_samples_total", ["outcome": "appended"])
                return active >= 6 && appended > 0 ? appended : nil
            }
            let arrivedAt = ContinuousClock.now
            _ = try await waitFor("team-a's appended samples to grow past \(firstAppended)") { () throws -> Bool? in
                let (samples, _) = try probeA.metrics()
                return PrometheusEndToEndProbe.value(samples, "aiops_samples_total", ["outcome": "appended"]) > firstAppended ? true : nil
            }
            try Self.expectEmpty(probeB)

            // 2. Steady noise for the detector's warm-up and a little more: no incident yet.
            let scrapesAtArrival = target.scrapes
            _ = try await waitFor("\(Self.warmup + 2) more scrapes of the target") { () -> Bool? in
                target.scrapes >= scrapesAtArrival + Self.warmup + 2 ? true : nil
            }
            let calm = try probeA.incidents()
            #expect(!(calm.active + calm.recent).contains { $0.rule == Self.ruleName }, "steady noise opened an incident: \(calm.text)")

            // 3. The spike: a firing incident for the gauge in team-a, and a notification.
            target.startAnomaly()
            let spikeAt = ContinuousClock.now
            let incident = try await waitFor("a firing \(Self.ruleName) incident in team-a's /api/v1/incidents") { () throws -> PrometheusEndToEndProbe.IncidentView? in
                try probeA.incidents().active.first { $0.rule == Self.ruleName && $0.state == "firing" }
            }
            let firedAt = ContinuousClock.now
            #expect(incident.labels["__name__"] == PrometheusEndToEndTarget.metricName)
            #expect(incident.labels["queue"] == "ingest")
            #expect(incident.labels["job"] == "e2e-target")
            #expect(incident.labels["instance"] == "127.0.0.1:\(targetPort)")
            let firingA = try probeA.metrics().samples
            #expect(PrometheusEndToEndProbe.value(firingA, "aiops_incidents_open", ["phase": "firing"]) >= 1)

            let notification = try await waitFor("the notification of the incident") { () -> PrometheusEndToEndSink.Delivered? in
                sink.all.first { $0.rule == Self.ruleName && $0.kind == .firing }
            }
            #expect(notification.workspace == Self.teamA.name)
            #expect(notification.text.contains("Queue ingest of e2e-target"), "notification text: \(notification.text)")

            // 4. Nothing leaked into team-b, and Prometheus had nothing refused.
            try Self.expectEmpty(probeB)
            #expect(!sink.all.contains { $0.workspace == Self.teamB.name })
            let requests = try probeA.metrics().samples.filter { $0.name == "aiops_requests_total" }
            #expect(!requests.isEmpty)
            let refused = requests.filter { $0.labels["code"] != "204" && $0.value > 0 }
            #expect(refused.isEmpty, "Prometheus' requests refused: \(refused)")
            // Prometheus saw every send (samples and metadata) succeed.
            let complaints = prometheus.log.split(separator: "\n")
                .filter { $0.contains("component=remote") && ($0.contains("level=error") || $0.contains("level=warn")) }
            #expect(complaints.isEmpty, "Prometheus' remote-write complaints:\n\(complaints.joined(separator: "\n"))")

            func seconds(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant) -> String {
                let elapsed = (to - from).components
                return String(format: "%.1f s", Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
            }
            print("PrometheusEndToEnd: ready \(seconds(started, readyAt)), series in team-a \(seconds(readyAt, arrivedAt)), incident \(seconds(spikeAt, firedAt)) after the spike, total \(seconds(started, ContinuousClock.now))")
        } catch {
            let tail = prometheus?.logTail() ?? "(not started)"
            Issue.record("\(error)\n--- prometheus log tail ---\n\(tail)")
        }
    }

    /// Team-b's token sees no series, no samples and no incidents.
    static func expectEmpty(_ probe: PrometheusEndToEndProbe) throws {
        let (samples, text) = try probe.metrics()
        #expect(samples.contains { $0.name == "aiops_active_series" }, "team-b's own series missing from /metrics:\n\(text)")
        #expect(PrometheusEndToEndProbe.value(samples, "aiops_active_series") == 0)
        #expect(PrometheusEndToEndProbe.value(samples, "aiops_samples_total", ["outcome": "appended"]) == 0)
        #expect(!text.contains("workspace=\"\(teamA.name)\""), "team-b sees team-a's series:\n\(text)")
        let incidents = try probe.incidents()
        #expect(incidents.active.isEmpty && incidents.recent.isEmpty, "team-b has incidents: \(incidents.text)")
    }
}
