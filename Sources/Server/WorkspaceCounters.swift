import Store

/// What happened to one workspace's traffic, by outcome and reason. Updated once per request
/// under the workspace's counter lock, read by `/metrics`.
public struct WorkspaceCounters: Sendable, Equatable {
    /// Requests by (status code, reason): reason is "" for success.
    public var requests: [RequestKey: Int] = [:]
    /// Samples by outcome: `SampleOutcome` names plus the server's own refusals
    /// (`invalid_series`, `series_limit`, `too_old`, `too_far_in_future`, `rate_limited`).
    public var samples: [String: Int] = [:]
    public var histogramsIgnored = 0
    public var exemplarsIgnored = 0
    public var decodeNanoseconds: UInt64 = 0
    public var decodeCount = 0
    public var detectNanoseconds: UInt64 = 0
    public var detectCount = 0

    public struct RequestKey: Hashable, Sendable, Comparable {
        public var code: Int
        public var reason: String

        public static func < (lhs: RequestKey, rhs: RequestKey) -> Bool {
            (lhs.code, lhs.reason) < (rhs.code, rhs.reason)
        }
    }

    public init() {}

    public mutating func countRequest(code: Int, reason: String) {
        requests[RequestKey(code: code, reason: reason), default: 0] += 1
    }

    public mutating func countSamples(_ reason: String, _ count: Int) {
        guard count > 0 else { return }
        samples[reason, default: 0] += count
    }

    public mutating func add(_ other: WorkspaceCounters) {
        for (key, value) in other.requests { requests[key, default: 0] += value }
        for (key, value) in other.samples { samples[key, default: 0] += value }
        histogramsIgnored += other.histogramsIgnored
        exemplarsIgnored += other.exemplarsIgnored
        decodeNanoseconds += other.decodeNanoseconds
        decodeCount += other.decodeCount
        detectNanoseconds += other.detectNanoseconds
        detectCount += other.detectCount
    }
}
