import AIOpsCore
import Delivery
import Pipeline
import RemoteWrite

/// Remote write of a workspace's scores, as the config file declares it
/// (`"remoteWrite": {"url": "http://prometheus:9090/api/v1/write"}`):
/// - `url`: a Prometheus-compatible remote-write endpoint (Prometheus with
///   `--web.enable-remote-write-receiver`, Mimir, VictoriaMetrics, `aiops` itself);
/// - `basicAuth` or `bearerTokenFile`: how requests authenticate (never logged);
/// - `interval`: how often the scores written since the last time are sent, default `15s`;
/// - `timeout`: per request, default `10s`.
public struct ScoreRemoteWriteConfiguration: Sendable, Codable, Equatable {
    public var url: String
    public var basicAuth: BasicAuthConfiguration?
    public var bearerTokenFile: String?
    public var interval: PromDuration?
    public var timeout: PromDuration?

    public init(url: String, basicAuth: BasicAuthConfiguration? = nil, bearerTokenFile: String? = nil, interval: PromDuration? = nil, timeout: PromDuration? = nil) {
        self.url = url
        self.basicAuth = basicAuth
        self.bearerTokenFile = bearerTokenFile
        self.interval = interval
        self.timeout = timeout
    }

    /// The endpoint, its credentials read (files included).
    /// - Throws: `OutboundEndpoint.Problem` saying what is wrong with the URL or credentials.
    /// - Parameter readFiles: false checks the shape only, touching no file (config validation).
    public func endpoint(readFiles: Bool = true) throws(OutboundEndpoint.Problem) -> OutboundEndpoint {
        try OutboundEndpoint(url, credentials: try HTTPCredentials.configured(basicAuth: basicAuth, bearerTokenFile: bearerTokenFile, readFiles: readFiles))
    }

    /// Milliseconds between collections (at least 1 s).
    public var intervalMilliseconds: Int64 { max(1000, interval?.milliseconds ?? 15_000) }

    public var timeoutSeconds: Double {
        guard let timeout, timeout.milliseconds > 0 else { return 10 }
        return timeout.seconds
    }
}

/// The requests waiting to be written for one workspace, oldest first, bounded.
///
/// One request in flight at most. A transport error, timeout, 429 or 5xx retries it with
/// exponential backoff (`RetryPolicy`) until the policy's deadline; a 4xx drops it (the
/// receiver refused its content; the same body would be refused again). Beyond
/// `maxQueuedSamples`, the oldest queued requests are dropped (not the one in flight).
/// Every sample dropped is counted by why.
///
/// Pure: no clock, no I/O; `ScoreRemoteWriter` drives it.
public struct ScoreRemoteWriteQueue: Sendable {
    public struct Request: Sendable {
        public var body: [UInt8]
        public var samples: Int
        /// Wall time it was queued (the retry deadline counts from it).
        var queuedAt: Timestamp
        var attempts = 0
    }

    public enum Outcome: Sendable, Equatable {
        case accepted
        case retry(reason: String, retryAfter: Double?)
        case rejected(reason: String)

        /// 2xx is success (Prometheus answers 204); 429, 5xx and transport failures are retried.
        public static func classify(_ response: WebhookResponse) -> Outcome {
            switch response {
            case .failed(let error): return .retry(reason: error.reason, retryAfter: nil)
            case .http(let status, _, let retryAfter):
                switch status {
                case 200...299: return .accepted
                case 429, 500...599: return .retry(reason: "http_\(status)", retryAfter: retryAfter)
                default: return .rejected(reason: "http_\(status)")
                }
            }
        }
    }

    public let maxQueuedSamples: Int
    public let retry: RetryPolicy
    private(set) var queue: [Request] = []
    private(set) var inFlight = false
    private var nextAttempt: Timestamp = .min
    private var random: SplitMix64
    public private(set) var status: ScoreRemoteWriteStatus

    public init(workspace: String, url: String, maxQueuedSamples: Int = 100_000, retry: RetryPolicy = RetryPolicy()) {
        self.maxQueuedSamples = max(1, maxQueuedSamples)
        self.retry = retry
        random = SplitMix64(seed: retry.resolvedSeed())
        status = ScoreRemoteWriteStatus(workspace: workspace, url: url)
    }

    /// Queues a request, dropping the oldest waiting ones while over `maxQueuedSamples`.
    public mutating func enqueue(body: [UInt8], samples: Int, now: Timestamp) {
        queue.append(Request(body: body, samples: samples, queuedAt: now))
        var queued = queue.reduce(0) { $0 + $1.samples }
        // Index 0 is in flight when `inFlight`: never dropped under its completion.
        let first = inFlight ? 1 : 0
        while queued > maxQueuedSamples, queue.count > first + 1 {
            let dropped = queue.remove(at: first)
            queued -= dropped.samples
            status.samplesDropped["queue_full", default: 0] += dropped.samples
        }
        status.samplesQueued = queued
    }

    /// The request to send now, if any (marked in flight until `complete`).
    public mutating func due(now: Timestamp) -> Request? {
        guard !inFlight, !queue.isEmpty, nextAttempt <= now else { return nil }
        inFlight = true
        queue[0].attempts += 1
        return queue[0]
    }

    /// When `due` next has something, nil when nothing waits or one is in flight.
    public var nextDeadline: Timestamp? {
        guard !inFlight, !queue.isEmpty else { return nil }
        return nextAttempt
    }

    public var isIdle: Bool { !inFlight && queue.isEmpty }

    /// Forgets the request in flight's attempt (its completion will not come here: a reload
    /// replaced the writer's lanes); it stays first and is sent again.
    public mutating func abandonInFlight() {
        inFlight = false
        nextAttempt = .min
    }

    /// Records how the request in flight ended.
    /// - Returns: a line worth logging, or nil.
    public mutating func complete(_ outcome: Outcome, now: Timestamp) -> String? {
        guard inFlight, !queue.isEmpty else { return nil }
        inFlight = false
        let head = queue[0]
        var line: String?
        switch outcome {
        case .accepted:
            queue.removeFirst()
            status.samplesSent += head.samples
            if status.failing { line = "reachable again" }
            status.failing = false
            nextAttempt = .min
        case .retry(let reason, let retryAfter):
            status.errors[reason, default: 0] += 1
            status.failing = true
            if Double(now - head.queuedAt) / 1000 >= retry.deadline {
                queue.removeFirst()
                status.samplesDropped["retries_exhausted", default: 0] += head.samples
                line = "\(reason); \(head.samples) sample(s) dropped after \(head.attempts) attempt(s)"
                nextAttempt = .min
            } else {
                status.retried += 1
                var delay = retry.backoff(retry: head.attempts, unit: random.unit())
                if let retryAfter { delay = max(delay, min(retryAfter, retry.maxBackoff)) }
                nextAttempt = now + Int64(delay * 1000)
                if head.attempts == 1 { line = "\(reason); retrying in \(String(format: "%.1f", delay))s" }
            }
        case .rejected(let reason):
            queue.removeFirst()
            status.errors[reason, default: 0] += 1
            status.samplesDropped["rejected", default: 0] += head.samples
            line = "\(reason): \(head.samples) sample(s) refused by the receiver, dropped"
            nextAttempt = .min
        }
        status.samplesQueued = queue.reduce(0) { $0 + $1.samples }
        return line
    }

    /// Remote-write 1.0 bodies (snappy) for `records`, each at most `maxSeriesPerRequest`
    /// series: one series per family with a finite value, one sample each.
    /// - Returns: (body, samples) per request.
    public static func requests(_ records: [ScoreRecord], maxSeriesPerRequest: Int = 2000) -> [(body: [UInt8], samples: Int)] {
        var out: [(body: [UInt8], samples: Int)] = []
        var series: [EncodedSeries] = []
        func flush() {
            guard !series.isEmpty else { return }
            out.append((RemoteWriteEncoder.compressedBody(series, version: .v1), series.count))
            series.removeAll(keepingCapacity: true)
        }
        for record in records {
            // `__name__` first: it sorts before lower-case names (`Labels` sorts the rest).
            var list = [Label(Labels.metricNameLabel, "")] + record.labels.exportedList(adding: [("rule", record.rule)])
            for family in ScoreFamily.allCases {
                let value = family.value(record.latest)
                guard value.isFinite else { continue }
                list[0].value = family.name
                series.append(EncodedSeries(labels: Labels(list),
                                            samples: [EncodedSample(timestamp: record.latest.timestamp, value: ScoreFamily.decimal(value))]))
                if series.count >= maxSeriesPerRequest { flush() }
            }
        }
        flush()
        return out
    }
}

/// Counters of one workspace's score remote write, for `/metrics`. Names the receiver by its
/// redacted URL.
public struct ScoreRemoteWriteStatus: Sendable, Equatable {
    public var workspace: String
    public var url: String
    public var samplesSent = 0
    /// Dropped samples by why: `queue_full`, `rejected` (4xx), `retries_exhausted`.
    public var samplesDropped: [String: Int] = [:]
    public var samplesQueued = 0
    public var retried = 0
    /// Failed attempts by reason.
    public var errors: [String: Int] = [:]
    public var failing = false

    public init(workspace: String, url: String) {
        self.workspace = workspace
        self.url = url
    }
}
