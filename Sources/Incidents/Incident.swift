import AIOpsCore
import Detectors
import Rules

/// Where an incident is in its life.
public enum IncidentPhase: String, Sendable, Codable {
    /// Anomalous, but not yet for the rule's `for` duration.
    case pending
    /// Notified.
    case firing
    /// Normal again for the rule's `resolveAfter`, or the series went away.
    case resolved
}

/// One anomaly of one rule on one series, with everything a report needs.
///
/// Values a detector could not know are nil (encoded as JSON null), never NaN.
public struct Incident: Sendable, Codable, Equatable, Identifiable {
    /// Stable for the incident's life: rule, series hash and start time.
    public var id: String
    public var rule: String
    public var severity: Severity
    public var labels: Labels
    public var detector: DetectorKind
    /// What the detector saw: with `rate` (the rule's `rate`, or a counter under a rule that
    /// does not say `transform`), `observed`, `expected`, the band and the limit are
    /// per-second rates of a counter (reports add `/s`); `recentValues` stay raw samples.
    public var transform: SeriesTransform
    public var phase: IncidentPhase
    /// Event time of the first anomalous sample.
    public var start: Timestamp
    /// Event time it fired (after `for`), nil while pending.
    public var firedAt: Timestamp?
    /// Event time it resolved, nil while open.
    public var end: Timestamp?
    /// Event time of the latest sample seen while open.
    public var lastSeen: Timestamp
    public var peakScore: Double
    /// The latest observation and what was expected then: every sample while the incident
    /// is open updates these, so a reminder shows the state now, not at the firing.
    public var observed: Double
    public var expected: Double?
    public var lower: Double?
    public var upper: Double?
    /// Leak: growth per hour (the latest known), the limit if known, and seconds until it is
    /// reached at the latest growth (nil when the latest sample gave none).
    public var leakRatePerHour: Double?
    public var limit: Double?
    public var secondsToLimit: Double?
    public var advice: RenderedAdvice
    /// Recent values (oldest first) for the sparkline, with the event times they belong to.
    public var recentValues: [Double]
    public var recentTimestamps: [Timestamp]
    /// Why it resolved: "normal again" or "series went away".
    public var resolution: String?

    public init(
        id: String, rule: String, severity: Severity, labels: Labels, detector: DetectorKind,
        transform: SeriesTransform = .none, phase: IncidentPhase, start: Timestamp, firedAt: Timestamp? = nil, end: Timestamp? = nil,
        lastSeen: Timestamp, peakScore: Double, observed: Double, expected: Double? = nil,
        lower: Double? = nil, upper: Double? = nil, leakRatePerHour: Double? = nil,
        limit: Double? = nil, secondsToLimit: Double? = nil, advice: RenderedAdvice,
        recentValues: [Double] = [], recentTimestamps: [Timestamp] = [], resolution: String? = nil
    ) {
        self.id = id
        self.rule = rule
        self.severity = severity
        self.labels = labels
        self.detector = detector
        self.transform = transform
        self.phase = phase
        self.start = start
        self.firedAt = firedAt
        self.end = end
        self.lastSeen = lastSeen
        self.peakScore = peakScore
        self.observed = observed
        self.expected = expected
        self.lower = lower
        self.upper = upper
        self.leakRatePerHour = leakRatePerHour
        self.limit = limit
        self.secondsToLimit = secondsToLimit
        self.advice = advice
        self.recentValues = recentValues
        self.recentTimestamps = recentTimestamps
        self.resolution = resolution
    }
}

/// A change worth telling someone about.
public enum IncidentEvent: Sendable, Equatable {
    case firing(Incident)
    case resolved(Incident)

    public var incident: Incident {
        switch self {
        case .firing(let incident), .resolved(let incident): return incident
        }
    }
}

/// Receives incident events from a pipeline. Called only on transitions (rare), never per
/// sample, so an existential here costs nothing on the hot path.
public protocol IncidentSink: AnyObject, Sendable {
    func handle(_ event: IncidentEvent)
}
