import AIOpsCore
import Dispatch
import Foundation
import HTTPServer
import RemoteWrite
import Synchronization

/// Where a load goes: `http://HOST:PORT/PATH`, with an optional bearer token.
struct LoadTarget: Sendable {
    var name: String
    var host: String
    var port: Int
    var path: String
    var token: String?

    /// Parses `http://host:port/path` (IPv6 hosts in brackets); nil if it is not one.
    static func parse(url: String) -> (host: String, port: Int, path: String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        let path = slash == rest.endIndex ? "/api/v1/write" : String(rest[slash...])
        guard let (host, port) = HTTPServerConfiguration.parseListenAddress(authority), port > 0 else { return nil }
        return (host, port, path)
    }
}

/// Pre-encoded remote-write bodies: per connection, `requests` bodies over that connection's
/// own series, one sample per series per body, timestamps rising by `stepMs` from body to
/// body. Nothing is encoded while a load runs.
struct LoadBodies: Sendable {
    let connections: Int
    let seriesPerConnection: Int
    let version: RemoteWriteVersion
    /// bodies[connection][request]
    let bodies: [[[UInt8]]]
    let firstTimestamp: Int64

    /// Encodes on one thread per connection (they are independent).
    init(connections: Int, seriesPerConnection: Int, requests: Int, stepMs: Int64, version: RemoteWriteVersion,
         metric: String = "bench_node_load", endingBefore now: Int64) {
        self.connections = connections
        self.seriesPerConnection = seriesPerConnection
        self.version = version
        // The last body sits five minutes before now: inside every receiver's accepted window.
        let first = now - 300_000 - Int64(requests) * stepMs
        firstTimestamp = first
        let results = Mutex<[[[UInt8]]]>(Array(repeating: [], count: connections))
        DispatchQueue.concurrentPerform(iterations: connections) { connection in
            let labels = (0..<seriesPerConnection).map { LoadShape.labels(connection: connection, index: $0, metric: metric) }
            var random = SplitMix64(seed: UInt64(connection + 1))
            var series = labels.map { EncodedSeries(labels: $0, samples: [EncodedSample(timestamp: 0, value: 0)]) }
            var out: [[UInt8]] = []
            out.reserveCapacity(requests)
            for request in 0..<requests {
                let t = first + Int64(request) * stepMs
                for index in series.indices {
                    series[index].samples[0] = EncodedSample(
                        timestamp: t, value: LoadShape.value(series: index, timestamp: t, random: &random))
                }
                out.append(RemoteWriteEncoder.compressedBody(series, version: version))
            }
            results.withLock { $0[connection] = out }
        }
        bodies = results.withLock { $0 }
    }

    var totalBytes: Int { bodies.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } }
    var requestsPerConnection: Int { bodies.first?.count ?? 0 }

    /// Complete HTTP requests (head and body) for `target`, so the load loop only sends bytes.
    func requests(for target: LoadTarget) -> [[[UInt8]]] {
        var prefix = "POST \(target.path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\n"
        prefix += "Content-Encoding: snappy\r\nContent-Type: \(version.contentType)\r\n"
        prefix += "X-Prometheus-Remote-Write-Version: \(version.versionHeader)\r\nUser-Agent: aiops-bench/1.0\r\n"
        if let token = target.token { prefix += "Authorization: Bearer \(token)\r\n" }
        let head = Array(prefix.utf8)
        return bodies.map { connection in
            connection.map { body in
                var request = head
                request.reserveCapacity(head.count + 32 + body.count)
                request.append(contentsOf: "Content-Length: \(body.count)\r\n\r\n".utf8)
                request.append(contentsOf: body)
                return request
            }
        }
    }
}

/// What one load run measured.
struct LoadRunResult {
    /// Samples in 2xx responses to requests sent and answered inside the timed window, per second.
    var samplesPerSecond: Double
    var p50Milliseconds: Double
    var p99Milliseconds: Double
    var requests: Int
    var non2xx: Int
    var failures: [String]
    /// Some connection ran out of pre-encoded bodies before the time was up.
    var exhausted: Bool
}

/// The built-in load generator: one thread per keep-alive connection, each posting its
/// pre-encoded requests back to back (or paced), counting only 2xx responses.
enum LoadGenerator {
    struct ConnectionResult: Sendable {
        var samples = 0
        var requests = 0
        var non2xx = 0
        var window: Double = 0
        var latencies: [UInt64] = []
        var failure: String?
        var exhausted = false
        var firstNon2xx: Int?
    }

    /// Runs the load.
    /// - Parameters:
    ///   - warmup: seconds sent before the timed window (not counted).
    ///   - seconds: the timed window.
    ///   - requestsPerSecond: per connection pacing; 0 sends back to back.
    static func run(target: LoadTarget, requests: [[[UInt8]]], samplesPerRequest: Int, warmup: Double, seconds: Double,
                    requestsPerSecond: Double = 0, stop: StopFlag = StopFlag()) -> LoadRunResult {
        let connections = requests.count
        let results = Mutex<[ConnectionResult]>(Array(repeating: ConnectionResult(), count: connections))
        let group = DispatchGroup()
        let start = MonotonicClock.nanoseconds() + 100_000_000
        let windowStart = start + UInt64(warmup * 1e9)
        let deadline = windowStart + UInt64(seconds * 1e9)
        for connection in 0..<connections {
            group.enter()
            let job = ConnectionJob(
                target: target, requests: requests[connection], samplesPerRequest: samplesPerRequest, start: start,
                windowStart: windowStart, deadline: deadline, requestsPerSecond: requestsPerSecond, stop: stop)
            spawn {
                let result = job.drive()
                results.withLock { $0[connection] = result }
                group.leave()
            }
        }
        group.wait()
        let all = results.withLock { $0 }
        var latencies = all.flatMap(\.latencies).map { Double($0) / 1e6 }
        latencies.sort()
        let rate = all.reduce(0.0) { $0 + ($1.window > 0 ? Double($1.samples) / $1.window : 0) }
        return LoadRunResult(
            samplesPerSecond: rate, p50Milliseconds: Statistics.percentile(latencies, 50),
            p99Milliseconds: Statistics.percentile(latencies, 99), requests: all.reduce(0) { $0 + $1.requests },
            non2xx: all.reduce(0) { $0 + $1.non2xx }, failures: all.compactMap(\.failure),
            exhausted: all.contains { $0.exhausted })
    }

}

/// Starts a detached thread running `body`.
@inline(never)
func spawn(_ body: @escaping @Sendable () -> Void) {
    let thread = Thread(block: body)
    thread.stackSize = 1 << 20
    thread.start()
}

/// What one load connection sends, and when.
struct ConnectionJob: Sendable {
    var target: LoadTarget
    var requests: [[UInt8]]
    var samplesPerRequest: Int
    var start: UInt64
    var windowStart: UInt64
    var deadline: UInt64
    var requestsPerSecond: Double
    var stop: StopFlag

    /// The connection's loop.
    func drive() -> LoadGenerator.ConnectionResult {
        var result = LoadGenerator.ConnectionResult()
        result.latencies.reserveCapacity(requests.count)
        let connection: HTTPClientConnection
        do {
            connection = try HTTPClientConnection(host: target.host, port: target.port, timeout: .seconds(30))
        } catch {
            result.failure = "connect: \(error)"
            return result
        }
        while MonotonicClock.nanoseconds() < start { usleep(1000) }
        var index = 0
        let interval = requestsPerSecond > 0 ? 1e9 / requestsPerSecond : 0
        while index < requests.count, !stop.isSet {
            if interval > 0 {
                let due = start + UInt64(Double(index) * interval)
                let now = MonotonicClock.nanoseconds()
                if due > now { usleep(UInt32(min((due - now) / 1000, 1_000_000))) }
            }
            let sent = MonotonicClock.nanoseconds()
            if sent >= deadline { break }
            let status: Int
            do {
                try connection.sendRaw(requests[index])
                status = try connection.readStatus()
            } catch {
                result.failure = "request \(index): \(error)"
                break
            }
            let done = MonotonicClock.nanoseconds()
            index += 1
            if sent >= windowStart && done <= deadline {
                result.requests += 1
                if status >= 200 && status < 300 {
                    result.samples += samplesPerRequest
                    result.latencies.append(done - sent)
                } else {
                    result.non2xx += 1
                    if result.firstNon2xx == nil { result.firstNon2xx = status }
                }
            }
        }
        // The window ends at the deadline, or earlier if the bodies ran out or the run was stopped.
        let end = min(MonotonicClock.nanoseconds(), deadline)
        result.exhausted = index == requests.count && end < deadline
        result.window = end > windowStart ? Double(end - windowStart) / 1e9 : 0
        if let status = result.firstNon2xx, result.failure == nil { result.failure = "first non-2xx status: \(status)" }
        connection.close()
        return result
    }
}

/// A stop request shared with the load threads.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    init() {}
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
