import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus run as a child process for the end-to-end test: its config and TSDB in
/// a temporary directory, its log in a file there (shown when the test fails).
///
/// Not `Sendable`: the test that starts it owns it and stops it.
final class PrometheusEndToEndProcess {
    /// Why Prometheus could not be started.
    struct StartError: Error, CustomStringConvertible {
        var reason: String
        var logTail: String
        var description: String { "\(reason)\n--- prometheus log tail ---\n\(logTail)" }
    }

    let directory: String
    let logPath: String
    let webPort: Int
    private let process: Process

    /// The binary to run: `/usr/bin/prometheus` (the Debian package CI installs), else the
    /// first `prometheus` on `PATH`; nil when there is none.
    static var binaryPath: String? { findBinary(["prometheus"]) }

    /// The first of `names` in `/usr/bin` (where CI's Debian packages put them), else on
    /// `PATH`; nil when there is none.
    static func findBinary(_ names: [String]) -> String? {
        let fileManager = FileManager.default
        for name in names where fileManager.isExecutableFile(atPath: "/usr/bin/" + name) { return "/usr/bin/" + name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") where !directory.isEmpty {
            for name in names {
                let candidate = String(directory) + "/" + name
                if fileManager.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// Whether this run is CI, where a missing Prometheus is a failure rather than a skip.
    static var isCI: Bool {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? ""
        return value == "true" || value == "1"
    }

    /// Writes `configuration` (YAML) and launches Prometheus on a free loopback port, its
    /// TSDB in `directory/data` (blocks placed there beforehand are served).
    /// - Parameter extraArguments: more flags, e.g. `--storage.tsdb.retention.time=30d`.
    /// - Throws: `StartError` when the process cannot be launched or exits at once.
    init(binary: String, directory: String, configuration: String, extraArguments: [String] = []) throws {
        self.directory = directory
        logPath = directory + "/prometheus.log"
        let configPath = directory + "/prometheus.yml"
        try configuration.write(toFile: configPath, atomically: true, encoding: .utf8)
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
              let log = FileHandle(forWritingAtPath: logPath) else {
            throw StartError(reason: "cannot create \(logPath)", logTail: "")
        }
        defer { try? log.close() }
        guard let port = Self.freeLoopbackPort() else {
            throw StartError(reason: "no free loopback port for Prometheus' web listener", logTail: "")
        }
        webPort = port
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(configPath)",
            "--storage.tsdb.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)",
            "--web.enable-lifecycle",
            // On SIGTERM Prometheus flushes what it has not sent; bound that (default 1 m).
            "--storage.remote.flush-deadline=5s",
            "--log.level=info",
        ] + extraArguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw StartError(reason: "cannot launch \(binary): \(error)", logTail: "")
        }
    }

    /// Another binary of the ecosystem (vmagent, Alertmanager) run the same way: `arguments`
    /// as given, its log in `directory/<name>.log`; `webPort` is what the caller chose.
    init(binary: String, directory: String, name: String, webPort: Int, arguments: [String]) throws {
        self.directory = directory
        logPath = directory + "/\(name).log"
        self.webPort = webPort
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
              let log = FileHandle(forWritingAtPath: logPath) else {
            throw StartError(reason: "cannot create \(logPath)", logTail: "")
        }
        defer { try? log.close() }
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw StartError(reason: "cannot launch \(binary): \(error)", logTail: "")
        }
    }

    var isRunning: Bool { process.isRunning }

    /// Whether it exited because another process took its port between our probe and its bind.
    var lostItsPort: Bool {
        !process.isRunning && logTail().contains("address already in use")
    }

    /// Prometheus' log so far.
    var log: String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "(no log at \(logPath))" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The last `lines` lines of Prometheus' log.
    func logTail(lines: Int = 40) -> String {
        log.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// SIGTERM, then SIGKILL if it is still running after `grace`; returns once it has exited.
    func stop(grace: Duration = .seconds(10)) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// A loopback port nobody listens on right now (bound to port 0, read back, released).
    /// Another process may take it before Prometheus binds it: see `lostItsPort`.
    static func freeLoopbackPort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard named else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
