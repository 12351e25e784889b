/// What the store did with one sample. Every case but `.appended` is counted by reason.
public enum SampleOutcome: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Stored.
    case appended
    /// Older than the series' newest sample: rejected (remote write sends each series in order).
    case outOfOrder
    /// Same timestamp and same value as the newest sample: a resend, dropped silently.
    case duplicate
    /// Same timestamp, different value: rejected.
    case duplicateConflict
    /// NaN or +-Inf that is not a stale marker: rejected (detectors need finite values).
    case nonFinite
    /// The Prometheus stale marker: the series went away. Recorded, not stored as a value.
    case stale

    public var description: String {
        switch self {
        case .appended: return "appended"
        case .outOfOrder: return "out_of_order"
        case .duplicate: return "duplicate"
        case .duplicateConflict: return "duplicate_timestamp_conflict"
        case .nonFinite: return "non_finite"
        case .stale: return "stale_marker"
        }
    }

    /// Whether the sample is refused (and a sender should hear about it).
    public var isRejection: Bool {
        self == .outOfOrder || self == .duplicateConflict || self == .nonFinite
    }
}
