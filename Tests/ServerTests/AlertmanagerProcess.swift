import Foundation
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// A real Alertmanager run as a child process for end-to-end tests: loopback port of its
/// own, clustering off (`--cluster.listen-address=`), its storage, config and log in a
/// temporary directory. Not `Sendable`: the test that starts it stops it.
final class AlertmanagerProcess {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let directory: String
    let port: Int
    let logPath: String
    private let process: Process

    /// `/usr/bin/prometheus-alertmanager` (the Debian package CI installs), else
    /// `alertmanager` or `prometheus-alertmanager` on `PATH`; nil when there is none.
    static var binaryPath: String? {
        let fileManager = FileManager.default
        if fileManager.isExecutableFile(atPath: "/usr/bin/prometheus-alertmanager") { return "/usr/bin/prometheus-alertmanager" }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") where !directory.isEmpty {
            for name in ["prometheus-alertmanager", "alertmanager"] {
                let candidate = String(directory) + "/" + name
                if fileManager.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// Writes `configuration` (YAML) and launches Alertmanager on a free loopback port.
    init(binary: String, directory: String, configuration: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let configPath = directory + "/alertmanager.yml"
        try configuration.write(toFile: configPath, atomically: true, encoding: .utf8)
        logPath = directory + "/alertmanager.log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil), let log = FileHandle(forWritingAtPath: logPath) else {
            throw Failure(description: "cannot create \(logPath)")
        }
        defer { try? log.close() }
        guard let port = PrometheusEndToEndProcess.freeLoopbackPort() else { throw Failure(description: "no free loopback port") }
        self.port = port
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(configPath)",
            "--storage.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)",
            "--cluster.listen-address=",
            "--log.level=debug",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    var log: String {
        FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? "(no log)"
    }

    var lostItsPort: Bool { !process.isRunning && log.contains("address already in use") }

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

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

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
