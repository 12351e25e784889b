import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import Rules
@testable import Server
import AlertTargets
import Testing

/// Two `aiops serve` instances behind one real Prometheus that shards its remote write with
/// `hashmod` relabelling over two `remote_write` blocks (README, "Scale-out"), or one vmagent
/// doing the same: every series lands on exactly one instance, an anomaly on a series of each
/// instance fires there, and both incidents reach the one Alertmanager both instances send to.
@Suite struct ScaleOutEndToEndTests {
    static let ruleName = "e2e-shard-gauge"
    static let series = 12
    static let team = WorkspaceConfiguration(name: "team-a", plan: .hobby, token: "e2e-scale-out-token-0123456789")

    static let rulesJSON = """
        {"rules": [{
          "name": "\(ruleName)",
          "selector": "\(ScaleOutTarget.metricName)",
          "detector": {"kind": "ewma", "direction": "up", "warmup": 4},
          "severity": "critical",
          "for": "0s",
          "notify": {"groupWait": "0s"}
        }]}
        """

    /// The README's configuration: one `remote_write` block per instance, each keeping the
    /// series whose hash of their identity modulo the instance count is its index.
    static func prometheusConfiguration(targetPort: Int, aiopsPorts: [Int], token: String) -> String {
        var yaml = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: e2e-scale-out
                static_configs:
                  - targets: ["127.0.0.1:\(targetPort)"]
            remote_write:

            """
        for (index, port) in aiopsPorts.enumerated() {
            yaml += """
                  - url: http://127.0.0.1:\(port)/api/v1/write
                    name: aiops-\(index)
                    authorization:
                      credentials: "\(token)"
                    write_relabel_configs:
                      - source_labels: [__name__, instance, job, series]
                        modulus: \(aiopsPorts.count)
                        target_label: __tmp_aiops_shard
                        action: hashmod
                      - source_labels: [__tmp_aiops_shard]
                        regex: "\(index)"
                        action: keep
                    queue_config:
                      batch_send_deadline: 1s
                      max_samples_per_send: 100
                      min_backoff: 50ms
                      max_backoff: 1s

                """
        }
        return yaml
    }

    /// The `series` label of every e2e_shard_gauge series the server holds.
    static func heldSeries(_ server: AIOpsServer) -> Set<String> {
        var held: Set<String> = []
        for workspace in server.workspaces {
            for shard in workspace.shards {
                shard.withLock { box in
                    for ref in box.pipeline.store.allSeries {
                        let labels = box.pipeline.store.labels(of: ref)
                        if labels.metricName == ScaleOutTarget.metricName, let series = labels["series"] { held.insert(series) }
                    }
                }
            }
        }
        return held
    }

    /// vmagent 1.79 (Debian's) has no `-remoteWrite.shardByURL`: one `-remoteWrite.urlRelabelConfig`
    /// file per URL with the same `hashmod` rules, and its own scrape config.
    static func vmagentArguments(directory: String, targetPort: Int, aiopsPorts: [Int], token: String, httpPort: Int) throws -> [String] {
        let scrape = """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: e2e-scale-out
                static_configs:
                  - targets: ["127.0.0.1:\(targetPort)"]

            """
        try scrape.write(toFile: directory + "/scrape.yml", atomically: true, encoding: .utf8)
        var arguments = ["-promscrape.config=\(directory)/scrape.yml", "-httpListenAddr=127.0.0.1:\(httpPort)",
                         "-remoteWrite.tmpDataPath=\(directory)/vmagent-data", "-remoteWrite.flushInterval=1s", "-loggerLevel=INFO"]
        for (index, port) in aiopsPorts.enumerated() {
            let relabel = """
                - source_labels: [__name__, instance, job, series]
                  modulus: \(aiopsPorts.count)
                  target_label: __tmp_aiops_shard
                  action: hashmod
                - source_labels: [__tmp_aiops_shard]
                  regex: "\(index)"
                  action: keep
                - regex: __tmp_aiops_shard
                  action: labeldrop

                """
            try relabel.write(toFile: directory + "/relabel-\(index).yml", atomically: true, encoding: .utf8)
            arguments += ["-remoteWrite.url=http://127.0.0.1:\(port)/api/v1/write", "-remoteWrite.urlRelabelConfig=\(directory)/relabel-\(index).yml",
                          "-remoteWrite.bearerToken=\(token)"]
        }
        return arguments
    }

    static var vmagentPath: String? {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/vmagent") ? "/usr/bin/vmagent" : nil
    }

    @Test(
        .enabled(
            if: PrometheusEndToEndProcess.binaryPath != nil || PrometheusEndToEndProcess.isCI,
            "needs a prometheus binary (/usr/bin/prometheus or on PATH); CI installs it and fails without it"),
        .timeLimit(.minutes(2)))
    func prometheusHashmodShardsEverySeriesOntoExactlyOneInstance() async throws {
        guard let binary = PrometheusEndToEndProcess.binaryPath else {
            Issue.record("CI=true but no prometheus binary (.ci/run installs the Debian package)")
            return
        }
        try await run { directory, targetPort, ports in
            try PrometheusEndToEndProcess(binary: binary, directory: directory,
                                          configuration: Self.prometheusConfiguration(targetPort: targetPort, aiopsPorts: ports, token: Self.team.token))
        }
    }

    @Test(
        .enabled(
            if: vmagentPath != nil || PrometheusEndToEndProcess.isCI,
            "needs /usr/bin/vmagent (Debian's victoria-metrics package); CI installs it and fails without it"),
        .timeLimit(.minutes(2)))
    func vmagentHashmodShardsEverySeriesOntoExactlyOneInstance() async throws {
        guard let binary = Self.vmagentPath else {
            Issue.record("CI=true but no /usr/bin/vmagent (.ci/run installs the victoria-metrics package)")
            return
        }
        try await run { directory, targetPort, ports in
            let port = PrometheusEndToEndProcess.freeLoopbackPort() ?? 0
            return try PrometheusEndToEndProcess(
                binary: binary, directory: directory, name: "vmagent", webPort: port,
                arguments: Self.vmagentArguments(directory: directory, targetPort: targetPort, aiopsPorts: ports, token: Self.team.token, httpPort: port))
        }
    }

    /// Two instances, the target, and the sender `start` launches (given its directory, the
    /// target's port and the instances' ports): every series on exactly one instance, an
    /// anomaly on a series of each fires there.
    func run(_ start: (String, Int, [Int]) throws -> PrometheusEndToEndProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        let directory = NSTemporaryDirectory() + "aiops-scale-out-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // The one Alertmanager both instances send to (CI installs it; without it locally the
        // last check is skipped).
        var alertmanager: AlertmanagerProcess?
        if let binary = AlertmanagerProcess.binaryPath {
            alertmanager = try await AlertmanagerProcess.start(binary: binary, directory: directory, configuration: """
                route:
                  receiver: nowhere
                  group_by: [alertname]
                  group_wait: 1s
                receivers:
                  - name: nowhere

                """)
        } else if PrometheusEndToEndProcess.isCI {
            Issue.record("CI=true but no Alertmanager binary (.ci/run installs prometheus-alertmanager)")
        }
        defer { alertmanager?.stop() }
        var team = Self.team
        if let alertmanager { team.alertmanagers = [AlertmanagerConfiguration(url: alertmanager.url)] }
        let configuration = ServerConfiguration(workspaces: [team])
        let rules = try RuleSet.parse(Self.rulesJSON, file: "scale-out.json")
        var servers: [AIOpsServer] = []
        var probes: [PrometheusEndToEndProbe] = []
        defer { for server in servers { server.shutdown(gracePeriod: .seconds(2)) } }
        for _ in 0..<2 {
            var options = AIOpsServer.Options()
            options.listen = "127.0.0.1:0"
            options.threads = 1
            options.log = { _ in }
            let server = try AIOpsServer(configuration: configuration, rules: rules, options: options)
            let port = try server.start().port
            servers.append(server)
            probes.append(PrometheusEndToEndProbe(port: port, workspace: Self.team.name, token: Self.team.token))
        }
        let target = ScaleOutTarget(count: Self.series)
        let targetServer = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 1), handler: target)
        let targetPort = try targetServer.start().port
        defer { targetServer.shutdown(gracePeriod: .seconds(1)) }

        let prometheus = try start(directory, targetPort, probes.map(\.port))
        defer { prometheus.stop() }
        do {
            // 1. Every series on exactly one instance, both instances used.
            let all = Set((0..<Self.series).map(String.init))
            let split = try await PrometheusEndToEndTests.poll(until: deadline) { () throws -> [Set<String>]? in
                guard prometheus.isRunning else { throw PrometheusEndToEndTests.Failure(description: "the sender exited") }
                let held = servers.map(Self.heldSeries)
                return held[0].union(held[1]) == all ? held : nil
            }
            guard let split else { throw PrometheusEndToEndTests.Failure(description: "not every series arrived within 60 s") }
            #expect(split[0].isDisjoint(with: split[1]), "a series on both instances: \(split[0].intersection(split[1]).sorted())")
            #expect(!split[0].isEmpty && !split[1].isEmpty, "one instance got nothing: \(split.map { $0.sorted() })")

            // 2. Warm-up, then an anomaly on one series of each instance fires on that instance.
            let scrapes = target.scrapes
            _ = try await PrometheusEndToEndTests.poll(until: deadline) { target.scrapes >= scrapes + 7 ? true : nil }
            let chosen = split.map { Int($0.min()!)! }
            for series in chosen { target.startAnomaly(series: series) }
            for (index, probe) in probes.enumerated() {
                let fired = try await PrometheusEndToEndTests.poll(until: deadline) { () throws -> [String: String]? in
                    try probe.incidents().active.first { $0.rule == Self.ruleName && $0.state == "firing" }?.labels
                }
                #expect(fired?["series"] == String(chosen[index]), "instance \(index) fired \(String(describing: fired))")
            }
            // 3. Both incidents, one from each instance, in the one Alertmanager.
            if let alertmanager {
                let received = try await PrometheusEndToEndTests.poll(until: deadline) { () throws -> Set<String>? in
                    let answer = try alertmanager.api("GET", "/api/v2/alerts?filter=alertname%3D%22\(Self.ruleName)%22")
                    let series = Set(((answer.json as? [[String: Any]]) ?? []).compactMap { ($0["labels"] as? [String: String])?["series"] })
                    return series.count >= 2 ? series : nil
                }
                #expect(received == Set(chosen.map(String.init)), "Alertmanager holds \(String(describing: received)), expected \(chosen)")
            }
        } catch {
            Issue.record("\(error)\n--- sender's log tail ---\n\(prometheus.logTail())")
        }
    }
}
