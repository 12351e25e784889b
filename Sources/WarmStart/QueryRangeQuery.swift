import AIOpsCore

/// One `/api/v1/query_range` request: a selector over `[start, end]` at `step`.
public struct QueryRangeQuery: Sendable, Equatable {
    public var query: String
    /// Milliseconds since the epoch, inclusive.
    public var start: Timestamp
    public var end: Timestamp
    /// Milliseconds.
    public var step: Int64

    public init(query: String, start: Timestamp, end: Timestamp, step: Int64) {
        self.query = query
        self.start = start
        self.end = end
        self.step = step
    }

    /// Points per series the source evaluates: `floor((end - start) / step) + 1`.
    public var points: Int { end < start ? 0 : Int((end - start) / step) + 1 }

    /// The `application/x-www-form-urlencoded` body: `query`, `start`, `end` (Unix seconds,
    /// millisecond precision) and `step` (seconds).
    public var formBody: [UInt8] {
        let fields = [("query", query), ("start", Self.seconds(start)), ("end", Self.seconds(end)), ("step", Self.seconds(step))]
        return Array(fields.map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&").utf8)
    }

    /// `1712345678.123`; whole seconds without a fraction.
    static func seconds(_ milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        let magnitude = milliseconds.magnitude
        let fraction = magnitude % 1000
        guard fraction != 0 else { return sign + String(magnitude / 1000) }
        let digits = String(fraction)
        return sign + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - digits.count) + digits
    }
}
