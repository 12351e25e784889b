import AIOpsCore
import Foundation
import HTTPServer

/// A peer receiver (Prometheus or VictoriaMetrics) started for one load run on a fresh data
/// directory and a free loopback port, and stopped after it.
final class PeerProcess {
    enum Kind: String, CaseIterable {
        case prometheus
        case victoriaMetrics = "victoria-metrics"

        var binaryName: String { rawValue }
        var readyPath: String { self == .prometheus ? "/-/ready" : "/health" }
    }

    let kind: Kind
    let port: Int
    let directory: String
    private let process: Process

    /// Starts the peer and waits (up to 60 s) until it answers its readiness endpoint.
    /// - Parameters:
    ///   - prepare: called with the fresh directory before the peer starts (its data goes in
    ///     `directory/data`), e.g. to place TSDB blocks there.
    ///   - extraArguments: more flags for the peer.
    /// - Throws: a message if it cannot start or never becomes ready.
    init(kind: Kind, binary: String, extraArguments: [String] = [], prepare: (String) throws -> Void = { _ in }) throws {
        self.kind = kind
        directory = NSTemporaryDirectory() + "aiops-bench-\(kind.rawValue)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try prepare(directory)
        port = try PeerProcess.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        switch kind {
        case .prometheus:
            let config = directory + "/prometheus.yml"
            try "global:\n  scrape_interval: 1m\n".write(toFile: config, atomically: true, encoding: .utf8)
            process.arguments = [
                "--web.enable-remote-write-receiver", "--storage.tsdb.path=\(directory)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--config.file=\(config)", "--log.level=warn",
            ]
        case .victoriaMetrics:
            process.arguments = ["-storageDataPath=\(directory)/data", "-httpListenAddr=127.0.0.1:\(port)", "-loggerLevel=ERROR"]
        }
        process.arguments! += extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = MonotonicClock.nanoseconds() + 60_000_000_000
        while MonotonicClock.nanoseconds() < deadline {
            if !process.isRunning { break }
            if let connection = try? HTTPClientConnection(host: "127.0.0.1", port: port, timeout: .seconds(2)),
               let response = try? connection.request(method: "GET", path: kind.readyPath), response.status == 200 {
                return
            }
            usleep(100_000)
        }
        stop()
        throw PeerError(message: "\(kind.rawValue) did not become ready on port \(port)")
    }

    var target: LoadTarget {
        LoadTarget(name: kind.rawValue, host: "127.0.0.1", port: port, path: "/api/v1/write", token: nil)
    }

    /// SIGTERM, wait up to 20 s (then SIGKILL), remove the data directory.
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = MonotonicClock.nanoseconds() + 20_000_000_000
            while process.isRunning && MonotonicClock.nanoseconds() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The binary on PATH (or the one given), if it exists.
    static func locate(_ kind: Kind, given: String?) -> String? {
        if let given { return FileManager.default.isExecutableFile(atPath: given) ? given : nil }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/\(kind.binaryName)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// A loopback port nothing listens on right now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PeerError(message: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Int32 in
                guard bind(fd, raw, length) == 0 else { return -1 }
                return getsockname(fd, raw, &length)
            }
        }
        guard bound == 0 else { throw PeerError(message: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct PeerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
