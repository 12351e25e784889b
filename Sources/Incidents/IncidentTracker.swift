import AIOpsCore

/// The life of incidents of one rule on one series: normal -> pending -> firing -> normal.
///
/// Kept small (it lives in the pipeline's per-series arrays, one per rule and series); the
/// full `Incident` record exists only while one is open. Driven by event time, so replay and
/// serve agree. Plain data (`BitwiseCopyable`): the pipeline keeps trackers in its bindings
/// `Slab`.
public struct IncidentTracker: Sendable, Equatable, BitwiseCopyable {
    public enum Phase: UInt8, Sendable, BitwiseCopyable {
        case normal
        case pending
        case firing
    }

    /// A change the pipeline acts on.
    public enum Transition: Sendable, Equatable {
        /// The first anomalous sample of an episode (pending; fires later unless `for` is 0).
        case started
        /// Anomalous for `for`: notify.
        case fired
        /// Normal again for `resolveAfter` (or the series went away) after firing.
        case resolved
        /// Normal again before it ever fired: forgotten, never notified.
        case cancelled
    }

    public private(set) var phase: Phase = .normal
    /// Event time of the first anomalous sample of the current episode.
    public private(set) var start: Timestamp = 0
    /// Event time of the first normal sample after the last anomalous one, or nil while anomalous.
    public private(set) var normalSince: Timestamp?

    public init() {}

    /// Feeds one scored sample.
    /// - Parameters:
    ///   - anomalous: whether the sample's score reached the rule's threshold.
    ///   - forDuration: how long the episode must last before it fires.
    ///   - resolveAfter: how long the series must be normal before a firing incident resolves.
    /// - Returns: the transition this sample caused, if any. `.started` and `.fired` can both
    ///   happen on one sample when `forDuration` is 0; then `.fired` is returned and
    ///   `phase == .firing` with `start` set.
    public mutating func observe(timestamp: Timestamp, anomalous: Bool, forDuration: Int64, resolveAfter: Int64) -> Transition? {
        switch phase {
        case .normal:
            guard anomalous else { return nil }
            start = timestamp
            normalSince = nil
            if forDuration <= 0 {
                phase = .firing
                return .fired
            }
            phase = .pending
            return .started
        case .pending:
            if anomalous {
                normalSince = nil
                if timestamp - start >= forDuration {
                    phase = .firing
                    return .fired
                }
                return nil
            }
            let since = normalSince ?? timestamp
            normalSince = since
            // A pending episode survives short dips (detector scores wobble around the
            // threshold) but not a quiet stretch of a quarter of `for`.
            if timestamp - since >= min(resolveAfter, max(forDuration / 4, 1)) {
                phase = .normal
                normalSince = nil
                return .cancelled
            }
            return nil
        case .firing:
            if anomalous {
                normalSince = nil
                return nil
            }
            let since = normalSince ?? timestamp
            normalSince = since
            if timestamp - since >= resolveAfter {
                phase = .normal
                normalSince = nil
                return .resolved
            }
            return nil
        }
    }

    /// The series went away (a stale marker or eviction): an open incident ends now.
    public mutating func seriesWentAway() -> Transition? {
        defer {
            phase = .normal
            normalSince = nil
        }
        switch phase {
        case .normal: return nil
        case .pending: return .cancelled
        case .firing: return .resolved
        }
    }
}
