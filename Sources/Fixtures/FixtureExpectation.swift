import AIOpsCore

/// What replaying a shipped fixture must produce: the contents of its `expect.json`
/// (schema in `fixtures/README.md`).
public struct FixtureExpectation: Decodable, Sendable {
    /// One-line summary of the case.
    public var description: String?
    /// The data file, relative to the case folder.
    public var file: String
    /// The format the data file is in (checked by the reader's tests).
    public var format: FixtureFormat?
    /// The series identity for CSV files, in `--metric` syntax.
    public var metric: String?
    /// How many series the reader must find.
    public var series: Int?
    /// How many samples the reader must find, over all series.
    public var samples: Int?
    /// True when nothing at all may fire.
    public var quiet: Bool
    /// True (the default) when no incident other than those listed may fire.
    public var exclusive: Bool
    /// Incidents that must fire.
    public var incidents: [Incident]

    /// An incident that must fire.
    public struct Incident: Decodable, Sendable {
        /// The rule name (`container-memory-leak`).
        public var rule: String
        /// Labels the incident's series must carry (a subset match).
        public var labels: [String: String]
        /// The first firing must not come before this time.
        public var firesAfter: Timestamp?
        /// The first firing must come before this time.
        public var firesBefore: Timestamp?
        /// Bounds on a leak detector's slope, in the metric's units per hour.
        public var leakRatePerHour: ValueRange?
        /// Bounds on the projected time until the limit, when firing.
        public var timeToLimit: DurationRange?

        enum CodingKeys: String, CodingKey {
            case rule, labels, firesAfter, firesBefore, leakRatePerHour, timeToLimit
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            rule = try c.decode(String.self, forKey: .rule)
            labels = try c.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
            firesAfter = try Self.time(c, .firesAfter)
            firesBefore = try Self.time(c, .firesBefore)
            leakRatePerHour = try c.decodeIfPresent(ValueRange.self, forKey: .leakRatePerHour)
            timeToLimit = try c.decodeIfPresent(DurationRange.self, forKey: .timeToLimit)
        }

        private static func time(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Timestamp? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let ms = TimeFormat.parse(text) else {
                let why = TimeFormat.impossibility(in: Substring(text)).map { ": " + $0.reason } ?? ""
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "invalid RFC 3339 time \"\(text)\"" + why)
            }
            return ms
        }

        /// Whether an incident on `labels` is the one expected (subset match).
        public func matches(rule: String, labels: Labels) -> Bool {
            rule == self.rule && self.labels.allSatisfy { labels[$0.key] == $0.value }
        }

        /// Whether a first firing at `time` falls in `[firesAfter, firesBefore)`.
        public func acceptsFiring(at time: Timestamp) -> Bool {
            if let firesAfter, time < firesAfter { return false }
            if let firesBefore, time >= firesBefore { return false }
            return true
        }
    }

    /// `{"min": x, "max": y}`, either bound optional, both inclusive.
    public struct ValueRange: Decodable, Sendable {
        public var min: Double?
        public var max: Double?
        public func contains(_ value: Double) -> Bool {
            if let min, !(value >= min) { return false }
            if let max, !(value <= max) { return false }
            return true
        }
    }

    /// `{"min": "1h", "max": "30h"}`, either bound optional, both inclusive.
    public struct DurationRange: Decodable, Sendable {
        public var min: PromDuration?
        public var max: PromDuration?
        public func contains(milliseconds: Int64) -> Bool {
            if let min, milliseconds < min.milliseconds { return false }
            if let max, milliseconds > max.milliseconds { return false }
            return true
        }
    }

    enum CodingKeys: String, CodingKey {
        case description, file, format, metric, series, samples, quiet, exclusive, incidents
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        file = try c.decode(String.self, forKey: .file)
        format = try c.decodeIfPresent(FixtureFormat.self, forKey: .format)
        metric = try c.decodeIfPresent(String.self, forKey: .metric)
        series = try c.decodeIfPresent(Int.self, forKey: .series)
        samples = try c.decodeIfPresent(Int.self, forKey: .samples)
        incidents = try c.decodeIfPresent([Incident].self, forKey: .incidents) ?? []
        quiet = try c.decodeIfPresent(Bool.self, forKey: .quiet) ?? incidents.isEmpty
        exclusive = try c.decodeIfPresent(Bool.self, forKey: .exclusive) ?? true
        if quiet, !incidents.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: .quiet, in: c, debugDescription: "a quiet case cannot list incidents")
        }
    }

    /// `metric` parsed, or nil when absent.
    public func metricLabels() throws(SeriesIdentityError) -> Labels? {
        guard let metric else { return nil }
        return try SeriesIdentity.parse(metric)
    }
}
