import AIOpsCore

/// Parameters of each detector; a rule's `detector` block decodes into this.
///
/// CONTRACT (to be completed by the Detectors work): every field has a documented default
/// and missing JSON keys take it.
public struct DetectorSpec: Sendable, Hashable, Codable {
    public var kind: DetectorKind

    public init(kind: DetectorKind) {
        self.kind = kind
    }

    public static let auto = DetectorSpec(kind: .auto)
}

/// Why a series' detector state starts over.
public enum DetectorReset: Sendable {
    /// A stale marker: the series went away.
    case stale
    /// A gap longer than the detector tolerates.
    case gap
}

/// The streaming state of one detector on one series (one per rule and series).
///
/// CONTRACT: `update` is O(1) amortised, allocates nothing, and uses only samples up to and
/// including this one.
public struct SeriesDetector: Sendable {
    public init(spec: DetectorSpec) {}

    /// Feeds one sample (finite value, timestamps strictly increasing) and scores it.
    /// - Parameter limit: a known upper limit for the value (leak detector), or NaN.
    public mutating func update(timestamp: Timestamp, value: Double, spec: DetectorSpec, limit: Double) -> DetectorOutput {
        .quiet(spec.kind)
    }

    /// Forgets learned state the way `reason` requires.
    public mutating func reset(_ reason: DetectorReset) {}
}
