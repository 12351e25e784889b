import AIOpsCore

/// The metric types a workspace's senders declared, by metric family name, bounded in size.
///
/// Remote write 1.0 carries metadata apart from the series (Prometheus sends every family's
/// `MetricMetadata` about once a minute, in requests with no samples), so a new series looks
/// its family up here. Remote write 2.0 attaches the type to each series and does not need it.
///
/// Bounded by two generations of at most `capacity` families each: when the current one
/// fills, it becomes the previous one and the oldest is dropped. Senders repeat their
/// metadata every minute, so families still in use come back into the current generation,
/// and those that went away age out; memory stays within `2 × capacity` entries.
public struct MetricTypeTable: Sendable {
    public let capacity: Int
    var current: [String: MetricType] = [:]
    var previous: [String: MetricType] = [:]

    public init(capacity: Int = 10_000) {
        precondition(capacity > 0, "a metric type table holds at least one family")
        self.capacity = capacity
    }

    /// Families held (both generations, each counted once).
    public var count: Int { current.count + previous.keys.filter { current[$0] == nil }.count }

    /// Records that family `name` has type `type`.
    /// - Returns: whether this changes what `type(ofSeries:)` answers for the family (a new
    ///   family, or a new type), so that series created before may need reclassifying.
    @discardableResult
    public mutating func record(family name: String, type: MetricType) -> Bool {
        guard !name.isEmpty else { return false }
        let known = current[name] ?? previous[name]
        if current[name] == nil && current.count >= capacity {
            previous = current
            current = [:]
            current.reserveCapacity(capacity)
        }
        current[name] = type
        return known != type
    }

    /// The declared type of the family of a series named `metricName`: the family of the same
    /// name (the Prometheus text format declares `foo_total` as `foo_total`), else the name
    /// without its `_total`, `_created`, `_bucket`, `_count` or `_sum` suffix (OpenMetrics
    /// declares the family `foo` of `foo_total`, histograms `foo` of `foo_bucket`).
    /// - Returns: nil when no sender declared it (or declared it `unknown`).
    public func type(ofSeries metricName: String) -> MetricType? {
        for family in MetricType.familyNames(ofSeries: metricName) {
            if let type = lookup(family) { return type }
        }
        return nil
    }

    func lookup(_ name: String) -> MetricType? {
        guard let type = current[name] ?? previous[name], type != .unknown else { return nil }
        return type
    }
}
