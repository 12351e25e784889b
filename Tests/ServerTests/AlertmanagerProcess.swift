import Foundation
import HTTPServer

/// A real Alertmanager run as a child process for end-to-end tests: loopback port of its
/// own, clustering off (`--cluster.listen-address=`), its storage, config and log in a
/// temporary directory. Not `Sendable`: the test that starts it stops it.
final class AlertmanagerProcess {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let directory: String
    let port: Int
    /// The child process, launched the way every ecosystem binary of the tests is.
    private let child: PrometheusEndToEndProcess

    /// `/usr/bin/prometheus-alertmanager` (the Debian package CI installs), else
    /// `prometheus-alertmanager` or `alertmanager` on `PATH`; nil when there is none.
    static var binaryPath: String? { PrometheusEndToEndProcess.findBinary(["prometheus-alertmanager", "alertmanager"]) }

    /// Writes `configuration` (YAML) and launches Alertmanager on a free loopback port.
    init(binary: String, directory: String, configuration: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let configPath = directory + "/alertmanager.yml"
        try configuration.write(toFile: configPath, atomically: true, encoding: .utf8)
        guard let port = PrometheusEndToEndProcess.freeLoopbackPort() else { throw Failure(description: "no free loopback port") }
        self.port = port
        child = try PrometheusEndToEndProcess(binary: binary, directory: directory, name: "alertmanager", webPort: port, arguments: [
            "--config.file=\(configPath)",
            "--storage.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)",
            "--cluster.listen-address=",
            "--log.level=debug",
        ])
    }

    var isRunning: Bool { child.isRunning }

    var log: String { child.log }

    var lostItsPort: Bool { child.lostItsPort }

    var url: String { "http://127.0.0.1:\(port)" }

    /// `GET /-/ready` answers 200.
    var isReady: Bool {
        guard let connection = try? HTTPClientConnection(host: "127.0.0.1", port: port, timeout: .seconds(2)) else { return false }
        defer { connection.close() }
        return (try? connection.request(method: "GET", path: "/-/ready"))?.status == 200
    }

    /// A request to its API; the body parsed as JSON.
    func api(_ method: String, _ path: String, body: String = "") throws -> (status: Int, json: Any?, text: String) {
        let connection = try HTTPClientConnection(host: "127.0.0.1", port: port, timeout: .seconds(5))
        defer { connection.close() }
        let response = try connection.request(method: method, path: path, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        return (response.status, try? JSONSerialization.jsonObject(with: Data(response.body)), response.bodyText)
    }

    func stop() { child.stop() }

    /// Starts one, retrying on another port when the probed one was taken meanwhile.
    static func start(binary: String, directory: String, configuration: String) async throws -> AlertmanagerProcess {
        for attempt in 1...3 {
            let process = try AlertmanagerProcess(binary: binary, directory: directory + "/am-\(attempt)", configuration: configuration)
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if process.isReady { return process }
                if !process.isRunning { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            process.stop()
            if process.lostItsPort, attempt < 3 { continue }
            throw Failure(description: "Alertmanager did not become ready:\n\(process.log.suffix(3000))")
        }
        throw Failure(description: "Alertmanager could not get a port")
    }
}
