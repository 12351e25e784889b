import AIOpsCore

/// What one rule's detector saw and expected, sample by sample, around one incident: the
/// web view's plot of the incident (value, expected value, band, score).
///
/// The ring keeps a series' last 64 samples and no band, so an incident page an hour later
/// would have neither the samples before the start nor what the detector expected: the
/// pipeline starts a trace when an incident opens, seeded with the ring's samples before it
/// (values and scores, no band), and appends every sample the incident's rule scores until
/// it resolves. Bounded: past `capacity` points after the seed, neighbouring points are
/// merged in pairs (the more anomalous of the two is kept, so a spike stays), and each point
/// then stands for twice as many samples.
public struct IncidentTrace: Sendable, Equatable {
    /// One sample: what the detector saw (after the rule's transform: a counter's rate) and
    /// what it expected. Unknown numbers are NaN. 32 bytes.
    public struct Point: Sendable, Equatable {
        public var timestamp: Timestamp
        public var value: Double
        public var expected: Float
        public var lower: Float
        public var upper: Float
        public var score: Float

        public init(timestamp: Timestamp, value: Double, expected: Double = .nan, lower: Double = .nan, upper: Double = .nan, score: Double = .nan) {
            self.timestamp = timestamp
            self.value = value
            self.expected = Float(expected)
            self.lower = Float(lower)
            self.upper = Float(upper)
            self.score = Float(score)
        }

        /// Whether this point says more about the anomaly than `other`: a higher score, or
        /// at equal scores the larger distance from what was expected.
        func isMoreNotable(than other: Point) -> Bool {
            let (a, b) = (score.isNaN ? -1 : score, other.score.isNaN ? -1 : other.score)
            if a != b { return a > b }
            return distance > other.distance
        }

        private var distance: Double {
            expected.isNaN ? 0 : abs(value - Double(expected))
        }
    }

    /// Oldest first: the seed (samples before the incident), then the incident's samples.
    public private(set) var points: [Point] = []
    /// How many of `points` are the seed (never merged).
    public private(set) var seedCount = 0
    /// Points kept after the seed before pairs are merged.
    public let capacity: Int
    /// Samples each point after the seed stands for (1 until the first merge, then 2, 4...).
    public private(set) var samplesPerPoint = 1
    /// Samples merged into the last point so far.
    private var inLastPoint = 0

    /// - Parameters:
    ///   - seed: samples before the incident started, oldest first.
    ///   - capacity: points kept after the seed (at least 2).
    public init(seed: [Point] = [], capacity: Int = 448) {
        self.capacity = max(2, capacity)
        points.reserveCapacity(seed.count + 16)
        points.append(contentsOf: seed)
        seedCount = seed.count
    }

    /// Appends a sample; a sample not newer than the last point is ignored.
    /// - Complexity: amortised O(1); O(capacity) when pairs are merged, once per
    ///   `capacity / 2` points.
    public mutating func append(_ point: Point) {
        if let last = points.last, point.timestamp <= last.timestamp { return }
        if points.count > seedCount, inLastPoint < samplesPerPoint {
            // Within the last point's group: keep the more notable sample of the two.
            if point.isMoreNotable(than: points[points.count - 1]) { points[points.count - 1] = point }
            inLastPoint += 1
            return
        }
        if points.count - seedCount >= capacity { mergePairs() }
        points.append(point)
        inLastPoint = 1
    }

    /// Halves the points after the seed, keeping the more notable of each pair.
    private mutating func mergePairs() {
        var write = seedCount
        var read = seedCount
        while read < points.count {
            var kept = points[read]
            if read + 1 < points.count, points[read + 1].isMoreNotable(than: kept) { kept = points[read + 1] }
            points[write] = kept
            write += 1
            read += 2
        }
        points.removeLast(points.count - write)
        samplesPerPoint *= 2
        inLastPoint = samplesPerPoint
    }
}
