import AIOpsCore
import Foundation
import HTTPServer
import RemoteWrite
import Rules
import Testing
@testable import Server

/// Scores as series read by a real Prometheus both ways the README shows ("Scores in
/// Grafana and PromQL"): scraping `/federate` with the workspace token and `honor_labels`,
/// and receiving the workspace's remote write (`--web.enable-remote-write-receiver`); a
/// PromQL query over `aiops_anomaly_score` returns each series with its labels and `rule`.
///
/// Skipped when no `prometheus` binary is installed, except under `CI=true`.
@Suite struct ScoresPrometheusEndToEndTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// README: the workspace's part of `aiops.json`.
    static func aiopsConfiguration(prometheus: String) -> String {
        """
        {
          "workspaces": [
            {"name": "team-a", "plan": "pro", "token": "\(TestServer.tokenA)",
             "remoteWrite": {"url": "\(prometheus)/api/v1/write", "interval": "1s"}}
          ]
        }
        """
    }

    /// README: the scrape job of `prometheus.yml`.
    static func scrapeConfiguration(aiops: String) -> String {
        """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: aiops-scores
            honor_labels: true
            metrics_path: /federate
            params:
              'match[]': ['{__name__=~"aiops_.+"}']
            authorization:
              credentials: \(TestServer.tokenA)
            static_configs:
              - targets: ['\(aiops)']

        """
    }

    /// An instant query's vector: (labels, value) per series.
    static func query(_ prometheus: PrometheusEndToEndProcess, _ promql: String) throws -> [(labels: [String: String], value: Double)] {
        let connection = try HTTPClientConnection(host: "127.0.0.1", port: prometheus.webPort, timeout: .seconds(5))
        defer { connection.close() }
        let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let response = try connection.request(method: "GET", path: "/api/v1/query?query=\(encoded)")
        guard response.status == 200,
              let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any],
              let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { throw Failure(description: "query \(promql): \(response.status) \(response.bodyText)") }
        return result.map { series in
            let labels = series["metric"] as? [String: String] ?? [:]
            let pair = series["value"] as? [Any] ?? []
            return (labels, Double(pair.last as? String ?? "") ?? .nan)
        }
    }

    static func poll<T>(_ what: String, deadline: ContinuousClock.Instant, _ check: () throws -> T?) async throws -> T {
        while true {
            if let value = try check() { return value }
            if ContinuousClock.now >= deadline { throw Failure(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    @Test(
        .enabled(if: PrometheusEndToEndProcess.binaryPath != nil || PrometheusEndToEndProcess.isCI,
                 "needs a prometheus binary (/usr/bin/prometheus or on PATH); CI installs it and fails without it"),
        .timeLimit(.minutes(2)))
    func prometheusScrapesAndReceivesTheScores() async throws {
        guard let binary = PrometheusEndToEndProcess.binaryPath else {
            Issue.record("CI=true but no prometheus binary (.ci/run installs it)")
            return
        }
        let deadline = ContinuousClock.now + .seconds(90)
        let directory = NSTemporaryDirectory() + "aiops-scores-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // Prometheus first, receiving remote write only; the scrape job is added by a reload
        // once aiops' port is known.
        var prometheus: PrometheusEndToEndProcess?
        for attempt in 1...3 {
            try FileManager.default.createDirectory(atPath: directory + "/prometheus-\(attempt)", withIntermediateDirectories: true)
            let process = try PrometheusEndToEndProcess(
                binary: binary, directory: directory + "/prometheus-\(attempt)", configuration: "global:\n  scrape_interval: 1s\n",
                extraArguments: ["--web.enable-remote-write-receiver"])
            let ready = try await Self.poll("Prometheus ready", deadline: deadline) { () -> Bool? in
                if !process.isRunning { return false }
                let connection = try? HTTPClientConnection(host: "127.0.0.1", port: process.webPort, timeout: .seconds(2))
                defer { connection?.close() }
                return (try? connection?.request(method: "GET", path: "/-/ready"))?.status == 200 ? true : nil
            }
            prometheus = process
            if ready { break }
            if process.lostItsPort, attempt < 3 { continue }
            throw Failure(description: "Prometheus exited during start-up:\n\(process.logTail())")
        }
        let prom = try #require(prometheus)
        defer { prom.stop() }

        do {
            // aiops serve with the README's configuration.
            let configPath = directory + "/aiops.json"
            try Self.aiopsConfiguration(prometheus: "http://127.0.0.1:\(prom.webPort)").write(toFile: configPath, atomically: true, encoding: .utf8)
            let configuration = try ServerConfiguration.load(path: configPath)
            var options = AIOpsServer.Options()
            options.listen = "127.0.0.1:0"
            options.threads = 2
            options.log = { _ in }
            let server = try AIOpsServer(configuration: configuration, rules: try RuleSet.parse(TestServer.rulesJSON, file: "test.json"), options: options)
            let aiopsPort = try server.start().port
            let client = TestClient(port: aiopsPort)
            defer { server.shutdown(gracePeriod: .seconds(2)) }

            // Five minutes of two queues, the last sample 10 s ago.
            let now = SystemClock().now()
            let samples = (0..<30).map { (now - 300_000 + Int64($0) * 10_000, 40.0 + Double($0 % 5)) }
            #expect(try client.write([queue("payments", samples), queue("orders", samples, extra: ["namespace": "shop"])]).status == 204)
            let federated = try client.get("/federate?match%5B%5D=aiops_anomaly_score", token: TestServer.tokenA).bodyText
            let paymentsLine = try #require(federated.split(separator: "\n").first { $0.contains(#"queue="payments""#) }, "\(federated)")
            let paymentsScore = try #require(Double(paymentsLine.split(separator: " ")[1]))

            // The scrape job, by a reload.
            try Self.scrapeConfiguration(aiops: "127.0.0.1:\(aiopsPort)").write(toFile: prom.directory + "/prometheus.yml", atomically: true, encoding: .utf8)
            let connection = try HTTPClientConnection(host: "127.0.0.1", port: prom.webPort, timeout: .seconds(5))
            let reload = try connection.request(method: "POST", path: "/-/reload")
            connection.close()
            #expect(reload.status == 200, "\(reload.bodyText)")

            // Scraped: one series per queue, the series' labels, rule, and the job's.
            let scraped = try await Self.poll("scraped aiops_anomaly_score series", deadline: deadline) { () -> [(labels: [String: String], value: Double)]? in
                let result = try Self.query(prom, #"aiops_anomaly_score{job="aiops-scores"}"#)
                return result.count == 2 ? result : nil
            }
            let payments = try #require(scraped.first { $0.labels["queue"] == "payments" })
            #expect(payments.labels == ["__name__": "aiops_anomaly_score", "metric": "queue_depth", "queue": "payments", "rule": "queue-spike",
                                        "job": "aiops-scores", "instance": "127.0.0.1:\(aiopsPort)"])
            #expect(payments.value == paymentsScore, "Prometheus stores what /federate answered")
            #expect(scraped.first { $0.labels["queue"] == "orders" }?.labels["namespace"] == "shop")

            // Remote-written: the same series without job and instance, and the expected band.
            let written = try await Self.poll("remote-written aiops_expected_value", deadline: deadline) { () -> [(labels: [String: String], value: Double)]? in
                let result = try Self.query(prom, #"aiops_expected_value{job="", queue="payments"}"#)
                return result.isEmpty ? nil : result
            }
            #expect(written[0].labels == ["__name__": "aiops_expected_value", "metric": "queue_depth", "queue": "payments", "rule": "queue-spike"])
            #expect(written[0].value > 39 && written[0].value < 45, "expected about 42: \(written[0].value)")
            let band = try Self.query(prom, #"aiops_expected_upper{job=""} - aiops_expected_lower{job=""}"#)
            #expect(band.count == 2 && band.allSatisfy { $0.value > 0 }, "\(band)")
            let scores = try Self.query(prom, #"count(aiops_anomaly_score{job=""})"#)
            #expect(scores.first?.value == 2)
            let metrics = try client.get("/metrics", token: TestServer.tokenA).bodyText
            #expect(metrics.contains(#"aiops_score_samples_sent_total{workspace="team-a"} 8"#), "2 series x 4 families: \(metrics)")
            let complaints = prom.log.split(separator: "\n").filter { $0.contains("level=error") || ($0.contains("level=warn") && $0.contains("write")) }
            #expect(complaints.isEmpty, "Prometheus complained:\n\(complaints.joined(separator: "\n"))")
        } catch {
            Issue.record("\(error)\n--- prometheus log tail ---\n\(prom.logTail())")
        }
    }
}
